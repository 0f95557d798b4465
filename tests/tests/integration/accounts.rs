//! Accounts: creating them with their set-up link, and the audit log they write to.

use app::backend::AppState;
use app::backend::accounts::activation::{self, FactorChoice, LinkError, SetUp, SetUpError};
use app::backend::accounts::totp::{TotpSecret, step_of};
use app::backend::accounts::{self, ACTIVATION, CreateUserError, NewAccount};
use app::backend::audit::{self, Actor};
use app::backend::crypto::hash_token;
use app::backend::db::users;
use app::backend::{mailboxes, now_unix};
use app::model::accounts::{Pin, Role, SecondFactor, UserStatus};
use app::model::common::AccessRoute;
use mesh_portal_tests::{Backend, TestApp, spawn_app};

on_each_database!(
    creating_an_account_stores_it_invited_with_a_hashed_set_up_link_and_audits_it,
    refuses_accounts_it_cannot_create_and_stores_nothing,
    audit_entries_written_at_once_all_land_in_order,
    a_set_up_link_activates_the_account_once_with_an_app_confirmed_by_a_current_code,
    set_up_links_that_are_wrong_expired_or_used_are_refused_each_with_its_message,
    set_up_refuses_a_wrong_code_and_emailed_codes_over_the_internet_and_changes_nothing,
    two_set_ups_racing_with_one_link_end_with_one,
    rate_limits_count_across_instances_and_reset_with_the_window,
);

fn account(email: &str, mailboxes: &[&str]) -> NewAccount {
    NewAccount {
        email: email.to_owned(),
        name: "Ada Lovelace".to_owned(),
        role: Role::MailboxUser,
        mailboxes: mailboxes.iter().map(|m| (*m).to_owned()).collect(),
        smartcard_number: Some("1234 5678 9012".to_owned()),
    }
}

async fn creating_an_account_stores_it_invited_with_a_hashed_set_up_link_and_audits_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    mailboxes::add(db, "X26HC005", "X26", "integration")
        .await
        .expect("mailbox added");
    let now = now_unix();

    let created = accounts::create_user(
        db,
        account(" Ada.Lovelace@NHS.net ", &["x26hc005"]),
        &Actor::system(),
        now,
    )
    .await
    .expect("account created");

    let user = users::by_email(db, "ada.lovelace@nhs.net")
        .await
        .unwrap()
        .expect("stored under the lower-case address");
    assert_eq!(user.user_id, created.user_id);
    assert!(user.user_id.starts_with("usr_") && user.user_id.len() == 30);
    assert_eq!(user.status, UserStatus::Invited);
    assert_eq!(user.role, Role::MailboxUser);
    assert_eq!(user.smartcard_number.as_deref(), Some("123456789012"));
    assert!(user.pin_hash.is_none() && user.totp_secret.is_none());
    assert_eq!(
        users::mailboxes_of(db, &user.user_id).await.unwrap(),
        ["X26HC005"]
    );
    // Only the hash of the link's token is stored, and it lasts 72 hours.
    assert_eq!(created.activation_token.len(), 43);
    assert!(
        users::token(db, &created.activation_token, ACTIVATION)
            .await
            .unwrap()
            .is_none()
    );
    let token = users::token(db, &hash_token(&created.activation_token), ACTIVATION)
        .await
        .unwrap()
        .expect("the hash is stored");
    assert_eq!(token.expires_at, now + 72 * 3600);
    assert!(token.used_at.is_none());
    let log = audit::for_subject(db, &format!("user:{}", user.user_id), 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].actor.as_str(),
            log[0].action.as_str(),
            log[0].outcome.as_str()
        ),
        ("system", "user.create", "success")
    );
    assert!(!format!("{user:?}").contains(&created.activation_token));
}

async fn refuses_accounts_it_cannot_create_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let now = now_unix();
    accounts::create_user(db, account("ada@nhs.net", &[]), &Actor::system(), now)
        .await
        .expect("first account");

    let again = accounts::create_user(db, account("ADA@nhs.net", &[]), &Actor::system(), now).await;
    assert!(matches!(again, Err(CreateUserError::Exists(ref e)) if e == "ada@nhs.net"));
    let gmail =
        accounts::create_user(db, account("ada@gmail.com", &[]), &Actor::system(), now).await;
    assert_eq!(
        gmail.unwrap_err().to_string(),
        "Email address must end in @nhs.net, @nhs.uk or @gov.uk"
    );
    let unknown = accounts::create_user(
        db,
        account("bob@nhs.net", &["ZZZ999"]),
        &Actor::system(),
        now,
    )
    .await;
    assert_eq!(
        unknown.unwrap_err().to_string(),
        "the mailbox ZZZ999 is not in the register"
    );
    assert!(users::by_email(db, "bob@nhs.net").await.unwrap().is_none());

    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM one_time_tokens")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!((users, tokens, entries), (1, 1, 1));
}

async fn audit_entries_written_at_once_all_land_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.state.db.clone();
    let writers: Vec<_> = (0..16)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                audit::record(
                    &mut db.pool.acquire().await.unwrap(),
                    &Actor::system(),
                    audit::Event {
                        action: "test.write",
                        subject: "test:concurrent".to_owned(),
                        outcome: audit::Outcome::Success,
                        detail: format!("writer {i}"),
                    },
                    now_unix(),
                )
                .await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().expect("every entry is written");
    }
    let log = audit::for_subject(&db, "test:concurrent", 100)
        .await
        .unwrap();
    assert_eq!(log.len(), 16);
    let mut seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 16, "each entry has its own sequence number");
}

/// An invited account; returns its ID and set-up token.
async fn invite(app: &TestApp, email: &str) -> (String, String) {
    let created = accounts::create_user(
        &app.state.db,
        account(email, &[]),
        &Actor::system(),
        app.state.clock.now(),
    )
    .await
    .expect("account created");
    (created.user_id, created.activation_token)
}

/// The PIN every set-up here chooses.
const PIN: &str = "482913";

/// Finishes set-up with [`PIN`], as the system.
async fn complete(
    state: &AppState,
    token: &str,
    choice: FactorChoice,
    route: AccessRoute,
    now: i64,
) -> Result<String, SetUpError> {
    let pin = Pin::parse(PIN).unwrap();
    let set_up = SetUp {
        token,
        pin: &pin,
        choice,
        route,
    };
    activation::complete(&state.db, &state.secret_key, set_up, &Actor::system(), now).await
}

async fn a_set_up_link_activates_the_account_once_with_an_app_confirmed_by_a_current_code(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let (user_id, token) = invite(&app, "ada@nhs.net").await;
    let now = app.state.clock.now();
    let invitation = activation::invitation(db, &token, now).await.unwrap();
    assert_eq!(
        (invitation.user_id.as_str(), invitation.email.as_str()),
        (user_id.as_str(), "ada@nhs.net")
    );

    let secret = TotpSecret::generate();
    let code = secret.code_at_step(step_of(now));
    let choice = FactorChoice::App {
        secret: secret.clone(),
        code: code.clone(),
    };
    complete(&app.state, &token, choice, AccessRoute::Internet, now)
        .await
        .expect("set up");

    let user = users::by_id(db, &user_id).await.unwrap().unwrap();
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.second_factor, Some(SecondFactor::Totp));
    assert_eq!(
        user.totp_last_step,
        Some(step_of(now)),
        "the confirming code cannot sign in"
    );
    let sealed = user.totp_secret.expect("the key is stored");
    assert_ne!(sealed.as_bytes(), secret.bytes());
    assert!(!sealed.contains(&secret.grouped_base32().replace(' ', "")));
    assert_eq!(app.state.secret_key.open(&sealed).unwrap(), secret.bytes());
    let pin_hash = user.pin_hash.expect("the PIN is stored");
    assert!(pin_hash.starts_with("$argon2id$") && !pin_hash.contains(PIN));
    let log = audit::for_subject(db, &format!("user:{user_id}"), 10)
        .await
        .unwrap();
    assert_eq!(log[0].action, "user.activate");

    let again = activation::invitation(db, &token, now).await;
    assert!(matches!(again, Err(SetUpError::Link(LinkError::Used))));
}

async fn set_up_links_that_are_wrong_expired_or_used_are_refused_each_with_its_message(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let (_, token) = invite(&app, "ada@nhs.net").await;
    let now = app.state.clock.now();

    let wrong = activation::invitation(db, "not-a-token", now)
        .await
        .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "This set-up link is not valid. Check it is the whole link from your email."
    );
    let nearly = activation::invitation(db, &token, now + 72 * 3600 - 1).await;
    assert!(nearly.is_ok(), "the link works until 72 hours have passed");
    let expired = activation::invitation(db, &token, now + 72 * 3600)
        .await
        .unwrap_err();
    assert_eq!(
        expired.to_string(),
        "This set-up link has expired. Ask the service desk for a new one."
    );
    let late = complete(
        &app.state,
        &token,
        FactorChoice::Email,
        AccessRoute::Hscn,
        now + 72 * 3600,
    )
    .await;
    assert!(matches!(late, Err(SetUpError::Link(LinkError::Expired))));

    complete(
        &app.state,
        &token,
        FactorChoice::Email,
        AccessRoute::Hscn,
        now,
    )
    .await
    .expect("set up with emailed codes over HSCN");
    let reused = complete(
        &app.state,
        &token,
        FactorChoice::Email,
        AccessRoute::Hscn,
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        reused.to_string(),
        "This set-up link has already been used. Sign in, or ask the service desk for a new link."
    );
}

async fn set_up_refuses_a_wrong_code_and_emailed_codes_over_the_internet_and_changes_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let (user_id, token) = invite(&app, "ada@nhs.net").await;
    let now = app.state.clock.now();
    let secret = TotpSecret::generate();

    let stale = secret.code_at_step(step_of(now) - 2);
    let wrong = complete(
        &app.state,
        &token,
        FactorChoice::App {
            secret: secret.clone(),
            code: stale,
        },
        AccessRoute::Hscn,
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "The security code is not right. Enter the 6-digit code the app shows now"
    );
    let email = complete(
        &app.state,
        &token,
        FactorChoice::Email,
        AccessRoute::Internet,
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        email.to_string(),
        "Security codes by email are only available over HSCN. Use an authenticator app"
    );

    let user = users::by_id(db, &user_id).await.unwrap().unwrap();
    assert_eq!(user.status, UserStatus::Invited);
    assert!(user.pin_hash.is_none() && user.second_factor.is_none());
    assert!(
        activation::invitation(db, &token, now).await.is_ok(),
        "the link still works"
    );
}

async fn two_set_ups_racing_with_one_link_end_with_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user_id, token) = invite(&app, "ada@nhs.net").await;
    let now = app.state.clock.now();
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let state = app.state.clone();
            let token = token.clone();
            tokio::spawn(async move {
                complete(&state, &token, FactorChoice::Email, AccessRoute::Hscn, now).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(SetUpError::Link(LinkError::Used))))
    );
    let activations: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'user.activate' AND subject = $1",
    )
    .bind(format!("user:{user_id}"))
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(activations, 1);
}

async fn rate_limits_count_across_instances_and_reset_with_the_window(backend: Backend) {
    use app::backend::accounts::rate_limit::{self, HitError, Limit};
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let limit = Limit {
        max: 3,
        window_seconds: 60,
    };
    // The start of a one-minute window (1_800_000_000 is a multiple of 60).
    let start: i64 = 1_800_000_000;

    // Two tasks hitting at once, as two instances would.
    let hits: Vec<_> = (0..3)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                rate_limit::hit(&db, "test:addr:192.0.2.1", limit, start + 5).await
            })
        })
        .collect();
    for hit in hits {
        hit.await.unwrap().expect("within the limit");
    }
    let fourth = rate_limit::hit(db, "test:addr:192.0.2.1", limit, start + 20).await;
    match fourth {
        Err(HitError::TooMany(wait)) => assert_eq!(wait.0, 40),
        other => panic!("the fourth hit is refused: {other:?}"),
    }
    rate_limit::hit(db, "test:addr:192.0.2.2", limit, start + 20)
        .await
        .expect("another key has its own count");
    rate_limit::hit(db, "test:addr:192.0.2.1", limit, start + 60)
        .await
        .expect("a new window starts afresh");
    assert_eq!(rate_limit::purge(db, start + 60 + 86_400).await.unwrap(), 2);
}
