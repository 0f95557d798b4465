//! The MESH API over HTTP, as a client sees it: tokens, the send and its chunks, the inbox and
//! its pages, downloads with their `Mex-*` headers and encodings, acknowledgement, tracking,
//! lookups, and each error code. (The `mesh-client` suite drives the same over HTTPS.)

use std::io::Read;

use app::backend::content;
use app::backend::content::incoming::SMALL_CONTENT_BYTES;
use app::backend::content::store::StorageError;
use app::backend::guard::CurrentUser;
use app::backend::mailboxes;
use app::backend::mesh::auth::{make_token, timestamp_of};
use app::backend::network::ClientInfo;
use app::model::accounts::Role;
use app::model::common::AccessRoute;
use mesh_portal_tests::{Backend, TestApp, spawn_app_with_content};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

on_each_database!(
    a_message_sent_through_the_api_is_listed_downloaded_acknowledged_and_tracked,
    chunks_arrive_in_order_and_download_one_by_one,
    tokens_are_refused_when_wrong_stale_replayed_or_for_another_mailbox,
    paging_tokens_walk_the_inbox_and_forged_ones_are_refused,
    every_refusal_has_its_status_and_mesh_code,
    downloads_are_gzip_for_clients_that_take_it_and_plain_for_others,
    messages_cross_between_the_api_and_the_web_pages,
    an_uncollected_message_comes_back_as_a_report_through_the_api,
    a_chunked_send_never_finished_is_removed_after_five_days,
    small_contents_are_kept_with_the_message_and_larger_ones_in_the_store,
    older_clients_track_by_local_id_and_update,
);

const SHARED_KEY: &[u8] = b"BackBone";
const V2: &str = "application/vnd.mesh.v2+json";

/// A MESH client of one mailbox: one nonce, its count rising with each request, as mesh-client.
pub(super) struct Client<'a> {
    app: &'a TestApp,
    mailbox: String,
    password: String,
    nonce: String,
    count: std::cell::Cell<u64>,
    accept: &'static str,
    /// What `Accept-Encoding` says (mesh-client says gzip).
    pub(super) accept_encoding: Option<&'static str>,
}

impl<'a> Client<'a> {
    pub(super) fn new(app: &'a TestApp, mailbox: &str) -> Self {
        Self {
            app,
            mailbox: mailbox.to_owned(),
            password: format!("pw-{mailbox}"),
            nonce: format!("nonce-{}", rand_suffix()),
            count: std::cell::Cell::new(0),
            accept: V2,
            accept_encoding: Some("gzip"),
        }
    }

    fn v1(mut self) -> Self {
        self.accept = "application/json";
        self
    }

    fn token(&self) -> String {
        let count = self.count.get();
        self.count.set(count + 1);
        make_token(
            &self.mailbox,
            &self.password,
            SHARED_KEY,
            &self.nonce,
            count,
            &timestamp_of(self.app.state.clock.now()),
        )
    }

    pub(super) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .app
            .client
            .request(
                method,
                format!("{}/messageexchange/{}", self.app.address, path),
            )
            .header("Authorization", self.token())
            .header("Accept", self.accept);
        match self.accept_encoding {
            Some(encoding) => request.header("Accept-Encoding", encoding),
            None => request,
        }
    }

    pub(super) async fn get(&self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    pub(super) async fn json(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.get(path).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Sends `body` to `to` with `headers` (besides Mex-To); (status, JSON answer).
    pub(super) async fn send(
        &self,
        to: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self
            .request(reqwest::Method::POST, &format!("{}/outbox", self.mailbox))
            .header("Mex-To", to)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (status, _, body) = answer(request.send().await.unwrap()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub(super) async fn send_chunk(
        &self,
        id: &str,
        k: i64,
        range: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self
            .request(
                reqwest::Method::POST,
                &format!("{}/outbox/{id}/{k}", self.mailbox),
            )
            .header("Mex-Chunk-Range", range)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (status, _, body) = answer(request.send().await.unwrap()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub(super) async fn acknowledge(&self, id: &str) -> (u16, Vec<u8>) {
        let response = self
            .request(
                reqwest::Method::PUT,
                &format!("{}/inbox/{id}/status/acknowledged", self.mailbox),
            )
            .send()
            .await
            .unwrap();
        let (status, _, body) = answer(response).await;
        (status, body)
    }

    /// The IDs listed in the inbox's first page.
    pub(super) async fn inbox(&self) -> Vec<String> {
        let (status, body) = self.json(&format!("{}/inbox", self.mailbox)).await;
        assert_eq!(status, 200, "{body}");
        ids(&body)
    }
}

fn rand_suffix() -> String {
    app::backend::crypto::random_token()[..12].to_owned()
}

pub(super) async fn answer(response: reqwest::Response) -> (u16, HeaderMap, Vec<u8>) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn ids(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

pub(super) fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

pub(super) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, data).unwrap();
    encoder.finish().unwrap()
}

pub(super) fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// X26OT001 and X26OT003 (Integration) send PATH_MEDRPT_V3 to RR8TR001 (Integration), which
/// receives it and sends its _ACK back; RR8TR002 is in Live; X26OT004 receives nothing.
async fn mailboxes(app: &TestApp) {
    for (mailbox, ods, environment, registrations) in [
        (
            "X26OT001",
            "X26",
            "integration",
            vec![
                "PATH_MEDRPT_V3:send",
                "PATH_MEDRPT_V3_ACK:receive",
                "SCRN_BCS_MEDRPT_V4:send",
            ],
        ),
        (
            "X26OT003",
            "X26",
            "integration",
            vec!["PATH_MEDRPT_V3:send"],
        ),
        ("X26OT004", "X26", "integration", vec![]),
        (
            "RR8TR001",
            "RR8",
            "integration",
            vec!["PATH_MEDRPT_V3:receive", "PATH_MEDRPT_V3_ACK:send"],
        ),
        ("RR8TR002", "RR8", "live", vec!["PATH_MEDRPT_V3:both"]),
    ] {
        let registrations: Vec<String> = registrations.into_iter().map(str::to_owned).collect();
        mailboxes::add_with_workflows(&app.state.db, mailbox, ods, environment, &registrations)
            .await
            .expect("mailbox added");
        mailboxes::set_api_password(
            &app.state.db,
            &app.state.secret_key,
            mailbox,
            &format!("pw-{mailbox}"),
        )
        .await
        .unwrap();
    }
}

pub(super) async fn spawn(backend: Backend) -> TestApp {
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes(&app).await;
    app
}

pub(super) const PATH: (&str, &str) = ("Mex-WorkflowID", "PATH_MEDRPT_V3");

async fn a_message_sent_through_the_api_is_listed_downloaded_acknowledged_and_tracked(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let recipient = Client::new(&app, "RR8TR001");

    // The handshake: v2 answers 200 with no body; v1 names the mailbox.
    let response = sender
        .request(reqwest::Method::POST, "X26OT001")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, body) = Client::new(&app, "X26OT001").v1().json("X26OT001").await;
    assert_eq!((status, body), (200, json!({"mailboxId": "X26OT001"})));

    let (status, sent) = sender
        .send(
            "rr8tr001",
            &[
                PATH,
                ("Mex-Subject", "Results for March"),
                ("Mex-LocalID", "lab-42"),
                ("Mex-PartnerID", "subscription|tag"),
                ("Mex-FileName", "results.csv"),
                ("Mex-Content-Type", "text/csv"),
                ("Mex-Content-Checksum", "md5:0123abcd"),
                ("Mex-Content-Encrypted", "Y"),
                ("Content-Type", "text/csv"),
            ],
            b"nhs_number,result\n9000000009,normal\n".to_vec(),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["message_id"].as_str().unwrap().to_owned();

    let (status, page) = recipient.json("RR8TR001/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), vec![id.clone()]);
    assert_eq!(page["approx_inbox_count"], 1);
    assert_eq!(page["links"]["self"], "/messageexchange/RR8TR001/inbox");
    assert!(page["links"].get("next").is_none());
    assert_eq!(
        recipient.json("RR8TR001/count").await.1,
        json!({"count": 1})
    );

    let response = recipient
        .request(reqwest::Method::HEAD, &format!("RR8TR001/inbox/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(response.headers(), "mex-filename"), "results.csv");

    // (Without gzip in Accept-Encoding, as gzip is tried in a test of its own.)
    let mut plain = Client::new(&app, "RR8TR001");
    plain.accept_encoding = None;
    let (status, headers, body) = plain.get(&format!("RR8TR001/inbox/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body, b"nhs_number,result\n9000000009,normal\n");
    for (name, value) in [
        ("mex-from", "X26OT001"),
        ("mex-to", "RR8TR001"),
        ("mex-workflowid", "PATH_MEDRPT_V3"),
        ("mex-chunk-range", "1:1"),
        ("mex-total-chunks", "1"),
        ("mex-subject", "Results for March"),
        ("mex-localid", "lab-42"),
        ("mex-partnerid", "subscription|tag"),
        ("mex-filename", "results.csv"),
        ("mex-content-type", "text/csv"),
        ("content-type", "text/csv"),
        ("mex-content-checksum", "md5:0123abcd"),
        ("mex-content-encrypted", "Y"),
        ("mex-messagetype", "DATA"),
        ("mex-messageid", id.as_str()),
        ("mex-statuscode", "00"),
        ("mex-statussuccess", "SUCCESS"),
        ("mex-addresstype", "ALL"),
        ("mex-version", "1.0"),
    ] {
        assert_eq!(header(&headers, name), value, "{name}");
    }
    assert_eq!(
        header(&headers, "mex-content-compressed"),
        "",
        "neither compressed by the sender nor on the way"
    );

    let (status, tracked) = sender
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(status, 200, "{tracked}");
    assert_eq!(tracked["status"], "accepted");
    assert_eq!(tracked["recipient"], "RR8TR001");
    assert_eq!(tracked["local_id"], "lab-42");
    assert_eq!(tracked["filename"], "results.csv");
    assert_eq!(tracked["status_success"], true);
    assert_eq!(
        recipient
            .json(&format!("RR8TR001/outbox/tracking?messageID={id}"))
            .await
            .0,
        404,
        "only the sender tracks a message"
    );

    assert_eq!(recipient.acknowledge(&id).await.0, 200);
    assert_eq!(
        recipient.acknowledge(&id).await.0,
        200,
        "acknowledging again changes nothing"
    );
    assert!(recipient.inbox().await.is_empty());
    assert_eq!(
        recipient.get(&format!("RR8TR001/inbox/{id}")).await.0,
        410,
        "collected"
    );
    let (_, tracked) = sender
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked["status"], "acknowledged");
    let (_, tracked_v1) = Client::new(&app, "X26OT001")
        .v1()
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked_v1["status"], "Acknowledged");
    assert_eq!(tracked_v1["statusSuccess"], "SUCCESS");
    assert_eq!(tracked_v1["fileSize"], 36);
    assert_eq!(tracked_v1["partnerId"], "subscription|tag");
    assert!(tracked_v1["downloadTimestamp"].as_str().unwrap().len() == 14);

    // The lookups find RR8TR001 as the receiver of PATH_MEDRPT_V3 (not Live's RR8TR002 when a
    // token says the asker is in Integration).
    let (status, found) = sender.json("endpointlookup/rr8/PATH_MEDRPT_V3").await;
    assert_eq!(status, 200);
    assert_eq!(found["results"][0]["mailbox_id"], "RR8TR001");
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");
    let (_, found) = sender.json("workflowsearch/PATH_MEDRPT_V3").await;
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");
    let anonymous = app
        .client
        .get(format!(
            "{}/messageexchange/workflowsearch/PATH_MEDRPT_V3",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let found: Value = anonymous.json().await.unwrap();
    assert_eq!(
        found["results"].as_array().unwrap().len(),
        2,
        "every environment: {found}"
    );
    let (_, found_v1) = Client::new(&app, "X26OT001")
        .v1()
        .json("endpointlookup/RR8/PATH_MEDRPT_V3")
        .await;
    assert_eq!(found_v1["results"][0]["address"], "RR8TR001");
    assert_eq!(found_v1["results"][0]["endpoint_type"], "MESH");

    // The audit log has the send and the acknowledgement, each by its mailbox.
    let audit = app::backend::audit::for_subject(&app.state.db, &format!("message:{id}"), 10)
        .await
        .unwrap();
    let entries: Vec<(&str, &str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str(), e.access_route.as_str()))
        .collect();
    assert_eq!(
        entries,
        vec![
            ("message.acknowledge", "mailbox:RR8TR001", "api"),
            ("message.send", "mailbox:X26OT001", "api")
        ]
    );
}

async fn chunks_arrive_in_order_and_download_one_by_one(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let recipient = Client::new(&app, "RR8TR001");
    let parts: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("part {i} ").repeat(1000).into_bytes())
        .collect();
    let gz = [("Content-Encoding", "gzip")];
    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[
                PATH,
                ("Mex-Chunk-Range", "1:3"),
                ("Mex-Content-Type", "text/plain"),
                gz[0],
            ],
            gzip(&parts[0]),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["message_id"].as_str().unwrap().to_owned();
    assert!(
        recipient.inbox().await.is_empty(),
        "not listed while chunks are missing"
    );
    assert_eq!(recipient.get(&format!("RR8TR001/inbox/{id}")).await.0, 410);

    let (status, refused) = sender.send_chunk(&id, 3, "3:3", &gz, gzip(&parts[2])).await;
    assert_eq!(status, 417, "chunk 3 before chunk 2: {refused}");
    assert_eq!(
        sender
            .send_chunk(&id, 2, "3:3", &gz, gzip(&parts[1]))
            .await
            .0,
        417,
        "range not the URL's"
    );
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:4", &gz, gzip(&parts[1]))
            .await
            .0,
        406,
        "another total"
    );
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &[], parts[1].clone())
            .await
            .0,
        417,
        "encoding changed"
    );
    assert_eq!(
        Client::new(&app, "X26OT003")
            .send_chunk(&id, 2, "2:3", &gz, gzip(&parts[1]))
            .await
            .0,
        403
    );
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &gz, gzip(&parts[1]))
            .await
            .0,
        202
    );
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &gz, gzip(&parts[1]))
            .await
            .0,
        202,
        "a retry is taken as done"
    );
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &gz, gzip(&parts[2]))
            .await
            .0,
        202
    );
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &gz, gzip(&parts[2]))
            .await
            .0,
        423,
        "complete"
    );
    assert_eq!(recipient.inbox().await, vec![id.clone()]);

    for k in 1..=3 {
        let path = if k == 1 {
            format!("RR8TR001/inbox/{id}")
        } else {
            format!("RR8TR001/inbox/{id}/{k}")
        };
        let (status, headers, body) = recipient.get(&path).await;
        assert_eq!(status, if k < 3 { 206 } else { 200 }, "chunk {k}");
        assert_eq!(header(&headers, "mex-chunk-range"), format!("{k}:3"));
        assert_eq!(header(&headers, "content-encoding"), "gzip");
        assert_eq!(
            header(&headers, "content-type"),
            "application/octet-stream",
            "chunked: octet-stream"
        );
        assert_eq!(header(&headers, "mex-content-type"), "text/plain");
        assert_eq!(gunzip(&body), parts[k - 1]);
    }
    assert_eq!(
        recipient.get(&format!("RR8TR001/inbox/{id}/4")).await.0,
        404
    );
    assert_eq!(
        recipient.get(&format!("RR8TR001/inbox/{id}/0")).await.0,
        404
    );
    let (_, tracked) = Client::new(&app, "X26OT001")
        .v1()
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked["chunkCount"], 3);
}

async fn tokens_are_refused_when_wrong_stale_replayed_or_for_another_mailbox(backend: Backend) {
    let app = spawn(backend).await;
    let now = timestamp_of(app.state.clock.now());
    let stale = timestamp_of(app.state.clock.now() - 2 * 3600 - 120);
    let ahead = timestamp_of(app.state.clock.now() + 2 * 3600 + 120);
    let good = make_token("X26OT001", "pw-X26OT001", SHARED_KEY, "n1", 0, &now);
    let handshake = |token: Option<String>, mailbox: &'static str| {
        let mut request = app
            .client
            .post(format!("{}/messageexchange/{mailbox}", app.address))
            .header("Accept", V2);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        async move { answer(request.send().await.unwrap()).await }
    };
    let (status, _, _) = handshake(Some(good.clone()), "X26OT001").await;
    assert_eq!(status, 200);
    let (status, _, refusal_body) = handshake(Some(good.clone()), "X26OT001").await;
    assert_eq!(status, 403, "the same token again");
    let cases = [
        ("no token", None, "X26OT001"),
        (
            "wrong password",
            Some(make_token("X26OT001", "guess", SHARED_KEY, "n2", 0, &now)),
            "X26OT001",
        ),
        (
            "wrong shared key",
            Some(make_token(
                "X26OT001",
                "pw-X26OT001",
                b"other",
                "n3",
                0,
                &now,
            )),
            "X26OT001",
        ),
        (
            "stale",
            Some(make_token(
                "X26OT001",
                "pw-X26OT001",
                SHARED_KEY,
                "n4",
                0,
                &stale,
            )),
            "X26OT001",
        ),
        (
            "from the future",
            Some(make_token(
                "X26OT001",
                "pw-X26OT001",
                SHARED_KEY,
                "n5",
                0,
                &ahead,
            )),
            "X26OT001",
        ),
        (
            "another mailbox's path",
            Some(make_token(
                "X26OT001",
                "pw-X26OT001",
                SHARED_KEY,
                "n6",
                0,
                &now,
            )),
            "RR8TR001",
        ),
        (
            "unknown mailbox",
            Some(make_token("NOSUCH01", "pw", SHARED_KEY, "n7", 0, &now)),
            "NOSUCH01",
        ),
        (
            "not NHSMESH",
            Some(good.replace("NHSMESH", "Bearer")),
            "X26OT001",
        ),
        (
            "tampered count",
            Some(good.replacen(":0:", ":1:", 1)),
            "X26OT001",
        ),
    ];
    for (case, token, mailbox) in cases {
        let (status, _, body) = handshake(token, mailbox).await;
        assert_eq!(status, 403, "{case}");
        assert_eq!(body, refusal_body, "{case}: every refusal says the same");
    }
    // The same nonce with the next count is a new token; a suspended mailbox is refused.
    let next = make_token("X26OT001", "pw-X26OT001", SHARED_KEY, "n1", 1, &now);
    assert_eq!(handshake(Some(next), "X26OT001").await.0, 200);
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    sqlx::query("UPDATE mailboxes SET status = 'suspended' WHERE mailbox_id = 'X26OT001'")
        .execute(&mut *conn)
        .await
        .unwrap();
    // (Credentials are read again after a second.)
    app.state.clock.advance(1);
    let suspended = make_token("X26OT001", "pw-X26OT001", SHARED_KEY, "n1", 2, &now);
    assert_eq!(
        handshake(Some(suspended), "X26OT001").await.0,
        403,
        "suspended"
    );
    // The upper-case HMAC of a good token is as good.
    let token = make_token("RR8TR001", "pw-RR8TR001", SHARED_KEY, "n8", 0, &now);
    let (head, hmac) = token.split_at(token.len() - 64);
    assert_eq!(
        handshake(Some(format!("{head}{}", hmac.to_uppercase())), "RR8TR001")
            .await
            .0,
        200
    );
}

async fn paging_tokens_walk_the_inbox_and_forged_ones_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let recipient = Client::new(&app, "RR8TR001");
    let mut sent = Vec::new();
    for i in 0..25 {
        let (status, body) = sender
            .send("RR8TR001", &[PATH], format!("message {i}").into_bytes())
            .await;
        assert_eq!(status, 202);
        sent.push(body["message_id"].as_str().unwrap().to_owned());
    }
    let (_, reply) = Client::new(&app, "RR8TR001")
        .send(
            "X26OT001",
            &[("Mex-WorkflowID", "PATH_MEDRPT_V3_ACK")],
            b"ack".to_vec(),
        )
        .await;
    assert!(reply["message_id"].is_string(), "{reply}");
    let mut listed = Vec::new();
    let mut path = "RR8TR001/inbox?max_results=10".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = recipient.json(&path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["approx_inbox_count"], 25);
        listed.extend(ids(&page));
        pages += 1;
        match page["links"]["next"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(
                        "/messageexchange/RR8TR001/inbox?max_results=10&continue_from="
                    ),
                    "{next}"
                );
                path = next.trim_start_matches("/messageexchange/").to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut expected = sent.clone();
    expected.sort_by_key(|id| sent.iter().position(|s| s == id));
    assert_eq!(listed, expected, "every message once, oldest first");

    // Version 1 continues from the last ID seen.
    let (_, first) = Client::new(&app, "RR8TR001")
        .v1()
        .json("RR8TR001/inbox?max_results=10")
        .await;
    assert_eq!(first, json!({"messages": sent[..10]}));
    let (_, second) = Client::new(&app, "RR8TR001")
        .v1()
        .json(&format!(
            "RR8TR001/inbox?max_results=10&continue_from={}",
            sent[9]
        ))
        .await;
    assert_eq!(ids(&second), sent[10..20].to_vec());

    for bad in [
        "continue_from=not-a-token",
        "continue_from=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo%3D",
        "max_results=9",
        "max_results=5001",
        "max_results=ten",
        "workflow_filter=*X",
    ] {
        let (status, body) = recipient.json(&format!("RR8TR001/inbox?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["detail"][0]["msg"].as_str().unwrap().len() > 10,
            "{body}"
        );
    }

    // The workflow filter in its forms.
    let (_, acks) = sender.json("X26OT001/inbox?workflow_filter=*_ACK*").await;
    assert_eq!(ids(&acks).len(), 1);
    let (_, page) = sender
        .json("X26OT001/inbox?workflow_filter=!PATH_MEDRPT_V3_ACK")
        .await;
    assert!(ids(&page).is_empty());
    let (_, page) = recipient
        .json("RR8TR001/inbox?workflow_filter=PATH_*&max_results=5000")
        .await;
    assert_eq!(ids(&page).len(), 25);
    assert_eq!(
        page["links"]["self"],
        "/messageexchange/RR8TR001/inbox?max_results=5000&workflow_filter=PATH_%2A"
    );
    let (_, page) = recipient
        .json("RR8TR001/inbox?workflow_filter=PATH%5FMEDRPT%5FV3")
        .await;
    assert_eq!(ids(&page).len(), 25, "exact");
    let (_, page) = recipient
        .json("RR8TR001/inbox?workflow_filter=PATH%25")
        .await;
    assert!(ids(&page).is_empty(), "% is no wildcard");
}

async fn every_refusal_has_its_status_and_mesh_code(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    // What is sent (case, Mex-To, headers, body), and the status and code expected.
    type Case<'a> = (
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Vec<u8>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("empty body", "RR8TR001", vec![PATH], vec![], 417, "02"),
        (
            "malformed header",
            "RR8TR001",
            vec![PATH, ("Mex-FileName", "a\tb")],
            b"x".to_vec(),
            400,
            "06",
        ),
        ("missing Mex-To", "", vec![PATH], b"x".to_vec(), 400, "08"),
        (
            "unknown recipient",
            "NOSUCH99",
            vec![PATH],
            b"x".to_vec(),
            417,
            "12",
        ),
        (
            "recipient in Live",
            "RR8TR002",
            vec![PATH],
            b"x".to_vec(),
            417,
            "12",
        ),
        (
            "not registered to send",
            "RR8TR001",
            vec![("Mex-WorkflowID", "PATH_MEDRPT_V3_ACK")],
            b"x".to_vec(),
            417,
            "16",
        ),
        (
            "not in the catalogue",
            "RR8TR001",
            vec![("Mex-WorkflowID", "NO_SUCH_WORKFLOW")],
            b"x".to_vec(),
            417,
            "16",
        ),
        (
            "recipient does not receive it",
            "X26OT004",
            vec![PATH],
            b"x".to_vec(),
            417,
            "17",
        ),
        (
            "unsupported encoding",
            "RR8TR001",
            vec![PATH, ("Content-Encoding", "br")],
            b"x".to_vec(),
            422,
            "",
        ),
        (
            "bad chunk range",
            "RR8TR001",
            vec![PATH, ("Mex-Chunk-Range", "2:2")],
            b"x".to_vec(),
            417,
            "",
        ),
    ];
    for (case, to, headers, body, status, code) in cases {
        let (got, answer) = sender.send(to, &headers, body).await;
        assert_eq!(got, status, "{case}: {answer}");
        assert_eq!(answer["detail"][0]["code"], code, "{case}: {answer}");
        assert!(
            !answer["detail"][0]["msg"].as_str().unwrap().is_empty(),
            "{case}"
        );
    }
    // The same in version 1's shape.
    let (status, v1) = Client::new(&app, "X26OT001")
        .v1()
        .send("NOSUCH99", &[PATH], b"x".to_vec())
        .await;
    assert_eq!(status, 417);
    assert_eq!(v1["errorCode"], "12");
    assert_eq!(v1["errorEvent"], "SEND");
    assert_eq!(
        v1["errorDescription"],
        "There is no mailbox with the ID NOSUCH99"
    );
    // Nothing was stored by any of them.
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let (messages,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(messages, 0);
    let stored = app.state.storage.keys("messages").await.unwrap();
    assert!(stored.is_empty(), "{stored:?}");

    // Receiving: 20 (no such message), 403 (another's), 404 for tracking another's.
    let recipient = Client::new(&app, "RR8TR001");
    let (status, _, body) = recipient
        .get("RR8TR001/inbox/20261130000000000000_NOSUCH")
        .await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, body["detail"][0]["code"].as_str()),
        (404, Some("20"))
    );
    let (_, sent) = sender.send("RR8TR001", &[PATH], b"x".to_vec()).await;
    let id = sent["message_id"].as_str().unwrap();
    assert_eq!(
        Client::new(&app, "X26OT003")
            .get(&format!("X26OT003/inbox/{id}"))
            .await
            .0,
        403
    );
    assert_eq!(Client::new(&app, "X26OT003").acknowledge(id).await.0, 403);
    assert_eq!(
        Client::new(&app, "X26OT003")
            .json(&format!("X26OT003/outbox/tracking?messageID={id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        recipient.acknowledge("20261130000000000000_NOSUCH").await.0,
        404
    );
    // A malformed Accept is refused before anything else.
    let response = app
        .client
        .get(format!("{}/messageexchange/RR8TR001/inbox", app.address))
        .header("Accept", "application/vnd.mesh.v9+json")
        .header("Authorization", recipient.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}

async fn downloads_are_gzip_for_clients_that_take_it_and_plain_for_others(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let text = b"plain text, ".repeat(500);
    let (_, plain) = sender.send("RR8TR001", &[PATH], text.clone()).await;
    let plain = plain["message_id"].as_str().unwrap().to_owned();
    let (_, zipped) = sender
        .send(
            "RR8TR001",
            &[PATH, ("Content-Encoding", "gzip")],
            gzip(&text),
        )
        .await;
    let zipped = zipped["message_id"].as_str().unwrap().to_owned();
    for (accept, encoding, id, gzip_expected) in [
        (V2, Some("gzip"), &plain, true),
        (V2, Some("identity"), &plain, false),
        ("application/json", Some("gzip"), &plain, false),
        (V2, Some("gzip"), &zipped, true),
        (V2, None, &zipped, false),
        ("application/json", Some("gzip"), &zipped, true),
    ] {
        let mut client = Client::new(&app, "RR8TR001");
        client.accept = accept;
        client.accept_encoding = encoding;
        let (status, headers, body) = client.get(&format!("RR8TR001/inbox/{id}")).await;
        assert_eq!(status, 200);
        let case = format!(
            "{accept} {encoding:?} {}",
            if id == &plain { "plain" } else { "gzip" }
        );
        if gzip_expected {
            assert_eq!(header(&headers, "content-encoding"), "gzip", "{case}");
            assert_eq!(header(&headers, "mex-content-compressed"), "Y", "{case}");
            assert_eq!(gunzip(&body), text, "{case}");
        } else {
            assert_eq!(header(&headers, "content-encoding"), "", "{case}");
            assert_eq!(body, text, "{case}");
        }
    }
}

async fn messages_cross_between_the_api_and_the_web_pages(backend: Backend) {
    use app::backend::messaging::send::{self, Upload};
    let app = spawn(backend).await;
    // Through the API to a web user, in two chunks, gzip: the page gives back the file whole.
    let (_, sent) = Client::new(&app, "X26OT001")
        .send(
            "RR8TR001",
            &[
                PATH,
                ("Mex-Chunk-Range", "1:2"),
                ("Content-Encoding", "gzip"),
                ("Mex-FileName", "two.txt"),
            ],
            gzip(b"first half, "),
        )
        .await;
    let id = sent["message_id"].as_str().unwrap().to_owned();
    assert_eq!(
        Client::new(&app, "X26OT001")
            .send_chunk(
                &id,
                2,
                "2:2",
                &[("Content-Encoding", "gzip")],
                gzip(b"second half")
            )
            .await
            .0,
        202
    );
    let reader = mesh_portal_tests::accounts::signed_in_browser(
        &app,
        "reader@nhs.net",
        Role::MailboxUser,
        &["RR8TR001"],
    )
    .await;
    let (status, page) = reader.get_text("/mailboxes/RR8TR001/inbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("two.txt"), "the web inbox lists it");
    let response = reader
        .client
        .get(format!(
            "{}/mailboxes/RR8TR001/inbox/{id}/download",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"first half, second half"
    );
    assert!(
        Client::new(&app, "RR8TR001").inbox().await.is_empty(),
        "downloaded on the page: collected"
    );

    // From the web pages to an API client.
    mesh_portal_tests::accounts::invite(&app, "writer@nhs.net", Role::MailboxUser, &["X26OT001"])
        .await;
    let row = app::backend::db::users::by_email(&app.state.db, "writer@nhs.net")
        .await
        .unwrap()
        .unwrap();
    let user = CurrentUser {
        user_id: row.user_id,
        name: row.name,
        role: Role::MailboxUser,
        mailboxes: vec!["X26OT001".to_owned()],
        client: ClientInfo {
            addr: "127.0.0.1".parse().unwrap(),
            route: AccessRoute::Hscn,
        },
    };
    let form = app::model::messaging::NewMessageForm {
        message_type: "data".into(),
        workflow_id: "PATH_MEDRPT_V3".into(),
        recipient: "RR8TR001".into(),
        subject: "From the page".into(),
        reference: "web-1".into(),
    };
    let checked = send::check(&app.state, "X26OT001", user.client.route, &form)
        .await
        .unwrap();
    let body = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(
        bytes::Bytes::from_static(b"sent from a page"),
    )]);
    let web_id = send::send_file(
        &app.state,
        &checked,
        &user,
        Upload {
            file_name: "page.txt".into(),
            content_type: "text/plain".into(),
            body,
        },
    )
    .await
    .unwrap();
    let api = Client::new(&app, "RR8TR001");
    assert_eq!(api.inbox().await, vec![web_id.clone()]);
    let (status, headers, body) = api.get(&format!("RR8TR001/inbox/{web_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "mex-filename"), "page.txt");
    assert_eq!(header(&headers, "mex-subject"), "From the page");
    assert_eq!(header(&headers, "mex-localid"), "web-1");
    assert_eq!(
        gunzip(&body),
        b"sent from a page",
        "gzip to a v2 client that takes it"
    );
    assert_eq!(api.acknowledge(&web_id).await.0, 200);
    let sent_view = app::backend::messaging::sent_message(&app.state, "X26OT001", &web_id)
        .await
        .unwrap();
    assert!(
        sent_view.status.starts_with("Downloaded"),
        "{}",
        sent_view.status
    );
}

async fn an_uncollected_message_comes_back_as_a_report_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let (_, sent) = sender
        .send(
            "RR8TR001",
            &[
                PATH,
                ("Mex-Subject", "Never read"),
                ("Mex-LocalID", "lost-1"),
            ],
            b"x".to_vec(),
        )
        .await;
    let id = sent["message_id"].as_str().unwrap().to_owned();
    app.state.clock.advance(5 * 86_400 + 1);
    let pass = app::backend::messaging::retention::pass(&app.state)
        .await
        .unwrap();
    assert_eq!(pass.expired, 1);
    let sender = Client::new(&app, "X26OT001");
    let reports = sender.inbox().await;
    assert_eq!(reports.len(), 1);
    let (status, headers, body) = sender.get(&format!("X26OT001/inbox/{}", reports[0])).await;
    assert_eq!(status, 200);
    assert!(body.is_empty());
    for (name, value) in [
        ("mex-messagetype", "REPORT"),
        ("mex-linkedmsgid", id.as_str()),
        ("mex-statuscode", "14"),
        ("mex-statussuccess", "ERROR"),
        ("mex-subject", "Never read"),
        ("mex-localid", "lost-1"),
        ("mex-workflowid", "PATH_MEDRPT_V3"),
    ] {
        assert_eq!(header(&headers, name), value, "{name}");
    }
    let (_, tracked) = sender
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked["status"], "undeliverable");
    assert_eq!(tracked["status_code"], "14");
    assert_eq!(tracked["status_success"], false);
    assert_eq!(sender.acknowledge(&reports[0]).await.0, 200);
    assert!(sender.inbox().await.is_empty());
}

async fn a_chunked_send_never_finished_is_removed_after_five_days(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let (status, sent) = sender
        .send(
            "RR8TR001",
            &[PATH, ("Mex-Chunk-Range", "1:3")],
            b"first of three".to_vec(),
        )
        .await;
    assert_eq!(status, 202);
    let id = sent["message_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sender
            .send_chunk(&id, 2, "2:3", &[], b"second".to_vec())
            .await
            .0,
        202
    );
    let keys = chunk_keys(&app, &id).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in &keys {
        assert!(content::open(&app.state, key).await.is_ok(), "{key} kept");
    }
    // Nothing happens before its time.
    app.state.clock.advance(5 * 86_400 - 10);
    let pass = app::backend::messaging::retention::pass(&app.state)
        .await
        .unwrap();
    assert_eq!(pass.unfinished, 0);
    app.state.clock.advance(11);
    let pass = app::backend::messaging::retention::pass(&app.state)
        .await
        .unwrap();
    assert_eq!(
        (pass.unfinished, pass.expired, pass.contents_deleted),
        (1, 0, 1)
    );
    assert_deleted(&app, &keys).await;
    let sender = Client::new(&app, "X26OT001");
    assert_eq!(
        sender
            .send_chunk(&id, 3, "3:3", &[], b"late".to_vec())
            .await
            .0,
        423
    );
    let (_, tracked) = sender
        .json(&format!("X26OT001/outbox/tracking?messageID={id}"))
        .await;
    assert_eq!(tracked["status"], "error");
    assert_eq!(tracked["status_success"], false);
    assert!(Client::new(&app, "RR8TR001").inbox().await.is_empty());
    assert!(
        Client::new(&app, "X26OT001").inbox().await.is_empty(),
        "no report: it was never sent"
    );
}

/// Checks that nothing is kept under any of `keys`, in the database or the content store.
async fn assert_deleted(app: &TestApp, keys: &[String]) {
    for key in keys {
        assert!(
            matches!(
                content::open(&app.state, key).await,
                Err(StorageError::NotFound(_))
            ),
            "{key} deleted"
        );
    }
}

/// The content keys of a message's chunks (a message of one chunk has none of its own).
async fn chunk_keys(app: &TestApp, message_id: &str) -> Vec<String> {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    app::backend::db::messages::chunks(&mut conn, message_id)
        .await
        .unwrap()
        .into_iter()
        .map(|chunk| chunk.content_key)
        .collect()
}

async fn small_contents_are_kept_with_the_message_and_larger_ones_in_the_store(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    // At the limit: kept in the database. One byte over: in the content store.
    let small: Vec<u8> = (0..SMALL_CONTENT_BYTES).map(|i| (i % 253) as u8).collect();
    let large: Vec<u8> = (0..=SMALL_CONTENT_BYTES).map(|i| (i % 251) as u8).collect();
    let mut ids = Vec::new();
    for body in [&small, &large] {
        let (status, sent) = sender.send("RR8TR001", &[PATH], body.clone()).await;
        assert_eq!(status, 202, "{sent}");
        ids.push(sent["message_id"].as_str().unwrap().to_owned());
    }
    let stored = app.state.storage.keys("messages").await.unwrap();
    assert_eq!(
        stored.len(),
        1,
        "only the larger content is a file: {stored:?}"
    );
    assert!(stored[0].contains(&ids[1]), "{stored:?}");
    let keys = {
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        let mut keys = Vec::new();
        for id in &ids {
            let message = app::backend::db::messages::by_id(&mut conn, id)
                .await
                .unwrap()
                .unwrap();
            keys.push(message.content_key.unwrap());
        }
        keys
    };
    assert!(keys[0].starts_with(content::IN_DATABASE), "{keys:?}");
    assert!(!keys[1].starts_with(content::IN_DATABASE), "{keys:?}");
    // Both come back whole and alike, plain and gzip.
    let mut receiver = Client::new(&app, "RR8TR001");
    for (id, body) in ids.iter().zip([&small, &large]) {
        let (status, headers, bytes) = receiver.get(&format!("RR8TR001/inbox/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "Content-Encoding"), "gzip");
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(&plain, body);
    }
    receiver.accept_encoding = None;
    for (id, body) in ids.iter().zip([&small, &large]) {
        let (status, headers, bytes) = receiver.get(&format!("RR8TR001/inbox/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "Content-Length"), body.len().to_string());
        assert_eq!(&bytes, body);
    }
    // Five days on, uncollected: both contents go, wherever they were.
    app.state.clock.advance(5 * 86_400 + 1);
    let pass = app::backend::messaging::retention::pass(&app.state)
        .await
        .unwrap();
    assert_eq!((pass.expired, pass.contents_deleted), (2, 2));
    assert_deleted(&app, &keys).await;
    assert!(app.state.storage.keys("messages").await.unwrap().is_empty());
}

async fn older_clients_track_by_local_id_and_update(backend: Backend) {
    let app = spawn(backend).await;
    let sender = Client::new(&app, "X26OT001");
    let mut ids = Vec::new();
    for local_id in ["only-once", "twice", "twice"] {
        let (status, sent) = sender
            .send(
                "RR8TR001",
                &[PATH, ("Mex-LocalID", local_id)],
                b"x".to_vec(),
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        ids.push(sent["message_id"].as_str().unwrap().to_owned());
    }
    // One message: its tracking, in version 1's shape even to a version 2 client.
    let (status, tracked) = sender.json("X26OT001/outbox/tracking/only-once").await;
    assert_eq!(status, 200, "{tracked}");
    assert_eq!(tracked["messageId"], ids[0].as_str());
    assert_eq!(tracked["localId"], "only-once");
    assert_eq!(tracked["status"], "Accepted");
    assert!(tracked.get("message_id").is_none(), "{tracked}");
    // Two share a local ID: 300, track by message ID instead. None: 404. Someone else's: 404.
    assert_eq!(sender.json("X26OT001/outbox/tracking/twice").await.0, 300);
    assert_eq!(sender.json("X26OT001/outbox/tracking/never").await.0, 404);
    let recipient = Client::new(&app, "RR8TR001");
    assert_eq!(
        recipient.json("RR8TR001/outbox/tracking/only-once").await.0,
        404
    );
    // Five days on, uncollected: tracked by local ID as undeliverable.
    app.state.clock.advance(5 * 86_400 + 1);
    app::backend::messaging::retention::pass(&app.state)
        .await
        .unwrap();
    let sender = Client::new(&app, "X26OT001");
    assert_eq!(sender.inbox().await.len(), 3, "three reports");
    let (status, tracked) = sender.json("X26OT001/outbox/tracking/only-once").await;
    assert_eq!(status, 200, "{tracked}");
    assert_eq!(tracked["status"], "Undeliverable");
    // `update`: 200 and nothing else for a good token, 403 for a bad one.
    let updated = sender
        .request(reqwest::Method::POST, "X26OT001/update")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert!(updated.bytes().await.unwrap().is_empty());
    let mut stranger = Client::new(&app, "X26OT001");
    stranger.password = "not-the-password".into();
    let refused = stranger
        .request(reqwest::Method::POST, "X26OT001/update")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}
