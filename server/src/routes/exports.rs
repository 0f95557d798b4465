//! The CSV downloads: the catalogue's current search, and the service desk's audit log.

use std::collections::HashMap;

use app::AppError;
use app::backend::AppState;
use app::backend::catalogue::export;
use app::backend::network::ClientInfo;
use app::model::catalogue::SearchRequest;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::forms::error_text;
use super::middleware::refused;

/// `GET /workflows.csv?q=&group=`: the current catalogue search as a spreadsheet-safe CSV file.
pub async fn workflows_csv(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = SearchRequest::from_params(
        params.get("q").map(String::as_str),
        params.get("group").map(String::as_str),
        None,
    );
    state.catalogue.follow(&state.db).await;
    let entries = match state.catalogue.search_all(&request) {
        Ok(entries) => entries,
        Err(error) => return error_text(&error),
    };
    match export::to_csv(&entries) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"workflows.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "could not write the catalogue CSV");
            error_text(&AppError::Internal)
        }
    }
}

/// `GET /service-desk/audit.csv?actor=&action=&subject=&from=&to=`: the audit log entries the
/// page's filters select, as a spreadsheet-safe CSV file. For the service desk only.
pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    use app::backend::guard::{Need, require};
    use app::model::service_desk::AuditFilter;
    let what = "export:/service-desk/audit.csv";
    if let Err(error) = require(&state, &session, client, Need::ServiceDesk, what).await {
        return match error {
            AppError::SignInRequired(_) | AppError::Forbidden(_) => refused(&error),
            other => error_text(&other),
        };
    }
    let text = |name: &str| params.get(name).cloned().unwrap_or_default();
    let filter = AuditFilter {
        actor: text("actor"),
        action: text("action"),
        subject: text("subject"),
        from: text("from"),
        to: text("to"),
    };
    match app::backend::service_desk::audit_log::csv(&state, &filter).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-log.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => error_text(&error),
    }
}
