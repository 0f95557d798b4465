//! What is known of a message's whole file while it arrives through the API, chunk after chunk
//! (each chunk a request of its own, perhaps to another instance): the SHA-256 of the content as
//! stored, and, for gzip content, whether the stream the chunks form when joined is sound gzip.
//!
//! A client may compress the whole file and then cut it into chunks (one gzip member running
//! across requests), or compress each chunk on its own (a member per chunk): either way the
//! joined stream is one or more whole gzip members and nothing else, which is what every download
//! that decodes it needs. It is checked as it arrives, so a broken stream is refused by the
//! request that breaks it, and the last chunk is refused if the stream is cut short.
//!
//! The state of a message being uploaded is kept in memory by the instance that took its last
//! chunk ([`InProgress`]); an instance that does not have it (another took the chunk before, or
//! it restarted) reads the chunks stored so far again to rebuild it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use compression_codecs::core::util::{PartialBuffer, WriteBuffer};
use compression_codecs::{DecodeV2, GzipDecoder};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::content::store::StorageError;
use crate::db::messages::MessageRow;

/// Why a gzip stream is not sound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadGzip(pub String);

/// Checks a gzip stream fed piece by piece: one or more whole members, nothing after them.
pub struct GzipCheck {
    decoder: GzipDecoder,
    /// The last member ended, and nothing has come after it yet.
    member_ended: bool,
    /// Bytes fed so far.
    fed: u64,
    /// Where decoded bytes go to be forgotten.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for GzipCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GzipCheck")
            .field("member_ended", &self.member_ended)
            .field("fed", &self.fed)
            .finish_non_exhaustive()
    }
}

impl Default for GzipCheck {
    fn default() -> Self {
        Self {
            decoder: GzipDecoder::new(),
            member_ended: false,
            fed: 0,
            scratch: vec![0; 32 * 1024],
        }
    }
}

impl GzipCheck {
    /// Decodes `bytes` (and forgets what they decode to); refuses the first byte that cannot
    /// belong to a gzip stream.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), BadGzip> {
        let mut input = PartialBuffer::new(bytes);
        while !input.unwritten().is_empty() {
            if self.member_ended {
                // More after a member: it must be another member.
                self.decoder.reinit().map_err(|e| bad(self.fed, &e))?;
                self.member_ended = false;
            }
            let before = input.written_len();
            let mut output = WriteBuffer::new_initialized(&mut self.scratch);
            let ended = self
                .decoder
                .decode(&mut input, &mut output)
                .map_err(|e| bad(self.fed + before as u64, &e))?;
            if ended {
                self.member_ended = true;
            } else if input.written_len() == before && output.written_len() == 0 {
                return Err(BadGzip(format!(
                    "the gzip stream cannot be decoded past byte {}",
                    self.fed + before as u64
                )));
            }
        }
        self.fed += bytes.len() as u64;
        Ok(())
    }

    /// Says whether the stream ended where a member ends.
    pub fn finish(mut self) -> Result<(), BadGzip> {
        if self.fed == 0 {
            return Err(BadGzip("the gzip stream is empty".into()));
        }
        // Decoded bytes the decoder still holds, then the end of the member.
        while !self.member_ended {
            let mut input = PartialBuffer::new(&[][..]);
            let mut output = WriteBuffer::new_initialized(&mut self.scratch);
            let ended = self
                .decoder
                .decode(&mut input, &mut output)
                .map_err(|e| bad(self.fed, &e))?;
            if ended {
                self.member_ended = true;
            } else if output.written_len() == 0 {
                return Err(BadGzip(format!(
                    "the gzip stream is cut short: it ends inside a member after {} bytes",
                    self.fed
                )));
            }
        }
        Ok(())
    }
}

fn bad(at: u64, error: &std::io::Error) -> BadGzip {
    BadGzip(format!(
        "the content is not valid gzip at byte {at}: {error}"
    ))
}

/// A message's whole file so far: its chunks `1..=through`, hashed and (for gzip) checked.
#[derive(Debug)]
pub struct WholeFile {
    sha256: Sha256,
    gzip: Option<GzipCheck>,
    through: i64,
    /// Why the last piece fed was refused, if it was.
    refused: Option<BadGzip>,
}

impl WholeFile {
    /// Before the first chunk, for content that is (or is not) gzip.
    pub fn new(gzip: bool) -> Self {
        Self {
            sha256: Sha256::new(),
            gzip: gzip.then(GzipCheck::default),
            through: 0,
            refused: None,
        }
    }

    /// Takes in the next bytes of the file; `false` once they broke its gzip.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        if self.refused.is_some() {
            return false;
        }
        if let Some(check) = &mut self.gzip
            && let Err(bad) = check.feed(bytes)
        {
            self.refused = Some(bad);
            return false;
        }
        self.sha256.update(bytes);
        true
    }

    /// Why the bytes fed broke the file's gzip, if they did.
    pub fn refused(&self) -> Option<&BadGzip> {
        self.refused.as_ref()
    }

    /// Notes that chunk `number` has been taken in whole.
    pub fn chunk_done(&mut self, number: i64) {
        self.through = number;
    }

    pub fn through(&self) -> i64 {
        self.through
    }

    /// The file is complete: its SHA-256 (hex), or why its gzip is not sound.
    pub fn finish(self) -> Result<String, BadGzip> {
        if let Some(bad) = self.refused {
            return Err(bad);
        }
        if let Some(check) = self.gzip {
            check.finish()?;
        }
        Ok(hex(&self.sha256.finalize()))
    }

    /// Wraps a request's body so that every byte of it is fed in as it is read; a byte that
    /// breaks the gzip ends the body with an error (see [`WholeFile::refused`]).
    pub fn tap<'a, S, E>(
        &'a mut self,
        body: S,
    ) -> impl futures_util::Stream<Item = Result<bytes::Bytes, TapError<E>>> + Send + Unpin + 'a
    where
        S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Send + Unpin + 'a,
        E: std::fmt::Display + 'a,
    {
        body.map(move |item| match item {
            Ok(bytes) if self.feed(&bytes) => Ok(bytes),
            Ok(_) => Err(TapError::BadGzip),
            Err(error) => Err(TapError::Body(error)),
        })
    }
}

/// Why a tapped body ended early.
#[derive(Debug)]
pub enum TapError<E> {
    Body(E),
    BadGzip,
}

impl<E: std::fmt::Display> std::fmt::Display for TapError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TapError::Body(error) => error.fmt(f),
            TapError::BadGzip => f.write_str("the content is not valid gzip"),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// At most this many messages' states are kept; past it the one touched longest ago goes (and
/// is rebuilt from its chunks should its next chunk come).
const KEPT: usize = 256;

/// The states of the messages this instance is taking chunks of.
#[derive(Debug, Default)]
pub struct InProgress {
    files: Mutex<HashMap<String, (Instant, WholeFile)>>,
}

impl InProgress {
    /// Takes out the state of `message` if it is up to date (it has every chunk received so far),
    /// or rebuilds it from the chunks stored.
    pub async fn take(
        &self,
        state: &AppState,
        message: &MessageRow,
    ) -> Result<WholeFile, RebuildError> {
        let kept = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&message.message_id)
            .map(|(_, file)| file);
        match kept {
            Some(file) if file.through == message.chunks_received => Ok(file),
            _ => rebuild(state, message).await,
        }
    }

    /// Keeps the state of `message_id` for its next chunk.
    pub fn keep(&self, message_id: &str, file: WholeFile) {
        let mut files = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if files.len() >= KEPT
            && !files.contains_key(message_id)
            && let Some(oldest) = files
                .iter()
                .min_by_key(|(_, (touched, _))| *touched)
                .map(|(id, _)| id.clone())
        {
            files.remove(&oldest);
        }
        files.insert(message_id.to_owned(), (Instant::now(), file));
    }

    /// Forgets `message_id` (complete, refused or removed).
    pub fn forget(&self, message_id: &str) {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(message_id);
    }
}

/// Why a message's state could not be rebuilt from its stored chunks.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error("a stored chunk could not be read: {0}")]
    Storage(#[from] StorageError),
    #[error("the chunks stored could not be listed: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    BadGzip(#[from] BadGzip),
}

/// Reads chunks `1..=chunks_received` of `message` in order and feeds them in.
async fn rebuild(state: &AppState, message: &MessageRow) -> Result<WholeFile, RebuildError> {
    let gzip = crate::content::ContentEncoding::from_stored(&message.content_encoding)
        == crate::content::ContentEncoding::Gzip;
    let mut file = WholeFile::new(gzip);
    for number in 1..=message.chunks_received {
        let key = crate::content::outgoing::stored_chunk_key(state, message, number)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("chunk {number}")))?;
        let mut content = crate::content::open(state, &key).await?;
        while let Some(bytes) = content.bytes.next().await {
            if !file.feed(&bytes?) {
                let bad = file.refused.take();
                return Err(bad
                    .unwrap_or_else(|| BadGzip("the content is not valid gzip".into()))
                    .into());
            }
        }
        file.chunk_done(number);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::{GzipCheck, WholeFile};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn check(pieces: &[&[u8]]) -> Result<(), String> {
        let mut check = GzipCheck::default();
        for piece in pieces {
            check.feed(piece).map_err(|e| e.0)?;
        }
        check.finish().map_err(|e| e.0)
    }

    /// Text that compresses well but not to nothing (so the stream has several deflate blocks).
    fn sample(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| b"MESH portal test data "[i % 22] ^ ((i / 997) as u8 & 3))
            .collect()
    }

    #[test]
    fn whole_gzip_streams_pass_however_they_are_cut() {
        let data = gzip(&sample(300_000));
        assert_eq!(check(&[&data]), Ok(()));
        assert!(data.len() > 1000, "several deflate blocks");
        for cut in [1, 10, 11, 1000, data.len() - 8, data.len() - 1] {
            assert_eq!(check(&[&data[..cut], &data[cut..]]), Ok(()), "cut at {cut}");
        }
        let pieces: Vec<&[u8]> = data.chunks(7).collect();
        assert_eq!(check(&pieces), Ok(()), "seven bytes at a time");
    }

    #[test]
    fn several_members_one_after_another_pass() {
        let mut data = gzip(b"first chunk, compressed on its own");
        data.extend(gzip(b"second chunk"));
        assert_eq!(check(&[&data]), Ok(()));
    }

    #[test]
    fn broken_gzip_is_refused_with_where_it_broke() {
        let data = gzip(&sample(50_000));
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("cut short", data[..data.len() / 2].to_vec()),
            ("trailer missing", data[..data.len() - 8].to_vec()),
            ("header only", data[..10].to_vec()),
            ("half a header", data[..4].to_vec()),
            ("junk after the end", [&data[..], b"junk"].concat()),
            ("zeros after the end", [&data[..], &[0u8; 16][..]].concat()),
            ("not gzip at all", b"plain text, not compressed".to_vec()),
            ("a wrong CRC", {
                let mut d = data.clone();
                let at = d.len() - 8;
                d[at] ^= 0xff;
                d
            }),
            ("corrupt deflate data", {
                let mut d = data.clone();
                for b in &mut d[20..60] {
                    *b = 0xff;
                }
                d
            }),
        ];
        for (case, bytes) in cases {
            let result = check(&[&bytes]);
            assert!(result.is_err(), "{case}: {result:?}");
        }
        assert!(check(&[]).is_err(), "nothing at all");
    }

    #[test]
    fn the_whole_files_digest_is_of_every_chunk_in_order() {
        use sha2::Digest;
        let data = sample(100_000);
        let packed = gzip(&data);
        let mut file = WholeFile::new(true);
        for (i, chunk) in packed.chunks(30_000).enumerate() {
            assert!(file.feed(chunk));
            file.chunk_done(i as i64 + 1);
        }
        let expected: String = sha2::Sha256::digest(&packed)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(file.finish(), Ok(expected));
    }

    #[test]
    fn a_file_whose_gzip_broke_takes_nothing_more() {
        let mut file = WholeFile::new(true);
        assert!(!file.feed(b"not gzip"));
        assert!(!file.feed(&gzip(b"fine")));
        assert!(file.refused().is_some());
        assert!(file.finish().is_err());
    }

    #[test]
    fn plain_content_is_only_hashed() {
        let mut file = WholeFile::new(false);
        assert!(file.feed(b"not gzip, and not meant to be"));
        assert!(file.finish().is_ok());
    }
}
