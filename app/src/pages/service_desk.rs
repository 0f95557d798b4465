//! `/service-desk` and `/service-desk/applications/{reference}`: the queue with its filters, and
//! one application with everything needed to decide it. For `service_desk` and `admin` accounts.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::service_desk::{get_application, get_queue};
use crate::components::form::{
    Choice, Choices, FormContext, FormErrors, PostForm, TextArea, TextInput, when_loaded,
};
use crate::components::{Cell, ResultsTable, Tag};
use crate::model::applications::ApplicationStatus;
use crate::model::service_desk::{
    ASSIGN_TO_ME, ApplicationDetail, Decision, QueueAge, QueueFilter, QueueSort, QueueView,
    RESEND_EMAIL, paths,
};
use crate::pages::applications::status_colour;

mod mailboxes;
mod workflows;

pub use mailboxes::{DeskMailboxPage, DeskMailboxesPage};
pub use workflows::{CatalogueAdminPage, WorkflowEditPage};

/// The service desk's own menu, at the top of each of its lists.
#[component]
fn DeskNav(current: &'static str) -> impl IntoView {
    let sections = [
        (paths::QUEUE, "Applications"),
        (paths::MAILBOXES, "Mailboxes"),
        (paths::USERS, "Accounts"),
        (paths::WORKFLOWS, "Workflow ID catalogue"),
        (paths::AUDIT, "Audit log"),
    ];
    view! {
        <nav class="app-desk-nav" aria-label="Service desk">
            <ul class="app-desk-nav__list">
                {sections.into_iter().map(|(href, text)| view! {
                    <li class="app-desk-nav__item">
                        <a href=href aria-current=(href == current).then_some("page")>{text}</a>
                    </li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

fn status_tag(status: &str, label: &str) -> impl IntoView + use<> {
    let colour = ApplicationStatus::parse(status).map_or("grey", status_colour);
    view! { <Tag colour text=label.to_owned() /> }
}

/// `/service-desk`: the queue.
#[component]
pub fn ServiceDeskPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| QueueFilter {
            q: q.get("q").unwrap_or_default(),
            kind: q.get("kind").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            assigned: q.get("assigned").unwrap_or_default(),
            environment: q.get("environment").unwrap_or_default(),
            age: q.get("age").unwrap_or_default(),
            sort: q.get("sort").unwrap_or_default(),
        })
    };
    let data = Resource::new(filter, get_queue);
    when_loaded(data, |view| {
        view! {
            <Title text="Service desk" />
            <DeskNav current=paths::QUEUE />
            <h1 class="nhsuk-heading-l">"Service desk"</h1>
            <Counts view=view.clone() />
            <FilterForm filter=view.filter.clone() />
            <QueueTable view />
        }
    })
}

#[component]
fn Counts(view: QueueView) -> impl IntoView {
    view! {
        <ul class="nhsuk-list app-queue-counts" aria-label="Applications by status">
            {view.counts.into_iter().map(|(status, label, n)| view! {
                <li>
                    <a href=format!("{}?status={status}", paths::QUEUE)>{label}</a>
                    ": " <strong>{n}</strong>
                </li>
            }).collect_view()}
            <li><a href=format!("{}?age=overdue&sort=due", paths::QUEUE)>"Overdue"</a> ": " <strong>{view.overdue}</strong></li>
        </ul>
    }
}

/// A labelled select of the filter form.
#[component]
fn Select(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    chosen: String,
) -> impl IntoView {
    view! {
        <div class="nhsuk-form-group app-filter">
            <label class="nhsuk-label" for=name>{label}</label>
            <select class="nhsuk-select" id=name name=name>
                {options.into_iter().map(|(value, text)| {
                    let selected = chosen == value;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn FilterForm(filter: QueueFilter) -> impl IntoView {
    view! {
        <form method="get" action=paths::QUEUE class="app-filters" role="search" aria-label="Filter applications">
            <div class="nhsuk-form-group app-filter">
                <label class="nhsuk-label" for="q">"Reference, ODS code, organisation or email"</label>
                <input class="nhsuk-input" id="q" name="q" type="search" value=filter.q.clone() spellcheck="false" />
            </div>
            <Select
                name="kind"
                label="Kind"
                options=vec![("", "Every kind"), ("mailbox", "Mailbox"), ("account", "MESH UI account"), ("workflow_request", "Workflow ID request")]
                chosen=filter.kind.clone()
            />
            <Select
                name="status"
                label="Status"
                options=vec![
                    ("", "Waiting for a decision"),
                    ("submitted", "Submitted"),
                    ("in_review", "In review"),
                    ("more_information_needed", "More information needed"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("all", "Every status"),
                ]
                chosen=filter.status.clone()
            />
            <Select
                name="assigned"
                label="Assigned to"
                options=vec![("", "Anyone"), ("me", "Me"), ("nobody", "Nobody")]
                chosen=filter.assigned.clone()
            />
            <Select
                name="environment"
                label="Environment"
                options=vec![("", "Every environment"), ("live", "Live"), ("integration", "Integration"), ("deployment", "Deployment")]
                chosen=filter.environment.clone()
            />
            <Select
                name="age"
                label="Age"
                options=QueueAge::CHOICES.to_vec()
                chosen=filter.age.clone()
            />
            <Select
                name="sort"
                label="Sort by"
                options=QueueSort::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
                chosen=filter.sort.clone()
            />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn QueueTable(view: QueueView) -> impl IntoView {
    if view.items.is_empty() {
        return view! { <p>"No applications match."</p> }.into_any();
    }
    let count = view.items.len();
    view! {
        <ResultsTable
            caption=format!(
                "{count} application{}, {}",
                if count == 1 { "" } else { "s" },
                QueueSort::parse(&view.filter.sort).label().to_lowercase(),
            )
            headings=&["Reference", "Kind", "Organisation", "Submitted", "Due", "Status", "Assigned to"]
        >
            {view.items.into_iter().map(|item| view! {
                <tr class="nhsuk-table__row">
                    <Cell heading="Reference">
                        <a href=paths::application(&item.reference)>{item.reference.clone()}</a>
                    </Cell>
                    <Cell heading="Kind">{item.kind.clone()}</Cell>
                    <Cell heading="Organisation">{item.organisation.clone()}</Cell>
                    <Cell heading="Submitted">{item.submitted.clone()}</Cell>
                    <Cell heading="Due">
                        {item.due.clone()}
                        {item.overdue.then(|| view! { " " <Tag colour="red" text="Overdue" /> })}
                    </Cell>
                    <Cell heading="Status">{status_tag(&item.status, &item.status_label)}</Cell>
                    <Cell heading="Assigned to">{item.assignee.clone().unwrap_or_else(|| "Nobody".to_owned())}</Cell>
                </tr>
            }).collect_view()}
        </ResultsTable>
    }
    .into_any()
}

/// `/service-desk/applications/{reference}`: one application and its decision.
#[component]
pub fn ServiceDeskApplicationPage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    let data = Resource::new(move || reference.clone(), get_application);
    when_loaded(data, |(detail, posted)| {
        let form = FormContext::new(posted);
        provide_context(form);
        let heading = format!("Application {}", detail.reference);
        view! {
            <Title text=move || {
                if form.has_errors() { format!("Error: {heading}") } else { heading.clone() }
            } />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::QUEUE>"Back to the queue"</a>
            </div>
            <FormErrors />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">{format!("Application {}", detail.reference)}</h1>
            <ApplicationBody detail />
        }
    })
}

#[component]
fn ApplicationBody(detail: ApplicationDetail) -> impl IntoView {
    let page = paths::application(&detail.reference);
    let may_decide = detail.can_approve || detail.can_reject || detail.can_ask;
    let mut choices = Vec::new();
    if detail.can_approve {
        choices.push(Choice {
            value: Decision::Approve.as_str(),
            label: "Approve",
            hint: approve_hint(&detail.kind),
        });
    }
    if detail.can_reject {
        choices.push(Choice {
            value: Decision::Reject.as_str(),
            label: "Reject",
            hint: "Give the reason below. The applicant will see it",
        });
    }
    if detail.can_ask {
        choices.push(Choice {
            value: Decision::AskForInformation.as_str(),
            label: Decision::AskForInformation.label(),
            hint: "Write the question below. The due date waits until they answer",
        });
    }
    view! {
        <p class="nhsuk-body-l">
            {detail.kind.clone()} " "
            {status_tag(&detail.status, &detail.status_label)}
            {detail.overdue.then(|| view! { " " <Tag colour="red" text="Overdue" /> })}
        </p>
        <IssuedPasswords detail=detail.clone() />
        <dl class="nhsuk-summary-list">
            <Row key="Applicant" value=detail.applicant.clone() />
            <Row key="Submitted" value=detail.submitted.clone() />
            {(!detail.due.is_empty()).then(|| view! { <Row key="Due" value=detail.due.clone() /> })}
            <Row key="Assigned to" value=detail.assignee.clone().unwrap_or_else(|| "Nobody".to_owned()) />
        </dl>
        {(!detail.assigned_to_me && may_decide).then(|| view! {
            <PostForm path=page.clone()>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit" name=ASSIGN_TO_ME value="1">
                    "Assign to me"
                </button>
            </PostForm>
        })}
        <h2 class="nhsuk-heading-m">"Answers"</h2>
        <dl class="nhsuk-summary-list">
            {detail.answers.iter().map(|(key, value)| view! { <Row key=key.clone() value=value.clone() /> }).collect_view()}
        </dl>
        {(!detail.mailboxes.is_empty()).then(|| view! {
            <h2 class="nhsuk-heading-m">"Mailboxes issued"</h2>
            <dl class="nhsuk-summary-list">
                {detail.mailboxes.iter().map(|(id, environment)| view! { <Row key=id.clone() value=environment.clone() /> }).collect_view()}
            </dl>
        })}
        {may_decide.then(|| view! {
            <h2 class="nhsuk-heading-m">"Decision"</h2>
            <PostForm path=page.clone() button="Record decision">
                <Choices name="decision" legend="What is your decision?" choices stored=vec![] />
                <TextArea
                    name="note"
                    label="Reason or question"
                    hint="Needed to reject (the reason) or to ask for more information (the question). Sent to the applicant"
                    stored=""
                />
            </PostForm>
        })}
        <h2 class="nhsuk-heading-m">"History"</h2>
        <ul class="nhsuk-list">
            {detail.history.iter().map(|(status, note, at)| view! {
                <li><strong>{status.clone()}</strong> " " {at.clone()}
                    {(!note.is_empty()).then(|| view! { <br /> {note.clone()} })}
                </li>
            }).collect_view()}
        </ul>
        <h2 class="nhsuk-heading-m" id="emails">"Emails"</h2>
        {if detail.emails.is_empty() {
            view! { <p>"No emails."</p> }.into_any()
        } else {
            let page = page.clone();
            view! {
                <ul class="nhsuk-list">
                    {detail.emails.clone().into_iter().map(|email| {
                        let page = page.clone();
                        view! {
                            <li>
                                <strong>{email.subject.clone()}</strong> " to " {email.to.clone()} <br />
                                {email.state.clone()}
                                {email.can_resend.then(|| view! {
                                    <PostForm path=page>
                                        <button
                                            class="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                                            type="submit"
                                            name=RESEND_EMAIL
                                            value=email.id
                                            aria-label=format!("Send again: {}", email.subject)
                                        >
                                            "Send again"
                                        </button>
                                    </PostForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!detail.others.is_empty()).then(|| view! {
            <h2 class="nhsuk-heading-m">"Other applications from this organisation"</h2>
            <ul class="nhsuk-list">
                {detail.others.iter().map(|(reference, kind, status, at)| view! {
                    <li><a href=paths::application(reference)>{reference.clone()}</a>
                        {format!(" · {kind} · {status} · {at}")}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

fn approve_hint(kind: &str) -> &'static str {
    match kind {
        "Mailbox" => {
            "Issues a Mailbox ID and API password for each environment and emails the mailbox manager"
        }
        "MESH UI account" => {
            "Creates the account, linked to its mailboxes, and emails the set-up link"
        }
        _ => "Adds the workflow ID to the catalogue and tells the requester",
    }
}

/// The API passwords of the mailboxes just issued: shown on this page once.
#[component]
fn IssuedPasswords(detail: ApplicationDetail) -> impl IntoView {
    (!detail.issued.is_empty()).then(|| {
        view! {
            <div class="nhsuk-warning-callout">
                <h2 class="nhsuk-warning-callout__label">
                    <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Mailboxes issued"</span>
                </h2>
                <p>"These MESH API passwords are shown once, here, and were emailed to the mailbox manager. Copy them now if you need them."</p>
                <dl class="nhsuk-summary-list">
                    {detail.issued.iter().map(|m| view! {
                        <Row key=format!("{} ({})", m.mailbox_id, m.environment) value=m.api_password.clone() />
                    }).collect_view()}
                </dl>
            </div>
        }
    })
}

#[component]
fn Row(#[prop(into)] key: String, #[prop(into)] value: String) -> impl IntoView {
    let lines: Vec<String> = value.lines().map(str::to_owned).collect();
    view! {
        <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">{key}</dt>
            <dd class="nhsuk-summary-list__value">
                {lines.into_iter().map(|line| view! { {line} <br /> }).collect_view()}
            </dd>
        </div>
    }
}

/// `/service-desk/audit`: the audit log, newest first, with filters and a CSV export of what
/// they select.
#[component]
pub fn AuditPage() -> impl IntoView {
    use crate::api::service_desk::get_audit;
    use crate::model::service_desk::AuditFilter;

    let query = use_query_map();
    let filter = move || {
        query.with(|q| AuditFilter {
            actor: q.get("actor").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            subject: q.get("subject").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        })
    };
    let data = Resource::new(filter, get_audit);
    let location = leptos_router::hooks::use_location();
    let export = move || format!("{}{}", paths::AUDIT_CSV, location.search.get());
    when_loaded(data, move |view| {
        let f = view.filter.clone();
        let field = |name: &'static str, label: &'static str, hint: &'static str, value: String| {
            view! {
                <div class="nhsuk-form-group app-filter">
                    <label class="nhsuk-label" for=name>{label}</label>
                    <div class="nhsuk-hint" id=format!("{name}-hint")>{hint}</div>
                    <input class="nhsuk-input" id=name name=name type="text" value=value spellcheck="false"
                        aria-describedby=format!("{name}-hint") />
                </div>
            }
        };
        view! {
            <Title text="Audit log" />
            <DeskNav current=paths::AUDIT />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">"Audit log"</h1>
            <form method="get" action=paths::AUDIT class="app-filters" role="search" aria-label="Filter the audit log">
                {field("actor", "Who", "Email address, user ID, system or anonymous", f.actor.clone())}
                {field("action", "Action", "For example sign_in or application.approve", f.action.clone())}
                {field("subject", "About", "For example application:MBX-7Q4K-2XHD", f.subject.clone())}
                {field("from", "From", "Year-month-day", f.from.clone())}
                {field("to", "To", "Year-month-day", f.to.clone())}
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Filter"</button>
            </form>
            <p><a href=export>"Download these entries as CSV"</a></p>
            {if view.rows.is_empty() {
                view! { <p>"No entries match."</p> }.into_any()
            } else {
                view! {
                    <ResultsTable
                        caption=if view.more { "The newest 200 entries that match" } else { "Every entry that matches, newest first" }
                        headings=&["Time", "Who", "Action", "About", "Outcome", "From", "Detail"]
                    >
                        {view.rows.clone().into_iter().map(|r| view! {
                            <tr class="nhsuk-table__row">
                                <Cell heading="Time">{r.at.clone()}</Cell>
                                <Cell heading="Who">{r.actor.clone()}</Cell>
                                <Cell heading="Action">{r.action.clone()}</Cell>
                                <Cell heading="About">{r.subject.clone()}</Cell>
                                <Cell heading="Outcome">{r.outcome.clone()}</Cell>
                                <Cell heading="From">{format!("{} ({})", r.client_addr, r.route)}</Cell>
                                <Cell heading="Detail">{r.detail.clone()}</Cell>
                            </tr>
                        }).collect_view()}
                    </ResultsTable>
                }.into_any()
            }}
        }
    })
}

/// `/service-desk/users`: find an account by name or email.
#[component]
pub fn UsersPage() -> impl IntoView {
    use crate::api::service_desk::get_users;

    let query = use_query_map();
    let q = move || query.with(|q| q.get("q").unwrap_or_default());
    let data = Resource::new(q, get_users);
    let typed = q();
    when_loaded(data, move |users| {
        view! {
            <Title text="Accounts" />
            <DeskNav current=paths::USERS />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">"Accounts"</h1>
            <form method="get" action=paths::USERS role="search" aria-label="Find an account">
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label" for="q">"Name or email address"</label>
                    <input class="nhsuk-input nhsuk-u-width-two-thirds" id="q" name="q" type="search" value=typed.clone() spellcheck="false" />
                </div>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Find"</button>
            </form>
            {if users.is_empty() {
                view! { <p>"No accounts match."</p> }.into_any()
            } else {
                view! {
                    <ResultsTable caption="Accounts that match" headings=&["Name", "Email", "Role", "Status"]>
                        {users.into_iter().map(|u| view! {
                            <tr class="nhsuk-table__row">
                                <Cell heading="Name"><a href=paths::user(&u.user_id)>{u.name.clone()}</a></Cell>
                                <Cell heading="Email">{u.email.clone()}</Cell>
                                <Cell heading="Role">{u.role.clone()}</Cell>
                                <Cell heading="Status">
                                    {u.status.clone()}
                                    {u.locked.then(|| view! { " " <Tag colour="red" text="Locked" /> })}
                                </Cell>
                            </tr>
                        }).collect_view()}
                    </ResultsTable>
                }.into_any()
            }}
        }
    })
}

/// `/service-desk/users/{user_id}`: one account and what can be done to it.
#[component]
pub fn UserPage() -> impl IntoView {
    use crate::api::service_desk::get_user;
    use crate::model::service_desk::UserAction;

    let user_id = use_params_map().with_untracked(|p| p.get("user_id").unwrap_or_default());
    let data = Resource::new(move || user_id.clone(), get_user);
    when_loaded(data, |(detail, posted)| {
        let form = FormContext::new(posted);
        provide_context(form);
        let page = paths::user(&detail.item.user_id);
        let mut actions = Vec::new();
        if detail.can_manage {
            actions.push(if detail.item.locked {
                UserAction::Unlock
            } else {
                UserAction::Lock
            });
            actions.push(if detail.item.status == "Disabled" {
                UserAction::Enable
            } else {
                UserAction::Disable
            });
            actions.push(UserAction::ResetSetUp);
            if detail.care_identity.is_some() {
                actions.push(UserAction::RemoveCareIdentity);
            }
            actions.push(if detail.local_sign_in {
                UserAction::UseCareIdentity
            } else {
                UserAction::KeepLocal
            });
        }
        view! {
            <Title text=format!("{} – accounts", detail.item.name) />
            <div class="nhsuk-back-link">
                <a class="nhsuk-back-link__link" href=paths::USERS>"Back to accounts"</a>
            </div>
            <FormErrors />
            <span class="nhsuk-caption-l">"Service desk"</span>
            <h1 class="nhsuk-heading-l">{detail.item.name.clone()}</h1>
            <dl class="nhsuk-summary-list">
                <Row key="Email" value=detail.item.email.clone() />
                <Row key="Role" value=detail.item.role.clone() />
                <Row key="Status" value=detail.item.status.clone() />
                <Row key="Security codes" value=detail.second_factor.clone() />
                <Row key="Locked until" value=detail.locked_until.clone().unwrap_or_else(|| "Not locked".to_owned()) />
                <Row key="Mailboxes" value=if detail.mailboxes.is_empty() { "None".to_owned() } else { detail.mailboxes.join("\n") } />
                <Row key="Care Identity" value=detail.care_identity.clone().unwrap_or_else(|| "Not linked yet: the first login links it".to_owned()) />
                <Row key="Logs in with" value=if detail.local_sign_in { "PIN and security code, even where Care Identity is used".to_owned() } else { "Care Identity, where the service uses it; otherwise PIN and security code".to_owned() } />
            </dl>
            {if detail.is_self {
                view! { <p>"This is your own account: another member of the service desk can change it."</p> }.into_any()
            } else if !detail.can_manage {
                view! { <p>"Only an administrator can change a member of staff's account."</p> }.into_any()
            } else {
                view! {
                    <h2 class="nhsuk-heading-m" id="action">"Change this account"</h2>
                    {actions.into_iter().map(|action| view! {
                        <PostForm path=page.clone()>
                            <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=action.as_str()>
                                {action.label()}
                            </button>
                        </PostForm>
                    }).collect_view()}
                    {(detail.item.role == "Mailbox user").then(|| view! {
                        <PostForm path=page.clone()>
                            <TextInput
                                name="mailbox_ids"
                                label="Mailboxes this person uses"
                                hint="Mailbox IDs separated by commas or spaces, like X26HC005, X26HC006"
                                stored=detail.mailboxes.join(", ")
                                code=true
                            />
                            <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="action" value=UserAction::SetMailboxes.as_str()>
                                {UserAction::SetMailboxes.label()}
                            </button>
                        </PostForm>
                    })}
                }.into_any()
            }}
        }
    })
}
