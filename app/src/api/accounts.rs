//! Server functions of signing in and setting up: what each page shows. Forms go through
//! `submit_form`; the refused form after a post without JavaScript comes with each answer.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::accounts::sign_in::{AppStepView, CodeStep, SetUpView, SignInOptions, Visitor};
use crate::model::forms::FormState;

#[cfg(feature = "ssr")]
use crate::backend::accounts::pages;
#[cfg(feature = "ssr")]
use crate::request::{self, app_state};

/// The refused form, when this page answers a post made without JavaScript.
#[cfg(feature = "ssr")]
fn posted() -> Option<FormState> {
    use_context::<crate::api::applications::PostedForm>().map(|p| p.form)
}

/// The access route of this request and who is signed in, for the page header.
#[server(prefix = "/api", endpoint = "get_visitor")]
pub async fn get_visitor() -> Result<Visitor, AppError> {
    let state = app_state()?;
    pages::visitor(&state, &request::session().await?, request::client().await?).await
}

/// The login methods offered on this route.
#[server(prefix = "/api", endpoint = "get_sign_in_options")]
pub async fn get_sign_in_options() -> Result<(SignInOptions, Option<FormState>), AppError> {
    let state = app_state()?;
    let options = pages::sign_in_options(&state, request::client().await?);
    Ok((options, posted()))
}

/// Why a Care Identity login could not be completed, on the page it came back to.
#[server(prefix = "/api", endpoint = "get_care_identity_problem")]
pub async fn get_care_identity_problem() -> Result<Option<String>, AppError> {
    Ok(posted().and_then(|form| form.errors.into_iter().next().map(|e| e.message)))
}

/// The email and PIN page's refused form, if any.
#[server(prefix = "/api", endpoint = "get_pin_form")]
pub async fn get_pin_form() -> Result<Option<FormState>, AppError> {
    Ok(posted())
}

/// Which security code the code page asks for.
#[server(prefix = "/api", endpoint = "get_code_step")]
pub async fn get_code_step() -> Result<(CodeStep, Option<FormState>), AppError> {
    let state = app_state()?;
    let step =
        pages::code_step(&state, &request::session().await?, request::client().await?).await?;
    Ok((step, posted()))
}

/// Whom a set-up link is for, and the choices this route allows.
#[server(prefix = "/api", endpoint = "get_set_up", input = Json)]
pub async fn get_set_up(token: String) -> Result<(SetUpView, Option<FormState>), AppError> {
    let state = app_state()?;
    let view = pages::set_up_view(&state, request::client().await?, &token).await?;
    Ok((view, posted()))
}

/// The authenticator app step of a set-up: QR code and key, or `None` to start again.
#[server(prefix = "/api", endpoint = "get_app_step", input = Json)]
pub async fn get_app_step(
    token: String,
) -> Result<(Option<AppStepView>, Option<FormState>), AppError> {
    let state = app_state()?;
    let view = pages::app_step_view(&state, &request::session().await?, &token).await?;
    Ok((view, posted()))
}
