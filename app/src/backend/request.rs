//! What a server function knows about the request it serves: the browser session and where the
//! request came from (set by the server's access-route middleware).

use tower_sessions::Session;

use super::network::ClientInfo;
use crate::error::AppError;

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
