//! Signing in: PIN, authenticator codes (moved through time with the service's clock), emailed
//! codes through a real SMTP server process, and lock-outs.

use app::backend::accounts::activation::{self, FactorChoice, SetUp};
use app::backend::accounts::sign_in::{self, PinAccepted, SignInError};
use app::backend::accounts::totp::{TotpSecret, step_of};
use app::backend::accounts::{self, NewAccount};
use app::backend::audit::{self, Actor};
use app::model::accounts::{Pin, Role, SecondFactor};
use app::model::common::AccessRoute;
use mesh_portal_tests::smtp::SmtpServer;
use mesh_portal_tests::{Backend, TestApp, spawn_app, spawn_app_with};

on_each_database!(
    app_codes_one_step_either_side_work_once_and_two_steps_away_never,
    a_wrong_pin_and_an_unknown_email_get_the_same_answer,
    five_failures_lock_the_account_until_the_time_it_is_told,
    emailed_codes_arrive_by_smtp_and_work_once_within_ten_minutes,
    the_lock_out_follows_its_configuration,
);

const PIN: &str = "482913";

/// An active account with the given second factor; returns its ID (and the app's key).
async fn active_user(app: &TestApp, email: &str, factor: SecondFactor) -> (String, TotpSecret) {
    let db = &app.state.db;
    let created = accounts::create_user(
        db,
        NewAccount {
            email: email.to_owned(),
            name: "Ada Lovelace".to_owned(),
            role: Role::MailboxUser,
            mailboxes: vec![],
            smartcard_number: None,
        },
        &Actor::system(),
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let secret = TotpSecret::generate();
    let now = app.state.clock.now();
    let choice = match factor {
        SecondFactor::Totp => FactorChoice::App {
            secret: secret.clone(),
            code: secret.code_at_step(step_of(now)),
        },
        SecondFactor::Email => FactorChoice::Email,
    };
    let chosen = Pin::parse(PIN).unwrap();
    let set_up = SetUp {
        token: &created.activation_token,
        pin: &chosen,
        choice,
        route: AccessRoute::Hscn,
    };
    activation::complete(db, &app.state.secret_key, set_up, &Actor::system(), now)
        .await
        .unwrap();
    (created.user_id, secret)
}

fn visitor() -> Actor {
    Actor {
        id: "anonymous".to_owned(),
        access_route: "hscn".to_owned(),
        client_addr: "127.0.0.1".to_owned(),
    }
}

/// Email and PIN, as the server's lock-out policy counts them.
async fn pin(app: &TestApp, email: &str, pin: &str) -> Result<PinAccepted, SignInError> {
    sign_in::check_pin(
        &app.state.db,
        app.state.lock_policy,
        email,
        pin,
        &visitor(),
        app.state.clock.now(),
    )
    .await
}

async fn app_code(app: &TestApp, user_id: &str, code: &str) -> Result<(), SignInError> {
    sign_in::check_app_code(
        &app.state.db,
        &app.state.secret_key,
        app.state.lock_policy,
        user_id,
        code,
        &visitor(),
        app.state.clock.now(),
    )
    .await
}

async fn app_codes_one_step_either_side_work_once_and_two_steps_away_never(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user_id, secret) = active_user(&app, "ada@nhs.net", SecondFactor::Totp).await;
    // Past the step whose code confirmed the set-up.
    app.state.clock.advance(60);

    for offset in [-1, 0, 1] {
        app.state.clock.advance(90);
        let step = step_of(app.state.clock.now()) + offset;
        let code = secret.code_at_step(step);
        app_code(&app, &user_id, &code)
            .await
            .unwrap_or_else(|e| panic!("offset {offset}: {e}"));
        let again = app_code(&app, &user_id, &code).await.unwrap_err();
        assert_eq!(
            again.to_string(),
            "The security code is not right, or it has already been used"
        );
    }
    app.state.clock.advance(300);
    let now_step = step_of(app.state.clock.now());
    for offset in [-2, 2] {
        let code = secret.code_at_step(now_step + offset);
        let near: Vec<String> = (-1..=1)
            .map(|o| secret.code_at_step(now_step + o))
            .collect();
        if !near.contains(&code) {
            assert!(
                app_code(&app, &user_id, &code).await.is_err(),
                "offset {offset}"
            );
        }
    }
    let log = audit::for_subject(&app.state.db, &format!("user:{user_id}"), 50)
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "sign_in" && e.outcome == "success")
            .count(),
        3
    );
}

async fn a_wrong_pin_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user_id, _) = active_user(&app, "ada@nhs.net", SecondFactor::Totp).await;
    let accepted = pin(&app, " ADA@nhs.net ", PIN).await.expect("right PIN");
    assert_eq!(accepted.user_id, user_id);
    assert_eq!(accepted.second_factor, SecondFactor::Totp);
    let wrong = pin(&app, "ada@nhs.net", "111222")
        .await
        .unwrap_err()
        .to_string();
    let unknown = pin(&app, "nobody@nhs.net", PIN)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(wrong, "The email address or PIN is not right");
    assert_eq!(wrong, unknown);
}

async fn five_failures_lock_the_account_until_the_time_it_is_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user_id, secret) = active_user(&app, "ada@nhs.net", SecondFactor::Totp).await;
    for _ in 0..3 {
        assert!(matches!(
            pin(&app, "ada@nhs.net", "111222").await,
            Err(SignInError::WrongPin)
        ));
    }
    // Wrong passcodes count with wrong PINs.
    assert!(matches!(
        app_code(&app, &user_id, "000000").await,
        Err(SignInError::WrongCode)
    ));
    let locked_at = app.state.clock.now();
    let fifth = pin(&app, "ada@nhs.net", "111222").await.unwrap_err();
    let SignInError::Locked(until) = fifth else {
        panic!("the fifth failure locks: {fifth}");
    };
    assert_eq!(until, locked_at + 15 * 60);
    assert!(
        fifth
            .to_string()
            .starts_with("Your account is locked after too many failed attempts. Try again after ")
    );
    // While locked, even the right PIN and a right code are refused.
    assert!(matches!(
        pin(&app, "ada@nhs.net", PIN).await,
        Err(SignInError::Locked(_))
    ));
    let code = secret.code_at_step(step_of(app.state.clock.now()) + 1);
    assert!(matches!(
        app_code(&app, &user_id, &code).await,
        Err(SignInError::Locked(_))
    ));
    let log = audit::for_subject(&app.state.db, &format!("user:{user_id}"), 50)
        .await
        .unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "user.lock").count(), 1);

    // The clock runs on while the test does (a PIN check takes a moment): stop 30 s short.
    app.state.clock.advance(until - app.state.clock.now() - 30);
    assert!(matches!(
        pin(&app, "ada@nhs.net", PIN).await,
        Err(SignInError::Locked(_))
    ));
    app.state.clock.advance(30);
    pin(&app, "ada@nhs.net", PIN)
        .await
        .expect("the lock has ended");
}

async fn emailed_codes_arrive_by_smtp_and_work_once_within_ten_minutes(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(backend, &[("MESH_PORTAL_SMTP_URL", &smtp.url())]).await;
    let (user_id, _) = active_user(&app, "ada@nhs.net", SecondFactor::Email).await;
    let code_in = |message: &str| -> String {
        let at = message.find("security code is ").expect("the code") + "security code is ".len();
        message[at..at + 6].to_owned()
    };
    let check = |code: String| {
        let app = &app;
        let user_id = user_id.clone();
        async move {
            sign_in::check_email_code(
                &app.state.db,
                app.state.lock_policy,
                &user_id,
                &code,
                &visitor(),
                app.state.clock.now(),
            )
            .await
        }
    };

    sign_in::send_email_code(
        &app.state.db,
        &app.state.mailer,
        &user_id,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let first = smtp.wait_for(1).await;
    assert!(first[0].contains("To: ada@nhs.net"));
    assert!(first[0].contains("Subject: Your MESH portal security code"));
    let code = code_in(&first[0]);
    check(code.clone()).await.expect("the code works");
    assert!(
        matches!(check(code).await, Err(SignInError::WrongCode)),
        "but only once"
    );

    sign_in::send_email_code(
        &app.state.db,
        &app.state.mailer,
        &user_id,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let second = smtp.wait_for(2).await;
    let first_code = code_in(&first[0]);
    let codes: Vec<String> = second.iter().map(|m| code_in(m)).collect();
    let code = codes
        .iter()
        .find(|c| **c != first_code)
        .unwrap_or_else(|| panic!("a second, different code: {codes:?}"))
        .clone();
    app.state.clock.advance(10 * 60);
    assert!(
        matches!(check(code).await, Err(SignInError::WrongCode)),
        "too late"
    );
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT token_hash FROM one_time_tokens WHERE purpose = 'email_passcode'",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert!(
        stored
            .iter()
            .all(|h| h.len() > 64 && !h.contains(&code_in(&first[0])))
    );
}

async fn the_lock_out_follows_its_configuration(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_MAX_FAILED_ATTEMPTS", "2"),
            ("MESH_PORTAL_LOCKOUT_MINUTES", "1"),
        ],
    )
    .await;
    active_user(&app, "ada@nhs.net", SecondFactor::Totp).await;
    assert!(matches!(
        pin(&app, "ada@nhs.net", "111222").await,
        Err(SignInError::WrongPin)
    ));
    let at = app.state.clock.now();
    match pin(&app, "ada@nhs.net", "111222").await {
        Err(SignInError::Locked(until)) => assert!((until - at - 60).abs() <= 2, "{}", until - at),
        other => panic!("the second failure locks: {other:?}"),
    }
}
