//! Signed-in sessions: a new ID at sign-in, idle and absolute time-outs, a changed access route,
//! and sign-out deleting the session from the store.

use std::sync::Arc;

use app::backend::accounts::session::{self, PinStep, SessionPolicy, Who};
use app::backend::sessions::DbSessionStore;
use app::model::accounts::{Role, SecondFactor};
use app::model::common::AccessRoute;
use mesh_portal_tests::{Backend, TestApp, spawn_app};
use tower_sessions::Session;

on_each_database!(
    signing_in_gives_a_new_session_id_and_signing_out_deletes_the_session,
    a_signed_in_session_ends_when_idle_too_old_or_on_another_route,
);

fn new_session(app: &TestApp) -> Session {
    Session::new(
        None,
        Arc::new(DbSessionStore::new(app.state.db.clone())),
        None,
    )
}

async fn stored_sessions(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn signing_in_gives_a_new_session_id_and_signing_out_deletes_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = new_session(&app);
    let now = 1_800_000_000;
    let step = PinStep {
        user_id: "usr_x".into(),
        second_factor: SecondFactor::Totp,
        route: AccessRoute::Hscn,
        at: now,
    };
    session::remember_pin_step(&browser, &step).await.unwrap();
    browser.save().await.unwrap();
    let before = browser.id().expect("saved");
    assert_eq!(
        session::pin_step(&browser, AccessRoute::Hscn, now + 60)
            .await
            .unwrap(),
        Some(step.clone())
    );
    assert_eq!(
        session::pin_step(&browser, AccessRoute::Internet, now + 60)
            .await
            .unwrap(),
        None,
        "a PIN given over another route does not count"
    );
    assert_eq!(
        session::pin_step(&browser, AccessRoute::Hscn, now + 600)
            .await
            .unwrap(),
        None,
        "nor one given ten minutes ago"
    );

    session::start(&browser, "usr_x", Role::MailboxUser, AccessRoute::Hscn, now)
        .await
        .unwrap();
    browser.save().await.unwrap();
    assert_ne!(browser.id(), Some(before), "a new session ID at sign-in");
    assert_eq!(
        stored_sessions(&app).await,
        1,
        "the old ID is gone from the store"
    );
    assert_eq!(
        session::pin_step(&browser, AccessRoute::Hscn, now)
            .await
            .unwrap(),
        None
    );

    session::end(&browser).await.unwrap();
    assert_eq!(
        stored_sessions(&app).await,
        0,
        "signing out deletes the session"
    );
}

async fn a_signed_in_session_ends_when_idle_too_old_or_on_another_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let policy = SessionPolicy::default();
    let now = 1_800_000_000;
    let signed_in = |start: i64| {
        let app = &app;
        async move {
            let browser = new_session(app);
            session::start(
                &browser,
                "usr_x",
                Role::ServiceDesk,
                AccessRoute::Hscn,
                start,
            )
            .await
            .unwrap();
            browser
        }
    };

    // Kept alive by use: 25 minutes, then 25 more, is fine.
    let browser = signed_in(now).await;
    for at in [now + 25 * 60, now + 50 * 60] {
        let who = session::current(&browser, policy, AccessRoute::Hscn, at)
            .await
            .unwrap();
        assert!(
            matches!(who, Who::SignedIn(ref s) if s.role == Role::ServiceDesk),
            "{at}"
        );
    }
    // Then 30 minutes without use ends it, and it stays ended.
    let idle = session::current(&browser, policy, AccessRoute::Hscn, now + 80 * 60)
        .await
        .unwrap();
    assert_eq!(idle, Who::Expired);
    let after = session::current(&browser, policy, AccessRoute::Hscn, now + 81 * 60)
        .await
        .unwrap();
    assert_eq!(after, Who::Anonymous);

    // In use all day, it still ends 12 hours after sign-in.
    let browser = signed_in(now).await;
    let mut at = now;
    while at < now + 12 * 3600 - 20 * 60 {
        at += 20 * 60;
        let who = session::current(&browser, policy, AccessRoute::Hscn, at)
            .await
            .unwrap();
        assert!(matches!(who, Who::SignedIn(_)), "{}", at - now);
    }
    let too_old = session::current(&browser, policy, AccessRoute::Hscn, now + 12 * 3600)
        .await
        .unwrap();
    assert_eq!(too_old, Who::Expired);

    // Another route: sign in again.
    let browser = signed_in(now).await;
    let moved = session::current(&browser, policy, AccessRoute::Internet, now + 60)
        .await
        .unwrap();
    assert_eq!(moved, Who::RouteChanged);
    let after = session::current(&browser, policy, AccessRoute::Hscn, now + 120)
        .await
        .unwrap();
    assert_eq!(after, Who::Anonymous);
}
