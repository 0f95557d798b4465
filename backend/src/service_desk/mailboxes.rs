//! The service desk's care of issued mailboxes: find one, see its registrations and accounts,
//! suspend or reactivate it, set a new MESH API password (shown once on its page and emailed to
//! the mailbox manager) and change the workflows it may send and receive. Every change and its
//! email are written with their audit entry in one transaction.

use super::decide::new_api_password;
use super::issued::IssuedMailbox;
use crate::AppState;
use crate::applications::emails::render;
use crate::audit::{self, Event, Outcome};
use crate::db::mailboxes::{self as repo, MailboxRow};
use crate::db::service_desk as desk_repo;
use crate::guard::CurrentUser;
use crate::mail::{self, OutgoingMail};
use model::catalogue::{WorkflowId, WorkflowStatus};
use model::common::MailboxStatus;
use model::common::{Direction, Environment};
use model::error::AppError;
use model::format_time;
use model::service_desk::mailboxes::{
    MailboxAction, MailboxDetail, MailboxFilter, MailboxItem, MailboxList, Registration,
    SEARCH_MAX_CHARS,
};

/// Mailboxes listed at most.
const LIST_LIMIT: i64 = 200;

fn item(row: MailboxRow) -> MailboxItem {
    MailboxItem {
        environment: row.environment.label().to_owned(),
        mailbox_id: row.mailbox_id,
        ods_code: row.ods_code,
        organisation: row.organisation,
        status: row.status.as_str().to_owned(),
        workflows: row.workflows,
        users: row.users,
    }
}

/// The mailboxes that match `filter`.
pub async fn list(state: &AppState, filter: MailboxFilter) -> Result<MailboxList, AppError> {
    if filter.q.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::invalid(
            "q",
            format!("Search must be {SEARCH_MAX_CHARS} characters or fewer"),
        ));
    }
    // An environment or status the list does not know means "any": it came from an edited URL.
    let environment = Environment::parse(&filter.environment).map_or("", |e| e.as_str());
    let status = match filter.status.as_str() {
        s @ ("active" | "suspended") => s,
        _ => "",
    };
    let mut conn = state.db.pool.acquire().await?;
    let mut rows = repo::search(
        &mut conn,
        filter.q.trim(),
        environment,
        status,
        LIST_LIMIT + 1,
    )
    .await?;
    let more = rows.len() > LIST_LIMIT as usize;
    rows.truncate(LIST_LIMIT as usize);
    Ok(MailboxList {
        filter,
        items: rows.into_iter().map(item).collect(),
        more,
    })
}

async fn target(conn: &mut sqlx::AnyConnection, mailbox_id: &str) -> Result<MailboxRow, AppError> {
    repo::by_id(conn, mailbox_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no mailbox with the ID {mailbox_id}")))
}

/// Who is sent a new API password: the contact named in the application that created the
/// mailbox.
async fn manager_email(
    conn: &mut sqlx::AnyConnection,
    row: &MailboxRow,
) -> Result<Option<String>, AppError> {
    let Some(reference) = &row.application_reference else {
        return Ok(None);
    };
    Ok(desk_repo::mailbox_answers(conn, reference)
        .await?
        .map(|answers| answers.contact_email))
}

/// One mailbox's page. (A new API password set a moment ago is added by [`super::pages`], which
/// keeps it in the session to show once.)
pub async fn detail(state: &AppState, mailbox_id: &str) -> Result<MailboxDetail, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let row = target(&mut conn, mailbox_id).await?;
    let registrations = repo::registrations(&mut conn, mailbox_id)
        .await?
        .into_iter()
        .map(
            |(workflow_id, description, direction, status)| Registration {
                workflow_id,
                description,
                direction,
                retired: WorkflowStatus::parse(&status) != Some(WorkflowStatus::Active),
            },
        )
        .collect();
    let users = repo::users(&mut conn, mailbox_id).await?;
    let manager_email = manager_email(&mut conn, &row).await?;
    drop(conn);
    Ok(MailboxDetail {
        created: format_time(row.created_at),
        application: row.application_reference.clone(),
        manager_email,
        registrations,
        users,
        issued: Vec::new(),
        item: item(row),
    })
}

/// A change the service desk makes to a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxChange {
    Suspend {
        reason: String,
    },
    Reactivate,
    ResetApiPassword,
    SetWorkflow {
        workflow_id: WorkflowId,
        direction: Direction,
    },
    RemoveWorkflow {
        workflow_id: String,
    },
}

impl MailboxChange {
    fn action(&self) -> MailboxAction {
        match self {
            Self::Suspend { .. } => MailboxAction::Suspend,
            Self::Reactivate => MailboxAction::Reactivate,
            Self::ResetApiPassword => MailboxAction::ResetApiPassword,
            Self::SetWorkflow { .. } => MailboxAction::SetWorkflow,
            Self::RemoveWorkflow { .. } => MailboxAction::RemoveWorkflow,
        }
    }
}

/// Makes `change` to a mailbox, with its email and audit entry in one transaction; returns the
/// new API password when it set one (to show once).
pub async fn act(
    state: &AppState,
    by: &CurrentUser,
    mailbox_id: &str,
    change: MailboxChange,
) -> Result<Option<IssuedMailbox>, AppError> {
    let action = change.action();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = target(&mut tx, mailbox_id).await?;
    let mut issued = None;
    let detail = match change {
        MailboxChange::Suspend { reason } => {
            change_status(&mut tx, &row, MailboxStatus::Suspended).await?;
            format!("by the service desk: {reason}")
        }
        MailboxChange::Reactivate => {
            change_status(&mut tx, &row, MailboxStatus::Active).await?;
            "by the service desk".to_owned()
        }
        MailboxChange::ResetApiPassword => {
            let (password, stored) = new_api_password(&state.secret_key);
            repo::set_api_password(&mut tx, mailbox_id, &stored).await?;
            let manager = manager_email(&mut tx, &row).await?;
            if let Some(to) = &manager {
                let mail = new_password_mail(to, &row, &password, &state.config.base_url);
                mail::enqueue(&mut tx, &mail, now).await?;
            }
            issued = Some(IssuedMailbox {
                mailbox_id: row.mailbox_id.clone(),
                environment: row.environment,
                api_password: password,
            });
            match manager {
                Some(to) => format!("by the service desk; emailed to {to}"),
                None => "by the service desk; no mailbox manager on record to email".to_owned(),
            }
        }
        MailboxChange::SetWorkflow {
            workflow_id,
            direction,
        } => {
            register(&mut tx, mailbox_id, &workflow_id, direction).await?;
            format!(
                "by the service desk: {workflow_id} ({})",
                direction.label().to_lowercase()
            )
        }
        MailboxChange::RemoveWorkflow { workflow_id } => {
            if !repo::remove_registration(&mut tx, mailbox_id, &workflow_id).await? {
                return Err(AppError::invalid(
                    "workflow_id",
                    format!("This mailbox is not registered for {workflow_id}"),
                ));
            }
            format!("by the service desk: {workflow_id}")
        }
    };
    audit::commit_with(
        tx,
        &state.mailer,
        &by.actor(),
        Event {
            action: action.audit_action(),
            subject: format!("mailbox:{mailbox_id}"),
            outcome: Outcome::Success,
            detail,
        },
        now,
    )
    .await?;
    Ok(issued)
}

/// Suspends or reactivates a mailbox; refuses when someone changed it first.
async fn change_status(
    tx: &mut sqlx::AnyConnection,
    row: &MailboxRow,
    to: MailboxStatus,
) -> Result<(), AppError> {
    let (from, verb) = match to {
        MailboxStatus::Suspended => (MailboxStatus::Active, "suspended"),
        MailboxStatus::Active => (MailboxStatus::Suspended, "reactivated"),
    };
    if repo::change_status(tx, &row.mailbox_id, from, to).await? {
        Ok(())
    } else {
        Err(AppError::invalid(
            "action",
            format!(
                "This mailbox is {} now, so it cannot be {verb}. Someone may have changed it a \
                 moment ago",
                row.status.as_str()
            ),
        ))
    }
}

/// Registers a mailbox for an active workflow of the catalogue, or changes its direction.
async fn register(
    tx: &mut sqlx::AnyConnection,
    mailbox_id: &str,
    workflow_id: &WorkflowId,
    direction: Direction,
) -> Result<(), AppError> {
    let workflow_id = workflow_id.as_str();
    match crate::db::messages::workflow_facts(&mut *tx, workflow_id).await? {
        None => Err(AppError::invalid(
            "workflow_id",
            format!("{workflow_id} is not in the workflow ID catalogue"),
        )),
        Some((WorkflowStatus::Retired, _, _)) => Err(AppError::invalid(
            "workflow_id",
            format!("{workflow_id} is retired: mailboxes cannot be registered for it"),
        )),
        Some(_) => {
            repo::set_registration(tx, mailbox_id, workflow_id, direction.as_str()).await?;
            Ok(())
        }
    }
}

/// To the mailbox manager: the mailbox's new API password.
fn new_password_mail(to: &str, row: &MailboxRow, password: &str, base_url: &str) -> OutgoingMail {
    let environment = row.environment.label();
    let (text, html) = render(
        &[
            format!(
                "The service desk has set a new MESH API password for the mailbox {}.",
                row.mailbox_id
            ),
            "The old password no longer works. Give the new one to whoever runs the system \
             that uses this mailbox through the MESH API, and keep it safe: this is the only \
             time we send it."
                .to_owned(),
        ],
        &[
            ("Mailbox ID", format!("{} ({environment})", row.mailbox_id)),
            ("MESH API password", password.to_owned()),
        ],
        &[
            "If nobody at your organisation asked for this, tell the service desk at once."
                .to_owned(),
            format!("MESH portal: {}", base_url.trim_end_matches('/')),
        ],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("New MESH API password for {}", row.mailbox_id),
        text,
        html,
        sensitive: true,
    }
}
