//! The service desk's decisions on real applications (sent through the question pages): what
//! approval creates for each kind, the Mailbox ID scheme, rejections, questions, and two people
//! deciding at once.

use app::backend::accounts::{self, NewAccount};
use app::backend::audit::Actor;
use app::backend::service_desk::decide::{DecideError, Decided, decide};
use app::model::accounts::Role;
use app::model::applications::Reference;
use app::model::service_desk::Decision;
use mesh_portal_tests::applying::{account_application, mailbox_application, workflow_request};
use mesh_portal_tests::{Backend, TestApp, spawn_app};

on_each_database!(
    approving_a_mailbox_application_issues_an_id_per_environment_with_its_workflows,
    mailbox_ids_count_on_per_organisation_and_kind_and_are_never_given_again,
    the_thousandth_mailbox_id_is_refused_and_nothing_is_half_approved,
    approving_an_account_application_creates_the_user_and_sends_the_set_up_link,
    approving_a_workflow_request_adds_it_to_the_catalogue,
    a_rejection_tells_the_applicant_why_and_a_second_decision_is_refused,
    asking_a_question_pauses_the_clock_and_approval_waits_for_the_answer,
    two_staff_approving_at_once_end_with_one_decision,
    the_applicant_answers_once_through_the_link_and_the_clock_runs_again,
);

/// A member of the service desk, as the audit log and `decided_by` record them.
async fn staff(app: &TestApp, name: &str) -> Actor {
    let created = accounts::create_user(
        &app.state.db,
        NewAccount {
            email: format!("{}@nhs.net", name.to_lowercase().replace(' ', ".")),
            name: name.to_owned(),
            role: Role::ServiceDesk,
            mailboxes: vec![],
            smartcard_number: None,
        },
        &Actor::system(),
        app.state.clock.now(),
    )
    .await
    .unwrap();
    Actor {
        id: created.user_id,
        access_route: "hscn".into(),
        client_addr: "127.0.0.1".into(),
    }
}

fn reference(text: &str) -> Reference {
    Reference::parse(text).unwrap()
}

/// The emails about an application: (to, subject, text).
async fn emails(app: &TestApp, reference: &str) -> Vec<(String, String, String)> {
    sqlx::query_as::<sqlx::Any, (String, String, String)>(
        "SELECT to_address, subject, text_body FROM mail_outbox WHERE reference = $1 \
         ORDER BY created_at, subject",
    )
    .bind(reference)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

/// Waits (10 s at most) until every email about an application has been sent.
async fn wait_until_sent(app: &TestApp, reference: &str) {
    for _ in 0..100 {
        let unsent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE reference = $1 AND sent_at IS NULL",
        )
        .bind(reference)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        if unsent == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the emails about {reference} were not sent");
}

async fn status(app: &TestApp, reference: &str) -> String {
    sqlx::query_scalar::<sqlx::Any, String>("SELECT status FROM applications WHERE reference = $1")
        .bind(reference)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<sqlx::Any, i64>(sql)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn approve(app: &TestApp, actor: &Actor, text: &str) -> Result<Decided, DecideError> {
    decide(&app.state, &reference(text), Decision::Approve, "", actor).await
}

fn issued_ids(decided: &Decided) -> Vec<String> {
    match decided {
        Decided::Approved { mailboxes } => mailboxes.iter().map(|m| m.mailbox_id.clone()).collect(),
        other => panic!("not approved: {other:?}"),
    }
}

async fn approving_a_mailbox_application_issues_an_id_per_environment_with_its_workflows(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let sent =
        mailbox_application(&app, "X26", &["live", "integration"], "sam.jones@nhs.net").await;

    let decided = approve(&app, &desk, &sent).await.unwrap();

    let Decided::Approved { mailboxes } = &decided else {
        panic!("{decided:?}")
    };
    let ids: Vec<&str> = mailboxes.iter().map(|m| m.mailbox_id.as_str()).collect();
    assert_eq!(
        ids,
        ["X26OT001", "X26OT002"],
        "ODS code, OT for 'other', 001 up"
    );
    assert_eq!(
        mailboxes
            .iter()
            .map(|m| m.environment.as_str())
            .collect::<Vec<_>>(),
        ["live", "integration"]
    );
    for mailbox in mailboxes {
        assert_eq!(mailbox.api_password.len(), 20);
        let sealed: String =
            sqlx::query_scalar("SELECT api_password_sealed FROM mailboxes WHERE mailbox_id = $1")
                .bind(&mailbox.mailbox_id)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert!(
            !sealed.contains(&mailbox.api_password),
            "never stored in the clear"
        );
        assert_eq!(
            app::backend::service_desk::decide::api_password(&app.state.secret_key, &sealed)
                .expect("the service's key opens it"),
            mailbox.api_password,
            "recoverable, to check MESH API tokens"
        );
        assert!(
            app::backend::service_desk::decide::api_password(
                &app::backend::crypto::SecretKey::generate(),
                &sealed
            )
            .is_err(),
            "and only with the service's key"
        );
        assert!(!format!("{mailbox:?}").contains(&mailbox.api_password));
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM mailbox_workflows WHERE workflow_id = 'PATH_MEDRPT_V3' AND direction = 'both'").await,
        2
    );
    assert_eq!(status(&app, &sent).await, "approved");
    let ready = app
        .sent_email("Your MESH mailbox is ready")
        .await
        .expect("the manager's email was sent");
    assert!(ready.contains("To: sam.jones@nhs.net"), "{ready}");
    for mailbox in mailboxes {
        assert!(ready.contains(&mailbox.mailbox_id) && ready.contains(&mailbox.api_password));
    }
    assert!(
        ready.contains("/apply/account"),
        "how to apply for UI accounts"
    );
    // Once sent, the passwords are not kept in the outbox.
    wait_until_sent(&app, &sent).await;
    for (_, subject, text) in emails(&app, &sent).await {
        for mailbox in mailboxes {
            assert!(
                !text.contains(&mailbox.api_password),
                "{subject} still holds a password"
            );
        }
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'application.approve' AND detail = 'mailboxes X26OT001, X26OT002'").await,
        1
    );
}

async fn mailbox_ids_count_on_per_organisation_and_kind_and_are_never_given_again(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let first = mailbox_application(&app, "X26", &["integration"], "a@nhs.net").await;
    assert_eq!(
        issued_ids(&approve(&app, &desk, &first).await.unwrap()),
        ["X26OT001"]
    );

    // A closed and deleted mailbox does not give its number back.
    for sql in [
        "DELETE FROM mailbox_workflows WHERE mailbox_id = 'X26OT001'",
        "DELETE FROM mailboxes WHERE mailbox_id = 'X26OT001'",
    ] {
        sqlx::query(sql).execute(&app.state.db.pool).await.unwrap();
    }
    // A mailbox added by hand takes a number of the sequence; approval steps over it.
    app::backend::mailboxes::add(&app.state.db, "X26OT003", "X26", "live")
        .await
        .unwrap();
    let second = mailbox_application(&app, "X26", &["live", "deployment"], "b@nhs.net").await;
    assert_eq!(
        issued_ids(&approve(&app, &desk, &second).await.unwrap()),
        ["X26OT002", "X26OT004"]
    );
}

async fn the_thousandth_mailbox_id_is_refused_and_nothing_is_half_approved(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    sqlx::query("INSERT INTO mailbox_id_sequences (ods_code, kind_code, last_seq) VALUES ('X26', 'OT', 998)")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let sent = mailbox_application(&app, "X26", &["live", "integration"], "a@nhs.net").await;

    let refused = approve(&app, &desk, &sent).await.unwrap_err();

    assert!(
        refused
            .to_string()
            .contains("Every Mailbox ID for X26 with kind OT has been issued"),
        "{refused}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM mailboxes").await,
        0,
        "not even X26OT999"
    );
    assert_eq!(status(&app, &sent).await, "submitted");
    assert_eq!(
        count(
            &app,
            "SELECT last_seq FROM mailbox_id_sequences WHERE ods_code = 'X26'"
        )
        .await,
        998
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Your MESH mailbox is ready%'"
        )
        .await,
        0
    );
}

async fn approving_an_account_application_creates_the_user_and_sends_the_set_up_link(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let mailbox = mailbox_application(&app, "X26", &["integration"], "m@nhs.net").await;
    approve(&app, &desk, &mailbox).await.unwrap();
    let sent = account_application(&app, "X26", "X26OT001", "Ada.Lovelace@nhs.net").await;

    approve(&app, &desk, &sent).await.unwrap();

    let user = app::backend::db::users::by_email(&app.state.db, "ada.lovelace@nhs.net")
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(
        (user.role.as_str(), user.status.as_str(), user.name.as_str()),
        ("mailbox_user", "invited", "Ada Lovelace")
    );
    assert_eq!(
        app::backend::db::users::mailboxes_of(&app.state.db, &user.user_id)
            .await
            .unwrap(),
        ["X26OT001"]
    );
    let set_up = app
        .sent_email("Set up your MESH portal account")
        .await
        .expect("the set-up email was sent");
    assert!(set_up.contains("To: ada.lovelace@nhs.net"), "{set_up}");
    let at = set_up
        .find("/activate/")
        .unwrap_or_else(|| panic!("a set-up link in {set_up}"));
    let path: String = set_up[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let (code, page) = app.get_text(&path).await;
    assert_eq!(code, 200, "the emailed link opens the set-up page");
    assert!(page.contains("Create your PIN"));

    // A second application for the same person cannot make a second account.
    let again = account_application(&app, "X26", "X26OT001", "ada.lovelace@nhs.net").await;
    let refused = approve(&app, &desk, &again).await.unwrap_err();
    assert!(
        matches!(refused, DecideError::AccountExists(_)),
        "{refused}"
    );
    assert_eq!(status(&app, &again).await, "submitted", "nothing half done");
}

async fn approving_a_workflow_request_adds_it_to_the_catalogue(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let sent = workflow_request(&app, "WOUND_CARE_PHOTO").await;

    approve(&app, &desk, &sent).await.unwrap();

    let (code, page) = app.get_text("/workflows/WOUND_CARE_PHOTO").await;
    assert_eq!(code, 200);
    assert!(page.contains("Tissue viability"));
    let mails = emails(&app, &sent).await;
    assert!(
        mails.iter().any(|(to, subject, _)| to == "ada@nhs.net"
            && subject == "Workflow ID added: WOUND_CARE_PHOTO")
    );
}

async fn a_rejection_tells_the_applicant_why_and_a_second_decision_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let other = staff(&app, "Olu Other").await;
    let sent = mailbox_application(&app, "X26", &["integration"], "sam@nhs.net").await;

    let reason = "The workflow is only for pathology laboratories.";
    decide(
        &app.state,
        &reference(&sent),
        Decision::Reject,
        reason,
        &desk,
    )
    .await
    .unwrap();
    let again = approve(&app, &other, &sent).await.unwrap_err();

    assert_eq!(status(&app, &sent).await, "rejected");
    let mails = emails(&app, &sent).await;
    let rejection = mails
        .iter()
        .find(|(_, subject, _)| subject.contains("was not approved"))
        .expect("the rejection");
    assert_eq!(rejection.0, "sam@nhs.net");
    assert!(rejection.2.contains(reason));
    let message = again.to_string();
    assert!(
        message.contains("already been rejected by Dana Desk"),
        "{message}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM mailboxes").await, 0);
}

async fn asking_a_question_pauses_the_clock_and_approval_waits_for_the_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let sent = workflow_request(&app, "WOUND_CARE_PHOTO").await;
    let question = "Which trusts will receive the photographs?";

    decide(
        &app.state,
        &reference(&sent),
        Decision::AskForInformation,
        question,
        &desk,
    )
    .await
    .unwrap();
    let refused = approve(&app, &desk, &sent).await.unwrap_err();

    assert_eq!(status(&app, &sent).await, "more_information_needed");
    assert!(matches!(refused, DecideError::Waiting(_)), "{refused}");
    let waiting: Option<i64> =
        sqlx::query_scalar("SELECT waiting_since FROM applications WHERE reference = $1")
            .bind(&sent)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        waiting,
        Some(app.state.clock.now()),
        "the clock stopped when the question went"
    );
    let asked = app
        .sent_email("More information needed")
        .await
        .expect("the question was sent");
    assert!(asked.contains("To: ada@nhs.net") && asked.contains(question));
    // Rejecting while waiting is still possible, and restarts nothing.
    app.state.clock.advance(3600);
    decide(
        &app.state,
        &reference(&sent),
        Decision::Reject,
        "No answer came.",
        &desk,
    )
    .await
    .unwrap();
    let paused: i64 =
        sqlx::query_scalar("SELECT paused_seconds FROM applications WHERE reference = $1")
            .bind(&sent)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(
        (3600..3610).contains(&paused),
        "the hour waiting is not counted against the desk: {paused}"
    );
}

async fn two_staff_approving_at_once_end_with_one_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = staff(&app, "Dana Desk").await;
    let second = staff(&app, "Olu Other").await;
    let sent = mailbox_application(&app, "X26", &["live", "integration"], "sam@nhs.net").await;

    let (a, b) = tokio::join!(
        {
            let state = app.state.clone();
            let sent = sent.clone();
            tokio::spawn(async move {
                decide(&state, &reference(&sent), Decision::Approve, "", &first).await
            })
        },
        {
            let state = app.state.clone();
            let sent = sent.clone();
            tokio::spawn(async move {
                decide(
                    &state,
                    &reference(&sent),
                    Decision::Reject,
                    "Duplicate",
                    &second,
                )
                .await
            })
        }
    );
    let results = [a.unwrap(), b.unwrap()];

    let decided = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(decided, 1, "{results:?}");
    let refusal = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(refusal, DecideError::AlreadyDecided { .. }),
        "{refusal}"
    );
    let final_status = status(&app, &sent).await;
    let mailboxes = count(&app, "SELECT COUNT(*) FROM mailboxes").await;
    match final_status.as_str() {
        "approved" => assert_eq!(mailboxes, 2),
        "rejected" => assert_eq!(mailboxes, 0),
        other => panic!("{other}"),
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action IN ('application.approve', 'application.reject')").await,
        1
    );
}

async fn the_applicant_answers_once_through_the_link_and_the_clock_runs_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let desk = staff(&app, "Dana Desk").await;
    let sent = workflow_request(&app, "WOUND_CARE_PHOTO").await;
    decide(
        &app.state,
        &reference(&sent),
        Decision::AskForInformation,
        "Which trusts will receive the photographs?",
        &desk,
    )
    .await
    .unwrap();
    let email = app
        .sent_email("More information needed")
        .await
        .expect("the question was sent");
    let at = email.find("/applications/").expect("an answer link");
    let path: String = email[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    assert!(
        path.starts_with(&format!("/applications/{sent}/answer/")),
        "{path}"
    );
    let browser = app.browser();

    let (code, page) = browser.get_text(&path).await;
    assert_eq!(code, 200);
    assert!(page.contains("Which trusts will receive the photographs?"));
    let empty = browser.post_form(&path, &[("answer", "  ")]).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("Enter your answer"));
    let (code, _) = browser
        .get_text(&format!("/applications/{sent}/answer/not-the-token"))
        .await;
    assert_eq!(code, 404);

    app.state.clock.advance(7200);
    let answered = browser
        .post_form(&path, &[("answer", "Leeds and Bradford trusts.")])
        .await;
    assert_eq!(
        answered.location.as_deref(),
        Some(path.as_str()),
        "{}",
        answered.body
    );
    let (_, page) = browser.get_text(&path).await;
    assert!(
        page.contains("Your answer has been sent") && page.contains("Leeds and Bradford trusts.")
    );
    let again = browser
        .post_form(&path, &[("answer", "Changed my mind")])
        .await;
    assert_eq!(again.status, 410, "answered once");

    assert_eq!(status(&app, &sent).await, "in_review");
    let (paused, waiting): (i64, Option<i64>) = sqlx::query_as(
        "SELECT paused_seconds, waiting_since FROM applications WHERE reference = $1",
    )
    .bind(&sent)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    // (The service's clock is real time moved on: a second may pass during the test.)
    assert!((7200..7210).contains(&paused), "two hours paused: {paused}");
    assert_eq!(waiting, None, "the clock running again");
    assert!(
        app.sent_email(&format!("Answer received: {sent}"))
            .await
            .is_some(),
        "the service desk is told"
    );
    approve(&app, &desk, &sent)
        .await
        .expect("approval is possible again");
}
