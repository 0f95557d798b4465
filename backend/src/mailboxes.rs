//! The register of issued mailboxes. The service desk fills it when it approves an application;
//! until then an operator adds mailboxes from the command line (`mesh-portal add-mailbox`).

use super::db::Db;
use super::db::applications as repo;
use super::db::mailboxes;
use super::now_unix;
use model::catalogue::WorkflowStatus;
use model::common::Environment;
use model::common::{MailboxId, MailboxStatus};
use model::organisations::OdsCode;

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
    #[error("{0:?} must be a workflow ID, optionally with :send, :receive or :both")]
    Registration(String),
    #[error("{0} is not an active workflow of the catalogue")]
    UnknownWorkflow(String),
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
    add_with_workflows(db, mailbox_id, ods_code, environment, &[]).await
}

/// Adds an active mailbox registered for `workflows` (`WORKFLOW_ID` for both directions, or
/// `WORKFLOW_ID:send`, `:receive`, `:both`), all or nothing; returns its ID as stored.
pub async fn add_with_workflows(
    db: &Db,
    mailbox_id: &str,
    ods_code: &str,
    environment: &str,
    workflows: &[String],
) -> Result<String, AddMailboxError> {
    use model::common::Direction;
    let mut registrations = Vec::new();
    for text in workflows {
        let (id, direction) = text.trim().split_once(':').unwrap_or((text.trim(), "both"));
        let direction = Direction::parse(direction)
            .filter(|_| model::catalogue::WorkflowId::parse(id).is_ok())
            .ok_or_else(|| AddMailboxError::Registration(text.clone()))?;
        registrations.push((id.to_owned(), direction));
    }
    let mailbox_id = MailboxId::parse(mailbox_id)
        .map_err(|_| AddMailboxError::MailboxId)?
        .to_string();
    let ods_code = OdsCode::parse(ods_code).map_err(|e| AddMailboxError::OdsCode(e.to_string()))?;
    let environment = Environment::parse(environment).ok_or(AddMailboxError::Environment)?;
    let mut tx = db.begin().await?;
    if repo::organisation_name(&mut tx, ods_code.as_str())
        .await?
        .is_none()
    {
        return Err(AddMailboxError::UnknownOrganisation(ods_code.to_string()));
    }
    if mailboxes::mailbox_info(&mut tx, &mailbox_id)
        .await?
        .is_some()
    {
        return Err(AddMailboxError::Exists(mailbox_id));
    }
    let mut workflows = Vec::new();
    for (workflow_id, direction) in registrations {
        match super::db::messages::workflow_facts(&mut tx, &workflow_id).await? {
            Some((WorkflowStatus::Active, _, _)) => {}
            _ => return Err(AddMailboxError::UnknownWorkflow(workflow_id)),
        }
        workflows.push((workflow_id, direction.as_str().to_owned()));
    }
    let mailbox = mailboxes::NewMailbox {
        mailbox_id: &mailbox_id,
        ods_code: ods_code.as_str(),
        environment,
        status: MailboxStatus::Active,
        api_password_sealed: None,
        application_reference: None,
        workflows: &workflows,
    };
    mailboxes::insert(&mut tx, &mailbox, now_unix()).await?;
    tx.commit().await?;
    Ok(mailbox_id)
}

/// Gives a mailbox the MESH API password `password` (kept sealed under `key`): for tests, and for
/// loading a sandbox's mailboxes with the passwords their test rigs already use.
pub async fn set_api_password(
    db: &Db,
    key: &super::crypto::SecretKey,
    mailbox_id: &str,
    password: &str,
) -> Result<(), sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    super::db::mailboxes::set_api_password(&mut conn, mailbox_id, &key.seal(password.as_bytes()))
        .await
}
