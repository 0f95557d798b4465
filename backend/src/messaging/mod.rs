//! A mailbox user's mailboxes, and the files sent between them ([`send`]).

pub mod deliver;
pub mod retention;
pub mod send;

use super::db::Db;
use super::db::applications as repo;
use model::common::MailboxStatus;
use model::error::AppError;
use model::messaging::MessageKind;
use model::messaging::{MailboxSummary, MessageStatus};

/// Days a message waits in its recipient's inbox.
pub const RETENTION_DAYS: i64 = 5;

/// The mailboxes linked to a user.
pub async fn mailboxes(db: &Db, user_id: &str) -> Result<Vec<MailboxSummary>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let rows = repo::mailboxes_of_user(&mut conn, user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| MailboxSummary {
            environment: row.environment.label().to_owned(),
            active: row.status == MailboxStatus::Active,
            mailbox_id: row.mailbox_id,
            ods_code: row.ods_code,
            organisation_name: row.organisation_name,
            new_files: 0,
            due_within_a_day: 0,
        })
        .collect())
}

/// The mailboxes linked to a user, each with the files waiting in its inbox and those removed
/// within a day if nobody downloads them: the list a person starts their day from.
pub async fn mailboxes_with_counts(
    db: &Db,
    user_id: &str,
    now: i64,
) -> Result<Vec<MailboxSummary>, AppError> {
    let mut listed = mailboxes(db, user_id).await?;
    let mut conn = db.pool.acquire().await?;
    let counts = super::db::messages::inbox_counts(&mut conn, user_id, now + 86_400).await?;
    for mailbox in &mut listed {
        if let Some((_, new_files, due)) =
            counts.iter().find(|(id, _, _)| *id == mailbox.mailbox_id)
        {
            mailbox.new_files = *new_files;
            mailbox.due_within_a_day = *due;
        }
    }
    Ok(listed)
}

/// One of the mailboxes linked to a user; another is "not found".
pub async fn mailbox_of(
    db: &Db,
    user_id: &str,
    mailbox_id: &str,
) -> Result<MailboxSummary, AppError> {
    mailboxes(db, user_id)
        .await?
        .into_iter()
        .find(|m| m.mailbox_id == mailbox_id)
        .ok_or_else(|| AppError::NotFound("Page not found. Check the Mailbox ID.".into()))
}

/// The new message page of `mailbox` (one of `user_id`'s) for someone on `route`, with the
/// recipient lookup's answer when `lookup` (ODS code, workflow ID) was asked.
pub async fn new_message_view(
    state: &super::AppState,
    user_id: &str,
    mailbox_id: &str,
    route: model::common::AccessRoute,
    lookup: Option<(String, String)>,
) -> Result<model::messaging::NewMessageView, AppError> {
    use model::common::AccessRoute;
    use model::messaging::NewMessageView;
    let mailbox = mailbox_of(&state.db, user_id, mailbox_id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let workflows = super::db::messages::sendable_workflows(&mut conn, mailbox_id).await?;
    let (environment, _, _, _) = super::db::messages::mailbox_facts(&mut conn, mailbox_id, "")
        .await?
        .ok_or_else(|| AppError::NotFound("Page not found. Check the Mailbox ID.".into()))?;
    let lookup = match lookup {
        Some((ods_code, workflow_id)) => {
            let ods_code = ods_code.trim().to_ascii_uppercase();
            let workflow_id = workflow_id.trim().to_owned();
            // The lookup is for one organisation: with no ODS code, it finds nobody.
            let found = if ods_code.is_empty() {
                Vec::new()
            } else {
                super::db::mailboxes::receivers(&mut conn, &ods_code, &workflow_id, &environment)
                    .await?
                    .into_iter()
                    .map(|m| (m.mailbox_id, m.name))
                    .collect()
            };
            Some(model::messaging::RecipientLookup {
                ods_code,
                workflow_id,
                found,
            })
        }
        None => None,
    };
    Ok(NewMessageView {
        can_send_test: route == AccessRoute::Hscn && environment != "live",
        route,
        mailbox,
        workflows,
        lookup,
    })
}

/// A message sent from `mailbox_id`; another mailbox's message is "not found".
pub async fn sent_message(
    state: &super::AppState,
    mailbox_id: &str,
    message_id: &str,
) -> Result<model::messaging::SentMessageView, AppError> {
    use model::format_time;
    use model::messaging::{SentMessageView, size_label};
    let mut conn = state.db.pool.acquire().await?;
    let row = super::db::messages::by_id(&mut conn, message_id)
        .await?
        .filter(|m| m.sender == mailbox_id)
        .ok_or_else(|| AppError::NotFound("There is no such message in this mailbox".into()))?;
    let recipient_organisation = super::db::mailboxes::by_id(&mut conn, &row.recipient)
        .await?
        .map(|m| format!("{} ({})", m.organisation, m.ods_code))
        .unwrap_or_default();
    let status = match (row.status, row.acknowledged_at) {
        (_, Some(at)) => format!("Downloaded {}", format_time(at)),
        (MessageStatus::Expired, None) => "Not collected: removed after 5 days".to_owned(),
        _ => format!(
            "Waiting to be downloaded (removed {} if not collected)",
            format_time(row.expires_at)
        ),
    };
    Ok(SentMessageView {
        message_id: row.message_id,
        sender: row.sender,
        recipient: row.recipient,
        recipient_organisation,
        workflow_id: row.workflow_id,
        message_type: if row.message_type == MessageKind::Test {
            "Test".to_owned()
        } else {
            "Data".to_owned()
        },
        subject: row.subject,
        reference: row.local_id,
        file_name: row.file_name,
        size: size_label(row.size_bytes),
        sent: format_time(row.created_at),
        status,
    })
}

/// The inbox (`inbox`) or sent items of `mailbox_id`, one of `user_id`'s, page `page` (from 1),
/// narrowed to `workflow` when it is not empty. Test messages are not listed for someone on the
/// internet route.
pub async fn list(
    state: &super::AppState,
    user_id: &str,
    mailbox_id: &str,
    route: model::common::AccessRoute,
    inbox: bool,
    workflow: &str,
    page: usize,
) -> Result<model::messaging::MessageList, AppError> {
    use super::db::messages::{self as repo, ListQuery};
    use model::common::AccessRoute;
    use model::format_time;
    use model::messaging::{
        MESSAGES_PER_PAGE, MessageItem, MessageList, removal_label, size_label,
    };
    let mailbox = mailbox_of(&state.db, user_id, mailbox_id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let workflows = repo::listed_workflows(&mut conn, mailbox_id, inbox).await?;
    // A workflow this mailbox has no messages of lists nothing; one not a workflow ID, all.
    let workflow = if model::catalogue::WorkflowId::parse(workflow.trim()).is_ok() {
        workflow.trim().to_owned()
    } else {
        String::new()
    };
    let mut query = ListQuery {
        mailbox_id,
        inbox,
        workflow_id: &workflow,
        tests: route == AccessRoute::Hscn,
        offset: 0,
        limit: MESSAGES_PER_PAGE as i64,
    };
    let total = repo::count(&mut conn, &query).await?;
    let pages = (total as usize).div_ceil(MESSAGES_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    query.offset = ((page - 1) * MESSAGES_PER_PAGE) as i64;
    let rows = repo::list(&mut conn, &query).await?;
    let now = state.clock.now();
    let items = rows
        .into_iter()
        .map(|row| {
            let waiting = row.status == MessageStatus::Accepted;
            let report = row.message_type == MessageKind::Report;
            MessageItem {
                status: match (row.status, row.acknowledged_at) {
                    (_, Some(at)) => format!("Downloaded {}", format_time(at)),
                    (MessageStatus::Expired, _) => "Not collected: removed".to_owned(),
                    _ if report => "Report".to_owned(),
                    _ if inbox => "New".to_owned(),
                    _ => "Waiting to be downloaded".to_owned(),
                },
                removal: if waiting {
                    removal_label(row.expires_at - now)
                } else {
                    String::new()
                },
                available: row.content_key.is_some() && row.status != MessageStatus::Expired,
                message_id: row.message_id,
                other: row.other,
                other_organisation: row.other_organisation,
                workflow_id: row.workflow_id,
                test: row.message_type == MessageKind::Test,
                subject: match &row.report_text {
                    Some(text) if !row.subject.is_empty() => {
                        format!("{text} (about: {})", row.subject)
                    }
                    Some(text) => text.clone(),
                    None => row.subject,
                },
                reference: row.local_id,
                file_name: if report {
                    "Non-delivery report".to_owned()
                } else {
                    row.file_name
                },
                size: if report {
                    String::new()
                } else {
                    size_label(row.size_bytes)
                },
                when: format_time(row.created_at),
            }
        })
        .collect();
    Ok(MessageList {
        mailbox,
        items,
        page,
        pages,
        total,
        workflow,
        workflows,
    })
}

/// A received message's file for `user`, a member of `mailbox_id`: the message and its content
/// as a stream. The download is acknowledged (the first time) and audited once the last byte of
/// the file has been read whole, before it goes out; a file that cannot be read whole (a stored
/// gzip stream that is broken, a content store failing) ends the download with an error, is
/// never acknowledged, and is audited and logged as a failure.
pub async fn download(
    state: &super::AppState,
    user: &super::guard::CurrentUser,
    mailbox_id: &str,
    message_id: &str,
) -> Result<
    (
        super::db::messages::MessageRow,
        crate::content::outgoing::Outgoing,
    ),
    AppError,
> {
    use model::common::AccessRoute;
    let not_found = || AppError::NotFound("There is no such message in this inbox".into());
    let mut conn = state.db.pool.acquire().await?;
    let row = super::db::messages::by_id(&mut conn, message_id)
        .await?
        .filter(|m| m.recipient == mailbox_id)
        .filter(|m| {
            matches!(
                m.status,
                MessageStatus::Accepted | MessageStatus::Acknowledged
            )
        })
        .filter(|m| m.message_type != MessageKind::Test || user.client.route == AccessRoute::Hscn)
        .ok_or_else(not_found)?;
    drop(conn);
    if row.content_key.is_none() {
        return Err(AppError::Gone(
            "This file has been removed: files are kept for 5 days".into(),
        ));
    }
    let mut content = crate::content::outgoing::whole(state, &row)
        .await
        .map_err(|error| {
            tracing::error!(%error, message.id = %message_id, "content missing or unreadable");
            AppError::Unavailable
        })?;
    let collected = Collected {
        state: state.clone(),
        user_id: user.user_id.clone(),
        actor: user.actor(),
        mailbox_id: mailbox_id.to_owned(),
        message_id: message_id.to_owned(),
    };
    // The first piece is read before anything is answered, so that a file that cannot be read
    // at all gets a page saying so rather than a download that breaks off at once.
    let mut bytes = futures_util::StreamExt::peekable(collected.on_completion(content.bytes));
    if let Some(Err(error)) = std::pin::Pin::new(&mut bytes).peek().await {
        return Err(match error {
            super::content::store::StorageError::Damaged(_) => AppError::Gone(
                "This file is damaged and cannot be downloaded. It has not been marked as \
                 collected: ask the sender to send it again."
                    .into(),
            ),
            _ => AppError::Unavailable,
        });
    }
    content.bytes = futures_util::StreamExt::boxed(bytes);
    Ok((row, content))
}

/// A web download on its way: what to record once it has been read whole, or has failed.
struct Collected {
    state: super::AppState,
    user_id: String,
    actor: super::audit::Actor,
    mailbox_id: String,
    message_id: String,
}

impl Collected {
    /// Passes `bytes` on, holding each piece back until the next has been read, so that the
    /// acknowledgement is written after the last byte is read and before it is sent.
    fn on_completion(
        self,
        bytes: futures_util::stream::BoxStream<
            'static,
            Result<bytes::Bytes, super::content::store::StorageError>,
        >,
    ) -> futures_util::stream::BoxStream<
        'static,
        Result<bytes::Bytes, super::content::store::StorageError>,
    > {
        use futures_util::StreamExt;
        struct Reading {
            bytes: futures_util::stream::BoxStream<
                'static,
                Result<bytes::Bytes, super::content::store::StorageError>,
            >,
            held: Option<bytes::Bytes>,
            collected: Option<Collected>,
            read: u64,
        }
        let start = Reading {
            bytes,
            held: None,
            collected: Some(self),
            read: 0,
        };
        futures_util::stream::unfold(start, |mut reading| async move {
            let collected = reading.collected.take()?;
            loop {
                match reading.bytes.next().await {
                    Some(Ok(piece)) if piece.is_empty() => {}
                    Some(Ok(piece)) => {
                        reading.read += piece.len() as u64;
                        if let Some(previous) = reading.held.replace(piece) {
                            reading.collected = Some(collected);
                            return Some((Ok(previous), reading));
                        }
                    }
                    Some(Err(error)) => {
                        collected.failed(&error, reading.read).await;
                        return Some((Err(error), reading));
                    }
                    None => {
                        if let Err(error) = collected.acknowledge().await {
                            tracing::error!(%error, message.id = %collected.message_id, "download not recorded");
                            let error = super::content::store::StorageError::Failed(error.to_string());
                            return Some((Err(error), reading));
                        }
                        return reading.held.take().map(|last| (Ok(last), reading));
                    }
                }
            }
        })
        .boxed()
    }

    /// The file was read whole: acknowledged the first time, audited every time.
    async fn acknowledge(&self) -> Result<(), sqlx::Error> {
        use super::audit::{self, Event, Outcome};
        let now = self.state.clock.now();
        let mut tx = self.state.db.begin().await?;
        let first = super::db::messages::acknowledge(
            &mut tx,
            &self.message_id,
            &self.mailbox_id,
            Some(&self.user_id),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            &self.actor,
            Event {
                action: "message.download",
                subject: format!("message:{}", self.message_id),
                outcome: Outcome::Success,
                detail: if first {
                    format!("by {}; acknowledged", self.mailbox_id)
                } else {
                    format!("by {}", self.mailbox_id)
                },
            },
            now,
        )
        .await?;
        tx.commit().await
    }

    /// The file could not be read whole: logged and audited as a failure, not acknowledged.
    async fn failed(&self, error: &super::content::store::StorageError, read: u64) {
        use super::audit::{self, Event, Outcome};
        tracing::error!(%error, message.id = %self.message_id, bytes.read = read, "download failed: the file could not be read whole");
        let mut conn = match self.state.db.pool.acquire().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::error!(%error, "download failure not audited");
                return;
            }
        };
        let recorded = audit::record(
            &mut conn,
            &self.actor,
            Event {
                action: "message.download",
                subject: format!("message:{}", self.message_id),
                outcome: Outcome::Failure,
                detail: format!(
                    "by {}; the file could not be read whole after {read} bytes, so it was not \
                     acknowledged",
                    self.mailbox_id
                ),
            },
            self.state.clock.now(),
        )
        .await;
        if let Err(error) = recorded {
            tracing::error!(%error, "download failure not audited");
        }
    }
}
