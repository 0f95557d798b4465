//! The edge of the applications' pages. Answers to question pages: each form is checked with its
//! DTO (and against the database where a rule needs it), and only a fully checked answer is
//! written into the draft kept in the browser session; a refused form changes nothing. A
//! finished draft goes to [`super::submit`], an answer to a question to [`super::questions`];
//! what they return becomes the page that comes next.

use crate::session_failed;
use tower_sessions::Session;

use super::submit::{self, check_mailboxes};
use crate::AppState;
use crate::db::applications as repo;
use crate::form_route::FormRoute;
use crate::network::ClientInfo;
use model::applications::Drafts;
use model::applications::account::{
    self, AccessForm, AccountDraft, AccountOrganisationForm, EmailForm, MailboxesForm, NameForm,
    ReasonForm, split_mailbox_ids,
};
use model::applications::mailbox::{
    self, ADD_WORKFLOW, ContactForm, DeclarationForm, EnvironmentForm, FileSize, FileSizeForm,
    MailboxDraft, NamedOrganisation, OrganisationForm, REMOVE_WORKFLOW, RequestedWorkflow,
};
use model::applications::workflow_request::{self, WorkflowRequestForm};
use model::catalogue::{WorkflowStatus, encode_query_value};
use model::common::Direction;
use model::error::AppError;
use model::forms::{FieldError, FormDto, FormValues, MAX_FORM_PAIRS};
use model::organisations::OdsCode;

const MAILBOX_DRAFT: &str = "application.mailbox";
const ACCOUNT_DRAFT: &str = "application.account";
const SENT_MAILBOX: &str = "sent.mailbox";
const SENT_ACCOUNT: &str = "sent.account";
const SENT_WORKFLOW_REQUEST: &str = "sent.workflow_request";

/// The question pages of a mailbox application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxQuestion {
    Organisation,
    Environment,
    Workflows,
    FileSize,
    Contact,
}

/// The question pages of a MESH UI account application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountQuestion {
    Organisation,
    Mailboxes,
    Name,
    Email,
    Access,
    Reason,
}

/// The forms of the applications' pages, without signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationForm {
    Mailbox(MailboxQuestion),
    /// Check your answers: send the mailbox application.
    SendMailbox,
    Account(AccountQuestion),
    SendAccount,
    WorkflowRequest,
    /// Throw a draft away and begin again.
    StartAgain,
    /// An applicant's answer to the service desk's question, from the link in its email.
    Answer {
        reference: String,
        token: String,
    },
}

impl ApplicationForm {
    pub const ROUTES: &[FormRoute<Self>] = &[
        FormRoute {
            template: mailbox::paths::ORGANISATION,
            make: |_| Self::Mailbox(MailboxQuestion::Organisation),
        },
        FormRoute {
            template: mailbox::paths::ENVIRONMENT,
            make: |_| Self::Mailbox(MailboxQuestion::Environment),
        },
        FormRoute {
            template: mailbox::paths::WORKFLOWS,
            make: |_| Self::Mailbox(MailboxQuestion::Workflows),
        },
        FormRoute {
            template: mailbox::paths::FILE_SIZE,
            make: |_| Self::Mailbox(MailboxQuestion::FileSize),
        },
        FormRoute {
            template: mailbox::paths::CONTACT,
            make: |_| Self::Mailbox(MailboxQuestion::Contact),
        },
        FormRoute {
            template: mailbox::paths::CHECK,
            make: |_| Self::SendMailbox,
        },
        FormRoute {
            template: account::paths::ORGANISATION,
            make: |_| Self::Account(AccountQuestion::Organisation),
        },
        FormRoute {
            template: account::paths::MAILBOXES,
            make: |_| Self::Account(AccountQuestion::Mailboxes),
        },
        FormRoute {
            template: account::paths::NAME,
            make: |_| Self::Account(AccountQuestion::Name),
        },
        FormRoute {
            template: account::paths::EMAIL,
            make: |_| Self::Account(AccountQuestion::Email),
        },
        FormRoute {
            template: account::paths::ACCESS,
            make: |_| Self::Account(AccountQuestion::Access),
        },
        FormRoute {
            template: account::paths::REASON,
            make: |_| Self::Account(AccountQuestion::Reason),
        },
        FormRoute {
            template: account::paths::CHECK,
            make: |_| Self::SendAccount,
        },
        FormRoute {
            template: workflow_request::paths::REQUEST,
            make: |_| Self::WorkflowRequest,
        },
        FormRoute {
            template: "/apply/start-again",
            make: |_| Self::StartAgain,
        },
        FormRoute {
            template: "/applications/{reference}/answer/{token}",
            make: |found| Self::Answer {
                reference: found[0].to_owned(),
                token: found[1].to_owned(),
            },
        },
    ];
}

/// The drafts and sent references of this browser session.
pub async fn drafts(session: &Session) -> Result<Drafts, AppError> {
    Ok(Drafts {
        mailbox: get(session, MAILBOX_DRAFT).await?.unwrap_or_default(),
        account: get(session, ACCOUNT_DRAFT).await?.unwrap_or_default(),
        sent_mailbox: get(session, SENT_MAILBOX).await?,
        sent_account: get(session, SENT_ACCOUNT).await?,
        sent_workflow_request: get(session, SENT_WORKFLOW_REQUEST).await?,
    })
}

async fn get<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    match session.get::<T>(key).await {
        Ok(value) => Ok(value),
        Err(tower_sessions::session::Error::SerdeJson(error)) => {
            // A draft written by an older version of the form: start that one afresh.
            tracing::warn!(%error, session.key = key, "unreadable draft dropped");
            Ok(None)
        }
        Err(error) => Err(session_failed(error)),
    }
}

async fn put<T: serde::Serialize>(session: &Session, key: &str, value: &T) -> Result<(), AppError> {
    session.insert(key, value).await.map_err(session_failed)
}

/// Takes the form posted to `path`: stores the checked answer and says which page comes next, or
/// says what is wrong (`AppError::Form`) and stores nothing.
pub async fn submit(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    form: ApplicationForm,
    values: &FormValues,
) -> Result<String, AppError> {
    if values.0.len() > MAX_FORM_PAIRS {
        return Err(AppError::invalid(
            "form",
            format!("A form can send at most {MAX_FORM_PAIRS} answers"),
        ));
    }
    match form {
        ApplicationForm::SendMailbox => {
            let draft = drafts(session).await?.mailbox;
            DeclarationForm::check(values).map_err(AppError::Form)?;
            let reference = submit::submit_mailbox(state, &draft).await?;
            session
                .remove_value(MAILBOX_DRAFT)
                .await
                .map_err(session_failed)?;
            put(session, SENT_MAILBOX, &reference.as_str()).await?;
            Ok(mailbox::paths::CONFIRMATION.to_owned())
        }
        ApplicationForm::SendAccount => {
            let draft = drafts(session).await?.account;
            let reference = submit::submit_account(state, &draft).await?;
            session
                .remove_value(ACCOUNT_DRAFT)
                .await
                .map_err(session_failed)?;
            put(session, SENT_ACCOUNT, &reference.as_str()).await?;
            Ok(account::paths::CONFIRMATION.to_owned())
        }
        ApplicationForm::WorkflowRequest => {
            let form = WorkflowRequestForm::check(values).map_err(AppError::Form)?;
            let reference = submit::submit_workflow_request(state, &form.request()).await?;
            put(session, SENT_WORKFLOW_REQUEST, &reference.as_str()).await?;
            Ok(workflow_request::paths::CONFIRMATION.to_owned())
        }
        ApplicationForm::StartAgain => {
            let which = values.get("application");
            let key = match which {
                "mailbox" => MAILBOX_DRAFT,
                "account" => ACCOUNT_DRAFT,
                _ => return Err(AppError::invalid("application", "Choose an application")),
            };
            session.remove_value(key).await.map_err(session_failed)?;
            Ok(format!("/apply/{which}"))
        }
        ApplicationForm::Mailbox(question) => {
            let mut draft = drafts(session).await?.mailbox;
            let next = answer_mailbox(state, &mut draft, question, values).await?;
            put(session, MAILBOX_DRAFT, &draft).await?;
            Ok(next)
        }
        ApplicationForm::Account(question) => {
            let mut draft = drafts(session).await?.account;
            let next = answer_account(state, &mut draft, question, values).await?;
            put(session, ACCOUNT_DRAFT, &draft).await?;
            Ok(next)
        }
        ApplicationForm::Answer { reference, token } => {
            super::questions::answer(state, client, &reference, &token, values.get("answer"))
                .await?;
            Ok(model::applications::answer_path(&reference, &token))
        }
    }
}

/// The next question, or check your answers once nothing is missing.
fn next_or_check(complete: bool, next: &str, check: &str) -> String {
    if complete { check } else { next }.to_owned()
}

fn form_error(field: &str, message: impl Into<String>) -> AppError {
    AppError::Form(vec![FieldError::new(field, message)])
}

async fn find_organisation(
    state: &AppState,
    code: &OdsCode,
    field: &str,
) -> Result<NamedOrganisation, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let name = repo::organisation_name(&mut conn, code.as_str()).await?;
    name.map(|name| NamedOrganisation {
        ods_code: code.as_str().to_owned(),
        name,
    })
    .ok_or_else(|| {
        form_error(
            field,
            format!(
                "No organisation with the ODS code {code} is on our list. Check the code, or \
                 find it with the ODS code finder"
            ),
        )
    })
}

async fn answer_mailbox(
    state: &AppState,
    draft: &mut MailboxDraft,
    question: MailboxQuestion,
    values: &FormValues,
) -> Result<String, AppError> {
    use mailbox::paths;
    let next = match question {
        MailboxQuestion::Organisation => {
            let form = OrganisationForm::check(values).map_err(AppError::Form)?;
            let Some((own, third)) = form.codes() else {
                return Err(AppError::Internal);
            };
            let organisation = find_organisation(state, &own, "ods_code").await;
            let third_party = match &third {
                Some(code) => Some(find_organisation(state, code, "third_party_ods_code").await),
                None => None,
            };
            let mut errors = Vec::new();
            for result in [Some(&organisation), third_party.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Err(AppError::Form(found)) = result {
                    errors.extend(found.iter().cloned());
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Form(errors));
            }
            draft.organisation = Some(organisation?);
            draft.third_party = third_party.transpose()?;
            draft.organisation_answered = true;
            paths::ENVIRONMENT
        }
        MailboxQuestion::Environment => {
            let form = EnvironmentForm::check(values).map_err(AppError::Form)?;
            draft.environments = form.environments();
            paths::WORKFLOWS
        }
        MailboxQuestion::Workflows => return answer_workflows(state, draft, values),
        MailboxQuestion::FileSize => {
            let form = FileSizeForm::check(values).map_err(AppError::Form)?;
            draft.file_size = FileSize::parse(&form.file_size);
            paths::CONTACT
        }
        MailboxQuestion::Contact => {
            let form = ContactForm::check(values).map_err(AppError::Form)?;
            draft.contact = Some(form.contact());
            paths::CHECK
        }
    };
    Ok(next_or_check(
        draft.missing().is_empty(),
        next,
        paths::CHECK,
    ))
}

/// The workflows page: add one (with its direction), remove one, or go on.
fn answer_workflows(
    state: &AppState,
    draft: &mut MailboxDraft,
    values: &FormValues,
) -> Result<String, AppError> {
    use mailbox::paths;
    let q = values.get("q").trim();
    let back_here = if q.is_empty() || q.chars().count() > 100 {
        paths::WORKFLOWS.to_owned()
    } else {
        format!("{}?q={}", paths::WORKFLOWS, encode_query_value(q))
    };
    if let Some(workflow_id) = values
        .0
        .iter()
        .find(|(n, _)| n == ADD_WORKFLOW)
        .map(|(_, v)| v)
    {
        let field = format!("direction-{workflow_id}");
        let detail = state
            .catalogue
            .get(workflow_id)
            .filter(|d| d.summary.workflow_id == *workflow_id)
            .ok_or_else(|| {
                form_error(
                    "q",
                    "That workflow ID is not in the catalogue. Search for it again",
                )
            })?;
        if detail.summary.status != WorkflowStatus::Active {
            return Err(form_error(
                "q",
                format!(
                    "{workflow_id} is retired and cannot be added to a new mailbox",
                    workflow_id = detail.summary.workflow_id
                ),
            ));
        }
        let direction = Direction::parse(values.get(&field)).ok_or_else(|| {
            form_error(
                &field,
                "Select whether the mailbox sends, receives, or sends and receives it",
            )
        })?;
        match draft
            .workflows
            .iter_mut()
            .find(|w| w.workflow_id == *workflow_id)
        {
            Some(existing) => existing.direction = direction,
            None => {
                if draft.workflows.len() >= 50 {
                    return Err(form_error(
                        "q",
                        "One application can ask for 50 workflows at most",
                    ));
                }
                draft.workflows.push(RequestedWorkflow {
                    workflow_id: detail.summary.workflow_id.clone(),
                    description: detail.summary.description.clone(),
                    direction,
                });
            }
        }
        return Ok(back_here);
    }
    if let Some(workflow_id) = values
        .0
        .iter()
        .find(|(n, _)| n == REMOVE_WORKFLOW)
        .map(|(_, v)| v)
    {
        draft.workflows.retain(|w| w.workflow_id != *workflow_id);
        return Ok(back_here);
    }
    if draft.workflows.is_empty() {
        return Err(form_error(
            "q",
            "Add at least one workflow: search for it, then select Add",
        ));
    }
    Ok(next_or_check(
        draft.missing().is_empty(),
        paths::FILE_SIZE,
        paths::CHECK,
    ))
}

async fn answer_account(
    state: &AppState,
    draft: &mut AccountDraft,
    question: AccountQuestion,
    values: &FormValues,
) -> Result<String, AppError> {
    use account::paths;
    let next = match question {
        AccountQuestion::Organisation => {
            let form = AccountOrganisationForm::check(values).map_err(AppError::Form)?;
            let code = OdsCode::parse(&form.ods_code).map_err(|_| AppError::Internal)?;
            let organisation = find_organisation(state, &code, "ods_code").await?;
            if draft.organisation.as_ref() != Some(&organisation) {
                // Mailboxes were checked against the old organisation.
                draft.mailbox_ids.clear();
            }
            draft.organisation = Some(organisation);
            paths::MAILBOXES
        }
        AccountQuestion::Mailboxes => {
            let form = MailboxesForm::check(values).map_err(AppError::Form)?;
            let Some(organisation) = &draft.organisation else {
                return Err(form_error(
                    paths::ORGANISATION,
                    "Enter your organisation's ODS code first",
                ));
            };
            let ids = split_mailbox_ids(&form.mailbox_ids);
            check_mailboxes(state, &ids, &organisation.ods_code).await?;
            draft.mailbox_ids = ids;
            paths::NAME
        }
        AccountQuestion::Name => {
            let form = NameForm::check(values).map_err(AppError::Form)?;
            let (first, last) = form.names();
            draft.first_name = Some(first);
            draft.last_name = Some(last);
            paths::EMAIL
        }
        AccountQuestion::Email => {
            let form = EmailForm::check(values).map_err(AppError::Form)?;
            draft.email = form.email().map(String::from);
            paths::ACCESS
        }
        AccountQuestion::Access => {
            let form = AccessForm::check(values).map_err(AppError::Form)?;
            draft.access_route = form.route();
            draft.smartcard_number = form.smartcard();
            paths::REASON
        }
        AccountQuestion::Reason => {
            let form = ReasonForm::check(values).map_err(AppError::Form)?;
            draft.reason = Some(form.reason());
            paths::CHECK
        }
    };
    Ok(next_or_check(
        draft.missing().is_empty(),
        next,
        paths::CHECK,
    ))
}
