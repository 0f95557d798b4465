//! Server functions of the service desk's pages. Each asks the guard first.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::service_desk::ServiceDeskHome;

/// The service desk's start page: the work waiting in each queue.
#[server(prefix = "/api", endpoint = "get_service_desk_home")]
pub async fn get_service_desk_home() -> Result<ServiceDeskHome, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let user = require(
        &state,
        &session,
        request::client().await?,
        Need::ServiceDesk,
        "page:/service-desk",
    )
    .await?;
    crate::backend::service_desk::home(&state.db, user.name).await
}
