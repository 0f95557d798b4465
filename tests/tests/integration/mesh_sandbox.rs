//! Sandbox mode: mesh-sandbox's files load as they are, its relaxed workflow rules hold for Path
//! to Live mailboxes only, and its admin endpoints reset mailboxes and inject reports.

use app::backend::mesh::auth::{make_token, timestamp_of};
use app::backend::mesh::sandbox::{self, LoadError};
use app::model::common::Environment;
use mesh_portal_tests::{Backend, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

on_each_database!(mesh_sandbox_files_load_and_its_rules_and_admin_endpoints_work,);

/// Three mailboxes in mesh-sandbox's format, the first two lines run together without a newline
/// as its own files do, and one of an organisation the list lacks.
const MAILBOXES: &str = r#"{"mailbox_id": "X26SBX1", "mailbox_name": "Sandbox one", "billing_entity": "England", "ods_code": "X26", "org_code": "X26", "password": "secret-1"}{"mailbox_id": "x26sbx2", "mailbox_name": "Sandbox two", "ods_code": "X26", "password": "secret-2"}
{"mailbox_id": "ZZ9SBX3", "mailbox_name": "Elsewhere", "ods_code": "ZZ9", "org_name": "Test Organisation ZZ9", "password": "secret-3"}
"#;

const WORKFLOWS: &str = r#"{"workflow_id": "SANDBOX_FLOW", "senders": ["X26SBX1"], "receivers": ["X26SBX2", "ZZ9SBX3"]}
{"workflow_id": "SANDBOX_FLOW_ACK", "senders": ["X26SBX2"], "receivers": ["X26SBX1"]}
{"workflow_id": "PATH_MEDRPT_V3", "senders": ["X26SBX1"], "receivers": ["X26SBX1"]}
"#;

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    mailbox: &str,
    password: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let token = make_token(
        mailbox,
        password,
        b"BackBone",
        &app::backend::crypto::random_token()[..10],
        0,
        &timestamp_of(app.state.clock.now()),
    );
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("Accept", "application/vnd.mesh.v2+json")
        .header("Authorization", token)
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn inbox(app: &TestApp, mailbox: &str, password: &str) -> Vec<Value> {
    let (status, body) = call(
        app,
        reqwest::Method::GET,
        mailbox,
        password,
        &format!("/messageexchange/{mailbox}/inbox"),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["messages"].as_array().unwrap().clone()
}

async fn mesh_sandbox_files_load_and_its_rules_and_admin_endpoints_work(backend: Backend) {
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SANDBOX", "true")]).await;
    let now = app.state.clock.now();
    let db = &app.state.db;
    let key = &app.state.secret_key;
    assert!(matches!(
        sandbox::load(db, key, Environment::Live, MAILBOXES, WORKFLOWS, now).await,
        Err(LoadError::Live)
    ));
    let bad = sandbox::load(
        db,
        key,
        Environment::Integration,
        MAILBOXES,
        "{\"workflow_id\": \"W1\", \"senders\": [\"NOBODY1\"]}",
        now,
    )
    .await;
    assert!(
        matches!(
            &bad,
            Err(LoadError::Line {
                file: "workflows.jsonl",
                line: 1,
                ..
            })
        ),
        "{bad:?}"
    );
    assert!(
        app::backend::db::mailboxes::mailbox_info(&mut db.pool.acquire().await.unwrap(), "X26SBX1")
            .await
            .unwrap()
            .is_none(),
        "a refused load changes nothing"
    );
    let report = sandbox::load(db, key, Environment::Integration, MAILBOXES, WORKFLOWS, now)
        .await
        .unwrap();
    assert_eq!(
        (
            report.mailboxes_added,
            report.organisations_added,
            report.workflows_added,
            report.registrations
        ),
        (3, 1, 2, 6)
    );
    let again = sandbox::load(db, key, Environment::Integration, MAILBOXES, WORKFLOWS, now)
        .await
        .unwrap();
    assert_eq!(
        (
            again.mailboxes_added,
            again.mailboxes_updated,
            again.workflows_added
        ),
        (0, 3, 0),
        "loads again harmlessly"
    );

    // The loaded passwords work; any workflow goes between sandbox mailboxes, even one nobody
    // is registered for; an unknown recipient is still code 12.
    let send =
        |from: &'static str, password: &'static str, to: &'static str, workflow: &'static str| {
            let app = &app;
            async move {
                call(
                    app,
                    reqwest::Method::POST,
                    from,
                    password,
                    &format!("/messageexchange/{from}/outbox"),
                    &[("Mex-To", to), ("Mex-WorkflowID", workflow)],
                    b"hello",
                )
                .await
            }
        };
    assert_eq!(
        send("X26SBX1", "secret-1", "X26SBX2", "SANDBOX_FLOW")
            .await
            .0,
        202
    );
    assert_eq!(
        send("X26SBX2", "secret-2", "ZZ9SBX3", "NOT_IN_ANY_FILE")
            .await
            .0,
        202,
        "relaxed as mesh-sandbox is"
    );
    let (status, refused) = send("X26SBX1", "secret-1", "NOBODY99", "SANDBOX_FLOW").await;
    assert_eq!(
        (status, refused["detail"][0]["code"].as_str()),
        (417, Some("12"))
    );
    assert_eq!(
        send("X26SBX1", "wrong", "X26SBX2", "SANDBOX_FLOW").await.0,
        403
    );
    // Endpoint lookup follows the files' receivers.
    let (_, found) = call(
        &app,
        reqwest::Method::GET,
        "X26SBX1",
        "secret-1",
        "/messageexchange/endpointlookup/ZZ9/SANDBOX_FLOW",
        &[],
        b"",
    )
    .await;
    assert_eq!(
        found,
        json!({"results": [{"mailbox_id": "ZZ9SBX3", "mailbox_name": "Test Organisation ZZ9"}]})
    );

    // Admin: a report injected into X26SBX1's inbox, then resets.
    let first = inbox(&app, "X26SBX2", "secret-2").await;
    let report = app
        .client
        .post(format!("{}/messageexchange/admin/report", app.address))
        .json(&json!({"mailbox_id": "X26SBX1", "code": "14", "description": "Not collected",
                      "workflow_id": "SANDBOX_FLOW", "subject": "about", "linked_message_id": first[0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 200);
    let report: Value = report.json().await.unwrap();
    let listed = inbox(&app, "X26SBX1", "secret-1").await;
    assert_eq!(listed, vec![report["message_id"].clone()]);
    let download = app
        .client
        .get(format!(
            "{}/messageexchange/X26SBX1/inbox/{}",
            app.address,
            report["message_id"].as_str().unwrap()
        ))
        .header(
            "Authorization",
            make_token(
                "X26SBX1",
                "secret-1",
                b"BackBone",
                "dl",
                0,
                &timestamp_of(app.state.clock.now()),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(download.headers()["mex-messagetype"], "REPORT");
    assert_eq!(download.headers()["mex-statuscode"], "14");
    assert_eq!(
        download.headers()["mex-linkedmsgid"],
        first[0].as_str().unwrap()
    );
    let bad_report = app.client.post(format!("{}/messageexchange/admin/report", app.address)).json(&json!({"mailbox_id": "NOBODY99", "code": "14", "description": "x", "workflow_id": "W"})).send().await.unwrap();
    assert_eq!(bad_report.status().as_u16(), 404);

    // Admin reads: a mailbox's details, on any of mesh-sandbox's three paths, and a message's.
    let get = |path: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(format!("{}{path}", app.address))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let expected = json!({"mailbox_id": "ZZ9SBX3", "mailbox_name": "Test Organisation ZZ9",
        "ods_code": "ZZ9", "org_code": "ZZ9", "org_name": "Test Organisation ZZ9", "active": true});
    for path in [
        "/messageexchange/admin/mailbox/zz9sbx3",
        "/admin/mailbox/ZZ9SBX3",
        "/messageexchange/mailbox/ZZ9SBX3",
    ] {
        assert_eq!(
            get(path.to_owned()).await,
            (200, expected.clone()),
            "{path}"
        );
    }
    assert_eq!(get("/admin/mailbox/NOBODY99".into()).await.0, 404);
    let (status, details) = get(format!(
        "/messageexchange/admin/message/{}",
        first[0].as_str().unwrap()
    ))
    .await;
    assert_eq!(status, 200, "{details}");
    for (field, value) in [
        ("message_id", first[0].clone()),
        ("sender", json!("X26SBX1")),
        ("recipient", json!("X26SBX2")),
        ("workflow_id", json!("SANDBOX_FLOW")),
        ("message_type", json!("Data")),
        ("status", json!("Accepted")),
        ("status_success", json!("SUCCESS")),
        ("file_size", json!(5)),
        ("chunk_count", json!(1)),
    ] {
        assert_eq!(details[field], value, "{field}: {details}");
    }
    assert!(details.get("download_timestamp").is_none(), "{details}");
    let (status, details) = get(format!(
        "/admin/message/{}",
        report["message_id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(
        (
            &details["message_type"],
            &details["status_code"],
            &details["status_description"],
            &details["linked_msg_id"],
            &details["status_success"]
        ),
        (
            &json!("Report"),
            &json!("14"),
            &json!("Not collected"),
            &first[0],
            &json!("ERROR")
        )
    );
    assert_eq!(get("/admin/message/NOSUCHMESSAGE".into()).await.0, 404);
    // A report injected with the local ID of a message the mailbox sent comes from the mailbox
    // itself, yet tracking by that local ID still finds the one message, not two.
    let (status, _) = call(
        &app,
        reqwest::Method::POST,
        "X26SBX1",
        "secret-1",
        "/messageexchange/X26SBX1/outbox",
        &[
            ("Mex-To", "X26SBX2"),
            ("Mex-WorkflowID", "SANDBOX_FLOW"),
            ("Mex-LocalID", "rig-1"),
        ],
        b"again",
    )
    .await;
    assert_eq!(status, 202);
    let injected = app
        .client
        .post(format!("{}/messageexchange/admin/report", app.address))
        .json(
            &json!({"mailbox_id": "X26SBX1", "code": "14", "description": "Not collected",
                      "workflow_id": "SANDBOX_FLOW", "local_id": "rig-1"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(injected.status().as_u16(), 200);
    let (status, tracked) = call(
        &app,
        reqwest::Method::GET,
        "X26SBX1",
        "secret-1",
        "/messageexchange/X26SBX1/outbox/tracking/rig-1",
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200, "{tracked}");
    assert_eq!(tracked["localId"], "rig-1");
    let small_contents = || {
        let app = &app;
        async move {
            sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM small_contents")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(small_contents().await, 3, "the three messages' contents");

    let reset = app
        .client
        .delete(format!(
            "{}/messageexchange/admin/reset/x26sbx1",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    assert_eq!(
        reset.json::<Value>().await.unwrap(),
        json!({"message": "mailbox X26SBX1 reset"})
    );
    assert!(inbox(&app, "X26SBX1", "secret-1").await.is_empty());
    assert!(
        inbox(&app, "X26SBX2", "secret-2").await.is_empty(),
        "X26SBX1's sent message went too"
    );
    assert_eq!(inbox(&app, "ZZ9SBX3", "secret-3").await.len(), 1);
    let missing = app
        .client
        .delete(format!("{}/admin/reset/NOBODY99", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let all = app
        .client
        .delete(format!("{}/admin/reset", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(all.status().as_u16(), 200);
    assert!(inbox(&app, "ZZ9SBX3", "secret-3").await.is_empty());
    assert!(
        app.state.storage.keys("messages").await.unwrap().is_empty(),
        "their content went too"
    );
    assert_eq!(small_contents().await, 0, "their content went too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_sandbox_mode_there_are_no_admin_endpoints_and_the_rules_are_whole() {
    let app = spawn_app(Backend::Sqlite).await;
    use reqwest::Method;
    for (method, path) in [
        (Method::DELETE, "/messageexchange/admin/reset"),
        (Method::DELETE, "/admin/reset"),
        (Method::POST, "/messageexchange/admin/report"),
        (Method::GET, "/messageexchange/admin/mailbox/X26OT001"),
        (Method::GET, "/admin/message/ANY"),
        (Method::GET, "/messageexchange/mailbox/X26OT001"),
    ] {
        let response = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(response.status().as_u16(), 404 | 405),
            "{method} {path}: {}",
            response.status()
        );
    }
    // The load command refuses without sandbox mode.
    let dir = tempfile::tempdir().unwrap();
    let (mailboxes, workflows) = (dir.path().join("m.jsonl"), dir.path().join("w.jsonl"));
    std::fs::write(&mailboxes, MAILBOXES).unwrap();
    std::fs::write(&workflows, WORKFLOWS).unwrap();
    let outcome = server::cli::run(
        server::cli::Command::Sandbox {
            command: server::cli::SandboxCommand::Load {
                mailboxes,
                workflows,
                environment: "integration".into(),
            },
        },
        app.settings.clone(),
    )
    .await;
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains("MESH_PORTAL_SANDBOX=true"), "{error}");
}
