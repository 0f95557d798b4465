//! Every page's form post, with or without JavaScript, goes through [`submit`], which hands it to
//! the area that owns the page.

use tower_sessions::Session;

use super::AppState;
use super::network::ClientInfo;
use crate::error::AppError;
use crate::model::accounts::sign_in::paths;
use crate::model::forms::FormValues;

/// The server's routes for form posts beside the question pages' (axum's path syntax): signing
/// in, setting up, signing out, an application's page at the service desk, and an applicant's
/// answer to a question.
pub const FORM_ROUTES: [&str; 9] = [
    paths::METHOD,
    paths::PIN,
    paths::CODE,
    paths::SIGN_OUT,
    "/activate/{token}",
    "/activate/{token}/app",
    "/service-desk/applications/{reference}",
    "/service-desk/users/{user_id}",
    "/applications/{reference}/answer/{token}",
];

/// Takes the form posted to the page at `path`; returns the page that comes next.
pub async fn submit(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    path: &str,
    values: &FormValues,
) -> Result<String, AppError> {
    if super::accounts::pages::handles(path) {
        super::accounts::pages::submit(state, session, client, path, values).await
    } else if let Some(reference) = path.strip_prefix("/service-desk/applications/") {
        use super::accounts::guard::{Need, require};
        let user = require(
            state,
            session,
            client,
            Need::ServiceDesk,
            &format!("form:{path}"),
        )
        .await?;
        super::service_desk::submit(state, session, &user, reference, values).await
    } else if let Some(user_id) = path.strip_prefix("/service-desk/users/") {
        use super::accounts::guard::{Need, require};
        use crate::model::service_desk::UserAction;
        let user = require(
            state,
            session,
            client,
            Need::ServiceDesk,
            &format!("form:{path}"),
        )
        .await?;
        let action = UserAction::parse(values.get("action"))
            .ok_or_else(|| crate::AppError::invalid("action", "Choose what to do"))?;
        super::service_desk::users::act(state, &user, user_id, action, values.get("mailbox_ids"))
            .await
    } else if let Some((reference, token)) = path
        .strip_prefix("/applications/")
        .and_then(|rest| rest.split_once("/answer/"))
    {
        super::applications::questions::answer(state, client, reference, token, values).await
    } else {
        super::applications::answers::submit_form(state, session, path, values).await
    }
}
