//! The one server function behind every form posted with JavaScript: the same service the
//! server's form routes call without it.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::forms::FormValues;

/// Takes the answers of the page at `path`; returns the page that comes next.
#[server(prefix = "/api", endpoint = "submit_form", input = Json)]
pub async fn submit_form(path: String, values: FormValues) -> Result<String, AppError> {
    use crate::request;
    let state = crate::request::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    crate::backend::forms::submit(&state, &session, client, &path, &values).await
}
