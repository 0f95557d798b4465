//! Accounts: creating them with their set-up link, and the audit log they write to.

use app::backend::accounts::audit::{self, Actor};
use app::backend::accounts::crypto::hash_token;
use app::backend::accounts::{self, ACTIVATION, CreateUserError, NewAccount};
use app::backend::db::users;
use app::backend::{mailboxes, now_unix};
use app::model::accounts::Role;
use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    creating_an_account_stores_it_invited_with_a_hashed_set_up_link_and_audits_it,
    refuses_accounts_it_cannot_create_and_stores_nothing,
    audit_entries_written_at_once_all_land_in_order,
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
    assert_eq!(user.status, "invited");
    assert_eq!(user.role, "mailbox_user");
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
                    &db.pool,
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
