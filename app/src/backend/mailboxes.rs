//! The register of issued mailboxes. The service desk fills it when it approves an application;
//! until then an operator adds mailboxes from the command line (`mesh-portal add-mailbox`).

use super::db::Db;
use super::db::applications as repo;
use super::now_unix;
use crate::model::applications::mailbox::Environment;
use crate::model::organisations::OdsCode;

/// Why a mailbox cannot be added.
#[derive(Debug, thiserror::Error)]
pub enum AddMailboxError {
    #[error("Mailbox ID must be 3 to 20 letters and numbers, like X26HC005")]
    MailboxId,
    #[error("{0}")]
    OdsCode(String),
    #[error("environment must be live, integration or deployment")]
    Environment,
    #[error("no organisation with the ODS code {0} is on the list")]
    UnknownOrganisation(String),
    #[error("the mailbox {0} already exists")]
    Exists(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Adds an active mailbox; returns its ID as stored (upper-case).
pub async fn add(
    db: &Db,
    mailbox_id: &str,
    ods_code: &str,
    environment: &str,
) -> Result<String, AddMailboxError> {
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    if !(3..=20).contains(&mailbox_id.len())
        || !mailbox_id.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(AddMailboxError::MailboxId);
    }
    let ods_code = OdsCode::parse(ods_code).map_err(|e| AddMailboxError::OdsCode(e.to_string()))?;
    let environment = Environment::parse(environment).ok_or(AddMailboxError::Environment)?;
    let mut tx = db.begin().await?;
    if repo::organisation_name(&mut tx, ods_code.as_str())
        .await?
        .is_none()
    {
        return Err(AddMailboxError::UnknownOrganisation(ods_code.to_string()));
    }
    if repo::find_mailbox(&mut tx, &mailbox_id).await?.is_some() {
        return Err(AddMailboxError::Exists(mailbox_id));
    }
    repo::insert_mailbox(
        &mut tx,
        &mailbox_id,
        ods_code.as_str(),
        environment.as_str(),
        "active",
        now_unix(),
    )
    .await?;
    tx.commit().await?;
    Ok(mailbox_id)
}
