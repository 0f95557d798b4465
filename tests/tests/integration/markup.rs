//! What people type into long-text fields is text wherever it is shown again: in the form shown
//! again after a refusal, in a saved draft, on check-answers, status and answer pages, and on
//! every service desk page. The same payload, one that closes the text box's element and opens a
//! heading, goes into every long-text field of every form, refused and accepted.

use app::backend::mailboxes;
use app::model::accounts::Role;
use mesh_portal_tests::accounts::signed_in_browser;
use mesh_portal_tests::applying::{mailbox_application, reference_in};
use mesh_portal_tests::{Backend, Browser, TestApp, spawn_app};

on_each_database!(
    a_workflow_requests_long_answers_stay_text_refused_accepted_and_decided,
    an_account_applications_reason_stays_text_in_the_draft_and_on_every_page,
    the_service_desks_question_and_the_applicants_answer_stay_text,
    a_suspension_reason_stays_text,
);

const PAYLOAD: &str = "</textarea><h1>Injected</h1>";

/// How the payload reads once escaped as text.
const AS_TEXT: &str = "&lt;h1&gt;Injected&lt;/h1&gt;";

/// Too long for any long-text field (each takes 2,000 characters at most), so always refused.
fn too_long() -> String {
    PAYLOAD.repeat(100)
}

/// No markup of the payload in `page`: no heading of it, no textarea closed by it.
fn no_markup(page: &str, shown_on: &str) {
    assert!(
        !page.contains("<h1>Injected") && !page.contains("</textarea><h1>"),
        "markup of the payload on {shown_on}: {page}"
    );
}

/// `page` shows the payload, and shows it as text.
fn shows_as_text(page: &str, shown_on: &str) {
    no_markup(page, shown_on);
    assert!(
        page.contains(AS_TEXT),
        "{shown_on} shows the payload (as text): {page}"
    );
}

async fn get(browser: &Browser, path: &str) -> String {
    let (status, page) = browser.get_text(path).await;
    assert_eq!(status, 200, "{path}: {page}");
    page
}

/// The applicant's status page, after they give their email address.
async fn status_page(app: &TestApp, reference: &str, email: &str) -> String {
    let answer = app
        .browser()
        .post_form(&format!("/applications/{reference}"), &[("email", email)])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

async fn a_workflow_requests_long_answers_stay_text_refused_accepted_and_decided(backend: Backend) {
    let app = spawn_app(backend).await;
    let applicant = app.browser();
    let answers = |proposed_id: &'static str, long: String| {
        vec![
            ("proposed_id", proposed_id.to_owned()),
            ("group", "new".to_owned()),
            ("new_group", "Tissue viability".to_owned()),
            ("description", long.clone()),
            ("sending_organisations", long.clone()),
            ("receiving_organisations", long),
            ("requester_email", "ada@nhs.net".to_owned()),
            ("requester_name", "Ada Lovelace".to_owned()),
        ]
    };

    // Refused for another field, then for the texts' own length.
    for (case, answers) in [
        (
            "a bad workflow ID",
            answers("not an id!", PAYLOAD.to_owned()),
        ),
        ("texts too long", answers("WOUND_CARE_PHOTO", too_long())),
    ] {
        let borrowed: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = applicant.post_form("/workflows/request", &borrowed).await;
        assert_eq!(refused.status, 400, "{case}: {}", refused.body);
        shows_as_text(&refused.body, &format!("the refused request ({case})"));
        assert_eq!(
            refused.body.matches(AS_TEXT).count() % 3,
            0,
            "{case}: all three texts shown again"
        );
    }

    // Accepted, then shown to the service desk, decided with the payload as the reason, and
    // shown to the applicant.
    let answers = answers("WOUND_CARE_PHOTO", PAYLOAD.to_owned());
    let borrowed: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let accepted = applicant.post_form("/workflows/request", &borrowed).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let confirmation = get(&applicant, "/workflows/request/confirmation").await;
    let reference = reference_in(&confirmation, "WFR-").expect("a reference");

    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let page = format!("/service-desk/applications/{reference}");
    shows_as_text(
        &get(&desk, &page).await,
        "the service desk's application page",
    );

    let no_decision = desk.post_form(&page, &[("note", PAYLOAD)]).await;
    assert_eq!(no_decision.status, 400, "{}", no_decision.body);
    assert!(no_decision.body.contains("Select a decision"));
    shows_as_text(&no_decision.body, "the refused decision");
    let too_long_note = desk
        .post_form(&page, &[("decision", "reject"), ("note", &too_long())])
        .await;
    assert_eq!(too_long_note.status, 400, "{}", too_long_note.body);
    shows_as_text(&too_long_note.body, "the refused long decision note");

    let rejected = desk
        .post_form(&page, &[("decision", "reject"), ("note", PAYLOAD)])
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    shows_as_text(&get(&desk, &page).await, "the decided application page");
    no_markup(
        &get(&desk, "/service-desk/audit").await,
        "the service desk's audit log",
    );
    shows_as_text(
        &status_page(&app, &reference, "ada@nhs.net").await,
        "the applicant's status page",
    );
}

async fn an_account_applications_reason_stays_text_in_the_draft_and_on_every_page(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    mailboxes::add_with_workflows(&app.state.db, "X26OT001", "X26", "integration", &[])
        .await
        .expect("a mailbox to apply for");
    let applicant = app.browser();
    for (path, pairs) in [
        ("/apply/account/organisation", vec![("ods_code", "X26")]),
        (
            "/apply/account/mailboxes",
            vec![("mailbox_ids", "X26OT001")],
        ),
        (
            "/apply/account/name",
            vec![("first_name", "Ada"), ("last_name", "Lovelace")],
        ),
        ("/apply/account/email", vec![("email", "ada@nhs.net")]),
        ("/apply/account/access", vec![("access_route", "internet")]),
    ] {
        let answer = applicant.post_form(path, &pairs).await;
        assert_eq!(answer.status, 303, "{path}: {}", answer.body);
    }

    let refused = applicant
        .post_form("/apply/account/reason", &[("reason", &too_long())])
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    shows_as_text(&refused.body, "the refused reason");
    let saved = applicant
        .post_form("/apply/account/reason", &[("reason", PAYLOAD)])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    shows_as_text(
        &get(&applicant, "/apply/account/reason").await,
        "the reason page from the saved draft",
    );
    shows_as_text(
        &get(&applicant, "/apply/account/check-answers").await,
        "check your answers",
    );
    let sent = applicant
        .post_form("/apply/account/check-answers", &[("confirm", "1")])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let confirmation = get(&applicant, "/apply/account/confirmation").await;
    let reference = reference_in(&confirmation, "ACC-").expect("a reference");

    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    shows_as_text(
        &get(&desk, &format!("/service-desk/applications/{reference}")).await,
        "the service desk's application page",
    );
}

async fn the_service_desks_question_and_the_applicants_answer_stay_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = mailbox_application(&app, "X26", &["integration"], "sam@nhs.net").await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let page = format!("/service-desk/applications/{reference}");
    let asked = desk
        .post_form(&page, &[("decision", "ask"), ("note", PAYLOAD)])
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let email = app
        .sent_email("More information needed")
        .await
        .expect("the question was sent");
    let at = email.find("/applications/").expect("an answer link");
    let link: String = email[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let applicant = app.browser();

    shows_as_text(
        &get(&applicant, &link).await,
        "the question on the answer page",
    );
    let refused = applicant.post_form(&link, &[("answer", &too_long())]).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    shows_as_text(&refused.body, "the refused answer");
    let answered = applicant.post_form(&link, &[("answer", PAYLOAD)]).await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let after = get(&applicant, &link).await;
    assert_eq!(
        after.matches(AS_TEXT).count(),
        2,
        "the question and the answer, both as text: {after}"
    );
    shows_as_text(&after, "the answered question");
    shows_as_text(
        &get(&desk, &page).await,
        "the service desk's page with the answer",
    );
    shows_as_text(
        &status_page(&app, &reference, "sam@nhs.net").await,
        "the applicant's status page",
    );
}

async fn a_suspension_reason_stays_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = mailbox_application(&app, "X26", &["integration"], "sam@nhs.net").await;
    let desk = signed_in_browser(&app, "dana.desk@nhs.net", Role::ServiceDesk, &[]).await;
    let approved = desk
        .post_form(
            &format!("/service-desk/applications/{reference}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let page = "/service-desk/mailboxes/X26OT001";

    let refused = desk
        .post_form(page, &[("action", "suspend"), ("reason", &too_long())])
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    shows_as_text(&refused.body, "the refused suspension");
    let suspended = desk
        .post_form(page, &[("action", "suspend"), ("reason", PAYLOAD)])
        .await;
    assert_eq!(suspended.status, 303, "{}", suspended.body);
    shows_as_text(
        &get(&desk, "/service-desk/audit?action=mailbox.suspend").await,
        "the audit log",
    );
    no_markup(&get(&desk, page).await, "the mailbox's page");
    no_markup(
        &get(&desk, "/service-desk/mailboxes?status=suspended").await,
        "the list of mailboxes",
    );
}
