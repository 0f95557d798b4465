//! The set-up, sign-in and sign-out pages over HTTP, as a browser without JavaScript uses them
//! (form posts and redirects) and as the pages' script does (the `submit_form` server function).

use app::backend::audit;
use app::model::accounts::Role;
use mesh_portal_tests::accounts::{
    PIN, code_now, invite, key_on_page, set_up_with_app, sign_in, signed_in_browser,
};
use mesh_portal_tests::smtp::SmtpServer;
use mesh_portal_tests::{Backend, spawn_app, spawn_app_with};

on_each_database!(
    sets_up_with_an_app_from_the_link_then_logs_in_and_out,
    a_refused_set_up_says_why_and_never_shows_the_pin_again,
    a_used_expired_or_unknown_link_gets_its_own_page,
    over_the_internet_only_the_app_is_offered_and_email_is_refused,
    emailed_codes_log_in_over_hscn_and_a_new_one_can_be_sent,
    a_wrong_pin_and_the_lock_out_are_told_on_the_page,
    the_code_page_without_a_pin_step_says_to_start_again,
    the_script_gets_the_same_answers_as_the_form,
    too_many_attempts_from_one_address_are_refused_for_a_while,
    a_session_ends_after_thirty_minutes_without_use,
    a_log_in_or_set_up_posted_from_another_site_is_refused,
    a_session_that_moves_to_another_network_must_log_in_again,
);

async fn sets_up_with_an_app_from_the_link_then_logs_in_and_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "ada.admin@nhs.net", Role::Admin, &[]).await;
    let browser = app.browser();

    let (status, page) = browser.get_text(&format!("/activate/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Create your PIN") && page.contains("ada.admin@nhs.net"));
    assert!(
        page.contains("By email"),
        "loopback is HSCN: email codes are offered"
    );

    let secret = set_up_with_app(&app, &browser, &token).await;
    let (_, app_page) = browser.get_text(&format!("/activate/{token}/app")).await;
    assert!(
        !app_page.contains("<svg"),
        "the key is not shown again once set-up is done"
    );

    let method = browser
        .post_form("/sign-in/method", &[("method", "pin")])
        .await;
    assert_eq!(method.location.as_deref(), Some("/sign-in/pin"));
    let home = sign_in(&app, &browser, "ada.admin@nhs.net", &secret).await;
    assert_eq!(home, "/service-desk");
    let (status, desk) = browser.get_text("/service-desk").await;
    assert_eq!(status, 200, "{desk}");
    assert!(desk.contains("Waiting for a decision") && desk.contains("No applications match"));
    assert!(desk.contains("Test Administrator") && desk.contains("Log out"));
    assert!(desk.contains("HSCN"), "the header shows the route");

    let out = browser.post_form("/sign-out", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/sign-out?done=1"));
    let (_, after) = browser.get_text("/sign-out?done=1").await;
    assert!(after.contains("You have logged out"));
    let (status, _) = browser.get_text("/service-desk").await;
    assert_eq!(status, 401, "logged out means logged out");

    let user = app::backend::db::users::by_email(&app.state.db, "ada.admin@nhs.net")
        .await
        .unwrap()
        .unwrap();
    let actions: Vec<String> =
        audit::for_subject(&app.state.db, &format!("user:{}", user.user_id), 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {}", e.action, e.outcome))
            .collect();
    for expected in [
        "user.activate success",
        "sign_in.pin success",
        "sign_in success",
        "sign_out success",
    ] {
        assert!(
            actions.contains(&expected.to_owned()),
            "{expected} in {actions:?}"
        );
    }
}

async fn a_refused_set_up_says_why_and_never_shows_the_pin_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "bo@nhs.net", Role::MailboxUser, &[]).await;
    let browser = app.browser();
    let path = format!("/activate/{token}");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                ("pin", "345678"),
                ("pin_confirmation", "345678"),
                ("factor", "app"),
            ],
            "PIN must not be a sequence of numbers",
        ),
        (
            &[
                ("pin", "777777"),
                ("pin_confirmation", "777777"),
                ("factor", "app"),
            ],
            "PIN must not be the same number repeated",
        ),
        (
            &[
                ("pin", "48291"),
                ("pin_confirmation", "48291"),
                ("factor", "app"),
            ],
            "PIN must be 6 to 12 numbers",
        ),
        (
            &[
                ("pin", "4829137"),
                ("pin_confirmation", "4829138"),
                ("factor", "app"),
            ],
            "The PINs do not match",
        ),
        (
            &[("pin", "4829137"), ("pin_confirmation", "4829137")],
            "Select how you want to get security codes",
        ),
    ];
    for (form, message) in cases {
        let answer = browser.post_form(&path, form).await;
        assert_eq!(answer.status, 400, "{form:?}");
        assert!(answer.body.contains("nhsuk-error-summary"), "{form:?}");
        assert!(answer.body.contains(message), "{message} for {form:?}");
        for (name, value) in *form {
            if name.starts_with("pin") {
                assert!(
                    !answer.body.contains(value),
                    "the PIN {value} is not put back in the page"
                );
            }
        }
    }
    // Nothing was stored: the link still works.
    let (status, _) = browser.get_text(&path).await;
    assert_eq!(status, 200);

    // A wrong first code from the app is refused, and the set-up can still finish.
    let chosen = browser
        .post_form(
            &path,
            &[("pin", PIN), ("pin_confirmation", PIN), ("factor", "app")],
        )
        .await;
    let app_path = chosen.location.unwrap();
    let (_, page) = browser.get_text(&app_path).await;
    let secret = key_on_page(&page);
    assert!(
        page.contains("<svg") && page.contains("role=\"img\""),
        "a QR code drawn on the server"
    );
    let right = code_now(&app, &secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = browser.post_form(&app_path, &[("code", wrong)]).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("The security code is not right"));
    let done = browser.post_form(&app_path, &[("code", &right)]).await;
    assert_eq!(done.location.as_deref(), Some("/sign-in/set-up-complete"));
}

async fn a_used_expired_or_unknown_link_gets_its_own_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let (status, page) = browser.get_text("/activate/not-a-real-token").await;
    assert_eq!(status, 404);
    assert!(page.contains("This set-up link is not valid"));

    let used = invite(&app, "used@nhs.net", Role::MailboxUser, &[]).await;
    set_up_with_app(&app, &browser, &used).await;
    let (status, page) = browser.get_text(&format!("/activate/{used}")).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"));
    let again = browser
        .post_form(
            &format!("/activate/{used}"),
            &[
                ("pin", "918273"),
                ("pin_confirmation", "918273"),
                ("factor", "app"),
            ],
        )
        .await;
    assert_eq!(again.status, 410, "a used link cannot set a new PIN");

    let old = invite(&app, "old@nhs.net", Role::MailboxUser, &[]).await;
    app.state.clock.advance(72 * 3600 + 1);
    let (status, page) = browser.get_text(&format!("/activate/{old}")).await;
    assert_eq!(status, 410);
    assert!(page.contains("This set-up link has expired"));
}

async fn over_the_internet_only_the_app_is_offered_and_email_is_refused(backend: Backend) {
    // Loopback is not HSCN here, so this test's requests come over the internet.
    let app = spawn_app_with(backend, &[("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8")]).await;
    let token = invite(&app, "remote@nhs.net", Role::MailboxUser, &[]).await;
    let browser = app.browser();
    let (_, page) = browser.get_text(&format!("/activate/{token}")).await;
    assert!(!page.contains("By email"));
    assert!(page.contains("an authenticator app is required"));
    assert!(page.contains("Internet"), "the header shows the route");
    let refused = browser
        .post_form(
            &format!("/activate/{token}"),
            &[("pin", PIN), ("pin_confirmation", PIN), ("factor", "email")],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("Security codes by email are only available over HSCN")
    );

    // Setting up with the app works, and so does logging in with it.
    let secret = set_up_with_app(&app, &browser, &token).await;
    let home = sign_in(&app, &browser, "remote@nhs.net", &secret).await;
    assert_eq!(home, "/mailboxes");
}

async fn emailed_codes_log_in_over_hscn_and_a_new_one_can_be_sent(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SMTP_URL", &smtp.url())]).await;
    let token = invite(&app, "cat.email@nhs.net", Role::MailboxUser, &[]).await;
    let browser = app.browser();
    let set_up = browser
        .post_form(
            &format!("/activate/{token}"),
            &[("pin", PIN), ("pin_confirmation", PIN), ("factor", "email")],
        )
        .await;
    assert_eq!(
        set_up.location.as_deref(),
        Some("/sign-in/set-up-complete"),
        "{}",
        set_up.body
    );

    let pin = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "Cat.Email@NHS.net"), ("pin", PIN)],
        )
        .await;
    assert_eq!(pin.location.as_deref(), Some("/sign-in/code"));
    let (_, page) = browser.get_text("/sign-in/code").await;
    assert!(
        page.contains("c•••••••l@nhs.net"),
        "the address, partly hidden"
    );
    assert!(page.contains("Send a new code"));
    let first = code_in(&smtp.wait_for(1).await[0]);

    let resent = browser
        .post_form("/sign-in/code", &[("resend_code", "1")])
        .await;
    assert_eq!(resent.location.as_deref(), Some("/sign-in/code"));
    let codes: Vec<String> = smtp.wait_for(2).await.iter().map(|m| code_in(m)).collect();
    assert_eq!(codes.len(), 2);
    // The mail folder is not in order of arrival: the new code is the one that is not the first.
    let second = codes
        .iter()
        .find(|c| **c != first)
        .unwrap_or(&first)
        .clone();
    if first != second {
        let stale = browser
            .post_form("/sign-in/code", &[("code", &first)])
            .await;
        assert_eq!(stale.status, 400, "a new code replaces the old one");
    }
    let done = browser
        .post_form("/sign-in/code", &[("code", &second)])
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/mailboxes"),
        "{}",
        done.body
    );
}

/// The 6-digit code in an email.
fn code_in(message: &str) -> String {
    let at = message
        .find("security code is ")
        .expect("a code in the email")
        + "security code is ".len();
    message[at..]
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect()
}

async fn a_wrong_pin_and_the_lock_out_are_told_on_the_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "dee@nhs.net", Role::MailboxUser, &[]).await;
    let browser = app.browser();
    let secret = set_up_with_app(&app, &browser, &token).await;

    let unknown = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "nobody@nhs.net"), ("pin", "918273")],
        )
        .await;
    let wrong = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "dee@nhs.net"), ("pin", "918273")],
        )
        .await;
    assert_eq!((unknown.status, wrong.status), (400, 400));
    for answer in [&unknown, &wrong] {
        assert!(
            answer
                .body
                .contains("The email address or PIN is not right")
        );
        assert!(
            !answer.body.contains("918273"),
            "the PIN is not put back in the page"
        );
    }
    for _ in 0..3 {
        browser
            .post_form(
                "/sign-in/pin",
                &[("email", "dee@nhs.net"), ("pin", "918273")],
            )
            .await;
    }
    let locked = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "dee@nhs.net"), ("pin", "918273")],
        )
        .await;
    assert_eq!(locked.status, 400);
    assert!(
        locked
            .body
            .contains("Your account is locked after too many failed attempts. Try again after"),
        "{}",
        locked.body
    );
    let right_pin_while_locked = browser
        .post_form("/sign-in/pin", &[("email", "dee@nhs.net"), ("pin", PIN)])
        .await;
    assert!(
        right_pin_while_locked
            .body
            .contains("Your account is locked")
    );

    app.state.clock.advance(15 * 60 + 1);
    let home = sign_in(&app, &browser, "dee@nhs.net", &secret).await;
    assert_eq!(home, "/mailboxes", "unlocked when the time has passed");
}

async fn the_code_page_without_a_pin_step_says_to_start_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let (status, page) = browser.get_text("/sign-in/code").await;
    assert_eq!(status, 200);
    assert!(page.contains("Your login timed out"));
    let posted = browser
        .post_form("/sign-in/code", &[("code", "123456")])
        .await;
    assert_eq!(posted.status, 400);
    assert!(
        posted
            .body
            .contains("Enter your email address and PIN again")
    );
}

async fn the_script_gets_the_same_answers_as_the_form(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "eve@nhs.net", Role::ServiceDesk, &[]).await;
    let browser = app.browser();
    let secret = set_up_with_app(&app, &browser, &token).await;

    let (status, body) = browser
        .submit_json(
            "/sign-in/pin",
            &[("email", "eve@nhs.net"), ("pin", "918273")],
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("The email address or PIN is not right"),
        "{body}"
    );
    let (status, body) = browser
        .submit_json("/sign-in/pin", &[("email", "eve@nhs.net"), ("pin", PIN)])
        .await;
    assert_eq!((status, body.as_str()), (200, "\"/sign-in/code\""));
    let (status, body) = browser
        .submit_json("/sign-in/code", &[("code", &code_now(&app, &secret))])
        .await;
    assert_eq!((status, body.as_str()), (200, "\"/service-desk\""));
    let (status, _) = browser.get_text("/service-desk").await;
    assert_eq!(status, 200);
}

async fn too_many_attempts_from_one_address_are_refused_for_a_while(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let limit = app::backend::accounts::rate_limit::SIGN_IN_PER_ADDRESS;
    // Windows are fixed: start at the beginning of one, so the attempts cannot straddle two (the
    // test failed when a run crossed a five-minute mark of the clock).
    let now = app.state.clock.now();
    app.state
        .clock
        .advance(limit.window_seconds - now.rem_euclid(limit.window_seconds));
    let limit = limit.max;
    for i in 0..limit {
        let answer = browser
            .post_form(
                "/sign-in/pin",
                &[("email", &format!("guess{i}@nhs.net")), ("pin", "918273")],
            )
            .await;
        assert_eq!(answer.status, 400, "attempt {i}");
    }
    let refused = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "another@nhs.net"), ("pin", "918273")],
        )
        .await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("Too many attempts. Wait"),
        "{}",
        refused.body
    );
    app.state.clock.advance(300);
    let later = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "another@nhs.net"), ("pin", "918273")],
        )
        .await;
    assert_eq!(later.status, 400, "the window has passed");
}

async fn a_session_ends_after_thirty_minutes_without_use(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = signed_in_browser(&app, "fay@nhs.net", Role::ServiceDesk, &[]).await;
    let (status, _) = browser.get_text("/service-desk").await;
    assert_eq!(status, 200);
    app.state.clock.advance(29 * 60);
    let (status, _) = browser.get_text("/service-desk").await;
    assert_eq!(status, 200, "use within 30 minutes keeps the session");
    app.state.clock.advance(30 * 60);
    let (status, page) = browser.get_text("/service-desk").await;
    assert_eq!(status, 401);
    assert!(page.contains("not active for a while"), "{page}");
}

async fn a_log_in_or_set_up_posted_from_another_site_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = invite(&app, "gil@nhs.net", Role::MailboxUser, &[]).await;
    let browser = app.browser();
    let forged = [
        (
            "/sign-in/pin".to_owned(),
            vec![("email", "gil@nhs.net"), ("pin", PIN)],
        ),
        (
            format!("/activate/{token}"),
            vec![("pin", PIN), ("pin_confirmation", PIN), ("factor", "email")],
        ),
        ("/sign-out".to_owned(), vec![]),
    ];
    for (path, form) in &forged {
        let response = browser
            .client
            .post(format!("{}{path}", app.address))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    // The forged set-up changed nothing: the link still opens the set-up page.
    let (status, _) = browser.get_text(&format!("/activate/{token}")).await;
    assert_eq!(status, 200);
}

async fn a_session_that_moves_to_another_network_must_log_in_again(backend: Backend) {
    // Behind a trusted proxy (loopback here) the client's address is the one it forwards:
    // 10.x is HSCN, anything else the internet.
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8"),
            ("MESH_PORTAL_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    let browser = signed_in_browser(&app, "hal@nhs.net", Role::ServiceDesk, &[]).await;
    let from = |address: &'static str| {
        let browser = &browser;
        let url = format!("{}/service-desk", app.address);
        async move {
            let response = browser
                .client
                .get(url)
                .header("x-forwarded-for", address)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let (status, page) = from("203.0.113.7").await;
    assert_eq!(status, 200, "logged in over the internet, still there");
    assert!(page.contains("Internet"));
    let (status, page) = from("10.20.30.40").await;
    assert_eq!(status, 401);
    assert!(page.contains("your network changed"), "{page}");
    let (status, _) = from("203.0.113.7").await;
    assert_eq!(status, 401, "the old sign-in is gone, not just hidden");
}
