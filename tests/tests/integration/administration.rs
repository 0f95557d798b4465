//! The service desk's administration of mailboxes and of the workflow ID catalogue, over HTTP as a
//! browser without JavaScript uses it: every change checked in the database, on the pages that
//! show it, and in the audit log.

use app::model::accounts::Role;
use mesh_portal_tests::accounts::signed_in_browser;
use mesh_portal_tests::applying::mailbox_application;
use mesh_portal_tests::{Backend, Browser, TestApp, spawn_app};

on_each_database!(
    the_service_desk_finds_suspends_and_reactivates_a_mailbox,
    a_new_api_password_replaces_the_old_is_shown_once_and_goes_to_the_manager,
    registrations_change_only_for_workflows_the_catalogue_offers,
    the_service_desk_adds_edits_retires_and_reinstates_catalogue_entries,
);

/// An approved mailbox application for X26 in Integration and Live: (X26OT001 live, X26OT002
/// integration), and the service desk's browser.
async fn approved_mailboxes(app: &TestApp) -> Browser {
    let sent = mailbox_application(app, "X26", &["live", "integration"], "sam.jones@nhs.net").await;
    let desk = signed_in_browser(app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let page = format!("/service-desk/applications/{sent}");
    let approved = desk.post_form(&page, &[("decision", "approve")]).await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    desk
}

async fn audit_details(app: &TestApp, action: &str) -> Vec<(String, String, String)> {
    sqlx::query_as::<sqlx::Any, (String, String, String)>(
        "SELECT COALESCE(u.email, a.actor), a.subject, a.detail FROM audit_log a \
         LEFT JOIN users u ON u.user_id = a.actor WHERE a.action = $1 ORDER BY a.seq",
    )
    .bind(action)
    .fetch_all(&app.state.db.pool)
    .await
    .expect("audit entries")
}

async fn mailbox_status(app: &TestApp, mailbox_id: &str) -> String {
    sqlx::query_scalar::<sqlx::Any, String>("SELECT status FROM mailboxes WHERE mailbox_id = $1")
        .bind(mailbox_id)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("a mailbox")
}

async fn the_service_desk_finds_suspends_and_reactivates_a_mailbox(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = approved_mailboxes(&app).await;

    let (status, all) = desk.get_text("/service-desk/mailboxes?q=x26").await;
    assert_eq!(status, 200);
    assert!(
        all.contains("X26OT001") && all.contains("X26OT002"),
        "{all}"
    );
    let (_, live) = desk
        .get_text("/service-desk/mailboxes?q=&environment=live")
        .await;
    assert!(live.contains("X26OT001") && !live.contains("X26OT002"));
    let (_, by_name) = desk.get_text("/service-desk/mailboxes?q=england").await;
    assert!(by_name.contains("X26OT001"), "found by organisation name");
    let (_, literal) = desk.get_text("/service-desk/mailboxes?q=%25").await;
    assert!(
        literal.contains("No mailboxes match"),
        "a % is a character, not a wildcard"
    );

    let page = "/service-desk/mailboxes/X26OT001";
    let (status, detail) = desk.get_text(page).await;
    assert_eq!(status, 200);
    for shown in [
        "Mailbox X26OT001",
        "NHS England (X26)",
        "sam.jones@nhs.net",
        "PATH_MEDRPT_V3",
        "Suspend the mailbox",
    ] {
        assert!(detail.contains(shown), "{shown} on the page");
    }

    let refused = desk.post_form(page, &[("action", "suspend")]).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("Enter the reason for suspending the mailbox"),
        "{}",
        refused.body
    );
    assert_eq!(mailbox_status(&app, "X26OT001").await, "active");

    let suspended = desk
        .post_form(
            page,
            &[("action", "suspend"), ("reason", "Organisation merged")],
        )
        .await;
    assert_eq!(suspended.location.as_deref(), Some(page));
    assert_eq!(mailbox_status(&app, "X26OT001").await, "suspended");
    let (_, listed) = desk
        .get_text("/service-desk/mailboxes?status=suspended")
        .await;
    assert!(listed.contains("X26OT001") && !listed.contains("X26OT002"));
    let twice = desk
        .post_form(page, &[("action", "suspend"), ("reason", "Again")])
        .await;
    assert_eq!(
        twice.status, 400,
        "a suspended mailbox is not suspended again"
    );
    assert!(twice.body.contains("This mailbox is suspended now"));

    let reactivated = desk.post_form(page, &[("action", "reactivate")]).await;
    assert_eq!(reactivated.status, 303);
    assert_eq!(mailbox_status(&app, "X26OT001").await, "active");

    let suspensions = audit_details(&app, "mailbox.suspend").await;
    assert_eq!(suspensions.len(), 1, "the refused ones are not recorded");
    assert_eq!(suspensions[0].0, "dana.desk@nhs.net");
    assert_eq!(suspensions[0].1, "mailbox:X26OT001");
    assert!(suspensions[0].2.contains("Organisation merged"));
    assert_eq!(audit_details(&app, "mailbox.reactivate").await.len(), 1);

    let missing = desk
        .post_form(
            "/service-desk/mailboxes/NOSUCHBOX",
            &[("action", "reset_api_password")],
        )
        .await;
    assert_eq!(missing.status, 404);
}

async fn a_new_api_password_replaces_the_old_is_shown_once_and_goes_to_the_manager(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let desk = approved_mailboxes(&app).await;
    let stored = || async {
        sqlx::query_scalar::<sqlx::Any, String>(
            "SELECT api_password_sealed FROM mailboxes WHERE mailbox_id = 'X26OT002'",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
    };
    let before = stored().await;

    let page = "/service-desk/mailboxes/X26OT002";
    let reset = desk
        .post_form(page, &[("action", "reset_api_password")])
        .await;
    assert_eq!(reset.location.as_deref(), Some(page));
    let (_, shown) = desk.get_text(page).await;
    assert!(shown.contains("New MESH API password"), "{shown}");
    let email = app
        .sent_email("New MESH API password for X26OT002")
        .await
        .expect("the manager is emailed");
    assert!(email.contains("sam.jones@nhs.net") || email.contains("X26OT002"));
    let password = email
        .lines()
        .skip_while(|line| !line.contains("MESH API password"))
        .flat_map(|line| line.split_whitespace())
        .find(|word| word.len() == 20 && word.chars().all(|c| c.is_ascii_alphanumeric()))
        .expect("the password is in the email")
        .to_owned();
    assert!(
        shown.contains(&password),
        "the page shows the same password"
    );
    let (_, again) = desk.get_text(page).await;
    assert!(!again.contains(&password), "shown once only");

    let after = stored().await;
    assert_ne!(before, after);
    assert_eq!(
        app::backend::service_desk::decide::api_password(&app.state.secret_key, &after).unwrap(),
        password,
        "the new one is stored"
    );
    assert!(!after.contains(&password), "sealed, not in the clear");

    let entries = audit_details(&app, "mailbox.reset_api_password").await;
    assert_eq!(entries.len(), 1);
    assert!(entries[0].2.contains("emailed to sam.jones@nhs.net"));
    assert!(
        !entries[0].2.contains(&password),
        "the audit log has no password"
    );
    // The email's body is blanked once sent: the database keeps no copy of the password.
    let mut kept = None;
    for _ in 0..100 {
        kept = sqlx::query_scalar::<sqlx::Any, String>(
            "SELECT text_body FROM mail_outbox WHERE subject = 'New MESH API password for X26OT002' \
             AND sent_at IS NOT NULL",
        )
        .fetch_optional(&app.state.db.pool)
        .await
        .unwrap();
        if kept.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!kept.expect("marked sent").contains(&password));
}

/// A form's pairs, and the field and message of its refusal.
type Refused = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

async fn registrations_change_only_for_workflows_the_catalogue_offers(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = approved_mailboxes(&app).await;
    let page = "/service-desk/mailboxes/X26OT002";
    let registrations = || async {
        sqlx::query_as::<sqlx::Any, (String, String)>(
            "SELECT workflow_id, direction FROM mailbox_workflows WHERE mailbox_id = 'X26OT002' \
             ORDER BY workflow_id",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
    };
    let before = registrations().await;

    let cases: [Refused; 4] = [
        (
            &[("action", "set_workflow"), ("direction", "send")],
            "workflow_id",
            "Enter a workflow ID",
        ),
        (
            &[
                ("action", "set_workflow"),
                ("workflow_id", "AMB_FALLS_REFERRAL"),
            ],
            "direction",
            "Select whether the mailbox sends, receives, or both",
        ),
        (
            &[
                ("action", "set_workflow"),
                ("workflow_id", "NOT_IN_THE_CATALOGUE"),
                ("direction", "send"),
            ],
            "workflow_id",
            "NOT_IN_THE_CATALOGUE is not in the workflow ID catalogue",
        ),
        (
            &[
                ("action", "remove_workflow"),
                ("workflow_id", "AMB_FALLS_REFERRAL"),
            ],
            "workflow_id",
            "This mailbox is not registered for AMB_FALLS_REFERRAL",
        ),
    ];
    for (pairs, field, message) in cases {
        let refused = desk.post_form(page, pairs).await;
        assert_eq!(refused.status, 400, "{pairs:?}");
        assert!(
            refused.body.contains(message) && refused.body.contains(&format!("#{field}")),
            "{pairs:?}: {}",
            refused.body
        );
    }
    assert_eq!(registrations().await, before, "nothing changed");

    let added = desk
        .post_form(
            page,
            &[
                ("action", "set_workflow"),
                ("workflow_id", "AMB_FALLS_REFERRAL"),
                ("direction", "receive"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    desk.post_form(
        page,
        &[
            ("action", "set_workflow"),
            ("workflow_id", "AMB_FALLS_REFERRAL"),
            ("direction", "both"),
        ],
    )
    .await;
    let now = registrations().await;
    assert!(now.contains(&("AMB_FALLS_REFERRAL".to_owned(), "both".to_owned())));
    assert_eq!(now.len(), before.len() + 1, "changed, not added twice");

    // A retired workflow stays listed on the mailbox, marked retired, but cannot be added.
    sqlx::query::<sqlx::Any>(
        "UPDATE workflows SET status = 'retired' WHERE workflow_id = 'AMB_FALLS_REFERRAL'",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let (_, shown) = desk.get_text(page).await;
    assert!(shown.contains("Retired"));
    let retired = desk
        .post_form(
            "/service-desk/mailboxes/X26OT001",
            &[
                ("action", "set_workflow"),
                ("workflow_id", "AMB_FALLS_REFERRAL"),
                ("direction", "send"),
            ],
        )
        .await;
    assert_eq!(retired.status, 400);
    assert!(retired.body.contains("AMB_FALLS_REFERRAL is retired"));

    let removed = desk
        .post_form(
            page,
            &[
                ("action", "remove_workflow"),
                ("workflow_id", "AMB_FALLS_REFERRAL"),
            ],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(registrations().await, before);
    assert_eq!(audit_details(&app, "mailbox.set_workflow").await.len(), 2);
    let removals = audit_details(&app, "mailbox.remove_workflow").await;
    assert_eq!(removals.len(), 1);
    assert!(removals[0].2.contains("AMB_FALLS_REFERRAL"));
}

async fn the_service_desk_adds_edits_retires_and_reinstates_catalogue_entries(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;

    let refused = desk
        .post_form(
            "/service-desk/workflows/new",
            &[
                ("workflow_id", "wound photos"),
                ("group", ""),
                ("description", "Photos"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    for message in [
        "Workflow ID must not contain spaces",
        "Enter workflow group",
    ] {
        assert!(refused.body.contains(message), "{message}");
    }
    let duplicate = desk
        .post_form(
            "/service-desk/workflows/new",
            &[
                ("workflow_id", "AMB_FALLS_REFERRAL"),
                ("group", "Ambulance"),
                ("description", "Again"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, 400);
    assert!(
        duplicate
            .body
            .contains("AMB_FALLS_REFERRAL is already in the catalogue")
    );

    let added = desk
        .post_form(
            "/service-desk/workflows/new",
            &[
                ("workflow_id", "WOUND_CARE_PHOTO"),
                ("group", "Tissue viability"),
                ("description", "Photographs of wounds from community nurses"),
                ("rules", "hscn_only"),
            ],
        )
        .await;
    assert_eq!(
        added.location.as_deref(),
        Some("/service-desk/workflows/WOUND_CARE_PHOTO"),
        "{}",
        added.body
    );
    // The public catalogue shows it at once, in its new group.
    let (_, found) = app.get_text("/workflows?q=wound+photographs").await;
    assert!(found.contains("WOUND_CARE_PHOTO"), "{found}");
    let (_, entry) = app.get_text("/workflows/WOUND_CARE_PHOTO").await;
    assert!(entry.contains("Tissue viability"));

    let edited = desk
        .post_form(
            "/service-desk/workflows/WOUND_CARE_PHOTO",
            &[
                ("action", "save"),
                // The ID is the page's own: a different one sent here changes nothing.
                ("workflow_id", "SOMETHING_ELSE"),
                ("group", "Tissue viability"),
                ("description", "Wound photographs from district nurses"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let (_, entry) = app.get_text("/workflows/WOUND_CARE_PHOTO").await;
    assert!(entry.contains("Wound photographs from district nurses"));
    let (status, _) = app.get_text("/workflows/SOMETHING_ELSE").await;
    assert_eq!(status, 404);
    let edits = audit_details(&app, "workflow.edit").await;
    assert_eq!(edits.len(), 1);
    assert!(
        edits[0].2.contains("description") && edits[0].2.contains("HSCN only: no"),
        "{}",
        edits[0].2
    );

    // A seed entry the desk edits is the desk's from then on.
    desk.post_form(
        "/service-desk/workflows/AMB_FALLS_REFERRAL",
        &[
            ("action", "save"),
            ("group", "Ambulance"),
            ("description", "Falls referrals from ambulance crews"),
        ],
    )
    .await;
    let source = sqlx::query_scalar::<sqlx::Any, String>(
        "SELECT source FROM workflows WHERE workflow_id = 'AMB_FALLS_REFERRAL'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(source, "service_desk");

    // Retired: still found, marked retired; then active again.
    let retired = desk
        .post_form(
            "/service-desk/workflows/WOUND_CARE_PHOTO",
            &[("action", "retire")],
        )
        .await;
    assert_eq!(retired.status, 303);
    let (_, entry) = app.get_text("/workflows/WOUND_CARE_PHOTO").await;
    assert!(entry.contains("Retired"), "retired entries stay visible");
    let (_, listed) = desk.get_text("/service-desk/workflows?q=wound").await;
    assert!(listed.contains("WOUND_CARE_PHOTO") && listed.contains("1 of them retired"));
    desk.post_form(
        "/service-desk/workflows/WOUND_CARE_PHOTO",
        &[("action", "reinstate")],
    )
    .await;
    let status = sqlx::query_scalar::<sqlx::Any, String>(
        "SELECT status FROM workflows WHERE workflow_id = 'WOUND_CARE_PHOTO'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(status, "active");
    for action in ["workflow.add", "workflow.retire", "workflow.reinstate"] {
        let entries = audit_details(&app, action).await;
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0].1, "workflow:WOUND_CARE_PHOTO");
    }
}
