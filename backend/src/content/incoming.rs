//! Receiving a message's content: streamed into the content store under a key noted in
//! `uploads` first (so that a crash leaves nothing for ever), or, when it is small, read into
//! memory to be kept with its message's row.

use bytes::Bytes;
use futures_util::Stream;

use super::IN_DATABASE;
use crate::AppState;
use crate::content::store::{Stored, sha256_hex};
use crate::db::{messages, uploads as repo};
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
) -> Result<Stored, NotStored>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    use crate::content::store::PutError;
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

/// Contents of at most this many bytes are kept in the database, written in the transaction that
/// records the message (most messages are small: a file, its fsync, its folder's fsync and the
/// upload's notes cost more than the rest of the send).
pub const SMALL_CONTENT_BYTES: usize = 64 * 1024;

/// A request's content, received.
pub enum Received {
    /// Small: to be kept with the message's row.
    Small { bytes: Vec<u8>, stored: Stored },
    /// In the content store, its upload noted until the row is written.
    InStore(Stored),
}

impl Received {
    /// Its size and SHA-256.
    pub fn stored(&self) -> &Stored {
        match self {
            Received::Small { stored, .. } | Received::InStore(stored) => stored,
        }
    }
}

/// Reads a request's body, at most `limit` bytes: a small one into memory, a larger one into
/// the content store under `key`. Returns the key the content goes under.
pub async fn receive<S, E>(
    state: &AppState,
    key: &str,
    mut body: S,
    limit: u64,
) -> Result<(String, Received), NotStored>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    let mut first: Vec<Bytes> = Vec::new();
    let mut size = 0usize;
    while size <= SMALL_CONTENT_BYTES {
        match body.next().await {
            None => {
                if size == 0 {
                    return Err(NotStored::Empty);
                }
                let mut bytes = Vec::with_capacity(size);
                for chunk in &first {
                    bytes.extend_from_slice(chunk);
                }
                let stored = Stored {
                    size: size as u64,
                    sha256: sha256_hex(&bytes),
                };
                return Ok((
                    format!("{IN_DATABASE}{key}"),
                    Received::Small { bytes, stored },
                ));
            }
            Some(Err(error)) => return Err(NotStored::Broken(error.to_string())),
            Some(Ok(chunk)) => {
                size += chunk.len();
                if size as u64 > limit {
                    return Err(NotStored::TooLarge);
                }
                first.push(chunk);
            }
        }
    }
    let read = futures_util::stream::iter(first.into_iter().map(Ok)).chain(body);
    let stored = store_content(state, key, read, limit).await?;
    Ok((key.to_owned(), Received::InStore(stored)))
}

/// Keeps what was received with the message's row (a small content), or forgets its upload.
pub async fn keep(
    conn: &mut sqlx::AnyConnection,
    key: &str,
    received: &Received,
) -> sqlx::Result<()> {
    match received {
        Received::Small { bytes, .. } => messages::insert_small_content(conn, key, bytes).await,
        Received::InStore(_) => repo::end_upload(conn, key).await,
    }
}

/// Removes what was received when its message could not be recorded, and forgets its upload
/// (should that fail, the uploads sweeper forgets it). A small content went with the
/// transaction that was not committed.
pub async fn discard(state: &AppState, key: &str, received: &Received) {
    if let Received::InStore(_) = received {
        let _ = state.storage.delete(key).await;
        if let Ok(mut conn) = state.db.pool.acquire().await {
            let _ = repo::end_upload(&mut conn, key).await;
        }
    }
}
