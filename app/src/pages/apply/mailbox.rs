//! `/apply/mailbox/…`: the mailbox application, one topic per page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Confirmation, DraftNotice, StartAgain};
use crate::api::applications::get_application_drafts;
use crate::api::catalogue::search_workflows;
use crate::components::form::{
    Choice, Choices, FormContext, PostForm, QuestionPage, SummaryRow, TextInput, load_failed,
    question_frame,
};
use crate::components::{ErrorMessage, Tag};
use crate::model::applications::mailbox::{
    ADD_WORKFLOW, FileSize, MailboxDraft, REMOVE_WORKFLOW, paths,
};
use crate::model::catalogue::{SearchRequest, WorkflowStatus, encode_query_value};
use crate::model::common::{Direction, Environment};

const CAPTION: &str = "Apply for a MESH mailbox";

/// `/apply/mailbox`: what the application asks and what happens after.
#[component]
pub fn MailboxStartPage() -> impl IntoView {
    let drafts = Resource::new(|| (), |_| get_application_drafts());
    view! {
        <Title text=CAPTION />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">{CAPTION}</h1>
                <p class="nhsuk-lede-text">
                    "Apply for a mailbox so your organisation can send and receive files through MESH."
                </p>
                <p>"You will need:"</p>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    <li>"your organisation's ODS code, and the code of any organisation that manages the mailbox for you"</li>
                    <li>"the environments you need a mailbox in: Live, or the Path to Live test environments"</li>
                    <li>"the workflow IDs the mailbox will send or receive"</li>
                    <li>"the name, work email address and telephone number of the person who will manage the mailbox"</li>
                </ul>
                <p>"It takes about 5 minutes. Do not include any patient data."</p>
                <p>
                    "GP practices usually get their mailbox from their clinical system supplier: "
                    "ask them first."
                </p>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let in_progress = drafts
                            .await
                            .map(|(d, _)| d.mailbox != MailboxDraft::default())
                            .unwrap_or(false);
                        view! {
                            <DraftNotice in_progress continue_to=paths::CHECK start=paths::ORGANISATION />
                            {in_progress.then(|| view! { <StartAgain application="mailbox" /> })}
                        }
                    })}
                </Suspense>
                <h2 class="nhsuk-heading-m">"What happens next"</h2>
                <p>
                    "The service desk checks your application, usually within 5 working days. When "
                    "it is approved, the Mailbox ID for each environment is emailed to the mailbox "
                    "manager. You can check progress at any time with your application reference."
                </p>
            </div>
        </div>
    }
}

/// `/apply/mailbox/organisation`: whose mailbox it is, and who manages it.
#[component]
pub fn MailboxOrganisationPage() -> impl IntoView {
    let query = use_query_map();
    let from_finder = query.with_untracked(|q| q.get("ods_code"));
    view! {
        <QuestionPage
            title="Which organisation is the mailbox for?"
            caption=CAPTION
            back=paths::START
            body=move |drafts| {
                let draft = drafts.mailbox;
                let own = from_finder
                    .clone()
                    .or_else(|| draft.organisation.as_ref().map(|o| o.ods_code.clone()))
                    .unwrap_or_default();
                let third = draft.third_party.as_ref().map(|o| o.ods_code.clone()).unwrap_or_default();
                view! {
                    {draft.organisation.clone().map(|o| view! {
                        <div class="nhsuk-inset-text">
                            <span class="nhsuk-u-visually-hidden">"Information: "</span>
                            <p>"Organisation found: " <strong>{o.name}</strong> {format!(" ({})", o.ods_code)}</p>
                        </div>
                    })}
                    <PostForm path=paths::ORGANISATION button="Continue">
                        <TextInput
                            name="ods_code"
                            label="ODS code of the organisation that owns the mailbox"
                            hint="For example X26 or RR8. It is checked against the list of organisations."
                            stored=own
                            width="nhsuk-input--width-10"
                            code=true
                        />
                        <p>
                            <a href=format!("/organisations?return={}", encode_query_value(paths::ORGANISATION))>
                                "Find your organisation's ODS code"
                            </a>
                        </p>
                        <TextInput
                            name="third_party_ods_code"
                            label="ODS code of the organisation that manages the mailbox (optional)"
                            hint="Only if another organisation, such as a supplier, runs the mailbox for you"
                            stored=third
                            width="nhsuk-input--width-10"
                            code=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/mailbox/environment`: one mailbox per environment ticked.
#[component]
pub fn MailboxEnvironmentPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Which environments do you need a mailbox in?"
            caption=CAPTION
            back=paths::ORGANISATION
            body=|drafts| {
                let stored = drafts.mailbox.environments.iter().map(|e| e.as_str().to_owned()).collect();
                let choices = Environment::ALL
                    .iter()
                    .map(|e| Choice { value: e.as_str(), label: e.label(), hint: e.hint() })
                    .collect();
                view! {
                    <PostForm path=paths::ENVIRONMENT button="Continue">
                        <Choices
                            name="environments"
                            legend="Environments"
                            hint="You get one mailbox for each environment. A file sent in one environment stays in it. Select all that apply."
                            choices
                            stored
                            multiple=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/mailbox/workflows?q=`: search the catalogue and add workflows, each to send, receive
/// or both. The drafts and the search results load together (one resource), so the page has one
/// loading boundary.
#[component]
pub fn MailboxWorkflowsPage() -> impl IntoView {
    // Read once: searching reloads the page (a plain GET form), and a resource that followed the
    // URL would load again while the router takes the page down on the way to the next one.
    let q = use_query_map().with_untracked(|m| m.get("q").unwrap_or_default().trim().to_owned());
    let data = Resource::new(
        {
            let q = q.clone();
            move || q.clone()
        },
        |q| async move {
            let (drafts, posted) = get_application_drafts().await?;
            let found = if q.is_empty() {
                None
            } else {
                Some(
                    search_workflows(SearchRequest {
                        q,
                        group: None,
                        page: 1,
                    })
                    .await,
                )
            };
            Ok::<_, crate::AppError>((drafts, posted, found))
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="nhsuk-body">"Loading…"</p> }>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                match data.await {
                    Ok((drafts, posted, found)) => question_frame(
                        "Which workflows will the mailbox use?",
                        CAPTION,
                        paths::ENVIRONMENT,
                        posted,
                        move || view! { <WorkflowsForm added=drafts.mailbox.workflows found q=q /> },
                    ),
                    Err(error) => load_failed(&error),
                }
            })
            }}
        </Transition>
    }
}

#[component]
fn WorkflowsForm(
    added: Vec<crate::model::applications::mailbox::RequestedWorkflow>,
    found: Option<Result<crate::model::catalogue::SearchResults, crate::AppError>>,
    q: String,
) -> impl IntoView {
    let form = use_context::<FormContext>().expect("inside a question page");
    view! {
        <p>
            "A workflow ID says what kind of data a message carries. Search the "
            "catalogue, then add each workflow the mailbox sends or receives."
        </p>
        <form method="get" action=paths::WORKFLOWS role="search">
            <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || form.error("q").is_some()>
                <label class="nhsuk-label nhsuk-label--s" for="q">"Search workflow IDs"</label>
                <div class="nhsuk-hint" id="q-hint">"For example PATH_MEDRPT_V3, pathology or discharge"</div>
                {move || form.error("q").map(|message| view! { <ErrorMessage id="q-error" message /> })}
                <input
                    class="nhsuk-input nhsuk-u-width-two-thirds"
                    class:nhsuk-input--error=move || form.error("q").is_some()
                    id="q"
                    name="q"
                    type="search"
                    value=q.clone()
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=move || if form.error("q").is_some() { "q-hint q-error" } else { "q-hint" }
                />
            </div>
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Search"</button>
        </form>
        <PostForm path=paths::WORKFLOWS>
            <input type="hidden" name="q" value=q />
            <div class="app-search-results">
                {match found {
                    None => ().into_any(),
                    Some(Ok(found)) => view! { <SearchResults found=found.items /> }.into_any(),
                    Some(Err(error)) => view! { <p role="status">{error.to_string()}</p> }.into_any(),
                }}
            </div>
            <p>
                "Cannot find the workflow you need? "
                <a href="/workflows/request">"Ask for a new workflow ID"</a>
                " first: the service desk adds it to the catalogue."
            </p>
            <section aria-labelledby="workflows-added">
                <h2 class="nhsuk-heading-m" id="workflows-added">"Workflows added"</h2>
                {if added.is_empty() {
                    view! { <p>"None yet."</p> }.into_any()
                } else {
                    view! { <AddedWorkflows added /> }.into_any()
                }}
            </section>
            <button class="nhsuk-button" type="submit" name="continue" value="1">"Continue"</button>
        </PostForm>
    }
}

#[component]
fn SearchResults(found: Vec<crate::model::catalogue::WorkflowSummary>) -> impl IntoView {
    if found.is_empty() {
        return view! { <p role="status">"No workflow IDs match your search."</p> }.into_any();
    }
    view! {
        <h2 class="nhsuk-heading-m">"Search results"</h2>
        <ul class="nhsuk-list app-workflow-choices">
            {found
                .into_iter()
                .take(20)
                .map(|w| {
                    let id = w.workflow_id.clone();
                    let select_id = format!("direction-{id}");
                    let active = w.status == WorkflowStatus::Active;
                    view! {
                        <li class="app-workflow-choice">
                            <p class="nhsuk-u-margin-bottom-2">
                                <strong class="app-code">{id.clone()}</strong>
                                " "
                                {(!active).then(|| view! { <Tag colour="grey" text="Retired" /> })}
                                <br />
                                <span class="nhsuk-body-s">{format!("{} – {}", w.group, w.description)}</span>
                            </p>
                            {if active {
                                view! {
                                    <div class="app-inline-choice">
                                        <label class="nhsuk-label nhsuk-u-visually-hidden" for=select_id.clone()>
                                            {format!("What the mailbox does with {id}")}
                                        </label>
                                        <select class="nhsuk-select" id=select_id.clone() name=select_id>
                                            {Direction::ALL
                                                .into_iter()
                                                .map(|d| view! { <option value=d.as_str()>{d.label()}</option> })
                                                .collect_view()}
                                        </select>
                                        " "
                                        <button
                                            class="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                                            type="submit"
                                            name=ADD_WORKFLOW
                                            value=id.clone()
                                        >
                                            "Add" <span class="nhsuk-u-visually-hidden">{format!(" {id}")}</span>
                                        </button>
                                    </div>
                                }
                                .into_any()
                            } else {
                                view! { <p class="nhsuk-body-s">"Retired workflows cannot be added."</p> }.into_any()
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AddedWorkflows(
    added: Vec<crate::model::applications::mailbox::RequestedWorkflow>,
) -> impl IntoView {
    view! {
        <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Workflows added"</caption>
            <thead class="nhsuk-table__head">
                <tr>
                    <th scope="col" class="nhsuk-table__header">"Workflow ID"</th>
                    <th scope="col" class="nhsuk-table__header">"The mailbox will"</th>
                    <th scope="col" class="nhsuk-table__header"><span class="nhsuk-u-visually-hidden">"Action"</span></th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {added
                    .into_iter()
                    .map(|w| {
                        let id = w.workflow_id.clone();
                        view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">
                                    <strong class="app-code">{id.clone()}</strong>
                                    <br />
                                    <span class="nhsuk-body-s">{w.description}</span>
                                </td>
                                <td class="nhsuk-table__cell">{w.direction.label()}</td>
                                <td class="nhsuk-table__cell">
                                    <button
                                        class="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                                        type="submit"
                                        name=REMOVE_WORKFLOW
                                        value=id.clone()
                                    >
                                        "Remove" <span class="nhsuk-u-visually-hidden">{format!(" {id}")}</span>
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/apply/mailbox/file-size`.
#[component]
pub fn MailboxFileSizePage() -> impl IntoView {
    view! {
        <QuestionPage
            title="What is the largest file the mailbox will handle?"
            caption=CAPTION
            back=paths::WORKFLOWS
            body=|drafts| {
                let stored = drafts.mailbox.file_size.map(|s| vec![s.as_str().to_owned()]).unwrap_or_default();
                let choices = FileSize::ALL
                    .iter()
                    .map(|s| Choice { value: s.as_str(), label: s.label(), hint: s.hint() })
                    .collect();
                view! {
                    <PostForm path=paths::FILE_SIZE button="Continue">
                        <Choices
                            name="file_size"
                            legend="Approximate size of the largest file"
                            hint="Over HSCN the MESH website takes files up to 100 MB; over the internet, up to 50 MB."
                            choices
                            stored
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/mailbox/contact`: the mailbox manager.
#[component]
pub fn MailboxContactPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Who will manage the mailbox?"
            caption=CAPTION
            back=paths::FILE_SIZE
            body=|drafts| {
                let contact = drafts.mailbox.contact.unwrap_or(crate::model::applications::mailbox::Contact {
                    name: String::new(),
                    email: String::new(),
                    phone: String::new(),
                });
                view! {
                    <p>"The Mailbox ID and password are sent to this person. They also add users to the mailbox."</p>
                    <PostForm path=paths::CONTACT button="Continue">
                        <TextInput name="contact_name" label="Full name" stored=contact.name autocomplete="name" />
                        <TextInput
                            name="contact_email"
                            label="Work email address"
                            hint="Must end in @nhs.net, @nhs.uk or @gov.uk"
                            stored=contact.email
                            input_type="email"
                            autocomplete="email"
                            code=true
                        />
                        <TextInput
                            name="contact_phone"
                            label="Telephone number"
                            hint="For example 0113 496 0000 or 07700 900 982"
                            stored=contact.phone
                            input_type="tel"
                            autocomplete="tel"
                            width="nhsuk-input--width-20"
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/mailbox/check-answers`: every answer with a Change link, then the declaration.
#[component]
pub fn MailboxCheckPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Check your answers before sending your application"
            caption=CAPTION
            back=paths::CONTACT
            body=|drafts| {
                let d = drafts.mailbox;
                let organisation = d.organisation.as_ref().map(|o| format!("{}\n{}", o.name, o.ods_code)).unwrap_or_default();
                let third = d.third_party.as_ref().map(|o| format!("{}\n{}", o.name, o.ods_code)).unwrap_or_else(|| {
                    if d.organisation_answered { "None".to_owned() } else { String::new() }
                });
                let environments = d.environments.iter().map(|e| e.label()).collect::<Vec<_>>().join("\n");
                let workflows = d
                    .workflows
                    .iter()
                    .map(|w| format!("{} ({})", w.workflow_id, w.direction.label().to_lowercase()))
                    .collect::<Vec<_>>()
                    .join("\n");
                let size = d.file_size.map(|s| s.label().to_owned()).unwrap_or_default();
                let contact = d.contact.as_ref().map(|c| format!("{}\n{}\n{}", c.name, c.email, c.phone)).unwrap_or_default();
                view! {
                    <dl class="nhsuk-summary-list">
                        <SummaryRow key="Organisation" value=organisation change=paths::ORGANISATION what="organisation" />
                        <SummaryRow key="Managed by" value=third change=paths::ORGANISATION what="managing organisation" />
                        <SummaryRow key="Environments" value=environments change=paths::ENVIRONMENT what="environments" />
                        <SummaryRow key="Workflows" value=workflows change=paths::WORKFLOWS what="workflows" />
                        <SummaryRow key="Largest file" value=size change=paths::FILE_SIZE what="largest file size" />
                        <SummaryRow key="Mailbox manager" value=contact change=paths::CONTACT what="mailbox manager" />
                    </dl>
                    <h2 class="nhsuk-heading-m">"Now send your application"</h2>
                    <PostForm path=paths::CHECK button="Accept and send">
                        <Choices
                            name="declaration"
                            legend="Declaration"
                            hint="This form is for setting up a mailbox. Patient data must never be entered in it."
                            choices=vec![Choice {
                                value: "confirmed",
                                label: "I confirm this application contains no patient data",
                                hint: "",
                            }]
                            stored=Vec::new()
                            multiple=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/mailbox/confirmation`.
#[component]
pub fn MailboxConfirmationPage() -> impl IntoView {
    view! {
        <Confirmation
            title="Application sent"
            pick=|d| d.sent_mailbox.clone()
            start=paths::START
            next="The service desk checks your application, usually within 5 working days. When it \
                  is approved, the Mailbox ID and password for each environment are emailed to \
                  the mailbox manager. If something needs clarifying, the service desk emails \
                  them first."
        />
    }
}
