//! The service desk's pages over HTTP, as a browser without JavaScript uses them: the queue and
//! its filters, an application's page, assigning, deciding, and what the page says afterwards.

use app::model::accounts::Role;
use mesh_portal_tests::accounts::{PIN, invite, set_up_with_app, sign_in, signed_in_browser};
use mesh_portal_tests::applying::{mailbox_application, workflow_request};
use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    staff_find_an_application_assign_it_and_approve_it_seeing_the_passwords_once,
    a_decision_needs_its_reason_and_a_late_one_is_told_who_decided,
    the_queue_filters_and_marks_what_is_overdue,
    the_audit_log_filters_and_exports_what_it_shows_safely,
    the_service_desk_looks_after_mailbox_users_accounts,
);

async fn staff_find_an_application_assign_it_and_approve_it_seeing_the_passwords_once(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let sent =
        mailbox_application(&app, "X26", &["live", "integration"], "sam.jones@nhs.net").await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;

    let (status, queue) = desk.get_text("/service-desk").await;
    assert_eq!(status, 200);
    assert!(
        queue.contains(&sent) && queue.contains("NHS England (X26)"),
        "{queue}"
    );
    let page = format!("/service-desk/applications/{sent}");
    let (status, detail) = desk.get_text(&page).await;
    assert_eq!(status, 200);
    for answer in [
        "PATH_MEDRPT_V3: Send and receive",
        "Sam Jones",
        "sam.jones@nhs.net",
        "Path to Live: Integration",
    ] {
        assert!(detail.contains(answer), "{answer} in the answers");
    }

    let assigned = desk.post_form(&page, &[("assign_to_me", "1")]).await;
    assert_eq!(assigned.location.as_deref(), Some(page.as_str()));
    let (_, mine) = desk.get_text("/service-desk?assigned=me").await;
    assert!(mine.contains(&sent), "assigned to me");

    let approved = desk.post_form(&page, &[("decision", "approve")]).await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let (_, after) = desk.get_text(&page).await;
    assert!(
        after.contains("Mailboxes issued")
            && after.contains("X26OT001")
            && after.contains("X26OT002")
    );
    assert!(after.contains("shown once"), "the passwords, once");
    assert!(
        after.contains("Your MESH mailbox is ready"),
        "the email is listed"
    );
    let (_, again) = desk.get_text(&page).await;
    assert!(!again.contains("shown once"), "not twice");
    assert!(again.contains("X26OT001"), "the mailboxes stay listed");
    assert!(!again.contains("Record decision"), "nothing left to decide");

    // The email with the passwords cannot be sent again once sent: its body was blanked.
    app.sent_email("Your MESH mailbox is ready")
        .await
        .expect("sent");
    let mut id = None;
    for _ in 0..100 {
        id = sqlx::query_scalar::<sqlx::Any, String>(
            "SELECT id FROM mail_outbox WHERE subject LIKE 'Your MESH mailbox is ready%' \
             AND sent_at IS NOT NULL",
        )
        .fetch_optional(&app.state.db.pool)
        .await
        .unwrap();
        if id.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let refused = desk
        .post_form(&page, &[("resend_email", &id.expect("marked sent"))])
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("removed once it was sent"),
        "{}",
        refused.body
    );
}

async fn a_decision_needs_its_reason_and_a_late_one_is_told_who_decided(backend: Backend) {
    let app = spawn_app(backend).await;
    let sent = workflow_request(&app, "WOUND_CARE_PHOTO").await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let admin = signed_in_browser(&app, "ade.admin@nhs.net", Role::Admin, &[]).await;
    let page = format!("/service-desk/applications/{sent}");

    let no_reason = desk
        .post_form(&page, &[("decision", "reject"), ("note", "  ")])
        .await;
    assert_eq!(no_reason.status, 400);
    assert!(
        no_reason
            .body
            .contains("Enter the reason for rejecting the application")
    );
    let no_decision = desk.post_form(&page, &[("note", "Hmm")]).await;
    assert!(no_decision.body.contains("Select a decision"));

    let first = admin.post_form(&page, &[("decision", "approve")]).await;
    assert_eq!(first.status, 303);
    let late = desk
        .post_form(&page, &[("decision", "reject"), ("note", "Too vague")])
        .await;
    assert_eq!(late.status, 400);
    assert!(
        late.body
            .contains("This application has already been approved by Test Administrator"),
        "{}",
        late.body
    );
}

async fn the_queue_filters_and_marks_what_is_overdue(backend: Backend) {
    let app = spawn_app(backend).await;
    let mailbox = mailbox_application(&app, "X26", &["integration"], "sam@nhs.net").await;
    let request = workflow_request(&app, "WOUND_CARE_PHOTO").await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;

    let (_, mailboxes) = desk.get_text("/service-desk?kind=mailbox").await;
    assert!(mailboxes.contains(&mailbox) && !mailboxes.contains(&request));
    let (_, found) = desk
        .get_text(&format!("/service-desk?q={}", request.to_lowercase()))
        .await;
    assert!(found.contains(&request) && !found.contains(&mailbox));
    let (_, by_email) = desk.get_text("/service-desk?q=SAM%40nhs").await;
    assert!(by_email.contains(&mailbox) && !by_email.contains(&request));
    let (_, none) = desk.get_text("/service-desk?status=approved").await;
    assert!(none.contains("No applications match"));
    let (_, fresh) = desk.get_text("/service-desk").await;
    assert!(
        !fresh.contains("nhsuk-tag--red\">Overdue<"),
        "nothing is late yet"
    );

    app.state.clock.advance(10 * 86_400);
    // (The old session ran out in ten days; a new one.)
    let desk = signed_in_browser(&app, "olu.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let (_, late) = desk.get_text("/service-desk").await;
    assert!(
        late.contains("nhsuk-tag--red\">Overdue<"),
        "ten days on, five working days have passed: {}",
        &late[late.find("<main").unwrap_or(0)..]
    );
    assert!(
        late.contains("Overdue</a>: <strong>2</strong>"),
        "the count of overdue applications"
    );

    // Environment, age and order.
    let live = mailbox_application(&app, "RR8", &["live"], "lee@nhs.net").await;
    let (_, integration) = desk.get_text("/service-desk?environment=integration").await;
    assert!(integration.contains(&mailbox) && !integration.contains(&live));
    assert!(
        !integration.contains(&request),
        "a workflow request has no environment"
    );
    let (_, in_live) = desk.get_text("/service-desk?environment=live").await;
    assert!(in_live.contains(&live) && !in_live.contains(&mailbox));
    let (_, old) = desk.get_text("/service-desk?age=5").await;
    assert!(old.contains(&mailbox) && old.contains(&request) && !old.contains(&live));
    let (_, overdue) = desk.get_text("/service-desk?age=overdue&sort=due").await;
    assert!(overdue.contains(&mailbox) && !overdue.contains(&live));
    let position = |page: &str, reference: &str| page.find(reference).expect("listed");
    let (_, newest) = desk.get_text("/service-desk?sort=newest").await;
    assert!(position(&newest, &live) < position(&newest, &mailbox));
    let (_, oldest) = desk.get_text("/service-desk").await;
    assert!(position(&oldest, &mailbox) < position(&oldest, &live));
    let (_, due) = desk.get_text("/service-desk?sort=due").await;
    assert!(position(&due, &mailbox) < position(&due, &live));
    let (_, by_name) = desk.get_text("/service-desk?sort=organisation").await;
    assert!(
        position(&by_name, &live) < position(&by_name, &mailbox),
        "Leeds Teaching Hospitals before NHS England"
    );
    let (status, _) = desk.get_text("/service-desk?age=999&sort=nonsense").await;
    assert_eq!(
        status, 200,
        "values the form does not offer mean any age, oldest first"
    );
    let long = "x".repeat(101);
    let (status, _) = desk.get_text(&format!("/service-desk?q={long}")).await;
    assert_eq!(status, 400, "a search too long is refused, not run");
}

async fn the_audit_log_filters_and_exports_what_it_shows_safely(backend: Backend) {
    use app::backend::audit::{self, Actor, Event, Outcome};

    let app = spawn_app(backend).await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let sent = workflow_request(&app, "WOUND_CARE_PHOTO").await;
    let page = format!("/service-desk/applications/{sent}");
    desk.post_form(&page, &[("decision", "approve")]).await;
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    audit::record(
        &mut conn,
        &Actor::system(),
        Event {
            action: "test.formula",
            subject: "=HYPERLINK(\"http://evil.example\")".into(),
            outcome: Outcome::Success,
            detail: "+SUM(A1:A9)".into(),
        },
        app.state.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);

    let (status, all) = desk.get_text("/service-desk/audit").await;
    assert_eq!(status, 200);
    assert!(all.contains("application.approve") && all.contains("sign_in"));
    let (_, approvals) = desk
        .get_text("/service-desk/audit?action=application.")
        .await;
    assert!(approvals.contains(&format!("application:{sent}")));
    assert!(
        !approvals.contains(">sign_in<"),
        "only the actions asked for"
    );
    let (_, by_person) = desk.get_text("/service-desk/audit?actor=DANA.DESK").await;
    assert!(
        by_person.contains("Test Service desk (dana.desk@nhs.net)"),
        "named, with the email"
    );
    let (status, bad) = desk.get_text("/service-desk/audit?from=2026-02-30").await;
    assert_eq!(status, 400);
    assert!(bad.contains("Enter a date in the format year-month-day"));
    let (_, none) = desk.get_text("/service-desk/audit?to=1999-01-01").await;
    assert!(none.contains("No entries match"));

    let response = desk
        .client
        .get(format!(
            "{}/service-desk/audit.csv?action=test.",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "the header and the one entry asked for: {csv}"
    );
    assert!(lines[0].starts_with("time (UTC),actor,action,subject"));
    assert!(
        lines[1].contains("'=HYPERLINK") && lines[1].contains("'+SUM(A1:A9)"),
        "{csv}"
    );
    assert!(
        !lines[1].contains(",=HYPERLINK"),
        "no cell starts a formula"
    );
}

async fn the_service_desk_looks_after_mailbox_users_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "ada@nhs.net", Role::MailboxUser, &[]).await;
    let ada = app.browser();
    let secret = set_up_with_app(&app, &ada, &token).await;
    sign_in(&app, &ada, "ada@nhs.net", &secret).await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let admin = signed_in_browser(&app, "ade.admin@nhs.net", Role::Admin, &[]).await;
    let id = |email: &'static str| {
        let db = app.state.db.clone();
        async move {
            app::backend::db::users::by_email(&db, email)
                .await
                .unwrap()
                .unwrap()
                .user_id
        }
    };
    let ada_page = format!("/service-desk/users/{}", id("ada@nhs.net").await);

    let (_, found) = desk.get_text("/service-desk/users?q=ADA@").await;
    assert!(found.contains("ada@nhs.net") && !found.contains("dana.desk@nhs.net"));

    // Disabled: her session stops working at once, and she cannot log in.
    let disabled = desk.post_form(&ada_page, &[("action", "disable")]).await;
    assert_eq!(disabled.location.as_deref(), Some(ada_page.as_str()));
    let (status, _) = ada.get_text("/mailboxes").await;
    assert_eq!(status, 401);
    let refused = ada
        .post_form("/sign-in/pin", &[("email", "ada@nhs.net"), ("pin", PIN)])
        .await;
    assert!(
        refused
            .body
            .contains("The email address or PIN is not right")
    );
    desk.post_form(&ada_page, &[("action", "enable")]).await;
    sign_in(&app, &ada, "ada@nhs.net", &secret).await;

    // Locked by the desk until unlocked.
    desk.post_form(&ada_page, &[("action", "lock")]).await;
    let (_, page) = desk.get_text(&ada_page).await;
    assert!(page.contains("Unlock the account"));
    let locked = ada
        .post_form("/sign-in/pin", &[("email", "ada@nhs.net"), ("pin", PIN)])
        .await;
    assert!(locked.body.contains("Your account is locked"));
    desk.post_form(&ada_page, &[("action", "unlock")]).await;
    sign_in(&app, &ada, "ada@nhs.net", &secret).await;

    // Reset: the PIN stops working and a new set-up link arrives.
    desk.post_form(&ada_page, &[("action", "reset")]).await;
    let old_pin = ada
        .post_form("/sign-in/pin", &[("email", "ada@nhs.net"), ("pin", PIN)])
        .await;
    assert!(
        old_pin
            .body
            .contains("The email address or PIN is not right")
    );
    let email = app
        .sent_email("Set up your MESH portal account again")
        .await
        .expect("the new set-up link was sent");
    let at = email.find("/activate/").expect("a link");
    let link: String = email[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let (status, _) = app.get_text(&format!("/activate/{token}")).await;
    assert_eq!(status, 410, "the old link stays used");
    let new_token = link.trim_start_matches("/activate/").to_owned();
    let secret = set_up_with_app(&app, &ada, &new_token).await;
    sign_in(&app, &ada, "ada@nhs.net", &secret).await;

    // Her mailboxes: only mailboxes that exist and are active; all or nothing.
    for mailbox in ["X26HC001", "X26HC002"] {
        app::backend::mailboxes::add(&app.state.db, mailbox, "X26", "integration")
            .await
            .unwrap();
    }
    let linked = desk
        .post_form(
            &ada_page,
            &[
                ("action", "mailboxes"),
                ("mailbox_ids", "x26hc001, X26HC002"),
            ],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let ada_id = id("ada@nhs.net").await;
    let mailboxes_now = || {
        let db = app.state.db.clone();
        let ada_id = ada_id.clone();
        async move {
            app::backend::db::users::mailboxes_of(&db, &ada_id)
                .await
                .unwrap()
        }
    };
    assert_eq!(mailboxes_now().await, ["X26HC001", "X26HC002"]);
    let unknown = desk
        .post_form(
            &ada_page,
            &[
                ("action", "mailboxes"),
                ("mailbox_ids", "X26HC001 X26HC999"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(
        unknown
            .body
            .contains("There is no mailbox with the ID X26HC999")
    );
    assert_eq!(
        mailboxes_now().await,
        ["X26HC001", "X26HC002"],
        "nothing changed"
    );

    // The desk cannot change staff accounts or its own; an administrator can.
    let admin_page = format!("/service-desk/users/{}", id("ade.admin@nhs.net").await);
    let desk_page = format!("/service-desk/users/{}", id("dana.desk@nhs.net").await);
    assert_eq!(
        desk.post_form(&admin_page, &[("action", "lock")])
            .await
            .status,
        403
    );
    assert_eq!(
        desk.post_form(&desk_page, &[("action", "disable")])
            .await
            .status,
        403
    );
    assert_eq!(
        admin
            .post_form(&desk_page, &[("action", "lock")])
            .await
            .status,
        303
    );
    assert_eq!(
        admin
            .post_form(&desk_page, &[("action", "nonsense")])
            .await
            .status,
        400
    );

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'user.%' AND detail = 'by the service desk' ORDER BY seq",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "user.disable",
            "user.enable",
            "user.lock",
            "user.unlock",
            "user.reset_set_up",
            "user.lock"
        ]
    );
    let linked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'user.mailboxes' \
         AND detail = 'by the service desk: mailboxes X26HC001, X26HC002'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        linked, 1,
        "the change of mailboxes is audited once (the refused one not)"
    );
}
