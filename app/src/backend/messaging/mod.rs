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
