//! Who is signed in, kept in the browser's server-side session: the half-way state between the
//! PIN and the passcode, then the signed-in state with its times and access route. A signed-in
//! session ends after 30 minutes without use or 12 hours after sign-in (both configurable), and
//! at once if the access route changes (a laptop moved from HSCN to the internet signs in again).

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use model::accounts::{Role, SecondFactor};
use model::common::AccessRoute;

const SIGNED_IN: &str = "auth.signed_in";
const CARE_IDENTITY: &str = "auth.cis2";
const PIN_ACCEPTED: &str = "auth.pin_accepted";

/// How long a half-way sign-in (PIN given, passcode not yet) lasts.
pub const PIN_STEP_SECONDS: i64 = 10 * 60;

/// Session times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_seconds: i64,
    pub max_seconds: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_seconds: 30 * 60,
            max_seconds: 12 * 3600,
        }
    }
}

/// A signed-in person, as the session holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: String,
    pub role: Role,
    pub route: AccessRoute,
    pub signed_in_at: i64,
    pub last_seen: i64,
}

/// A PIN accepted, waiting for the passcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStep {
    pub user_id: String,
    pub second_factor: SecondFactor,
    pub route: AccessRoute,
    pub at: i64,
}

/// What the session says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    SignedIn(SignedIn),
    /// Was signed in, but the session ran out (idle or too old): "sign in again".
    Expired,
    /// Was signed in over another access route.
    RouteChanged,
}

/// A session that began with a Care Identity login: whom the issuer vouched for, its session
/// there, and the ID token (the hint when logging out there too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareSession {
    pub sub: String,
    pub sid: Option<String>,
    pub id_token: String,
}

/// Notes, after [`start`], that this session came from a Care Identity login.
pub async fn remember_care_identity(
    session: &Session,
    care: &CareSession,
) -> Result<(), SessionError> {
    session.insert(CARE_IDENTITY, care).await.map_err(failed)
}

/// The Care Identity login this session came from, if it did.
pub async fn care_identity(session: &Session) -> Result<Option<CareSession>, SessionError> {
    session.get(CARE_IDENTITY).await.map_err(failed)
}

/// The session could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the session store failed: {0}")]
pub struct SessionError(String);

fn failed(error: tower_sessions::session::Error) -> SessionError {
    SessionError(error.to_string())
}

/// Remembers an accepted PIN for the passcode step.
pub async fn remember_pin_step(session: &Session, step: &PinStep) -> Result<(), SessionError> {
    session.insert(PIN_ACCEPTED, step).await.map_err(failed)
}

/// The accepted PIN, if recent and from the same route.
pub async fn pin_step(
    session: &Session,
    route: AccessRoute,
    now: i64,
) -> Result<Option<PinStep>, SessionError> {
    let step: Option<PinStep> = session.get(PIN_ACCEPTED).await.map_err(failed)?;
    Ok(step.filter(|s| s.route == route && now - s.at < PIN_STEP_SECONDS))
}

/// Signs the person in: a new session ID (so an ID seen before sign-in is worth nothing after),
/// the half-way state dropped, the signed-in state stored.
pub async fn start(
    session: &Session,
    user_id: &str,
    role: Role,
    route: AccessRoute,
    now: i64,
) -> Result<SignedIn, SessionError> {
    session.cycle_id().await.map_err(failed)?;
    session.remove_value(PIN_ACCEPTED).await.map_err(failed)?;
    let signed_in = SignedIn {
        user_id: user_id.to_owned(),
        role,
        route,
        signed_in_at: now,
        last_seen: now,
    };
    session
        .insert(SIGNED_IN, &signed_in)
        .await
        .map_err(failed)?;
    Ok(signed_in)
}

/// Who is signed in, applying the session rules: an idle, too old or re-routed sign-in is
/// removed and reported as such; a good one has its last use moved to now.
pub async fn current(
    session: &Session,
    policy: SessionPolicy,
    route: AccessRoute,
    now: i64,
) -> Result<Who, SessionError> {
    let who = peek(session, policy, route, now).await?;
    match &who {
        Who::Anonymous => {}
        Who::SignedIn(signed_in) => {
            let touched = SignedIn {
                last_seen: now,
                ..signed_in.clone()
            };
            session.insert(SIGNED_IN, &touched).await.map_err(failed)?;
            return Ok(Who::SignedIn(touched));
        }
        Who::Expired | Who::RouteChanged => {
            session.remove_value(SIGNED_IN).await.map_err(failed)?;
        }
    }
    Ok(who)
}

/// Who is signed in, without counting this as use or ending anything: for the page header, so
/// that the page itself still learns why a sign-in ended.
pub async fn peek(
    session: &Session,
    policy: SessionPolicy,
    route: AccessRoute,
    now: i64,
) -> Result<Who, SessionError> {
    let Some(signed_in) = session.get::<SignedIn>(SIGNED_IN).await.map_err(failed)? else {
        return Ok(Who::Anonymous);
    };
    Ok(
        if now - signed_in.last_seen >= policy.idle_seconds
            || now - signed_in.signed_in_at >= policy.max_seconds
        {
            Who::Expired
        } else if signed_in.route != route {
            Who::RouteChanged
        } else {
            Who::SignedIn(signed_in)
        },
    )
}

/// Signs out: the whole session is deleted from the store and the cookie cleared.
pub async fn end(session: &Session) -> Result<(), SessionError> {
    session.flush().await.map_err(failed)
}
