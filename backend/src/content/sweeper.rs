//! Uploads a stopped process left behind. Each instance notes itself in `instances` and says it
//! is alive every few seconds; each upload is noted in `uploads` before its first byte is
//! written and forgotten when it ends. An upload whose instance has not been seen for
//! [`GONE_AFTER_SECONDS`] will never finish: whatever is under its key is removed. A local folder
//! belongs to one instance, so at start every upload noted, and every unfinished file, is from a
//! process that stopped, and all of them go at once.

use std::time::Duration;

use crate::AppState;
use crate::content::store::StorageError;
use crate::db::uploads as repo;

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
