//! Every page's form post, with or without JavaScript, goes through [`submit`], which hands it to
//! the area that owns the page.

use tower_sessions::Session;

use super::AppState;
use super::network::ClientInfo;
use crate::error::AppError;
use crate::model::forms::FormValues;

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
    } else {
        super::applications::answers::submit_form(state, session, path, values).await
    }
}
