//! The middleware every request passes: its access route from its address (refusing those from
//! outside the allowed networks), cross-site posts refused, its log span with secrets left out of
//! the path, the status of a server function's error, and a closed connection after a 413.

use std::net::SocketAddr;

use app::AppError;
use app::backend::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::forms::error_text;
use super::plain_page;

/// Decides each request's access route from its client address (see `app::backend::network`)
/// and puts it in the request's extensions; refuses clients outside the allowed networks with a
/// page that says why. `/health` answers everyone, for load balancers.
pub async fn access_route(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    match state.network.classify(peer.ip(), forwarded) {
        Ok(client) => {
            request.extensions_mut().insert(client);
            next.run(request).await
        }
        Err(_) if request.uri().path() == "/health" => next.run(request).await,
        Err(refused) => {
            tracing::warn!(client.addr = %refused.addr, "refused: outside the allowed networks");
            (
                StatusCode::FORBIDDEN,
                [(header::CACHE_CONTROL, "no-store")],
                Html(plain_page(
                    "You cannot use this service from your network",
                    OUTSIDE_ALLOWED_NETWORKS,
                )),
            )
                .into_response()
        }
    }
}

/// The log span of a request: method and path, with a set-up link's token left out, so that
/// logs (even at `debug`) never hold a working link. Query strings are not logged.
pub fn request_span(request: &Request<Body>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        http.method = %request.method(),
        http.path = %loggable_path(request.uri().path()),
    )
}

/// A path as it may be logged: the token of a set-up link (`/activate/{token}…`) or of an
/// answer link (`/applications/{reference}/answer/{token}`) is left out.
pub fn loggable_path(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/activate/") {
        return match rest.split_once('/') {
            Some((_, tail)) => format!("/activate/…/{tail}"),
            None => "/activate/…".to_owned(),
        };
    }
    if let Some(at) = path.find("/answer/")
        && path.starts_with("/applications/")
    {
        return format!("{}/answer/…", &path[..at]);
    }
    path.to_owned()
}

/// Closes the connection after a 413, and says so with `Connection: close`: a request refused
/// for its size is answered before its body has been read, and the unread rest would otherwise
/// be taken for the next request on the connection.
pub async fn close_after_too_large(mut response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Refuses state-changing requests that a browser says came from another site (cross-site
/// request forgery), for forms posted with or without JavaScript: `Sec-Fetch-Site` when the
/// browser sends it (all current ones do), otherwise `Origin` against the `Host` the request was
/// sent to. Requests with neither come from programs, not from a browser tricked by another site,
/// and pass (the session cookie is `SameSite=Lax` besides). The MESH API, which authenticates
/// every request itself, is not a browser's business and is left alone.
pub async fn same_site_only(request: Request<Body>, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // The MESH API and Care Identity's back-channel logout are not browsers' forms: each request
    // carries its own proof (a token), not a cookie.
    let path = request.uri().path();
    if safe
        || path.starts_with("/messageexchange")
        || path == app::backend::accounts::care_identity::BACKCHANNEL_LOGOUT_PATH
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let allowed = match (text("sec-fetch-site"), text("origin")) {
        (Some(site), _) => matches!(site, "same-origin" | "none"),
        (None, Some(origin)) => {
            let host = text("host").unwrap_or_default();
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host))
        }
        (None, None) => true,
    };
    if allowed {
        return next.run(request).await;
    }
    tracing::warn!(
        http.path = request.uri().path(),
        "refused: a state-changing request from another site"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This form was sent from another website, so it was not accepted. Go back to the \
         service's own page and try again.\n",
    )
        .into_response()
}

/// What clients outside the allowed networks are told.
const OUTSIDE_ALLOWED_NETWORKS: &str = "<p>The MESH portal can only be used from the Health and \
     Social Care Network (HSCN) or from an internet address in the UK.</p>\n<p>If you are in the UK \
     and think you should be able to use it, contact your organisation's IT service desk, or the \
     MESH service desk, and tell them the time you tried.</p>";

/// The page for a form post the guard refused: plain HTML with the NHS.UK styles, saying why,
/// with the way on.
pub(super) fn refused(error: &AppError) -> Response {
    let (heading, next) = match error {
        AppError::SignInRequired(_) => (
            "You need to log in",
            r#"<a class="nhsuk-button" href="/sign-in">Log in</a>"#,
        ),
        _ => (
            "You cannot do this",
            r#"<p><a href="/">Go to the home page</a></p>"#,
        ),
    };
    let body = format!(
        "<p>{}</p>\n{next}",
        app::backend::mail::html_escape(&error.to_string())
    );
    let page = plain_page(heading, &body);
    (
        error.status_code(),
        [(header::CACHE_CONTROL, "no-store")],
        Html(page),
    )
        .into_response()
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

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn set_up_tokens_are_left_out_of_logged_paths() {
        assert_eq!(loggable_path("/activate/abcDEF123_-"), "/activate/…");
        assert_eq!(
            loggable_path("/activate/abcDEF123_-/app"),
            "/activate/…/app"
        );
        assert_eq!(loggable_path("/sign-in/pin"), "/sign-in/pin");
        assert_eq!(
            loggable_path("/applications/MBX-7Q4K-2XHD/answer/abcDEF123_-"),
            "/applications/MBX-7Q4K-2XHD/answer/…"
        );
    }
}
