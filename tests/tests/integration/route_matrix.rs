//! Every protected page and server function, called as nobody, as a mailbox user of another
//! mailbox, as a user of the mailbox, as the service desk and as an administrator: each answer
//! checked, and every refusal found in the audit log.

use app::backend::mailboxes;
use app::model::accounts::Role;
use mesh_portal_tests::accounts::signed_in_browser;
use mesh_portal_tests::applying::mailbox_application;
use mesh_portal_tests::{Backend, Browser, spawn_app};
use serde_json::json;

on_each_database!(every_protected_route_answers_each_kind_of_person_as_it_should);

/// What is called: a page (GET), a server function (POST with a JSON body), or a form posted
/// without JavaScript.
enum Call {
    Page(&'static str),
    Function(&'static str, serde_json::Value),
    Form(&'static str, &'static [(&'static str, &'static str)]),
}

impl Call {
    /// Whether a 404 here is a refusal (a mailbox that is not yours), not just "no such thing".
    fn audited_404(&self) -> bool {
        matches!(self, Self::Page(path) if path.starts_with("/mailboxes/"))
            || matches!(self, Self::Function(endpoint, _)
                if ["get_mailbox", "get_new_message", "get_sent_message", "get_message_list"]
                    .iter()
                    .any(|name| endpoint.ends_with(name)))
    }

    fn name(&self) -> String {
        match self {
            Self::Page(path) => format!("GET {path}"),
            Self::Function(endpoint, body) => format!("POST {endpoint} {body}"),
            Self::Form(path, pairs) => format!("POST {path} {pairs:?}"),
        }
    }

    async fn status(&self, browser: &Browser) -> u16 {
        match self {
            Self::Page(path) => browser.get_text(path).await.0,
            Self::Function(endpoint, body) => browser.post_json(endpoint, body.clone()).await.0,
            Self::Form(path, pairs) => browser.post_form(path, pairs).await.status,
        }
    }
}

const OURS: &str = "X26OT001";
/// An application's page at the service desk for an application that does not exist: staff learn
/// that it does not; nobody else learns even that.
const MISSING_APPLICATION: &str = "/service-desk/applications/MBX-2222-2222";
const THEIRS: &str = "X26OT002";

async fn every_protected_route_answers_each_kind_of_person_as_it_should(backend: Backend) {
    let app = spawn_app(backend).await;
    // Ours sends PATH_MEDRPT_V3, theirs receives it (for the message pages below).
    for (mailbox, registration) in [
        (OURS, "PATH_MEDRPT_V3:send"),
        (THEIRS, "PATH_MEDRPT_V3:receive"),
    ] {
        mailboxes::add_with_workflows(
            &app.state.db,
            mailbox,
            "X26",
            "integration",
            &[registration.to_owned()],
        )
        .await
        .expect("mailbox added");
    }
    let people = [
        ("anonymous", app.browser()),
        (
            "user of another mailbox",
            signed_in_browser(&app, "other@nhs.net", Role::MailboxUser, &[THEIRS]).await,
        ),
        (
            "user of the mailbox",
            signed_in_browser(&app, "member@nhs.net", Role::MailboxUser, &[OURS]).await,
        ),
        (
            "service desk",
            signed_in_browser(&app, "desk@nhs.net", Role::ServiceDesk, &[]).await,
        ),
        (
            "admin",
            signed_in_browser(&app, "admin@nhs.net", Role::Admin, &[]).await,
        ),
    ];
    let sent = mailbox_application(&app, "X26", &["integration"], "sam@nhs.net").await;
    let member = app::backend::db::users::by_email(&app.state.db, "member@nhs.net")
        .await
        .expect("read")
        .expect("the member's account")
        .user_id;
    let member_page: &'static str =
        Box::leak(format!("/service-desk/users/{member}").into_boxed_str());
    let message = sent_message(&app, &people[2].1).await;
    let sent_page: &'static str =
        Box::leak(format!("/mailboxes/{OURS}/sent/{message}").into_boxed_str());
    let download_page: &'static str =
        Box::leak(format!("/mailboxes/{THEIRS}/inbox/{message}/download").into_boxed_str());
    // Leaked to live as long as the test: the table below holds `&'static str`s.
    let application_page: &'static str =
        Box::leak(format!("/service-desk/applications/{sent}").into_boxed_str());
    // Expected status per person, in the order above.
    let matrix: Vec<(Call, [u16; 5])> = vec![
        (Call::Page("/service-desk"), [401, 403, 403, 200, 200]),
        (
            Call::Function(
                "/api/get_queue",
                json!({ "filter": { "q": "", "kind": "", "status": "", "assigned": "" } }),
            ),
            [401, 403, 403, 200, 200],
        ),
        (Call::Page(application_page), [401, 403, 403, 200, 200]),
        (Call::Page("/service-desk/audit"), [401, 403, 403, 200, 200]),
        (Call::Page("/service-desk/users"), [401, 403, 403, 200, 200]),
        (
            Call::Function("/api/get_users", json!({ "q": "" })),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/audit.csv"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Function(
                "/api/get_audit",
                json!({ "filter": { "actor": "", "action": "", "subject": "", "from": "", "to": "" } }),
            ),
            [401, 403, 403, 200, 200],
        ),
        (Call::Page(MISSING_APPLICATION), [401, 403, 403, 404, 404]),
        (
            Call::Function("/api/get_application", json!({ "reference": sent })),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Form(application_page, &[("assign_to_me", "1")]),
            [401, 403, 403, 303, 303],
        ),
        (
            Call::Form(application_page, &[("decision", "reject")]),
            [401, 403, 403, 400, 400],
        ),
        (Call::Page(member_page), [401, 403, 403, 200, 200]),
        (
            Call::Function("/api/get_user", json!({ "user_id": member })),
            [401, 403, 403, 200, 200],
        ),
        (
            // The same forms posted with JavaScript: the same guard.
            Call::Function(
                "/api/submit_form",
                json!({ "path": "/service-desk/mailboxes/X26OT001", "values": [["action", "reactivate"]] }),
            ),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Function(
                "/api/submit_form",
                json!({ "path": "/service-desk/workflows/new", "values": [] }),
            ),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Form("/service-desk/users/usr_nobody", &[("action", "explode")]),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Form("/service-desk/users/usr_nobody", &[("action", "lock")]),
            [401, 403, 403, 404, 404],
        ),
        (
            Call::Page("/service-desk/mailboxes"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Function(
                "/api/get_desk_mailboxes",
                json!({ "filter": { "q": "", "environment": "", "status": "" } }),
            ),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/mailboxes/X26OT001"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Function("/api/get_desk_mailbox", json!({ "mailbox_id": OURS })),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/mailboxes/NOSUCHBOX"),
            [401, 403, 403, 404, 404],
        ),
        (
            // Not suspended, so it cannot be reactivated: staff are told so, nothing changes.
            Call::Form(
                "/service-desk/mailboxes/X26OT001",
                &[("action", "reactivate")],
            ),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Form("/service-desk/mailboxes/X26OT001", &[("action", "suspend")]),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Page("/service-desk/workflows"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Function("/api/get_catalogue_admin", json!({ "q": "" })),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/workflows/new"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/workflows/AMB_FALLS_REFERRAL"),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Function(
                "/api/get_workflow_edit",
                json!({ "workflow_id": "AMB_FALLS_REFERRAL" }),
            ),
            [401, 403, 403, 200, 200],
        ),
        (
            Call::Page("/service-desk/workflows/NO_SUCH_WORKFLOW"),
            [401, 403, 403, 404, 404],
        ),
        (
            Call::Form("/service-desk/workflows/new", &[("workflow_id", "")]),
            [401, 403, 403, 400, 400],
        ),
        (
            Call::Form(
                "/service-desk/workflows/AMB_FALLS_REFERRAL",
                &[("action", "save"), ("description", "")],
            ),
            [401, 403, 403, 400, 400],
        ),
        (Call::Page("/mailboxes"), [401, 200, 200, 200, 200]),
        (
            Call::Function("/api/get_my_mailboxes", json!({})),
            [401, 200, 200, 200, 200],
        ),
        (Call::Page("/mailboxes/X26OT001"), [401, 404, 200, 404, 404]),
        (
            Call::Page("/mailboxes/X26OT001/new"),
            [401, 404, 200, 404, 404],
        ),
        (
            Call::Function(
                "/api/get_new_message",
                json!({ "mailbox_id": OURS, "ods_code": "", "workflow_id": "" }),
            ),
            [401, 404, 200, 404, 404],
        ),
        (Call::Page(sent_page), [401, 404, 200, 404, 404]),
        (
            Call::Page("/mailboxes/X26OT001/inbox"),
            [401, 404, 200, 404, 404],
        ),
        (
            Call::Page("/mailboxes/X26OT001/sent"),
            [401, 404, 200, 404, 404],
        ),
        (
            Call::Function(
                "/api/get_message_list",
                json!({ "mailbox_id": OURS, "inbox": true, "workflow": "", "page": 1 }),
            ),
            [401, 404, 200, 404, 404],
        ),
        // The file sent from ours to theirs: theirs may download it, nobody else.
        (Call::Page(download_page), [401, 200, 404, 404, 404]),
        (
            Call::Function(
                "/api/get_sent_message",
                json!({ "mailbox_id": OURS, "message_id": message }),
            ),
            [401, 404, 200, 404, 404],
        ),
        (Call::Page("/mailboxes/x26ot001"), [401, 404, 200, 404, 404]),
        (
            Call::Page("/mailboxes/NOSUCHBOX"),
            [401, 404, 404, 404, 404],
        ),
        (
            Call::Function("/api/get_mailbox", json!({ "mailbox_id": OURS })),
            [401, 404, 200, 404, 404],
        ),
    ];
    every_protected_route_is_in(&matrix);
    let denied_before = denied_count(&app).await;
    let mut wrong = Vec::new();
    let mut refusals = 0;
    for (call, expected) in &matrix {
        for ((who, browser), want) in people.iter().zip(expected) {
            let got = call.status(browser).await;
            if got != *want {
                wrong.push(format!("{} as {who}: {got}, expected {want}", call.name()));
            }
            // Refusals by the guard; a 404 for something that does not exist, or a 400 for a
            // form that needs fixing, is an answer, not a refusal.
            if matches!(want, 401 | 403) || (*want == 404 && call.audited_404()) {
                refusals += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "wrong answers:\n{}", wrong.join("\n"));
    assert_eq!(
        denied_count(&app).await - denied_before,
        refusals,
        "every refusal is in the audit log"
    );

    // What the member's mailbox page shows, and that another's mailbox says nothing of itself.
    let (_, page) = people[2].1.get_text("/mailboxes/X26OT001").await;
    assert!(page.contains("Mailbox X26OT001") && page.contains("Path to Live: Integration"));
    let (_, page) = people[1].1.get_text("/mailboxes/X26OT001").await;
    assert!(!page.contains("Path to Live: Integration"));
}

/// Server functions anyone may call: the catalogue, the organisation search, applying, and the
/// steps of signing in. Every other one must be in the matrix.
const PUBLIC_FUNCTIONS: [&str; 15] = [
    "/api/check_application_status",
    "/api/get_app_step",
    "/api/get_application_drafts",
    "/api/get_care_identity_problem",
    "/api/get_code_step",
    "/api/get_pin_form",
    "/api/get_posted_status",
    "/api/get_question",
    "/api/get_set_up",
    "/api/get_sign_in_options",
    "/api/get_visitor",
    "/api/get_workflow",
    "/api/list_workflow_groups",
    "/api/search_organisations",
    "/api/search_workflows",
];

/// Whether `path` is one of the paths `pattern` (`:name` or `{name}` segments) stands for.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.split('/'), path.split('/'));
    pattern.clone().count() == path.clone().count()
        && pattern
            .zip(path)
            .all(|(want, got)| want.starts_with(':') || want.starts_with('{') || want == got)
}

/// Fails if a page of the service desk or of a mailbox, a service desk form, or a server function
/// that is not public, is missing from `matrix`: a new one must be added to it.
fn every_protected_route_is_in(matrix: &[(Call, [u16; 5])]) {
    let covered = |wanted: &dyn Fn(&Call) -> bool| matrix.iter().any(|(call, _)| wanted(call));
    let (pages, functions) = (
        server::startup::page_paths(),
        server::startup::server_function_paths(),
    );
    assert!(
        pages.iter().any(|p| p == "/service-desk/users/{user_id}")
            && functions.iter().any(|f| f == "/api/get_queue"),
        "the router's lists are read: {pages:?} {functions:?}"
    );
    let mut missing = Vec::new();
    for page in pages {
        if (page.starts_with("/service-desk") || page.starts_with("/mailboxes"))
            && !covered(&|call| matches!(call, Call::Page(path) if matches(&page, path)))
        {
            missing.push(format!("page {page}"));
        }
    }
    for form in app::backend::forms::routes() {
        if form.starts_with("/service-desk")
            && !covered(&|call| matches!(call, Call::Form(path, _) if matches(form, path)))
        {
            missing.push(format!("form {form}"));
        }
    }
    for function in functions {
        if !PUBLIC_FUNCTIONS.contains(&function.as_str())
            && !covered(&|call| matches!(call, Call::Function(path, _) if *path == function))
        {
            missing.push(format!("server function {function}"));
        }
    }
    assert!(
        missing.is_empty(),
        "not in the route matrix:\n{}",
        missing.join("\n")
    );
}

/// A file sent from our mailbox to theirs by `member`, through the new message page; its ID.
async fn sent_message(app: &mesh_portal_tests::TestApp, member: &Browser) -> String {
    let form = reqwest::multipart::Form::new()
        .text("message_type", "data")
        .text("workflow_id", "PATH_MEDRPT_V3")
        .text("recipient", THEIRS)
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"1,2,3".to_vec()).file_name("a.csv"),
        );
    let response = member
        .client
        .post(format!("{}/mailboxes/{OURS}/new", member.address))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 303);
    sqlx::query_scalar::<sqlx::Any, String>("SELECT message_id FROM messages")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("the message")
}

async fn denied_count(app: &mesh_portal_tests::TestApp) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("audit log count")
}
