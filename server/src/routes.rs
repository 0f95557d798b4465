//! Routes that are not Leptos pages: health and the catalogue CSV export.

use std::collections::HashMap;
use std::time::Duration;

use app::AppError;
use app::backend::AppState;
use app::backend::catalogue::export;
use app::model::catalogue::SearchRequest;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// How long `/health` waits for the database.
const HEALTH_DB_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health`: 200 when the database answers, 503 when it does not.
pub async fn health(State(state): State<AppState>) -> Response {
    let database_ok = state.db.ping(HEALTH_DB_TIMEOUT).await;
    let (status, word) = if database_ok {
        (StatusCode::OK, "ok")
    } else {
        tracing::warn!("health check: the database did not answer");
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let body = json!({
        "status": word,
        "checks": { "database": { "status": word, "kind": state.db.kind.name() } },
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

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

/// Largest server function error body read to find its status.
const SERVER_FN_ERROR_MAX: usize = 64 * 1024;

/// Gives a failed server function call the status of its [`AppError`] (400 for bad input, 404,
/// 503 …): Leptos answers every server function error with 500, including arguments it could not
/// read.
pub async fn server_fn_error_status(response: Response) -> Response {
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, SERVER_FN_ERROR_MAX).await else {
        return error_text(&AppError::Internal);
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status_code();
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn error_text(error: &AppError) -> Response {
    (
        error.status_code(),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{error}\n"),
    )
        .into_response()
}
