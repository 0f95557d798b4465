//! Everything that runs only on the server: state, database access, content storage, mail, the
//! MESH API's rules, and the services that hold the domain rules. No Leptos: pages and server
//! functions (the `app` crate) and the HTTP layer (`server`) call services; services call
//! repositories.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod catalogue;
pub mod clock;
pub mod content;
pub mod crypto;
pub mod db;
pub mod form_route;
pub mod forms;
pub mod guard;
pub mod mail;
pub mod mailboxes;
pub mod mesh;
pub mod messaging;
pub mod network;
pub mod organisations;
pub mod seed;
pub mod service_desk;
pub mod sessions;
pub mod state;

pub use state::{AppState, ServiceConfig};

/// A session store failure, logged and shown as "not available, try later".
pub(crate) fn session_failed(error: impl std::fmt::Display) -> model::AppError {
    tracing::error!(%error, "session");
    model::AppError::Unavailable
}

/// Seconds since the Unix epoch, the time format stored in the database.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
