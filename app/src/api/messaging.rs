//! Server functions of a mailbox user's pages. Each asks the guard first.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::messaging::MailboxSummary;

/// The guard's answer for a member of `mailbox_id` (as typed: any case), with what a server
/// function needs: the state, the person and the Mailbox ID as stored. A refusal is audited as
/// about the message, when one is asked for, or else the mailbox.
#[cfg(feature = "ssr")]
async fn member(
    mailbox_id: &str,
    message_id: Option<&str>,
) -> Result<
    (
        crate::backend::AppState,
        crate::backend::guard::CurrentUser,
        String,
    ),
    AppError,
> {
    use crate::backend::guard::{Need, require};
    use crate::request;
    let state = crate::request::app_state()?;
    let session = request::session().await?;
    let client = request::client().await?;
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = match message_id {
        Some(message_id) => format!("message:{message_id}"),
        None => format!("mailbox:{mailbox_id}"),
    };
    let user = require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await?;
    Ok((state, user, mailbox_id))
}

/// The mailboxes linked to the signed-in person.
#[server(prefix = "/api", endpoint = "get_my_mailboxes")]
pub async fn get_my_mailboxes() -> Result<Vec<MailboxSummary>, AppError> {
    use crate::backend::guard::{Need, require};
    use crate::request;
    let state = crate::request::app_state()?;
    let session = request::session().await?;
    let user = require(
        &state,
        &session,
        request::client().await?,
        Need::SignedIn,
        "page:/mailboxes",
    )
    .await?;
    crate::backend::messaging::mailboxes_with_counts(&state.db, &user.user_id, state.clock.now())
        .await
}

/// One of the signed-in person's mailboxes; a mailbox that is not theirs is "not found".
#[server(prefix = "/api", endpoint = "get_mailbox", input = Json)]
pub async fn get_mailbox(mailbox_id: String) -> Result<MailboxSummary, AppError> {
    let (state, user, mailbox_id) = member(&mailbox_id, None).await?;
    crate::backend::messaging::mailbox_of(&state.db, &user.user_id, &mailbox_id).await
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
    let (state, user, mailbox_id) = member(&mailbox_id, None).await?;
    let lookup = (!ods_code.trim().is_empty() || !workflow_id.trim().is_empty())
        .then_some((ods_code, workflow_id));
    let view = crate::backend::messaging::new_message_view(
        &state,
        &user.user_id,
        &mailbox_id,
        user.client.route,
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
    let (state, _, mailbox_id) = member(&mailbox_id, Some(&message_id)).await?;
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
    let (state, user, mailbox_id) = member(&mailbox_id, None).await?;
    crate::backend::messaging::list(
        &state,
        &user.user_id,
        &mailbox_id,
        user.client.route,
        inbox,
        &workflow,
        page,
    )
    .await
}
