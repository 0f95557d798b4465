//! Decisions on applications: approve, reject (with a reason the applicant sees), or ask the
//! applicant a question. A decision, what it creates (mailboxes with their IDs and API
//! passwords, an account, a catalogue entry), its emails and its audit entry are written in one
//! transaction, or none of them is. Of two people deciding at once, one decides and the other is
//! told who did.

use super::emails;
use super::issued::IssuedMailbox;
use crate::AppState;
use crate::accounts::{self, CreateUserError, NewAccount};
use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::{OpenError, SecretKey, hash_token, random_password, random_token};
use crate::db::mailboxes;
use crate::db::service_desk as repo;
use crate::db::workflows as catalogue_repo;
use crate::mail;
use model::accounts::Role;
use model::applications::{ApplicationKind, ApplicationStatus, Reference};
use model::catalogue::WorkflowStatus;
use model::common::MailboxStatus;
use model::service_desk::{Decision, MailboxIdError, kind_code, mailbox_id};

/// Length of a new mailbox's MESH API password.
pub const API_PASSWORD_CHARS: usize = 20;

/// A new MESH API password, and what the database keeps of it: the password sealed under the
/// service's secret key, since checking a MESH API token means computing its HMAC again.
pub fn new_api_password(key: &SecretKey) -> (String, String) {
    let password = random_password(API_PASSWORD_CHARS);
    let stored = key.seal(password.as_bytes());
    (password, stored)
}

/// A mailbox's API password from what the database keeps.
pub fn api_password(key: &SecretKey, stored: &str) -> Result<String, OpenError> {
    String::from_utf8(key.open(stored)?).map_err(|_| OpenError)
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    Approved { mailboxes: Vec<IssuedMailbox> },
    Rejected,
    Asked,
}

/// Why a decision was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("There is no application with the reference {0}")]
    NotFound(String),
    /// Someone else decided first, or the application is already decided.
    #[error(
        "This application has already been {status} by {by} on {at}. Your decision was not recorded"
    )]
    AlreadyDecided {
        status: String,
        by: String,
        at: String,
    },
    #[error(
        "This application is waiting for the applicant's answer, so it cannot be {0} yet. Reject it, or wait for the answer"
    )]
    Waiting(&'static str),
    #[error(
        "An account with the email address {0} already exists. Link it to the mailboxes instead"
    )]
    AccountExists(String),
    #[error("The workflow ID {0} is already in the catalogue")]
    WorkflowExists(String),
    #[error(transparent)]
    MailboxId(#[from] MailboxIdError),
    #[error("The application's details are incomplete: {0}")]
    Incomplete(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Records `decision` on `reference` by `actor` (a member of staff), with `note` (the reason
/// or the question).
pub async fn decide(
    state: &AppState,
    reference: &Reference,
    decision: Decision,
    note: &str,
    actor: &Actor,
) -> Result<Decided, DecideError> {
    let now = state.clock.now();
    let base_url = &state.config.base_url;
    let mut tx = state.db.begin().await?;
    let row = repo::queue_row(&mut tx, reference.as_str())
        .await?
        .ok_or_else(|| DecideError::NotFound(reference.to_string()))?;
    let current = row.status;
    if current.is_final() {
        drop(tx);
        return Err(already_decided(state, reference).await);
    }
    let to = match decision {
        Decision::Approve => ApplicationStatus::Approved,
        Decision::Reject => ApplicationStatus::Rejected,
        Decision::AskForInformation => ApplicationStatus::MoreInformationNeeded,
    };
    if !current.can_move_to(to) {
        return Err(DecideError::Waiting(match decision {
            Decision::Approve => "approved",
            _ => "asked again",
        }));
    }
    let reason = if decision == Decision::Reject {
        note
    } else {
        ""
    };
    let changed = repo::change_status(
        &mut tx,
        reference.as_str(),
        current.as_str(),
        to.as_str(),
        &actor.id,
        reason,
        now,
        decision == Decision::AskForInformation,
    )
    .await?;
    if !changed {
        drop(tx);
        return Err(already_decided(state, reference).await);
    }
    crate::db::applications::insert_event(&mut tx, reference.as_str(), to, note, now).await?;

    let (decided, mails) = match decision {
        Decision::Approve => approve(state, &mut tx, reference, &row, actor, now).await?,
        Decision::Reject => (
            Decided::Rejected,
            vec![emails::rejected(
                reference,
                &row.applicant_email,
                note,
                base_url,
            )],
        ),
        Decision::AskForInformation => (
            Decided::Asked,
            vec![ask(&mut tx, reference, &row, note, actor, base_url, now).await?],
        ),
    };
    for outgoing in &mails {
        mail::enqueue_about(&mut tx, outgoing, Some(reference.as_str()), now).await?;
    }
    audit::commit_with(
        tx,
        &state.mailer,
        actor,
        Event {
            action: match decision {
                Decision::Approve => "application.approve",
                Decision::Reject => "application.reject",
                Decision::AskForInformation => "application.ask",
            },
            subject: format!("application:{reference}"),
            outcome: Outcome::Success,
            detail: audit_detail(&decided),
        },
        now,
    )
    .await?;
    if decision == Decision::Approve && reference.kind() == ApplicationKind::WorkflowRequest {
        state.catalogue.show_change(&state.db).await;
    }
    tracing::info!(
        application.reference = %reference,
        decision = decision.as_str(),
        "application decided"
    );
    Ok(decided)
}

/// The question asked of an applicant, kept with a one-time link to answer it; returns the
/// email that carries the link.
async fn ask(
    tx: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &repo::QueueRow,
    question: &str,
    actor: &Actor,
    base_url: &str,
    now: i64,
) -> Result<mail::OutgoingMail, DecideError> {
    let token = random_token();
    repo::insert_question(
        tx,
        reference.as_str(),
        question,
        &actor.id,
        &hash_token(&token),
        now,
    )
    .await?;
    let link = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        model::applications::answer_path(reference.as_str(), &token)
    );
    Ok(emails::question(
        reference,
        &row.applicant_email,
        question,
        &link,
        base_url,
    ))
}

/// The audit entry's detail of a decision: the mailboxes an approval issued.
fn audit_detail(decided: &Decided) -> String {
    match decided {
        Decided::Approved { mailboxes } if !mailboxes.is_empty() => format!(
            "mailboxes {}",
            mailboxes
                .iter()
                .map(|m| m.mailbox_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    }
}

/// What approval creates, by kind of application, and the emails it sends.
async fn approve(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &repo::QueueRow,
    actor: &Actor,
    now: i64,
) -> Result<(Decided, Vec<mail::OutgoingMail>), DecideError> {
    match reference.kind() {
        ApplicationKind::Mailbox => approve_mailbox(state, tx, reference, row, now).await,
        ApplicationKind::Account => approve_account(state, tx, reference, row, actor, now).await,
        ApplicationKind::WorkflowRequest => {
            approve_workflow_request(state, tx, reference, row, now).await
        }
    }
}

/// A mailbox application approved: a mailbox in each environment asked for, registered for its
/// workflows, each with an API password.
async fn approve_mailbox(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &repo::QueueRow,
    now: i64,
) -> Result<(Decided, Vec<mail::OutgoingMail>), DecideError> {
    let base_url = &state.config.base_url;
    let answers = repo::mailbox_answers(tx, reference.as_str())
        .await?
        .ok_or(DecideError::Incomplete("no mailbox answers"))?;
    let ods_code = row
        .ods_code
        .clone()
        .ok_or(DecideError::Incomplete("no ODS code"))?;
    let environments = repo::requested_environments(tx, reference.as_str()).await?;
    let workflows = repo::requested_workflows(tx, reference.as_str()).await?;
    let kind = repo::organisation_kind(tx, &ods_code)
        .await?
        .unwrap_or_else(|| "other".to_owned());
    let code = kind_code(&kind);
    let mut issued = Vec::new();
    for environment in &environments {
        let mailbox_id = next_free_mailbox_id(tx, &ods_code, code).await?;
        let (api_password, sealed) = new_api_password(&state.secret_key);
        mailboxes::insert(
            tx,
            &mailboxes::NewMailbox {
                mailbox_id: &mailbox_id,
                ods_code: &ods_code,
                environment: *environment,
                status: MailboxStatus::Active,
                api_password_sealed: Some(&sealed),
                application_reference: Some(reference.as_str()),
                workflows: &workflows,
            },
            now,
        )
        .await?;
        issued.push(IssuedMailbox {
            mailbox_id,
            environment: *environment,
            api_password,
        });
    }
    let mail = emails::mailbox_approved(
        reference,
        &answers.contact_email,
        &answers.organisation_name,
        &issued,
        &workflows,
        base_url,
    );
    Ok((Decided::Approved { mailboxes: issued }, vec![mail]))
}

/// An account application approved: the account, linked to its mailboxes, and its set-up link.
async fn approve_account(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &repo::QueueRow,
    actor: &Actor,
    now: i64,
) -> Result<(Decided, Vec<mail::OutgoingMail>), DecideError> {
    let base_url = &state.config.base_url;
    let answers = repo::account_answers(tx, reference.as_str())
        .await?
        .ok_or(DecideError::Incomplete("no account answers"))?;
    let mailboxes = repo::account_mailboxes(tx, reference.as_str()).await?;
    let account = NewAccount {
        email: row.applicant_email.clone(),
        name: format!("{} {}", answers.first_name, answers.last_name),
        role: Role::MailboxUser,
        mailboxes,
        smartcard_number: answers.smartcard_number.clone(),
    };
    let created = match accounts::create_user_in(tx, account, actor, now).await {
        Ok(created) => created,
        Err(CreateUserError::Exists(email)) => {
            return Err(DecideError::AccountExists(email));
        }
        Err(CreateUserError::Database(error)) => return Err(error.into()),
        Err(_) => return Err(DecideError::Incomplete("the account's details")),
    };
    let link = accounts::activation_link(base_url, &created.activation_token);
    let mail = emails::account_approved(reference, &created.email, &answers.first_name, &link);
    Ok((
        Decided::Approved {
            mailboxes: Vec::new(),
        },
        vec![mail],
    ))
}

/// A request for a new workflow ID approved: the entry in the catalogue.
async fn approve_workflow_request(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &repo::QueueRow,
    now: i64,
) -> Result<(Decided, Vec<mail::OutgoingMail>), DecideError> {
    let base_url = &state.config.base_url;
    let answers = repo::workflow_request_answers(tx, reference.as_str())
        .await?
        .ok_or(DecideError::Incomplete("no workflow request answers"))?;
    let exists = catalogue_repo::list_all(tx)
        .await?
        .iter()
        .any(|w| w.workflow_id == answers.proposed_id);
    if exists {
        return Err(DecideError::WorkflowExists(answers.proposed_id));
    }
    catalogue_repo::save(
        tx,
        &catalogue_repo::WorkflowRow {
            workflow_id: answers.proposed_id.clone(),
            group_name: answers.group_name.clone(),
            description: answers.description.clone(),
            direction: "both".to_owned(),
            ack_of: None,
            status: WorkflowStatus::Active,
            hscn_only: false,
            test_first: false,
            source: "service_desk".to_owned(),
        },
        catalogue_repo::Write::Insert,
        now,
    )
    .await?;
    let mail = emails::workflow_added(
        reference,
        &row.applicant_email,
        &answers.proposed_id,
        base_url,
    );
    Ok((
        Decided::Approved {
            mailboxes: Vec::new(),
        },
        vec![mail],
    ))
}

/// The next Mailbox ID of the sequence that no mailbox has (one added by hand may have taken a
/// number); refuses past 999.
async fn next_free_mailbox_id(
    tx: &mut sqlx::AnyConnection,
    ods_code: &str,
    kind_code: &str,
) -> Result<String, DecideError> {
    loop {
        let sequence = crate::db::mailboxes::next_mailbox_sequence(tx, ods_code, kind_code).await?;
        let candidate = mailbox_id(ods_code, kind_code, sequence)?;
        if crate::db::mailboxes::mailbox_info(tx, &candidate)
            .await?
            .is_none()
        {
            return Ok(candidate);
        }
    }
}

/// The refusal for an application that is already decided, saying by whom and when.
async fn already_decided(state: &AppState, reference: &Reference) -> DecideError {
    let found = async {
        let mut conn = state.db.pool.acquire().await?;
        repo::decision(&mut conn, reference.as_str()).await
    }
    .await;
    match found {
        Ok(Some((status, by, at))) => DecideError::AlreadyDecided {
            status: ApplicationStatus::parse(&status)
                .map_or(status.clone(), |s| s.label().to_lowercase()),
            by: by.unwrap_or_else(|| "another member of staff".to_owned()),
            at: at.map_or_else(|| "an earlier date".to_owned(), model::format_time),
        },
        Ok(None) => DecideError::NotFound(reference.to_string()),
        Err(error) => DecideError::Database(error),
    }
}
