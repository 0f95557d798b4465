//! Message content in an S3-compatible store, against a real server process (`s3s-fs`): content
//! streams in and out, is counted and hashed, and an upload that passes its limit or breaks off
//! leaves nothing behind, not even the parts of an unfinished multipart upload. (The local
//! folder's own tests are unit tests in `app::backend::storage`.)

use app::backend::content::store::{PutError, Storage};
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt, stream};
use mesh_portal_tests::s3::S3Server;

const MIB: usize = 1024 * 1024;

/// `total` bytes of a repeating pattern, in chunks of 64 KiB, then `error` if given.
fn body(
    total: usize,
    error: Option<&'static str>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    let chunk = 64 * 1024;
    let mut parts: Vec<Result<Bytes, std::io::Error>> = (0..total.div_ceil(chunk))
        .map(|i| {
            let len = chunk.min(total - i * chunk);
            Ok(Bytes::from(
                (0..len)
                    .map(|j| ((i * chunk + j) % 251) as u8)
                    .collect::<Vec<u8>>(),
            ))
        })
        .collect();
    if let Some(message) = error {
        parts.push(Err(std::io::Error::other(message)));
    }
    stream::iter(parts)
}

async fn sha256_of(stream: impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin) -> String {
    use sha2::{Digest, Sha256};
    let all: Vec<Bytes> = stream.try_collect().await.unwrap();
    Sha256::digest(all.concat())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn content_streams_into_s3_and_back_whole() {
    let server = S3Server::start();
    let storage = Storage::open(&server.config("portal")).await.unwrap();
    for (key, size) in [("messages/small", 1000), ("messages/large", 12 * MIB + 5)] {
        let stored = storage
            .put_stream(key, body(size, None), size as u64)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(stored.size, size as u64, "{key}: exactly the limit passes");
        assert_eq!(stored.sha256, sha256_of(body(size, None)).await, "{key}");
        let content = storage.get(key).await.unwrap();
        assert_eq!(content.size, size as u64);
        let read: Vec<Bytes> = content.bytes.try_collect().await.unwrap();
        assert_eq!(read.concat().len(), size);
        assert_eq!(
            sha256_of(stream::iter([Ok(Bytes::from(read.concat()))])).await,
            stored.sha256
        );
    }
    assert_eq!(
        storage.keys("messages").await.unwrap(),
        ["messages/large", "messages/small"]
    );
    assert_eq!(
        server.files_on_disk().len(),
        2,
        "the objects are files on the server's disk: {:?}",
        server.files_on_disk()
    );
    storage.delete("messages/large").await.unwrap();
    storage.delete("messages/small").await.unwrap();
    storage.delete("messages/small").await.unwrap();
    assert!(storage.keys("messages").await.unwrap().is_empty());
    assert!(
        server.files_on_disk().is_empty(),
        "{:?}",
        server.files_on_disk()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_past_its_limit_or_broken_off_leaves_nothing_in_s3() {
    let server = S3Server::start();
    let storage = Storage::open(&server.config("portal")).await.unwrap();
    // Within the first part (nothing sent yet), and after parts were sent (a multipart upload
    // to abandon).
    for (size, limit) in [(1001, 1000), (12 * MIB, 7 * MIB)] {
        let refused = storage
            .put_stream("messages/big", body(size, None), limit as u64)
            .await;
        assert!(
            matches!(refused, Err(PutError::TooLarge { limit: l }) if l == limit as u64),
            "{size} over {limit}: {refused:?}"
        );
    }
    let broken = storage
        .put_stream(
            "messages/broken",
            body(11 * MIB, Some("connection reset")),
            u64::MAX,
        )
        .await;
    assert!(matches!(broken, Err(PutError::Body(_))), "{broken:?}");
    assert!(storage.keys("messages").await.unwrap().is_empty());
    assert!(
        server.files_on_disk().is_empty(),
        "no object and no part is left: {:?}",
        server.files_on_disk()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_file_is_one_empty_object() {
    let server = S3Server::start();
    let storage = Storage::open(&server.config("portal")).await.unwrap();
    let stored = storage
        .put_stream("messages/empty", body(0, None), 10)
        .await
        .unwrap();
    assert_eq!(stored.size, 0);
    assert_eq!(storage.get("messages/empty").await.unwrap().size, 0);
}

/// A put whose process dies part way leaves the parts it uploaded in the bucket; its upload ID,
/// kept by the caller, is enough to remove them.
#[tokio::test(flavor = "multi_thread")]
async fn a_put_stopped_dead_is_aborted_by_its_upload_id_and_leaves_no_parts() {
    use futures_util::StreamExt as _;
    let server = S3Server::start();
    let storage = Storage::open(&server.config("portal")).await.unwrap();
    let put = storage.begin_put("messages/crashed").await.unwrap();
    let upload_id = put.upload_id().expect("a multipart upload").to_owned();
    // 11 MiB arrive, then nothing more.
    let arriving = body(11 * MIB, None).chain(stream::pending());
    let writing = tokio::spawn(put.write(arriving, u64::MAX));
    let started = std::time::Instant::now();
    while server.files_on_disk().is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "no part was uploaded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Dropped where it stands, as in a crash: none of its own clean-up runs. (Parts already on
    // their way are given a moment to land, as they would before the process died.)
    writing.abort();
    let _ = writing.await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!server.files_on_disk().is_empty(), "parts are left behind");

    storage
        .abort_put("messages/crashed", &upload_id)
        .await
        .unwrap();
    assert!(
        server.files_on_disk().is_empty(),
        "no part is left: {:?}",
        server.files_on_disk()
    );
    assert!(storage.keys("messages").await.unwrap().is_empty());
}
