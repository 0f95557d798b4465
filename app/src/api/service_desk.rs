//! Server functions of the service desk's pages. Each asks the guard first.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::forms::FormState;
use crate::model::service_desk::{ApplicationDetail, QueueFilter, QueueView};

/// The queue, narrowed by the filter form's answers.
#[server(prefix = "/api", endpoint = "get_queue", input = Json)]
pub async fn get_queue(filter: QueueFilter) -> Result<QueueView, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let user = require(
        &state,
        &session,
        client,
        Need::ServiceDesk,
        "page:/service-desk",
    )
    .await?;
    crate::backend::service_desk::queue(&state, &user, filter).await
}

/// One application, with what may be decided; and the decision form refused, after a post
/// without JavaScript.
#[server(prefix = "/api", endpoint = "get_application", input = Json)]
pub async fn get_application(
    reference: String,
) -> Result<(ApplicationDetail, Option<FormState>), AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let what = format!("application:{reference}");
    let user = require(&state, &session, client, Need::ServiceDesk, &what).await?;
    let detail = crate::backend::service_desk::detail(&state, &session, &user, &reference).await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((detail, posted))
}

/// The audit log, narrowed by the filter form's answers.
#[server(prefix = "/api", endpoint = "get_audit", input = Json)]
pub async fn get_audit(
    filter: crate::model::service_desk::AuditFilter,
) -> Result<crate::model::service_desk::AuditView, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    require(
        &state,
        &session,
        client,
        Need::ServiceDesk,
        "page:/service-desk/audit",
    )
    .await?;
    crate::backend::service_desk::audit_log::page(&state, filter).await
}

/// Accounts whose name or email contains `q`.
#[server(prefix = "/api", endpoint = "get_users", input = Json)]
pub async fn get_users(q: String) -> Result<Vec<crate::model::service_desk::UserItem>, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    require(
        &state,
        &session,
        client,
        Need::ServiceDesk,
        "page:/service-desk/users",
    )
    .await?;
    crate::backend::service_desk::users::list(&state, &q).await
}

/// One account, with what the person looking may do to it; and a refused action's message.
#[server(prefix = "/api", endpoint = "get_user", input = Json)]
pub async fn get_user(
    user_id: String,
) -> Result<(crate::model::service_desk::UserDetail, Option<FormState>), AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let what = format!("page:/service-desk/users/{user_id}");
    let user = require(&state, &session, client, Need::ServiceDesk, &what).await?;
    let detail = crate::backend::service_desk::users::detail(&state, &user, &user_id).await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((detail, posted))
}
