//! Delivering a message, the one way for the web pages and the MESH API alike: the message's
//! row, its content's keeping (a small content written beside the row, or the store's upload
//! forgotten) and its audit entry are one transaction. A message is delivered (or, the first of
//! several chunks, waits for the rest) exactly when that transaction commits; when it does not,
//! the content goes too, so a refused or failed send leaves nothing behind.

use crate::AppState;
use crate::audit::{self, Actor, Event};
use crate::content::incoming::{Received, discard, keep};
use crate::db::messages::{self as repo, NewMessage};

/// Records `message`, whose content was received under `key`, with the audit entry `event` by
/// `actor`, at `now`.
pub async fn deliver(
    state: &AppState,
    message: &NewMessage<'_>,
    (key, received): (&str, &Received),
    actor: &Actor,
    event: Event<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let recorded = async {
        let mut tx = state.db.begin().await?;
        repo::insert(&mut tx, message, now).await?;
        keep(&mut tx, key, received).await?;
        audit::record(&mut tx, actor, event, now).await?;
        tx.commit().await
    }
    .await;
    if recorded.is_err() {
        discard(state, key, received).await;
    }
    recorded
}
