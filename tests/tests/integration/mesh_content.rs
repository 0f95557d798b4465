//! What the MESH API takes in, checked as it arrives: gzip that is not sound refused (for a
//! message of several chunks, the stream the chunks form when joined, however the client cut
//! it), the SHA-256 of the whole content kept, chunk numbers read as sent; and a web download
//! that cannot read a file whole never acknowledges it.

use app::model::accounts::Role;
use mesh_portal_tests::{Backend, Browser, TestApp};
use serde_json::Value;
use sha2::Digest;

use super::mesh_api::{Client, PATH, gzip, header, spawn};

on_each_database!(
    gzip_that_is_not_sound_is_refused_and_nothing_is_kept,
    a_gzip_stream_is_checked_across_chunks_however_it_was_cut,
    a_message_of_several_chunks_keeps_the_sha256_of_its_whole_content,
    chunk_numbers_are_digits_as_sent,
    a_download_that_cannot_be_read_whole_is_never_acknowledged,
);

const GZIP: (&str, &str) = ("Content-Encoding", "gzip");

/// Text that compresses, in many deflate blocks.
fn sample(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| b"pathology result line "[i % 22] ^ ((i / 1013) as u8 & 7))
        .collect()
}

/// Bytes that do not compress (so that their gzip is larger than what is kept in the database).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>(sql)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// Nothing of a refused message anywhere: no row, no content in the database or the store, no
/// upload left noted.
async fn nothing_kept(app: &TestApp, case: &str) {
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM messages").await,
        0,
        "{case}"
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM small_contents").await,
        0,
        "{case}"
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM uploads").await,
        0,
        "{case}"
    );
    assert!(
        app.state.storage.keys("messages").await.unwrap().is_empty(),
        "{case}"
    );
}

fn refusal_text(answer: &Value) -> String {
    answer["detail"][0]["msg"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn message_field(app: &TestApp, id: &str, column: &str) -> String {
    sqlx::query_scalar::<sqlx::Any, String>(&format!(
        "SELECT {column} FROM messages WHERE message_id = $1"
    ))
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

async fn gzip_that_is_not_sound_is_refused_and_nothing_is_kept(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    // Small bodies are kept in the database, large ones in the store: both are checked.
    for (size, file) in [(2_000, sample(2_000)), (200_000, noise(200_000))] {
        let good = gzip(&file);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("cut short", good[..good.len() / 2].to_vec()),
            ("without its trailer", good[..good.len() - 8].to_vec()),
            ("junk after the end", [&good[..], b"trailing junk"].concat()),
            ("header only", good[..10].to_vec()),
            ("not gzip at all", file.clone()),
        ];
        for (case, body) in cases {
            let case = format!("{case}, {size} bytes before compression");
            let (status, answer) = sender.send("RR8TR001", &[PATH, GZIP], body).await;
            assert_eq!(status, 400, "{case}: {answer}");
            assert!(
                refusal_text(&answer).starts_with("Content-Encoding is gzip, but"),
                "{case}: {answer}"
            );
            assert!(answer["message_id"].is_string(), "{case}: {answer}");
            nothing_kept(&app, &case).await;
        }
        // The same body whole is taken.
        let (status, answer) = sender.send("RR8TR001", &[PATH, GZIP], good).await;
        assert_eq!(status, 202, "{answer}");
        sqlx::query::<sqlx::Any>("DELETE FROM messages")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        for key in app.state.storage.keys("messages").await.unwrap() {
            app.state.storage.delete(&key).await.unwrap();
        }
        sqlx::query::<sqlx::Any>("DELETE FROM small_contents")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
}

/// A person signed in through the pages as a member of RR8TR001.
async fn reader(app: &TestApp) -> Browser {
    mesh_portal_tests::accounts::signed_in_browser(
        app,
        "reader@nhs.net",
        Role::MailboxUser,
        &["RR8TR001"],
    )
    .await
}

/// A message's file downloaded from RR8TR001's inbox page.
async fn web_download(app: &TestApp, reader: &Browser, id: &str) -> reqwest::Response {
    reader
        .client
        .get(format!(
            "{}/mailboxes/RR8TR001/inbox/{id}/download",
            app.address
        ))
        .send()
        .await
        .unwrap()
}

/// Sends `chunks` as one message; the status of each request, and the message's ID.
async fn send_chunks(sender: &Client<'_>, chunks: &[Vec<u8>]) -> (Vec<u16>, String) {
    let total = chunks.len();
    let range = |k: usize| format!("{k}:{total}");
    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[PATH, GZIP, ("Mex-Chunk-Range", &range(1))],
            chunks[0].clone(),
        )
        .await;
    let id = sent["message_id"].as_str().unwrap_or_default().to_owned();
    let mut statuses = vec![status];
    for (i, chunk) in chunks.iter().enumerate().skip(1) {
        let k = i + 1;
        let (status, _) = sender
            .send_chunk(&id, k as i64, &range(k), &[GZIP], chunk.clone())
            .await;
        statuses.push(status);
    }
    (statuses, id)
}

async fn a_gzip_stream_is_checked_across_chunks_however_it_was_cut(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let reader = reader(&app).await;
    let download = |id: String| {
        let reader = &reader;
        let app = &app;
        async move {
            let response = web_download(app, reader, &id).await;
            assert_eq!(response.status().as_u16(), 200);
            response.bytes().await.unwrap().to_vec()
        }
    };
    let file = sample(300_000);
    let packed = gzip(&file);
    let third = packed.len() / 3;

    // The whole file compressed, then cut (one gzip member across three requests).
    let cut: Vec<Vec<u8>> = vec![
        packed[..third].to_vec(),
        packed[third..2 * third].to_vec(),
        packed[2 * third..].to_vec(),
    ];
    let (statuses, id) = send_chunks(&sender, &cut).await;
    assert_eq!(statuses, [202, 202, 202]);
    assert_eq!(
        download(id).await,
        file,
        "the page gives back the file whole"
    );

    // Each part compressed on its own, as mesh-client does (a member per chunk).
    let parts: Vec<Vec<u8>> = file.chunks(100_000).map(gzip).collect();
    let (statuses, id) = send_chunks(&sender, &parts).await;
    assert_eq!(statuses, [202, 202, 202]);
    assert_eq!(download(id).await, file);

    // Junk in the middle chunk: refused by that chunk; the right bytes are taken after.
    let (statuses, id) = send_chunks(
        &sender,
        &[cut[0].clone(), b"not the middle of a gzip stream".to_vec()],
    )
    .await;
    assert_eq!(statuses, [202, 400]);
    let (status, answer) = sender
        .send_chunk(&id, 2, "2:2", &[GZIP], [&cut[1][..], &cut[2][..]].concat())
        .await;
    assert_eq!(status, 202, "the chunk sent again, right: {answer}");
    assert_eq!(message_field(&app, &id, "status").await, "accepted");

    // Cut short: the last chunk is refused, and the message never delivered.
    let short = [
        cut[0].clone(),
        cut[1].clone(),
        cut[2][..cut[2].len() - 8].to_vec(),
    ];
    let (statuses, id) = send_chunks(&sender, &short).await;
    assert_eq!(statuses, [202, 202, 400]);
    assert_eq!(message_field(&app, &id, "status").await, "uploading");
    let (_, tracked) = sender
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked["status"], "uploading", "{tracked}");
    // Junk after the end of the last member, in the last chunk.
    let junk = [
        cut[0].clone(),
        cut[1].clone(),
        [&cut[2][..], b"junk"].concat(),
    ];
    let (statuses, _) = send_chunks(&sender, &junk).await;
    assert_eq!(statuses, [202, 202, 400]);
    // Only the first chunk's header, in a message of two.
    let (statuses, _) = send_chunks(&sender, &[cut[0][..10].to_vec(), b"x".to_vec()]).await;
    assert_eq!(statuses, [202, 400]);

    // An instance that did not take the chunks before reads them again: the same checks.
    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[PATH, GZIP, ("Mex-Chunk-Range", "1:3")],
            cut[0].clone(),
        )
        .await;
    assert_eq!(status, 202);
    let id = sent["message_id"].as_str().unwrap().to_owned();
    app.state.chunked_sends.forget(&id);
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &[GZIP], cut[1].clone())
            .await
            .0,
        202
    );
    app.state.chunked_sends.forget(&id);
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &[GZIP], cut[2][..cut[2].len() - 1].to_vec())
            .await
            .0,
        400,
        "cut short, found after reading the first two again"
    );
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &[GZIP], cut[2].clone())
            .await
            .0,
        202
    );
    assert_eq!(download(id).await, file);
}

async fn a_message_of_several_chunks_keeps_the_sha256_of_its_whole_content(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let file = sample(250_000);
    let chunks: Vec<&[u8]> = vec![&file[..10], &file[10..150_000], &file[150_000..]];

    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[PATH, ("Mex-Chunk-Range", "1:3")],
            chunks[0].to_vec(),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["message_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &[], chunks[1].to_vec())
            .await
            .0,
        202
    );
    // The last chunk taken by an instance that did not see the others.
    app.state.chunked_sends.forget(&id);
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &[], chunks[2].to_vec())
            .await
            .0,
        202
    );

    assert_eq!(message_field(&app, &id, "sha256").await, sha256_hex(&file));
    assert_ne!(sha256_hex(&file), sha256_hex(chunks[0]));
    let size: i64 = sqlx::query_scalar::<sqlx::Any, i64>(
        "SELECT size_bytes FROM messages WHERE message_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(size, file.len() as i64, "the size is the whole file's too");

    // Gzip content: the digest of what is stored, the three parts joined.
    let parts: Vec<Vec<u8>> = file.chunks(100_000).map(gzip).collect();
    let (statuses, id) = send_chunks(&sender, &parts).await;
    assert_eq!(statuses, [202, 202, 202]);
    assert_eq!(
        message_field(&app, &id, "sha256").await,
        sha256_hex(&parts.concat())
    );
    // A message of one chunk, as before: the digest of its content.
    let (_, sent) = sender.send("RR8TR001", &[PATH], file.clone()).await;
    let one = sent["message_id"].as_str().unwrap();
    assert_eq!(message_field(&app, one, "sha256").await, sha256_hex(&file));
}

async fn chunk_numbers_are_digits_as_sent(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[PATH, ("Mex-Chunk-Range", "1:2")],
            b"first".to_vec(),
        )
        .await;
    assert_eq!(status, 202);
    let id = sent["message_id"].as_str().unwrap().to_owned();
    for number in ["+2", "%32", "02", "2%20", "0x2"] {
        let response = sender
            .request(
                reqwest::Method::POST,
                &format!("X26OT001/outbox/{id}/{number}"),
            )
            .header("Mex-Chunk-Range", "2:2")
            .body(b"second".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "chunk {number:?}");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM message_chunks WHERE chunk_number > 1"
            )
            .await,
            0
        );
    }
    assert_eq!(message_field(&app, &id, "status").await, "uploading");
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:2", &[], b"second".to_vec())
            .await
            .0,
        202
    );

    let receiver = Client::new(&app, "RR8TR001");
    for number in ["+2", "%32", "02", "+1", "01"] {
        let (status, _, _) = receiver.get(&format!("RR8TR001/inbox/{id}/{number}")).await;
        assert_eq!(status, 404, "chunk {number:?}");
    }
    let (status, headers, _) = receiver.get(&format!("RR8TR001/inbox/{id}/2")).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "mex-chunk-range"), "2:2");
}

/// Sends a gzip message, then damages it where it is kept, as if stored before uploads were
/// checked: its gzip cut short. Returns its ID.
async fn damaged_message(app: &TestApp, file: &[u8]) -> String {
    let packed = gzip(file);
    let (status, sent) = Client::new(app, "X26OT001")
        .send("RR8TR001", &[PATH, GZIP], packed.clone())
        .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["message_id"].as_str().unwrap().to_owned();
    let key = message_field(app, &id, "content_key").await;
    let cut = packed[..packed.len() * 3 / 4].to_vec();
    if key.starts_with(app::backend::content::IN_DATABASE) {
        sqlx::query::<sqlx::Any>("UPDATE small_contents SET bytes = $1 WHERE content_key = $2")
            .bind(cut)
            .bind(&key)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    } else {
        app.state.storage.delete(&key).await.unwrap();
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(cut))]);
        app.state
            .storage
            .put_stream(&key, body, u64::MAX)
            .await
            .unwrap();
    }
    id
}

async fn a_download_that_cannot_be_read_whole_is_never_acknowledged(backend: Backend) {
    let app = spawn(backend).await;
    // Damaged early (the page says so) and late (the file breaks off after megabytes).
    let early = damaged_message(&app, &sample(20_000)).await;
    let late = damaged_message(&app, &noise(3_000_000)).await;
    let reader = reader(&app).await;
    let download = |id: String| {
        let reader = &reader;
        let app = &app;
        async move { web_download(app, reader, &id).await }
    };

    for attempt in 1..=2 {
        let response = download(early.clone()).await;
        assert_eq!(response.status().as_u16(), 410, "attempt {attempt}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("This file is damaged and cannot be downloaded"),
            "{page}"
        );
        let response = download(late.clone()).await;
        assert_eq!(response.status().as_u16(), 200, "attempt {attempt}");
        assert!(
            response.bytes().await.is_err(),
            "attempt {attempt}: the download breaks off rather than ending as if whole"
        );
        for id in [&early, &late] {
            assert_eq!(
                message_field(&app, id, "status").await,
                "accepted",
                "attempt {attempt}: not acknowledged"
            );
        }
    }
    let audited: Vec<(String, String)> = sqlx::query_as::<sqlx::Any, (String, String)>(
        "SELECT outcome, detail FROM audit_log WHERE action = 'message.download' ORDER BY seq",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 4, "{audited:?}");
    for (outcome, detail) in &audited {
        assert_eq!(outcome, "failure", "{detail}");
        assert!(detail.contains("not acknowledged"), "{detail}");
    }
    // Both still wait in the API's inbox; a client without gzip gets neither whole either.
    let mut receiver = Client::new(&app, "RR8TR001");
    let mut waiting = receiver.inbox().await;
    waiting.sort();
    let mut expected = vec![early.clone(), late.clone()];
    expected.sort();
    assert_eq!(waiting, expected);
    receiver.accept_encoding = None;
    for id in [&early, &late] {
        let response = receiver
            .request(reqwest::Method::GET, &format!("RR8TR001/inbox/{id}"))
            .send()
            .await;
        let whole = match response {
            Ok(response) => response.bytes().await.is_ok(),
            Err(_) => false,
        };
        assert!(
            !whole,
            "cut off, not an empty or partial file that looks whole"
        );
    }
}
