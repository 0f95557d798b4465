//! The service desk's pages over HTTP, as a browser without JavaScript uses them: the queue and
//! its filters, an application's page, assigning, deciding, and what the page says afterwards.

use app::model::accounts::Role;
use mesh_portal_tests::accounts::signed_in_browser;
use mesh_portal_tests::applying::{mailbox_application, workflow_request};
use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    staff_find_an_application_assign_it_and_approve_it_seeing_the_passwords_once,
    a_decision_needs_its_reason_and_a_late_one_is_told_who_decided,
    the_queue_filters_and_marks_what_is_overdue,
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
    assert!(!fresh.contains(">Overdue<"), "nothing is late yet");

    app.state.clock.advance(10 * 86_400);
    // (The old session ran out in ten days; a new one.)
    let desk = signed_in_browser(&app, "olu.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let (_, late) = desk.get_text("/service-desk").await;
    assert!(
        late.contains(">Overdue<"),
        "ten days on, five working days have passed: {}",
        &late[late.find("<main").unwrap_or(0)..]
    );
    assert!(
        late.contains("Overdue: <strong>2</strong>"),
        "the count of overdue applications"
    );
    let long = "x".repeat(101);
    let (status, _) = desk.get_text(&format!("/service-desk?q={long}")).await;
    assert_eq!(status, 400, "a search too long is refused, not run");
}
