//! `/service-desk/workflows`, `/service-desk/workflows/new` and
//! `/service-desk/workflows/{workflow_id}`: the catalogue as the service desk looks after it, with
//! retired entries listed, and the page that adds an entry or changes, retires or reinstates one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::DeskNav;
use crate::api::service_desk::{get_catalogue_admin, get_workflow_edit};
use crate::components::form::{
    Choice, Choices, FormContext, FormErrors, PostForm, TextInput, when_loaded,
};
use crate::components::{Cell, ResultsTable, Tag};
use crate::model::catalogue::WorkflowStatus;
use crate::model::service_desk::paths;
use crate::model::service_desk::workflows::WorkflowAction;

/// `/service-desk/workflows`: every entry, retired ones too, with a search.
#[component]
pub fn CatalogueAdminPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|q| q.get("q").unwrap_or_default());
    let data = Resource::new(q, get_catalogue_admin);
    when_loaded(data, |list| {
        view! {
            <Title text="Workflow ID catalogue – service desk" />
            <DeskNav current=paths::WORKFLOWS />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">"Workflow ID catalogue"</h1>
            <p>
                <a class="nhsuk-button" href=paths::NEW_WORKFLOW role="button" draggable="false">"Add a workflow ID"</a>
            </p>
            <form method="get" action=paths::WORKFLOWS role="search" aria-label="Find a workflow ID">
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label" for="q">"Workflow ID, group or description"</label>
                    <input class="nhsuk-input nhsuk-u-width-two-thirds" id="q" name="q" type="search" value=list.q.clone() spellcheck="false" />
                </div>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Find"</button>
            </form>
            {if list.items.is_empty() {
                view! { <p>"No workflow IDs match."</p> }.into_any()
            } else {
                view! {
                    <ResultsTable
                        caption=format!(
                            "{} {} that match, {} of them retired",
                            if list.more { "The first 200" } else { "The" },
                            if list.items.len() == 1 { "entry" } else { "entries" },
                            list.retired,
                        )
                        headings=&["Workflow ID", "Group", "Description", "Status"]
                    >
                        {list.items.clone().into_iter().map(|w| view! {
                            <tr class="nhsuk-table__row">
                                <Cell heading="Workflow ID"><a href=paths::workflow(&w.workflow_id)><code>{w.workflow_id.clone()}</code></a></Cell>
                                <Cell heading="Group">{w.group.clone()}</Cell>
                                <Cell heading="Description">{w.description.clone()}</Cell>
                                <Cell heading="Status">
                                    <Tag colour=if w.status == WorkflowStatus::Active { "green" } else { "grey" } text=w.status.label() />
                                </Cell>
                            </tr>
                        }).collect_view()}
                    </ResultsTable>
                }.into_any()
            }}
        }
    })
}

/// `/service-desk/workflows/new` and `/service-desk/workflows/{workflow_id}`.
#[component]
pub fn WorkflowEditPage() -> impl IntoView {
    let workflow_id = use_params_map().with_untracked(|p| p.get("workflow_id").unwrap_or_default());
    let data = Resource::new(move || workflow_id.clone(), get_workflow_edit);
    when_loaded(data, |(view, posted)| {
        provide_context(FormContext::new(posted));
        let entry = view.entry.clone();
        let adding = entry.is_none();
        let page = entry.as_ref().map_or(paths::NEW_WORKFLOW.to_owned(), |e| {
            paths::workflow(&e.workflow_id)
        });
        let field = |f: fn(&crate::model::service_desk::workflows::WorkflowEntry) -> String| {
            entry.as_ref().map(f).unwrap_or_default()
        };
        let (group, description, direction, ack_of) = (
            field(|e| e.group.clone()),
            field(|e| e.description.clone()),
            field(|e| e.direction.clone()),
            field(|e| e.ack_of.clone().unwrap_or_default()),
        );
        let mut rules = Vec::new();
        if entry.as_ref().is_some_and(|e| e.hscn_only) {
            rules.push("hscn_only".to_owned());
        }
        if entry.as_ref().is_some_and(|e| e.test_first) {
            rules.push("test_first".to_owned());
        }
        let flags = vec![
            Choice {
                value: "hscn_only",
                label: "Only over HSCN",
                hint: "Files of this workflow cannot be sent over the internet",
            },
            Choice {
                value: "test_first",
                label: "Test first",
                hint: "An organisation must have a test message delivered in Path to Live before it sends in Live",
            },
        ];
        let title = entry.as_ref().map_or("Add a workflow ID".to_owned(), |e| {
            format!("Change {}", e.workflow_id)
        });
        let groups = view.groups.join(", ");
        view! {
            <Title text=format!("{title} – service desk") />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::WORKFLOWS>"Back to the catalogue"</a>
            </div>
            <FormErrors />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">{title}
                {view.retired.then(|| view! { " " <Tag colour="grey" text="Retired" /> })}
            </h1>
            {(!adding).then(|| view! {
                <p>{format!(
                    "{} {} registered for it. {}",
                    view.mailboxes,
                    if view.mailboxes == 1 { "mailbox is" } else { "mailboxes are" },
                    if view.source == "seed" {
                        "It comes from the catalogue file; once you change it here, the file no longer changes it."
                    } else {
                        "The service desk looks after it: the catalogue file does not change it."
                    },
                )}</p>
            })}
            <PostForm path=page.clone()>
                {if adding {
                    view! {
                        <TextInput name="workflow_id" label="Workflow ID" hint="Capital letters, numbers, underscores and hyphens, like PATH_TEST_RESULTS" stored="" code=true />
                    }.into_any()
                } else {
                    ().into_any()
                }}
                <TextInput name="group" label="Workflow group" hint="An existing group's name as it is written below, or a new name to start a group" stored=group />
                <details class="nhsuk-details">
                    <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"The groups there are"</span></summary>
                    <div class="nhsuk-details__text">{groups}</div>
                </details>
                <TextInput name="description" label="Description" stored=description width="nhsuk-u-width-full" />
                <TextInput name="direction" label="Who sends and who receives (optional)" hint="Like: sent by GP practices to the trust" stored=direction width="nhsuk-u-width-full" />
                <TextInput name="ack_of" label="The workflow it acknowledges (optional)" hint="For an acknowledgement workflow, the workflow ID it answers" stored=ack_of code=true />
                <Choices
                    name="rules"
                    legend="Rules"
                    choices=flags
                    stored=rules
                    multiple=true
                />
                <button class="nhsuk-button" type="submit" name="action" value=WorkflowAction::Save.as_str()>
                    {if adding { "Add to the catalogue" } else { WorkflowAction::Save.label() }}
                </button>
            </PostForm>
            {(!adding).then(|| {
                let action = if view.retired { WorkflowAction::Reinstate } else { WorkflowAction::Retire };
                view! {
                    <h2 class="nhsuk-heading-m">{if view.retired { "Make it active again" } else { "Retire it" }}</h2>
                    <p>{if view.retired {
                        "It will be offered again for new mailboxes and messages."
                    } else {
                        "A retired workflow ID stays in the catalogue marked as retired, so people can still look it up, but it is no longer offered for new mailboxes or messages."
                    }}</p>
                    <PostForm path=page.clone()>
                        <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=action.as_str()>
                            {action.label()}
                        </button>
                    </PostForm>
                }
            })}
        }
    })
}
