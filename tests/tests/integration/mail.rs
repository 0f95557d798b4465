//! Emails through a real SMTP server process (aiosmtpd), and the outbox's retries.

use mesh_portal_tests::smtp::{SmtpServer, free_port};
use mesh_portal_tests::{Backend, spawn_app_with};

on_each_database!(
    confirmation_and_notification_arrive_by_smtp,
    an_email_the_server_refuses_stays_in_the_outbox_and_is_retried,
    twenty_decisions_made_while_the_mail_server_is_down_each_email_once_when_it_is_back,
    a_refused_recipient_is_given_up_and_shown_and_can_be_sent_again,
);

const ACCOUNT_FREE_APPLICATION: [(&str, &[(&str, &str)]); 7] = [
    ("/apply/mailbox/organisation", &[("ods_code", "RR8")]),
    (
        "/apply/mailbox/environment",
        &[("environments", "deployment")],
    ),
    (
        "/apply/mailbox/workflows",
        &[
            ("add_workflow", "TOC_FHIR_EC_DISCH"),
            ("direction-TOC_FHIR_EC_DISCH", "send"),
        ],
    ),
    ("/apply/mailbox/workflows", &[("continue", "1")]),
    ("/apply/mailbox/file-size", &[("file_size", "up_to_10mb")]),
    (
        "/apply/mailbox/contact",
        &[
            ("contact_name", "Priya Patel"),
            ("contact_email", "priya.patel@nhs.net"),
            ("contact_phone", "0113 496 0001"),
        ],
    ),
    (
        "/apply/mailbox/check-answers",
        &[("declaration", "confirmed")],
    ),
];

async fn apply(app: &mesh_portal_tests::TestApp) -> String {
    let browser = app.browser();
    for (path, pairs) in ACCOUNT_FREE_APPLICATION {
        let answer = browser.post_form(path, pairs).await;
        assert_eq!(answer.status, 303, "{path}: {}", answer.body);
    }
    sqlx::query_scalar::<sqlx::Any, String>("SELECT reference FROM applications")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// Joins the lines that quoted-printable encoding split, and decodes its `=3D`.
fn unfold_quoted_printable(message: &str) -> String {
    message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

async fn confirmation_and_notification_arrive_by_smtp(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_SMTP_URL", &smtp.url()),
            ("MESH_PORTAL_SERVICE_DESK_EMAIL", "mesh.desk@nhs.net"),
            ("MESH_PORTAL_MAIL_FROM", "MESH portal <mesh-portal@nhs.net>"),
            ("MESH_PORTAL_BASE_URL", "https://mesh-portal.example.nhs.uk"),
        ],
    )
    .await;

    let reference = apply(&app).await;
    let messages: Vec<String> = smtp
        .wait_for(2)
        .await
        .iter()
        .map(|m| unfold_quoted_printable(m))
        .collect();

    assert_eq!(messages.len(), 2, "both emails arrived");
    let to_applicant = messages
        .iter()
        .find(|m| header(m, "To") == Some("priya.patel@nhs.net"))
        .expect("the applicant's confirmation");
    let to_desk = messages
        .iter()
        .find(|m| header(m, "To") == Some("mesh.desk@nhs.net"))
        .expect("the service desk's notification");
    assert_eq!(
        header(to_applicant, "Subject"),
        Some(format!("Your MESH mailbox application: {reference}").as_str())
    );
    assert_eq!(
        header(to_desk, "Subject"),
        Some(format!("New MESH mailbox application: {reference}").as_str())
    );
    for message in [to_applicant, to_desk] {
        assert!(header(message, "From").is_some_and(|f| f.contains("mesh-portal@nhs.net")));
        assert!(message.contains("multipart/alternative"));
        assert!(message.contains("text/plain"));
        assert!(message.contains("text/html"));
        assert!(message.contains(&reference));
        assert!(message.contains(&format!(
            "https://mesh-portal.example.nhs.uk/applications/{reference}"
        )));
    }
    assert!(to_applicant.contains("Leeds Teaching Hospitals NHS Trust (RR8)"));
    assert_eq!(unsent_after_a_moment(&app).await, 0);
}

async fn an_email_the_server_refuses_stays_in_the_outbox_and_is_retried(backend: Backend) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SMTP_URL", &url)]).await;

    let reference = apply(&app).await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        failed = sqlx::query_as::<sqlx::Any, (i64, Option<String>)>(
            "SELECT attempts, last_error FROM mail_outbox WHERE sent_at IS NULL",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        if failed.len() == 2 && failed.iter().all(|(_, e)| e.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        failed.len(),
        2,
        "the application is stored, its emails wait"
    );
    assert!(
        failed
            .iter()
            .all(|(attempts, error)| *attempts == 1 && error.is_some())
    );

    // The SMTP server comes back; the retry (brought forward here) delivers both.
    let smtp = SmtpServer::start_on(port);
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.state.mailer.wake();
    let messages = smtp.wait_for(2).await;

    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.contains(&reference)));
}

async fn twenty_decisions_made_while_the_mail_server_is_down_each_email_once_when_it_is_back(
    backend: Backend,
) {
    use app::backend::service_desk::decide::decide;
    use app::model::service_desk::Decision;

    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SMTP_URL", &url)]).await;
    let desk = app::backend::accounts::create_user(
        &app.state.db,
        app::backend::accounts::NewAccount {
            email: "dana.desk@nhs.net".into(),
            name: "Dana Desk".into(),
            role: app::model::accounts::Role::ServiceDesk,
            mailboxes: vec![],
            smartcard_number: None,
        },
        &app::backend::audit::Actor::system(),
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let actor = app::backend::audit::Actor {
        id: desk.user_id,
        access_route: "hscn".into(),
        client_addr: "127.0.0.1".into(),
    };

    let mut references = Vec::new();
    for i in 0..20 {
        let reference =
            mesh_portal_tests::applying::workflow_request(&app, &format!("RELIABLE_{i:02}")).await;
        let parsed = app::model::applications::Reference::parse(&reference).unwrap();
        decide(&app.state, &parsed, Decision::Approve, "", &actor)
            .await
            .unwrap();
        references.push(reference);
    }
    // Two emails per request sent, one per approval: all waiting, none lost.
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(total, 60);

    let smtp = SmtpServer::start_on(port);
    // Every retry is due within the hour.
    app.state.clock.advance(3600);
    app.state.mailer.wake();
    let messages = smtp.wait_for(60).await;
    // Whatever else might go is given time to go (and must not).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    app.state.mailer.wake();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let messages_after = smtp.messages();

    assert_eq!(messages.len(), 60);
    assert_eq!(messages_after.len(), 60, "no email twice");
    for i in 0..20 {
        let approved = messages_after
            .iter()
            .filter(|m| m.contains(&format!("Subject: Workflow ID added: RELIABLE_{i:02}")))
            .count();
        assert_eq!(approved, 1, "RELIABLE_{i:02}");
    }
    assert_eq!(unsent_after_a_moment(&app).await, 0);
}

async fn a_refused_recipient_is_given_up_and_shown_and_can_be_sent_again(backend: Backend) {
    use app::model::accounts::Role;
    use mesh_portal_tests::accounts::signed_in_browser;

    let smtp = SmtpServer::start();
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SMTP_URL", &smtp.url())]).await;
    let reference = mesh_portal_tests::applying::workflow_request(&app, "WOUND_CARE_PHOTO").await;
    smtp.wait_for(2).await;
    // An address the mail server refuses for good (a 5xx answer) is given up at once.
    sqlx::query(
        "INSERT INTO mail_outbox (id, to_address, subject, text_body, html_body, created_at, \
         attempts, next_attempt_at, reference, sensitive, failed_at, last_error) \
         VALUES ('refused1', 'nobody@nhs.net', 'A refused email', 'x', 'x', 0, 1, 0, $1, 0, 5, \
         '550 no such mailbox')",
    )
    .bind(&reference)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let page = format!("/service-desk/applications/{reference}");
    let (_, detail) = desk.get_text(&page).await;
    assert!(
        detail.contains("Not sent: the mail server refused it"),
        "{detail}"
    );

    let again = desk.post_form(&page, &[("resend_email", "refused1")]).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let copies: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE subject = 'A refused email' AND failed_at IS NULL",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(copies, 1, "a new copy waits to go");
    let arrived = smtp.wait_for(3).await;
    assert!(
        arrived
            .iter()
            .any(|m| m.contains("Subject: A refused email"))
    );
    let unknown = desk
        .post_form(&page, &[("resend_email", "not-an-email")])
        .await;
    assert_eq!(
        unknown.status, 400,
        "only this application's emails can be sent again"
    );
}

/// How many emails are still marked unsent, once the worker has had up to 5 s to record what
/// the SMTP server has already received.
async fn unsent_after_a_moment(app: &mesh_portal_tests::TestApp) -> i64 {
    let mut unsent = 0;
    for _ in 0..50 {
        unsent = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    unsent
}
