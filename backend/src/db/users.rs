//! Accounts, their mailboxes and their one-time tokens.

use model::accounts::{Role, SecondFactor, UserStatus};
use sqlx::{Any, AnyConnection};

use super::Db;

/// An account as stored. The PIN hash and the sealed TOTP key stay in here: this type is never
/// serialised, and its `Debug` leaves them out.
#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    pub pin_hash: Option<String>,
    pub second_factor: Option<SecondFactor>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub smartcard_number: Option<String>,
    pub failed_attempts: i32,
    pub locked_until: Option<i64>,
    /// The Care Identity (`sub`) the account is linked to, once it has logged in with it.
    pub cis2_sub: Option<String>,
    pub cis2_linked_at: Option<i64>,
    /// 1: signs in with PIN and security code even where Care Identity is configured.
    pub local_sign_in: i32,
}

impl UserRow {
    /// Whether the account keeps PIN and security code where Care Identity is configured.
    pub fn signs_in_locally(&self) -> bool {
        self.local_sign_in != 0
    }
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("user_id", &self.user_id)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("second_factor", &self.second_factor)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "user_id, email, name, role, status, pin_hash, second_factor, totp_secret, \
                       totp_last_step, smartcard_number, failed_attempts, locked_until, cis2_sub, \
                       cis2_linked_at, local_sign_in";

/// A new account, invited.
pub struct NewUser<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub smartcard_number: Option<&'a str>,
}

/// Adds an account; `false` when the email address already has one.
pub async fn insert(conn: &mut AnyConnection, user: &NewUser<'_>, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "INSERT INTO users (user_id, email, name, role, status, smartcard_number, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, 'invited', $5, $6, $6) ON CONFLICT (email) DO NOTHING",
    )
    .bind(user.user_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.role)
    .bind(user.smartcard_number)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn link_mailbox(
    conn: &mut AnyConnection,
    user_id: &str,
    mailbox_id: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO user_mailboxes (user_id, mailbox_id) VALUES ($1, $2) \
         ON CONFLICT (user_id, mailbox_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(mailbox_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(db: &Db, user_id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<Any, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
}

pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<Any, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(&db.pool)
        .await
}

/// The account linked to a Care Identity.
pub async fn by_care_identity(db: &Db, sub: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<Any, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE cis2_sub = $1"))
        .bind(sub)
        .fetch_optional(&db.pool)
        .await
}

/// Links an account to a Care Identity; `false` when it is linked to one already.
pub async fn link_care_identity(
    conn: &mut AnyConnection,
    user_id: &str,
    sub: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE users SET cis2_sub = $1, cis2_linked_at = $2, updated_at = $2 \
         WHERE user_id = $3 AND cis2_sub IS NULL",
    )
    .bind(sub)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes an account's Care Identity link (the next login links again, by email and smartcard
/// number); `false` when there was none.
pub async fn unlink_care_identity(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE users SET cis2_sub = NULL, cis2_linked_at = NULL, updated_at = $1 \
         WHERE user_id = $2 AND cis2_sub IS NOT NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps an account on PIN and security code (`true`), or sends it to Care Identity.
pub async fn set_local_sign_in(
    conn: &mut AnyConnection,
    user_id: &str,
    local: bool,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE users SET local_sign_in = $1, updated_at = $2 WHERE user_id = $3")
        .bind(i32::from(local))
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await
        .map(drop)
}

/// Notes a back-channel logout from Care Identity.
pub async fn record_care_identity_logout(
    conn: &mut AnyConnection,
    sub: Option<&str>,
    sid: Option<&str>,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>("INSERT INTO care_identity_logouts (sub, sid, at) VALUES ($1, $2, $3)")
        .bind(sub)
        .bind(sid)
        .bind(at)
        .execute(conn)
        .await
        .map(drop)
}

/// Whether the person `sub` (or their issuer session `sid`) logged out at Care Identity at or
/// after `since`.
pub async fn logged_out_of_care_identity(
    db: &Db,
    sub: &str,
    sid: Option<&str>,
    since: i64,
) -> sqlx::Result<bool> {
    let found: i64 = sqlx::query_scalar::<Any, i64>(
        "SELECT COUNT(*) FROM care_identity_logouts WHERE at >= $3 \
         AND ((sub = $1 AND (sid IS NULL OR sid = $2)) OR (sub IS NULL AND sid = $2))",
    )
    .bind(sub)
    .bind(sid)
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    Ok(found > 0)
}

/// How many accounts there are.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await
}

/// The mailboxes an account may use, in ID order.
pub async fn mailboxes_of(db: &Db, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT mailbox_id FROM user_mailboxes WHERE user_id = $1 ORDER BY mailbox_id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
}

/// Adds a one-time token (only its hash).
pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    purpose: &str,
    expires_at: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO one_time_tokens (token_hash, user_id, purpose, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose)
    .bind(expires_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A token as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub user_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn token(db: &Db, token_hash: &str, purpose: &str) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as::<Any, TokenRow>(
        "SELECT user_id, expires_at, used_at FROM one_time_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(&db.pool)
    .await
}

/// Marks a token used, if it is still unused and unexpired; `false` when another request used it
/// first (or it ran out), so a token works exactly once.
pub async fn use_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE one_time_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every unused token of a purpose for an account (a new link replaces the old ones).
pub async fn retire_tokens(
    conn: &mut AnyConnection,
    user_id: &str,
    purpose: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "UPDATE one_time_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores what activation chose: the PIN hash, the second factor (with its sealed key for an
/// app, and the step of the code that confirmed it), and makes the account active.
pub async fn activate(
    conn: &mut AnyConnection,
    user_id: &str,
    pin_hash: &str,
    second_factor: &str,
    totp_secret: Option<&str>,
    totp_last_step: Option<i64>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE users SET pin_hash = $1, second_factor = $2, totp_secret = $3, \
         totp_last_step = $4, status = 'active', failed_attempts = 0, locked_until = NULL, \
         updated_at = $5 WHERE user_id = $6 AND status IN ('invited', 'active')",
    )
    .bind(pin_hash)
    .bind(second_factor)
    .bind(totp_secret)
    .bind(totp_last_step)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the step of an accepted authenticator code, if it is later than the last one
/// accepted; `false` when it is not (the code was used already, perhaps by a request racing this
/// one).
pub async fn accept_totp_step(db: &Db, user_id: &str, step: i64, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE users SET totp_last_step = $1, updated_at = $2 \
         WHERE user_id = $3 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(now)
    .bind(user_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The hashes of an account's tokens of a purpose that are unused and unexpired.
pub async fn live_tokens(
    db: &Db,
    user_id: &str,
    purpose: &str,
    now: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT token_hash FROM one_time_tokens WHERE user_id = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(now)
    .fetch_all(&db.pool)
    .await
}

/// Counts one more failed attempt; returns the count.
pub async fn count_failure(conn: &mut AnyConnection, user_id: &str, now: i64) -> sqlx::Result<i32> {
    sqlx::query_scalar::<Any, i32>(
        "UPDATE users SET failed_attempts = failed_attempts + 1, updated_at = $1 \
         WHERE user_id = $2 RETURNING failed_attempts",
    )
    .bind(now)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// Locks an account until a time, starting its count of failures afresh.
pub async fn lock(conn: &mut AnyConnection, user_id: &str, until: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "UPDATE users SET failed_attempts = 0, locked_until = $1 WHERE user_id = $2",
    )
    .bind(until)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failed attempts after a successful sign-in.
pub async fn reset_failures(conn: &mut AnyConnection, user_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE users SET failed_attempts = 0, updated_at = $1 WHERE user_id = $2")
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Accounts whose name or email contains `search` (any case), by name; at most `limit`.
pub async fn search(
    conn: &mut AnyConnection,
    search: &str,
    limit: i64,
) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as::<Any, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE LOWER(name) LIKE $1 ESCAPE '\\' \
         OR LOWER(email) LIKE $1 ESCAPE '\\' ORDER BY name, email LIMIT $2"
    ))
    .bind(super::contains_pattern(search))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Sets an account's status (`active` or `disabled`; never back to `invited`).
pub async fn set_status(
    conn: &mut AnyConnection,
    user_id: &str,
    status: UserStatus,
    now: i64,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query::<Any>("UPDATE users SET status = $1, updated_at = $2 WHERE user_id = $3")
            .bind(status)
            .bind(now)
            .bind(user_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a lock (after failures, or set by the service desk) and forgets the failures.
pub async fn unlock(conn: &mut AnyConnection, user_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "UPDATE users SET locked_until = NULL, failed_attempts = 0, updated_at = $1 WHERE user_id = $2",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Forgets the PIN and second factor, so that the account is set up again from a new link.
pub async fn forget_set_up(conn: &mut AnyConnection, user_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "UPDATE users SET status = 'invited', pin_hash = NULL, second_factor = NULL, \
         totp_secret = NULL, totp_last_step = NULL, failed_attempts = 0, locked_until = NULL, \
         updated_at = $1 WHERE user_id = $2",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Unlinks every mailbox from an account (before linking its new set).
pub async fn unlink_mailboxes(conn: &mut AnyConnection, user_id: &str) -> sqlx::Result<()> {
    sqlx::query::<Any>("DELETE FROM user_mailboxes WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await
        .map(drop)
}
