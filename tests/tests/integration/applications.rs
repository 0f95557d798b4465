//! Applications: the question pages, drafts in the session, submission, duplicates, the status
//! page, and what hostile posts get.

use app::backend::db::applications as repo;
use app::backend::now_unix;
use app::model::common::{Environment, MailboxStatus};
use mesh_portal_tests::{Backend, Browser, TestApp, spawn_app};

on_each_database!(
    a_complete_mailbox_application_is_stored_with_its_emails,
    answers_survive_back_reload_and_a_refused_form,
    each_question_refuses_bad_answers_with_its_message,
    refuses_an_ods_code_that_is_not_on_the_list,
    adds_changes_and_removes_workflows_and_refuses_retired_ones,
    check_answers_lists_what_is_missing_and_sends_nothing,
    refuses_a_duplicate_of_a_pending_application_with_its_reference,
    account_application_checks_mailboxes_against_the_register,
    a_workflow_id_request_gets_a_reference,
    references_have_the_agreed_format_and_are_unique,
    status_page_shows_progress_only_with_the_right_email,
    status_page_does_not_reveal_whether_a_reference_exists,
    status_page_posts_to_the_reference_as_parsed_never_to_the_path_as_typed,
    hostile_posts_get_a_clear_4xx_and_store_nothing,
);

const MAILBOX_ANSWERS: [(&str, &[(&str, &str)]); 6] = [
    ("/apply/mailbox/organisation", &[("ods_code", "x26")]),
    (
        "/apply/mailbox/environment",
        &[("environments", "live"), ("environments", "integration")],
    ),
    (
        "/apply/mailbox/workflows",
        &[
            ("add_workflow", "PATH_MEDRPT_V3"),
            ("direction-PATH_MEDRPT_V3", "both"),
        ],
    ),
    ("/apply/mailbox/workflows", &[("continue", "1")]),
    ("/apply/mailbox/file-size", &[("file_size", "up_to_50mb")]),
    (
        "/apply/mailbox/contact",
        &[
            ("contact_name", "Sam Jones"),
            ("contact_email", "Sam.Jones@NHS.net"),
            ("contact_phone", "0113 496 0000"),
        ],
    ),
];

/// Answers every mailbox question through the pages, as a browser without JavaScript.
async fn answer_mailbox_questions(browser: &Browser) {
    for (path, pairs) in MAILBOX_ANSWERS {
        let answer = browser.post_form(path, pairs).await;
        assert_eq!(answer.status, 303, "{path}: {}", answer.body);
    }
}

/// Sends a complete mailbox application; returns its reference.
async fn send_mailbox_application(browser: &Browser) -> String {
    answer_mailbox_questions(browser).await;
    let sent = browser
        .post_form(
            "/apply/mailbox/check-answers",
            &[("declaration", "confirmed")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some("/apply/mailbox/confirmation")
    );
    let (_, page) = browser.get_text("/apply/mailbox/confirmation").await;
    reference_in(&page, "MBX-").expect("the confirmation shows the reference")
}

/// The first reference with `prefix` in a text.
fn reference_in(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let reference: String = text[start..].chars().take(prefix.len() + 9).collect();
    app::model::applications::Reference::parse(&reference)
        .ok()
        .map(|r| r.to_string())
}

async fn count_rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn a_complete_mailbox_application_is_stored_with_its_emails(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();

    let reference = send_mailbox_application(&browser).await;

    assert!(reference.starts_with("MBX-"));
    let (kind, status, email, _) =
        repo::find_summary(&mut app.state.db.pool.acquire().await.unwrap(), &reference)
            .await
            .unwrap()
            .expect("stored");
    assert_eq!(
        (kind.as_str(), status.as_str(), email.as_str()),
        ("mailbox", "submitted", "sam.jones@nhs.net")
    );
    assert_eq!(
        count_rows(&app, "mailbox_application_environments").await,
        2
    );
    assert_eq!(count_rows(&app, "mailbox_application_workflows").await, 1);
    assert_eq!(count_rows(&app, "application_events").await, 1);
    // Both emails are queued in the same transaction, then written by the worker as .eml files.
    let outbox: Vec<(String, String)> =
        sqlx::query_as("SELECT to_address, subject FROM mail_outbox ORDER BY to_address DESC")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0].0, "service-desk@localhost");
    assert_eq!(outbox[1].0, "sam.jones@nhs.net");
    assert!(
        outbox
            .iter()
            .all(|(_, subject)| subject.contains(&reference))
    );
    let files = wait_for_eml_files(&app, 2, &reference).await;
    assert_eq!(files.len(), 2, "two .eml files in the data folder");
    assert!(files.iter().all(|f| f.contains(&reference)), "{files:?}");
    // The draft is gone: starting again starts empty.
    let (_, page) = browser.get_text("/apply/mailbox/contact").await;
    assert!(!page.contains("Sam Jones"));
}

/// The `.eml` files the default transport wrote, once `count` of them hold `text` (a file being
/// written may still be short).
async fn wait_for_eml_files(app: &TestApp, count: usize, text: &str) -> Vec<String> {
    let dir = app.data_dir.path().join("mail");
    for _ in 0..100 {
        let files: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        if files.iter().filter(|f| f.contains(text)).count() >= count {
            return files;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Vec::new()
}

async fn answers_survive_back_reload_and_a_refused_form(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    answer_mailbox_questions(&browser).await;

    // Back to an earlier page, and a reload of it, show the stored answers.
    let (_, organisation) = browser.get_text("/apply/mailbox/organisation").await;
    let (_, again) = browser.get_text("/apply/mailbox/organisation").await;
    let (_, environment) = browser.get_text("/apply/mailbox/environment").await;
    // A refused change shows what was typed, and loses nothing stored.
    let refused = browser
        .post_form(
            "/apply/mailbox/contact",
            &[
                ("contact_name", "Alex Smith"),
                ("contact_email", "alex@gmail.com"),
                ("contact_phone", "0113 496 0000"),
            ],
        )
        .await;
    let (_, contact_after) = browser.get_text("/apply/mailbox/contact").await;

    assert!(organisation.contains("value=\"X26\""), "{organisation}");
    assert!(organisation.contains("NHS England"));
    assert_eq!(without_nonces(&organisation), without_nonces(&again));
    assert_eq!(environment.matches("checked").count(), 2, "{environment}");
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("value=\"Alex Smith\""));
    assert!(refused.body.contains("value=\"alex@gmail.com\""));
    assert!(refused.body.contains("<title>Error: "));
    assert!(refused.body.contains("href=\"#contact_email\""));
    assert!(contact_after.contains("value=\"Sam Jones\""));
    assert!(contact_after.contains("value=\"sam.jones@nhs.net\""));
}

/// (page, answers, field in error, message)
type BadAnswer = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

const BAD_ANSWERS: [BadAnswer; 9] = [
    (
        "/apply/mailbox/organisation",
        &[("ods_code", "")],
        "ods_code",
        "Enter an ODS code",
    ),
    (
        "/apply/mailbox/organisation",
        &[("ods_code", "X26"), ("third_party_ods_code", "R;DROP")],
        "third_party_ods_code",
        "ODS code must only include letters and numbers",
    ),
    (
        "/apply/mailbox/environment",
        &[("environments", "production")],
        "environments",
        "Select environments from the list",
    ),
    (
        "/apply/mailbox/workflows",
        &[("continue", "1")],
        "q",
        "Add at least one workflow: search for it, then select Add",
    ),
    (
        "/apply/mailbox/file-size",
        &[],
        "file_size",
        "Select the size of the largest file",
    ),
    (
        "/apply/mailbox/contact",
        &[
            ("contact_name", "Sam"),
            ("contact_email", "sam@nhs.net"),
            ("contact_phone", "+1 202 555 0100"),
        ],
        "contact_phone",
        "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
    ),
    (
        "/apply/account/name",
        &[("first_name", "Ada"), ("last_name", "")],
        "last_name",
        "Enter last name",
    ),
    (
        "/apply/account/email",
        &[("email", "ada@outlook.com")],
        "email",
        "Email address must end in @nhs.net, @nhs.uk or @gov.uk",
    ),
    (
        "/apply/account/access",
        &[
            ("access_route", "hscn"),
            ("smartcard_number", "1234 5678 901"),
            ("r8015", "confirmed"),
        ],
        "smartcard_number",
        "Smartcard number must be 12 digits",
    ),
];

async fn each_question_refuses_bad_answers_with_its_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();

    for (path, pairs, field, message) in BAD_ANSWERS {
        let page = browser.post_form(path, pairs).await;
        let (status, json) = browser.submit_json(path, pairs).await;

        assert_eq!(page.status, 400, "{path} {pairs:?}");
        assert!(
            page.body.contains(&format!("href=\"#{field}\"")),
            "{path}: summary links to {field}"
        );
        assert!(
            page.body.contains(&html_text(message)),
            "{path}: {message}\n{}",
            page.body
        );
        assert!(page.body.contains(&format!("id=\"{field}-error\"")));
        assert_eq!(status, 400, "{path} {json}");
        let error: app::AppError = serde_json::from_str(&json).expect("an AppError");
        assert_eq!(
            error,
            app::AppError::Form(vec![app::model::forms::FieldError::new(field, message)]),
            "{path}"
        );
    }
    let (_, start) = browser.get_text("/apply/mailbox").await;
    assert!(start.contains("Start now"), "nothing was stored as a draft");
}

/// A page without the random nonce each response carries for its scripts.
fn without_nonces(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    loop {
        let next = ["nonce=\"", "crossorigin=\""]
            .iter()
            .filter_map(|marker| rest.find(marker).map(|at| at + marker.len()))
            .min();
        let Some(value_start) = next else { break };
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        rest = &rest[rest.find('"').unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// How a message appears in the page's HTML.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn refuses_an_ods_code_that_is_not_on_the_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();

    let unknown = browser
        .post_form("/apply/mailbox/organisation", &[("ods_code", "zz999")])
        .await;
    let known = browser
        .post_form("/apply/mailbox/organisation", &[("ods_code", "rr8")])
        .await;
    let (_, page) = browser.get_text("/apply/mailbox/organisation").await;

    assert_eq!(unknown.status, 400);
    assert!(
        unknown
            .body
            .contains("No organisation with the ODS code ZZ999 is on our list"),
        "{}",
        unknown.body
    );
    assert_eq!(known.status, 303);
    assert_eq!(
        known.location.as_deref(),
        Some("/apply/mailbox/environment")
    );
    assert!(page.contains("Leeds Teaching Hospitals NHS Trust"));
}

async fn adds_changes_and_removes_workflows_and_refuses_retired_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let add = |id: &'static str, direction: &'static str| {
        let field = format!("direction-{id}");
        let browser = &browser;
        async move {
            browser
                .post_form(
                    "/apply/mailbox/workflows",
                    &[
                        ("q", "pathology"),
                        ("add_workflow", id),
                        (field.as_str(), direction),
                    ],
                )
                .await
        }
    };

    let first = add("PATH_MEDRPT_V3", "send").await;
    let second = add("TOC_FHIR_EC_DISCH", "receive").await;
    let changed = add("PATH_MEDRPT_V3", "both").await;
    let retired = add("DISCH_KET", "send").await;
    let unknown = add("NOT_IN_THE_CATALOGUE", "send").await;
    let removed = browser
        .post_form(
            "/apply/mailbox/workflows",
            &[("remove_workflow", "TOC_FHIR_EC_DISCH")],
        )
        .await;
    let (_, page) = browser
        .get_text("/apply/mailbox/workflows?q=pathology")
        .await;

    assert_eq!(first.status, 303);
    assert_eq!(
        first.location.as_deref(),
        Some("/apply/mailbox/workflows?q=pathology"),
        "back to the same search"
    );
    assert_eq!(second.status, 303);
    assert_eq!(changed.status, 303);
    assert_eq!(retired.status, 400);
    assert!(
        retired
            .body
            .contains("DISCH_KET is retired and cannot be added to a new mailbox")
    );
    assert_eq!(unknown.status, 400);
    assert!(
        unknown
            .body
            .contains("That workflow ID is not in the catalogue")
    );
    assert_eq!(removed.status, 303);
    let added = page
        .split("id=\"workflows-added\">Workflows added</h2>")
        .nth(1)
        .expect("the added table");
    assert!(added.contains("PATH_MEDRPT_V3"));
    assert!(added.contains("Send and receive"));
    assert!(!added.contains("TOC_FHIR_EC_DISCH"));
}

async fn check_answers_lists_what_is_missing_and_sends_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    browser
        .post_form("/apply/mailbox/organisation", &[("ods_code", "X26")])
        .await;

    let sent = browser
        .post_form(
            "/apply/mailbox/check-answers",
            &[("declaration", "confirmed")],
        )
        .await;
    let (_, check) = browser.get_text("/apply/mailbox/check-answers").await;

    assert_eq!(sent.status, 400);
    for (link, message) in [
        (
            "/apply/mailbox/environment",
            "Select the environments you need a mailbox in",
        ),
        (
            "/apply/mailbox/workflows",
            "Add the workflows the mailbox will send or receive",
        ),
        (
            "/apply/mailbox/contact",
            "Enter the details of the person who will manage the mailbox",
        ),
    ] {
        assert!(
            sent.body
                .contains(&format!("<a href=\"{link}\">{message}</a>")),
            "{message}\n{}",
            sent.body
        );
    }
    assert!(check.contains("Not answered"));
    assert!(
        check.contains("href=\"/apply/mailbox/organisation\""),
        "Change links"
    );
    assert_eq!(count_rows(&app, "applications").await, 0);
    assert_eq!(count_rows(&app, "mail_outbox").await, 0);

    // The declaration is required too.
    answer_mailbox_questions(&browser).await;
    let undeclared = browser.post_form("/apply/mailbox/check-answers", &[]).await;
    assert_eq!(undeclared.status, 400);
    assert!(
        undeclared
            .body
            .contains("Confirm that the application contains no patient data")
    );
    assert_eq!(count_rows(&app, "applications").await, 0);
}

async fn refuses_a_duplicate_of_a_pending_application_with_its_reference(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = send_mailbox_application(&app.browser()).await;

    let other_browser = app.browser();
    answer_mailbox_questions(&other_browser).await;
    let again = other_browser
        .post_form(
            "/apply/mailbox/check-answers",
            &[("declaration", "confirmed")],
        )
        .await;
    let (status, json) = other_browser
        .submit_json(
            "/apply/mailbox/check-answers",
            &[("declaration", "confirmed")],
        )
        .await;

    assert_eq!(again.status, 400);
    assert!(
        again.body.contains(&format!(
            "already waiting for a decision, with reference {first}"
        )),
        "{}",
        again.body
    );
    assert!(
        again
            .body
            .contains(&format!("href=\"/applications/{first}\""))
    );
    assert_eq!(status, 400);
    assert!(json.contains(&first));
    assert_eq!(count_rows(&app, "applications").await, 1);

    // Once decided, the same request may be made again.
    sqlx::query("UPDATE applications SET status = 'rejected'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let accepted = other_browser
        .post_form(
            "/apply/mailbox/check-answers",
            &[("declaration", "confirmed")],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    assert_eq!(count_rows(&app, "applications").await, 2);
}

async fn account_application_checks_mailboxes_against_the_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    browser
        .post_form("/apply/account/organisation", &[("ods_code", "X26")])
        .await;

    let before_any = browser
        .post_form("/apply/account/mailboxes", &[("mailbox_ids", "X26HC005")])
        .await;
    {
        let mut conn = app.state.db.pool.acquire().await.unwrap();
        for (id, ods, status) in [
            ("X26HC005", "X26", MailboxStatus::Active),
            ("X26HC006", "X26", MailboxStatus::Suspended),
            ("RR8OT001", "RR8", MailboxStatus::Active),
        ] {
            let mailbox = app::backend::db::mailboxes::NewMailbox {
                mailbox_id: id,
                ods_code: ods,
                environment: Environment::Integration,
                status,
                api_password_sealed: None,
                application_reference: None,
                workflows: &[],
            };
            app::backend::db::mailboxes::insert(&mut conn, &mailbox, now_unix())
                .await
                .unwrap();
        }
    }
    let missing = browser
        .post_form("/apply/account/mailboxes", &[("mailbox_ids", "X26HC999")])
        .await;
    let suspended = browser
        .post_form("/apply/account/mailboxes", &[("mailbox_ids", "X26HC006")])
        .await;
    let other_org = browser
        .post_form("/apply/account/mailboxes", &[("mailbox_ids", "RR8OT001")])
        .await;
    let answers: [(&str, &[(&str, &str)]); 5] = [
        ("/apply/account/mailboxes", &[("mailbox_ids", "x26hc005")]),
        (
            "/apply/account/name",
            &[("first_name", "Ada"), ("last_name", "Lovelace")],
        ),
        ("/apply/account/email", &[("email", "Ada.Lovelace@nhs.net")]),
        (
            "/apply/account/access",
            &[
                ("access_route", "hscn"),
                ("smartcard_number", "1234 5678 9012"),
                ("r8015", "confirmed"),
            ],
        ),
        (
            "/apply/account/reason",
            &[("reason", "I send pathology results to GP practices.")],
        ),
    ];
    for (path, pairs) in answers {
        let answer = browser.post_form(path, pairs).await;
        assert_eq!(answer.status, 303, "{path}: {}", answer.body);
    }
    let (_, check) = browser.get_text("/apply/account/check-answers").await;
    let sent = browser
        .post_form("/apply/account/check-answers", &[("confirm", "1")])
        .await;
    let (_, confirmation) = browser.get_text("/apply/account/confirmation").await;

    assert_eq!(before_any.status, 400);
    assert!(
        before_any
            .body
            .contains("This service has not issued any mailboxes yet"),
        "{}",
        before_any.body
    );
    assert!(
        missing
            .body
            .contains("There is no mailbox with the ID X26HC999")
    );
    assert!(suspended.body.contains("Mailbox X26HC006 is suspended"));
    assert!(
        other_org
            .body
            .contains("Mailbox RR8OT001 does not belong to ODS code X26")
    );
    assert!(check.contains("X26HC005"));
    assert!(check.contains("123456789012"));
    assert!(check.contains("ada.lovelace@nhs.net"));
    assert_eq!(sent.status, 303, "{}", sent.body);
    let reference = reference_in(&confirmation, "ACC-").expect("an ACC- reference");
    let (smartcard, route): (Option<String>, String) = sqlx::query_as(
        "SELECT smartcard_number, access_route FROM account_applications WHERE reference = $1",
    )
    .bind(&reference)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(smartcard.as_deref(), Some("123456789012"));
    assert_eq!(route, "hscn");
    assert_eq!(count_rows(&app, "account_application_mailboxes").await, 1);
}

const WORKFLOW_REQUEST: [(&str, &str); 7] = [
    ("proposed_id", "WOUND_CARE_PHOTO"),
    ("group", "new"),
    ("new_group", "Tissue viability"),
    (
        "description",
        "Photographs of wounds for the tissue viability team",
    ),
    ("sending_organisations", "District nursing teams"),
    ("receiving_organisations", "Tissue viability services"),
    ("requester_email", "ada@nhs.net"),
];

async fn a_workflow_id_request_gets_a_reference(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let (status, form) = browser.get_text("/workflows/request").await;
    let mut pairs = WORKFLOW_REQUEST.to_vec();
    pairs.push(("requester_name", "Ada Lovelace"));

    let missing_name = browser
        .post_form("/workflows/request", &WORKFLOW_REQUEST)
        .await;
    let existing = browser
        .post_form(
            "/workflows/request",
            &[&pairs[1..], &[("proposed_id", "PATH_MEDRPT_V3")]].concat(),
        )
        .await;
    let sent = browser.post_form("/workflows/request", &pairs).await;
    let (_, confirmation) = browser.get_text("/workflows/request/confirmation").await;

    assert_eq!(status, 200);
    assert!(form.contains("Pathology"), "the group list");
    assert_eq!(missing_name.status, 400);
    assert!(missing_name.body.contains("Enter your name"));
    assert!(
        missing_name.body.contains("value=\"WOUND_CARE_PHOTO\""),
        "what was typed is kept"
    );
    assert_eq!(existing.status, 400);
    assert!(
        existing
            .body
            .contains("PATH_MEDRPT_V3 is already in the catalogue")
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let reference = reference_in(&confirmation, "WFR-").expect("a WFR- reference");
    let (group, new_group): (String, i64) =
        sqlx::query_as("SELECT group_name, new_group FROM workflow_requests WHERE reference = $1")
            .bind(&reference)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((group.as_str(), new_group), ("Tissue viability", 1));
}

async fn references_have_the_agreed_format_and_are_unique(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut references = Vec::new();
    for id in ["A", "B", "C", "D", "E"] {
        let browser = app.browser();
        let mut pairs = WORKFLOW_REQUEST.to_vec();
        let proposed = format!("NEW_WORKFLOW_{id}");
        pairs[0] = ("proposed_id", &proposed);
        pairs.push(("requester_name", "Ada Lovelace"));
        assert_eq!(
            browser.post_form("/workflows/request", &pairs).await.status,
            303
        );
        let (_, page) = browser.get_text("/workflows/request/confirmation").await;
        references.push(reference_in(&page, "WFR-").unwrap());
    }
    references.push(send_mailbox_application(&app.browser()).await);

    let alphabet = app::model::applications::REFERENCE_ALPHABET;
    for reference in &references {
        let (prefix, rest) = reference.split_at(4);
        assert!(["MBX-", "WFR-"].contains(&prefix), "{reference}");
        assert_eq!(rest.len(), 9, "{reference}");
        assert_eq!(&rest[4..5], "-", "{reference}");
        assert!(
            rest.bytes()
                .filter(|b| *b != b'-')
                .all(|b| alphabet.contains(&b)),
            "{reference}"
        );
    }
    let mut distinct = references.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), references.len());
}

async fn status_page_shows_progress_only_with_the_right_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = send_mailbox_application(&app.browser()).await;
    let visitor = app.browser();
    let path = format!("/applications/{reference}");

    let (status, asked) = visitor.get_text(&path).await;
    let right = visitor
        .post_form(&path, &[("email", " SAM.JONES@nhs.net ")])
        .await;
    let malformed = visitor.post_form(&path, &[("email", "sam")]).await;
    let (json_status, json) = visitor
        .post_json(
            "/api/check_application_status",
            serde_json::json!({ "reference": reference.to_lowercase(), "email": "sam.jones@nhs.net" }),
        )
        .await;

    assert_eq!(status, 200);
    assert!(asked.contains("Enter the email address"));
    assert!(!asked.contains("Submitted"));
    assert_eq!(right.status, 200, "{}", right.body);
    assert!(right.body.contains("Mailbox application"));
    assert!(right.body.contains("nhsuk-tag--blue\">Submitted"));
    assert!(right.body.contains("History"));
    assert_eq!(malformed.status, 400);
    assert!(
        malformed
            .body
            .contains("Enter an email address in the correct format")
    );
    assert_eq!(json_status, 200, "{json}");
    assert!(json.contains("\"submitted\""));
}

async fn status_page_does_not_reveal_whether_a_reference_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = send_mailbox_application(&app.browser()).await;
    let unknown = "MBX-2222-2222";
    let visitor = app.browser();

    let wrong_email = visitor
        .post_form(
            &format!("/applications/{reference}"),
            &[("email", "someone.else@nhs.net")],
        )
        .await;
    let no_such = visitor
        .post_form(
            &format!("/applications/{unknown}"),
            &[("email", "someone.else@nhs.net")],
        )
        .await;
    let (wrong_status, wrong_json) = visitor
        .post_json(
            "/api/check_application_status",
            serde_json::json!({ "reference": reference, "email": "someone.else@nhs.net" }),
        )
        .await;
    let (unknown_status, unknown_json) = visitor
        .post_json(
            "/api/check_application_status",
            serde_json::json!({ "reference": unknown, "email": "someone.else@nhs.net" }),
        )
        .await;

    assert_eq!(wrong_email.status, no_such.status);
    assert_eq!(
        without_nonces(&wrong_email.body.replace(&reference, "REF")),
        without_nonces(&no_such.body.replace(unknown, "REF")),
        "the same page, whatever the reason"
    );
    assert!(
        wrong_email
            .body
            .contains("We could not find an application")
    );
    assert_eq!(wrong_status, unknown_status);
    assert_eq!(wrong_json, unknown_json);
}

async fn hostile_posts_get_a_clear_4xx_and_store_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let megabyte = "A".repeat(1024 * 1024);
    let html = "<img src=x onerror=alert(1)>";
    let sql = "X26'); DROP TABLE applications; --";
    let control = "Sam\u{0}\u{1b}[31mJones";
    let too_many: Vec<(String, String)> = (0..500)
        .map(|i| (format!("f{i}"), "x".to_owned()))
        .collect();
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("/api/submit_form", serde_json::json!({}), "missing"),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/organisation", "values": "not a list" }),
            "invalid type",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/organisation", "values": [["ods_code", megabyte]] }),
            "ODS code must be 3 to 10 characters",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/organisation", "values": [["ods_code", sql]] }),
            "ODS code must only include letters and numbers",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/contact", "values": [["contact_name", control], ["contact_email", html], ["contact_phone", megabyte]] }),
            "Full name must not contain control characters",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/account/reason", "values": [["reason", megabyte]] }),
            "Reason for access must be 1000 characters or fewer",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/etc/passwd", "values": [] }),
            "There is no form at this address",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/environment", "values": too_many }),
            "at most 200 answers",
        ),
        (
            "/api/submit_form",
            serde_json::json!({ "path": "/apply/mailbox/check-answers", "values": [["declaration", "confirmed"]] }),
            "Enter your organisation's ODS code",
        ),
        (
            "/api/check_application_status",
            serde_json::json!({ "reference": html, "email": sql }),
            "Enter an email address in the correct format",
        ),
    ];

    for (endpoint, body, expected) in cases {
        let (status, text) = browser.post_json(endpoint, body).await;
        assert!(
            (400..500).contains(&status),
            "{endpoint} {expected}: {status} {}",
            &text[..text.len().min(300)]
        );
        assert!(
            text.contains(expected),
            "{endpoint}: {expected} not in {}",
            &text[..text.len().min(300)]
        );
    }
    let malformed = browser
        .client
        .post(format!("{}/api/submit_form", app.address))
        .header("content-type", "application/json")
        .body("{\"path\": ")
        .send()
        .await
        .unwrap();
    assert!((400..500).contains(&malformed.status().as_u16()));
    let html_post = browser
        .post_form(
            "/apply/mailbox/contact",
            &[
                ("contact_name", html),
                ("contact_email", html),
                ("contact_phone", sql),
            ],
        )
        .await;
    assert_eq!(html_post.status, 400);
    assert!(!html_post.body.contains(html), "typed HTML is escaped");

    assert_eq!(count_rows(&app, "applications").await, 0);
    assert_eq!(count_rows(&app, "mail_outbox").await, 0);
    let (_, start) = browser.get_text("/apply/mailbox").await;
    assert!(start.contains("Start now"), "no draft was stored");
}

async fn status_page_posts_to_the_reference_as_parsed_never_to_the_path_as_typed(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = send_mailbox_application(&app.browser()).await;
    let visitor = app.browser();

    let typed = reference.to_lowercase().replace('-', " ");
    let (status, page) = visitor
        .get_text(&format!("/applications/{}", typed.replace(' ', "%20")))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("action=\"/applications/{reference}\"")),
        "{page}"
    );

    for hostile in [
        "..%2Fsign-out",
        "..%2F..%2Fsign-out",
        "%2E%2E%2Fservice-desk",
        "MBX-2222-2222%2F..%2F..%2Fsign-out",
    ] {
        let (status, page) = visitor.get_text(&format!("/applications/{hostile}")).await;
        assert_eq!(status, 404, "{hostile}");
        assert!(page.contains("Page not found"), "{hostile}");
        assert!(
            !page.contains("action=\"/applications/")
                && !page.contains("action=\"/sign-out")
                && !page.contains("action=\"/service-desk"),
            "{hostile}: no form posting anywhere: {page}"
        );
    }
}
