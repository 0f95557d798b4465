//! The one error type that crosses the UI boundary.
//!
//! Server functions return `Result<T, AppError>`. Each variant says what the user can do about it;
//! internal details are logged where they happen and never reach the browser.

use http::StatusCode;
use serde::{Deserialize, Serialize};
#[cfg(feature = "server-fn")]
use server_fn::codec::JsonEncoding;
#[cfg(feature = "server-fn")]
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::forms::FieldError;

/// An error shown to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be served as given; `field` names the input to fix, if there is one.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// A form was sent with answers that need fixing, one message per field.
    #[error("There is a problem: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Form(Vec<FieldError>),
    /// A dependency (the database) is not answering; trying again later may work.
    #[error("The service is not available at the moment. Try again later.")]
    Unavailable,
    /// Something went wrong on the server; the details are in the server's log.
    #[error("Sorry, there is a problem with the service. Try again later.")]
    Internal,
    /// The page or action needs a signed-in person; the words say why (never signed in, or the
    /// sign-in ran out).
    #[error("{0}")]
    SignInRequired(String),
    /// The signed-in person may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A one-time thing (a set-up link) that no longer works.
    #[error("{0}")]
    Gone(String),
    /// Too many attempts in a short time; the words say how long to wait.
    #[error("{0}")]
    TooMany(String),
    /// The call between browser and server failed (network, encoding).
    #[error("Sorry, the page could not reach the service: {0}")]
    Transport(String),
}

impl AppError {
    /// An error about one form field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// The HTTP status that goes with this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid { .. } | Self::Form(_) => StatusCode::BAD_REQUEST,
            Self::SignInRequired(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Gone(_) => StatusCode::GONE,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A database failure: logged where it happens, shown as "not available, try later" (nothing of
/// the database's own words reaches a page). Server only: the browser has no database.
#[cfg(feature = "database")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database");
        Self::Unavailable
    }
}

#[cfg(feature = "server-fn")]
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::Invalid {
                    field: None,
                    message,
                }
            }
            // On the server this is a request whose arguments could not be read.
            ServerFnErrorErr::Deserialization(message) => Self::Invalid {
                field: None,
                message: format!("The request could not be read: {message}"),
            },
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_a_client_or_server_status() {
        assert_eq!(AppError::NotFound("x".into()).status_code(), 404);
        assert_eq!(AppError::invalid("q", "too long").status_code(), 400);
        assert_eq!(AppError::Unavailable.status_code(), 503);
        assert_eq!(AppError::SignInRequired("x".into()).status_code(), 401);
        assert_eq!(AppError::Forbidden("x".into()).status_code(), 403);
        assert_eq!(AppError::Gone("x".into()).status_code(), 410);
        assert_eq!(AppError::TooMany("x".into()).status_code(), 429);
        assert_eq!(AppError::Internal.status_code(), 500);
    }

    #[test]
    fn internal_errors_say_nothing_about_the_cause() {
        let shown = AppError::Internal.to_string();
        assert!(!shown.to_lowercase().contains("sql"));
        assert!(shown.contains("Try again later"));
    }
}
