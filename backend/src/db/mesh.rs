//! SQL for the MESH API: credentials and used tokens, messages sent in chunks, the inbox as the
//! API pages it, and lookups of receiving mailboxes.

use sqlx::{Any, AnyConnection};

/// A mailbox's status and sealed API password.
pub async fn api_credentials(
    conn: &mut AnyConnection,
    mailbox_id: &str,
) -> sqlx::Result<Option<(String, Option<String>)>> {
    sqlx::query_as::<Any, (String, Option<String>)>(
        "SELECT status, api_password_sealed FROM mailboxes WHERE mailbox_id = $1",
    )
    .bind(mailbox_id)
    .fetch_optional(conn)
    .await
}

/// Records a token's use; `false` when it was used before.
pub async fn use_nonce(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    nonce: &str,
    nonce_count: i64,
    keep_until: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "INSERT INTO api_nonces (mailbox_id, nonce, nonce_count, keep_until) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(mailbox_id)
    .bind(nonce)
    .bind(nonce_count)
    .bind(keep_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets tokens that could no longer be accepted anyway.
pub async fn purge_nonces(conn: &mut AnyConnection, now: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query::<Any>("DELETE FROM api_nonces WHERE keep_until < $1")
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// A message sent through the API, as its first chunk is stored.
#[derive(Debug, Clone)]
pub struct NewApiMessage<'a> {
    pub message_id: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub environment: &'a str,
    pub workflow_id: &'a str,
    pub subject: &'a str,
    pub local_id: &'a str,
    pub partner_id: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub checksum: &'a str,
    pub encrypted: bool,
    pub compressed: bool,
    pub content_encoding: &'a str,
    pub chunk_count: i64,
    /// The first chunk's key, size and SHA-256.
    pub content_key: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    /// `accepted` (delivered) for a message of one chunk, `uploading` for the first of several.
    pub status: &'a str,
    pub expires_at: i64,
}

/// Inserts a message sent through the API with its first chunk (kept as a chunk of its own only
/// when more are to come).
pub async fn insert_message(
    conn: &mut AnyConnection,
    m: &NewApiMessage<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
         message_type, subject, local_id, partner_id, file_name, content_type, content_checksum, \
         content_encrypted, content_compressed, content_encoding, chunk_count, chunks_received, \
         size_bytes, sha256, content_key, status, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 'data', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, \
         $16, $17, $18, $19, $20, $21)",
    )
    .bind(m.message_id)
    .bind(m.sender)
    .bind(m.recipient)
    .bind(m.environment)
    .bind(m.workflow_id)
    .bind(m.subject)
    .bind(m.local_id)
    .bind(m.partner_id)
    .bind(m.file_name)
    .bind(m.content_type)
    .bind(m.checksum)
    .bind(i64::from(m.encrypted))
    .bind(i64::from(m.compressed))
    .bind(m.content_encoding)
    .bind(m.chunk_count)
    .bind(m.size_bytes)
    .bind(m.sha256)
    .bind(m.content_key)
    .bind(m.status)
    .bind(now)
    .bind(m.expires_at)
    .execute(&mut *conn)
    .await?;
    // A message of one chunk is like one sent from the pages: its content is under its own key.
    if m.chunk_count > 1 {
        insert_chunk(conn, m.message_id, 1, m.content_key, m.size_bytes, m.sha256).await?;
    }
    Ok(())
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

/// What lookups and tracking say of a mailbox: (Mailbox ID, organisation name, ODS code,
/// environment, status).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxInfo {
    pub mailbox_id: String,
    pub name: String,
    pub ods_code: String,
    pub environment: String,
    pub status: String,
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

/// A report put in a mailbox's inbox (by the sandbox's admin endpoint).
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub report_id: &'a str,
    pub mailbox: &'a str,
    pub environment: &'a str,
    pub workflow_id: &'a str,
    pub subject: &'a str,
    pub local_id: &'a str,
    pub file_name: &'a str,
    pub linked_message_id: Option<&'a str>,
    pub code: &'a str,
    pub text: &'a str,
    pub expires_at: i64,
}

/// Puts a report in `mailbox`'s inbox (from the mailbox itself: a report has no other sender).
pub async fn insert_report(
    conn: &mut AnyConnection,
    r: &NewReport<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
         message_type, subject, local_id, file_name, size_bytes, status, linked_message_id, \
         report_code, report_text, created_at, expires_at) \
         VALUES ($1, $2, $2, $3, $4, 'report', $5, $6, $7, 0, 'accepted', $8, $9, $10, $11, $12)",
    )
    .bind(r.report_id)
    .bind(r.mailbox)
    .bind(r.environment)
    .bind(r.workflow_id)
    .bind(r.subject)
    .bind(r.local_id)
    .bind(r.file_name)
    .bind(r.linked_message_id)
    .bind(r.code)
    .bind(r.text)
    .bind(now)
    .bind(r.expires_at)
    .execute(conn)
    .await
    .map(drop)
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
