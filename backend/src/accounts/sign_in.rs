//! Signing in: email and PIN, then a one-time passcode (authenticator app, or a code sent by
//! email). Wrong PIN and unknown email give the same answer after the same work. Failed PINs and
//! passcodes count together; at the limit the account locks for a while and the person is told
//! until when. Every attempt is audited.

use super::repo::{self, UserRow};
use super::totp::TotpSecret;
use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::{
    SecretKey, hash_token, random_six_digits, verify_pin, verify_pin_against_nothing,
};
use crate::db::Db;
use crate::mail::{self, OutgoingMail};
use model::accounts::{SecondFactor, UserStatus};

/// How many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    pub max_failures: i32,
    pub lock_seconds: i64,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_seconds: 15 * 60,
        }
    }
}

/// How long an emailed passcode works.
pub const EMAIL_CODE_SECONDS: i64 = 10 * 60;
/// The purpose of emailed passcodes in `one_time_tokens`.
pub const EMAIL_PASSCODE: &str = "email_passcode";

/// Why a step of signing in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown email, wrong PIN, or an account that cannot sign in: one answer for all.
    #[error("The email address or PIN is not right")]
    WrongPin,
    #[error("The security code is not right, or it has already been used")]
    WrongCode,
    /// Locked until this time (seconds since 1970).
    #[error("Your account is locked after too many failed attempts. Try again after {}", model::format_time(*.0))]
    Locked(i64),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A PIN that matched: whose, and which second factor comes next.
#[derive(Debug, Clone)]
pub struct PinAccepted {
    pub user_id: String,
    pub second_factor: SecondFactor,
    /// Kept on PIN and security code where Care Identity is configured.
    pub local: bool,
}

/// Checks email and PIN.
pub async fn check_pin(
    db: &Db,
    policy: LockPolicy,
    email: &str,
    pin: &str,
    actor: &Actor,
    now: i64,
) -> Result<PinAccepted, SignInError> {
    let email = email.trim().to_lowercase();
    let user = repo::by_email(db, &email).await?;
    let usable = user
        .as_ref()
        .filter(|u| u.status == UserStatus::Active && u.pin_hash.is_some());
    let Some(user) = usable else {
        verify_pin_against_nothing(pin).await;
        let subject = user.map_or("user:unknown".to_owned(), |u| format!("user:{}", u.user_id));
        let mut conn = db.pool.acquire().await?;
        audit::record(
            &mut conn,
            actor,
            event(
                "sign_in.pin",
                subject,
                Outcome::Failure,
                "no usable account",
            ),
            now,
        )
        .await?;
        return Err(SignInError::WrongPin);
    };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        verify_pin_against_nothing(pin).await;
        return Err(SignInError::Locked(until));
    }
    let hash = user.pin_hash.clone().unwrap_or_default();
    if !verify_pin(pin, &hash).await {
        return Err(failure(
            db,
            policy,
            user,
            "sign_in.pin",
            SignInError::WrongPin,
            actor,
            now,
        )
        .await?);
    }
    let second_factor = user.second_factor.unwrap_or(SecondFactor::Totp);
    let mut conn = db.pool.acquire().await?;
    audit::record(
        &mut conn,
        actor,
        event("sign_in.pin", user_subject(user), Outcome::Success, ""),
        now,
    )
    .await?;
    Ok(PinAccepted {
        user_id: user.user_id.clone(),
        second_factor,
        local: user.signs_in_locally(),
    })
}

/// Checks a code from the authenticator app: within one step of now and later than the last
/// code accepted, which it then becomes (in one statement, so two requests cannot both use it).
pub async fn check_app_code(
    db: &Db,
    key: &SecretKey,
    policy: LockPolicy,
    user_id: &str,
    code: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), SignInError> {
    let user = usable_user(db, user_id, now).await?;
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|sealed| key.open(sealed).ok())
        .map(TotpSecret::from_bytes);
    let accepted = match secret.and_then(|s| s.verify(code, now, user.totp_last_step)) {
        Some(step) => repo::accept_totp_step(db, user_id, step, now).await?,
        None => false,
    };
    if !accepted {
        return Err(wrong_code(db, policy, &user, actor, now).await?);
    }
    signed_in(db, &user, "authenticator app", actor, now).await
}

/// Sends a new emailed passcode (through the outbox, in one transaction with the code's hash);
/// earlier unused codes stop working.
pub async fn send_email_code(
    db: &Db,
    mailer: &mail::Mailer,
    user_id: &str,
    now: i64,
) -> Result<(), SignInError> {
    let user = usable_user(db, user_id, now).await?;
    let code = random_six_digits();
    let salt = crate::crypto::random_token();
    let mut tx = db.begin().await?;
    repo::retire_tokens(&mut tx, user_id, EMAIL_PASSCODE, now).await?;
    repo::insert_token(
        &mut tx,
        &salted(&salt, &code),
        user_id,
        EMAIL_PASSCODE,
        now + EMAIL_CODE_SECONDS,
        now,
    )
    .await?;
    let text = format!(
        "Your MESH portal security code is {code}\n\nIt works once, for 10 minutes. \
         If you did not try to sign in, contact the service desk: someone may know your PIN.\n"
    );
    let html = format!(
        "<p>Your MESH portal security code is <strong>{code}</strong></p>\
         <p>It works once, for 10 minutes. If you did not try to sign in, contact the service \
         desk: someone may know your PIN.</p>"
    );
    let mail = OutgoingMail {
        to: user.email.clone(),
        subject: "Your MESH portal security code".to_owned(),
        text,
        html,
        sensitive: true,
    };
    mail::enqueue(&mut tx, &mail, now).await?;
    tx.commit().await?;
    mailer.wake();
    Ok(())
}

/// Checks an emailed passcode: the latest unused one, unexpired, used once.
pub async fn check_email_code(
    db: &Db,
    policy: LockPolicy,
    user_id: &str,
    code: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), SignInError> {
    let user = usable_user(db, user_id, now).await?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let stored = repo::live_tokens(db, user_id, EMAIL_PASSCODE, now).await?;
    let matching = stored.iter().find(|stored| {
        stored
            .split_once('$')
            .is_some_and(|(salt, _)| salted(salt, &code) == **stored)
    });
    let used = match matching {
        Some(token_hash) => {
            let mut conn = db.pool.acquire().await?;
            repo::use_token(&mut conn, token_hash, EMAIL_PASSCODE, now).await?
        }
        None => false,
    };
    if !used {
        return Err(wrong_code(db, policy, &user, actor, now).await?);
    }
    signed_in(db, &user, "emailed code", actor, now).await
}

/// A passcode accepted: the failed attempts are forgotten and the sign-in audited. (An accepted
/// PIN alone forgets nothing, or knowing the PIN would allow endless guesses at the passcode.)
async fn signed_in(
    db: &Db,
    user: &UserRow,
    how: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), SignInError> {
    let mut conn = db.pool.acquire().await?;
    repo::reset_failures(&mut conn, &user.user_id, now).await?;
    audit::record(
        &mut conn,
        actor,
        event("sign_in", user_subject(user), Outcome::Success, how),
        now,
    )
    .await?;
    Ok(())
}

/// A wrong or used passcode, counted like a wrong PIN.
async fn wrong_code(
    db: &Db,
    policy: LockPolicy,
    user: &UserRow,
    actor: &Actor,
    now: i64,
) -> Result<SignInError, SignInError> {
    failure(
        db,
        policy,
        user,
        "sign_in.code",
        SignInError::WrongCode,
        actor,
        now,
    )
    .await
}

/// An emailed code as stored: a random salt, then the SHA-256 of salt and code.
fn salted(salt: &str, code: &str) -> String {
    format!("{salt}${}", hash_token(&format!("{salt}:{code}")))
}

/// The account behind a half-finished sign-in, still allowed to finish it.
async fn usable_user(db: &Db, user_id: &str, now: i64) -> Result<UserRow, SignInError> {
    let user = repo::by_id(db, user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or(SignInError::WrongPin)?;
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(SignInError::Locked(until));
    }
    Ok(user)
}

/// Counts a failure; at the limit, locks the account (and audits the lock). Returns the error to
/// give: the one given, or `Locked` when this failure locked the account.
async fn failure(
    db: &Db,
    policy: LockPolicy,
    user: &UserRow,
    action: &str,
    error: SignInError,
    actor: &Actor,
    now: i64,
) -> Result<SignInError, SignInError> {
    let lock_until = now + policy.lock_seconds;
    let mut tx = db.begin().await?;
    let failures = repo::count_failure(&mut tx, &user.user_id, now).await?;
    audit::record(
        &mut tx,
        actor,
        event(action, user_subject(user), Outcome::Failure, ""),
        now,
    )
    .await?;
    let result = if failures >= policy.max_failures {
        repo::lock(&mut tx, &user.user_id, lock_until).await?;
        audit::record(
            &mut tx,
            actor,
            event(
                "user.lock",
                user_subject(user),
                Outcome::Success,
                &format!("{failures} failed attempts"),
            ),
            now,
        )
        .await?;
        tracing::warn!(user.id = %user.user_id, "account locked after failed attempts");
        SignInError::Locked(lock_until)
    } else {
        error
    };
    tx.commit().await?;
    Ok(result)
}

fn user_subject(user: &UserRow) -> String {
    format!("user:{}", user.user_id)
}

fn event<'a>(action: &'a str, subject: String, outcome: Outcome, detail: &str) -> Event<'a> {
    Event {
        action,
        subject,
        outcome,
        detail: detail.to_owned(),
    }
}
