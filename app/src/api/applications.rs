//! Server functions of the applications: the drafts of this browser session, taking a question
//! page's answers, and the status page's lookup. Pages post to the same services without
//! JavaScript (see the server's form routes); these are what the pages call with it.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::applications::{ApplicationStatusView, Drafts};
use crate::model::forms::FormState;

/// What the server refused when a page was posted without JavaScript, so the page shows it again
/// with the errors. The server's form routes provide it as context while they render the page.
#[derive(Debug, Clone, Default)]
pub struct PostedForm {
    pub form: FormState,
    pub status: Option<ApplicationStatusView>,
}

/// The answers of the applications in progress in this browser, and the form the server refused
/// if this page is the answer to a post made without JavaScript.
#[server(prefix = "/api", endpoint = "get_application_drafts")]
pub async fn get_application_drafts() -> Result<(Drafts, Option<FormState>), AppError> {
    let session = crate::request::session().await?;
    let drafts = crate::backend::applications::pages::drafts(&session).await?;
    let posted = use_context::<PostedForm>().map(|p| p.form);
    Ok((drafts, posted))
}

/// The status and history of an application, when the email address is the one it was sent with.
/// A wrong address and an unknown reference get the same answer.
#[server(prefix = "/api", endpoint = "check_application_status", input = Json)]
pub async fn check_application_status(
    reference: String,
    email: String,
) -> Result<ApplicationStatusView, AppError> {
    let state = crate::request::app_state()?;
    crate::backend::applications::status::check(&state.db, &reference, &email).await
}

/// What the status page shows after a post made without JavaScript.
#[server(prefix = "/api", endpoint = "get_posted_status")]
pub async fn get_posted_status()
-> Result<Option<(FormState, Option<ApplicationStatusView>)>, AppError> {
    Ok(use_context::<PostedForm>().map(|p| (p.form, p.status)))
}

/// The service desk's question behind an emailed link, and the refused answer after a post
/// without JavaScript.
#[server(prefix = "/api", endpoint = "get_question", input = Json)]
pub async fn get_question(
    reference: String,
    token: String,
) -> Result<(crate::model::applications::QuestionView, Option<FormState>), AppError> {
    let state = crate::request::app_state()?;
    let view = crate::backend::applications::questions::view(&state, &reference, &token).await?;
    Ok((view, use_context::<PostedForm>().map(|p| p.form)))
}
