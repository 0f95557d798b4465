//! What a server function knows about the request it serves: the service's state, the browser
//! session, and where the request came from (set by the server's access-route middleware).

use tower_sessions::Session;

use crate::backend::AppState;
use crate::backend::network::ClientInfo;
use crate::error::AppError;

/// The service's state, from the server function's or component's context.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState is missing from the Leptos context");
        AppError::Internal
    })
}

/// The request's browser session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session on the request");
        AppError::Internal
    })
}

/// The request's client address and access route.
pub async fn client() -> Result<ClientInfo, AppError> {
    leptos_axum::extract::<axum::Extension<ClientInfo>>()
        .await
        .map(|axum::Extension(client)| client)
        .map_err(|error| {
            tracing::error!(%error, "no access route on the request");
            AppError::Internal
        })
}
