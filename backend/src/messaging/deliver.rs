//! Delivering a message, the one way for the web pages and the MESH API alike: the message's
//! row, its content's keeping (a small content written beside the row, or the store's upload
//! forgotten) and its audit entry are one transaction. A message is delivered (or, the first of
//! several chunks, waits for the rest) exactly when that transaction commits; when it does not,
//! the content goes too, so a refused or failed send leaves nothing behind.

use super::RETENTION_DAYS;
use crate::AppState;
use crate::audit::{self, Actor, Event};
use crate::content::incoming::{Received, discard, keep};
use crate::db::messages::{self as repo, MessageRow, NewMessage};

/// Records `message`, whose content was received under `key`, with the audit entry `event` by
/// `actor`, at `now`.
pub async fn deliver(
    state: &AppState,
    message: &NewMessage<'_>,
    (key, received): (&str, &Received),
    actor: &Actor,
    event: Event<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let recorded = async {
        let mut tx = state.db.begin().await?;
        repo::insert(&mut tx, message, now).await?;
        keep(&mut tx, key, received).await?;
        audit::record(&mut tx, actor, event, now).await?;
        tx.commit().await
    }
    .await;
    if recorded.is_err() {
        discard(state, key, received).await;
    }
    recorded
}

/// Records chunk `number` of `message` (uploading through the MESH API), received under `key`:
/// when it is the last, the message is delivered, its days starting now, with the SHA-256 of its
/// whole content, and `event` is audited. `false` when another request recorded the chunk first;
/// the content received here then goes, as it does when recording fails.
pub async fn deliver_chunk(
    state: &AppState,
    message: &MessageRow,
    number: i64,
    (key, received): (&str, &Received),
    whole_sha256: Option<&str>,
    (actor, event): (&Actor, Option<Event<'_>>),
    now: i64,
) -> Result<bool, sqlx::Error> {
    let stored = received.stored();
    let recorded = async {
        let mut tx = state.db.begin().await?;
        let expires_at = now + RETENTION_DAYS * 86_400;
        let size = stored.size as i64;
        let id = message.message_id.as_str();
        if !repo::advance_upload(&mut tx, id, number, size, whole_sha256, now, expires_at).await? {
            return Ok(false);
        }
        repo::insert_chunk(&mut tx, id, number, key, size, &stored.sha256).await?;
        keep(&mut tx, key, received).await?;
        if let Some(event) = event {
            audit::record(&mut tx, actor, event, now).await?;
        }
        tx.commit().await.map(|()| true)
    }
    .await;
    if !matches!(recorded, Ok(true)) {
        discard(state, key, received).await;
    }
    recorded
}
