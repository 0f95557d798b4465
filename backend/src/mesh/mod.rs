//! The MESH API (version 2, and version 1's shapes for older clients) over the portal's
//! mailboxes: what NHS England's `mesh-client` and the other MESH clients call under
//! `/messageexchange`. Messages sent here appear in the web inbox and the other way round: both
//! use the same `messages` table, rules and content store.
//!
//! This module owns the rules; `server::mesh_api` turns HTTP into calls here and answers into
//! HTTP. Every refusal is a [`MeshError`] value with MESH's status, event and code.

pub mod auth;
pub mod headers;
pub mod inbox;
pub mod lookup;
pub mod outbox;
pub mod sandbox;
pub mod whole_file;

use std::fmt;

/// The largest single request (a message, or one chunk of it), as the real service allows.
pub const MAX_CHUNK_BYTES: u64 = 100 * 1000 * 1000;

/// The MESH API's settings.
#[derive(Clone)]
pub struct MeshConfig {
    /// The environment's shared key: the HMAC key of every `NHSMESH` token.
    pub shared_key: SharedKey,
    /// The largest whole message (all its chunks).
    pub max_message_bytes: u64,
    /// Whether API requests must come with a client certificate (built-in HTTPS with a CA
    /// bundle).
    pub client_certificates_required: bool,
    /// Sandbox mode ([`sandbox`]): relaxed workflow rules and mesh-sandbox's admin endpoints,
    /// for Path to Live mailboxes only.
    pub sandbox: bool,
}

impl fmt::Debug for MeshConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeshConfig")
            .field("shared_key", &self.shared_key)
            .field("max_message_bytes", &self.max_message_bytes)
            .field(
                "client_certificates_required",
                &self.client_certificates_required,
            )
            .field("sandbox", &self.sandbox)
            .finish()
    }
}

/// The shared key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedKey(pub Vec<u8>);

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(redacted)")
    }
}

/// The version of the API a client asked for with `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiVersion {
    V1,
    V2,
}

/// The v2 media type.
pub const V2_MEDIA_TYPE: &str = "application/vnd.mesh.v2+json";

impl ApiVersion {
    /// The version an `Accept` header asks for: the first `vnd.mesh` item decides; without one
    /// (`*/*`, `application/json`, nothing) it is version 1. `None` for a `vnd.mesh` item that is
    /// not `application/vnd.mesh.v<N>+json` or names a version there is not.
    pub fn from_accept(accept: Option<&str>) -> Option<Self> {
        let Some(item) = accept
            .unwrap_or("")
            .split([',', ';'])
            .map(str::trim)
            .find(|item| item.to_ascii_lowercase().contains("vnd.mesh"))
        else {
            return Some(Self::V1);
        };
        let item = item.to_ascii_lowercase();
        let number = item
            .strip_prefix("application/vnd.mesh.v")?
            .strip_suffix("+json")?;
        match number {
            "1" => Some(Self::V1),
            "2" => Some(Self::V2),
            _ => None,
        }
    }
}

/// A refusal, as MESH words it: an HTTP status, and (for most) the event, code and words of its
/// error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeshError {
    pub status: u16,
    pub event: &'static str,
    pub code: &'static str,
    pub description: String,
    pub message_id: Option<String>,
}

impl MeshError {
    pub fn new(
        status: u16,
        event: &'static str,
        code: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            event,
            code,
            description: description.into(),
            message_id: None,
        }
    }

    /// With the message it is about.
    pub fn about(mut self, message_id: &str) -> Self {
        self.message_id = Some(message_id.to_owned());
        self
    }

    /// Any authentication failure: 403, never saying which part was wrong.
    pub fn forbidden() -> Self {
        Self::new(403, "", "", "Access denied")
    }

    /// An unknown message (or chunk), to its recipient.
    pub fn no_such_message(message_id: &str) -> Self {
        Self::new(404, "RECEIVE", "20", "Message does not exist").about(message_id)
    }

    /// A request that is not well formed.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, "", "", description)
    }

    /// Malformed `Mex-*` headers (code 06).
    pub fn malformed(description: impl Into<String>) -> Self {
        Self::new(400, "TRANSFER", "06", description)
    }

    /// The database or the content store failed: nothing the client did.
    pub fn unavailable() -> Self {
        Self::new(503, "", "", "The service is unavailable. Try again later")
    }

    /// The error's body in the version the client asked for.
    pub fn body(&self, version: ApiVersion) -> serde_json::Value {
        match version {
            ApiVersion::V1 => {
                let mut body = serde_json::json!({
                    "errorEvent": self.event,
                    "errorCode": self.code,
                    "errorDescription": self.description,
                });
                if let Some(id) = &self.message_id {
                    body["messageID"] = id.clone().into();
                }
                body
            }
            ApiVersion::V2 => {
                let mut body = serde_json::json!({
                    "detail": [{"event": self.event, "code": self.code, "msg": self.description}],
                });
                if let Some(id) = &self.message_id {
                    body["message_id"] = id.clone().into();
                }
                body
            }
        }
    }
}

/// A database failure in the MESH API: logged, answered as "not available, try later".
impl From<sqlx::Error> for MeshError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database failed in the MESH API");
        MeshError::unavailable()
    }
}

/// A time as MESH writes it in headers and v1 bodies: `yyyyMMddHHmmss`, UTC.
pub fn mesh_timestamp(unix: i64) -> String {
    let (year, month, day, second) = model::civil_time(unix);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// A time as ISO 8601 in UTC (`2026-11-30T09:12:00Z`), as v2 tracking gives it.
pub fn iso_timestamp(unix: i64) -> String {
    let (year, month, day, second) = model::civil_time(unix);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// A time as HTTP writes it (`Last-Modified`): `Mon, 30 Nov 2026 09:12:00 GMT`.
pub fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, second) = model::civil_time(unix);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[unix.div_euclid(86_400).rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// Seconds since 1970 of a UTC civil time.
pub fn unix_time(year: i64, month: i64, day: i64, hour: i64, minute: i64) -> i64 {
    model::days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60
}

/// Whether the sandbox's relaxed rules apply to a send from a mailbox in `environment`: in
/// sandbox mode, outside Live.
pub fn relaxes(state: &crate::AppState, environment: model::common::Environment) -> bool {
    state.config.mesh.sandbox && environment != model::common::Environment::Live
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_header_chooses_the_version() {
        let cases = [
            (None, Some(ApiVersion::V1)),
            (Some("*/*"), Some(ApiVersion::V1)),
            (Some("application/json"), Some(ApiVersion::V1)),
            (Some("application/vnd.mesh.v1+json"), Some(ApiVersion::V1)),
            (Some("application/vnd.mesh.v2+json"), Some(ApiVersion::V2)),
            (Some("Application/VND.MESH.V2+JSON"), Some(ApiVersion::V2)),
            (
                Some("application/json, application/vnd.mesh.v2+json;q=0.9"),
                Some(ApiVersion::V2),
            ),
            (Some("application/vnd.mesh.v3+json"), None),
            (Some("application/vnd.mesh.v2"), None),
        ];
        for (accept, expected) in cases {
            assert_eq!(ApiVersion::from_accept(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn times_are_written_as_mesh_and_http_write_them() {
        // 30 November 2026, 09:12:05 UTC, a Monday.
        let t = unix_time(2026, 11, 30, 9, 12) + 5;
        assert_eq!(t, 1_796_029_925);
        assert_eq!(mesh_timestamp(t), "20261130091205");
        assert_eq!(iso_timestamp(t), "2026-11-30T09:12:05Z");
        assert_eq!(http_date(t), "Mon, 30 Nov 2026 09:12:05 GMT");
        assert_eq!(unix_time(1970, 1, 1, 0, 0), 0);
        assert_eq!(unix_time(2000, 2, 29, 0, 0), 951_782_400);
    }

    #[test]
    fn errors_take_the_shape_of_the_version_asked_for() {
        let error = MeshError::new(417, "SEND", "12", "Unregistered to address").about("M1");
        assert_eq!(
            error.body(ApiVersion::V1),
            serde_json::json!({"messageID": "M1", "errorEvent": "SEND", "errorCode": "12",
                               "errorDescription": "Unregistered to address"})
        );
        assert_eq!(
            error.body(ApiVersion::V2),
            serde_json::json!({"message_id": "M1",
                               "detail": [{"event": "SEND", "code": "12", "msg": "Unregistered to address"}]})
        );
    }
}
