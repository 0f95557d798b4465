//! Sending a file, at the service: the send rules read from the database, the size limit of each
//! access route at its exact edge, and what a delivered or refused send leaves behind (issue 6's
//! first step; the pages and the upload over HTTP come next).

use app::backend::guard::CurrentUser;
use app::backend::mailboxes;
use app::backend::messaging::send::{self, Upload};
use app::backend::network::ClientInfo;
use app::error::AppError;
use app::model::accounts::Role;
use app::model::common::AccessRoute;
use app::model::messaging::{INTERNET_MAX_BYTES, NewMessageForm};
use bytes::Bytes;
use futures_util::{Stream, stream};
use mesh_portal_tests::{Backend, TestApp, spawn_app_with_content};

on_each_database!(
    the_send_rules_read_mailboxes_workflows_and_earlier_tests_from_the_database,
    a_file_of_exactly_the_limit_is_delivered_and_one_byte_more_leaves_nothing,
    test_messages_are_listed_over_hscn_only,
    what_stopped_uploads_left_is_removed,
    a_send_cut_off_by_a_crash_leaves_no_message_and_no_content_after_the_restart,
    after_five_days_uncollected_files_go_with_a_report_and_collected_ones_lose_their_content,
    the_list_of_mailboxes_counts_new_files_and_those_removed_within_a_day,
);

/// X26OT001 (Integration) sends PATH_MEDRPT_V3 to RR8TR001 (Integration) and RR8TR002 (Live);
/// X26OT002 is X26's Live mailbox.
async fn mailboxes_and_registrations(app: &TestApp) {
    for (mailbox, ods, environment, registration) in [
        ("X26OT001", "X26", "integration", "PATH_MEDRPT_V3:send"),
        ("X26OT002", "X26", "live", "PATH_MEDRPT_V3:send"),
        ("RR8TR001", "RR8", "integration", "PATH_MEDRPT_V3:receive"),
        ("RR8TR002", "RR8", "live", "PATH_MEDRPT_V3:both"),
    ] {
        mailboxes::add_with_workflows(
            &app.state.db,
            mailbox,
            ods,
            environment,
            &[registration.to_owned()],
        )
        .await
        .expect("mailbox added");
    }
}

fn form(workflow: &str, recipient: &str, message_type: &str) -> NewMessageForm {
    NewMessageForm {
        message_type: message_type.to_owned(),
        workflow_id: workflow.to_owned(),
        recipient: recipient.to_owned(),
        subject: "Results".to_owned(),
        reference: "REF-1".to_owned(),
    }
}

fn refusal(result: Result<send::CheckedSend, AppError>) -> Vec<(String, String)> {
    match result {
        Err(AppError::Form(errors)) => errors
            .into_iter()
            .map(|e| (e.field_id, e.message))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn the_send_rules_read_mailboxes_workflows_and_earlier_tests_from_the_database(
    backend: Backend,
) {
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let check = |sender: &'static str, route, form: NewMessageForm| {
        let state = app.state.clone();
        async move { send::check(&state, sender, route, &form).await }
    };

    let fine = check(
        "X26OT001",
        AccessRoute::Hscn,
        form("PATH_MEDRPT_V3", "rr8tr001", "data"),
    )
    .await
    .expect("allowed");
    assert_eq!(fine.fields.recipient.as_str(), "RR8TR001");

    for (sender, route, sent, field, message) in [
        (
            "X26OT001",
            AccessRoute::Hscn,
            form("PATH_MEDRPT_V3", "RR8TR002", "data"),
            "recipient",
            "Mailbox RR8TR002 is in Live, not Path to Live: Integration: files cannot cross environments",
        ),
        (
            "X26OT001",
            AccessRoute::Hscn,
            form("PATH_MEDRPT_V3", "NOSUCHBOX", "data"),
            "recipient",
            "There is no mailbox with the ID NOSUCHBOX",
        ),
        (
            "RR8TR001",
            AccessRoute::Hscn,
            // To itself: it receives the workflow, but may not send it.
            form("PATH_MEDRPT_V3", "RR8TR001", "data"),
            "workflow_id",
            "Mailbox RR8TR001 is not registered to send PATH_MEDRPT_V3. Ask the service desk to add it",
        ),
        (
            "X26OT001",
            AccessRoute::Internet,
            form("PATH_MEDRPT_V3", "RR8TR001", "test"),
            "message_type",
            "Test messages can only be sent over HSCN. Choose Data",
        ),
        (
            "X26OT001",
            AccessRoute::Hscn,
            form("NOT_A_WORKFLOW", "RR8TR001", "data"),
            "workflow_id",
            "NOT_A_WORKFLOW is not in the workflow ID catalogue",
        ),
    ] {
        let found = refusal(check(sender, route, sent.clone()).await);
        assert_eq!(
            found,
            vec![(field.to_owned(), message.to_owned())],
            "{sender} {sent:?}"
        );
    }

    // Test first: refused in Live until a test of the workflow from X26's Path to Live mailbox
    // has been downloaded by its recipient.
    sqlx::query::<sqlx::Any>(
        "UPDATE workflows SET test_first = 1 WHERE workflow_id = 'PATH_MEDRPT_V3'",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let live = form("PATH_MEDRPT_V3", "RR8TR002", "data");
    let untested = refusal(check("X26OT002", AccessRoute::Hscn, live.clone()).await);
    assert_eq!(untested[0].0, "workflow_id");
    assert!(
        untested[0]
            .1
            .contains("must be tested before it is sent in Live")
    );
    let test = check(
        "X26OT001",
        AccessRoute::Hscn,
        form("PATH_MEDRPT_V3", "RR8TR001", "test"),
    )
    .await
    .expect("a test over HSCN in Integration");
    let sender = user(&app, "X26OT001").await;
    let id = send::send_file(&app.state, &test, &sender, upload(body(10, 0)))
        .await
        .unwrap();
    let still = refusal(check("X26OT002", AccessRoute::Hscn, live.clone()).await);
    assert!(
        still[0].1.contains("must be tested"),
        "sent is not yet downloaded"
    );
    sqlx::query::<sqlx::Any>(
        "UPDATE messages SET status = 'acknowledged', acknowledged_at = 1 WHERE message_id = $1",
    )
    .bind(&id)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    check("X26OT002", AccessRoute::Hscn, live)
        .await
        .expect("tested, so allowed in Live");
}

/// A person linked to `mailbox`, as the guard would hand them over.
async fn user(app: &TestApp, mailbox: &str) -> CurrentUser {
    mesh_portal_tests::accounts::invite(app, "sam@nhs.net", Role::MailboxUser, &[mailbox]).await;
    let row = app::backend::db::users::by_email(&app.state.db, "sam@nhs.net")
        .await
        .unwrap()
        .unwrap();
    CurrentUser {
        user_id: row.user_id,
        name: row.name,
        role: Role::MailboxUser,
        mailboxes: vec![mailbox.to_owned()],
        client: ClientInfo {
            addr: "127.0.0.1".parse().unwrap(),
            route: AccessRoute::Internet,
        },
    }
}

/// Lee, who uses RR8TR001 over HSCN (invited, as the service creates accounts).
async fn recipient(app: &TestApp) -> CurrentUser {
    mesh_portal_tests::accounts::invite(app, "lee@nhs.net", Role::MailboxUser, &["RR8TR001"]).await;
    let row = app::backend::db::users::by_email(&app.state.db, "lee@nhs.net")
        .await
        .unwrap()
        .unwrap();
    CurrentUser {
        user_id: row.user_id,
        name: row.name,
        role: Role::MailboxUser,
        mailboxes: vec!["RR8TR001".into()],
        client: ClientInfo {
            addr: "127.0.0.1".parse().unwrap(),
            route: AccessRoute::Hscn,
        },
    }
}

/// `size` bytes in chunks of 1 MB, then `extra` bytes more.
fn body(size: usize, extra: usize) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    let total = size + extra;
    let chunk = 1_000_000;
    stream::iter(
        (0..total.div_ceil(chunk))
            .map(move |i| Ok(Bytes::from(vec![b'x'; chunk.min(total - i * chunk)])))
            .collect::<Vec<_>>(),
    )
}

fn upload<S>(body: S) -> Upload<S> {
    Upload {
        file_name: "results.csv".to_owned(),
        content_type: "text/csv".to_owned(),
        body,
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn a_file_of_exactly_the_limit_is_delivered_and_one_byte_more_leaves_nothing(
    backend: Backend,
) {
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let sender = user(&app, "X26OT001").await;
    let checked = send::check(
        &app.state,
        "X26OT001",
        AccessRoute::Internet,
        &form("PATH_MEDRPT_V3", "RR8TR001", "data"),
    )
    .await
    .unwrap();
    let limit = INTERNET_MAX_BYTES as usize;

    let refused = send::send_file(&app.state, &checked, &sender, upload(body(limit, 1))).await;
    assert!(
        matches!(&refused, Err(n) if n.too_large),
        "refused for its size"
    );
    match refused.map_err(AppError::from) {
        Err(AppError::Form(errors)) => {
            assert_eq!(errors[0].field_id, "file");
            assert!(
                errors[0]
                    .message
                    .starts_with("The selected file must be 50MB or smaller over the internet"),
                "{}",
                errors[0].message
            );
        }
        other => panic!("one byte over is refused: {other:?}"),
    }
    let empty = send::send_file(&app.state, &checked, &sender, upload(body(0, 0)))
        .await
        .map_err(AppError::from);
    assert!(
        matches!(&empty, Err(AppError::Form(e)) if e[0].message == "The selected file is empty"),
        "{empty:?}"
    );
    assert_eq!(count(&app, "messages").await, 0);
    assert_eq!(count(&app, "uploads").await, 0);
    assert!(app.state.storage.keys("messages").await.unwrap().is_empty());

    let id = send::send_file(&app.state, &checked, &sender, upload(body(limit, 0)))
        .await
        .expect("exactly the limit is delivered");
    let row =
        app::backend::db::messages::by_id(&mut app.state.db.pool.acquire().await.unwrap(), &id)
            .await
            .unwrap()
            .expect("the message");
    assert_eq!(row.size_bytes, limit as i64);
    assert_eq!(row.status, app::model::messaging::MessageStatus::Accepted);
    assert_eq!(
        (row.sender.as_str(), row.recipient.as_str()),
        ("X26OT001", "RR8TR001")
    );
    assert_eq!(row.expires_at - row.created_at, 5 * 86_400);
    assert_eq!(row.sha256.len(), 64);
    assert_eq!(
        app.state.storage.keys("messages").await.unwrap(),
        [format!("messages/{id}")]
    );
    assert_eq!(count(&app, "uploads").await, 0);
    let audited = sqlx::query_scalar::<sqlx::Any, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'message.send' AND subject = $1",
    )
    .bind(format!("message:{id}"))
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

mod over_http {
    //! The new message page and its upload, as a browser sends them.

    use super::mailboxes_and_registrations;
    use app::model::accounts::Role;
    use mesh_portal_tests::accounts::signed_in_browser;
    use mesh_portal_tests::{Backend, Browser, TestApp, spawn_app_with, spawn_app_with_content};
    use reqwest::multipart::{Form, Part};

    on_each_database!(
        a_member_sends_a_file_from_the_new_message_page,
        the_upload_stops_at_the_limit_of_the_internet_route,
        the_recipient_downloads_the_file_and_the_sender_sees_it_downloaded,
        the_page_script_gets_json_answers_with_the_same_statuses,
    );

    fn message(fields: &[(&'static str, &'static str)], file: Option<Vec<u8>>) -> Form {
        let mut form = Form::new();
        for (name, value) in fields {
            form = form.text(*name, *value);
        }
        if let Some(bytes) = file {
            form = form.part(
                "file",
                Part::bytes(bytes)
                    .file_name("C:\\reports\\results.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        }
        form
    }

    const FIELDS: [(&str, &str); 4] = [
        ("message_type", "data"),
        ("workflow_id", "PATH_MEDRPT_V3"),
        ("recipient", "RR8TR001"),
        ("subject", "Results for November"),
    ];

    /// Posts the form; (status, redirect, body).
    async fn send(browser: &Browser, mailbox: &str, form: Form) -> (u16, Option<String>, String) {
        let response = browser
            .client
            .post(format!("{}/mailboxes/{mailbox}/new", browser.address))
            .header("accept", "text/html")
            .multipart(form)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap_or_default())
    }

    async fn messages(app: &TestApp) -> i64 {
        sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM messages")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    }

    async fn a_member_sends_a_file_from_the_new_message_page(backend: Backend) {
        let app = spawn_app_with_content(backend, &[]).await;
        mailboxes_and_registrations(&app).await;
        let sam = signed_in_browser(&app, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;

        let (status, page) = sam.get_text("/mailboxes/X26OT001/new").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("– (PATH_MEDRPT_V3)"),
            "workflows as description – (ID)"
        );
        assert!(
            page.contains("Up to 100MB on this connection"),
            "HSCN's limit"
        );
        let (_, found) = sam
            .get_text("/mailboxes/X26OT001/new?ods_code=rr8&workflow_id=PATH_MEDRPT_V3")
            .await;
        assert!(
            found.contains("RR8TR001") && !found.contains("RR8TR002"),
            "the organisation's mailboxes that receive it, in this environment only"
        );

        let (status, _, page) = send(
            &sam,
            "X26OT001",
            message(
                &[
                    ("message_type", "data"),
                    ("workflow_id", "PATH_MEDRPT_V3"),
                    ("recipient", "NOSUCHBOX"),
                ],
                Some(b"a,b\n1,2\n".to_vec()),
            ),
        )
        .await;
        assert_eq!(status, 400);
        assert!(page.contains("There is no mailbox with the ID NOSUCHBOX"));
        assert!(page.contains("nhsuk-error-summary"));
        let (status, _, page) = send(&sam, "X26OT001", message(&FIELDS, None)).await;
        assert_eq!(status, 400);
        assert!(page.contains("Select a file"));
        assert_eq!(messages(&app).await, 0, "nothing was sent");

        let (status, location, _) = send(
            &sam,
            "X26OT001",
            message(&FIELDS, Some(b"a,b\n1,2\n".to_vec())),
        )
        .await;
        assert_eq!(status, 303);
        let location = location.expect("on to the message's page");
        assert!(
            location.starts_with("/mailboxes/X26OT001/sent/"),
            "{location}"
        );
        let (status, sent) = sam.get_text(&location).await;
        assert_eq!(status, 200);
        let id = location.rsplit('/').next().unwrap();
        for shown in [
            "Message sent",
            id,
            "RR8TR001",
            "results.csv (8 bytes)",
            "Results for November",
            "Waiting to be downloaded",
        ] {
            assert!(sent.contains(shown), "{shown} on the page");
        }

        // Another mailbox's pages are not found; nobody signed in is asked to log in.
        let (status, _) = sam.get_text("/mailboxes/RR8TR001/new").await;
        assert_eq!(status, 404);
        let (status, _, _) = send(&sam, "RR8TR001", message(&FIELDS, Some(b"x".to_vec()))).await;
        assert_eq!(status, 404);
        let (status, _, _) = send(
            &app.browser(),
            "X26OT001",
            message(&FIELDS, Some(b"x".to_vec())),
        )
        .await;
        assert_eq!(status, 401);
        let (status, _) = sam
            .get_text(&format!("/mailboxes/RR8TR001/sent/{id}"))
            .await;
        assert_eq!(status, 404);
        assert_eq!(messages(&app).await, 1);
    }

    /// The new message page's script (progress bar) posts the same form asking for JSON: where
    /// to go, or the errors by field, with the statuses the page would have had.
    async fn the_page_script_gets_json_answers_with_the_same_statuses(backend: Backend) {
        use app::model::messaging::UploadAnswer;
        let app =
            spawn_app_with_content(backend, &[("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8")]).await;
        mailboxes_and_registrations(&app).await;
        let sam = signed_in_browser(&app, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;
        let post = |form: Form| {
            sam.client
                .post(format!("{}/mailboxes/X26OT001/new", sam.address))
                .header("accept", "application/json")
                .multipart(form)
                .send()
        };
        let answer = |response: reqwest::Response| async move {
            let status = response.status().as_u16();
            let json: UploadAnswer = response.json().await.expect("a JSON answer");
            (status, json)
        };

        let (status, refused) = answer(post(message(&FIELDS, None)).await.unwrap()).await;
        assert_eq!(status, 400);
        assert_eq!(refused.location, None);
        assert_eq!(refused.errors[0].field_id, "file");
        assert_eq!(refused.errors[0].message, "Select a file");

        let limit = app::model::messaging::INTERNET_MAX_BYTES as usize;
        let response = post(message(&FIELDS, Some(vec![b'x'; limit + 1])))
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("connection").unwrap(),
            "close",
            "the rest of a refused upload is not wanted"
        );
        let (status, refused) = answer(response).await;
        assert_eq!(status, 413);
        assert_eq!(
            refused.errors[0].message,
            app::model::messaging::too_large_message(app::model::common::AccessRoute::Internet),
            "the words the page's script shows before sending"
        );
        assert_eq!(messages(&app).await, 0);

        let (status, sent) = answer(
            post(message(&FIELDS, Some(b"a,b\n".to_vec())))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert!(sent.errors.is_empty());
        let location = sent.location.expect("where to go");
        assert!(
            location.starts_with("/mailboxes/X26OT001/sent/"),
            "{location}"
        );
        assert_eq!(messages(&app).await, 1);
    }

    async fn the_upload_stops_at_the_limit_of_the_internet_route(backend: Backend) {
        // Loopback is not HSCN here: this browser is on the internet route (50 MB).
        let app =
            spawn_app_with_content(backend, &[("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8")]).await;
        mailboxes_and_registrations(&app).await;
        let sam = signed_in_browser(&app, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;
        let (_, page) = sam.get_text("/mailboxes/X26OT001/new").await;
        assert!(page.contains("Up to 50MB on this connection"));

        let limit = app::model::messaging::INTERNET_MAX_BYTES as usize;
        let (status, _, page) = send(
            &sam,
            "X26OT001",
            message(&FIELDS, Some(vec![b'x'; limit + 1])),
        )
        .await;
        assert_eq!(status, 413);
        assert!(
            page.contains("The selected file must be 50MB or smaller over the internet"),
            "the route's limit, by the file field"
        );
        assert_eq!(messages(&app).await, 0);
        assert!(app.state.storage.keys("messages").await.unwrap().is_empty());

        let (status, _, _) =
            send(&sam, "X26OT001", message(&FIELDS, Some(vec![b'x'; limit]))).await;
        assert_eq!(status, 303, "exactly the limit is sent");
        assert_eq!(messages(&app).await, 1);
    }

    /// Two instances on one PostgreSQL database and one S3 bucket (a real s3s-fs process) are one
    /// service: a session started on one works on the other, a file sent through one is
    /// downloaded through the other, and their retention workers report a message once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_on_one_database_and_bucket_behave_as_one() {
        use app::backend::messaging::retention;
        use mesh_portal_tests::s3::S3Server;
        let s3 = S3Server::start();
        let storage: Vec<(String, String)> = s3.env("portal");
        let storage: Vec<(&str, &str)> = storage
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let one = spawn_app_with(Backend::Postgres, &storage).await;
        let two = mesh_portal_tests::spawn_another_instance(&one, &storage).await;
        assert_ne!(one.state.instance_id, two.state.instance_id);
        mailboxes_and_registrations(&one).await;

        let sam_one =
            signed_in_browser(&one, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;
        let sam_two = Browser {
            address: two.address.clone(),
            client: sam_one.client.clone(),
        };
        let (status, _) = sam_two.get_text("/mailboxes/X26OT001").await;
        assert_eq!(status, 200, "the session started on one works on two");

        let content = b"sent through one".to_vec();
        let (status, location, _) = send(
            &sam_one,
            "X26OT001",
            message(&FIELDS, Some(content.clone())),
        )
        .await;
        assert_eq!(status, 303);
        let id = location.unwrap().rsplit('/').next().unwrap().to_owned();
        let lee_two =
            signed_in_browser(&two, "lee@nhs.net", Role::MailboxUser, &["RR8TR001"]).await;
        let response = lee_two
            .client
            .get(format!(
                "{}/mailboxes/RR8TR001/inbox/{id}/download",
                two.address
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.bytes().await.unwrap().to_vec(),
            content,
            "downloaded through two"
        );
        let (_, sent) = sam_one.get_text("/mailboxes/X26OT001/sent").await;
        assert!(sent.contains("Downloaded"), "one sees what two did");

        // An uncollected message, and both instances' retention workers at once.
        let (status, _, _) = send(
            &sam_two,
            "X26OT001",
            message(&FIELDS, Some(b"never collected".to_vec())),
        )
        .await;
        assert_eq!(status, 303);
        one.state.clock.advance(5 * 86_400 + 1);
        two.state.clock.advance(5 * 86_400 + 1);
        let (a, b) = tokio::join!(retention::pass(&one.state), retention::pass(&two.state));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.expired + b.expired, 1, "one report, from one of them");
        assert_eq!(a.contents_deleted + b.contents_deleted, 2);
        let reports = sqlx::query_scalar::<sqlx::Any, i64>(
            "SELECT COUNT(*) FROM messages WHERE message_type = 'report'",
        )
        .fetch_one(&one.state.db.pool)
        .await
        .unwrap();
        assert_eq!(reports, 1);
        assert!(one.state.storage.keys("messages").await.unwrap().is_empty());
        assert!(s3.files_on_disk().is_empty(), "{:?}", s3.files_on_disk());
    }

    async fn the_recipient_downloads_the_file_and_the_sender_sees_it_downloaded(backend: Backend) {
        let app = spawn_app_with_content(backend, &[]).await;
        mailboxes_and_registrations(&app).await;
        let sam = signed_in_browser(&app, "sam@nhs.net", Role::MailboxUser, &["X26OT001"]).await;
        let lee = signed_in_browser(&app, "lee@nhs.net", Role::MailboxUser, &["RR8TR001"]).await;
        let content = "patient,result\n1,normal\n".as_bytes().to_vec();
        let (status, location, _) =
            send(&sam, "X26OT001", message(&FIELDS, Some(content.clone()))).await;
        assert_eq!(status, 303);
        let id = location.unwrap().rsplit('/').next().unwrap().to_owned();

        let (status, inbox) = lee.get_text("/mailboxes/RR8TR001/inbox").await;
        assert_eq!(status, 200);
        for shown in [
            "X26OT001",
            "NHS England",
            "PATH_MEDRPT_V3",
            "Results for November",
            "results.csv",
            "New",
            "Removed in 5 days",
            "1 message, newest first",
        ] {
            assert!(inbox.contains(shown), "{shown} in the inbox");
        }
        let (_, filtered) = lee
            .get_text("/mailboxes/RR8TR001/inbox?workflow=AMB_FALLS_REFERRAL")
            .await;
        assert!(filtered.contains("There are no files in this inbox"));
        let (_, empty) = sam.get_text("/mailboxes/X26OT001/inbox").await;
        assert!(!empty.contains(&id), "the sender's inbox does not have it");

        // Another mailbox's file, or through another mailbox's path: not found.
        let download = format!("/mailboxes/RR8TR001/inbox/{id}/download");
        let (status, _) = sam.get_text(&download).await;
        assert_eq!(status, 404, "sam is not a member of RR8TR001");
        let (status, _) = sam
            .get_text(&format!("/mailboxes/X26OT001/inbox/{id}/download"))
            .await;
        assert_eq!(status, 404, "X26OT001 did not receive it");

        let response = lee
            .client
            .get(format!("{}{download}", lee.address))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        assert_eq!(header("content-type"), "text/csv");
        assert_eq!(
            header("content-disposition"),
            "attachment; filename=\"results.csv\"; filename*=UTF-8''results.csv"
        );
        assert_ne!(header("content-encoding"), "gzip", "sent as it was stored");
        assert_eq!(response.bytes().await.unwrap().to_vec(), content);

        let (_, inbox) = lee.get_text("/mailboxes/RR8TR001/inbox").await;
        assert!(
            inbox.contains("Downloaded"),
            "the first download acknowledges"
        );
        let (_, sent) = sam.get_text("/mailboxes/X26OT001/sent").await;
        assert!(sent.contains(&id) && sent.contains("Downloaded"), "{sent}");
        let (_, page) = sam
            .get_text(&format!("/mailboxes/X26OT001/sent/{id}"))
            .await;
        assert!(page.contains("Downloaded"));
        let (status, _) = lee.get_text(&download).await;
        assert_eq!(status, 200, "it can be downloaded again while it is kept");
        let downloads = sqlx::query_as::<sqlx::Any, (String,)>(
            "SELECT detail FROM audit_log WHERE action = 'message.download' ORDER BY seq",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(
            downloads.iter().map(|(d,)| d.as_str()).collect::<Vec<_>>(),
            ["by RR8TR001; acknowledged", "by RR8TR001"]
        );
    }
}

async fn test_messages_are_listed_over_hscn_only(backend: Backend) {
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let sender = user(&app, "X26OT001").await;
    for kind in ["test", "data"] {
        let checked = send::check(
            &app.state,
            "X26OT001",
            AccessRoute::Hscn,
            &form("PATH_MEDRPT_V3", "RR8TR001", kind),
        )
        .await
        .unwrap();
        send::send_file(&app.state, &checked, &sender, upload(body(5, 0)))
            .await
            .unwrap();
    }
    mesh_portal_tests::accounts::invite(&app, "lee@nhs.net", Role::MailboxUser, &["RR8TR001"])
        .await;
    let lee = app::backend::db::users::by_email(&app.state.db, "lee@nhs.net")
        .await
        .unwrap()
        .unwrap()
        .user_id;
    let listed = |route| {
        let state = app.state.clone();
        let lee = lee.clone();
        async move {
            app::backend::messaging::list(&state, &lee, "RR8TR001", route, true, "", 1)
                .await
                .unwrap()
        }
    };
    let hscn = listed(AccessRoute::Hscn).await;
    assert_eq!(hscn.total, 2);
    assert_eq!(hscn.items.iter().filter(|m| m.test).count(), 1);
    let internet = listed(AccessRoute::Internet).await;
    assert_eq!(
        internet.total, 1,
        "the test message is hidden over the internet"
    );
    assert!(!internet.items[0].test);
}

async fn what_stopped_uploads_left_is_removed(backend: Backend) {
    use app::backend::content::sweeper as uploads;
    let app = spawn_app_with_content(backend, &[]).await;
    let now = app.state.clock.now();
    let noted = |key: &'static str, instance: &'static str| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool.acquire().await.unwrap();
            app::backend::db::uploads::begin_upload(&mut conn, key, instance, now)
                .await
                .unwrap();
        }
    };
    // An upload of an instance never seen, whose content got stored but never delivered; one of
    // an instance that is alive; and a local partial file of a process that stopped.
    noted("messages/LEFT", "gone-instance").await;
    app.state
        .storage
        .put_stream("messages/LEFT", body(10, 0), 100)
        .await
        .unwrap();
    noted("messages/ALIVE", "other-instance").await;
    app::backend::db::uploads::heartbeat(
        &mut app.state.db.pool.acquire().await.unwrap(),
        "other-instance",
        now,
    )
    .await
    .unwrap();
    let local = app.state.storage.is_local();
    let partial = app.data_dir.path().join("objects/.incoming/messages_HALF");
    if local {
        std::fs::write(&partial, b"half a file").unwrap();
    }

    assert_eq!(uploads::sweep(&app.state, false).await.unwrap(), 1);
    assert!(app.state.storage.keys("messages").await.unwrap().is_empty());
    assert_eq!(
        count(&app, "uploads").await,
        1,
        "the live instance's upload stays"
    );
    if local {
        assert!(
            partial.exists(),
            "a partial file may be an upload in progress"
        );
        // At start, a local folder's every upload and partial file is from a stopped process.
        assert_eq!(uploads::sweep(&app.state, true).await.unwrap(), 2);
        assert_eq!(count(&app, "uploads").await, 0);
        assert!(!partial.exists());
    } else {
        // A bucket is shared: at start an instance leaves the uploads of live instances alone.
        assert_eq!(uploads::sweep(&app.state, true).await.unwrap(), 0);
        assert_eq!(count(&app, "uploads").await, 1);
        let s3 = app.s3.as_ref().expect("the S3 server");
        assert!(
            s3.files_on_disk().is_empty(),
            "nothing of the removed upload is left in the bucket: {:?}",
            s3.files_on_disk()
        );
    }
}

/// Every file of a content store still holding bytes: a local folder's partial files and
/// objects, or an S3 server's objects and parts.
fn content_left(app: &TestApp) -> Vec<std::path::PathBuf> {
    match &app.s3 {
        Some(s3) => s3.files_on_disk(),
        None => {
            fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
                for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        walk(&path, found);
                    } else {
                        found.push(path);
                    }
                }
            }
            let mut found = Vec::new();
            walk(&app.data_dir.path().join("objects"), &mut found);
            found
        }
    }
}

/// An instance dies part way through a send (its runtime is dropped with every task where it
/// stands, so none of its own clean-up runs): bytes are left in the store. After the restart,
/// and once the dead instance has not been seen for long enough, there is no message and no
/// content, not even an S3 part; and sending works.
async fn a_send_cut_off_by_a_crash_leaves_no_message_and_no_content_after_the_restart(
    backend: Backend,
) {
    use app::backend::content::sweeper as uploads;
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let sender = user(&app, "X26OT001").await;
    let mut dying = app.state.clone();
    dying.instance_id = "dying-instance".into();
    app::backend::db::uploads::heartbeat(
        &mut app.state.db.pool.acquire().await.unwrap(),
        "dying-instance",
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let sending = form("PATH_MEDRPT_V3", "RR8TR001", "data");
    let checked = send::check(&dying, "X26OT001", AccessRoute::Hscn, &sending)
        .await
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // 12 MB arrive, then nothing more.
    let arriving = futures_util::StreamExt::chain(body(12_000_000, 0), stream::pending());
    {
        let sender = sender.clone();
        runtime.spawn(async move {
            let _ = send::send_file(&dying, &checked, &sender, upload(arriving)).await;
        });
    }
    let started = std::time::Instant::now();
    while content_left(&app).is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "nothing was written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    runtime.shutdown_background();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !content_left(&app).is_empty(),
        "the crash left bytes behind"
    );
    assert_eq!(count(&app, "messages").await, 0, "no message");
    assert_eq!(count(&app, "uploads").await, 1);

    // The restart, after the dead instance's last sign of life is old enough.
    app.state.clock.advance(121);
    uploads::sweep(&app.state, true).await.unwrap();
    assert_eq!(count(&app, "uploads").await, 0);
    assert_eq!(count(&app, "messages").await, 0);
    assert!(app.state.storage.keys("messages").await.unwrap().is_empty());
    assert!(
        content_left(&app).is_empty(),
        "no content and no part is left: {:?}",
        content_left(&app)
    );

    let checked = send::check(&app.state, "X26OT001", AccessRoute::Hscn, &sending)
        .await
        .unwrap();
    send::send_file(&app.state, &checked, &sender, upload(body(1000, 0)))
        .await
        .expect("sending works");
    assert_eq!(count(&app, "messages").await, 1);
}

async fn after_five_days_uncollected_files_go_with_a_report_and_collected_ones_lose_their_content(
    backend: Backend,
) {
    use app::backend::messaging::{self, retention};
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let sam = user(&app, "X26OT001").await;
    let checked = send::check(
        &app.state,
        "X26OT001",
        AccessRoute::Hscn,
        &form("PATH_MEDRPT_V3", "RR8TR001", "data"),
    )
    .await
    .unwrap();
    let collected = send::send_file(&app.state, &checked, &sam, upload(body(100, 0)))
        .await
        .unwrap();
    let uncollected = send::send_file(&app.state, &checked, &sam, upload(body(200, 0)))
        .await
        .unwrap();
    let lee = recipient(&app).await;
    messaging::download(&app.state, &lee, "RR8TR001", &collected)
        .await
        .expect("downloaded");

    assert_eq!(
        retention::pass(&app.state).await.unwrap(),
        retention::Pass::default(),
        "nothing is due before its time"
    );
    app.state.clock.advance(5 * 86_400 + 1);
    // Two workers at once (as two instances would): one report, not two.
    let (a, b) = tokio::join!(retention::pass(&app.state), retention::pass(&app.state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.expired + b.expired, 1);
    assert_eq!(a.contents_deleted + b.contents_deleted, 2);
    assert!(app.state.storage.keys("messages").await.unwrap().is_empty());

    let sent = messaging::list(
        &app.state,
        &sam.user_id,
        "X26OT001",
        AccessRoute::Hscn,
        false,
        "",
        1,
    )
    .await
    .unwrap();
    let status = |id: &str| {
        sent.items
            .iter()
            .find(|m| m.message_id == id)
            .map(|m| m.status.clone())
            .unwrap()
    };
    assert!(status(&collected).starts_with("Downloaded"));
    assert_eq!(status(&uncollected), "Not collected: removed");
    let inbox = messaging::list(
        &app.state,
        &sam.user_id,
        "X26OT001",
        AccessRoute::Hscn,
        true,
        "",
        1,
    )
    .await
    .unwrap();
    assert_eq!(inbox.total, 1, "the sender's inbox has the report");
    let report = &inbox.items[0];
    assert_eq!(report.other, "RR8TR001");
    assert!(
        report
            .subject
            .starts_with("Message not collected by the recipient after 5 days")
    );
    assert_eq!(report.file_name, "Non-delivery report");
    assert!(!report.available);
    let linked = sqlx::query_scalar::<sqlx::Any, String>(
        "SELECT linked_message_id FROM messages WHERE message_type = 'report'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(linked, uncollected);
    let gone = messaging::download(&app.state, &lee, "RR8TR001", &collected).await;
    assert!(matches!(gone, Err(AppError::Gone(_))), "{:?}", gone.err());
    assert_eq!(
        retention::pass(&app.state).await.unwrap(),
        retention::Pass::default(),
        "a second pass finds nothing left to do"
    );
}

async fn the_list_of_mailboxes_counts_new_files_and_those_removed_within_a_day(backend: Backend) {
    use app::backend::messaging;
    let app = spawn_app_with_content(backend, &[]).await;
    mailboxes_and_registrations(&app).await;
    let sam = user(&app, "X26OT001").await;
    let checked = send::check(
        &app.state,
        "X26OT001",
        AccessRoute::Hscn,
        &form("PATH_MEDRPT_V3", "RR8TR001", "data"),
    )
    .await
    .unwrap();
    let first = send::send_file(&app.state, &checked, &sam, upload(body(10, 0)))
        .await
        .unwrap();
    let lee = recipient(&app).await;
    let counts = |listed: Vec<app::model::messaging::MailboxSummary>| {
        listed
            .into_iter()
            .map(|m| (m.mailbox_id, m.new_files, m.due_within_a_day))
            .collect::<Vec<_>>()
    };
    let listed =
        messaging::mailboxes_with_counts(&app.state.db, &lee.user_id, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!(counts(listed), [("RR8TR001".to_owned(), 1, 0)]);

    // A day later a second file; on the fourth day the first is due within a day, not the second.
    app.state.clock.advance(86_400);
    send::send_file(&app.state, &checked, &sam, upload(body(10, 0)))
        .await
        .unwrap();
    app.state.clock.advance(3 * 86_400 + 60);
    let listed =
        messaging::mailboxes_with_counts(&app.state.db, &lee.user_id, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!(counts(listed), [("RR8TR001".to_owned(), 2, 1)]);

    // Downloaded, a file is no longer new, nor due.
    messaging::download(&app.state, &lee, "RR8TR001", &first)
        .await
        .expect("downloaded");
    let listed =
        messaging::mailboxes_with_counts(&app.state.db, &lee.user_id, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!(counts(listed), [("RR8TR001".to_owned(), 1, 0)]);
}
