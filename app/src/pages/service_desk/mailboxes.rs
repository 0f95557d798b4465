//! `/service-desk/mailboxes` and `/service-desk/mailboxes/{mailbox_id}`: the register of issued
//! mailboxes, and one mailbox with what can be done to it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{DeskNav, Row, Select};
use crate::api::service_desk::{get_desk_mailbox, get_desk_mailboxes};
use crate::components::form::{
    Choice, Choices, FormContext, FormErrors, PostForm, TextArea, TextInput, when_loaded,
};
use crate::components::{Cell, ResultsTable, Tag};
use crate::model::common::Direction;
use crate::model::service_desk::mailboxes::{MailboxAction, MailboxFilter, status_label};
use crate::model::service_desk::paths;

fn status_tag(status: &str) -> impl IntoView + use<> {
    let colour = match status {
        "active" => "green",
        "suspended" => "red",
        _ => "grey",
    };
    view! { <Tag colour text=status_label(status).to_owned() /> }
}

/// `/service-desk/mailboxes`: find a mailbox by its ID, ODS code or organisation.
#[component]
pub fn DeskMailboxesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| MailboxFilter {
            q: q.get("q").unwrap_or_default(),
            environment: q.get("environment").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        })
    };
    let data = Resource::new(filter, get_desk_mailboxes);
    when_loaded(data, |list| {
        let f = list.filter.clone();
        view! {
            <Title text="Mailboxes" />
            <DeskNav current=paths::MAILBOXES />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">"Mailboxes"</h1>
            <form method="get" action=paths::MAILBOXES class="app-filters" role="search" aria-label="Find a mailbox">
                <div class="nhsuk-form-group app-filter">
                    <label class="nhsuk-label" for="q">"Mailbox ID, ODS code or organisation"</label>
                    <input class="nhsuk-input" id="q" name="q" type="search" value=f.q.clone() spellcheck="false" />
                </div>
                <Select
                    name="environment"
                    label="Environment"
                    options=vec![("", "Every environment"), ("live", "Live"), ("integration", "Integration"), ("deployment", "Deployment")]
                    chosen=f.environment.clone()
                />
                <Select
                    name="status"
                    label="Status"
                    options=vec![("", "Any status"), ("active", "Active"), ("suspended", "Suspended")]
                    chosen=f.status.clone()
                />
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Find"</button>
            </form>
            {if list.items.is_empty() {
                view! { <p>"No mailboxes match."</p> }.into_any()
            } else {
                view! {
                    <ResultsTable
                        caption=if list.more { "The first 200 mailboxes that match" } else { "Mailboxes that match" }
                        headings=&["Mailbox ID", "Organisation", "Environment", "Status", "Workflows", "Accounts"]
                    >
                        {list.items.clone().into_iter().map(|m| view! {
                            <tr class="nhsuk-table__row">
                                <Cell heading="Mailbox ID"><a href=paths::mailbox(&m.mailbox_id)>{m.mailbox_id.clone()}</a></Cell>
                                <Cell heading="Organisation">{format!("{} ({})", m.organisation, m.ods_code)}</Cell>
                                <Cell heading="Environment">{m.environment.clone()}</Cell>
                                <Cell heading="Status">{status_tag(&m.status)}</Cell>
                                <Cell heading="Workflows">{m.workflows}</Cell>
                                <Cell heading="Accounts">{m.users}</Cell>
                            </tr>
                        }).collect_view()}
                    </ResultsTable>
                }.into_any()
            }}
        }
    })
}

/// `/service-desk/mailboxes/{mailbox_id}`: one mailbox, its registrations and accounts, and what
/// can be done to it.
#[component]
pub fn DeskMailboxPage() -> impl IntoView {
    let mailbox_id = use_params_map().with_untracked(|p| p.get("mailbox_id").unwrap_or_default());
    let data = Resource::new(move || mailbox_id.clone(), get_desk_mailbox);
    when_loaded(data, |(detail, posted)| {
        provide_context(FormContext::new(posted));
        let page = paths::mailbox(&detail.item.mailbox_id);
        let status = detail.item.status.clone();
        let directions: Vec<Choice> = Direction::ALL
            .into_iter()
            .map(|d| Choice {
                value: d.as_str(),
                label: d.label(),
                hint: "",
            })
            .collect();
        view! {
            <Title text=format!("{} – mailboxes", detail.item.mailbox_id) />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::MAILBOXES>"Back to mailboxes"</a>
            </div>
            <FormErrors />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">{format!("Mailbox {}", detail.item.mailbox_id)} " " {status_tag(&status)}</h1>
            {(!detail.issued.is_empty()).then(|| view! {
                <div class="nhsuk-warning-callout">
                    <h2 class="nhsuk-warning-callout__label">
                        <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"New MESH API password"</span>
                    </h2>
                    <p>{if detail.manager_email.is_some() {
                        "This password is shown once, here, and was emailed to the mailbox manager. The old one no longer works."
                    } else {
                        "This password is shown once, here. No mailbox manager is on record, so nobody was emailed: pass it on safely. The old one no longer works."
                    }}</p>
                    <dl class="nhsuk-summary-list">
                        {detail.issued.iter().map(|m| view! {
                            <Row key=m.mailbox_id.clone() value=m.api_password.clone() />
                        }).collect_view()}
                    </dl>
                </div>
            })}
            <dl class="nhsuk-summary-list">
                <Row key="Organisation" value=format!("{} ({})", detail.item.organisation, detail.item.ods_code) />
                <Row key="Environment" value=detail.item.environment.clone() />
                <Row key="Issued" value=detail.created.clone() />
                <Row key="Application" value=detail.application.clone().unwrap_or_else(|| "None (added from the command line)".to_owned()) />
                <Row key="Mailbox manager" value=detail.manager_email.clone().unwrap_or_else(|| "None on record".to_owned()) />
            </dl>

            <h2 class="nhsuk-heading-m">"Status"</h2>
            {if status == "active" {
                view! {
                    <PostForm path=page.clone()>
                        <TextArea
                            name="reason"
                            label="Reason for suspending it"
                            hint="Kept in the audit log. A suspended mailbox cannot send or receive until it is reactivated."
                            stored=""
                            rows=2
                        />
                        <button class="nhsuk-button nhsuk-button--warning" type="submit" name="action" value=MailboxAction::Suspend.as_str()>
                            {MailboxAction::Suspend.label()}
                        </button>
                    </PostForm>
                }.into_any()
            } else if status == "suspended" {
                view! {
                    <PostForm path=page.clone()>
                        <p>"This mailbox is suspended: it cannot send or receive files."</p>
                        <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=MailboxAction::Reactivate.as_str()>
                            {MailboxAction::Reactivate.label()}
                        </button>
                    </PostForm>
                }.into_any()
            } else {
                view! { <p>"This mailbox is closed."</p> }.into_any()
            }}

            <h2 class="nhsuk-heading-m">"MESH API password"</h2>
            <PostForm path=page.clone()>
                <p>{match &detail.manager_email {
                    Some(to) => format!("A new password replaces the old one at once. It is shown here once and emailed to the mailbox manager, {to}."),
                    None => "A new password replaces the old one at once. It is shown here once; no mailbox manager is on record to email it to.".to_owned(),
                }}</p>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=MailboxAction::ResetApiPassword.as_str()>
                    {MailboxAction::ResetApiPassword.label()}
                </button>
            </PostForm>

            <h2 class="nhsuk-heading-m" id="workflows">"Workflows"</h2>
            {if detail.registrations.is_empty() {
                view! { <p>"This mailbox is not registered for any workflow."</p> }.into_any()
            } else {
                view! {
                    <table class="nhsuk-table">
                        <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Workflows this mailbox may send or receive"</caption>
                        <thead class="nhsuk-table__head">
                            <tr class="nhsuk-table__row">
                                <th class="nhsuk-table__header" scope="col">"Workflow ID"</th>
                                <th class="nhsuk-table__header" scope="col">"Description"</th>
                                <th class="nhsuk-table__header" scope="col">"Direction"</th>
                                <th class="nhsuk-table__header" scope="col"><span class="nhsuk-u-visually-hidden">"Action"</span></th>
                            </tr>
                        </thead>
                        <tbody class="nhsuk-table__body">
                            {detail.registrations.clone().into_iter().map(|r| {
                                let page = page.clone();
                                let direction = Direction::parse(&r.direction).map_or(r.direction.clone(), |d| d.label().to_owned());
                                view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell">
                                            <code>{r.workflow_id.clone()}</code>
                                            {r.retired.then(|| view! { " " <Tag colour="grey" text="Retired" /> })}
                                        </td>
                                        <td class="nhsuk-table__cell">{r.description.clone()}</td>
                                        <td class="nhsuk-table__cell">{direction}</td>
                                        <td class="nhsuk-table__cell">
                                            <PostForm path=page.clone()>
                                                <input type="hidden" name="workflow_id" value=r.workflow_id.clone() />
                                                <button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="submit" name="action" value=MailboxAction::RemoveWorkflow.as_str()>
                                                    {MailboxAction::RemoveWorkflow.label()}
                                                    <span class="nhsuk-u-visually-hidden">{format!(" {}", r.workflow_id)}</span>
                                                </button>
                                            </PostForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <PostForm path=page.clone()>
                <h3 class="nhsuk-heading-s">"Add a workflow, or change its direction"</h3>
                <TextInput name="workflow_id" label="Workflow ID" hint="From the catalogue, like PATH_TEST_RESULTS" stored="" code=true />
                <Choices name="direction" legend="What this mailbox does with it" choices=directions stored=vec![] />
                <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=MailboxAction::SetWorkflow.as_str()>
                    {MailboxAction::SetWorkflow.label()}
                </button>
            </PostForm>

            <h2 class="nhsuk-heading-m">"Accounts that use it"</h2>
            {if detail.users.is_empty() {
                view! { <p>"No accounts use this mailbox yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="nhsuk-list">
                        {detail.users.iter().map(|(id, name, email)| view! {
                            <li><a href=paths::user(id)>{name.clone()}</a> {format!(" ({email})")}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p><a href=format!("{}?subject=mailbox:{}", paths::AUDIT, detail.item.mailbox_id)>"What has been done to this mailbox (audit log)"</a></p>
        }
    })
}
