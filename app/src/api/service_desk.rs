//! Server functions of the service desk's pages. Each asks the guard first.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::forms::FormState;
use crate::model::service_desk::{ApplicationDetail, QueueFilter, QueueView};

/// The guard's answer for staff, with what a server function needs: `what` names the page or
/// thing asked for, for the audit log when the guard refuses.
#[cfg(feature = "ssr")]
async fn staff(
    what: &str,
) -> Result<
    (
        crate::backend::AppState,
        tower_sessions::Session,
        crate::backend::guard::CurrentUser,
    ),
    AppError,
> {
    use crate::backend::guard::{Need, require};
    use crate::request;
    let state = crate::request::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let user = require(&state, &session, client, Need::ServiceDesk, what).await?;
    Ok((state, session, user))
}

/// The queue, narrowed by the filter form's answers.
#[server(prefix = "/api", endpoint = "get_queue", input = Json)]
pub async fn get_queue(filter: QueueFilter) -> Result<QueueView, AppError> {
    let (state, _, user) = staff("page:/service-desk").await?;
    crate::backend::service_desk::queue(&state, &user, filter).await
}

/// One application, with what may be decided; and the decision form refused, after a post
/// without JavaScript.
#[server(prefix = "/api", endpoint = "get_application", input = Json)]
pub async fn get_application(
    reference: String,
) -> Result<(ApplicationDetail, Option<FormState>), AppError> {
    let (state, session, user) = staff(&format!("application:{reference}")).await?;
    let detail =
        crate::backend::service_desk::pages::application_page(&state, &session, &user, &reference)
            .await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((detail, posted))
}

/// The audit log, narrowed by the filter form's answers.
#[server(prefix = "/api", endpoint = "get_audit", input = Json)]
pub async fn get_audit(
    filter: crate::model::service_desk::AuditFilter,
) -> Result<crate::model::service_desk::AuditView, AppError> {
    let (state, _, _) = staff("page:/service-desk/audit").await?;
    crate::backend::service_desk::audit_log::page(&state, filter).await
}

/// Accounts whose name or email contains `q`.
#[server(prefix = "/api", endpoint = "get_users", input = Json)]
pub async fn get_users(q: String) -> Result<Vec<crate::model::service_desk::UserItem>, AppError> {
    let (state, _, _) = staff("page:/service-desk/users").await?;
    crate::backend::service_desk::users::list(&state, &q).await
}

/// One account, with what the person looking may do to it; and a refused action's message.
#[server(prefix = "/api", endpoint = "get_user", input = Json)]
pub async fn get_user(
    user_id: String,
) -> Result<(crate::model::service_desk::UserDetail, Option<FormState>), AppError> {
    let (state, _, user) = staff(&format!("page:/service-desk/users/{user_id}")).await?;
    let detail = crate::backend::service_desk::users::detail(&state, &user, &user_id).await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((detail, posted))
}

/// The register of issued mailboxes, narrowed by the filter form's answers.
#[server(prefix = "/api", endpoint = "get_desk_mailboxes", input = Json)]
pub async fn get_desk_mailboxes(
    filter: crate::model::service_desk::mailboxes::MailboxFilter,
) -> Result<crate::model::service_desk::mailboxes::MailboxList, AppError> {
    let (state, _, _) = staff("page:/service-desk/mailboxes").await?;
    crate::backend::service_desk::mailboxes::list(&state, filter).await
}

/// One mailbox, and a refused action's message.
#[server(prefix = "/api", endpoint = "get_desk_mailbox", input = Json)]
pub async fn get_desk_mailbox(
    mailbox_id: String,
) -> Result<
    (
        crate::model::service_desk::mailboxes::MailboxDetail,
        Option<FormState>,
    ),
    AppError,
> {
    let (state, session, _) = staff(&format!("page:/service-desk/mailboxes/{mailbox_id}")).await?;
    let detail =
        crate::backend::service_desk::pages::mailbox_page(&state, &session, &mailbox_id).await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((detail, posted))
}

/// The catalogue as the service desk looks after it: retired entries too.
#[server(prefix = "/api", endpoint = "get_catalogue_admin", input = Json)]
pub async fn get_catalogue_admin(
    q: String,
) -> Result<crate::model::service_desk::workflows::WorkflowList, AppError> {
    let (state, _, _) = staff("page:/service-desk/workflows").await?;
    crate::backend::service_desk::workflows::list(&state, &q).await
}

/// The add page (`workflow_id` empty) or an entry's edit page, and a refused form.
#[server(prefix = "/api", endpoint = "get_workflow_edit", input = Json)]
pub async fn get_workflow_edit(
    workflow_id: String,
) -> Result<
    (
        crate::model::service_desk::workflows::WorkflowEditView,
        Option<FormState>,
    ),
    AppError,
> {
    let (state, _, _) = staff(&format!("page:/service-desk/workflows/{workflow_id}")).await?;
    let view = crate::backend::service_desk::workflows::edit_view(&state, &workflow_id).await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((view, posted))
}
