//! Server functions of a mailbox user's pages. Each asks the guard first.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::messaging::MailboxSummary;

/// The mailboxes linked to the signed-in person.
#[server(prefix = "/api", endpoint = "get_my_mailboxes")]
pub async fn get_my_mailboxes() -> Result<Vec<MailboxSummary>, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let user = require(
        &state,
        &session,
        request::client().await?,
        Need::SignedIn,
        "page:/mailboxes",
    )
    .await?;
    crate::backend::messaging::mailboxes(&state.db, &user.user_id).await
}

/// One of the signed-in person's mailboxes; a mailbox that is not theirs is "not found".
#[server(prefix = "/api", endpoint = "get_mailbox", input = Json)]
pub async fn get_mailbox(mailbox_id: String) -> Result<MailboxSummary, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("mailbox:{mailbox_id}");
    let user = require(
        &state,
        &session,
        request::client().await?,
        Need::Mailbox(&mailbox_id),
        &what,
    )
    .await?;
    crate::backend::messaging::mailboxes(&state.db, &user.user_id)
        .await?
        .into_iter()
        .find(|m| m.mailbox_id == mailbox_id)
        .ok_or_else(|| AppError::NotFound("Page not found. Check the Mailbox ID.".into()))
}

/// The new message page, with the recipient lookup's answer when `ods_code` and `workflow_id`
/// were given, and a refused send's message.
#[server(prefix = "/api", endpoint = "get_new_message", input = Json)]
pub async fn get_new_message(
    mailbox_id: String,
    ods_code: String,
    workflow_id: String,
) -> Result<
    (
        crate::model::messaging::NewMessageView,
        Option<crate::model::forms::FormState>,
    ),
    AppError,
> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("mailbox:{mailbox_id}");
    let user = require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await?;
    let lookup = (!ods_code.trim().is_empty() || !workflow_id.trim().is_empty())
        .then_some((ods_code, workflow_id));
    let view = crate::backend::messaging::new_message_view(
        &state,
        &user.user_id,
        &mailbox_id,
        client.route,
        lookup,
    )
    .await?;
    let posted = use_context::<crate::api::applications::PostedForm>().map(|p| p.form);
    Ok((view, posted))
}

/// A message this mailbox sent.
#[server(prefix = "/api", endpoint = "get_sent_message", input = Json)]
pub async fn get_sent_message(
    mailbox_id: String,
    message_id: String,
) -> Result<crate::model::messaging::SentMessageView, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("message:{message_id}");
    require(
        &state,
        &session,
        request::client().await?,
        Need::Mailbox(&mailbox_id),
        &what,
    )
    .await?;
    crate::backend::messaging::sent_message(&state, &mailbox_id, &message_id).await
}

/// The inbox (`inbox`) or sent items of a mailbox, narrowed to `workflow`, page `page`.
#[server(prefix = "/api", endpoint = "get_message_list", input = Json)]
pub async fn get_message_list(
    mailbox_id: String,
    inbox: bool,
    workflow: String,
    page: usize,
) -> Result<crate::model::messaging::MessageList, AppError> {
    use crate::backend::accounts::guard::{Need, require};
    use crate::backend::request;
    let state = crate::backend::state::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("mailbox:{mailbox_id}");
    let user = require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await?;
    crate::backend::messaging::list(
        &state,
        &user.user_id,
        &mailbox_id,
        client.route,
        inbox,
        &workflow,
        page,
    )
    .await
}
