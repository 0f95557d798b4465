//! `/mailboxes` and `/mailboxes/{mailbox_id}`: a mailbox user's mailboxes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::messaging::{get_mailbox, get_my_mailboxes};
use crate::components::Tag;
use crate::components::form::when_loaded;
use crate::model::accounts::sign_in::paths;
use crate::model::messaging::MailboxSummary;

/// `/mailboxes`: the mailboxes linked to the signed-in person.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_my_mailboxes());
    when_loaded(data, move |loaded| {
        match loaded {
                    mailboxes if mailboxes.is_empty() => view! {
                        <Title text="Your mailboxes" />
                        <h1 class="nhsuk-heading-l">"Your mailboxes"</h1>
                        <p>"No mailboxes are linked to your account yet. Ask the service desk to link the mailboxes you use."</p>
                    }
                    .into_any(),
                    mailboxes => view! {
                        <Title text="Your mailboxes" />
                        <h1 class="nhsuk-heading-l">"Your mailboxes"</h1>
                        <table class="nhsuk-table">
                            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Mailboxes linked to your account"</caption>
                            <thead class="nhsuk-table__head">
                                <tr class="nhsuk-table__row">
                                    <th class="nhsuk-table__header" scope="col">"Mailbox ID"</th>
                                    <th class="nhsuk-table__header" scope="col">"Organisation"</th>
                                    <th class="nhsuk-table__header" scope="col">"Environment"</th>
                                    <th class="nhsuk-table__header" scope="col">"Status"</th>
                                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"New files"</th>
                                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Removed within a day"</th>
                                </tr>
                            </thead>
                            <tbody class="nhsuk-table__body">
                                {mailboxes.into_iter().map(|m| view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell">
                                            <a href=paths::mailbox(&m.mailbox_id)>{m.mailbox_id.clone()}</a>
                                        </td>
                                        <td class="nhsuk-table__cell">{format!("{} ({})", m.organisation_name, m.ods_code)}</td>
                                        <td class="nhsuk-table__cell">{m.environment.clone()}</td>
                                        <td class="nhsuk-table__cell"><StatusTag mailbox=m.clone() /></td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">
                                            <a href=crate::model::messaging::paths::inbox(&m.mailbox_id)>
                                                {m.new_files}
                                                <span class="nhsuk-u-visually-hidden">{format!(" new files in {}", m.mailbox_id)}</span>
                                            </a>
                                        </td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">
                                            {if m.due_within_a_day > 0 {
                                                view! { <strong class="nhsuk-tag nhsuk-tag--red">{m.due_within_a_day}</strong> }.into_any()
                                            } else {
                                                view! { <span>"0"</span> }.into_any()
                                            }}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
    }
    })
}

/// `/mailboxes/{mailbox_id}`: one mailbox, for the people linked to it.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let mailbox_id = use_params_map().with_untracked(|p| p.get("mailbox_id").unwrap_or_default());
    let data = Resource::new(move || mailbox_id.clone(), get_mailbox);
    when_loaded(data, move |m| {
        view! {
                        <Title text=format!("Mailbox {}", m.mailbox_id) />
                        <span class="nhsuk-caption-l">{format!("{} ({})", m.organisation_name, m.ods_code)}</span>
                        <h1 class="nhsuk-heading-l">{format!("Mailbox {}", m.mailbox_id)}</h1>
                        <dl class="nhsuk-summary-list">
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Mailbox ID"</dt>
                                <dd class="nhsuk-summary-list__value">{m.mailbox_id.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Organisation"</dt>
                                <dd class="nhsuk-summary-list__value">{format!("{} ({})", m.organisation_name, m.ods_code)}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Environment"</dt>
                                <dd class="nhsuk-summary-list__value">{m.environment.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Status"</dt>
                                <dd class="nhsuk-summary-list__value"><StatusTag mailbox=m.clone() /></dd>
                            </div>
                        </dl>
                        <ul class="nhsuk-list">
                            <li><a href=crate::model::messaging::paths::inbox(&m.mailbox_id)>"Inbox"</a></li>
                            <li><a href=crate::model::messaging::paths::sent(&m.mailbox_id)>"Sent"</a></li>
                        </ul>
                        {m.active.then(|| view! {
                            <p><a class="nhsuk-button" href=crate::model::messaging::paths::new_message(&m.mailbox_id) role="button" draggable="false">"Send a file"</a></p>
                        })}
                        <p><a href=paths::MAILBOXES>"All your mailboxes"</a></p>
                    }
                    .into_any()
    })
}

#[component]
fn StatusTag(mailbox: MailboxSummary) -> impl IntoView {
    if mailbox.active {
        view! { <Tag text="Active" colour="green" /> }
    } else {
        view! { <Tag text="Not active" colour="grey" /> }
    }
}

/// `/mailboxes/{mailbox_id}/new`: send one file to one recipient. The form posts the file as
/// multipart form data, with or without JavaScript: the server streams it to the content store.
/// With JavaScript the page checks the file's size first and shows a progress bar.
#[component]
pub fn NewMessagePage() -> impl IntoView {
    use crate::api::messaging::get_new_message;
    use crate::components::ErrorMessage;
    use crate::components::form::{Choice, Choices, FormContext, FormErrors, TextInput};
    use crate::components::upload::{Upload, UploadProgress, upload_handler};
    use crate::model::messaging::{max_bytes, paths as message_paths, too_large_message};
    use leptos_router::hooks::use_query_map;

    let mailbox_id = use_params_map().with_untracked(|p| p.get("mailbox_id").unwrap_or_default());
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| {
                (
                    mailbox_id.clone(),
                    q.get("ods_code").unwrap_or_default(),
                    q.get("workflow_id").unwrap_or_default(),
                )
            })
        },
        |(mailbox_id, ods_code, workflow_id)| get_new_message(mailbox_id, ods_code, workflow_id),
    );
    when_loaded(data, |(view, posted)| {
        let form = FormContext::new(posted);
        provide_context(form);
        let id = view.mailbox.mailbox_id.clone();
        let action = message_paths::new_message(&id);
        let mut types = vec![Choice {
            value: "data",
            label: "Data",
            hint: "",
        }];
        if view.can_send_test {
            types.push(Choice {
                value: "test",
                label: "Test",
                hint: "Only in Path to Live, over HSCN",
            });
        }
        let workflow_error = move || form.error("workflow_id");
        let file_error = move || form.error("file");
        let upload = Upload::new();
        let on_submit = upload_handler(
            action.clone(),
            form,
            upload,
            max_bytes(view.route),
            too_large_message(view.route),
        );
        // As the page came from the server; the script's refusals change only the errors (the
        // fields keep what was typed, the file included), so nothing here follows them.
        let chosen_workflow = untrack(|| form.value("workflow_id", ""));
        let posted_refused = untrack(|| form.has_errors());
        let crate::model::messaging::RecipientLookup {
            ods_code: lookup_ods,
            workflow_id: lookup_workflow,
            found,
        } = view.lookup.clone().unwrap_or_default();
        let looked_up = view.lookup.is_some();
        view! {
            <Title text=format!("New message – {id}") />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::mailbox(&id)>{format!("Back to mailbox {id}")}</a>
            </div>
            <FormErrors />
            <span class="nhsuk-caption-l">{format!("Mailbox {id} · {}", view.mailbox.environment)}</span>
            <h1 class="nhsuk-heading-l">"New message"</h1>
            <p>"You can only send files to 1 recipient at a time. The only supporting text you can add is a message subject and reference."</p>
            {if view.workflows.is_empty() {
                view! { <p>"This mailbox is not registered to send any workflow. Ask the service desk to add the workflows it sends."</p> }.into_any()
            } else {
                view! {
                    <form method="post" enctype="multipart/form-data" action=action.clone() novalidate on:submit=on_submit>
                        <Choices name="message_type" legend="Message type" choices=types stored=vec!["data".to_owned()] />
                        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || workflow_error().is_some()>
                            <label class="nhsuk-label" for="workflow_id">"Workflow ID"</label>
                            {move || workflow_error().map(|message| view! { <ErrorMessage id="workflow_id-error" message /> })}
                            <select class="nhsuk-select" id="workflow_id" name="workflow_id"
                                aria-describedby=move || workflow_error().map(|_| "workflow_id-error")>
                                <option value="">"Select the workflow"</option>
                                {view.workflows.iter().map(|(workflow, description)| {
                                    let selected = chosen_workflow == *workflow;
                                    view! { <option value=workflow.clone() selected=selected>{format!("{description} – ({workflow})")}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <TextInput
                            name="recipient"
                            label="Recipient's Mailbox ID"
                            hint="One mailbox, in the same environment, that receives this workflow. Find it below by ODS code if you do not know it"
                            stored=""
                            width="nhsuk-input--width-20"
                            code=true
                        />
                        <details class="nhsuk-details" open=move || form.has_errors()>
                            <summary class="nhsuk-details__summary">
                                <span class="nhsuk-details__summary-text">"+ Additional information"</span>
                            </summary>
                            <div class="nhsuk-details__text">
                                <TextInput name="subject" label="Message subject (optional)" stored="" />
                                <TextInput name="reference" label="Reference (optional)" stored="" width="nhsuk-input--width-20" />
                            </div>
                        </details>
                        // The file comes last: the server reads the other fields before it.
                        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || file_error().is_some()>
                            <label class="nhsuk-label" for="file">"File"</label>
                            <div class="nhsuk-hint" id="file-hint">
                                {format!("Up to {}MB on this connection", max_bytes(view.route) / 1_000_000)}
                                {posted_refused.then_some(". Select the file again: it is not kept when there is a problem")}
                            </div>
                            {move || file_error().map(|message| view! { <ErrorMessage id="file-error" message /> })}
                            <input class="nhsuk-file-upload" id="file" name="file" type="file"
                                aria-describedby=move || if file_error().is_some() { "file-hint file-error" } else { "file-hint" } />
                        </div>
                        <button class="nhsuk-button" type="submit" data-prevent-double-click="true"
                            disabled=move || upload.progress.get().busy()>"Send"</button>
                        <UploadProgress upload />
                    </form>
                    <h2 class="nhsuk-heading-m" id="find-recipient">"Find the recipient's Mailbox ID"</h2>
                    <form method="get" action=action role="search" aria-label="Find the recipient's mailbox">
                        <div class="nhsuk-form-group">
                            <label class="nhsuk-label" for="ods_code">"Recipient organisation's ODS code"</label>
                            <input class="nhsuk-input nhsuk-input--width-10" id="ods_code" name="ods_code" type="text" value=lookup_ods.clone() spellcheck="false" autocapitalize="characters" />
                        </div>
                        <div class="nhsuk-form-group">
                            <label class="nhsuk-label" for="lookup_workflow">"Workflow they receive"</label>
                            <select class="nhsuk-select" id="lookup_workflow" name="workflow_id">
                                {view.workflows.iter().map(|(workflow, description)| {
                                    let selected = lookup_workflow == *workflow;
                                    view! { <option value=workflow.clone() selected=selected>{format!("{description} – ({workflow})")}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Find mailboxes"</button>
                    </form>
                    {looked_up.then(|| if found.is_empty() {
                        view! { <p>{format!("No mailbox of {lookup_ods} in this environment receives {lookup_workflow}.")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="nhsuk-list nhsuk-list--bullet" aria-label="Mailboxes that receive this workflow">
                                {found.iter().map(|(mailbox, organisation)| view! {
                                    <li><code>{mailbox.clone()}</code>{format!(" – {organisation}")}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                }.into_any()
            }}
        }
    })
}

/// `/mailboxes/{mailbox_id}/sent/{message_id}`: one sent message and where it is; straight after
/// sending, the confirmation.
#[component]
pub fn SentMessagePage() -> impl IntoView {
    use crate::api::messaging::get_sent_message;

    let params = use_params_map().with_untracked(|p| {
        (
            p.get("mailbox_id").unwrap_or_default(),
            p.get("message_id").unwrap_or_default(),
        )
    });
    let data = Resource::new(
        move || params.clone(),
        |(mailbox_id, message_id)| get_sent_message(mailbox_id, message_id),
    );
    when_loaded(data, |m| {
        let row = |key: &'static str, value: String| {
            view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{key}</dt>
                    <dd class="nhsuk-summary-list__value">{value}</dd>
                </div>
            }
        };
        view! {
            <Title text=format!("Message {}", m.message_id) />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::mailbox(&m.sender)>{format!("Back to mailbox {}", m.sender)}</a>
            </div>
            <div class="nhsuk-panel">
                <h1 class="nhsuk-panel__title">"Message sent"</h1>
                <div class="nhsuk-panel__body">"Message ID" <br /><strong class="app-reference">{m.message_id.clone()}</strong></div>
            </div>
            <dl class="nhsuk-summary-list">
                {row("Status", m.status.clone())}
                {row("To", format!("{} – {}", m.recipient, m.recipient_organisation))}
                {row("Workflow ID", m.workflow_id.clone())}
                {row("Message type", m.message_type.clone())}
                {row("File", format!("{} ({})", m.file_name, m.size))}
                {row("Subject", m.subject.clone())}
                {row("Reference", m.reference.clone())}
                {row("Sent", m.sent.clone())}
            </dl>
            <p><a href=crate::model::messaging::paths::new_message(&m.sender)>"Send another file"</a></p>
        }
    })
}

/// `/mailboxes/{mailbox_id}/inbox`: files sent to this mailbox, newest first.
#[component]
pub fn InboxPage() -> impl IntoView {
    view! { <MessageListPage inbox=true /> }
}

/// `/mailboxes/{mailbox_id}/sent`: files this mailbox sent, with what became of each.
#[component]
pub fn SentPage() -> impl IntoView {
    view! { <MessageListPage inbox=false /> }
}

#[component]
fn MessageListPage(inbox: bool) -> impl IntoView {
    use crate::api::messaging::get_message_list;
    use crate::components::{Cell, Pagination, ResultsTable};
    use crate::model::messaging::paths as message_paths;
    use leptos_router::hooks::use_query_map;

    let mailbox_id = use_params_map().with_untracked(|p| p.get("mailbox_id").unwrap_or_default());
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| {
                (
                    mailbox_id.clone(),
                    q.get("workflow").unwrap_or_default(),
                    q.get("page")
                        .and_then(|p| p.parse::<usize>().ok())
                        .unwrap_or(1),
                )
            })
        },
        move |(mailbox_id, workflow, page)| get_message_list(mailbox_id, inbox, workflow, page),
    );
    when_loaded(data, move |list| {
        let id = list.mailbox.mailbox_id.clone();
        let here = if inbox {
            message_paths::inbox(&id)
        } else {
            message_paths::sent(&id)
        };
        let title = if inbox { "Inbox" } else { "Sent" };
        let workflow = list.workflow.clone();
        let page_link = {
            let here = here.clone();
            let workflow = workflow.clone();
            move |page: usize| {
                if workflow.is_empty() {
                    format!("{here}?page={page}")
                } else {
                    format!("{here}?workflow={workflow}&page={page}")
                }
            }
        };
        let headings: &'static [&'static str] = if inbox {
            &[
                "From",
                "Workflow ID",
                "Subject and reference",
                "File",
                "Received",
                "Status",
            ]
        } else {
            &[
                "To",
                "Workflow ID",
                "Subject and reference",
                "File",
                "Sent",
                "Status",
            ]
        };
        view! {
            <Title text=format!("{title} – {id}") />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::mailbox(&id)>{format!("Back to mailbox {id}")}</a>
            </div>
            <span class="nhsuk-caption-l">{format!("Mailbox {id} · {}", list.mailbox.environment)}</span>
            <h1 class="nhsuk-heading-l">{title}</h1>
            {inbox.then(|| view! { <p>"Files are kept in your inbox for 5 days. Downloading a file tells the sender you have collected it."</p> })}
            <form method="get" action=here.clone() role="search" aria-label="Filter by workflow">
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label" for="workflow">"Workflow ID"</label>
                    <select class="nhsuk-select" id="workflow" name="workflow">
                        <option value="">"All workflows"</option>
                        {list.workflows.iter().map(|w| {
                            let selected = *w == workflow;
                            view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Filter"</button>
            </form>
            {if list.items.is_empty() {
                view! { <p>{if inbox { "There are no files in this inbox." } else { "This mailbox has not sent any files that are listed here." }}</p> }.into_any()
            } else {
                let items = list.items.clone();
                view! {
                    <ResultsTable
                        caption=format!("{} message{}, newest first", list.total, if list.total == 1 { "" } else { "s" })
                        headings=headings
                    >
                        {items.into_iter().map(|m| {
                            let file = if inbox && m.available {
                                view! {
                                    <a href=message_paths::download(&id, &m.message_id) download="">
                                        {m.file_name.clone()}
                                        <span class="nhsuk-u-visually-hidden">{format!(", download, {}", m.size)}</span>
                                    </a>
                                    <br /><span class="nhsuk-u-secondary-text-colour" aria-hidden="true">{m.size.clone()}</span>
                                }.into_any()
                            } else if inbox {
                                view! { {m.file_name.clone()} <br /> {m.size.clone()} }.into_any()
                            } else {
                                view! {
                                    <a href=message_paths::sent_message(&id, &m.message_id)>{m.file_name.clone()}</a>
                                    <br /><span class="nhsuk-u-secondary-text-colour">{m.size.clone()}</span>
                                }.into_any()
                            };
                            view! {
                                <tr class="nhsuk-table__row">
                                    <Cell heading=headings[0]>{m.other.clone()} <br /> {m.other_organisation.clone()}</Cell>
                                    <Cell heading="Workflow ID">
                                        <code>{m.workflow_id.clone()}</code>
                                        {m.test.then(|| view! { " " <Tag colour="yellow" text="Test" /> })}
                                    </Cell>
                                    <Cell heading="Subject and reference">{m.subject.clone()} <br /> {m.reference.clone()}</Cell>
                                    <Cell heading="File">{file}</Cell>
                                    <Cell heading=headings[4]>{m.when.clone()}</Cell>
                                    <Cell heading="Status">{m.status.clone()} <br /> {m.removal.clone()}</Cell>
                                </tr>
                            }
                        }).collect_view()}
                    </ResultsTable>
                    <Pagination current=list.page count=list.pages href=page_link />
                }.into_any()
            }}
        }
    })
}
