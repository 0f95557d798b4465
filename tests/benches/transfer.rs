//! A 100 MB file sent and downloaded through the portal's HTTP endpoints, beside a plain file
//! copy of the same data in the same run; and the inbox page of a mailbox with 10,000 messages,
//! beside `/health`.
//!
//! Prints the throughput of each transfer and its ratio to the copy, the peak resident memory of
//! the process above its idle level while the transfers run (the server runs in this process; the
//! client streams from and to disk, so the figure is the server's plus a small margin), and p50 /
//! p95 of the inbox page and of `/health`. Exits non-zero if a target is missed: each transfer at
//! least half the copy's throughput, peak memory under 64 MB above idle, inbox p95 under 20 ms.
//!
//! Run with `make bench` (or `cargo bench -p mesh-portal-tests --bench transfer`).

use std::io::Write as _;
use std::time::{Duration, Instant};

use app::model::accounts::Role;
use futures_util::StreamExt;
use mesh_portal_tests::accounts::signed_in_browser;
use mesh_portal_tests::{Backend, Browser, spawn_app};

const FILE_BYTES: usize = 100_000_000;
/// Rounds of copy, send and download; the medians are compared.
const ROUNDS: usize = 11;
const INBOX_MESSAGES: usize = 10_000;
const PAGE_RUNS: usize = 200;
const MEMORY_TARGET_MB: f64 = 64.0;
const INBOX_P95_TARGET: Duration = Duration::from_millis(20);

/// A line of `/proc/self/status`, in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn mb_per_s(bytes: usize, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn time_page(client: &reqwest::Client, url: &str) -> Vec<Duration> {
    let mut times = Vec::with_capacity(PAGE_RUNS);
    for _ in 0..PAGE_RUNS {
        let started = Instant::now();
        let response = client.get(url).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200, "{url}");
        response.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A plain copy of the file, synced to disk as the portal syncs what it stores.
fn plain_copy(source: &std::path::Path, copy: &std::path::Path) -> Duration {
    let started = Instant::now();
    std::fs::copy(source, copy).expect("copy");
    std::fs::File::open(copy)
        .and_then(|f| f.sync_all())
        .expect("sync");
    let took = started.elapsed();
    std::fs::remove_file(copy).expect("remove");
    took
}

/// Sends the file through the new message form, as a browser does; the message ID and the time.
async fn send(sam: &Browser, source: &std::path::Path) -> (String, Duration) {
    let started = Instant::now();
    let file = tokio::fs::File::open(source).await.expect("open");
    let form = reqwest::multipart::Form::new()
        .text("message_type", "data")
        .text("workflow_id", "PATH_MEDRPT_V3")
        .text("recipient", "RR8TR001")
        .part(
            "file",
            reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(tokio_util_like::chunks(file)),
                FILE_BYTES as u64,
            )
            .file_name("scan.bin"),
        );
    let response = sam
        .client
        .post(format!("{}/mailboxes/X26OT001/new", sam.address))
        .multipart(form)
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 303, "sent");
    let took = started.elapsed();
    let id = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .expect("the message's page")
        .to_owned();
    (id, took)
}

/// Downloads the message from the recipient's inbox, reading every byte; the time.
async fn download(lee: &Browser, id: &str) -> Duration {
    let started = Instant::now();
    let response = lee
        .client
        .get(format!(
            "{}/mailboxes/RR8TR001/inbox/{id}/download",
            lee.address
        ))
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("download");
    assert_eq!(response.status().as_u16(), 200);
    let mut received = 0usize;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        received += chunk.expect("chunk").len();
    }
    assert_eq!(received, FILE_BYTES, "the whole file came back");
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let app = spawn_app(Backend::Sqlite).await;
    for (mailbox, ods, registration) in [
        ("X26OT001", "X26", "PATH_MEDRPT_V3:send"),
        ("RR8TR001", "RR8", "PATH_MEDRPT_V3:receive"),
    ] {
        app::backend::mailboxes::add_with_workflows(
            &app.state.db,
            mailbox,
            ods,
            "integration",
            &[registration.to_owned()],
        )
        .await
        .expect("mailbox");
    }
    let sam = signed_in_browser(&app, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;
    let lee = signed_in_browser(&app, "lee@nhs.net", Role::MailboxUser, &["RR8TR001"]).await;

    // The data, on disk.
    let dir = tempfile::tempdir().expect("temporary folder");
    let source = dir.path().join("source.bin");
    let source_sha256 = {
        use sha2::Digest as _;
        let mut file = std::fs::File::create(&source).expect("source");
        let mut hash = sha2::Sha256::new();
        let block: Vec<u8> = (0..1_000_000).map(|i| (i % 251) as u8).collect();
        for _ in 0..FILE_BYTES / block.len() {
            file.write_all(&block).expect("write");
            hash.update(&block);
        }
        file.sync_all().expect("sync");
        hash.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };

    let idle_kb = status_kb("VmRSS:");
    // Starts the peak (VmHWM) again from here.
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    // A quiet disk to start from (the build that came before leaves much to write back), and a
    // round that is not counted, so that every counted round finds things as warm as the next.
    let _ = std::process::Command::new("sync").status();
    let (id, _) = send(&sam, &source).await;
    download(&lee, &id).await;
    plain_copy(&source, &dir.path().join("copy.bin"));

    // Each round: the baseline (a plain copy, synced as the portal syncs), then a send and a
    // download of the same data through the portal.
    let mut copies = Vec::new();
    let mut sends = Vec::new();
    let mut downloads = Vec::new();
    for _ in 0..ROUNDS {
        copies.push(plain_copy(&source, &dir.path().join("copy.bin")));
        let (id, took) = send(&sam, &source).await;
        sends.push(took);
        let stored: String = sqlx::query_scalar::<sqlx::Any, String>(
            "SELECT sha256 FROM messages WHERE message_id = $1",
        )
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("the message");
        assert_eq!(stored, source_sha256, "the checksum of what was sent");
        downloads.push(download(&lee, &id).await);
    }
    let peak_kb = status_kb("VmHWM:");
    let above_idle_mb = peak_kb.saturating_sub(idle_kb) as f64 / 1024.0;

    // The inbox of a mailbox with 10,000 messages.
    let mut tx = app.state.db.begin().await.expect("transaction");
    let now = app.state.clock.now();
    for i in 0..INBOX_MESSAGES {
        sqlx::query::<sqlx::Any>(
            "INSERT INTO messages (message_id, sender, recipient, environment, workflow_id, \
             message_type, subject, file_name, size_bytes, sha256, content_key, status, \
             created_at, expires_at) VALUES ($1, 'X26OT001', 'RR8TR001', 'integration', \
             'PATH_MEDRPT_V3', 'data', $2, 'results.csv', 1000, '', $3, 'accepted', $4, $5)",
        )
        .bind(format!("BENCH{i:08}"))
        .bind(format!("Results batch {i}"))
        .bind(format!("messages/BENCH{i:08}"))
        .bind(now - i as i64)
        .bind(now + 5 * 86_400)
        .execute(&mut *tx)
        .await
        .expect("message");
    }
    tx.commit().await.expect("commit");
    let inbox_url = format!("{}/mailboxes/RR8TR001/inbox", lee.address);
    let _ = time_page(&lee.client, &inbox_url).await;
    let inbox = time_page(&lee.client, &inbox_url).await;
    let health = time_page(&lee.client, &format!("{}/health", lee.address)).await;

    let (copy_took, send_took, download_took) = (median(copies), median(sends), median(downloads));
    let copy_speed = mb_per_s(FILE_BYTES, copy_took);
    let send_speed = mb_per_s(FILE_BYTES, send_took);
    let download_speed = mb_per_s(FILE_BYTES, download_took);
    println!(
        "transfer benchmark: one file of {} MB, local folder storage, median of {ROUNDS} rounds",
        FILE_BYTES / 1_000_000
    );
    println!(
        "  plain copy (synced)  {copy_speed:8.1} MB/s  ({:.3} s)",
        copy_took.as_secs_f64()
    );
    println!(
        "  send over HTTP       {send_speed:8.1} MB/s  ({:.3} s)  {:.2}x the copy (target ≥ 0.5x)",
        send_took.as_secs_f64(),
        send_speed / copy_speed
    );
    println!(
        "  download over HTTP   {download_speed:8.1} MB/s  ({:.3} s)  {:.2}x the copy (target ≥ 0.5x)",
        download_took.as_secs_f64(),
        download_speed / copy_speed
    );
    println!(
        "  peak resident memory {above_idle_mb:.1} MB above idle ({} MB idle, {} MB peak; target < {MEMORY_TARGET_MB} MB above idle)",
        idle_kb / 1024,
        peak_kb / 1024
    );
    println!(
        "  inbox page, {INBOX_MESSAGES} messages ({PAGE_RUNS} runs): p50 {:.2} ms  p95 {:.2} ms  (target p95 < {} ms); /health p50 {:.2} ms  p95 {:.2} ms; ratio p95 {:.1}x",
        percentile(&inbox, 0.5).as_secs_f64() * 1e3,
        percentile(&inbox, 0.95).as_secs_f64() * 1e3,
        INBOX_P95_TARGET.as_millis(),
        percentile(&health, 0.5).as_secs_f64() * 1e3,
        percentile(&health, 0.95).as_secs_f64() * 1e3,
        percentile(&inbox, 0.95).as_secs_f64() / percentile(&health, 0.95).as_secs_f64()
    );
    let mut missed = Vec::new();
    if send_speed < copy_speed / 2.0 {
        missed.push("send throughput");
    }
    if download_speed < copy_speed / 2.0 {
        missed.push("download throughput");
    }
    if above_idle_mb >= MEMORY_TARGET_MB {
        missed.push("peak memory");
    }
    if percentile(&inbox, 0.95) >= INBOX_P95_TARGET {
        missed.push("inbox p95");
    }
    if missed.is_empty() {
        println!("  targets met");
    } else {
        println!("  targets missed: {}", missed.join(", "));
        std::process::exit(1);
    }
}

/// A file as a stream of 1 MiB chunks.
mod tokio_util_like {
    use bytes::Bytes;
    use futures_util::Stream;
    use tokio::io::AsyncReadExt;

    pub fn chunks(file: tokio::fs::File) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
        futures_util::stream::unfold(Some(file), |state| async move {
            let mut file = state?;
            let mut buffer = vec![0u8; 1024 * 1024];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok(Bytes::from(buffer)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        })
    }
}
