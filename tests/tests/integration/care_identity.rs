//! "Log in with my Care Identity" against a real OpenID Connect provider (npm's oidc-provider,
//! started on loopback and set up as CIS2 is): the smartcard and R8015 over HSCN, authenticators
//! over the internet, linking an identity to its account, and every way a login can fail.

use app::backend::accounts::{self, NewAccount};
use app::backend::audit::{self, Actor};
use app::backend::mailboxes;
use app::model::accounts::Role;
use mesh_portal_tests::care_identity::{
    Authenticates, IdentityProvider, Options, Person, at_the_provider, back_at_the_portal, log_in,
    start_login, to_the_callback,
};
use mesh_portal_tests::{Backend, TestApp, spawn_app, spawn_app_with};

on_each_database!(
    a_smartcard_with_r8015_over_hscn_lands_on_the_mailbox_and_links_the_identity,
    a_smartcard_without_r8015_at_a_mailbox_organisation_is_refused_with_its_reason,
    an_authenticator_is_accepted_over_the_internet_and_refused_over_hscn,
    a_different_smartcard_number_refuses_the_first_link,
    an_identity_without_an_account_is_told_how_to_apply,
    a_callback_used_twice_or_with_another_state_is_refused,
    a_token_signed_with_a_key_the_issuer_does_not_publish_is_refused,
    an_expired_id_token_is_refused,
    logins_go_on_when_the_issuer_rotates_its_signing_keys,
    logging_out_ends_the_session_and_goes_to_the_issuer,
    cancelling_at_the_issuer_or_the_issuer_away_is_a_clear_page,
    with_care_identity_a_pin_logs_in_only_accounts_kept_local,
    a_client_secret_works_instead_of_a_key,
    care_identity_is_offered_on_both_routes_only_when_configured,
    the_service_desk_sees_removes_and_keeps_local_an_accounts_care_identity,
    logging_out_at_the_issuer_ends_the_portal_session_through_the_back_channel,
);

/// A nurse at X26 whose smartcard role carries R8015.
fn nurse() -> Person {
    Person {
        sub: "910000000001",
        uid: "555000000001",
        email: "nia.nurse@nhs.net",
        name: "Nia Nurse",
        roles: vec![("X26", vec!["B0360", "R8015"])],
    }
}

/// A clerk at X26 whose role lacks R8015 (it is on a role at another organisation).
fn clerk() -> Person {
    Person {
        sub: "910000000002",
        uid: "555000000002",
        email: "cal.clerk@nhs.net",
        name: "Cal Clerk",
        roles: vec![("X26", vec!["B0360"]), ("RR8", vec!["R8015"])],
    }
}

/// Someone with a Care Identity and no MESH UI account.
fn stranger() -> Person {
    Person {
        sub: "910000000003",
        uid: "555000000003",
        email: "sam.stranger@nhs.net",
        name: "Sam Stranger",
        roles: vec![("X26", vec!["R8015"])],
    }
}

fn people() -> Vec<Person> {
    vec![nurse(), clerk(), stranger()]
}

async fn portal(backend: Backend, provider: &IdentityProvider, extra: &[(&str, &str)]) -> TestApp {
    let vars = provider.portal_vars();
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra);
    let app = spawn_app_with(backend, &all).await;
    mailboxes::add(&app.state.db, "X26HC005", "X26", "integration")
        .await
        .expect("a mailbox at X26");
    app
}

/// A provider set up with `options`, the portal, and the nurse's account (no smartcard number).
async fn with_nurse(backend: Backend, options: &Options) -> (IdentityProvider, TestApp) {
    let provider = IdentityProvider::start(&people(), options);
    let app = portal(backend, &provider, &[]).await;
    account_for(&app, &nurse(), None).await;
    (provider, app)
}

/// A MESH UI account for `person` (invited, never set up with a PIN), on X26HC005.
async fn account_for(app: &TestApp, person: &Person, smartcard: Option<&str>) -> String {
    accounts::create_user(
        &app.state.db,
        NewAccount {
            email: person.email.to_owned(),
            name: person.name.to_owned(),
            role: Role::MailboxUser,
            mailboxes: vec!["X26HC005".to_owned()],
            smartcard_number: smartcard.map(str::to_owned),
        },
        &Actor::system(),
        app.state.clock.now(),
    )
    .await
    .expect("account created")
    .user_id
}

async fn audit_of(app: &TestApp, subject: &str) -> Vec<(String, String, String)> {
    audit::for_subject(&app.state.db, subject, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.outcome, e.detail))
        .collect()
}

async fn a_smartcard_with_r8015_over_hscn_lands_on_the_mailbox_and_links_the_identity(
    backend: Backend,
) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    let user_id = account_for(&app, &nurse(), Some(nurse().uid)).await;
    let browser = app.browser();

    let answer = log_in(
        &app,
        &browser,
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some("/mailboxes/X26HC005"));
    let (status, page) = browser.get_text("/mailboxes/X26HC005/inbox").await;
    assert_eq!(status, 200, "signed in: {page}");

    let log = audit_of(&app, &format!("user:{user_id}")).await;
    let signed_in = log
        .iter()
        .find(|(action, outcome, _)| action == "sign_in.cis2" && outcome == "success")
        .expect("the login is audited");
    for checked in ["level 3 (AAL3_ANY)", "R8015", "at X26", "route hscn"] {
        assert!(
            signed_in.2.contains(checked),
            "{checked} in {:?}",
            signed_in.2
        );
    }
    let linked = log
        .iter()
        .find(|(action, _, _)| action == "user.cis2_link")
        .expect("the first login links the identity");
    assert!(
        linked.2.contains("by email and smartcard number"),
        "{:?}",
        linked.2
    );

    // Later logins find the account by the identity alone: a new email address on the account
    // and no smartcard number change nothing.
    sqlx::query(
        "UPDATE users SET email = 'nia.new@nhs.net', smartcard_number = NULL WHERE user_id = $1",
    )
    .bind(&user_id)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let again = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(
        again.location.as_deref(),
        Some("/mailboxes/X26HC005"),
        "{}",
        again.body
    );
    let links = audit_of(&app, &format!("user:{user_id}"))
        .await
        .into_iter()
        .filter(|(action, _, _)| action == "user.cis2_link")
        .count();
    assert_eq!(links, 1, "linked once");
}

async fn a_smartcard_without_r8015_at_a_mailbox_organisation_is_refused_with_its_reason(
    backend: Backend,
) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    let user_id = account_for(&app, &clerk(), None).await;
    let browser = app.browser();

    let answer = log_in(
        &app,
        &browser,
        &provider,
        clerk().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("You could not log in with your Care Identity")
    );
    assert!(
        answer
            .body
            .contains("does not have the R8015 activity code at X26")
            && answer.body.contains("Registration Authority manager"),
        "{}",
        answer.body
    );
    let (status, _) = browser.get_text("/mailboxes/X26HC005/inbox").await;
    assert_eq!(status, 401, "no session");
    let linked: Option<String> =
        sqlx::query_scalar("SELECT cis2_sub FROM users WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(linked, None, "a refused login changes nothing");
    let log = audit_of(&app, &format!("user:{user_id}")).await;
    assert!(
        log.iter()
            .any(|(action, outcome, detail)| action == "sign_in.cis2"
                && outcome == "failure"
                && detail.contains("R8015")),
        "{log:?}"
    );
}

async fn an_authenticator_is_accepted_over_the_internet_and_refused_over_hscn(backend: Backend) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let over_hscn = portal(backend, &provider, &[]).await;
    account_for(&over_hscn, &nurse(), None).await;
    let refused = log_in(
        &over_hscn,
        &over_hscn.browser(),
        &provider,
        nurse().sub,
        Authenticates::App,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Over HSCN, log in with your smartcard"),
        "{}",
        refused.body
    );

    let over_internet = portal(
        backend,
        &provider,
        &[("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8")],
    )
    .await;
    let user_id = account_for(&over_internet, &nurse(), None).await;
    let browser = over_internet.browser();
    let started = start_login(&browser).await;
    assert!(
        started.authorize_url.contains("acr_values=AAL2_OR_ABOVE"),
        "an authenticator is asked for: {}",
        started.authorize_url
    );
    let callback = at_the_provider(
        &browser,
        &provider,
        &started,
        nurse().sub,
        Authenticates::App,
    )
    .await;
    let accepted = back_at_the_portal(&over_internet, &browser, &callback).await;
    assert_eq!(
        accepted.location.as_deref(),
        Some("/mailboxes/X26HC005"),
        "{}",
        accepted.body
    );
    let log = audit_of(&over_internet, &format!("user:{user_id}")).await;
    assert!(
        log.iter().any(|(a, o, d)| a == "sign_in.cis2"
            && o == "success"
            && d.contains("level 2")
            && d.contains("route internet")),
        "{log:?}"
    );
}

async fn a_different_smartcard_number_refuses_the_first_link(backend: Backend) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    account_for(&app, &nurse(), Some("555000000999")).await;
    let answer = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("smartcard number on your MESH UI account"),
        "{}",
        answer.body
    );
    let linked: Option<String> = sqlx::query_scalar("SELECT cis2_sub FROM users WHERE email = $1")
        .bind(nurse().email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(linked, None, "nothing linked");
}

async fn an_identity_without_an_account_is_told_how_to_apply(backend: Backend) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    let answer = log_in(
        &app,
        &app.browser(),
        &provider,
        stranger().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("There is no MESH UI account for sam.stranger@nhs.net")
            && answer.body.contains("apply for a MESH UI account"),
        "{}",
        answer.body
    );
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "no account made");
}

async fn a_callback_used_twice_or_with_another_state_is_refused(backend: Backend) {
    let (provider, app) = with_nurse(backend, &Options::default()).await;
    let browser = app.browser();
    let callback =
        to_the_callback(&browser, &provider, nurse().sub, Authenticates::Smartcard).await;

    let forged = callback.replace("state=", "state=x");
    let refused = back_at_the_portal(&app, &browser, &forged).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("not started here"),
        "{}",
        refused.body
    );
    // The login is used up by any answer, right or wrong: the real one is refused now too.
    let replayed = back_at_the_portal(&app, &browser, &callback).await;
    assert_eq!(replayed.status, 400, "{}", replayed.body);

    let stranger_browser = app.browser();
    let elsewhere = back_at_the_portal(&app, &stranger_browser, &callback).await;
    assert_eq!(elsewhere.status, 400, "another browser: {}", elsewhere.body);
    let (status, _) = stranger_browser.get_text("/mailboxes/X26HC005/inbox").await;
    assert_eq!(status, 401);
}

async fn a_token_signed_with_a_key_the_issuer_does_not_publish_is_refused(backend: Backend) {
    let options = Options {
        hide_signing_key: true,
        ..Options::default()
    };
    let (provider, app) = with_nurse(backend, &options).await;
    let browser = app.browser();
    let answer = log_in(
        &app,
        &browser,
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("could not be checked"),
        "{}",
        answer.body
    );
    let (status, _) = browser.get_text("/mailboxes/X26HC005/inbox").await;
    assert_eq!(status, 401);
}

async fn an_expired_id_token_is_refused(backend: Backend) {
    let options = Options {
        id_token_seconds: Some(60),
        ..Options::default()
    };
    let (provider, app) = with_nurse(backend, &options).await;
    let browser = app.browser();
    let callback =
        to_the_callback(&browser, &provider, nurse().sub, Authenticates::Smartcard).await;
    // The login itself is still young (10 minutes); the token's minute is over.
    app.state.clock.advance(180);
    let answer = back_at_the_portal(&app, &browser, &callback).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("has expired"), "{}", answer.body);
}

async fn logins_go_on_when_the_issuer_rotates_its_signing_keys(backend: Backend) {
    let mut provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    account_for(&app, &nurse(), None).await;
    let first = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(first.status, 303, "{}", first.body);

    provider.rotate_keys();
    let after = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(after.status, 303, "the new key is fetched: {}", after.body);
    assert_eq!(after.location.as_deref(), Some("/mailboxes/X26HC005"));
}

async fn logging_out_ends_the_session_and_goes_to_the_issuer(backend: Backend) {
    let (provider, app) = with_nurse(backend, &Options::default()).await;
    let browser = app.browser();
    let answer = log_in(
        &app,
        &browser,
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    let out = browser.post_form("/sign-out", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    let to = out.location.expect("somewhere");
    assert!(
        to.starts_with(&format!("{}/session/end?", provider.issuer)),
        "{to}"
    );
    assert!(
        to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="),
        "{to}"
    );
    let (status, _) = browser.get_text("/mailboxes/X26HC005/inbox").await;
    assert_eq!(status, 401, "the portal's session is over");
    let ended = browser.client.get(&to).send().await.unwrap();
    assert_eq!(ended.status().as_u16(), 200, "the issuer takes the log-out");
}

async fn cancelling_at_the_issuer_or_the_issuer_away_is_a_clear_page(backend: Backend) {
    let (provider, app) = with_nurse(backend, &Options::default()).await;
    let cancelled = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Cancels,
    )
    .await;
    assert_eq!(cancelled.status, 400, "{}", cancelled.body);
    assert!(
        cancelled.body.contains("You cancelled logging in"),
        "{}",
        cancelled.body
    );

    // An issuer that has gone away: the method page says so (the address is one nobody serves).
    let gone = IdentityProvider::start(&people(), &Options::default());
    let away = portal(backend, &gone, &[]).await;
    drop(gone);
    let answer = away
        .browser()
        .post_form("/sign-in/method", &[("method", "care_identity")])
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("NHS Care Identity is not answering"),
        "{}",
        answer.body
    );
}

async fn with_care_identity_a_pin_logs_in_only_accounts_kept_local(backend: Backend) {
    use mesh_portal_tests::accounts::{PIN, invite, set_up_with_app};
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    let token = invite(&app, "pat.pin@nhs.net", Role::ServiceDesk, &[]).await;
    let browser = app.browser();
    set_up_with_app(&app, &browser, &token).await;
    let refused = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "pat.pin@nhs.net"), ("pin", PIN)],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("logs in with your Care Identity"),
        "{}",
        refused.body
    );

    sqlx::query("UPDATE users SET local_sign_in = 1 WHERE email = 'pat.pin@nhs.net'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let accepted = browser
        .post_form(
            "/sign-in/pin",
            &[("email", "pat.pin@nhs.net"), ("pin", PIN)],
        )
        .await;
    assert_eq!(
        accepted.location.as_deref(),
        Some("/sign-in/code"),
        "{}",
        accepted.body
    );
}

async fn a_client_secret_works_instead_of_a_key(backend: Backend) {
    let options = Options {
        client_secret: Some("a-long-test-client-secret-0123456789"),
        ..Options::default()
    };
    let (provider, app) = with_nurse(backend, &options).await;
    let answer = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(
        answer.location.as_deref(),
        Some("/mailboxes/X26HC005"),
        "{}",
        answer.body
    );
}

async fn care_identity_is_offered_on_both_routes_only_when_configured(backend: Backend) {
    let provider = IdentityProvider::start(&people(), &Options::default());
    let over_hscn = portal(backend, &provider, &[]).await;
    let (_, start) = over_hscn.get_text("/sign-in").await;
    assert!(
        start.contains("href=\"/sign-in/method\""),
        "a choice to make: {start}"
    );
    let (_, page) = over_hscn.get_text("/sign-in/method").await;
    assert!(
        page.contains("Care Identity") && page.contains("smartcard"),
        "{page}"
    );
    let over_internet = portal(
        backend,
        &provider,
        &[("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8")],
    )
    .await;
    let (_, page) = over_internet.get_text("/sign-in/method").await;
    assert!(
        page.contains("Care Identity") && page.contains("authenticator app linked"),
        "{page}"
    );

    // Logging in and out posts a form that leads to the issuer: the pages' policy allows that.
    let policy = |response: &reqwest::Response| {
        response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let method = over_hscn.get("/sign-in/method").await;
    assert!(
        policy(&method).contains(&format!("form-action 'self' {};", provider.issuer)),
        "{}",
        policy(&method)
    );

    let unconfigured = spawn_app(backend).await;
    let (_, start) = unconfigured.get_text("/sign-in").await;
    assert!(
        start.contains("href=\"/sign-in/pin\"") && !start.contains("href=\"/sign-in/method\""),
        "one way to log in, no choice: {start}"
    );
    let method = unconfigured.get("/sign-in/method").await;
    assert!(
        policy(&method).contains("form-action 'self' ;"),
        "{}",
        policy(&method)
    );
    let (_, page) = unconfigured.get_text("/sign-in/method").await;
    assert!(
        page.contains("PIN and security code") && !page.contains("Care Identity"),
        "{page}"
    );
    let refused = unconfigured
        .browser()
        .post_form("/sign-in/method", &[("method", "care_identity")])
        .await;
    assert_eq!(refused.status, 400);
}

async fn the_service_desk_sees_removes_and_keeps_local_an_accounts_care_identity(backend: Backend) {
    use mesh_portal_tests::accounts::{invite, set_up_with_app, sign_in};
    let provider = IdentityProvider::start(&people(), &Options::default());
    let app = portal(backend, &provider, &[]).await;
    let user_id = account_for(&app, &nurse(), None).await;
    let first = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(first.status, 303, "{}", first.body);

    // The service desk's own staff keep PIN and security code.
    let token = invite(&app, "desk.local@nhs.net", Role::ServiceDesk, &[]).await;
    sqlx::query("UPDATE users SET local_sign_in = 1 WHERE email = 'desk.local@nhs.net'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let desk = app.browser();
    let secret = set_up_with_app(&app, &desk, &token).await;
    sign_in(&app, &desk, "desk.local@nhs.net", &secret).await;

    let page_path = format!("/service-desk/users/{user_id}");
    let (status, page) = desk.get_text(&page_path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("{} (linked", nurse().sub)), "{page}");
    let removed = desk
        .post_form(&page_path, &[("action", "remove_care_identity")])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let (_, page) = desk.get_text(&page_path).await;
    assert!(page.contains("Not linked yet"), "{page}");
    let again = desk
        .post_form(&page_path, &[("action", "remove_care_identity")])
        .await;
    assert_eq!(again.status, 400, "nothing to remove: {}", again.body);

    let kept = desk
        .post_form(&page_path, &[("action", "keep_local")])
        .await;
    assert_eq!(kept.status, 303, "{}", kept.body);
    let local: i32 = sqlx::query_scalar("SELECT local_sign_in FROM users WHERE user_id = $1")
        .bind(&user_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(local, 1);
    let log = audit_of(&app, &format!("user:{user_id}")).await;
    for action in ["user.cis2_unlink", "user.local_sign_in"] {
        assert!(
            log.iter().any(|(a, o, _)| a == action && o == "success"),
            "{action}: {log:?}"
        );
    }
    // The next login links the identity again, by email address.
    let relinked = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(relinked.status, 303, "{}", relinked.body);
}

async fn logging_out_at_the_issuer_ends_the_portal_session_through_the_back_channel(
    backend: Backend,
) {
    use app::backend::accounts::care_identity::BACKCHANNEL_LOGOUT_PATH;
    use mesh_portal_tests::care_identity::{CLIENT_ID, PORTAL_URL};
    // The portal first, knowing the issuer's address; then the issuer, knowing the portal's.
    let port = mesh_portal_tests::smtp::free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let secret = "a-long-test-client-secret-0123456789";
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_CIS2_ISSUER", &issuer),
            ("MESH_PORTAL_CIS2_CLIENT_ID", CLIENT_ID),
            ("MESH_PORTAL_CIS2_CLIENT_SECRET", secret),
            ("MESH_PORTAL_BASE_URL", PORTAL_URL),
        ],
    )
    .await;
    mailboxes::add(&app.state.db, "X26HC005", "X26", "integration")
        .await
        .expect("a mailbox at X26");
    let options = Options {
        port: Some(port),
        client_secret: Some(secret),
        backchannel_logout_uri: Some(format!("{}{BACKCHANNEL_LOGOUT_PATH}", app.address)),
        ..Options::default()
    };
    let provider = IdentityProvider::start(&people(), &options);
    assert_eq!(provider.issuer, issuer);
    account_for(&app, &nurse(), None).await;
    let browser = app.browser();
    let answer = log_in(
        &app,
        &browser,
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (status, _) = browser.get_text("/mailboxes/X26HC005").await;
    assert_eq!(status, 200);

    // The person logs out at Care Identity itself (its own confirmation page).
    let confirm = browser
        .client
        .get(format!("{issuer}/session/end"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let xsrf = confirm
        .split("name=\"xsrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the confirmation form")
        .to_owned();
    let confirmed = browser
        .client
        .post(format!("{issuer}/session/end/confirm"))
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .unwrap();
    assert!(confirmed.status().is_redirection() || confirmed.status().is_success());

    let mut status = 0;
    let mut page = String::new();
    for _ in 0..50 {
        (status, page) = browser.get_text("/mailboxes/X26HC005").await;
        if status == 401 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "the portal's session ended: {page}");
    assert!(page.contains("logged out of your Care Identity"), "{page}");
    let log = audit_of(&app, &format!("cis2:{}", nurse().sub)).await;
    assert!(
        log.iter()
            .any(|(a, o, _)| a == "sign_out.cis2_backchannel" && o == "success"),
        "{log:?}"
    );

    // A token the issuer did not sign is refused, and changes nothing.
    let forged = app
        .client
        .post(format!("{}{BACKCHANNEL_LOGOUT_PATH}", app.address))
        .form(&[("logout_token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    // Logging in again works: only sessions from before the logout end.
    app.state.clock.advance(1);
    let again = log_in(
        &app,
        &app.browser(),
        &provider,
        nurse().sub,
        Authenticates::Smartcard,
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
}
