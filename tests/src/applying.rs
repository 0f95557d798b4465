//! Applications sent through the question pages, as a browser without JavaScript sends them, so
//! that the service desk's tests decide on real applications.

use crate::{Browser, TestApp};

/// The first reference with `prefix` (`MBX-`, `ACC-`, `WFR-`) in a text.
pub fn reference_in(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let reference: String = text[start..].chars().take(prefix.len() + 9).collect();
    app::model::applications::Reference::parse(&reference)
        .ok()
        .map(|r| r.to_string())
}

async fn answer(browser: &Browser, path: &str, pairs: &[(&str, &str)]) {
    let answer = browser.post_form(path, pairs).await;
    assert_eq!(answer.status, 303, "{path}: {}", answer.body);
}

/// Sends a mailbox application for `ods_code` in `environments` (`live`, `integration`,
/// `deployment`) with one workflow, managed by `manager_email`; returns its reference.
pub async fn mailbox_application(
    app: &TestApp,
    ods_code: &str,
    environments: &[&str],
    manager_email: &str,
) -> String {
    let browser = app.browser();
    answer(
        &browser,
        "/apply/mailbox/organisation",
        &[("ods_code", ods_code)],
    )
    .await;
    let chosen: Vec<(&str, &str)> = environments.iter().map(|e| ("environments", *e)).collect();
    answer(&browser, "/apply/mailbox/environment", &chosen).await;
    answer(
        &browser,
        "/apply/mailbox/workflows",
        &[
            ("add_workflow", "PATH_MEDRPT_V3"),
            ("direction-PATH_MEDRPT_V3", "both"),
        ],
    )
    .await;
    answer(&browser, "/apply/mailbox/workflows", &[("continue", "1")]).await;
    answer(
        &browser,
        "/apply/mailbox/file-size",
        &[("file_size", "up_to_50mb")],
    )
    .await;
    answer(
        &browser,
        "/apply/mailbox/contact",
        &[
            ("contact_name", "Sam Jones"),
            ("contact_email", manager_email),
            ("contact_phone", "0113 496 0000"),
        ],
    )
    .await;
    answer(
        &browser,
        "/apply/mailbox/check-answers",
        &[("declaration", "confirmed")],
    )
    .await;
    let (_, page) = browser.get_text("/apply/mailbox/confirmation").await;
    reference_in(&page, "MBX-").expect("the confirmation shows the reference")
}

/// Sends a MESH UI account application for an issued mailbox; returns its reference.
pub async fn account_application(
    app: &TestApp,
    ods_code: &str,
    mailbox_id: &str,
    email: &str,
) -> String {
    let browser = app.browser();
    answer(
        &browser,
        "/apply/account/organisation",
        &[("ods_code", ods_code)],
    )
    .await;
    answer(
        &browser,
        "/apply/account/mailboxes",
        &[("mailbox_ids", mailbox_id)],
    )
    .await;
    answer(
        &browser,
        "/apply/account/name",
        &[("first_name", "Ada"), ("last_name", "Lovelace")],
    )
    .await;
    answer(&browser, "/apply/account/email", &[("email", email)]).await;
    answer(
        &browser,
        "/apply/account/access",
        &[("access_route", "internet")],
    )
    .await;
    answer(
        &browser,
        "/apply/account/reason",
        &[("reason", "I collect pathology results.")],
    )
    .await;
    answer(
        &browser,
        "/apply/account/check-answers",
        &[("confirm", "1")],
    )
    .await;
    let (_, page) = browser.get_text("/apply/account/confirmation").await;
    reference_in(&page, "ACC-").expect("the confirmation shows the reference")
}

/// Asks for a new workflow ID in a new group; returns the request's reference.
pub async fn workflow_request(app: &TestApp, proposed_id: &str) -> String {
    let browser = app.browser();
    answer(
        &browser,
        "/workflows/request",
        &[
            ("proposed_id", proposed_id),
            ("group", "new"),
            ("new_group", "Tissue viability"),
            (
                "description",
                "Photographs of wounds for the tissue viability team",
            ),
            ("sending_organisations", "District nursing teams"),
            ("receiving_organisations", "Tissue viability services"),
            ("requester_email", "ada@nhs.net"),
            ("requester_name", "Ada Lovelace"),
        ],
    )
    .await;
    let (_, page) = browser.get_text("/workflows/request/confirmation").await;
    reference_in(&page, "WFR-").expect("the confirmation shows the reference")
}
