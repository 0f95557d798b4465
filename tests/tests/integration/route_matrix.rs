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
            || matches!(self, Self::Function(endpoint, _) if endpoint.ends_with("get_mailbox"))
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
    for mailbox in [OURS, THEIRS] {
        mailboxes::add(&app.state.db, mailbox, "X26", "integration")
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

async fn denied_count(app: &mesh_portal_tests::TestApp) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("audit log count")
}
