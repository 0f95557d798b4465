//! The edge of the service desk's pages: each form post, parsed once into a typed change, goes
//! to its service, and the outcome becomes the page that comes next. The API passwords an
//! approval or a reset issues are kept sealed in the session here until their page shows them
//! once; the services below never see a session, a form's raw fields or a URL.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::decide::{self, DecideError, Decided};
use super::issued::IssuedMailbox;
use super::mailboxes::{self, MailboxChange};
use super::workflows::{self, CatalogueChange};
use super::{assign_to_me, resend_email, users};
use crate::AppState;
use crate::form_route::FormRoute;
use crate::guard::CurrentUser;
use crate::session_failed;
use model::applications::Reference;
use model::applications::account::split_mailbox_ids;
use model::applications::free_text;
use model::catalogue::WorkflowId;
use model::common::{Direction, Environment};
use model::error::AppError;
use model::forms::{FieldError, FormDto, FormValues};
use model::service_desk::mailboxes::{MailboxAction, MailboxDetail, REASON_MAX_CHARS};
use model::service_desk::workflows::{WorkflowAction, WorkflowForm};
use model::service_desk::{
    ASSIGN_TO_ME, ApplicationDetail, DecisionForm, IssuedView, RESEND_EMAIL, UserAction, paths,
};

/// The session key of the API passwords to show once (sealed).
const ISSUED: &str = "service_desk.issued";

/// The service desk's forms: on an application's page, a person's, a mailbox's, and the
/// catalogue's (a new entry, or one entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceDeskForm {
    Application { reference: String },
    User { user_id: String },
    Mailbox { mailbox_id: String },
    NewWorkflow,
    Workflow { workflow_id: String },
}

impl ServiceDeskForm {
    /// `workflows/new` comes before `workflows/{workflow_id}`: the first route that matches wins.
    pub const ROUTES: &[FormRoute<Self>] = &[
        FormRoute {
            template: "/service-desk/applications/{reference}",
            make: |found| Self::Application {
                reference: found[0].to_owned(),
            },
        },
        FormRoute {
            template: "/service-desk/users/{user_id}",
            make: |found| Self::User {
                user_id: found[0].to_owned(),
            },
        },
        FormRoute {
            template: "/service-desk/mailboxes/{mailbox_id}",
            make: |found| Self::Mailbox {
                mailbox_id: found[0].to_owned(),
            },
        },
        FormRoute {
            template: "/service-desk/workflows/new",
            make: |_| Self::NewWorkflow,
        },
        FormRoute {
            template: "/service-desk/workflows/{workflow_id}",
            make: |found| Self::Workflow {
                workflow_id: found[0].to_owned(),
            },
        },
    ];
}

/// Takes a service desk form from someone the guard let through; returns the page that comes
/// next.
pub async fn submit(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    form: ServiceDeskForm,
    values: &FormValues,
) -> Result<String, AppError> {
    match form {
        ServiceDeskForm::Application { reference } => {
            let reference = Reference::parse(&reference).map_err(|_| {
                AppError::NotFound(format!(
                    "There is no application with the reference {reference}"
                ))
            })?;
            act_on_application(state, session, user, &reference, values).await?;
            Ok(paths::application(reference.as_str()))
        }
        ServiceDeskForm::User { user_id } => {
            let action = UserAction::parse(values.get("action"))
                .ok_or_else(|| AppError::invalid("action", "Choose what to do"))?;
            let mailbox_ids = split_mailbox_ids(values.get("mailbox_ids"));
            users::act(state, user, &user_id, action, &mailbox_ids).await?;
            Ok(paths::user(&user_id))
        }
        ServiceDeskForm::Mailbox { mailbox_id } => {
            let change = mailbox_change(values)?;
            if let Some(issued) = mailboxes::act(state, user, &mailbox_id, change).await? {
                keep_issued(state, session, &issued_key(&mailbox_id), &[issued]).await?;
            }
            Ok(paths::mailbox(&mailbox_id))
        }
        ServiceDeskForm::NewWorkflow => {
            let entry = WorkflowForm::check(values).map_err(AppError::Form)?.entry();
            let saved = workflows::save(state, user, CatalogueChange::Add(entry)).await?;
            Ok(paths::workflow(&saved))
        }
        ServiceDeskForm::Workflow { workflow_id } => {
            let change = catalogue_change(&workflow_id, values)?;
            let saved = workflows::save(state, user, change).await?;
            Ok(paths::workflow(&saved))
        }
    }
}

/// An application's page, with the API passwords of an approval a moment ago (once).
pub async fn application_page(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    reference: &str,
) -> Result<ApplicationDetail, AppError> {
    let mut detail = super::detail(state, user, reference).await?;
    detail.issued = take_issued(state, session, &detail.reference).await?;
    Ok(detail)
}

/// A mailbox's page, with a new API password set a moment ago (once).
pub async fn mailbox_page(
    state: &AppState,
    session: &Session,
    mailbox_id: &str,
) -> Result<MailboxDetail, AppError> {
    let mut detail = mailboxes::detail(state, mailbox_id).await?;
    detail.issued = take_issued(state, session, &issued_key(mailbox_id)).await?;
    Ok(detail)
}

/// The form posted to an application's page: send an email again, "assign to me", or a
/// decision.
async fn act_on_application(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    reference: &Reference,
    values: &FormValues,
) -> Result<(), AppError> {
    let resend = values.get(RESEND_EMAIL);
    if !resend.is_empty() {
        return resend_email(state, user, reference, resend).await;
    }
    if !values.get(ASSIGN_TO_ME).is_empty() {
        return assign_to_me(state, user, reference).await;
    }
    let form = DecisionForm::check(values).map_err(AppError::Form)?;
    let decided = decide::decide(state, reference, form.decision(), &form.note, &user.actor())
        .await
        .map_err(|error| match error {
            DecideError::Database(error) => error.into(),
            DecideError::NotFound(_) => AppError::NotFound(error.to_string()),
            other => AppError::Form(vec![FieldError::new("decision", other.to_string())]),
        })?;
    if let Decided::Approved { mailboxes } = decided
        && !mailboxes.is_empty()
    {
        keep_issued(state, session, reference.as_str(), &mailboxes).await?;
    }
    Ok(())
}

/// The change an entry's page asks for: retire, reinstate, or its fields saved (the entry's ID
/// is the page's own, whatever the form sent).
fn catalogue_change(workflow_id: &str, values: &FormValues) -> Result<CatalogueChange, AppError> {
    let workflow_id = workflow_id.to_owned();
    Ok(
        match WorkflowAction::parse(values.get("action")).unwrap_or(WorkflowAction::Save) {
            WorkflowAction::Retire => CatalogueChange::Retire { workflow_id },
            WorkflowAction::Reinstate => CatalogueChange::Reinstate { workflow_id },
            WorkflowAction::Save => {
                let mut values = values.clone();
                values.0.retain(|(name, _)| name != "workflow_id");
                values.0.push(("workflow_id".to_owned(), workflow_id));
                CatalogueChange::Edit(
                    WorkflowForm::check(&values)
                        .map_err(AppError::Form)?
                        .entry(),
                )
            }
        },
    )
}

/// The change the mailbox page's form asks for, checked: each field's error by its field.
fn mailbox_change(values: &FormValues) -> Result<MailboxChange, AppError> {
    let action = MailboxAction::parse(values.get("action"))
        .ok_or_else(|| AppError::invalid("action", "Choose what to do"))?;
    Ok(match action {
        MailboxAction::Suspend => MailboxChange::Suspend {
            reason: free_text(
                values.get("reason"),
                "The reason for suspending the mailbox",
                REASON_MAX_CHARS,
                true,
                true,
            )
            .map_err(|message| AppError::invalid("reason", message))?,
        },
        MailboxAction::Reactivate => MailboxChange::Reactivate,
        MailboxAction::ResetApiPassword => MailboxChange::ResetApiPassword,
        MailboxAction::SetWorkflow => {
            registration(values.get("workflow_id"), values.get("direction"))?
        }
        MailboxAction::RemoveWorkflow => MailboxChange::RemoveWorkflow {
            workflow_id: values.get("workflow_id").trim().to_owned(),
        },
    })
}

/// The workflow and direction of the "register for a workflow" form.
fn registration(workflow_id: &str, direction: &str) -> Result<MailboxChange, AppError> {
    let mut errors = Vec::new();
    let workflow_id = WorkflowId::parse(workflow_id.trim())
        .map_err(|error| errors.push(FieldError::new("workflow_id", error.to_string())))
        .ok();
    let direction = Direction::parse(direction);
    if direction.is_none() {
        errors.push(FieldError::new(
            "direction",
            "Select whether the mailbox sends, receives, or both",
        ));
    }
    match (workflow_id, direction) {
        (Some(workflow_id), Some(direction)) => Ok(MailboxChange::SetWorkflow {
            workflow_id,
            direction,
        }),
        _ => Err(AppError::Form(errors)),
    }
}

fn issued_key(mailbox_id: &str) -> String {
    format!("mailbox:{mailbox_id}")
}

/// The API passwords of an approval, kept sealed in the session until its page shows them once.
#[derive(Serialize, Deserialize)]
struct Issued {
    reference: String,
    sealed: String,
}

async fn keep_issued(
    state: &AppState,
    session: &Session,
    reference: &str,
    mailboxes: &[IssuedMailbox],
) -> Result<(), AppError> {
    let views: Vec<(String, String, String)> = mailboxes
        .iter()
        .map(|m| {
            (
                m.mailbox_id.clone(),
                m.environment.as_str().to_owned(),
                m.api_password.clone(),
            )
        })
        .collect();
    let json = serde_json::to_vec(&views).map_err(|_| AppError::Internal)?;
    let issued = Issued {
        reference: reference.to_owned(),
        sealed: state.secret_key.seal(&json),
    };
    session
        .insert(ISSUED, &issued)
        .await
        .map_err(session_failed)
}

async fn take_issued(
    state: &AppState,
    session: &Session,
    reference: &str,
) -> Result<Vec<IssuedView>, AppError> {
    let issued: Option<Issued> = session.get(ISSUED).await.map_err(session_failed)?;
    let Some(issued) = issued.filter(|i| i.reference == reference) else {
        return Ok(Vec::new());
    };
    session.remove_value(ISSUED).await.map_err(session_failed)?;
    let views: Vec<(String, String, String)> = state
        .secret_key
        .open(&issued.sealed)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default();
    Ok(views
        .into_iter()
        .map(|(mailbox_id, environment, api_password)| IssuedView {
            environment: Environment::parse(&environment)
                .map_or(environment, |e| e.label().to_owned()),
            mailbox_id,
            api_password,
        })
        .collect())
}
