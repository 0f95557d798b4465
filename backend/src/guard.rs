//! Authorisation in one place: every protected page, server function and route asks [`require`]
//! for what it needs (any signed-in person, the service desk, or membership of one mailbox) and
//! gets the signed-in person or the refusal to show. Refusals are audited.

use tower_sessions::Session;

use crate::AppState;
use crate::accounts::session::{self, Who};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::users as repo;
use crate::network::ClientInfo;
use model::accounts::sign_in::home_path;
use model::accounts::{Role, UserStatus};
use model::error::AppError;

/// What a page or action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need<'a> {
    /// Anyone signed in.
    SignedIn,
    /// The service desk's work: `service_desk` or `admin`.
    ServiceDesk,
    /// The mailbox's own pages: a person linked to it.
    Mailbox(&'a str),
}

/// The signed-in person making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub mailboxes: Vec<String>,
    pub client: ClientInfo,
}

impl CurrentUser {
    /// The audit log's actor for what this person does.
    pub fn actor(&self) -> Actor {
        Actor::client(&self.user_id, &self.client)
    }

    pub fn home(&self) -> String {
        home_path(self.role, &self.mailboxes)
    }
}

/// The words for someone who must sign in.
pub const SIGN_IN_FIRST: &str = "You need to sign in to see this page.";
const SIGNED_OUT_IDLE: &str = "You have been signed out because you were not active for a while, or your session ran out. \
     Sign in again.";
const LOGGED_OUT_AT_ISSUER: &str =
    "You have been signed out because you logged out of your Care Identity. Sign in again.";
const SIGNED_OUT_ROUTE: &str =
    "You have been signed out because your network changed (HSCN or internet). Sign in again.";

/// The signed-in person, if there is one and their account still works. A session whose time
/// ran out, or that moved to another route, is ended.
pub async fn signed_in(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
) -> Result<Result<CurrentUser, AppError>, AppError> {
    let now = state.clock.now();
    let who = session::current(session, state.session_policy, client.route, now)
        .await
        .map_err(|error| {
            tracing::error!(%error, "session");
            AppError::Unavailable
        })?;
    let signed_in = match who {
        Who::SignedIn(signed_in) => signed_in,
        Who::Anonymous => return Ok(Err(AppError::SignInRequired(SIGN_IN_FIRST.into()))),
        Who::Expired => return Ok(Err(AppError::SignInRequired(SIGNED_OUT_IDLE.into()))),
        Who::RouteChanged => return Ok(Err(AppError::SignInRequired(SIGNED_OUT_ROUTE.into()))),
    };
    if let Some(care) = session::care_identity(session).await.ok().flatten()
        && repo::logged_out_of_care_identity(
            &state.db,
            &care.sub,
            care.sid.as_deref(),
            signed_in.signed_in_at,
        )
        .await?
    {
        let _ = session::end(session).await;
        return Ok(Err(AppError::SignInRequired(LOGGED_OUT_AT_ISSUER.into())));
    }
    let user = repo::by_id(&state.db, &signed_in.user_id).await?;
    let Some(user) = user.filter(|u| u.status == UserStatus::Active) else {
        // Disabled (or removed) since signing in: the session goes too.
        let _ = session::end(session).await;
        return Ok(Err(AppError::SignInRequired(SIGN_IN_FIRST.into())));
    };
    let mailboxes = repo::mailboxes_of(&state.db, &user.user_id).await?;
    Ok(Ok(CurrentUser {
        role: user.role,
        user_id: user.user_id,
        name: user.name,
        mailboxes,
        client,
    }))
}

/// The signed-in person if they may have what they need; otherwise the refusal (401 for nobody
/// signed in, 403 for a role that may not, 404 for a mailbox that is not theirs, so that which
/// mailboxes exist does not leak), audited with what was asked for.
pub async fn require(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    need: Need<'_>,
    what: &str,
) -> Result<CurrentUser, AppError> {
    let user = signed_in(state, session, client).await?;
    let refusal = match (&user, need) {
        (Err(error), _) => Some(("anonymous".to_owned(), error.clone())),
        (Ok(_), Need::SignedIn) => None,
        (Ok(user), Need::ServiceDesk) if user.role.is_staff() => None,
        (Ok(user), Need::ServiceDesk) => Some((
            user.user_id.clone(),
            AppError::Forbidden("This page is for the service desk.".into()),
        )),
        (Ok(user), Need::Mailbox(id)) if user.mailboxes.iter().any(|m| m == id) => None,
        (Ok(user), Need::Mailbox(_)) => Some((
            user.user_id.clone(),
            AppError::NotFound("Page not found. Check the Mailbox ID.".into()),
        )),
    };
    let Some((actor_id, error)) = refusal else {
        return user;
    };
    let mut conn = state.db.pool.acquire().await?;
    audit::record(
        &mut conn,
        &Actor::client(&actor_id, &client),
        Event {
            action: "access",
            subject: what.to_owned(),
            outcome: Outcome::Denied,
            detail: format!("{} ({})", error.status_code().as_u16(), need_words(need)),
        },
        state.clock.now(),
    )
    .await?;
    tracing::info!(
        access.subject = what,
        access.status = error.status_code().as_u16(),
        "access refused"
    );
    Err(error)
}

fn need_words(need: Need<'_>) -> String {
    match need {
        Need::SignedIn => "needs sign-in".to_owned(),
        Need::ServiceDesk => "needs service desk".to_owned(),
        Need::Mailbox(id) => format!("needs mailbox {id}"),
    }
}
