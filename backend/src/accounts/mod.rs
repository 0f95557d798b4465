//! Accounts: creating them, the one-time set-up link, and (in `sign_in`) signing in. Secrets are
//! handled in [`crate::crypto`]; the audit log is [`crate::audit`]; who may do what is [`crate::guard`].

pub mod activation;
pub mod care_identity;
pub mod care_sign_in;
pub mod pages;
pub mod rate_limit;
pub mod session;
pub mod sign_in;
pub mod totp;

use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::{hash_token, random_token};
use crate::db::Db;
use crate::db::users::{self as repo, NewUser};
use model::accounts::{NhsEmail, Role, SmartcardNumber};

/// How long a set-up link works.
pub const ACTIVATION_LIFETIME_SECONDS: i64 = 72 * 3600;
/// The purpose of set-up tokens in `one_time_tokens`.
pub const ACTIVATION: &str = "activation";

/// What creating an account needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub mailboxes: Vec<String>,
    pub smartcard_number: Option<String>,
}

/// Why an account cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("{0}")]
    Email(String),
    #[error("enter the person's name (up to 100 characters)")]
    Name,
    #[error("{0}")]
    Smartcard(String),
    #[error("an account with the email address {0} already exists")]
    Exists(String),
    #[error("the mailbox {0} is not in the register")]
    UnknownMailbox(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A created account and its set-up link's token (shown once, stored only as a hash).
pub struct Created {
    pub user_id: String,
    pub email: String,
    pub activation_token: String,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created")
            .field("user_id", &self.user_id)
            .field("email", &self.email)
            .field("activation_token", &"redacted")
            .finish()
    }
}

/// Creates an invited account with its mailboxes and a set-up link, in one transaction, and
/// audits it.
pub async fn create_user(
    db: &Db,
    account: NewAccount,
    actor: &Actor,
    now: i64,
) -> Result<Created, CreateUserError> {
    let mut tx = db.begin().await?;
    let created = create_user_in(&mut tx, account, actor, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create_user`] inside the caller's transaction (approving an account application creates
/// the account with the decision, or neither).
pub async fn create_user_in(
    tx: &mut sqlx::AnyConnection,
    account: NewAccount,
    actor: &Actor,
    now: i64,
) -> Result<Created, CreateUserError> {
    let email =
        NhsEmail::parse(&account.email).map_err(|e| CreateUserError::Email(e.to_string()))?;
    let name = account.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(CreateUserError::Name);
    }
    let smartcard = account
        .smartcard_number
        .as_deref()
        .map(SmartcardNumber::parse)
        .transpose()
        .map_err(|e| CreateUserError::Smartcard(e.to_string()))?;
    let user_id = new_user_id();

    let inserted = repo::insert(
        &mut *tx,
        &NewUser {
            user_id: &user_id,
            email: email.as_str(),
            name: &name,
            role: account.role,
            smartcard_number: smartcard.as_ref().map(|s| s.as_str()),
        },
        now,
    )
    .await?;
    if !inserted {
        return Err(CreateUserError::Exists(email.to_string()));
    }
    for mailbox in &account.mailboxes {
        let mailbox = mailbox.trim().to_ascii_uppercase();
        let known = crate::db::mailboxes::mailbox_info(&mut *tx, &mailbox).await?;
        if known.is_none() {
            return Err(CreateUserError::UnknownMailbox(mailbox));
        }
        repo::link_mailbox(&mut *tx, &user_id, &mailbox).await?;
    }
    let token = issue_activation_token(tx, &user_id, now).await?;
    audit::record(
        &mut *tx,
        actor,
        Event {
            action: "user.create",
            subject: format!("user:{user_id}"),
            outcome: Outcome::Success,
            detail: format!("role {}", account.role.as_str()),
        },
        now,
    )
    .await?;
    tracing::info!(user.id = %user_id, user.role = account.role.as_str(), "account created");
    Ok(Created {
        user_id,
        email: email.to_string(),
        activation_token: token,
    })
}

/// A new account ID: `usr_` and 26 random characters of an unambiguous alphabet.
fn new_user_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..26)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("usr_{tail}")
}

/// Issues a set-up link's token for an account, in the caller's transaction; earlier unused
/// links of the account stop working. The token is returned to be sent once; only its hash is
/// stored.
pub async fn issue_activation_token(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    now: i64,
) -> sqlx::Result<String> {
    repo::retire_tokens(&mut *conn, user_id, ACTIVATION, now).await?;
    let token = random_token();
    repo::insert_token(
        conn,
        &hash_token(&token),
        user_id,
        ACTIVATION,
        now + ACTIVATION_LIFETIME_SECONDS,
        now,
    )
    .await?;
    Ok(token)
}

/// A set-up link as emails carry it.
pub fn activation_link(base_url: &str, token: &str) -> String {
    format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        activation_path(token)
    )
}

/// The path of a set-up link.
pub fn activation_path(token: &str) -> String {
    format!("/activate/{token}")
}
