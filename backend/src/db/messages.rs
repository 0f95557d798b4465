//! SQL for messages between mailboxes (files and reports, their chunks and the small contents
//! kept beside them, the inboxes and sent items), and what the send rules need to know of
//! mailboxes and workflows.

use model::catalogue::WorkflowStatus;
use model::common::{Direction, Environment, MailboxStatus};
use model::messaging::{MessageKind, MessageStatus};
use sqlx::{Any, AnyConnection};

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub environment: Environment,
    pub workflow_id: String,
    pub message_type: MessageKind,
    pub subject: String,
    pub local_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub content_key: Option<String>,
    pub status: MessageStatus,
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

/// What the MESH API's sender said of a message's content (nothing for one sent from a page).
#[derive(Debug, Clone, Copy, Default)]
pub struct MexContent<'a> {
    pub partner_id: &'a str,
    pub checksum: &'a str,
    pub encrypted: bool,
    pub compressed: bool,
    /// `gzip` when the sender's chunks are gzip-encoded, else empty.
    pub encoding: &'a str,
}

/// A report's link to the message it is about, with MESH's code and words.
#[derive(Debug, Clone, Copy)]
pub struct ReportOf<'a> {
    pub linked_message_id: Option<&'a str>,
    pub code: &'a str,
    pub text: &'a str,
}

/// A message about to be recorded: a file sent from a page or through the API (whole, or the
/// first of its chunks), or a report.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub message_id: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub environment: Environment,
    pub workflow_id: &'a str,
    pub message_type: MessageKind,
    pub subject: &'a str,
    pub local_id: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub mex: MexContent<'a>,
    /// How many chunks were announced (1 for a whole file or a report).
    pub chunk_count: i64,
    /// The content's key (of the first chunk when there are more), its size and SHA-256; no key
    /// for a report.
    pub content_key: Option<&'a str>,
    pub size_bytes: i64,
    pub sha256: &'a str,
    /// Accepted (delivered), or uploading (the first of several chunks).
    pub status: MessageStatus,
    /// The account that sent it from the web pages.
    pub sent_by: Option<&'a str>,
    pub report: Option<ReportOf<'a>>,
    pub expires_at: i64,
}

/// How a report's content type is recorded (it has no content).
const REPORT_CONTENT_TYPE: &str = "application/octet-stream";

impl<'a> NewMessage<'a> {
    /// A report (it has no content) from `sender` to `recipient`, about `workflow_id`; with no
    /// subject, local ID or file name of its own.
    pub fn report(
        report_id: &'a str,
        sender: &'a str,
        recipient: &'a str,
        environment: Environment,
        workflow_id: &'a str,
        report: ReportOf<'a>,
        expires_at: i64,
    ) -> Self {
        NewMessage {
            message_id: report_id,
            sender,
            recipient,
            environment,
            workflow_id,
            message_type: MessageKind::Report,
            subject: "",
            local_id: "",
            file_name: "",
            content_type: REPORT_CONTENT_TYPE,
            mex: MexContent::default(),
            chunk_count: 1,
            content_key: None,
            size_bytes: 0,
            sha256: "",
            status: MessageStatus::Accepted,
            sent_by: None,
            report: Some(report),
            expires_at,
        }
    }

    /// The non-delivery report for `original`, to its sender, with its subject and local ID:
    /// `code` and `text` are MESH's.
    pub fn report_on(
        report_id: &'a str,
        original: &'a MessageRow,
        code: &'a str,
        text: &'a str,
        expires_at: i64,
    ) -> Self {
        let about = ReportOf {
            linked_message_id: Some(&original.message_id),
            code,
            text,
        };
        NewMessage {
            subject: &original.subject,
            local_id: &original.local_id,
            ..Self::report(
                report_id,
                &original.recipient,
                &original.sender,
                original.environment,
                &original.workflow_id,
                about,
                expires_at,
            )
        }
    }
}

/// Records a message (with its first chunk, kept as a chunk of its own only when more are to
/// come). One that is `accepted` is delivered: from now on its recipient sees it.
pub async fn insert(conn: &mut AnyConnection, m: &NewMessage<'_>, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
         message_type, subject, local_id, file_name, content_type, partner_id, content_checksum, \
         content_encrypted, content_compressed, content_encoding, chunk_count, chunks_received, \
         content_key, size_bytes, sha256, status, sent_by, linked_message_id, report_code, \
         report_text, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, \
         $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
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
    .bind(m.mex.partner_id)
    .bind(m.mex.checksum)
    .bind(i64::from(m.mex.encrypted))
    .bind(i64::from(m.mex.compressed))
    .bind(m.mex.encoding)
    .bind(m.chunk_count)
    .bind(m.content_key)
    .bind(m.size_bytes)
    .bind(m.sha256)
    .bind(m.status)
    .bind(m.sent_by)
    .bind(m.report.and_then(|r| r.linked_message_id))
    .bind(m.report.map(|r| r.code))
    .bind(m.report.map(|r| r.text))
    .bind(now)
    .bind(m.expires_at)
    .execute(&mut *conn)
    .await?;
    if m.chunk_count > 1
        && let Some(key) = m.content_key
    {
        insert_chunk(conn, m.message_id, 1, key, m.size_bytes, m.sha256).await?;
    }
    Ok(())
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

/// For each mailbox linked to `user_id`: (Mailbox ID, files in its inbox not yet downloaded, of
/// those the ones removed before `due_before`).
pub async fn inbox_counts(
    conn: &mut AnyConnection,
    user_id: &str,
    due_before: i64,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as::<Any, (String, i64, i64)>(
        "SELECT um.mailbox_id, \
         COUNT(g.message_id), \
         COALESCE(SUM(CASE WHEN g.expires_at <= $2 THEN 1 ELSE 0 END), 0) \
         FROM user_mailboxes um \
         LEFT JOIN messages g ON g.recipient = um.mailbox_id AND g.status = 'accepted' \
         WHERE um.user_id = $1 GROUP BY um.mailbox_id",
    )
    .bind(user_id)
    .bind(due_before)
    .fetch_all(conn)
    .await
}

/// What the send rules need, read in one statement: the sender's mailbox and registration for
/// the workflow, the recipient's (absent when there is no such mailbox), and the workflow's
/// catalogue entry (absent when it is not in the catalogue).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendFactsRow {
    pub sender_environment: Environment,
    pub sender_status: MailboxStatus,
    pub sender_ods_code: String,
    pub sender_direction: Option<Direction>,
    pub recipient_environment: Option<Environment>,
    pub recipient_status: Option<MailboxStatus>,
    pub recipient_direction: Option<Direction>,
    pub workflow_status: Option<WorkflowStatus>,
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
) -> sqlx::Result<Option<(model::catalogue::WorkflowStatus, i64, i64)>> {
    sqlx::query_as::<Any, (model::catalogue::WorkflowStatus, i64, i64)>(
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
    pub message_type: MessageKind,
    pub subject: String,
    pub local_id: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub status: MessageStatus,
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

/// Keeps where a chunk is.
pub async fn insert_chunk(
    conn: &mut AnyConnection,
    message_id: &str,
    chunk_number: i64,
    content_key: &str,
    size_bytes: i64,
    sha256: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO message_chunks (message_id, chunk_number, content_key, size_bytes, sha256) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(message_id)
    .bind(chunk_number)
    .bind(content_key)
    .bind(size_bytes)
    .bind(sha256)
    .execute(conn)
    .await
    .map(drop)
}

/// Counts chunk `number` of an uploading message in (and, when it is the last, delivers the
/// message, whose 5 days start now, with the SHA-256 of its whole content as stored); `false`
/// when another request got there first.
pub async fn advance_upload(
    conn: &mut AnyConnection,
    message_id: &str,
    number: i64,
    size_bytes: i64,
    whole_sha256: Option<&str>,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE messages SET chunks_received = $2, size_bytes = size_bytes + $3, \
         sha256 = COALESCE($4, sha256), \
         status = CASE WHEN chunk_count = $2 THEN 'accepted' ELSE status END, \
         created_at = CASE WHEN chunk_count = $2 THEN $5 ELSE created_at END, \
         expires_at = CASE WHEN chunk_count = $2 THEN $6 ELSE expires_at END \
         WHERE message_id = $1 AND status = 'uploading' AND chunks_received = $2 - 1",
    )
    .bind(message_id)
    .bind(number)
    .bind(size_bytes)
    .bind(whole_sha256)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored chunk.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChunkRow {
    pub chunk_number: i64,
    pub content_key: String,
    pub size_bytes: i64,
}

/// The chunks of a message sent through the API, in order (none for one sent from a page).
pub async fn chunks(conn: &mut AnyConnection, message_id: &str) -> sqlx::Result<Vec<ChunkRow>> {
    sqlx::query_as::<Any, ChunkRow>(
        "SELECT chunk_number, content_key, size_bytes FROM message_chunks \
         WHERE message_id = $1 ORDER BY chunk_number",
    )
    .bind(message_id)
    .fetch_all(conn)
    .await
}

/// One chunk.
pub async fn chunk(
    conn: &mut AnyConnection,
    message_id: &str,
    number: i64,
) -> sqlx::Result<Option<ChunkRow>> {
    sqlx::query_as::<Any, ChunkRow>(
        "SELECT chunk_number, content_key, size_bytes FROM message_chunks \
         WHERE message_id = $1 AND chunk_number = $2",
    )
    .bind(message_id)
    .bind(number)
    .fetch_optional(conn)
    .await
}

/// How the inbox is read: the messages waiting for `recipient`, oldest first, after a point,
/// narrowed by workflow.
#[derive(Debug, Clone)]
pub struct InboxQuery<'a> {
    pub recipient: &'a str,
    /// A `LIKE` pattern (escape `\`) and whether it is negated.
    pub workflow: Option<(String, bool)>,
    /// The (created_at, message_id) of the last message already listed.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// Messages waiting to be collected: (message ID, created at).
pub async fn inbox(
    conn: &mut AnyConnection,
    q: &InboxQuery<'_>,
) -> sqlx::Result<Vec<(String, i64)>> {
    let workflow = match &q.workflow {
        None => "",
        Some((_, false)) => "AND workflow_id LIKE $2 ESCAPE '\\' ",
        Some((_, true)) => "AND workflow_id NOT LIKE $2 ESCAPE '\\' ",
    };
    let (after_at, after_id) = q.after.clone().unwrap_or((i64::MIN, String::new()));
    sqlx::query_as::<Any, (String, i64)>(&format!(
        "SELECT message_id, created_at FROM messages \
         WHERE recipient = $1 AND status = 'accepted' {workflow}\
         AND (created_at > $3 OR (created_at = $3 AND message_id > $4)) \
         ORDER BY created_at, message_id LIMIT $5"
    ))
    .bind(q.recipient)
    .bind(q.workflow.as_ref().map(|(p, _)| p.as_str()).unwrap_or(""))
    .bind(after_at)
    .bind(after_id)
    .bind(q.limit)
    .fetch_all(conn)
    .await
}

/// How many messages wait for `recipient`.
pub async fn inbox_count(conn: &mut AnyConnection, recipient: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>(
        "SELECT COUNT(*) FROM messages WHERE recipient = $1 AND status = 'accepted'",
    )
    .bind(recipient)
    .fetch_one(conn)
    .await
}

/// Deletes the messages of `mailbox` (sent or received), or of every mailbox outside Live, with
/// their chunks; returns the content keys they had, to be removed from the content store.
pub async fn reset_messages(
    conn: &mut AnyConnection,
    mailbox: Option<&str>,
) -> sqlx::Result<Vec<String>> {
    let which = "SELECT message_id FROM messages WHERE environment <> 'live' \
                 AND ($1 = '' OR sender = $1 OR recipient = $1)";
    let mailbox = mailbox.unwrap_or("");
    let mut keys: Vec<String> = sqlx::query_scalar::<Any, String>(&format!(
        "SELECT content_key FROM message_chunks WHERE message_id IN ({which})"
    ))
    .bind(mailbox)
    .fetch_all(&mut *conn)
    .await?;
    keys.extend(
        sqlx::query_scalar::<Any, String>(&format!(
            "SELECT content_key FROM messages WHERE content_key IS NOT NULL \
             AND message_id IN ({which})"
        ))
        .bind(mailbox)
        .fetch_all(&mut *conn)
        .await?,
    );
    keys.sort();
    keys.dedup();
    for statement in [
        format!("DELETE FROM message_chunks WHERE message_id IN ({which})"),
        format!(
            "UPDATE messages SET linked_message_id = NULL WHERE linked_message_id IN ({which})"
        ),
        format!("DELETE FROM messages WHERE message_id IN ({which})"),
    ] {
        sqlx::query::<Any>(&statement)
            .bind(mailbox)
            .execute(&mut *conn)
            .await?;
    }
    Ok(keys)
}

/// Keeps a small content with its message's row.
pub async fn insert_small_content(
    conn: &mut AnyConnection,
    content_key: &str,
    bytes: &[u8],
) -> sqlx::Result<()> {
    sqlx::query::<Any>("INSERT INTO small_contents (content_key, bytes) VALUES ($1, $2)")
        .bind(content_key)
        .bind(bytes.to_vec())
        .execute(conn)
        .await
        .map(drop)
}

/// A small content's bytes.
pub async fn small_content(
    conn: &mut AnyConnection,
    content_key: &str,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar::<Any, Vec<u8>>("SELECT bytes FROM small_contents WHERE content_key = $1")
        .bind(content_key)
        .fetch_optional(conn)
        .await
}

/// Forgets a small content (nothing happens when there is none).
pub async fn delete_small_content(conn: &mut AnyConnection, content_key: &str) -> sqlx::Result<()> {
    sqlx::query::<Any>("DELETE FROM small_contents WHERE content_key = $1")
        .bind(content_key)
        .execute(conn)
        .await
        .map(drop)
}

/// The messages `sender` sent with local ID `local_id` (reports excluded), at most `limit`,
/// newest first.
pub async fn sent_with_local_id(
    conn: &mut AnyConnection,
    sender: &str,
    local_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT message_id FROM messages WHERE sender = $1 AND local_id = $2 \
         AND message_type <> 'report' ORDER BY created_at DESC, message_id DESC LIMIT $3",
    )
    .bind(sender)
    .bind(local_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}
