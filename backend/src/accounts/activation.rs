//! First-time set-up from the one-time link: the person creates a PIN and chooses a second
//! factor (an authenticator app, confirmed with a current code; or emailed codes where the access
//! route allows them). The link works once, for 72 hours; using it and activating the account
//! happen in one transaction, so two tabs racing end with one set-up.

use super::totp::TotpSecret;
use super::{ACTIVATION, repo};
use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::{SecretKey, hash_pin, hash_token};
use crate::db::Db;
use model::accounts::{Pin, SecondFactor, UserStatus};
use model::common::AccessRoute;

/// Why a set-up link does not work. Each has its own message: a link's token is 256 random bits,
/// so telling "used" from "expired" gives nothing away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("This set-up link is not valid. Check it is the whole link from your email.")]
    Unknown,
    #[error("This set-up link has expired. Ask the service desk for a new one.")]
    Expired,
    #[error(
        "This set-up link has already been used. Sign in, or ask the service desk for a new link."
    )]
    Used,
    #[error("This account has been disabled. Contact the service desk.")]
    Disabled,
}

/// Whom a working link sets up.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// Checks a link without using it.
pub async fn invitation(db: &Db, token: &str, now: i64) -> Result<Invitation, SetUpError> {
    let row = repo::token(db, &hash_token(token), ACTIVATION)
        .await?
        .ok_or(LinkError::Unknown)?;
    if row.used_at.is_some() {
        return Err(LinkError::Used.into());
    }
    if row.expires_at <= now {
        return Err(LinkError::Expired.into());
    }
    let user = repo::by_id(db, &row.user_id)
        .await?
        .ok_or(LinkError::Unknown)?;
    if user.status == UserStatus::Disabled {
        return Err(LinkError::Disabled.into());
    }
    Ok(Invitation {
        user_id: user.user_id,
        name: user.name,
        email: user.email,
    })
}

/// The second factor chosen at set-up. Its `Debug` shows neither key nor code.
pub enum FactorChoice {
    /// The app's key (shown on the page) and the code the person read from the app.
    App {
        secret: TotpSecret,
        code: String,
    },
    Email,
}

/// Why set-up did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SetUpError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("The security code is not right. Enter the 6-digit code the app shows now")]
    WrongCode,
    #[error("Security codes by email are only available over HSCN. Use an authenticator app")]
    EmailNotAllowed,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl std::fmt::Debug for FactorChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::App { .. } => "App(redacted)",
            Self::Email => "Email",
        })
    }
}

/// What the person gave on the set-up pages. Its `Debug` shows no token, PIN or code.
pub struct SetUp<'a> {
    pub token: &'a str,
    pub pin: &'a Pin,
    pub choice: FactorChoice,
    /// The route the request came by: emailed codes are refused over the internet.
    pub route: AccessRoute,
}

impl std::fmt::Debug for SetUp<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetUp")
            .field("token", &"redacted")
            .field("pin", self.pin)
            .field("choice", &self.choice)
            .field("route", &self.route)
            .finish()
    }
}

/// Finishes set-up: checks the link again, the route's rule on emailed codes and the app's code,
/// then stores the PIN hash and the factor (the app's key sealed), uses the link and audits it.
pub async fn complete(
    db: &Db,
    key: &SecretKey,
    set_up: SetUp<'_>,
    actor: &Actor,
    now: i64,
) -> Result<String, SetUpError> {
    let SetUp {
        token,
        pin,
        choice,
        route,
    } = set_up;
    let invitation = invitation(db, token, now).await?;
    let (factor, sealed, step) = match &choice {
        FactorChoice::Email if route == AccessRoute::Internet => {
            return Err(SetUpError::EmailNotAllowed);
        }
        FactorChoice::Email => (SecondFactor::Email, None, None),
        FactorChoice::App { secret, code } => {
            let step = secret
                .verify(code, now, None)
                .ok_or(SetUpError::WrongCode)?;
            (
                SecondFactor::Totp,
                Some(key.seal(secret.bytes())),
                Some(step),
            )
        }
    };
    let pin_hash = hash_pin(pin).await;

    let mut tx = db.begin().await?;
    if !repo::use_token(&mut tx, &hash_token(token), ACTIVATION, now).await? {
        return Err(LinkError::Used.into());
    }
    let activated = repo::activate(
        &mut tx,
        &invitation.user_id,
        &pin_hash,
        factor.as_str(),
        sealed.as_deref(),
        step,
        now,
    )
    .await?;
    if !activated {
        return Err(LinkError::Disabled.into());
    }
    audit::record(
        &mut tx,
        actor,
        Event {
            action: "user.activate",
            subject: format!("user:{}", invitation.user_id),
            outcome: Outcome::Success,
            detail: format!("second factor {}", factor.as_str()),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user.id = %invitation.user_id, "account activated");
    Ok(invitation.user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_no_token_pin_key_or_code() {
        let pin = Pin::parse("482913").unwrap();
        let secret = TotpSecret::generate();
        let key = secret.grouped_base32().replace(' ', "");
        let set_up = SetUp {
            token: "the-secret-token",
            pin: &pin,
            choice: FactorChoice::App {
                secret,
                code: "654321".into(),
            },
            route: AccessRoute::Hscn,
        };
        let created = super::super::Created {
            user_id: "usr_1".into(),
            email: "a@nhs.net".into(),
            activation_token: "the-secret-token".into(),
        };
        for debug in [format!("{set_up:?}"), format!("{created:?}")] {
            assert!(debug.contains("redacted"), "{debug}");
            for secret in ["the-secret-token", "482913", "654321", key.as_str()] {
                assert!(!debug.contains(secret), "{secret} in {debug}");
            }
        }
    }
}
