//! `/health`: for load balancers and monitors, answered to everyone.

use std::time::Duration;

use app::backend::AppState;
use axum::Json;
use axum::extract::State;
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
