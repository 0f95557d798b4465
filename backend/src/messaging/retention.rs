//! Retention: a message not collected 5 days after delivery is removed, and its sender gets a
//! non-delivery report in their inbox; a collected message's content is deleted after the same
//! time (its record stays, so sent items still say it was downloaded). Any number of instances
//! may run this at once: each message is claimed before it is worked on, and each step can be
//! done again after a crash without doing it twice.

use std::time::Duration;

use super::RETENTION_DAYS;
use super::send::message_id_at;
use crate::AppState;
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::messages::{self as repo, NewMessage};

/// MESH's code and words for a message its recipient did not collect.
pub const NOT_COLLECTED_CODE: &str = "14";
pub const NOT_COLLECTED_TEXT: &str = "Message not collected by the recipient after 5 days";
/// Messages worked on per pass.
const BATCH: i64 = 200;
/// How long a claim keeps other workers off a message.
const CLAIM_SECONDS: i64 = 300;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub expired: usize,
    /// Chunked sends through the API abandoned before their last chunk.
    pub unfinished: usize,
    pub contents_deleted: usize,
}

/// One pass: expire what waited too long (with its report), then delete contents past their time.
pub async fn pass(state: &AppState) -> Result<Pass, sqlx::Error> {
    let now = state.clock.now();
    let mut done = Pass::default();
    {
        let mut conn = state.db.pool.acquire().await?;
        done.unfinished = repo::expire_unfinished(&mut conn, now).await? as usize;
    }
    let due = {
        let mut conn = state.db.pool.acquire().await?;
        repo::due_to_expire(&mut conn, now, BATCH).await?
    };
    for message_id in due {
        let mut conn = state.db.pool.acquire().await?;
        if !repo::claim(&mut conn, &message_id, now, now + CLAIM_SECONDS).await? {
            continue;
        }
        drop(conn);
        let mut tx = state.db.begin().await?;
        let Some(original) = repo::by_id(&mut tx, &message_id).await? else {
            continue;
        };
        if !repo::expire(&mut tx, &message_id, now).await? {
            continue;
        }
        let report_id = message_id_at(now);
        let report = NewMessage::report_on(
            &report_id,
            &original,
            NOT_COLLECTED_CODE,
            NOT_COLLECTED_TEXT,
            now + RETENTION_DAYS * 86_400,
        );
        repo::insert(&mut tx, &report, now).await?;
        audit::record(
            &mut tx,
            &Actor::system(),
            Event {
                action: "message.expire",
                subject: format!("message:{message_id}"),
                outcome: Outcome::Success,
                detail: format!(
                    "not collected by {}; report {report_id} to {}",
                    original.recipient, original.sender
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        done.expired += 1;
        // This worker holds the claim: the content goes now.
        if let Some(key) = &original.content_key
            && delete_content(state, &message_id, key, now).await?
        {
            done.contents_deleted += 1;
        }
    }
    let to_delete = {
        let mut conn = state.db.pool.acquire().await?;
        repo::content_to_delete(&mut conn, now, BATCH).await?
    };
    for (message_id, key) in to_delete {
        let mut conn = state.db.pool.acquire().await?;
        if !repo::claim(&mut conn, &message_id, now, now + CLAIM_SECONDS).await? {
            continue;
        }
        drop(conn);
        if delete_content(state, &message_id, &key, now).await? {
            done.contents_deleted += 1;
        }
    }
    if done != Pass::default() {
        tracing::info!(
            expired = done.expired,
            unfinished = done.unfinished,
            contents_deleted = done.contents_deleted,
            "retention pass"
        );
    }
    Ok(done)
}

/// Deletes a message's content, then notes it; `false` when the store refused (tried again next
/// pass) or it was already noted. Deleted first, noted after: a crash between the two deletes it
/// again, harmlessly.
async fn delete_content(
    state: &AppState,
    message_id: &str,
    key: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // A message sent through the MESH API has a key per chunk (the first is `key`).
    let mut keys = vec![key.to_owned()];
    {
        let mut conn = state.db.pool.acquire().await?;
        for chunk in crate::db::messages::chunks(&mut conn, message_id).await? {
            if chunk.content_key != key {
                keys.push(chunk.content_key);
            }
        }
    }
    for key in &keys {
        if let Err(error) = crate::content::remove(state, key).await {
            tracing::warn!(%error, message.id = %message_id, "content not deleted yet");
            return Ok(false);
        }
    }
    let mut conn = state.db.pool.acquire().await?;
    repo::content_deleted(&mut conn, message_id, now).await
}

/// Runs passes for the life of the process, one a minute.
pub async fn run(state: AppState) {
    loop {
        if let Err(error) = pass(&state).await {
            tracing::warn!(%error, "retention pass");
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
