//! Where the content of messages is kept: a folder under the data folder, or an S3-compatible
//! bucket. Content arrives as a stream and is written as it arrives, counted and hashed on the
//! way, and refused the moment it passes its size limit; an upload that fails or is refused
//! leaves nothing behind under its key. An object exists under its key only once it is whole and
//! durable (a local file is synced and then renamed into place; an S3 object is put, or its
//! multipart upload completed, only at the end), so whoever finds it may use it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use sha2::{Digest, Sha256};

/// Bytes held in memory at most per upload to S3 before a part is sent: S3's smallest part.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once (memory per upload is about this many parts).
const S3_PARTS_IN_FLIGHT: usize = 2;
/// Bytes of an upload gathered into one batch for the threads that hash and write it.
const LOCAL_WRITE_BYTES: usize = 1024 * 1024;
/// The folder, inside a local store, where uploads are written until they are whole.
const INCOMING: &str = ".incoming";

/// An S3 secret; it never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Secret(pub String);

impl std::fmt::Debug for S3Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("S3Secret(redacted)")
    }
}

/// Where content goes, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// A folder on this machine.
    Local(PathBuf),
    /// An S3-compatible bucket, with the prefix every key goes under.
    S3 {
        bucket: String,
        prefix: String,
        /// The service's address, such as `https://s3.eu-west-2.amazonaws.com` or
        /// `http://127.0.0.1:9000`; AWS's own when `None`.
        endpoint: Option<String>,
        region: String,
        access_key_id: String,
        secret_access_key: S3Secret,
    },
}

impl StorageConfig {
    /// Reads `s3://bucket/prefix` (a bucket and an optional prefix); `None` when the URL is
    /// not one.
    pub fn parse_s3_url(url: &str) -> Option<(String, String)> {
        let rest = url.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        valid_bucket.then(|| (bucket.to_owned(), prefix.trim_matches('/').to_owned()))
    }
}

/// What was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// Why content was not stored. Nothing is left under the key in any case.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    #[error("the content is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The body could not be read (the client went away, or sent something malformed).
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error("storage failed: {0}")]
    Storage(String),
}

/// Why content could not be read or removed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no content is stored under {0}")]
    NotFound(String),
    #[error("storage failed: {0}")]
    Failed(String),
    /// The content is stored but cannot be read back as it should be (gzip that does not decode).
    #[error("the content is damaged: {0}")]
    Damaged(String),
}

/// Content as it is read back: its size and its bytes, as a stream.
pub struct Content {
    pub size: u64,
    pub bytes: futures_util::stream::BoxStream<'static, Result<Bytes, StorageError>>,
}

#[derive(Debug, Clone)]
enum Backend {
    Local {
        root: PathBuf,
    },
    S3 {
        store: Arc<AmazonS3>,
        prefix: String,
    },
}

/// The content store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    backend: Backend,
}

/// A put begun with [`Storage::begin_put`].
pub struct Put {
    target: PutTarget,
}

enum PutTarget {
    Local {
        root: PathBuf,
        key: String,
    },
    S3 {
        store: Arc<AmazonS3>,
        path: ObjectPath,
        id: object_store::MultipartId,
    },
}

impl Put {
    /// The S3 multipart upload's ID (none for a local folder).
    pub fn upload_id(&self) -> Option<&str> {
        match &self.target {
            PutTarget::Local { .. } => None,
            PutTarget::S3 { id, .. } => Some(id),
        }
    }

    /// Writes `body` as it arrives, refusing it once it passes `limit` bytes. The content is
    /// under its key only once this returns `Ok`; on an error nothing is left.
    pub async fn write<S, E>(self, body: S, limit: u64) -> Result<Stored, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        match self.target {
            PutTarget::Local { root, key } => put_local(&root, &key, body, limit).await,
            PutTarget::S3 { store, path, id } => put_s3(store, path, id, body, limit).await,
        }
    }
}

/// Keys are made by this program (`messages/<id>`): letters, digits, `-`, `_` and `/` between
/// non-empty parts. Anything else is refused rather than turned into a path.
fn check_key(key: &str) -> Result<(), String> {
    let fine = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if fine {
        Ok(())
    } else {
        Err(format!("not a storage key: {key:?}"))
    }
}

impl Storage {
    /// Opens the configured store (a local folder is made if it is missing).
    pub async fn open(config: &StorageConfig) -> Result<Self, StorageError> {
        let backend = match config {
            StorageConfig::Local(root) => {
                tokio::fs::create_dir_all(root.join(INCOMING))
                    .await
                    .map_err(|e| {
                        StorageError::Failed(format!("cannot create {}: {e}", root.display()))
                    })?;
                Backend::Local { root: root.clone() }
            }
            StorageConfig::S3 {
                bucket,
                prefix,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(&secret_access_key.0);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                let store = builder
                    .build()
                    .map_err(|e| StorageError::Failed(e.to_string()))?;
                Backend::S3 {
                    store: Arc::new(store),
                    prefix: prefix.clone(),
                }
            }
        };
        Ok(Self { backend })
    }

    /// Whether this is a folder on this machine (which belongs to one instance).
    pub fn is_local(&self) -> bool {
        matches!(self.backend, Backend::Local { .. })
    }

    /// `local folder` or `S3 bucket`, for logs.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local { root } => format!("folder {}", root.display()),
            Backend::S3 { prefix, .. } => format!("S3 bucket (prefix {prefix:?})"),
        }
    }

    fn object_path(prefix: &str, key: &str) -> ObjectPath {
        if prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{prefix}/{key}"))
        }
    }

    /// Writes `body` under `key` as it arrives, refusing it once it passes `limit` bytes.
    pub async fn put_stream<S, E>(&self, key: &str, body: S, limit: u64) -> Result<Stored, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        self.begin_put(key).await?.write(body, limit).await
    }

    /// Begins putting content under `key`. In S3 this starts the multipart upload the content
    /// will go into: its [`Put::upload_id`] is for the caller to keep until the put is over, so
    /// that after a crash whoever finds the put abandoned can [`Storage::abort_put`] it and no
    /// uploaded part is left in the bucket.
    pub async fn begin_put(&self, key: &str) -> Result<Put, PutError> {
        check_key(key).map_err(PutError::Storage)?;
        let target = match &self.backend {
            Backend::Local { root } => PutTarget::Local {
                root: root.clone(),
                key: key.to_owned(),
            },
            Backend::S3 { store, prefix } => {
                use object_store::multipart::MultipartStore;
                let path = Self::object_path(prefix, key);
                let id = store
                    .create_multipart(&path)
                    .await
                    .map_err(|e| PutError::Storage(e.to_string()))?;
                PutTarget::S3 {
                    store: store.clone(),
                    path,
                    id,
                }
            }
        };
        Ok(Put { target })
    }

    /// Aborts the S3 multipart upload `upload_id` of an abandoned put under `key`, removing its
    /// parts; one already completed or aborted is no error. (A local put leaves a partial file,
    /// which [`Storage::sweep_unfinished`] removes.)
    pub async fn abort_put(&self, key: &str, upload_id: &str) -> Result<(), StorageError> {
        check_key(key).map_err(StorageError::Failed)?;
        match &self.backend {
            Backend::Local { .. } => Ok(()),
            Backend::S3 { store, prefix } => {
                use object_store::multipart::MultipartStore;
                let path = Self::object_path(prefix, key);
                match store.abort_multipart(&path, &upload_id.to_owned()).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(StorageError::Failed(e.to_string())),
                }
            }
        }
    }

    /// Reads the content under `key`.
    pub async fn get(&self, key: &str) -> Result<Content, StorageError> {
        check_key(key).map_err(StorageError::Failed)?;
        match &self.backend {
            Backend::Local { root } => {
                let path = root.join(key);
                let file = match tokio::fs::File::open(&path).await {
                    Ok(file) => file,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(StorageError::NotFound(key.to_owned()));
                    }
                    Err(e) => return Err(StorageError::Failed(e.to_string())),
                };
                let size = file
                    .metadata()
                    .await
                    .map_err(|e| StorageError::Failed(e.to_string()))?
                    .len();
                let bytes = file_chunks(file);
                Ok(Content { size, bytes })
            }
            Backend::S3 { store, prefix } => {
                let found =
                    store
                        .get(&Self::object_path(prefix, key))
                        .await
                        .map_err(|e| match e {
                            object_store::Error::NotFound { .. } => {
                                StorageError::NotFound(key.to_owned())
                            }
                            other => StorageError::Failed(other.to_string()),
                        })?;
                let size = found.meta.size;
                let bytes = found
                    .into_stream()
                    .map_err(|e| StorageError::Failed(e.to_string()))
                    .boxed();
                Ok(Content { size, bytes })
            }
        }
    }

    /// Removes the content under `key`; removing what is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key).map_err(StorageError::Failed)?;
        match &self.backend {
            Backend::Local { root } => match tokio::fs::remove_file(root.join(key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StorageError::Failed(e.to_string())),
            },
            Backend::S3 { store, prefix } => {
                match store.delete(&Self::object_path(prefix, key)).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(StorageError::Failed(e.to_string())),
                }
            }
        }
    }

    /// Whether content is stored under `key`.
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self.get(key).await {
            Ok(_) => Ok(true),
            Err(StorageError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every key stored under `prefix` (such as `messages`), for the checks that nothing is left
    /// behind. Unfinished local uploads are not keys.
    pub async fn keys(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        check_key(prefix).map_err(StorageError::Failed)?;
        match &self.backend {
            Backend::Local { root } => {
                let mut keys = Vec::new();
                let mut folders = vec![root.join(prefix)];
                while let Some(folder) = folders.pop() {
                    let mut entries = match tokio::fs::read_dir(&folder).await {
                        Ok(entries) => entries,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => return Err(StorageError::Failed(e.to_string())),
                    };
                    while let Some(entry) = entries
                        .next_entry()
                        .await
                        .map_err(|e| StorageError::Failed(e.to_string()))?
                    {
                        let path = entry.path();
                        if path.is_dir() {
                            folders.push(path);
                        } else if let Ok(relative) = path.strip_prefix(root) {
                            keys.push(relative.to_string_lossy().replace('\\', "/"));
                        }
                    }
                }
                keys.sort();
                Ok(keys)
            }
            Backend::S3 {
                store,
                prefix: base,
            } => {
                let listed: Vec<_> = store
                    .list(Some(&Self::object_path(base, prefix)))
                    .try_collect()
                    .await
                    .map_err(|e| StorageError::Failed(e.to_string()))?;
                let strip = if base.is_empty() {
                    String::new()
                } else {
                    format!("{base}/")
                };
                let mut keys: Vec<String> = listed
                    .into_iter()
                    .map(|meta| {
                        let location = meta.location.to_string();
                        location
                            .strip_prefix(&strip)
                            .unwrap_or(&location)
                            .to_owned()
                    })
                    .collect();
                keys.sort();
                Ok(keys)
            }
        }
    }

    /// Local uploads left unfinished by a process that stopped mid-way (they are never keys);
    /// removes those not touched for `older_than`, and says how many it removed.
    pub async fn sweep_unfinished(
        &self,
        older_than: std::time::Duration,
    ) -> Result<usize, StorageError> {
        let Backend::Local { root } = &self.backend else {
            // S3 keeps unfinished multipart uploads out of sight; the bucket's lifecycle rule
            // (AbortIncompleteMultipartUpload) removes them.
            return Ok(0);
        };
        let mut removed = 0;
        let mut entries = tokio::fs::read_dir(root.join(INCOMING))
            .await
            .map_err(|e| StorageError::Failed(e.to_string()))?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| StorageError::Failed(e.to_string()))?
        {
            let idle = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|modified| modified.elapsed().ok())
                .unwrap_or_default();
            if idle >= older_than && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A file read as a stream of chunks of at most 64 KiB.
fn file_chunks(
    file: tokio::fs::File,
) -> futures_util::stream::BoxStream<'static, Result<Bytes, StorageError>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(Bytes::from(buffer)), Some(file)))
            }
            Err(e) => Some((Err(StorageError::Failed(e.to_string())), None)),
        }
    })
    .boxed()
}

/// Counts what goes by, and says when it passes the limit.
struct Meter {
    size: u64,
    limit: u64,
}

impl Meter {
    fn new(limit: u64) -> Self {
        Self { size: 0, limit }
    }

    fn take(&mut self, chunk: &[u8]) -> Result<(), PutError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(PutError::TooLarge { limit: self.limit });
        }
        Ok(())
    }
}

fn hex(hash: Sha256) -> String {
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes`, lower-case hex (as [`Stored::sha256`]).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(Sha256::new_with_prefix(bytes))
}

/// Batches of chunks waiting for the threads of a local upload: memory per upload is about this
/// many times `LOCAL_WRITE_BYTES` (the two threads share each batch).
const LOCAL_BATCHES_IN_FLIGHT: usize = 8;

/// Content up to this size that has arrived whole is placed in one blocking trip.
const LOCAL_SMALL_BYTES: usize = 64 * 1024;

/// Bytes written to a local upload between syncs: the disk works while the rest arrives, and the
/// sync at the end, which the sender waits for, has little left to do (one sync at the end made a
/// 100 MB send about half as fast again in the transfer benchmark).
const LOCAL_SYNC_BYTES: usize = 8 * 1024 * 1024;

type Batches = tokio::sync::mpsc::Receiver<Vec<Bytes>>;

/// Writes a local upload on a thread of its own; an abandoned upload is not synced.
fn write_local(
    mut file: std::fs::File,
    mut batches: Batches,
    abandoned: Arc<std::sync::atomic::AtomicBool>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut unsynced = 0;
    while let Some(batch) = batches.blocking_recv() {
        if abandoned.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
        for chunk in batch {
            file.write_all(&chunk)?;
            unsynced += chunk.len();
        }
        if unsynced >= LOCAL_SYNC_BYTES {
            file.sync_data()?;
            unsynced = 0;
        }
    }
    if !abandoned.load(std::sync::atomic::Ordering::Acquire) {
        file.sync_all()?;
    }
    Ok(())
}

/// Hashes a local upload on a thread of its own.
fn hash_local(mut batches: Batches) -> String {
    let mut hash = Sha256::new();
    while let Some(batch) = batches.blocking_recv() {
        for chunk in batch {
            hash.update(&chunk);
        }
    }
    hex(hash)
}

/// Reading the request (here, on the async side), hashing and writing run at the same time, on
/// three threads: each batch of chunks goes to both the hashing and the writing thread.
async fn put_local<S, E>(
    root: &Path,
    key: &str,
    mut body: S,
    limit: u64,
) -> Result<Stored, PutError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let failed = |e: std::io::Error| PutError::Storage(e.to_string());
    let mut meter = Meter::new(limit);
    // The first bytes are read before anything is made: most messages are small enough to end
    // there, and are then written, synced and placed in one trip to a blocking thread. (Reading
    // more first, a whole batch, slowed a 100 MB upload by a fifth: its threads started later.)
    let mut first = Vec::new();
    let mut first_bytes = 0;
    loop {
        if first_bytes >= LOCAL_SMALL_BYTES {
            break;
        }
        match body.next().await {
            None => return put_local_whole(root, key, first, meter.size).await,
            Some(chunk) => {
                let chunk = chunk.map_err(|e| PutError::Body(e.to_string()))?;
                meter.take(&chunk)?;
                first_bytes += chunk.len();
                first.push(chunk);
            }
        }
    }
    let partial = root.join(INCOMING).join(key.replace('/', "_"));
    let file = tokio::fs::File::create(&partial)
        .await
        .map_err(failed)?
        .into_std()
        .await;
    let (to_writer, writer_batches) = tokio::sync::mpsc::channel(LOCAL_BATCHES_IN_FLIGHT);
    let (to_hasher, hasher_batches) = tokio::sync::mpsc::channel(LOCAL_BATCHES_IN_FLIGHT);
    let abandoned = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::task::spawn_blocking({
        let abandoned = abandoned.clone();
        move || write_local(file, writer_batches, abandoned)
    });
    let hasher = tokio::task::spawn_blocking(move || hash_local(hasher_batches));
    let read: Result<(), PutError> = async {
        let mut batch = first;
        let mut batch_bytes = first_bytes;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| PutError::Body(e.to_string()))?;
            meter.take(&chunk)?;
            batch_bytes += chunk.len();
            batch.push(chunk);
            if batch_bytes >= LOCAL_WRITE_BYTES {
                batch_bytes = 0;
                let batch = std::mem::take(&mut batch);
                if to_hasher.send(batch.clone()).await.is_err()
                    || to_writer.send(batch).await.is_err()
                {
                    // A thread stopped: its error is the one to tell.
                    return Ok(());
                }
            }
        }
        if !batch.is_empty() {
            let _ = to_hasher.send(batch.clone()).await;
            let _ = to_writer.send(batch).await;
        }
        Ok(())
    }
    .await;
    if read.is_err() {
        abandoned.store(true, std::sync::atomic::Ordering::Release);
    }
    drop((to_hasher, to_writer));
    let written = match writer.await {
        Ok(written) => written.map_err(failed),
        Err(e) => Err(PutError::Storage(e.to_string())),
    };
    let hashed = hasher.await.map_err(|e| PutError::Storage(e.to_string()));
    let sha256 = match read.and(written).and(hashed) {
        Ok(sha256) => sha256,
        Err(error) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(error);
        }
    };
    let target = root.join(key);
    let placed = async {
        if let Some(folder) = target.parent() {
            tokio::fs::create_dir_all(folder).await?;
        }
        tokio::fs::rename(&partial, &target).await?;
        // The rename is durable once the folder that holds the name is synced.
        if let Some(folder) = target.parent() {
            tokio::fs::File::open(folder).await?.sync_all().await?;
        }
        Ok::<_, std::io::Error>(())
    }
    .await;
    if let Err(error) = placed {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(failed(error));
    }
    Ok(Stored {
        size: meter.size,
        sha256,
    })
}

/// Places content that arrived whole (one batch at most) under `key`: written, synced and renamed
/// into place, its folder synced, on one blocking thread.
async fn put_local_whole(
    root: &Path,
    key: &str,
    chunks: Vec<Bytes>,
    size: u64,
) -> Result<Stored, PutError> {
    use std::io::Write as _;
    let partial = root.join(INCOMING).join(key.replace('/', "_"));
    let target = root.join(key);
    let placed = tokio::task::spawn_blocking(move || {
        let mut hash = Sha256::new();
        let written = (|| {
            let mut file = std::fs::File::create(&partial)?;
            for chunk in &chunks {
                hash.update(chunk);
                file.write_all(chunk)?;
            }
            file.sync_all()?;
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::rename(&partial, &target)?;
            if let Some(folder) = target.parent() {
                std::fs::File::open(folder)?.sync_all()?;
            }
            Ok::<_, std::io::Error>(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written.map(|()| hex(hash))
    })
    .await;
    match placed {
        Ok(Ok(sha256)) => Ok(Stored { size, sha256 }),
        Ok(Err(error)) => Err(PutError::Storage(error.to_string())),
        Err(error) => Err(PutError::Storage(error.to_string())),
    }
}

/// Puts content into the multipart upload `id`: parts of `S3_PART_BYTES` (the last one smaller),
/// `S3_PARTS_IN_FLIGHT` of them uploading at once on tasks of their own while the next is read.
/// The object appears only when the upload is completed; on any error the upload is aborted.
async fn put_s3<S, E>(
    store: Arc<AmazonS3>,
    path: ObjectPath,
    id: object_store::MultipartId,
    mut body: S,
    limit: u64,
) -> Result<Stored, PutError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use object_store::multipart::{MultipartStore, PartId};
    type Part = tokio::task::JoinHandle<object_store::Result<PartId>>;

    let failed = |e: object_store::Error| PutError::Storage(e.to_string());
    let joined = |r: Result<object_store::Result<PartId>, tokio::task::JoinError>| match r {
        Ok(part) => part.map_err(failed),
        Err(e) => Err(PutError::Storage(e.to_string())),
    };
    let mut meter = Meter::new(limit);
    let mut hash = Sha256::new();
    let mut parts: Vec<PartId> = Vec::new();
    let mut in_flight: std::collections::VecDeque<Part> = std::collections::VecDeque::new();
    let written: Result<(), PutError> = async {
        let mut buffer: Vec<Bytes> = Vec::new();
        let mut buffered = 0;
        loop {
            let chunk = body.next().await;
            let end = chunk.is_none();
            if let Some(chunk) = chunk {
                let chunk = chunk.map_err(|e| PutError::Body(e.to_string()))?;
                meter.take(&chunk)?;
                hash.update(&chunk);
                buffered += chunk.len();
                buffer.push(chunk);
            }
            // A full part, or the last one (an empty file is one empty part).
            let first = parts.is_empty() && in_flight.is_empty();
            if buffered >= S3_PART_BYTES || (end && (buffered > 0 || first)) {
                if in_flight.len() >= S3_PARTS_IN_FLIGHT
                    && let Some(oldest) = in_flight.pop_front()
                {
                    parts.push(joined(oldest.await)?);
                }
                let payload = object_store::PutPayload::from_iter(std::mem::take(&mut buffer));
                buffered = 0;
                let index = parts.len() + in_flight.len();
                let (store, path, id) = (store.clone(), path.clone(), id.clone());
                in_flight.push_back(tokio::spawn(async move {
                    store.put_part(&path, &id, index, payload).await
                }));
            }
            if end {
                break;
            }
        }
        while let Some(part) = in_flight.pop_front() {
            parts.push(joined(part.await)?);
        }
        store
            .complete_multipart(&path, &id, std::mem::take(&mut parts))
            .await
            .map_err(failed)
            .map(drop)
    }
    .await;
    if let Err(error) = written {
        // Parts still uploading are let finish first: a part that lands after the abort would
        // be left behind (S3 says so of parts in progress), as would a part cut off half sent.
        for part in in_flight {
            let _ = part.await;
        }
        // The parts uploaded go with the upload; no object was made.
        let _ = store.abort_multipart(&path, &id).await;
        return Err(error);
    }
    Ok(Stored {
        size: meter.size,
        sha256: hex(hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&[u8]]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        futures_util::stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::copy_from_slice(p)))
                .collect::<Vec<_>>(),
        )
    }

    async fn local() -> (tempfile_dir::Dir, Storage) {
        let dir = tempfile_dir::Dir::new();
        let storage = Storage::open(&StorageConfig::Local(dir.0.clone()))
            .await
            .unwrap();
        (dir, storage)
    }

    /// A throw-away folder (the crate does not depend on `tempfile`).
    mod tempfile_dir {
        pub struct Dir(pub std::path::PathBuf);

        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "mesh-portal-storage-{}",
                    crate::crypto::random_token()
                ));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[tokio::test]
    async fn stores_counts_and_hashes_content_then_reads_and_removes_it() {
        let (_dir, storage) = local().await;
        let stored = storage
            .put_stream("messages/m1", chunks(&[b"hello ", b"world"]), 11)
            .await
            .unwrap();
        assert_eq!(stored.size, 11, "exactly the limit passes");
        assert_eq!(
            stored.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        let content = storage.get("messages/m1").await.unwrap();
        assert_eq!(content.size, 11);
        let read: Vec<Bytes> = content.bytes.try_collect().await.unwrap();
        assert_eq!(read.concat(), b"hello world");
        assert_eq!(storage.keys("messages").await.unwrap(), ["messages/m1"]);
        storage.delete("messages/m1").await.unwrap();
        storage.delete("messages/m1").await.unwrap();
        assert!(!storage.exists("messages/m1").await.unwrap());
    }

    #[tokio::test]
    async fn content_of_many_batches_and_syncs_comes_back_whole_with_its_hash() {
        let (_dir, storage) = local().await;
        // Chunks that do not line up with the batches or the syncs.
        let data: Vec<u8> = (0..LOCAL_SYNC_BYTES * 2 + 300_007)
            .map(|i| (i % 253) as u8)
            .collect();
        let body = futures_util::stream::iter(
            data.chunks(300_001)
                .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        );
        let limit = data.len() as u64;
        let stored = storage
            .put_stream("messages/big", body, limit)
            .await
            .unwrap();
        assert_eq!(stored.size, limit);
        let mut expected = Sha256::new();
        expected.update(&data);
        assert_eq!(stored.sha256, hex(expected));
        let read: Vec<Bytes> = storage
            .get("messages/big")
            .await
            .unwrap()
            .bytes
            .try_collect()
            .await
            .unwrap();
        assert!(
            read.concat() == data,
            "the content read back is what was put"
        );
    }

    #[tokio::test]
    async fn one_byte_past_the_limit_is_refused_and_leaves_nothing() {
        let (dir, storage) = local().await;
        let refused = storage
            .put_stream("messages/m2", chunks(&[b"hello ", b"world!"]), 11)
            .await;
        assert!(matches!(refused, Err(PutError::TooLarge { limit: 11 })));
        assert!(storage.keys("messages").await.unwrap().is_empty());
        let unfinished = std::fs::read_dir(dir.0.join(INCOMING)).unwrap().count();
        assert_eq!(unfinished, 0, "no partial file is left");
    }

    #[tokio::test]
    async fn an_interrupted_body_leaves_nothing() {
        let (_dir, storage) = local().await;
        let body = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"part")),
            Err(std::io::Error::other("connection reset")),
        ]);
        let failed = storage.put_stream("messages/m3", body, 100).await;
        assert!(matches!(failed, Err(PutError::Body(m)) if m.contains("connection reset")));
        assert!(storage.keys("messages").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn keys_are_checked_never_turned_into_other_paths() {
        let (_dir, storage) = local().await;
        for bad in [
            "../etc/passwd",
            "messages/../x",
            "",
            "a//b",
            ".incoming/x",
            "a b",
        ] {
            assert!(
                storage.put_stream(bad, chunks(&[b"x"]), 10).await.is_err(),
                "{bad}"
            );
            assert!(storage.get(bad).await.is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn unfinished_uploads_are_swept_once_idle() {
        let (dir, storage) = local().await;
        std::fs::write(dir.0.join(INCOMING).join("messages_left"), b"half").unwrap();
        assert_eq!(
            storage
                .sweep_unfinished(std::time::Duration::from_secs(3600))
                .await
                .unwrap(),
            0,
            "a fresh one may still be in progress"
        );
        assert_eq!(
            storage
                .sweep_unfinished(std::time::Duration::ZERO)
                .await
                .unwrap(),
            1
        );
    }

    #[test]
    fn reads_s3_urls() {
        assert_eq!(
            StorageConfig::parse_s3_url("s3://mesh-content/portal/live"),
            Some(("mesh-content".into(), "portal/live".into()))
        );
        assert_eq!(
            StorageConfig::parse_s3_url("s3://mesh-content"),
            Some(("mesh-content".into(), String::new()))
        );
        for bad in ["s3://", "s3://UPPER/x", "https://bucket/x", "s3://a"] {
            assert_eq!(StorageConfig::parse_s3_url(bad), None, "{bad}");
        }
        assert_eq!(
            format!("{:?}", S3Secret("hunter2".into())),
            "S3Secret(redacted)"
        );
    }
}
