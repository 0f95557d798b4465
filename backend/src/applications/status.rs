//! The status page's lookup. It answers only when the reference and the applicant's email address
//! both match, and answers a wrong email exactly as it answers an unknown reference, so that
//! references cannot be probed.

use crate::db::Db;
use crate::db::applications as repo;
use model::accounts::NhsEmail;
use model::applications::{
    ApplicationKind, ApplicationStatus, ApplicationStatusView, Reference, StatusEvent,
};
use model::error::AppError;
use model::forms::FieldError;

/// The one answer for "no such reference" and "not this email address".
pub const NOT_FOUND: &str = "We could not find an application with this reference and email \
                             address. Check both against your confirmation email";

/// The application's status and history, if `email` is the one it was sent with.
pub async fn lookup(
    db: &Db,
    reference: &Reference,
    email: &NhsEmail,
) -> Result<Option<ApplicationStatusView>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let summary = repo::find_summary(&mut conn, reference.as_str()).await?;
    let Some((kind, status, applicant_email, submitted_at)) = summary else {
        return Ok(None);
    };
    if applicant_email != email.as_str() {
        return Ok(None);
    }
    let history = repo::events(&mut conn, reference.as_str())
        .await?
        .into_iter()
        .filter_map(|(status, note, at)| {
            Some(StatusEvent {
                status: ApplicationStatus::parse(&status)?,
                at,
                note,
            })
        })
        .collect();
    Ok(Some(ApplicationStatusView {
        reference: reference.to_string(),
        kind: ApplicationKind::parse(&kind).unwrap_or(reference.kind()),
        status: ApplicationStatus::parse(&status).unwrap_or(ApplicationStatus::Submitted),
        submitted_at,
        history,
    }))
}

/// Reads what the status page's form sent and looks the application up: a malformed email is
/// named as such; every other miss is [`NOT_FOUND`].
pub async fn check(
    db: &Db,
    reference: &str,
    email: &str,
) -> Result<ApplicationStatusView, AppError> {
    let email = NhsEmail::parse(email)
        .map_err(|e| AppError::Form(vec![FieldError::new("email", e.to_string())]))?;
    let not_found = || AppError::Form(vec![FieldError::new("email", NOT_FOUND)]);
    let Ok(reference) = Reference::parse(reference) else {
        return Err(not_found());
    };
    lookup(db, &reference, &email).await?.ok_or_else(not_found)
}
