//! Uploads a stopped process left behind. Each instance notes itself in `instances` and says it
//! is alive every few seconds; each upload is noted in `uploads` before its first byte is
//! written and forgotten when it ends. An upload whose instance has not been seen for
//! [`GONE_AFTER_SECONDS`] will never finish: whatever is under its key is removed. A local folder
//! belongs to one instance, so at start every upload noted, and every unfinished file, is from a
//! process that stopped, and all of them go at once.

use std::time::Duration;

use crate::AppState;
use crate::db::messages as repo;
use crate::storage::StorageError;

/// How often an instance says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// An instance not seen for this long has stopped.
pub const GONE_AFTER_SECONDS: i64 = 120;

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why content was not stored. In every case nothing is left under the key and the upload is
/// forgotten.
#[derive(Debug)]
pub enum NotStored {
    /// The body had no bytes.
    Empty,
    /// The body was longer than the limit.
    TooLarge,
    /// The body broke off (the client went away, or sent something malformed).
    Broken(String),
    /// The database or the content store failed (logged here).
    Failed,
}

/// Streams `body` into the content store under `key`, at most `limit` bytes, noting the upload
/// (and its S3 multipart upload) first so that a crash leaves nothing for ever. On success the
/// upload is still noted: the caller forgets it ([`repo::end_upload`]) in the transaction that
/// records the content, or removes the content and forgets it should that fail.
pub async fn store_content<S, E>(
    state: &AppState,
    key: &str,
    body: S,
    limit: u64,
) -> Result<crate::storage::Stored, NotStored>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    use crate::storage::PutError;
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, content.key = %key, "storing content failed");
        NotStored::Failed
    };
    {
        let mut conn = state.db.pool.acquire().await.map_err(|e| failed(&e))?;
        repo::begin_upload(&mut conn, key, &state.instance_id, state.clock.now())
            .await
            .map_err(|e| failed(&e))?;
    }
    let stored = match state.storage.begin_put(key).await {
        Ok(put) => {
            // Kept before a byte is written, so that after a crash the sweeper can abort it.
            if let Some(upload_id) = put.upload_id() {
                let noted = async {
                    let mut conn = state.db.pool.acquire().await?;
                    repo::note_upload_id(&mut conn, key, upload_id).await
                }
                .await;
                if let Err(error) = noted {
                    let _ = state.storage.abort_put(key, upload_id).await;
                    return Err(failed(&error));
                }
            }
            put.write(body, limit).await
        }
        Err(error) => Err(error),
    };
    let outcome = match stored {
        Ok(stored) if stored.size > 0 => return Ok(stored),
        Ok(_) => {
            let _ = state.storage.delete(key).await;
            NotStored::Empty
        }
        Err(PutError::TooLarge { .. }) => NotStored::TooLarge,
        Err(PutError::Body(error)) => {
            tracing::info!(%error, "upload broken off");
            NotStored::Broken(error)
        }
        Err(PutError::Storage(error)) => failed(&error),
    };
    // Nothing is under the key (the store saw to that, or it was empty and removed above).
    let mut conn = state.db.pool.acquire().await.map_err(|e| failed(&e))?;
    repo::end_upload(&mut conn, key)
        .await
        .map_err(|e| failed(&e))?;
    Err(outcome)
}

/// Says this instance is alive.
pub async fn heartbeat(state: &AppState) -> Result<(), sqlx::Error> {
    let mut conn = state.db.pool.acquire().await?;
    repo::heartbeat(&mut conn, &state.instance_id, state.clock.now()).await
}

/// Removes the content of uploads that will never finish, and forgets them; `at_start` with a
/// local folder takes every upload but this instance's own. Returns how many it removed.
pub async fn sweep(state: &AppState, at_start: bool) -> Result<usize, SweepError> {
    let local = state.storage.is_local();
    let seen_before = if at_start && local {
        i64::MAX
    } else {
        state.clock.now() - GONE_AFTER_SECONDS
    };
    let keys = {
        let mut conn = state.db.pool.acquire().await?;
        repo::abandoned_uploads(&mut conn, seen_before, &state.instance_id).await?
    };
    for (key, upload_id) in &keys {
        // An upload completed before its instance died has an object and nothing to abort.
        if let Some(upload_id) = upload_id
            && !state.storage.exists(key).await?
        {
            state.storage.abort_put(key, upload_id).await?;
        }
        state.storage.delete(key).await?;
        let mut conn = state.db.pool.acquire().await?;
        repo::end_upload(&mut conn, key).await?;
    }
    let unfinished = if at_start && local {
        state.storage.sweep_unfinished(Duration::ZERO).await?
    } else {
        0
    };
    if !keys.is_empty() || unfinished > 0 {
        tracing::info!(
            uploads = keys.len(),
            unfinished_files = unfinished,
            "removed what stopped uploads left"
        );
    }
    Ok(keys.len() + unfinished)
}

/// Runs for the life of the process: the heartbeat, and a sweep every minute.
pub async fn run(state: AppState) {
    // The start-up sweep has just run: the next one is a minute away.
    let mut beats: u32 = 1;
    loop {
        if let Err(error) = heartbeat(&state).await {
            tracing::warn!(%error, "instance heartbeat");
        }
        if beats.is_multiple_of(6)
            && let Err(error) = sweep(&state, false).await
        {
            tracing::warn!(%error, "sweeping stopped uploads");
        }
        beats = beats.wrapping_add(1);
        tokio::time::sleep(HEARTBEAT).await;
    }
}
