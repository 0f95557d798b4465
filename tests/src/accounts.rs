//! Accounts for tests: invited through the service, set up and signed in through the pages, as
//! a person would, so that what a test checks afterwards went through the real sign-in.

use app::backend::accounts::totp::{TotpSecret, step_of};
use app::backend::accounts::{self, NewAccount};
use app::backend::audit::Actor;
use app::model::accounts::Role;

use crate::{Browser, TestApp};

/// The PIN every test account sets.
pub const PIN: &str = "482913";

/// Creates an invited account; returns its set-up link's token.
pub async fn invite(app: &TestApp, email: &str, role: Role, mailboxes: &[&str]) -> String {
    accounts::create_user(
        &app.state.db,
        NewAccount {
            email: email.to_owned(),
            name: format!("Test {}", role.label()),
            role,
            mailboxes: mailboxes.iter().map(|m| (*m).to_owned()).collect(),
            smartcard_number: None,
        },
        &Actor::system(),
        app.state.clock.now(),
    )
    .await
    .expect("account created")
    .activation_token
}

/// The key shown on the app step of set-up, read from the page as a person would type it.
pub fn key_on_page(body: &str) -> TotpSecret {
    let start = body
        .find("app-secret-key")
        .and_then(|i| body[i..].find("<code>").map(|j| i + j + "<code>".len()))
        .expect("the page shows the key");
    let end = start + body[start..].find("</code>").expect("the key ends");
    let typed: String = body[start..end]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    TotpSecret::from_bytes(
        data_encoding::BASE32_NOPAD
            .decode(typed.as_bytes())
            .expect("the key is base32"),
    )
}

/// The authenticator app's code now, by the service's clock.
pub fn code_now(app: &TestApp, secret: &TotpSecret) -> String {
    secret.code_at_step(step_of(app.state.clock.now()))
}

/// Sets up an account with an authenticator app through the set-up pages (no JavaScript), then
/// moves the clock on a step so that the next code is a new one. Returns the app's key.
pub async fn set_up_with_app(app: &TestApp, browser: &Browser, token: &str) -> TotpSecret {
    let chosen = browser
        .post_form(
            &format!("/activate/{token}"),
            &[("pin", PIN), ("pin_confirmation", PIN), ("factor", "app")],
        )
        .await;
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    let app_page = chosen.location.expect("on to the app step");
    let (status, body) = browser.get_text(&app_page).await;
    assert_eq!(status, 200, "{body}");
    let secret = key_on_page(&body);
    let done = browser
        .post_form(&app_page, &[("code", &code_now(app, &secret))])
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/sign-in/set-up-complete"),
        "{}",
        done.body
    );
    app.state.clock.advance(30);
    secret
}

/// Signs in through the pages with email, PIN and the app's current code; returns where the
/// service sent the person (their home page).
pub async fn sign_in(app: &TestApp, browser: &Browser, email: &str, secret: &TotpSecret) -> String {
    let pin = browser
        .post_form("/sign-in/pin", &[("email", email), ("pin", PIN)])
        .await;
    assert_eq!(
        pin.location.as_deref(),
        Some("/sign-in/code"),
        "{}",
        pin.body
    );
    let code = browser
        .post_form("/sign-in/code", &[("code", &code_now(app, secret))])
        .await;
    assert_eq!(code.status, 303, "{}", code.body);
    app.state.clock.advance(30);
    code.location.expect("on to the home page")
}

/// A new browser signed in as a new account with `role` and `mailboxes`.
pub async fn signed_in_browser(
    app: &TestApp,
    email: &str,
    role: Role,
    mailboxes: &[&str],
) -> Browser {
    let token = invite(app, email, role, mailboxes).await;
    let browser = app.browser();
    let secret = set_up_with_app(app, &browser, &token).await;
    sign_in(app, &browser, email, &secret).await;
    browser
}
