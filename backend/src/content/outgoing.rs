//! A message's content as it is read back: one chunk for an API client (gzip as stored, decoded,
//! or compressed on the way, as the client accepts), or the whole file for the web pages (every
//! chunk in order, decoded).

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};

use super::{ContentEncoding, open};
use crate::AppState;
use crate::content::store::StorageError;
use crate::db::messages::{self as repo, MessageRow};

/// Bytes on their way out.
pub struct Outgoing {
    pub bytes: BoxStream<'static, Result<Bytes, StorageError>>,
    /// Known unless the bytes are being (de)compressed on the way.
    pub length: Option<u64>,
    pub gzip: bool,
}

fn to_io(
    stream: BoxStream<'static, Result<Bytes, StorageError>>,
) -> impl tokio::io::AsyncBufRead + Send {
    tokio_util::io::StreamReader::new(stream.map_err(std::io::Error::other))
}

fn from_io(
    reader: impl tokio::io::AsyncRead + Send + 'static,
) -> BoxStream<'static, Result<Bytes, StorageError>> {
    tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024)
        .map_err(|e| StorageError::Failed(e.to_string()))
        .boxed()
}

/// Gzip-decodes a stream (one gzip member or several). A stream that does not decode ends with
/// [`StorageError::Damaged`]; the store's own failures come through as they are.
pub fn gunzip(
    stream: BoxStream<'static, Result<Bytes, StorageError>>,
) -> BoxStream<'static, Result<Bytes, StorageError>> {
    /// The store's error, carried through the decoder's `io::Error` to come out unchanged.
    #[derive(Debug, thiserror::Error)]
    #[error(transparent)]
    struct FromStore(StorageError);

    let reader =
        tokio_util::io::StreamReader::new(stream.map_err(|e| std::io::Error::other(FromStore(e))));
    let mut decoder = async_compression::tokio::bufread::GzipDecoder::new(reader);
    decoder.multiple_members(true);
    tokio_util::io::ReaderStream::with_capacity(decoder, 64 * 1024)
        .map_err(|error| {
            if error.get_ref().is_some_and(|inner| inner.is::<FromStore>()) {
                match error
                    .into_inner()
                    .map(|inner| inner.downcast::<FromStore>())
                {
                    Some(Ok(from_store)) => from_store.0,
                    _ => StorageError::Failed("content store".into()),
                }
            } else {
                StorageError::Damaged(error.to_string())
            }
        })
        .boxed()
}

/// Gzip-encodes a stream, favouring speed.
pub fn gzip(
    stream: BoxStream<'static, Result<Bytes, StorageError>>,
) -> BoxStream<'static, Result<Bytes, StorageError>> {
    from_io(
        async_compression::tokio::bufread::GzipEncoder::with_quality(
            to_io(stream),
            async_compression::Level::Fastest,
        ),
    )
}

/// Logs a stream's failure (the answer's status has gone out by then: the client sees the
/// body cut off, and the log says why).
fn logged(
    stream: BoxStream<'static, Result<Bytes, StorageError>>,
    message_id: &str,
) -> BoxStream<'static, Result<Bytes, StorageError>> {
    let message_id = message_id.to_owned();
    stream
        .inspect_err(move |error| {
            tracing::error!(%error, message.id = %message_id, "download failed: the content could not be read whole");
        })
        .boxed()
}

/// Where chunk `number` of a message is: the message's own key for the first (or only) chunk,
/// the chunk's row for the others; `None` once the content is deleted.
pub async fn stored_chunk_key(
    state: &AppState,
    message: &MessageRow,
    number: i64,
) -> Result<Option<String>, sqlx::Error> {
    match &message.content_key {
        None => return Ok(None),
        Some(key) if number == 1 => return Ok(Some(key.clone())),
        Some(_) => {}
    }
    let mut conn = state.db.pool.acquire().await?;
    Ok(repo::chunk(&mut conn, &message.message_id, number)
        .await?
        .map(|chunk| chunk.content_key))
}

/// Chunk `key` of `message` for a client that does (or does not) take gzip, and may be sent
/// gzip it did not ask to be compressed (version 2 clients, as MESH does).
pub async fn chunk_for_client(
    state: &AppState,
    message: &MessageRow,
    key: &str,
    accepts_gzip: bool,
    compress_plain: bool,
) -> Result<Outgoing, StorageError> {
    let content = open(state, key).await?;
    let stored = ContentEncoding::from_stored(&message.content_encoding);
    Ok(match (stored, accepts_gzip) {
        (ContentEncoding::Gzip, true) => Outgoing {
            bytes: content.bytes,
            length: Some(content.size),
            gzip: true,
        },
        (ContentEncoding::Gzip, false) => Outgoing {
            bytes: logged(gunzip(content.bytes), &message.message_id),
            length: None,
            gzip: false,
        },
        (ContentEncoding::Identity, true) if compress_plain => Outgoing {
            bytes: gzip(content.bytes),
            length: None,
            gzip: true,
        },
        (ContentEncoding::Identity, _) => Outgoing {
            bytes: content.bytes,
            length: Some(content.size),
            gzip: false,
        },
    })
}

/// The whole file of a message, decoded, for the web pages: every chunk in order.
pub async fn whole(state: &AppState, message: &MessageRow) -> Result<Outgoing, StorageError> {
    let chunks = {
        let mut conn = state
            .db
            .pool
            .acquire()
            .await
            .map_err(|e| StorageError::Failed(e.to_string()))?;
        repo::chunks(&mut conn, &message.message_id)
            .await
            .map_err(|e| StorageError::Failed(e.to_string()))?
    };
    let keys: Vec<String> = if chunks.is_empty() {
        message.content_key.iter().cloned().collect()
    } else {
        chunks.into_iter().map(|c| c.content_key).collect()
    };
    let gzipped = ContentEncoding::from_stored(&message.content_encoding) == ContentEncoding::Gzip;
    // The first chunk is opened now, so that a missing one is an error before anything is sent.
    let mut keys = keys.into_iter();
    let Some(first_key) = keys.next() else {
        return Err(StorageError::NotFound(message.message_id.clone()));
    };
    let first = open(state, &first_key).await?;
    let rest: Vec<String> = keys.collect();
    // The stored size is the file's, unless it is decoded on the way.
    let length = (!gzipped).then_some(message.size_bytes as u64);
    let state = state.clone();
    let later = futures_util::stream::iter(rest)
        .then(move |key| {
            let state = state.clone();
            async move { open(&state, &key).await.map(|c| c.bytes) }
        })
        .try_flatten();
    let joined = first.bytes.chain(later).boxed();
    // Decoded joined: a gzip member may run across chunks (a file compressed, then cut).
    Ok(Outgoing {
        bytes: if gzipped { gunzip(joined) } else { joined },
        length,
        gzip: false,
    })
}
