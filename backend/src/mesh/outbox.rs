//! Sending through the API: the first request (the whole message, or chunk 1 of `n`), the
//! chunks after it, in order, and tracking what was sent. The web pages' send rules apply, with
//! MESH's codes: 12 for a recipient that cannot receive here, 16 for a workflow the sender may
//! not send, 17 for one the recipient is not registered for; 02 for an empty body.

use bytes::Bytes;
use futures_util::Stream;
use serde_json::{Value, json};

use super::headers::{ChunkRange, SendHeaders, invalid_chunks};
use super::whole_file::{BadGzip, RebuildError, WholeFile};
use super::{ApiVersion, MAX_CHUNK_BYTES, MeshError, iso_timestamp, mesh_timestamp};
use crate::AppState;
use crate::audit::{Actor, Event, Outcome};
use crate::content::incoming::{NotStored, discard, receive};
use crate::content::{ContentEncoding, chunk_key};
use crate::db::mailboxes::{MailboxInfo, mailbox_info};
use crate::db::messages::{self as repo, MessageRow, MexContent, NewMessage};
use crate::messaging::RETENTION_DAYS;
use crate::messaging::deliver::{deliver, deliver_chunk};
use crate::messaging::retention::NOT_COLLECTED_TEXT;
use crate::messaging::send::{gather_facts, message_id_at};
use model::common::MailboxStatus;
use model::common::{AccessRoute, Environment};
use model::error::AppError;
use model::messaging::MessageKind;
use model::messaging::{MessageStatus, MessageType, SendFacts, send_refusals};

/// Who acts through the API, for the audit log.
pub fn actor(mailbox_id: &str, client_addr: &str) -> Actor {
    Actor {
        id: format!("mailbox:{mailbox_id}"),
        access_route: "api".to_owned(),
        client_addr: client_addr.to_owned(),
    }
}

/// MESH's answer to a send the rules refuse: the status, code and words (the web pages' words).
/// `relaxed` (sandbox mode, as mesh-sandbox) asks only that the recipient can receive here:
/// any mailbox may send any workflow.
pub fn refusal(facts: &SendFacts, relaxed: bool) -> Option<MeshError> {
    let mut refusals = send_refusals(facts);
    if relaxed {
        let reachable = facts
            .recipient
            .as_ref()
            .is_some_and(|r| r.active && r.environment == facts.sender.environment);
        refusals.retain(|r| r.field_id == "recipient" && !reachable);
    }
    let words = |field: &str| {
        refusals
            .iter()
            .find(|r| r.field_id == field)
            .map(|r| r.message.clone())
    };
    let first = refusals.first()?.message.clone();
    let unreachable = match &facts.recipient {
        None => true,
        Some(r) => !r.active || r.environment != facts.sender.environment,
    };
    let (code, description) = match (words("recipient"), words("workflow_id")) {
        (Some(text), _) if unreachable => ("12", text),
        (_, Some(text)) => ("16", text),
        (Some(text), None) => ("17", text),
        (None, None) => ("16", first),
    };
    Some(MeshError::new(417, "SEND", code, description))
}

/// Sends a message (or the first of its chunks) from `sender`; returns its ID.
pub async fn send<S, E>(
    state: &AppState,
    sender: &str,
    client_addr: &str,
    headers: &SendHeaders,
    encoding: ContentEncoding,
    body: S,
) -> Result<String, MeshError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    // The API is not tied to a route: its rules are those of HSCN, which allows the most.
    let facts = gather_facts(
        state,
        sender,
        AccessRoute::Hscn,
        MessageType::Data,
        &headers.to,
        &headers.workflow_id,
    )
    .await
    .map_err(|error| match error {
        AppError::NotFound(_) => MeshError::forbidden(),
        _ => MeshError::unavailable(),
    })?;
    let relaxed = super::relaxes(state, facts.sender.environment);
    if let Some(refused) = refusal(&facts, relaxed) {
        return Err(refused);
    }
    let now = state.clock.now();
    let message_id = message_id_at(now);
    let limit = MAX_CHUNK_BYTES.min(state.config.mesh.max_message_bytes);
    let single = headers.total_chunks == 1;
    let gzip = encoding == ContentEncoding::Gzip;
    // A plain message of one chunk needs nothing more than the store's own digest.
    let mut whole = (gzip || !single).then(|| WholeFile::new(gzip));
    let key = chunk_key(&message_id, 1);
    let received = match whole.as_mut() {
        Some(file) => receive(state, &key, file.tap(body), limit).await,
        None => receive(state, &key, body, limit).await,
    };
    let (key, received) =
        received.map_err(|e| not_stored(e, whole.as_ref(), limit, &message_id))?;
    if single && let Some(file) = whole.take() {
        if let Err(bad) = file.finish() {
            discard(state, &key, &received).await;
            return Err(gzip_refused(&bad, &message_id));
        }
    } else if let Some(file) = whole.as_mut() {
        file.chunk_done(1);
    }
    let stored = received.stored();
    let message = NewMessage {
        message_id: &message_id,
        sender,
        recipient: &headers.to,
        environment: facts.sender.environment,
        workflow_id: &headers.workflow_id,
        message_type: MessageKind::Data,
        subject: &headers.subject,
        local_id: &headers.local_id,
        file_name: &headers.file_name,
        content_type: &headers.content_type,
        mex: MexContent {
            partner_id: &headers.partner_id,
            checksum: &headers.checksum,
            encrypted: headers.encrypted,
            compressed: headers.compressed,
            encoding: encoding.as_str(),
        },
        chunk_count: headers.total_chunks,
        content_key: Some(&key),
        size_bytes: stored.size as i64,
        sha256: &stored.sha256,
        status: if single {
            MessageStatus::Accepted
        } else {
            MessageStatus::Uploading
        },
        sent_by: None,
        report: None,
        expires_at: now + RETENTION_DAYS * 86_400,
    };
    let event = Event {
        action: if single {
            "message.send"
        } else {
            "message.send_chunk"
        },
        subject: format!("message:{message_id}"),
        outcome: Outcome::Success,
        detail: format!(
            "through the MESH API from {sender} to {}, {}, chunk 1 of {}, {} bytes",
            headers.to, headers.workflow_id, headers.total_chunks, stored.size
        ),
    };
    deliver(
        state,
        &message,
        (&key, &received),
        &actor(sender, client_addr),
        event,
        now,
    )
    .await?;
    if let Some(file) = whole {
        state.chunked_sends.keep(&message_id, file);
    }
    tracing::info!(message.id = %message_id, mailbox.id = %sender, chunks = headers.total_chunks, "message sent through the API");
    Ok(message_id)
}

/// MESH's answer to content sent as gzip that is not (nothing of the request is kept).
fn gzip_refused(bad: &BadGzip, message_id: &str) -> MeshError {
    tracing::info!(message.id = %message_id, reason = %bad, "gzip content refused");
    MeshError::new(
        400,
        "SEND",
        "",
        format!("Content-Encoding is gzip, but {bad}"),
    )
    .about(message_id)
}

/// MESH's answer to a body that was not stored; `whole` says whether its gzip broke it off.
fn not_stored(
    error: NotStored,
    whole: Option<&WholeFile>,
    limit: u64,
    message_id: &str,
) -> MeshError {
    if let Some(bad) = whole.and_then(WholeFile::refused) {
        return gzip_refused(bad, message_id);
    }
    match error {
        NotStored::Empty => MeshError::new(
            417,
            "COLLECT",
            "02",
            "Data file is missing or inaccessible.",
        ),
        NotStored::TooLarge => MeshError::new(
            413,
            "SEND",
            "",
            format!("A request may carry at most {limit} bytes: send larger messages in chunks"),
        ),
        NotStored::Broken(_) => MeshError::bad_request("The request body did not arrive whole"),
        NotStored::Failed => MeshError::unavailable(),
    }
    .about(message_id)
}

/// What a chunk upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkOutcome {
    Stored,
    /// The chunk was stored before (a client's retry): nothing was read.
    AlreadyStored,
}

/// Whether chunk `number` (announced as `range`, encoded as `encoding`) from `sender` may be
/// stored now: an error to answer, `Some` outcome when there is nothing to do (a retry of a
/// stored chunk), `None` when it is the next chunk.
fn chunk_refusal(
    message: &MessageRow,
    sender: &str,
    number: i64,
    range: ChunkRange,
    encoding: ContentEncoding,
) -> Result<Option<ChunkOutcome>, MeshError> {
    let message_id = message.message_id.as_str();
    if message.sender != sender {
        return Err(
            MeshError::new(403, "SEND", "", "This message was sent by another mailbox")
                .about(message_id),
        );
    }
    if message.status != MessageStatus::Uploading {
        return Err(MeshError::new(
            423,
            "SEND",
            "",
            "The message is not being uploaded: it is complete",
        )
        .about(message_id));
    }
    if range.total != message.chunk_count || number > message.chunk_count {
        return Err(MeshError::new(
            406,
            "SEND",
            "",
            format!("The message has {} chunks", message.chunk_count),
        )
        .about(message_id));
    }
    if encoding.as_str() != message.content_encoding {
        return Err(
            MeshError::new(417, "SEND", "", "cannot change content encoding").about(message_id),
        );
    }
    if number <= message.chunks_received {
        return Ok(Some(ChunkOutcome::AlreadyStored));
    }
    if number != message.chunks_received + 1 {
        return Err(MeshError::new(
            417,
            "SEND",
            "",
            format!(
                "Chunks are sent in order: chunk {} is next",
                message.chunks_received + 1
            ),
        )
        .about(message_id));
    }
    Ok(None)
}

/// Uploads chunk `number` (2 to `n`, in order) of `message_id`, sent by `sender`.
#[expect(clippy::too_many_arguments, reason = "the parts of one HTTP request")]
pub async fn send_chunk<S, E>(
    state: &AppState,
    sender: &str,
    client_addr: &str,
    message_id: &str,
    number: i64,
    range: Option<&str>,
    encoding: ContentEncoding,
    body: S,
) -> Result<ChunkOutcome, MeshError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    let range = range
        .and_then(ChunkRange::parse)
        .filter(|r| r.number == number)
        .ok_or_else(|| invalid_chunks().about(message_id))?;
    let message = {
        let mut conn = state.db.pool.acquire().await?;
        crate::db::messages::by_id(&mut conn, message_id).await?
    }
    .ok_or_else(|| MeshError::new(404, "SEND", "20", "Message does not exist").about(message_id))?;
    if let Some(answer) = chunk_refusal(&message, sender, number, range, encoding)? {
        return Ok(answer);
    }
    let room = state
        .config
        .mesh
        .max_message_bytes
        .saturating_sub(message.size_bytes as u64);
    let limit = MAX_CHUNK_BYTES.min(room);
    // Taken out while this chunk arrives: put back only once it is recorded, so that a refused
    // or failed chunk leaves nothing of itself in it.
    let mut whole = match state.chunked_sends.take(state, &message).await {
        Ok(whole) => whole,
        Err(RebuildError::BadGzip(bad)) => return Err(gzip_refused(&bad, message_id)),
        Err(error) => {
            tracing::error!(%error, message.id = %message_id, "chunks stored so far unreadable");
            return Err(MeshError::unavailable().about(message_id));
        }
    };
    let key = chunk_key(message_id, number);
    let received = receive(state, &key, whole.tap(body), limit).await;
    let (key, received) = received.map_err(|e| not_stored(e, Some(&whole), limit, message_id))?;
    whole.chunk_done(number);
    let stored = received.stored();
    let now = state.clock.now();
    let last = number == message.chunk_count;
    let (sha256, whole) = if last {
        match whole.finish() {
            Ok(sha256) => (Some(sha256), None),
            Err(bad) => {
                discard(state, &key, &received).await;
                return Err(gzip_refused(&bad, message_id));
            }
        }
    } else {
        (None, Some(whole))
    };
    let event = last.then(|| Event {
        action: "message.send",
        subject: format!("message:{message_id}"),
        outcome: Outcome::Success,
        detail: format!(
            "through the MESH API from {sender} to {}, {}, {} chunks, {} bytes",
            message.recipient,
            message.workflow_id,
            message.chunk_count,
            message.size_bytes as u64 + stored.size
        ),
    });
    let recorded = deliver_chunk(
        state,
        &message,
        number,
        (&key, &received),
        sha256.as_deref(),
        (&actor(sender, client_addr), event),
        now,
    )
    .await;
    match recorded? {
        true => {
            if let Some(whole) = whole {
                state.chunked_sends.keep(message_id, whole);
            }
            Ok(ChunkOutcome::Stored)
        }
        // Another request stored this chunk meanwhile: this copy went.
        false => Ok(ChunkOutcome::AlreadyStored),
    }
}

/// The tracking of a message `mailbox` sent, in the version asked for; "not found" for any other
/// (as MESH answers, so that nobody learns of others' messages).
pub async fn tracking(
    state: &AppState,
    mailbox: &str,
    message_id: &str,
    version: ApiVersion,
) -> Result<Value, MeshError> {
    let mut conn = state.db.pool.acquire().await?;
    let message = crate::db::messages::by_id(&mut conn, message_id)
        .await?
        .filter(|m| m.sender == mailbox)
        .ok_or_else(|| {
            MeshError::new(404, "TRACK", "20", "Message does not exist").about(message_id)
        })?;
    let recipient = party(&mut conn, &message.recipient, message.environment).await?;
    let sender = party(&mut conn, &message.sender, message.environment).await?;
    Ok(tracking_body(&message, &sender, &recipient, version))
}

/// A party to a message (in `environment`, the message's). A mailbox is never deleted; should
/// one be missing, its ID alone is shown.
pub(super) async fn party(
    conn: &mut sqlx::AnyConnection,
    mailbox_id: &str,
    environment: Environment,
) -> sqlx::Result<MailboxInfo> {
    Ok(mailbox_info(conn, mailbox_id)
        .await?
        .unwrap_or_else(|| MailboxInfo {
            mailbox_id: mailbox_id.to_owned(),
            name: String::new(),
            ods_code: String::new(),
            environment,
            // Unknown here: never active.
            status: MailboxStatus::Suspended,
        }))
}

/// The tracking of the message `mailbox` sent with local ID `local_id`: MESH's older lookup,
/// always in version 1's shape. 404 when there is none, 300 when several messages share it.
pub async fn tracking_by_local_id(
    state: &AppState,
    mailbox: &str,
    local_id: &str,
) -> Result<Value, MeshError> {
    let found = {
        let mut conn = state.db.pool.acquire().await?;
        repo::sent_with_local_id(&mut conn, mailbox, local_id, 2).await?
    };
    match found.as_slice() {
        [] => Err(MeshError::new(404, "TRACK", "20", "Message does not exist")),
        [message_id] => tracking(state, mailbox, message_id, ApiVersion::V1).await,
        _ => Err(MeshError::new(
            300,
            "TRACK",
            "",
            "More than one message has this local ID: track it by its message ID",
        )),
    }
}

/// Where a message stands, in MESH's words: (status, success, event, code, description, when).
pub(super) fn status_of(
    m: &MessageRow,
) -> (&'static str, bool, &'static str, &'static str, String, i64) {
    match m.status {
        MessageStatus::Uploading => (
            "uploading",
            true,
            "UPLOAD",
            "",
            "Chunks are being uploaded".into(),
            m.created_at,
        ),
        MessageStatus::Acknowledged => (
            "acknowledged",
            true,
            "DOWNLOAD",
            "00",
            "Downloaded and acknowledged by the recipient".into(),
            m.acknowledged_at.unwrap_or(m.created_at),
        ),
        MessageStatus::Expired if m.chunks_received < m.chunk_count => (
            "error",
            false,
            "UPLOAD",
            "",
            "Not every chunk arrived within 5 days: the message was removed".into(),
            m.expired_at.unwrap_or(m.expires_at),
        ),
        MessageStatus::Expired => (
            "undeliverable",
            false,
            "TRANSFER",
            "14",
            NOT_COLLECTED_TEXT.into(),
            m.expired_at.unwrap_or(m.expires_at),
        ),
        MessageStatus::Accepted => (
            "accepted",
            true,
            "TRANSFER",
            "00",
            "Transferred to recipient mailbox".into(),
            m.created_at,
        ),
    }
}

/// `accepted` as version 1 and mesh-sandbox's admin views write it: `Accepted`.
pub(super) fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A message's tracking body.
pub fn tracking_body(
    m: &MessageRow,
    sender: &MailboxInfo,
    recipient: &MailboxInfo,
    version: ApiVersion,
) -> Value {
    let (status, success, event, code, description, at) = status_of(m);
    let file_name = if m.file_name.is_empty() {
        format!("{}.dat", m.message_id)
    } else {
        m.file_name.clone()
    };
    match version {
        ApiVersion::V2 => json!({
            "message_id": m.message_id,
            "local_id": m.local_id,
            "workflow_id": m.workflow_id,
            "filename": file_name,
            "expiry_time": iso_timestamp(m.expires_at),
            "upload_timestamp": iso_timestamp(m.created_at),
            "recipient": recipient.mailbox_id,
            "recipient_name": recipient.name,
            "recipient_ods_code": recipient.ods_code,
            "recipient_org_code": recipient.ods_code,
            "recipient_org_name": recipient.name,
            "status_success": success,
            "status": status,
            "status_event": event,
            "status_timestamp": iso_timestamp(at),
            "status_description": description,
            "status_code": code,
        }),
        ApiVersion::V1 => {
            let title = title_case(status);
            let flag = |on: i64| if on != 0 { "Y" } else { "" };
            json!({
                "addressType": "ALL",
                "checksum": m.content_checksum,
                "chunkCount": m.chunk_count,
                "compressFlag": flag(m.content_compressed),
                "contentEncoding": m.content_encoding,
                "downloadTimestamp": m.acknowledged_at.map(mesh_timestamp).unwrap_or_default(),
                "dtsId": m.message_id,
                "encryptedFlag": flag(m.content_encrypted),
                "expiryTime": mesh_timestamp(m.expires_at),
                "failureDate": if success { String::new() } else { mesh_timestamp(at) },
                "failureDiagnostic": if success { String::new() } else { description.clone() },
                "fileName": file_name,
                "fileSize": m.size_bytes,
                "isCompressed": flag(m.content_compressed),
                "linkedMsgId": m.linked_message_id,
                "localId": m.local_id,
                "meshRecipientOdsCode": recipient.ods_code,
                "messageId": m.message_id,
                "messageType": m.message_type.mesh_name(),
                "partnerId": m.partner_id,
                "recipient": recipient.mailbox_id,
                "recipientName": recipient.name,
                "recipientOrgCode": recipient.ods_code,
                "recipientOrgName": recipient.name,
                "recipientSmtp": "",
                "sender": sender.mailbox_id,
                "senderName": sender.name,
                "senderOdsCode": sender.ods_code,
                "senderOrgCode": sender.ods_code,
                "senderOrgName": sender.name,
                "senderSmtp": "",
                "status": title,
                "statusCode": code,
                "statusDescription": description,
                "statusEvent": event,
                "statusSuccess": if success { "SUCCESS" } else { "ERROR" },
                "statusTimestamp": mesh_timestamp(at),
                "subject": m.subject,
                "uploadTimestamp": mesh_timestamp(m.created_at),
                "version": "1.0",
                "workflowId": m.workflow_id,
            })
        }
    }
}
