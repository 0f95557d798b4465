//! Sending a finished application: everything it holds, its first history entry and its two
//! emails are written in one transaction, so an application is either wholly stored (and its
//! emails certain to go) or not stored at all.

use sqlx::AnyConnection;

use super::{emails, new_reference};
use crate::AppState;
use crate::db::applications::{self as repo, AccountDetails, ApplicationRow};
use crate::mail;
use model::applications::account::AccountDraft;
use model::applications::mailbox::MailboxDraft;
use model::applications::workflow_request::WorkflowRequest;
use model::applications::{ApplicationKind, ApplicationStatus, Reference};
use model::common::MailboxStatus;
use model::error::AppError;
use model::forms::FieldError;

/// What stops an application from being stored, as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The same request is already waiting for a decision.
    Duplicate(String),
    /// Something it names is no longer usable (a workflow retired since it was added, say).
    Stale(FieldError),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Duplicate(reference) => AppError::Form(vec![FieldError::new(
                format!("/applications/{reference}"),
                format!(
                    "The same application is already waiting for a decision, with reference \
                     {reference}. Select this message to check its progress"
                ),
            )]),
            Refusal::Stale(error) => AppError::Form(vec![error]),
        }
    }
}

/// The common part of a new application.
struct NewApplication<'a> {
    kind: ApplicationKind,
    ods_code: Option<&'a str>,
    applicant_name: &'a str,
    applicant_email: &'a str,
    duplicate_key: String,
}

/// Runs `write` for a new application in one transaction: draws a free reference, refuses a
/// duplicate of a pending application, writes the common row, the kind's own rows, and the
/// emails. A concurrent duplicate that wins the race is caught by the database's unique index and
/// reported the same way.
async fn store(
    state: &AppState,
    new: NewApplication<'_>,
    details: Details<'_>,
) -> Result<Reference, AppError> {
    let result = async {
        let mut tx = state.db.begin().await?;
        if let Some(pending) = repo::pending_with_key(&mut tx, &new.duplicate_key).await? {
            return Err(StoreError::Refused(Refusal::Duplicate(pending)));
        }
        let reference = loop {
            let candidate = new_reference(new.kind);
            if !repo::reference_taken(&mut tx, candidate.as_str()).await? {
                break candidate;
            }
        };
        let now = state.clock.now();
        repo::insert(
            &mut tx,
            &ApplicationRow {
                reference: reference.as_str().to_owned(),
                kind: new.kind,
                status: ApplicationStatus::Submitted,
                ods_code: new.ods_code.map(str::to_owned),
                applicant_name: new.applicant_name.to_owned(),
                applicant_email: new.applicant_email.to_owned(),
                duplicate_key: new.duplicate_key.clone(),
                submitted_at: now,
            },
        )
        .await?;
        let mails = write_details(state, &mut tx, &reference, &details).await?;
        for outgoing in &mails {
            mail::enqueue_about(&mut tx, outgoing, Some(reference.as_str()), now).await?;
        }
        tx.commit().await?;
        Ok(reference)
    }
    .await;
    match result {
        Ok(reference) => {
            tracing::info!(
                application.reference = %reference,
                application.kind = new.kind.as_str(),
                "application submitted"
            );
            state.mailer.wake();
            Ok(reference)
        }
        Err(StoreError::Refused(refusal)) => Err(refusal.into()),
        Err(StoreError::Database(error)) => {
            if is_unique_violation(&error) {
                let mut conn = state.db.pool.acquire().await?;
                if let Some(pending) = repo::pending_with_key(&mut conn, &new.duplicate_key).await?
                {
                    return Err(Refusal::Duplicate(pending).into());
                }
            }
            Err(error.into())
        }
    }
}

/// What each kind of application stores beyond the common row.
enum Details<'a> {
    Mailbox(&'a MailboxDraft),
    Account(&'a AccountDraft),
    WorkflowRequest(&'a WorkflowRequest),
}

/// Writes the kind's own rows and returns its emails.
async fn write_details(
    state: &AppState,
    conn: &mut AnyConnection,
    reference: &Reference,
    details: &Details<'_>,
) -> Result<Vec<mail::OutgoingMail>, StoreError> {
    let service_desk = &state.config.service_desk_email;
    let base_url = &state.config.base_url;
    match details {
        Details::Mailbox(draft) => {
            let (Some(organisation), Some(contact), Some(file_size)) =
                (&draft.organisation, &draft.contact, draft.file_size)
            else {
                return Err(StoreError::Refused(Refusal::Stale(FieldError::new(
                    model::applications::mailbox::paths::CHECK,
                    "Answer every question before sending the application",
                ))));
            };
            for workflow in &draft.workflows {
                let status = repo::workflow_status(conn, &workflow.workflow_id).await?;
                if status.as_deref() != Some("active") {
                    return Err(StoreError::Refused(Refusal::Stale(FieldError::new(
                        model::applications::mailbox::paths::WORKFLOWS,
                        format!(
                            "{} is no longer active. Remove it from the workflows to send the \
                             application",
                            workflow.workflow_id
                        ),
                    ))));
                }
            }
            repo::insert_mailbox_details(
                conn,
                reference.as_str(),
                &organisation.name,
                draft.third_party.as_ref().map(|t| t.ods_code.as_str()),
                file_size.as_str(),
                contact,
                &draft.environments,
                &draft.workflows,
            )
            .await?;
            Ok(emails::mailbox(reference, draft, service_desk, base_url))
        }
        Details::Account(draft) => {
            let details = AccountDetails {
                first_name: draft.first_name.as_deref().unwrap_or_default(),
                last_name: draft.last_name.as_deref().unwrap_or_default(),
                access_route: draft.access_route.map(|r| r.as_str()).unwrap_or_default(),
                smartcard_number: draft.smartcard_number.as_deref(),
                reason: draft.reason.as_deref().unwrap_or_default(),
                mailbox_ids: &draft.mailbox_ids,
            };
            repo::insert_account_details(conn, reference.as_str(), &details).await?;
            Ok(emails::account(reference, draft, service_desk, base_url))
        }
        Details::WorkflowRequest(request) => {
            repo::insert_workflow_request(conn, reference.as_str(), request).await?;
            Ok(emails::workflow_request(
                reference,
                request,
                service_desk,
                base_url,
            ))
        }
    }
}

/// Why [`store`] stopped.
pub enum StoreError {
    Refused(Refusal),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// The key that makes two mailbox applications the same request.
pub fn mailbox_duplicate_key(draft: &MailboxDraft) -> String {
    let ods = draft
        .organisation
        .as_ref()
        .map(|o| o.ods_code.as_str())
        .unwrap_or_default();
    let mut environments: Vec<&str> = draft.environments.iter().map(|e| e.as_str()).collect();
    environments.sort_unstable();
    let mut workflows: Vec<&str> = draft
        .workflows
        .iter()
        .map(|w| w.workflow_id.as_str())
        .collect();
    workflows.sort_unstable();
    format!(
        "mailbox|{ods}|{}|{}",
        environments.join(","),
        workflows.join(",")
    )
}

/// Sends the mailbox application in the draft (its declaration ticked: the page checks it).
pub async fn submit_mailbox(state: &AppState, draft: &MailboxDraft) -> Result<Reference, AppError> {
    let missing = draft.missing();
    if !missing.is_empty() {
        return Err(AppError::Form(missing));
    }
    let (Some(organisation), Some(contact)) = (&draft.organisation, &draft.contact) else {
        return Err(AppError::Internal);
    };
    let new = NewApplication {
        kind: ApplicationKind::Mailbox,
        ods_code: Some(&organisation.ods_code),
        applicant_name: &contact.name,
        applicant_email: &contact.email,
        duplicate_key: mailbox_duplicate_key(draft),
    };
    store(state, new, Details::Mailbox(draft)).await
}

/// Sends the account application in the draft.
pub async fn submit_account(state: &AppState, draft: &AccountDraft) -> Result<Reference, AppError> {
    let missing = draft.missing();
    if !missing.is_empty() {
        return Err(AppError::Form(missing));
    }
    let (Some(organisation), Some(first), Some(last), Some(email)) = (
        &draft.organisation,
        &draft.first_name,
        &draft.last_name,
        &draft.email,
    ) else {
        return Err(AppError::Internal);
    };
    // A mailbox may have been closed since it was named.
    check_mailboxes(state, &draft.mailbox_ids, &organisation.ods_code)
        .await
        .map_err(|error| match error {
            AppError::Form(mut errors) => {
                for e in &mut errors {
                    e.field_id = model::applications::account::paths::MAILBOXES.into();
                }
                AppError::Form(errors)
            }
            other => other,
        })?;
    let mut mailbox_ids = draft.mailbox_ids.clone();
    mailbox_ids.sort_unstable();
    let name = format!("{first} {last}");
    let new = NewApplication {
        kind: ApplicationKind::Account,
        ods_code: Some(&organisation.ods_code),
        applicant_name: &name,
        applicant_email: email,
        duplicate_key: format!("account|{email}|{}", mailbox_ids.join(",")),
    };
    store(state, new, Details::Account(draft)).await
}

/// Sends a request for a new workflow ID.
pub async fn submit_workflow_request(
    state: &AppState,
    request: &WorkflowRequest,
) -> Result<Reference, AppError> {
    if state.catalogue.get(&request.proposed_id).is_some() {
        return Err(AppError::Form(vec![FieldError::new(
            "proposed_id",
            format!(
                "{} is already in the catalogue. Choose another ID, or use the existing one",
                request.proposed_id
            ),
        )]));
    }
    let new = NewApplication {
        kind: ApplicationKind::WorkflowRequest,
        ods_code: None,
        applicant_name: &request.requester_name,
        applicant_email: &request.requester_email,
        duplicate_key: format!("workflow_request|{}", request.proposed_id),
    };
    store(state, new, Details::WorkflowRequest(request)).await
}

/// Each Mailbox ID must exist, be active and belong to the applicant's organisation.
pub(crate) async fn check_mailboxes(
    state: &AppState,
    ids: &[String],
    ods_code: &str,
) -> Result<(), AppError> {
    let mut conn = state.db.pool.acquire().await?;
    if repo::count_mailboxes(&mut conn).await? == 0 {
        return Err(AppError::Form(vec![FieldError::new(
            "mailbox_ids",
            "This service has not issued any mailboxes yet, so the Mailbox ID cannot be \
             checked. Apply for a mailbox first: you can apply for an account once its \
             Mailbox ID has been emailed to you",
        )]));
    }
    for id in ids {
        let message = match crate::db::mailboxes::mailbox_info(&mut conn, id).await? {
            None => format!(
                "There is no mailbox with the ID {id}. Check the ID in the email that gave you \
                 the mailbox"
            ),
            Some(mailbox) if mailbox.ods_code != ods_code => {
                format!("Mailbox {id} does not belong to ODS code {ods_code}")
            }
            Some(mailbox) if mailbox.status != MailboxStatus::Active => {
                format!(
                    "Mailbox {id} is {}; accounts can only be added to active mailboxes",
                    mailbox.status.as_str()
                )
            }
            Some(_) => continue,
        };
        return Err(AppError::Form(vec![FieldError::new(
            "mailbox_ids",
            message,
        )]));
    }
    Ok(())
}
