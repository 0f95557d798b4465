//! SQL for messages between mailboxes, the uploads in progress, and what the send rules need to
//! know of mailboxes and workflows.

use sqlx::{Any, AnyConnection};

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub environment: String,
    pub workflow_id: String,
    pub message_type: String,
    pub subject: String,
    pub local_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub content_key: Option<String>,
    pub status: String,
    pub linked_message_id: Option<String>,
    pub report_text: Option<String>,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub expires_at: i64,
    pub expired_at: Option<i64>,
    pub report_code: Option<String>,
    pub partner_id: String,
    pub content_checksum: String,
    pub content_encrypted: i64,
    pub content_compressed: i64,
    /// `gzip` when the sender's chunks are stored gzip-encoded.
    pub content_encoding: String,
    pub chunk_count: i64,
    pub chunks_received: i64,
}

const COLUMNS: &str = "message_id, sender, recipient, environment, workflow_id, \
     message_type, subject, local_id, file_name, content_type, size_bytes, sha256, content_key, \
     status, linked_message_id, report_text, created_at, acknowledged_at, expires_at, expired_at, \
     report_code, partner_id, content_checksum, content_encrypted, content_compressed, \
     content_encoding, chunk_count, chunks_received";

/// A message whose content is whole in the store, about to be delivered.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub message_id: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub environment: &'a str,
    pub workflow_id: &'a str,
    pub message_type: &'a str,
    pub subject: &'a str,
    pub local_id: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub content_key: &'a str,
    pub sent_by: Option<&'a str>,
    pub expires_at: i64,
}

/// Delivers a message: from now on its recipient sees it.
pub async fn insert(conn: &mut AnyConnection, m: &NewMessage<'_>, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
         message_type, subject, local_id, file_name, content_type, size_bytes, sha256, \
         content_key, status, sent_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'accepted', $14, $15, $16)",
    )
    .bind(m.message_id)
    .bind(m.sender)
    .bind(m.recipient)
    .bind(m.environment)
    .bind(m.workflow_id)
    .bind(m.message_type)
    .bind(m.subject)
    .bind(m.local_id)
    .bind(m.file_name)
    .bind(m.content_type)
    .bind(m.size_bytes)
    .bind(m.sha256)
    .bind(m.content_key)
    .bind(m.sent_by)
    .bind(now)
    .bind(m.expires_at)
    .execute(conn)
    .await
    .map(drop)
}

/// One message.
pub async fn by_id(conn: &mut AnyConnection, message_id: &str) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as::<Any, MessageRow>(&format!(
        "SELECT {COLUMNS} FROM messages WHERE message_id = $1"
    ))
    .bind(message_id)
    .fetch_optional(conn)
    .await
}

/// Notes that an upload is under way, before its first byte is written.
pub async fn begin_upload(
    conn: &mut AnyConnection,
    content_key: &str,
    instance_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO uploads (content_key, instance_id, started_at) VALUES ($1, $2, $3)",
    )
    .bind(content_key)
    .bind(instance_id)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}

/// Keeps the S3 multipart upload that an upload's content goes into.
pub async fn note_upload_id(
    conn: &mut AnyConnection,
    content_key: &str,
    upload_id: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE uploads SET upload_id = $2 WHERE content_key = $1")
        .bind(content_key)
        .bind(upload_id)
        .execute(conn)
        .await
        .map(drop)
}

/// Notes that an upload is over (delivered, or refused and its content removed).
pub async fn end_upload(conn: &mut AnyConnection, content_key: &str) -> sqlx::Result<()> {
    sqlx::query::<Any>("DELETE FROM uploads WHERE content_key = $1")
        .bind(content_key)
        .execute(conn)
        .await
        .map(drop)
}

/// Uploads of other instances than `this` whose instance has not been seen since `seen_before`
/// (or is not known at all): they will never finish. (Content key, S3 multipart upload ID.)
pub async fn abandoned_uploads(
    conn: &mut AnyConnection,
    seen_before: i64,
    this: &str,
) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as::<Any, (String, Option<String>)>(
        "SELECT u.content_key, u.upload_id FROM uploads u \
         LEFT JOIN instances i ON i.instance_id = u.instance_id \
         WHERE u.instance_id <> $2 AND (i.instance_id IS NULL OR i.seen_at < $1) \
         ORDER BY u.started_at",
    )
    .bind(seen_before)
    .bind(this)
    .fetch_all(conn)
    .await
}

/// Records that this instance is running (at start, then every few seconds).
pub async fn heartbeat(conn: &mut AnyConnection, instance_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO instances (instance_id, started_at, seen_at) VALUES ($1, $2, $2) \
         ON CONFLICT (instance_id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(instance_id)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}

/// What the send rules need of a mailbox: (environment, status, ODS code, its registration for
/// `workflow_id` if any).
pub async fn mailbox_facts(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    workflow_id: &str,
) -> sqlx::Result<Option<(String, String, String, Option<String>)>> {
    sqlx::query_as::<Any, (String, String, String, Option<String>)>(
        "SELECT m.environment, m.status, m.ods_code, r.direction FROM mailboxes m \
         LEFT JOIN mailbox_workflows r ON r.mailbox_id = m.mailbox_id AND r.workflow_id = $2 \
         WHERE m.mailbox_id = $1",
    )
    .bind(mailbox_id)
    .bind(workflow_id)
    .fetch_optional(conn)
    .await
}

/// What the send rules need, read in one statement: the sender's mailbox and registration for
/// the workflow, the recipient's (absent when there is no such mailbox), and the workflow's
/// catalogue entry (absent when it is not in the catalogue).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendFactsRow {
    pub sender_environment: String,
    pub sender_status: String,
    pub sender_ods_code: String,
    pub sender_direction: Option<String>,
    pub recipient_environment: Option<String>,
    pub recipient_status: Option<String>,
    pub recipient_direction: Option<String>,
    pub workflow_status: Option<String>,
    pub workflow_hscn_only: Option<i64>,
    pub workflow_test_first: Option<i64>,
}

/// The facts of a send from `sender` to `recipient` of `workflow_id`; `None` when there is no
/// mailbox `sender`.
pub async fn send_facts(
    conn: &mut AnyConnection,
    sender: &str,
    recipient: &str,
    workflow_id: &str,
) -> sqlx::Result<Option<SendFactsRow>> {
    sqlx::query_as::<Any, SendFactsRow>(
        "SELECT s.environment AS sender_environment, s.status AS sender_status, \
         s.ods_code AS sender_ods_code, sr.direction AS sender_direction, \
         r.environment AS recipient_environment, r.status AS recipient_status, \
         rr.direction AS recipient_direction, w.status AS workflow_status, \
         w.hscn_only AS workflow_hscn_only, w.test_first AS workflow_test_first \
         FROM mailboxes s \
         LEFT JOIN mailbox_workflows sr ON sr.mailbox_id = s.mailbox_id AND sr.workflow_id = $3 \
         LEFT JOIN mailboxes r ON r.mailbox_id = $2 \
         LEFT JOIN mailbox_workflows rr ON rr.mailbox_id = r.mailbox_id AND rr.workflow_id = $3 \
         LEFT JOIN workflows w ON w.workflow_id = $3 \
         WHERE s.mailbox_id = $1",
    )
    .bind(sender)
    .bind(recipient)
    .bind(workflow_id)
    .fetch_optional(conn)
    .await
}

/// What the send rules need of a workflow: (status, HSCN only, test first).
pub async fn workflow_facts(
    conn: &mut AnyConnection,
    workflow_id: &str,
) -> sqlx::Result<Option<(String, i64, i64)>> {
    sqlx::query_as::<Any, (String, i64, i64)>(
        "SELECT status, hscn_only, test_first FROM workflows WHERE workflow_id = $1",
    )
    .bind(workflow_id)
    .fetch_optional(conn)
    .await
}

/// Whether a test message of `workflow_id` from a mailbox of `ods_code` has been delivered in a
/// Path to Live environment (collected by its recipient).
pub async fn tested_in_path_to_live(
    conn: &mut AnyConnection,
    ods_code: &str,
    workflow_id: &str,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar::<Any, i64>(
        "SELECT COUNT(*) FROM messages g JOIN mailboxes m ON m.mailbox_id = g.sender \
         WHERE m.ods_code = $1 AND g.workflow_id = $2 AND g.message_type = 'test' \
         AND g.environment IN ('integration', 'deployment') AND g.status = 'acknowledged'",
    )
    .bind(ods_code)
    .bind(workflow_id)
    .fetch_one(conn)
    .await?;
    Ok(found > 0)
}

/// The active mailboxes of an organisation in an environment registered to receive a workflow:
/// (Mailbox ID, organisation name), for the recipient lookup.
pub async fn receivers(
    conn: &mut AnyConnection,
    ods_code: &str,
    workflow_id: &str,
    environment: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as::<Any, (String, String)>(
        "SELECT m.mailbox_id, COALESCE(o.name, '') FROM mailboxes m \
         JOIN mailbox_workflows r ON r.mailbox_id = m.mailbox_id \
         LEFT JOIN organisations o ON o.ods_code = m.ods_code \
         WHERE m.ods_code = $1 AND r.workflow_id = $2 AND r.direction IN ('receive', 'both') \
         AND m.environment = $3 AND m.status = 'active' ORDER BY m.mailbox_id",
    )
    .bind(ods_code)
    .bind(workflow_id)
    .bind(environment)
    .fetch_all(conn)
    .await
}

/// The workflows a mailbox may send, active in the catalogue: (workflow ID, description).
pub async fn sendable_workflows(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as::<Any, (String, String)>(
        "SELECT w.workflow_id, w.description FROM mailbox_workflows r \
         JOIN workflows w ON w.workflow_id = r.workflow_id \
         WHERE r.mailbox_id = $1 AND r.direction IN ('send', 'both') AND w.status = 'active' \
         ORDER BY w.description, w.workflow_id",
    )
    .bind(mailbox_id)
    .fetch_all(conn)
    .await
}

/// A message as its list shows it, with the other mailbox's organisation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedRow {
    pub message_id: String,
    pub other: String,
    pub other_organisation: String,
    pub workflow_id: String,
    pub message_type: String,
    pub subject: String,
    pub local_id: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub status: String,
    pub content_key: Option<String>,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub expires_at: i64,
    pub report_text: Option<String>,
}

/// Which list, and how it is narrowed.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    pub mailbox_id: &'a str,
    /// The inbox (messages received) or sent items.
    pub inbox: bool,
    /// A workflow ID, or `""` for all.
    pub workflow_id: &'a str,
    /// Whether test messages are listed (not for internet users).
    pub tests: bool,
    pub offset: i64,
    pub limit: i64,
}

fn list_filter(query: &ListQuery<'_>) -> String {
    let (mine, statuses) = if query.inbox {
        ("g.recipient", "('accepted', 'acknowledged')")
    } else {
        // (A chunked send through the API that never got all its chunks was never sent.)
        (
            "g.sender",
            "('accepted', 'acknowledged', 'expired') AND g.chunks_received = g.chunk_count",
        )
    };
    format!(
        "WHERE {mine} = $1 AND g.status IN {statuses} AND ($2 = '' OR g.workflow_id = $2) \
         AND ($3 = 1 OR g.message_type <> 'test')"
    )
}

/// One page of the inbox or of sent items, newest first.
pub async fn list(conn: &mut AnyConnection, query: &ListQuery<'_>) -> sqlx::Result<Vec<ListedRow>> {
    let other = if query.inbox {
        "g.sender"
    } else {
        "g.recipient"
    };
    sqlx::query_as::<Any, ListedRow>(&format!(
        "SELECT g.message_id, {other} AS other, COALESCE(o.name, '') AS other_organisation, \
         g.workflow_id, g.message_type, g.subject, g.local_id, g.file_name, g.size_bytes, \
         g.status, g.content_key, g.created_at, g.acknowledged_at, g.expires_at, g.report_text \
         FROM messages g JOIN mailboxes m ON m.mailbox_id = {other} \
         LEFT JOIN organisations o ON o.ods_code = m.ods_code {} \
         ORDER BY g.created_at DESC, g.message_id DESC LIMIT $4 OFFSET $5",
        list_filter(query)
    ))
    .bind(query.mailbox_id)
    .bind(query.workflow_id)
    .bind(i64::from(query.tests))
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(conn)
    .await
}

/// How many messages the list has in all.
pub async fn count(conn: &mut AnyConnection, query: &ListQuery<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>(&format!(
        "SELECT COUNT(*) FROM messages g {}",
        list_filter(query)
    ))
    .bind(query.mailbox_id)
    .bind(query.workflow_id)
    .bind(i64::from(query.tests))
    .fetch_one(conn)
    .await
}

/// The workflows of a mailbox's received (or sent) messages, for the filter.
pub async fn listed_workflows(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    inbox: bool,
) -> sqlx::Result<Vec<String>> {
    let mine = if inbox { "recipient" } else { "sender" };
    sqlx::query_scalar::<Any, String>(&format!(
        "SELECT DISTINCT workflow_id FROM messages WHERE {mine} = $1 ORDER BY workflow_id"
    ))
    .bind(mailbox_id)
    .fetch_all(conn)
    .await
}

/// Marks a message waiting in `recipient`'s inbox collected the first time (`user_id` is the
/// account that downloaded it from a page; none through the MESH API); `false` when it is not
/// waiting there (already collected, expired, someone else's, or none).
pub async fn acknowledge(
    conn: &mut AnyConnection,
    message_id: &str,
    recipient: &str,
    user_id: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE messages SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2 \
         WHERE message_id = $3 AND recipient = $4 AND status = 'accepted'",
    )
    .bind(now)
    .bind(user_id)
    .bind(message_id)
    .bind(recipient)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Messages still waiting past their time (at most `limit`): their IDs.
pub async fn due_to_expire(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT message_id FROM messages WHERE status = 'accepted' AND expires_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY expires_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Claims a message for a retention worker until `until`; `false` when another has it.
pub async fn claim(
    conn: &mut AnyConnection,
    message_id: &str,
    now: i64,
    until: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE messages SET claimed_until = $1 WHERE message_id = $2 \
         AND (claimed_until IS NULL OR claimed_until < $3)",
    )
    .bind(until)
    .bind(message_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message not collected; `false` when it no longer waits (downloaded meanwhile).
pub async fn expire(conn: &mut AnyConnection, message_id: &str, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE messages SET status = 'expired', expired_at = $1 \
         WHERE message_id = $2 AND status = 'accepted'",
    )
    .bind(now)
    .bind(message_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A report about `original` for its sender: (report ID, original).
pub async fn insert_report(
    conn: &mut AnyConnection,
    report_id: &str,
    original: &MessageRow,
    code: &str,
    text: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
         message_type, subject, local_id, file_name, size_bytes, status, linked_message_id, \
         report_code, report_text, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 'report', $6, $7, '', 0, 'accepted', $8, $9, $10, $11, $12)",
    )
    .bind(report_id)
    .bind(&original.recipient)
    .bind(&original.sender)
    .bind(&original.environment)
    .bind(&original.workflow_id)
    .bind(&original.subject)
    .bind(&original.local_id)
    .bind(&original.message_id)
    .bind(code)
    .bind(text)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .map(drop)
}

/// Marks expired the chunked sends through the API whose chunks did not all arrive by their
/// time, so that their content goes with the rest; how many.
pub async fn expire_unfinished(conn: &mut AnyConnection, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query::<Any>(
        "UPDATE messages SET status = 'expired', expired_at = $1 \
         WHERE status = 'uploading' AND expires_at <= $1",
    )
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Messages past their time whose content is still stored: (message ID, content key).
pub async fn content_to_delete(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as::<Any, (String, String)>(
        "SELECT message_id, content_key FROM messages WHERE content_key IS NOT NULL \
         AND status IN ('acknowledged', 'expired') AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Notes that a message's content is deleted; `false` when that was already noted.
pub async fn content_deleted(
    conn: &mut AnyConnection,
    message_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE messages SET content_key = NULL, content_deleted_at = $1 \
         WHERE message_id = $2 AND content_key IS NOT NULL",
    )
    .bind(now)
    .bind(message_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
