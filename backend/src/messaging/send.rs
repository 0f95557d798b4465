//! Sending a file: the form's fields are checked and the send rules applied before a byte of
//! the file is read; then the file streams into the content store under a key noted in `uploads`
//! first, and the message is delivered (written, visible to its recipient) in the transaction
//! that ends the upload, with its audit entry. A refused or broken upload leaves nothing behind.

use bytes::Bytes;
use futures_util::Stream;

use super::RETENTION_DAYS;
use crate::AppState;
use crate::audit::{Event, Outcome};
use crate::content::incoming::{NotStored, Received, store_content};
use crate::content::message_key;
use crate::db::messages::{self as repo, MexContent, NewMessage};
use crate::guard::CurrentUser;
use model::catalogue::WorkflowStatus;
use model::common::AccessRoute;
use model::common::{Environment, MailboxStatus};
use model::error::AppError;
use model::forms::FieldError;
use model::messaging::{
    MailboxFacts, MessageStatus, NewMessageFields, NewMessageForm, SendFacts, WorkflowFacts,
    max_bytes, send_refusals, too_large_message,
};

/// A send that passed every check, waiting for its file.
#[derive(Debug, Clone)]
pub struct CheckedSend {
    pub sender: String,
    pub environment: Environment,
    pub route: AccessRoute,
    pub fields: NewMessageFields,
}

/// Everything the send rules judge a message on: `message_type` of `workflow_id` from `sender` to
/// `recipient` over `route`. "Not found" when there is no mailbox `sender`.
pub async fn gather_facts(
    state: &AppState,
    sender: &str,
    route: AccessRoute,
    message_type: model::messaging::MessageType,
    recipient: &str,
    workflow_id: &str,
) -> Result<SendFacts, AppError> {
    let no_sender = || AppError::NotFound(format!("There is no mailbox {sender}"));
    let mut conn = state.db.pool.acquire().await?;
    let row = repo::send_facts(&mut conn, sender, recipient, workflow_id)
        .await?
        .ok_or_else(no_sender)?;
    let sender_facts = MailboxFacts {
        mailbox_id: sender.to_owned(),
        environment: row.sender_environment,
        active: row.sender_status == MailboxStatus::Active,
        registration: row.sender_direction,
    };
    let recipient_facts = row.recipient_environment.map(|environment| MailboxFacts {
        mailbox_id: recipient.to_owned(),
        environment,
        active: row.recipient_status == Some(MailboxStatus::Active),
        registration: row.recipient_direction,
    });
    let workflow = row.workflow_status.map(|status| WorkflowFacts {
        workflow_id: workflow_id.to_owned(),
        active: status == WorkflowStatus::Active,
        hscn_only: row.workflow_hscn_only.unwrap_or(0) != 0,
        test_first: row.workflow_test_first.unwrap_or(0) != 0,
    });
    let ods_code = row.sender_ods_code;
    let needs_test = workflow.as_ref().is_some_and(|w| w.test_first)
        && sender_facts.environment == Environment::Live;
    let tested_in_path_to_live =
        needs_test && repo::tested_in_path_to_live(&mut conn, &ods_code, workflow_id).await?;
    Ok(SendFacts {
        route,
        message_type,
        sender: sender_facts,
        recipient: recipient_facts,
        recipient_id: recipient.to_owned(),
        workflow,
        workflow_id: workflow_id.to_owned(),
        tested_in_path_to_live,
    })
}

/// Checks the form and every send rule for a message from `sender` over `route`.
pub async fn check(
    state: &AppState,
    sender: &str,
    route: AccessRoute,
    form: &NewMessageForm,
) -> Result<CheckedSend, AppError> {
    let fields = form.check().map_err(AppError::Form)?;
    let facts = gather_facts(
        state,
        sender,
        route,
        fields.message_type,
        fields.recipient.as_str(),
        &fields.workflow_id,
    )
    .await?;
    let refusals = send_refusals(&facts);
    if !refusals.is_empty() {
        return Err(AppError::Form(refusals));
    }
    Ok(CheckedSend {
        sender: sender.to_owned(),
        environment: facts.sender.environment,
        route,
        fields,
    })
}

/// The ID of a message made now, at `now` by the service's clock: its microseconds come from
/// the system clock, so that the IDs of messages made in the same second sort in the order they
/// were made (the API's inbox lists by time, then ID).
pub fn message_id_at(now: i64) -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::from(d.subsec_micros()))
        .unwrap_or_default();
    new_message_id(now * 1_000_000 + micros)
}

/// A new message ID: the time to the microsecond, as MESH's are, and 64 random bits, so that
/// nobody can guess another's.
pub fn new_message_id(now_micros: i64) -> String {
    let seconds = now_micros.div_euclid(1_000_000);
    let (year, month, day, second_of_day) = model::civil_time(seconds);
    let random: u64 = rand::random();
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}{:06}_{random:016X}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        now_micros.rem_euclid(1_000_000)
    )
}

/// The file of a checked send: its name and type as the browser gave them, and its bytes.
pub struct Upload<S> {
    pub file_name: String,
    pub content_type: String,
    pub body: S,
}

/// Why a file was not delivered: the error to show, and whether it was for the file's size (a
/// page answers that with 413).
#[derive(Debug)]
pub struct NotSent {
    pub error: AppError,
    pub too_large: bool,
}

impl From<AppError> for NotSent {
    fn from(error: AppError) -> Self {
        Self {
            error,
            too_large: false,
        }
    }
}

impl From<NotSent> for AppError {
    fn from(not_sent: NotSent) -> Self {
        not_sent.error
    }
}

/// Stores the file and delivers the message ([`super::deliver::deliver`]); returns its ID.
pub async fn send_file<S, E>(
    state: &AppState,
    send: &CheckedSend,
    by: &CurrentUser,
    upload: Upload<S>,
) -> Result<String, NotSent>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    let now = state.clock.now();
    let message_id = message_id_at(now);
    let key = message_key(&message_id);
    let stored = match store_content(state, &key, upload.body, max_bytes(send.route)).await {
        Ok(stored) => stored,
        Err(NotStored::Empty) => {
            return Err(AppError::Form(vec![FieldError::new(
                "file",
                "The selected file is empty",
            )])
            .into());
        }
        Err(NotStored::TooLarge) => {
            return Err(NotSent {
                error: AppError::Form(vec![FieldError::new("file", too_large_message(send.route))]),
                too_large: true,
            });
        }
        Err(NotStored::Broken(_)) => {
            return Err(
                AppError::invalid("file", "The file did not arrive whole. Try again").into(),
            );
        }
        Err(NotStored::Failed) => return Err(AppError::Unavailable.into()),
    };
    let received = Received::InStore(stored);
    let stored = received.stored();
    let message = NewMessage {
        message_id: &message_id,
        sender: &send.sender,
        recipient: send.fields.recipient.as_str(),
        environment: send.environment,
        workflow_id: &send.fields.workflow_id,
        message_type: send.fields.message_type.into(),
        subject: &send.fields.subject,
        local_id: &send.fields.reference,
        file_name: &upload.file_name,
        content_type: &upload.content_type,
        mex: MexContent::default(),
        chunk_count: 1,
        content_key: Some(&key),
        size_bytes: stored.size as i64,
        sha256: &stored.sha256,
        status: MessageStatus::Accepted,
        sent_by: Some(&by.user_id),
        report: None,
        expires_at: now + RETENTION_DAYS * 86_400,
    };
    let event = Event {
        action: "message.send",
        subject: format!("message:{message_id}"),
        outcome: Outcome::Success,
        detail: format!(
            "from {} to {}, {}, {} bytes",
            send.sender, send.fields.recipient, send.fields.workflow_id, stored.size
        ),
    };
    super::deliver::deliver(state, &message, (&key, &received), &by.actor(), event, now)
        .await
        .map_err(|error| NotSent::from(AppError::from(error)))?;
    tracing::info!(message.id = %message_id, mailbox.id = %send.sender, "message sent");
    Ok(message_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_carry_the_time_and_64_random_bits() {
        // 29 November 2026, 18:15:07.000123 UTC.
        let micros = 1_795_976_107_000_123;
        let id = new_message_id(micros);
        let (time, random) = id.split_once('_').unwrap();
        assert_eq!(time, "20261129181507000123");
        assert_eq!(random.len(), 16);
        assert!(random.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(new_message_id(micros), id, "never the same twice");
    }
}
