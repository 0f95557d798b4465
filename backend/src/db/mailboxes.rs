//! SQL for the register of issued mailboxes as the service desk administers it: search, one
//! mailbox with its registrations and accounts, status, API password and registrations.

use model::common::{Environment, MailboxStatus};
use sqlx::{Any, AnyConnection};

use super::contains_pattern;

/// A mailbox as the service desk's list and page show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxRow {
    pub mailbox_id: String,
    pub ods_code: String,
    pub organisation: String,
    pub environment: Environment,
    pub status: MailboxStatus,
    pub created_at: i64,
    pub application_reference: Option<String>,
    pub workflows: i64,
    pub users: i64,
}

const SELECT: &str = "SELECT m.mailbox_id, m.ods_code, COALESCE(o.name, '') AS organisation, \
     m.environment, m.status, m.created_at, m.application_reference, \
     (SELECT COUNT(*) FROM mailbox_workflows w WHERE w.mailbox_id = m.mailbox_id) AS workflows, \
     (SELECT COUNT(*) FROM user_mailboxes u WHERE u.mailbox_id = m.mailbox_id) AS users \
     FROM mailboxes m LEFT JOIN organisations o ON o.ods_code = m.ods_code";

/// Mailboxes whose ID, ODS code or organisation contains `search`, in an environment and status
/// (empty: any), by Mailbox ID; at most `limit`.
pub async fn search(
    conn: &mut AnyConnection,
    search: &str,
    environment: &str,
    status: &str,
    limit: i64,
) -> sqlx::Result<Vec<MailboxRow>> {
    sqlx::query_as::<Any, MailboxRow>(&format!(
        "{SELECT} WHERE (LOWER(m.mailbox_id) LIKE $1 ESCAPE '\\' \
         OR LOWER(m.ods_code) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(o.name, '')) LIKE $1 ESCAPE '\\') \
         AND ($2 = '' OR m.environment = $2) AND ($3 = '' OR m.status = $3) \
         ORDER BY m.mailbox_id LIMIT $4"
    ))
    .bind(contains_pattern(search))
    .bind(environment)
    .bind(status)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// One mailbox.
pub async fn by_id(conn: &mut AnyConnection, mailbox_id: &str) -> sqlx::Result<Option<MailboxRow>> {
    sqlx::query_as::<Any, MailboxRow>(&format!("{SELECT} WHERE m.mailbox_id = $1"))
        .bind(mailbox_id)
        .fetch_optional(conn)
        .await
}

/// A mailbox's registrations with the catalogue's words: (workflow ID, description, direction,
/// catalogue status), by workflow ID.
pub async fn registrations(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Vec<(String, String, String, String)>> {
    sqlx::query_as::<Any, (String, String, String, String)>(
        "SELECT r.workflow_id, w.description, r.direction, w.status FROM mailbox_workflows r \
         JOIN workflows w ON w.workflow_id = r.workflow_id WHERE r.mailbox_id = $1 \
         ORDER BY r.workflow_id",
    )
    .bind(mailbox_id)
    .fetch_all(conn)
    .await
}

/// The accounts that use a mailbox: (user ID, name, email), by name.
pub async fn users(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as::<Any, (String, String, String)>(
        "SELECT u.user_id, u.name, u.email FROM user_mailboxes l \
         JOIN users u ON u.user_id = l.user_id WHERE l.mailbox_id = $1 ORDER BY u.name, u.email",
    )
    .bind(mailbox_id)
    .fetch_all(conn)
    .await
}

/// Moves a mailbox from status `from` to `to`; `false` when it was not in `from` (someone else
/// changed it first).
pub async fn change_status(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    from: MailboxStatus,
    to: MailboxStatus,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE mailboxes SET status = $1 WHERE mailbox_id = $2 AND status = $3",
    )
    .bind(to)
    .bind(mailbox_id)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a mailbox's stored API password.
pub async fn set_api_password(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    stored: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE mailboxes SET api_password_sealed = $1 WHERE mailbox_id = $2")
        .bind(stored)
        .bind(mailbox_id)
        .execute(conn)
        .await
        .map(drop)
}

/// Registers a mailbox for a workflow, or changes the direction of its registration.
pub async fn set_registration(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    workflow_id: &str,
    direction: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO mailbox_workflows (mailbox_id, workflow_id, direction) VALUES ($1, $2, $3) \
         ON CONFLICT (mailbox_id, workflow_id) DO UPDATE SET direction = excluded.direction",
    )
    .bind(mailbox_id)
    .bind(workflow_id)
    .bind(direction)
    .execute(conn)
    .await
    .map(drop)
}

/// Takes a registration away; `false` when there was none.
pub async fn remove_registration(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    workflow_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "DELETE FROM mailbox_workflows WHERE mailbox_id = $1 AND workflow_id = $2",
    )
    .bind(mailbox_id)
    .bind(workflow_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many mailboxes are registered for a workflow.
pub async fn count_registered(conn: &mut AnyConnection, workflow_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM mailbox_workflows WHERE workflow_id = $1")
        .bind(workflow_id)
        .fetch_one(conn)
        .await
}

/// A mailbox's status and sealed API password.
pub async fn api_credentials(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Option<(MailboxStatus, Option<String>)>> {
    sqlx::query_as::<Any, (MailboxStatus, Option<String>)>(
        "SELECT status, api_password_sealed FROM mailboxes WHERE mailbox_id = $1",
    )
    .bind(mailbox_id)
    .fetch_optional(conn)
    .await
}

/// What lookups and tracking say of a mailbox: (Mailbox ID, organisation name, ODS code,
/// environment, status).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxInfo {
    pub mailbox_id: String,
    pub name: String,
    pub ods_code: String,
    pub environment: Environment,
    pub status: MailboxStatus,
}

/// One mailbox with its organisation's name.
pub async fn mailbox_info(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Option<MailboxInfo>> {
    sqlx::query_as::<Any, MailboxInfo>(
        "SELECT m.mailbox_id, COALESCE(o.name, '') AS name, m.ods_code, m.environment, m.status \
         FROM mailboxes m LEFT JOIN organisations o ON o.ods_code = m.ods_code \
         WHERE m.mailbox_id = $1",
    )
    .bind(mailbox_id)
    .fetch_optional(conn)
    .await
}

/// Active mailboxes registered to receive `workflow_id`, of `ods_code` when it is not empty, in
/// `environment` when it is not empty; by Mailbox ID.
pub async fn receivers(
    conn: &mut AnyConnection,
    ods_code: &str,
    workflow_id: &str,
    environment: &str,
) -> sqlx::Result<Vec<MailboxInfo>> {
    sqlx::query_as::<Any, MailboxInfo>(
        "SELECT m.mailbox_id, COALESCE(o.name, '') AS name, m.ods_code, m.environment, m.status \
         FROM mailboxes m JOIN mailbox_workflows r ON r.mailbox_id = m.mailbox_id \
         LEFT JOIN organisations o ON o.ods_code = m.ods_code \
         WHERE r.workflow_id = $1 AND r.direction IN ('receive', 'both') AND m.status = 'active' \
         AND ($2 = '' OR m.ods_code = $2) AND ($3 = '' OR m.environment = $3) \
         ORDER BY m.mailbox_id",
    )
    .bind(workflow_id)
    .bind(ods_code)
    .bind(environment)
    .fetch_all(conn)
    .await
}

/// The next sequence number for an ODS code and kind of mailbox (1 for the first).
pub async fn next_mailbox_sequence(
    conn: &mut AnyConnection,
    ods_code: &str,
    kind_code: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>(
        "INSERT INTO mailbox_id_sequences (ods_code, kind_code, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (ods_code, kind_code) \
         DO UPDATE SET last_seq = mailbox_id_sequences.last_seq + 1 RETURNING last_seq",
    )
    .bind(ods_code)
    .bind(kind_code)
    .fetch_one(conn)
    .await
}

/// A mailbox about to be issued: by the service desk's approval, `mesh-portal add-mailbox`, or a
/// sandbox's `mailboxes.jsonl`.
#[derive(Debug, Clone)]
pub struct NewMailbox<'a> {
    pub mailbox_id: &'a str,
    pub ods_code: &'a str,
    pub environment: Environment,
    pub status: MailboxStatus,
    pub api_password_sealed: Option<&'a str>,
    /// The application that asked for it.
    pub application_reference: Option<&'a str>,
    /// (workflow ID, direction) for each workflow it is registered for.
    pub workflows: &'a [(String, String)],
}

/// Creates a mailbox with its workflow registrations: the one place a mailbox is made.
pub async fn insert(
    conn: &mut AnyConnection,
    mailbox: &NewMailbox<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO mailboxes (mailbox_id, ods_code, environment, status, created_at, \
         api_password_sealed, application_reference) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(mailbox.mailbox_id)
    .bind(mailbox.ods_code)
    .bind(mailbox.environment)
    .bind(mailbox.status)
    .bind(now)
    .bind(mailbox.api_password_sealed)
    .bind(mailbox.application_reference)
    .execute(&mut *conn)
    .await?;
    for (workflow_id, direction) in mailbox.workflows {
        set_registration(conn, mailbox.mailbox_id, workflow_id, direction).await?;
    }
    Ok(())
}
