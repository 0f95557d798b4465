//! The inbox through the API: listing what waits (oldest first, in pages with an opaque
//! `continue_from`), counting it, downloading a message chunk by chunk with its `Mex-*` headers,
//! and acknowledging it. A message acknowledged here shows as downloaded on the web pages, and
//! one collected from a page is no longer listed here.

use serde_json::{Value, json};

use super::headers::WorkflowFilter;
use super::{ApiVersion, MeshError, http_date, mesh_timestamp};
use crate::AppState;
use crate::audit::{self, Event, Outcome};
use crate::content::outgoing::{Outgoing, chunk_for_client};
use crate::db::messages::{self as repo, InboxQuery, MessageRow};
use model::catalogue::encode_query_value;
use model::messaging::MessageKind;
use model::messaging::MessageStatus;

/// Page sizes the inbox takes, and the one it gives unasked.
pub const MIN_RESULTS: i64 = 10;
pub const MAX_RESULTS: i64 = 5000;
pub const DEFAULT_RESULTS: i64 = 500;

/// The inbox listing's query string, as given.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListParams {
    pub max_results: Option<String>,
    pub continue_from: Option<String>,
    pub workflow_filter: Option<String>,
}

/// A version 2 `continue_from`: where a page ended, sealed so that it cannot be forged or read,
/// and still good after a restart.
pub fn page_token(state: &AppState, created_at: i64, message_id: &str) -> String {
    state
        .secret_key
        .seal(format!("{created_at}:{message_id}").as_bytes())
}

/// The point a `continue_from` names; `None` when it is not one of ours.
pub fn read_page_token(state: &AppState, token: &str) -> Option<(i64, String)> {
    let plain = String::from_utf8(state.secret_key.open(token).ok()?).ok()?;
    let (at, id) = plain.split_once(':')?;
    Some((at.parse().ok()?, id.to_owned()))
}

/// One page of the inbox, in the version asked for.
pub async fn list(
    state: &AppState,
    mailbox: &str,
    version: ApiVersion,
    params: &ListParams,
) -> Result<Value, MeshError> {
    let max_results = match params.max_results.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_RESULTS,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (MIN_RESULTS..=MAX_RESULTS).contains(n))
            .ok_or_else(|| {
                MeshError::bad_request(format!(
                    "max_results must be a number from {MIN_RESULTS} to {MAX_RESULTS}"
                ))
            })?,
    };
    let filter_text = params.workflow_filter.clone().unwrap_or_default();
    let filter = WorkflowFilter::parse(&filter_text)?;
    let mut conn = state.db.pool.acquire().await?;
    let after = match params.continue_from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(token) => Some(match version {
            ApiVersion::V2 => read_page_token(state, token).ok_or_else(|| {
                MeshError::bad_request("continue_from is not a token this service gave")
            })?,
            // Version 1 continues from the last message ID seen.
            ApiVersion::V1 => {
                let seen = crate::db::messages::by_id(&mut conn, token)
                    .await?
                    .filter(|m| m.recipient == mailbox)
                    .ok_or_else(|| {
                        MeshError::bad_request("continue_from is not a message of this inbox")
                    })?;
                (seen.created_at, seen.message_id)
            }
        }),
    };
    let mut rows = repo::inbox(
        &mut conn,
        &InboxQuery {
            recipient: mailbox,
            workflow: filter.as_ref().map(|f| (f.like_pattern(), f.negated)),
            after,
            limit: max_results + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > max_results;
    rows.truncate(max_results as usize);
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    if version == ApiVersion::V1 {
        return Ok(json!({ "messages": ids }));
    }
    let count = repo::inbox_count(&mut conn, mailbox).await?;
    let mut query = Vec::new();
    if max_results != DEFAULT_RESULTS {
        query.push(format!("max_results={max_results}"));
    }
    if filter.is_some() {
        query.push(format!(
            "workflow_filter={}",
            encode_query_value(filter_text.trim())
        ));
    }
    let path = |query: &[String]| {
        let base = format!("/messageexchange/{}/inbox", encode_query_value(mailbox));
        if query.is_empty() {
            base
        } else {
            format!("{base}?{}", query.join("&"))
        }
    };
    let mut links = json!({ "self": path(&query) });
    if more && let Some((id, at)) = rows.last() {
        query.push(format!(
            "continue_from={}",
            encode_query_value(&page_token(state, *at, id))
        ));
        links["next"] = path(&query).into();
    }
    Ok(json!({ "messages": ids, "links": links, "approx_inbox_count": count }))
}

/// How many messages wait, in the version asked for.
pub async fn count(
    state: &AppState,
    mailbox: &str,
    version: ApiVersion,
) -> Result<Value, MeshError> {
    let mut conn = state.db.pool.acquire().await?;
    let count = repo::inbox_count(&mut conn, mailbox).await?;
    Ok(match version {
        ApiVersion::V2 => json!({ "count": count }),
        ApiVersion::V1 => json!({
            "count": count,
            "internalID": format!("{mailbox}_{}", mesh_timestamp(state.clock.now())),
            "allResultsIncluded": true,
        }),
    })
}

/// A downloaded chunk (or a `HEAD`): status 200, or 206 while more chunks follow; the headers;
/// the bytes.
pub struct Download {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub content_type: String,
    pub body: Option<Outgoing>,
}

/// What a client may ask of a message's chunk.
#[derive(Debug, Clone, Copy)]
pub struct DownloadRequest<'a> {
    pub message_id: &'a str,
    pub chunk: i64,
    /// `HEAD`: the headers only (the sender may ask too, whatever the message's status).
    pub head_only: bool,
    pub accepts_gzip: bool,
    pub version: ApiVersion,
}

/// Chunk `chunk` of a message in `mailbox`'s inbox.
pub async fn download(
    state: &AppState,
    mailbox: &str,
    request: DownloadRequest<'_>,
) -> Result<Download, MeshError> {
    let id = request.message_id;
    let message = {
        let mut conn = state.db.pool.acquire().await?;
        crate::db::messages::by_id(&mut conn, id).await?
    }
    .ok_or_else(|| MeshError::no_such_message(id))?;
    let recipient = message.recipient == mailbox;
    let sender_looking = request.head_only && message.sender == mailbox;
    if !recipient && !sender_looking {
        return Err(
            MeshError::new(403, "RECEIVE", "", "This message is not in this mailbox").about(id),
        );
    }
    let report = message.message_type == MessageKind::Report;
    if recipient && !sender_looking {
        match message.status {
            MessageStatus::Accepted => {}
            MessageStatus::Acknowledged => {
                return Err(MeshError::new(
                    410,
                    "RECEIVE",
                    "",
                    "The message was acknowledged: it cannot be downloaded again",
                )
                .about(id));
            }
            _ => {
                return Err(
                    MeshError::new(410, "RECEIVE", "", "The message is not available").about(id),
                );
            }
        }
    }
    let total = if report { 0 } else { message.chunk_count };
    if !report && !(1..=total).contains(&request.chunk) {
        return Err(MeshError::no_such_message(id));
    }
    let mut headers = mex_headers(&message, request.chunk.max(1), total);
    let content_type = if request.version == ApiVersion::V2 && total == 1 {
        message.content_type.clone()
    } else {
        "application/octet-stream".to_owned()
    };
    let status = if request.chunk < total { 206 } else { 200 };
    if report || request.head_only {
        return Ok(Download {
            status,
            headers,
            content_type,
            body: None,
        });
    }
    let gone =
        || MeshError::new(410, "RECEIVE", "", "The message's content has been removed").about(id);
    let key = crate::content::outgoing::stored_chunk_key(state, &message, request.chunk)
        .await?
        .ok_or_else(gone)?;
    let body = chunk_for_client(
        state,
        &message,
        &key,
        request.accepts_gzip,
        request.version == ApiVersion::V2,
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, message.id = %id, "content missing or unreadable");
        MeshError::unavailable()
    })?;
    if body.gzip
        && !headers
            .iter()
            .any(|(name, _)| *name == "Mex-Content-Compressed")
    {
        headers.push(("Mex-Content-Compressed", "Y".to_owned()));
    }
    Ok(Download {
        status,
        headers,
        content_type,
        body: Some(body),
    })
}

/// A message's `Mex-*` headers for chunk `chunk` of `total`, empty ones left out.
pub fn mex_headers(m: &MessageRow, chunk: i64, total: i64) -> Vec<(&'static str, String)> {
    let report = m.message_type == MessageKind::Report;
    let mut headers = vec![
        ("Mex-From", m.sender.clone()),
        ("Mex-To", m.recipient.clone()),
        ("Mex-WorkflowID", m.workflow_id.clone()),
        ("Mex-Chunk-Range", format!("{chunk}:{total}")),
        ("Mex-Total-Chunks", total.to_string()),
        ("Mex-AddressType", "ALL".to_owned()),
        ("Mex-LocalID", m.local_id.clone()),
        ("Mex-PartnerID", m.partner_id.clone()),
        (
            "Mex-FileName",
            if m.file_name.is_empty() && !report {
                format!("{}.dat", m.message_id)
            } else {
                m.file_name.clone()
            },
        ),
        ("Mex-Subject", m.subject.clone()),
        ("Mex-Version", "1.0".to_owned()),
        (
            "Mex-MessageType",
            if report { "REPORT" } else { "DATA" }.to_owned(),
        ),
        ("Mex-MessageID", m.message_id.clone()),
    ];
    if report {
        headers.extend([
            (
                "Mex-LinkedMsgID",
                m.linked_message_id.clone().unwrap_or_default(),
            ),
            ("Mex-StatusCode", m.report_code.clone().unwrap_or_default()),
            ("Mex-StatusEvent", "TRANSFER".to_owned()),
            (
                "Mex-StatusDescription",
                m.report_text.clone().unwrap_or_default(),
            ),
            ("Mex-StatusSuccess", "ERROR".to_owned()),
        ]);
    } else {
        headers.extend([
            ("Mex-StatusCode", "00".to_owned()),
            ("Mex-StatusEvent", "TRANSFER".to_owned()),
            (
                "Mex-StatusDescription",
                "Transferred to recipient mailbox".to_owned(),
            ),
            ("Mex-StatusSuccess", "SUCCESS".to_owned()),
        ]);
    }
    headers.extend([
        ("Mex-StatusTimestamp", mesh_timestamp(m.created_at)),
        (
            "Mex-Content-Compressed",
            if m.content_compressed != 0 { "Y" } else { "" }.to_owned(),
        ),
        (
            "Mex-Content-Encrypted",
            if m.content_encrypted != 0 { "Y" } else { "" }.to_owned(),
        ),
        ("Mex-Content-Checksum", m.content_checksum.clone()),
        (
            "Mex-Content-Type",
            if report {
                String::new()
            } else {
                m.content_type.clone()
            },
        ),
        (
            "Last-Modified",
            http_date(m.acknowledged_at.unwrap_or(m.created_at)),
        ),
    ]);
    headers.retain(|(_, value)| !value.is_empty());
    headers
}

/// Acknowledges a message in `mailbox`'s inbox: it leaves the inbox (and shows as downloaded on
/// the web pages). Acknowledging again changes nothing.
pub async fn acknowledge(
    state: &AppState,
    mailbox: &str,
    message_id: &str,
    client_addr: &str,
) -> Result<(), MeshError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // The usual case first, in one statement; the message is read only to say why not.
    if !crate::db::messages::acknowledge(&mut tx, message_id, mailbox, None, now).await? {
        let message = crate::db::messages::by_id(&mut tx, message_id)
            .await?
            .ok_or_else(|| MeshError::no_such_message(message_id))?;
        if message.recipient != mailbox {
            return Err(
                MeshError::new(403, "RECEIVE", "", "This message is not in this mailbox")
                    .about(message_id),
            );
        }
        // Collected before (or expired): acknowledging again changes nothing.
        return Ok(());
    }
    audit::record(
        &mut tx,
        &super::outbox::actor(mailbox, client_addr),
        Event {
            action: "message.acknowledge",
            subject: format!("message:{message_id}"),
            outcome: Outcome::Success,
            detail: format!("through the MESH API by {mailbox}"),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(MeshError::from)
}
