//! The service desk's work: the queues, decisions (in [`decide`]) and their emails.

pub mod decide;
pub mod emails;

use crate::backend::db::Db;
use crate::backend::db::applications as repo;
use crate::error::AppError;
use crate::model::service_desk::ServiceDeskHome;

/// The start page's counts of applications waiting for a decision.
pub async fn home(db: &Db, name: String) -> Result<ServiceDeskHome, AppError> {
    let mut conn = db.pool.acquire().await.map_err(failed)?;
    let counts = repo::open_counts(&mut conn).await.map_err(failed)?;
    let count = |kind: &str| {
        counts
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0, |(_, n)| *n)
    };
    Ok(ServiceDeskHome {
        name,
        mailbox_applications: count("mailbox"),
        account_applications: count("account"),
        workflow_requests: count("workflow_request"),
    })
}

fn failed(error: sqlx::Error) -> AppError {
    tracing::error!(%error, "database");
    AppError::Unavailable
}
