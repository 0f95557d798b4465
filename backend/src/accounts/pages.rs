//! The steps behind the sign-in, set-up and sign-out pages: each takes a posted form (with or
//! without JavaScript, the same code), applies the rate limits, calls the account services and
//! says which page comes next; and what each page shows.
//!
//! Nothing secret is kept in the clear between steps: an accepted PIN is remembered as "this
//! account passed its PIN on this route at this time", and the set-up's PIN and new app key wait
//! for the app's code sealed with the service's key.

use crate::session_failed;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::activation::{self, FactorChoice, LinkError, SetUp, SetUpError};
use super::care_identity::{PendingLogin, Returned};
use super::care_sign_in::{CareRefusal, with_care_identity};
use super::rate_limit::{self, ACTIVATION_PER_ADDRESS, HitError, Limit};
use super::repo;
use super::session::{self, PinStep};
use super::sign_in::{self, SignInError};
use super::totp::TotpSecret;
use crate::AppState;
use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::hash_token;
use crate::form_route::FormRoute;
use crate::guard;
use crate::network::ClientInfo;
use model::accounts::sign_in::{
    AppStepView, CodeForm, CodeStep, METHOD_CARE_IDENTITY, MethodForm, PinForm, RESEND_CODE,
    SetUpForm, SetUpView, SignInOptions, UserSummary, Visitor, home_path, mask_email, paths,
};
use model::accounts::{Pin, SecondFactor};
use model::common::AccessRoute;
use model::error::AppError;
use model::forms::{FieldError, FormDto, FormValues};

/// The service's name in authenticator apps.
const APP_ISSUER: &str = "NHS MESH portal";
/// The session key of a set-up waiting for the app's first code.
const PENDING_SET_UP: &str = "auth.pending_set_up";
/// The session key of a login sent to Care Identity, until it comes back (once).
const CARE_IDENTITY_LOGIN: &str = "auth.cis2_pending";

/// The forms of the sign-in, set-up and sign-out pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountForm {
    /// How to sign in (PIN and code, or smartcard).
    Method,
    Pin,
    Code,
    SignOut,
    /// A set-up link's page: the new PIN and second factor.
    SetUp {
        token: String,
    },
    /// A set-up's authenticator app, confirmed with its first code.
    ConfirmApp {
        token: String,
    },
}

impl AccountForm {
    pub const ROUTES: &[FormRoute<Self>] = &[
        FormRoute {
            template: paths::METHOD,
            make: |_| Self::Method,
        },
        FormRoute {
            template: paths::PIN,
            make: |_| Self::Pin,
        },
        FormRoute {
            template: paths::CODE,
            make: |_| Self::Code,
        },
        FormRoute {
            template: paths::SIGN_OUT,
            make: |_| Self::SignOut,
        },
        FormRoute {
            template: "/activate/{token}",
            make: |found| Self::SetUp {
                token: found[0].to_owned(),
            },
        },
        FormRoute {
            template: "/activate/{token}/app",
            make: |found| Self::ConfirmApp {
                token: found[0].to_owned(),
            },
        },
    ];
}

/// Takes one of these pages' forms; returns where to go next.
pub async fn submit(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    form: AccountForm,
    values: &FormValues,
) -> Result<String, AppError> {
    match form {
        AccountForm::Method => choose_method(state, session, client, values).await,
        AccountForm::Pin => give_pin(state, session, client, values).await,
        AccountForm::Code => give_code(state, session, client, values).await,
        AccountForm::SignOut => sign_out(state, session, client).await,
        AccountForm::SetUp { token } => set_up(state, session, client, &token, values).await,
        AccountForm::ConfirmApp { token } => {
            confirm_app(state, session, client, &token, values).await
        }
    }
}

/// The signed-in person and the route, for the page header. Reads the session without counting
/// it as use.
pub async fn visitor(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
) -> Result<Visitor, AppError> {
    let now = state.clock.now();
    let who = session::peek(session, state.session_policy, client.route, now)
        .await
        .map_err(session_failed)?;
    let user = match who {
        session::Who::SignedIn(signed_in) => {
            let row = repo::by_id(&state.db, &signed_in.user_id).await?;
            let mailboxes = repo::mailboxes_of(&state.db, &signed_in.user_id).await?;
            row.map(|row| UserSummary {
                name: row.name,
                role: signed_in.role,
                home: home_path(signed_in.role, &mailboxes),
            })
        }
        _ => None,
    };
    Ok(Visitor {
        route: client.route,
        user,
    })
}

/// What the login method page offers on this route.
pub fn sign_in_options(state: &AppState, client: ClientInfo) -> SignInOptions {
    SignInOptions {
        route: client.route,
        care_identity: state.config.care_identity.is_some(),
    }
}

/// What the security code page asks for.
pub async fn code_step(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
) -> Result<CodeStep, AppError> {
    let Some(step) = pin_step(state, session, client).await? else {
        return Ok(CodeStep::Missing);
    };
    Ok(match step.second_factor {
        SecondFactor::Totp => CodeStep::App,
        SecondFactor::Email => {
            let email = repo::by_id(&state.db, &step.user_id)
                .await?
                .map(|u| u.email)
                .unwrap_or_default();
            CodeStep::Email {
                sent_to: mask_email(&email),
            }
        }
    })
}

/// What the first set-up page shows for a link.
pub async fn set_up_view(
    state: &AppState,
    client: ClientInfo,
    token: &str,
) -> Result<SetUpView, AppError> {
    let invitation = activation::invitation(&state.db, token, state.clock.now())
        .await
        .map_err(set_up_error)?;
    Ok(SetUpView {
        name: invitation.name,
        email: invitation.email,
        email_codes_allowed: client.route == AccessRoute::Hscn,
        route: client.route,
    })
}

/// What the app step shows: the QR code and key kept for this link in this session, or `None`
/// when the first step has not been done here.
pub async fn app_step_view(
    state: &AppState,
    session: &Session,
    token: &str,
) -> Result<Option<AppStepView>, AppError> {
    let invitation = activation::invitation(&state.db, token, state.clock.now())
        .await
        .map_err(set_up_error)?;
    let Some((_, secret)) = pending_set_up(state, session, token).await? else {
        return Ok(None);
    };
    let uri = secret.provisioning_uri(APP_ISSUER, &invitation.email);
    Ok(Some(AppStepView {
        name: invitation.name,
        qr_svg: qr_svg(&uri)?,
        key_groups: secret.grouped_base32(),
    }))
}

/// The authenticator app's address as a QR code, drawn as SVG (no script, no image request).
fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|error| {
        tracing::error!(%error, "could not draw the QR code");
        AppError::Internal
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(232, 232)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration: the SVG goes inside the page.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

async fn choose_method(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    values: &FormValues,
) -> Result<String, AppError> {
    let form = MethodForm::check(values).map_err(AppError::Form)?;
    if form.method != METHOD_CARE_IDENTITY {
        return Ok(paths::PIN.to_owned());
    }
    let care_identity = state.config.care_identity.as_ref().ok_or_else(|| {
        AppError::invalid(
            "method",
            "This service does not take Care Identity logins. Log in with your PIN and \
             security code",
        )
    })?;
    let (url, pending) = care_identity
        .start(client.route, state.clock.now())
        .await
        .map_err(|failure| AppError::invalid("method", failure.to_string()))?;
    session
        .insert(CARE_IDENTITY_LOGIN, &pending)
        .await
        .map_err(session_failed)?;
    Ok(url)
}

/// The person back from Care Identity: the login this browser started (used once), checked
/// and matched to an account that may sign in on this route; returns their first page.
pub async fn finish_care_identity(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    returned: &Returned,
) -> Result<String, AppError> {
    let care_identity = state.config.care_identity.as_ref().ok_or_else(|| {
        AppError::NotFound("This service does not take Care Identity logins".into())
    })?;
    let pending: Option<PendingLogin> = session
        .remove(CARE_IDENTITY_LOGIN)
        .await
        .map_err(session_failed)?;
    let now = state.clock.now();
    let actor = Actor::client("anonymous", &client);
    let identity = match care_identity.finish(pending, returned, now).await {
        Ok(identity) => identity,
        Err(failure) => {
            let mut conn = state.db.pool.acquire().await?;
            audit::record(
                &mut conn,
                &actor,
                Event {
                    action: "sign_in.cis2",
                    subject: "cis2:unknown".to_owned(),
                    outcome: Outcome::Failure,
                    detail: format!("route {}; {failure:?}", client.route.as_str()),
                },
                now,
            )
            .await?;
            return Err(AppError::invalid("maincontent", failure.to_string()));
        }
    };
    let signed_in = with_care_identity(&state.db, &identity, client.route, &actor, now)
        .await
        .map_err(|refusal| match refusal {
            CareRefusal::Database(error) => error.into(),
            other => AppError::Forbidden(other.to_string()),
        })?;
    session::start(
        session,
        &signed_in.user_id,
        signed_in.role,
        client.route,
        now,
    )
    .await
    .map_err(session_failed)?;
    let care = session::CareSession {
        sub: identity.sub.clone(),
        sid: identity.sid.clone(),
        id_token: identity.id_token.clone(),
    };
    session::remember_care_identity(session, &care)
        .await
        .map_err(session_failed)?;
    Ok(home_path(signed_in.role, &signed_in.mailboxes))
}

async fn give_pin(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    values: &FormValues,
) -> Result<String, AppError> {
    let form = PinForm::check(values).map_err(AppError::Form)?;
    let now = state.clock.now();
    let email = form.email.to_lowercase();
    limit(
        state,
        &format!("sign_in:addr:{}", client.addr),
        rate_limit::SIGN_IN_PER_ADDRESS,
    )
    .await?;
    limit(
        state,
        &format!("sign_in:account:{email}"),
        rate_limit::SIGN_IN_PER_ACCOUNT,
    )
    .await?;
    let actor = Actor::client("anonymous", &client);
    let accepted = sign_in::check_pin(&state.db, state.lock_policy, &email, &form.pin, &actor, now)
        .await
        .map_err(|e| sign_in_error(e, "pin"))?;
    if state.config.care_identity.is_some() && !accepted.local {
        return Err(AppError::Form(vec![FieldError::new(
            "pin",
            "Your account logs in with your Care Identity, not a PIN. Go back and choose \
             \"Care Identity\"",
        )]));
    }
    if accepted.second_factor == SecondFactor::Email && client.route == AccessRoute::Internet {
        return Err(AppError::Form(vec![FieldError::new(
            "pin",
            "Your account gets security codes by email, which only works over HSCN. Log in \
             from HSCN, or ask the service desk to move your account to an authenticator app",
        )]));
    }
    session::remember_pin_step(
        session,
        &PinStep {
            user_id: accepted.user_id.clone(),
            second_factor: accepted.second_factor,
            route: client.route,
            at: now,
        },
    )
    .await
    .map_err(session_failed)?;
    if accepted.second_factor == SecondFactor::Email {
        sign_in::send_email_code(&state.db, &state.mailer, &accepted.user_id, now)
            .await
            .map_err(|e| sign_in_error(e, "pin"))?;
    }
    Ok(paths::CODE.to_owned())
}

async fn give_code(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    values: &FormValues,
) -> Result<String, AppError> {
    let step = pin_step(state, session, client).await?.ok_or_else(|| {
        AppError::Form(vec![FieldError::new(
            paths::PIN,
            "Your login timed out. Enter your email address and PIN again",
        )])
    })?;
    let now = state.clock.now();
    let account_key = format!("sign_in:account:{}", step.user_id);
    if !values.get(RESEND_CODE).is_empty() {
        limit(state, &activation_key(client), ACTIVATION_PER_ADDRESS).await?;
        limit(state, &account_key, rate_limit::SIGN_IN_PER_ACCOUNT).await?;
        if step.second_factor == SecondFactor::Email {
            sign_in::send_email_code(&state.db, &state.mailer, &step.user_id, now)
                .await
                .map_err(|e| sign_in_error(e, "code"))?;
        }
        return Ok(paths::CODE.to_owned());
    }
    let form = CodeForm::check(values).map_err(AppError::Form)?;
    limit(
        state,
        &format!("sign_in:addr:{}", client.addr),
        rate_limit::SIGN_IN_PER_ADDRESS,
    )
    .await?;
    limit(state, &account_key, rate_limit::SIGN_IN_PER_ACCOUNT).await?;
    let actor = Actor::client("anonymous", &client);
    let checked = match step.second_factor {
        SecondFactor::Totp => {
            sign_in::check_app_code(
                &state.db,
                &state.secret_key,
                state.lock_policy,
                &step.user_id,
                &form.code,
                &actor,
                now,
            )
            .await
        }
        SecondFactor::Email => {
            sign_in::check_email_code(
                &state.db,
                state.lock_policy,
                &step.user_id,
                &form.code,
                &actor,
                now,
            )
            .await
        }
    };
    checked.map_err(|e| sign_in_error(e, "code"))?;
    let user = repo::by_id(&state.db, &step.user_id)
        .await?
        .ok_or_else(|| {
            AppError::Form(vec![FieldError::new(
                paths::PIN,
                SignInError::WrongPin.to_string(),
            )])
        })?;
    let role = user.role;
    let mailboxes = repo::mailboxes_of(&state.db, &user.user_id).await?;
    session::start(session, &user.user_id, role, client.route, now)
        .await
        .map_err(session_failed)?;
    tracing::info!(user.id = %user.user_id, access.route = client.route.as_str(), "signed in");
    Ok(home_path(role, &mailboxes))
}

async fn sign_out(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
) -> Result<String, AppError> {
    let id_token = session::care_identity(session)
        .await
        .map_err(session_failed)?
        .map(|care| care.id_token);
    if let Ok(user) = guard::signed_in(state, session, client).await? {
        let mut conn = state.db.pool.acquire().await?;
        audit::record(
            &mut conn,
            &user.actor(),
            Event {
                action: "sign_out",
                subject: format!("user:{}", user.user_id),
                outcome: Outcome::Success,
                detail: String::new(),
            },
            state.clock.now(),
        )
        .await?;
        tracing::info!(user.id = %user.user_id, "signed out");
    }
    session::end(session).await.map_err(session_failed)?;
    // Logged in through Care Identity: out of it too, where the issuer offers that.
    if let (Some(care_identity), Some(id_token)) = (&state.config.care_identity, id_token)
        && let Some(url) = care_identity
            .end_session_url(&id_token, state.clock.now())
            .await
    {
        return Ok(url);
    }
    Ok(format!("{}?done=1", paths::SIGN_OUT))
}

/// The set-up's first step: a new PIN and the choice of second factor. Emailed codes finish the
/// set-up here; the app goes on to its QR code.
async fn set_up(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    token: &str,
    values: &FormValues,
) -> Result<String, AppError> {
    limit(state, &activation_key(client), ACTIVATION_PER_ADDRESS).await?;
    let now = state.clock.now();
    activation::invitation(&state.db, token, now)
        .await
        .map_err(set_up_error)?;
    let form = SetUpForm::check(values).map_err(AppError::Form)?;
    let pin = form.pin();
    if form.wants_app() {
        let secret = TotpSecret::generate();
        let pending = PendingSetUp {
            token_hash: hash_token(token),
            pin: state.secret_key.seal(pin.expose().as_bytes()),
            secret: state.secret_key.seal(secret.bytes()),
        };
        session
            .insert(PENDING_SET_UP, &pending)
            .await
            .map_err(session_failed)?;
        return Ok(paths::activate_app(token));
    }
    finish_set_up(state, client, token, &pin, FactorChoice::Email).await
}

/// Stores the PIN and second factor and uses the link (see [`activation::complete`]).
async fn finish_set_up(
    state: &AppState,
    client: ClientInfo,
    token: &str,
    pin: &Pin,
    choice: FactorChoice,
) -> Result<String, AppError> {
    let set_up = SetUp {
        token,
        pin,
        choice,
        route: client.route,
    };
    activation::complete(
        &state.db,
        &state.secret_key,
        set_up,
        &Actor::client("anonymous", &client),
        state.clock.now(),
    )
    .await
    .map_err(set_up_error)?;
    Ok(paths::SET_UP_COMPLETE.to_owned())
}

/// The set-up's app step: the first code from the app proves it holds the key.
async fn confirm_app(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    token: &str,
    values: &FormValues,
) -> Result<String, AppError> {
    limit(state, &activation_key(client), ACTIVATION_PER_ADDRESS).await?;
    let Some((pin, secret)) = pending_set_up(state, session, token).await? else {
        return Err(AppError::Form(vec![FieldError::new(
            paths::activate(token),
            "Your set-up timed out. Create your PIN again",
        )]));
    };
    let form = CodeForm::check(values).map_err(AppError::Form)?;
    let choice = FactorChoice::App {
        secret,
        code: form.code,
    };
    let next = finish_set_up(state, client, token, &pin, choice).await?;
    session
        .remove_value(PENDING_SET_UP)
        .await
        .map_err(session_failed)?;
    Ok(next)
}

/// A set-up waiting for the app's first code: the PIN and app key, sealed with the service's
/// key, for one link.
#[derive(Serialize, Deserialize)]
struct PendingSetUp {
    token_hash: String,
    pin: String,
    secret: String,
}

/// The PIN and app key waiting for `token`'s set-up in this session.
async fn pending_set_up(
    state: &AppState,
    session: &Session,
    token: &str,
) -> Result<Option<(Pin, TotpSecret)>, AppError> {
    let pending: Option<PendingSetUp> =
        session.get(PENDING_SET_UP).await.map_err(session_failed)?;
    let Some(pending) = pending.filter(|p| p.token_hash == hash_token(token)) else {
        return Ok(None);
    };
    let key = &state.secret_key;
    let pin = key
        .open(&pending.pin)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| Pin::parse(&text).ok());
    let secret = key.open(&pending.secret).ok().map(TotpSecret::from_bytes);
    // Sealed with another key (it was changed since): start the set-up again.
    Ok(pin.zip(secret))
}

async fn pin_step(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
) -> Result<Option<PinStep>, AppError> {
    session::pin_step(session, client.route, state.clock.now())
        .await
        .map_err(session_failed)
}

/// The rate limit key of set-up steps and new emailed codes from one address.
fn activation_key(client: ClientInfo) -> String {
    format!("activate:addr:{}", client.addr)
}

/// Counts a hit against a rate limit; over it, the page says how long to wait.
async fn limit(state: &AppState, key: &str, limit: Limit) -> Result<(), AppError> {
    match rate_limit::hit(&state.db, key, limit, state.clock.now()).await {
        Ok(()) => Ok(()),
        Err(HitError::TooMany(too_many)) => {
            tracing::warn!(rate_limit.key = key, "rate limit reached");
            Err(AppError::TooMany(too_many.to_string()))
        }
        Err(HitError::Database(error)) => Err(error.into()),
    }
}

fn sign_in_error(error: SignInError, field: &str) -> AppError {
    match error {
        SignInError::Database(error) => error.into(),
        SignInError::WrongPin => AppError::Form(vec![FieldError::new("pin", error.to_string())]),
        other => AppError::Form(vec![FieldError::new(field, other.to_string())]),
    }
}

fn set_up_error(error: SetUpError) -> AppError {
    match error {
        SetUpError::Link(LinkError::Unknown) => AppError::NotFound(LinkError::Unknown.to_string()),
        SetUpError::Link(LinkError::Disabled) => {
            AppError::Forbidden(LinkError::Disabled.to_string())
        }
        SetUpError::Link(link) => AppError::Gone(link.to_string()),
        SetUpError::WrongCode => AppError::Form(vec![FieldError::new(
            "code",
            SetUpError::WrongCode.to_string(),
        )]),
        SetUpError::EmailNotAllowed => AppError::Form(vec![FieldError::new(
            "factor",
            SetUpError::EmailNotAllowed.to_string(),
        )]),
        SetUpError::Database(error) => error.into(),
    }
}
