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
