//! `/workflows/request`: ask for a new workflow ID, and its confirmation.

use leptos::prelude::*;

use crate::api::catalogue::list_workflow_groups;
use crate::components::ErrorMessage;
use crate::components::form::{FormContext, PostForm, QuestionPage, TextArea, TextInput};
use crate::model::applications::workflow_request::{NEW_GROUP, paths};
use crate::pages::apply::Confirmation;

/// The request form.
#[component]
pub fn WorkflowRequestPage() -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_workflow_groups());
    view! {
        <QuestionPage
            title="Ask for a new workflow ID"
            caption="Workflow ID catalogue"
            back="/workflows"
            body=move |_| {
                let form = use_context::<FormContext>().expect("inside a question page");
                view! {
                    <p>
                        "Check the " <a href="/workflows">"catalogue"</a>
                        " first: an existing workflow ID may already fit. The service desk "
                        "reviews each request and adds the new ID to the catalogue."
                    </p>
                    <PostForm path=paths::REQUEST button="Send request">
                        <TextInput
                            name="proposed_id"
                            label="Proposed workflow ID"
                            hint="Capital letters, numbers, underscores and hyphens, for example WOUND_CARE_PHOTO"
                            stored=""
                            code=true
                        />
                        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || form.error("group").is_some()>
                            <label class="nhsuk-label" for="group">"Workflow group"</label>
                            <div class="nhsuk-hint" id="group-hint">"The group it belongs in, or a new one"</div>
                            {move || form.error("group").map(|message| view! { <ErrorMessage id="group-error" message /> })}
                            <Suspense fallback=|| view! { <p>"Loading groups…"</p> }>
                                {move || Suspend::new(async move {
                                    let names: Vec<String> = groups
                                        .await
                                        .map(|g| g.into_iter().map(|g| g.name).collect())
                                        .unwrap_or_default();
                                    let chosen = form.value("group", "");
                                    view! {
                                        <select
                                            class="nhsuk-select"
                                            class:nhsuk-select--error=move || form.error("group").is_some()
                                            id="group"
                                            name="group"
                                            aria-describedby="group-hint"
                                        >
                                            <option value="" selected=chosen.is_empty()>"Choose a group"</option>
                                            {names
                                                .into_iter()
                                                .map(|name| {
                                                    let selected = name == chosen;
                                                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                                })
                                                .collect_view()}
                                            <option value=NEW_GROUP selected=chosen == NEW_GROUP>"A new group"</option>
                                        </select>
                                    }
                                })}
                            </Suspense>
                        </div>
                        <TextInput
                            name="new_group"
                            label="Name of the new group (only if you chose a new group)"
                            stored=""
                        />
                        <TextArea
                            name="description"
                            label="Description"
                            hint="What data the messages carry and what they are for. No patient data."
                            stored=""
                        />
                        <TextArea name="sending_organisations" label="Sending organisations" hint="Who sends these messages" stored="" rows=3 />
                        <TextArea name="receiving_organisations" label="Receiving organisations" hint="Who receives them" stored="" rows=3 />
                        <TextInput name="requester_name" label="Your name" stored="" autocomplete="name" />
                        <TextInput
                            name="requester_email"
                            label="Your work email address"
                            hint="Must end in @nhs.net, @nhs.uk or @gov.uk"
                            stored=""
                            input_type="email"
                            autocomplete="email"
                            code=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/workflows/request/confirmation`.
#[component]
pub fn WorkflowRequestConfirmationPage() -> impl IntoView {
    view! {
        <Confirmation
            title="Request sent"
            pick=|d| d.sent_workflow_request.clone()
            start=paths::REQUEST
            next="The service desk reviews the request and may contact you about it. When the new \
                  workflow ID is added, it appears in the catalogue and you can add it to a \
                  mailbox application."
        />
    }
}
