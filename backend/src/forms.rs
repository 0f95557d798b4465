//! Every page's form post, with or without JavaScript, goes through [`submit`], which hands it to
//! the area that owns the page.

use tower_sessions::Session;

use super::AppState;
use super::network::ClientInfo;
use model::accounts::sign_in::paths;
use model::error::AppError;
use model::forms::FormValues;

/// The server's routes for form posts beside the question pages' (axum's path syntax): signing
/// in, setting up, signing out, an application's page at the service desk, and an applicant's
/// answer to a question.
pub const FORM_ROUTES: [&str; 12] = [
    paths::METHOD,
    paths::PIN,
    paths::CODE,
    paths::SIGN_OUT,
    "/activate/{token}",
    "/activate/{token}/app",
    "/service-desk/applications/{reference}",
    "/service-desk/users/{user_id}",
    "/service-desk/mailboxes/{mailbox_id}",
    "/service-desk/workflows/new",
    "/service-desk/workflows/{workflow_id}",
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
    } else if path.starts_with("/service-desk/") {
        use super::guard::{Need, require};
        let user = require(
            state,
            session,
            client,
            Need::ServiceDesk,
            &format!("form:{path}"),
        )
        .await?;
        service_desk(state, session, &user, path, values).await
    } else if let Some((reference, token)) = path
        .strip_prefix("/applications/")
        .and_then(|rest| rest.split_once("/answer/"))
    {
        super::applications::questions::answer(state, client, reference, token, values).await
    } else {
        super::applications::answers::submit_form(state, session, path, values).await
    }
}

/// A service desk page's form, from someone the guard let through.
async fn service_desk(
    state: &AppState,
    session: &Session,
    user: &super::guard::CurrentUser,
    path: &str,
    values: &FormValues,
) -> Result<String, AppError> {
    use super::service_desk::{mailboxes, submit, users, workflows};
    use model::service_desk::UserAction;
    let rest = path.trim_start_matches("/service-desk/");
    if let Some(reference) = rest.strip_prefix("applications/") {
        submit(state, session, user, reference, values).await
    } else if let Some(mailbox_id) = rest.strip_prefix("mailboxes/") {
        mailboxes::act(state, session, user, mailbox_id, values).await
    } else if let Some(workflow_id) = rest.strip_prefix("workflows/") {
        workflows::save(state, user, workflow_id, values).await
    } else if let Some(user_id) = rest.strip_prefix("users/") {
        let action = UserAction::parse(values.get("action"))
            .ok_or_else(|| model::AppError::invalid("action", "Choose what to do"))?;
        users::act(state, user, user_id, action, values.get("mailbox_ids")).await
    } else {
        Err(AppError::NotFound("There is no such page".into()))
    }
}
