//! A mailbox user's mailboxes, and the files sent between them ([`send`]).

pub mod send;

use super::db::Db;
use super::db::applications as repo;
use crate::error::AppError;
use crate::model::applications::mailbox::Environment;
use crate::model::messaging::MailboxSummary;

/// The mailboxes linked to a user.
pub async fn mailboxes(db: &Db, user_id: &str) -> Result<Vec<MailboxSummary>, AppError> {
    let mut conn = db.pool.acquire().await.map_err(super::db_failed)?;
    let rows = repo::mailboxes_of_user(&mut conn, user_id)
        .await
        .map_err(super::db_failed)?;
    Ok(rows
        .into_iter()
        .map(|row| MailboxSummary {
            environment: Environment::parse(&row.environment)
                .map_or(row.environment.clone(), |e| e.label().to_owned()),
            active: row.status == "active",
            mailbox_id: row.mailbox_id,
            ods_code: row.ods_code,
            organisation_name: row.organisation_name,
        })
        .collect())
}

/// The new message page of `mailbox` (one of `user_id`'s) for someone on `route`, with the
/// recipient lookup's answer when `lookup` (ODS code, workflow ID) was asked.
pub async fn new_message_view(
    state: &super::AppState,
    user_id: &str,
    mailbox_id: &str,
    route: crate::model::applications::account::AccessRoute,
    lookup: Option<(String, String)>,
) -> Result<crate::model::messaging::NewMessageView, AppError> {
    use crate::model::applications::account::AccessRoute;
    use crate::model::messaging::{NewMessageView, max_bytes};
    let mailbox = mailboxes(&state.db, user_id)
        .await?
        .into_iter()
        .find(|m| m.mailbox_id == mailbox_id)
        .ok_or_else(|| AppError::NotFound("Page not found. Check the Mailbox ID.".into()))?;
    let mut conn = state.db.pool.acquire().await.map_err(super::db_failed)?;
    let workflows = super::db::messages::sendable_workflows(&mut conn, mailbox_id)
        .await
        .map_err(super::db_failed)?;
    let (environment, _, _, _) = super::db::messages::mailbox_facts(&mut conn, mailbox_id, "")
        .await
        .map_err(super::db_failed)?
        .ok_or_else(|| AppError::NotFound("Page not found. Check the Mailbox ID.".into()))?;
    let lookup = match lookup {
        Some((ods_code, workflow_id)) => {
            let ods_code = ods_code.trim().to_ascii_uppercase();
            let workflow_id = workflow_id.trim().to_owned();
            let found =
                super::db::messages::receivers(&mut conn, &ods_code, &workflow_id, &environment)
                    .await
                    .map_err(super::db_failed)?;
            Some(crate::model::messaging::RecipientLookup {
                ods_code,
                workflow_id,
                found,
            })
        }
        None => None,
    };
    Ok(NewMessageView {
        can_send_test: route == AccessRoute::Hscn && environment != "live",
        max_megabytes: max_bytes(route) / 1_000_000,
        mailbox,
        workflows,
        lookup,
    })
}

/// A message sent from `mailbox_id`; another mailbox's message is "not found".
pub async fn sent_message(
    state: &super::AppState,
    mailbox_id: &str,
    message_id: &str,
) -> Result<crate::model::messaging::SentMessageView, AppError> {
    use crate::model::format_time;
    use crate::model::messaging::{SentMessageView, size_label};
    let mut conn = state.db.pool.acquire().await.map_err(super::db_failed)?;
    let row = super::db::messages::by_id(&mut conn, message_id)
        .await
        .map_err(super::db_failed)?
        .filter(|m| m.sender == mailbox_id)
        .ok_or_else(|| AppError::NotFound("There is no such message in this mailbox".into()))?;
    let recipient_organisation = super::db::mailboxes::by_id(&mut conn, &row.recipient)
        .await
        .map_err(super::db_failed)?
        .map(|m| format!("{} ({})", m.organisation, m.ods_code))
        .unwrap_or_default();
    let status = match (row.status.as_str(), row.acknowledged_at) {
        (_, Some(at)) => format!("Downloaded {}", format_time(at)),
        ("expired", None) => "Not collected: removed after 5 days".to_owned(),
        _ => format!(
            "Waiting to be downloaded (removed {} if not collected)",
            format_time(row.expires_at)
        ),
    };
    Ok(SentMessageView {
        message_id: row.message_id,
        sender: row.sender,
        recipient: row.recipient,
        recipient_organisation,
        workflow_id: row.workflow_id,
        message_type: if row.message_type == "test" {
            "Test".to_owned()
        } else {
            "Data".to_owned()
        },
        subject: row.subject,
        reference: row.local_id,
        file_name: row.file_name,
        size: size_label(row.size_bytes),
        sent: format_time(row.created_at),
        status,
    })
}
