//! A message's content, in one place: the keys it is kept under, the small contents kept in the
//! database beside their message's row and the rest in the content store ([`store`]),
//! receiving it ([`incoming`]: the upload noted before its first byte), reading it back
//! ([`outgoing`]: one chunk for an API client, the whole file for the pages), and removing what a
//! stopped process left half-written ([`sweeper`]).

pub mod incoming;
pub mod outgoing;
pub mod store;
pub mod sweeper;

use bytes::Bytes;
use futures_util::StreamExt;

use crate::AppState;
use crate::content::store::{Content, StorageError};
use crate::db::messages as repo;

/// Where a message's content is kept when it is one piece (sent from a page, or through the API
/// in one chunk; a small one is kept in the database under this key with [`IN_DATABASE`] before
/// it).
pub fn message_key(message_id: &str) -> String {
    format!("messages/{message_id}")
}

/// How the key of a content kept in the database (a small one sent through the API) begins;
/// every other key is the content store's.
pub const IN_DATABASE: &str = "db:";

/// Opens the content under `key`, wherever it is kept.
pub async fn open(state: &AppState, key: &str) -> Result<Content, StorageError> {
    if !key.starts_with(IN_DATABASE) {
        return state.storage.get(key).await;
    }
    let failed = |e: sqlx::Error| StorageError::Failed(e.to_string());
    let mut conn = state.db.pool.acquire().await.map_err(failed)?;
    let bytes = repo::small_content(&mut conn, key)
        .await
        .map_err(failed)?
        .ok_or_else(|| StorageError::NotFound(key.to_owned()))?;
    Ok(Content {
        size: bytes.len() as u64,
        bytes: futures_util::stream::once(std::future::ready(Ok(Bytes::from(bytes)))).boxed(),
    })
}

/// Removes the content under `key`, wherever it is kept (nothing happens when there is none).
pub async fn remove(state: &AppState, key: &str) -> Result<(), StorageError> {
    if !key.starts_with(IN_DATABASE) {
        return state.storage.delete(key).await;
    }
    let failed = |e: sqlx::Error| StorageError::Failed(e.to_string());
    let mut conn = state.db.pool.acquire().await.map_err(failed)?;
    repo::delete_small_content(&mut conn, key)
        .await
        .map_err(failed)
}

/// Where chunk `number` of a message sent through the API is kept: beside the web pages' files,
/// not in a folder per message (whose new entry would need syncing too).
pub fn chunk_key(message_id: &str, number: i64) -> String {
    format!("messages/{message_id}-{number}")
}

/// How a message's chunks are encoded, on the wire and as stored (every chunk alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentEncoding {
    Identity,
    Gzip,
}

impl ContentEncoding {
    /// As stored with the message.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "gzip",
        }
    }

    pub fn from_stored(text: &str) -> Self {
        if text == "gzip" {
            Self::Gzip
        } else {
            Self::Identity
        }
    }
}
