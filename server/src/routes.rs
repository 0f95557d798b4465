//! Routes that are not Leptos pages: health, the catalogue CSV export, and the form posts of
//! pages used without JavaScript; and the middleware that gives each request its access route.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use app::AppError;
use app::api::applications::PostedForm;
use app::backend::AppState;
use app::backend::catalogue::export;
use app::backend::network::ClientInfo;
use app::model::applications::ApplicationStatusView;
use app::model::catalogue::SearchRequest;
use app::model::forms::{FieldError, FormState, FormValues};
use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use leptos::prelude::provide_context;

use crate::startup::ServerState;
use serde_json::json;
use tower_sessions::Session;

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
    if safe || request.uri().path().starts_with("/messageexchange") {
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

/// A page without the application around it (for refusals made before or instead of rendering
/// one): plain HTML with the NHS.UK styles. `body` is HTML; callers escape what they put in it.
fn plain_page(heading: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} – MESH portal – NHS</title>
<link rel="stylesheet" href="/nhsuk/nhsuk-frontend.min.css">
</head>
<body>
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper" id="maincontent">
<h1 class="nhsuk-heading-l">{heading}</h1>
{body}
</main>
</div>
</body>
</html>
"#
    )
}

/// What clients outside the allowed networks are told.
const OUTSIDE_ALLOWED_NETWORKS: &str = "<p>The MESH portal can only be used from the Health and \
     Social Care Network (HSCN) or from an internet address in the UK.</p>\n<p>If you are in the UK \
     and think you should be able to use it, contact your organisation's IT service desk, or the \
     MESH service desk, and tell them the time you tried.</p>";

/// The page for a form post the guard refused: plain HTML with the NHS.UK styles, saying why,
/// with the way on.
fn refused(error: &AppError) -> Response {
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

/// `POST` of a question page sent without JavaScript: the same service as the page's server
/// function. Accepted answers go on to the next page (post/redirect/get, so reload and Back never
/// post twice); refused ones show the page again, with what was typed and an error summary, as a
/// 400 (or the error's own status).
pub async fn post_form(
    State(server): State<ServerState>,
    Extension(client): Extension<ClientInfo>,
    session: Session,
    uri: Uri,
    headers: HeaderMap,
    Form(values): Form<Vec<(String, String)>>,
) -> Response {
    let state = server.app.clone();
    let values = FormValues(values);
    let path = uri.path().to_owned();
    match app::backend::forms::submit(&state, &session, client, &path, &values).await {
        Ok(next) => Redirect::to(&next).into_response(),
        // Refused by the guard (and audited there): say so, without rendering the page, whose
        // own data the guard would refuse (and audit) again.
        Err(error @ (AppError::SignInRequired(_) | AppError::Forbidden(_))) => refused(&error),
        Err(error) => {
            let posted = PostedForm {
                form: FormState {
                    values: values.without_secrets(),
                    errors: field_errors(&error),
                },
                status: None,
            };
            render_page(
                server,
                session,
                client,
                uri,
                headers,
                posted,
                error.status_code(),
            )
            .await
        }
    }
}

/// `POST /applications/{reference}`: the status page's email check, without JavaScript.
pub async fn post_status(
    State(server): State<ServerState>,
    Extension(client): Extension<ClientInfo>,
    Path(reference): Path<String>,
    session: Session,
    uri: Uri,
    headers: HeaderMap,
    Form(values): Form<Vec<(String, String)>>,
) -> Response {
    let state = server.app.clone();
    let values = FormValues(values);
    let found: Result<ApplicationStatusView, AppError> =
        app::backend::applications::status::check(&state.db, &reference, values.get("email")).await;
    let (status, posted) = match found {
        Ok(view) => (
            StatusCode::OK,
            PostedForm {
                form: FormState {
                    values,
                    errors: Vec::new(),
                },
                status: Some(view),
            },
        ),
        Err(error) => (
            error.status_code(),
            PostedForm {
                form: FormState {
                    errors: field_errors(&error),
                    values,
                },
                status: None,
            },
        ),
    };
    render_page(server, session, client, uri, headers, posted, status).await
}

fn field_errors(error: &AppError) -> Vec<FieldError> {
    match error {
        AppError::Form(errors) => errors.clone(),
        AppError::Invalid { field, message } => vec![FieldError::new(
            field.clone().unwrap_or_else(|| "maincontent".into()),
            message.clone(),
        )],
        other => vec![FieldError::new("maincontent", other.to_string())],
    }
}

/// Renders the page at `uri` as a `GET` would, with the refused form in its context.
async fn render_page(
    server: ServerState,
    session: Session,
    client: ClientInfo,
    uri: Uri,
    headers: HeaderMap,
    posted: PostedForm,
    status: StatusCode,
) -> Response {
    let ServerState {
        app: state,
        leptos_options: options,
    } = server;
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(posted.clone());
        },
        move || app::shell(options.clone()),
    );
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.headers_mut().remove(header::CONTENT_LENGTH);
    request.headers_mut().remove(header::CONTENT_TYPE);
    request.extensions_mut().insert(session);
    request.extensions_mut().insert(client);
    let mut response = handler(request).await.into_response();
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("valid header"),
    );
    response
}

fn error_text(error: &AppError) -> Response {
    (
        error.status_code(),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{error}\n"),
    )
        .into_response()
}

/// Reads and drops the rest of a refused upload whose declared size is sensible (60 s at most):
/// nothing more is stored, but a browser shows the answer only once it has sent its request.
async fn drain_rest(multipart: &mut axum::extract::Multipart, headers: &HeaderMap) {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length <= DRAIN_MAX_BYTES) {
        let drain = async { while let Ok(Some(_)) = multipart.next_field().await {} };
        let _ = tokio::time::timeout(Duration::from_secs(60), drain).await;
    }
}

/// The largest request whose rest is read (and dropped) after its file is refused, so that the
/// browser shows the refusal: the largest file allowed anywhere and a little over.
const DRAIN_MAX_BYTES: u64 = app::model::messaging::HSCN_MAX_BYTES + 10_000_000;

/// Longest text field of the new message form read before its file (the subject is 500
/// characters at most; a field longer than this is not a person using the page).
const MESSAGE_FIELD_MAX_BYTES: usize = 4096;

/// `POST /mailboxes/{mailbox_id}/new`: a new message and its file, as multipart form data, with
/// or without JavaScript. The fields come first (the page puts the file last) and are checked,
/// with every send rule, before a byte of the file is read; the file then streams to the content
/// store, cut off as soon as it passes the access route's limit. Delivered: on to the message's
/// page. Refused: the page again with the reasons (413 for a file too large, with the connection
/// closed so the browser stops sending). The page's script, which shows a progress bar, asks for
/// JSON instead: an [`UploadAnswer`](app::model::messaging::UploadAnswer) with the same status.
pub async fn send_message(
    State(server): State<ServerState>,
    Extension(client): Extension<ClientInfo>,
    session: Session,
    Path(mailbox_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let state = server.app.clone();
    use app::backend::guard::{Need, require};
    use app::backend::messaging::send::{self, Upload};
    use app::model::messaging::{NewMessageForm, UploadAnswer, paths, safe_file_name};

    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let answer_json =
        |status: StatusCode, answer: UploadAnswer| (status, axum::Json(answer)).into_response();
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("form:{}", paths::new_message(&mailbox_id));
    let user = match require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await {
        Ok(user) => user,
        Err(error) => return refused(&error),
    };
    let mut form = NewMessageForm::default();
    // Read the fields, then the file: delivered, or why not.
    let not_sent: send::NotSent = loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                break AppError::Form(vec![FieldError::new("file", "Select a file")]).into();
            }
            Err(error) => {
                tracing::info!(%error, "new message form unreadable");
                return (
                    StatusCode::BAD_REQUEST,
                    "The form did not arrive whole. Try again.",
                )
                    .into_response();
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let mut text = Vec::new();
            let mut field = field;
            while let Ok(Some(chunk)) = field.chunk().await {
                text.extend_from_slice(&chunk);
                if text.len() > MESSAGE_FIELD_MAX_BYTES {
                    return (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "A field of the form is too long.",
                    )
                        .into_response();
                }
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            match name.as_str() {
                "message_type" => form.message_type = text,
                "workflow_id" => form.workflow_id = text,
                "recipient" => form.recipient = text,
                "subject" => form.subject = text,
                "reference" => form.reference = text,
                _ => {}
            }
            continue;
        }
        let checked = send::check(&state, &mailbox_id, client.route, &form).await;
        let file_name = field.file_name().and_then(safe_file_name);
        break match (checked, file_name) {
            (Ok(checked), Some(file_name)) => {
                let content_type = field
                    .content_type()
                    .filter(|t| {
                        t.len() <= 100
                            && t.contains('/')
                            && t.chars().all(|c| c.is_ascii_graphic() || c == ' ')
                    })
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let upload = Upload {
                    file_name,
                    content_type,
                    body: Box::pin(field),
                };
                match send::deliver(&state, &checked, &user, upload).await {
                    Ok(message_id) => {
                        let location = paths::sent_message(&mailbox_id, &message_id);
                        if wants_json {
                            let answer = UploadAnswer {
                                location: Some(location),
                                errors: Vec::new(),
                            };
                            return answer_json(StatusCode::OK, answer);
                        }
                        return Redirect::to(&location).into_response();
                    }
                    Err(not_sent) => not_sent,
                }
            }
            (checked, file_name) => {
                drop(field);
                match checked {
                    Err(AppError::Form(mut errors)) => {
                        if file_name.is_none() {
                            errors.push(FieldError::new("file", "Select a file"));
                        }
                        AppError::Form(errors)
                    }
                    Err(other) => other,
                    Ok(_) => AppError::Form(vec![FieldError::new("file", "Select a file")]),
                }
                .into()
            }
        };
    };
    drain_rest(&mut multipart, &headers).await;
    let status = if not_sent.too_large {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        not_sent.error.status_code()
    };
    let mut response = if wants_json {
        let errors = field_errors(&not_sent.error);
        answer_json(
            status,
            UploadAnswer {
                location: None,
                errors,
            },
        )
    } else {
        // The page again, with what was typed and why it was refused.
        let posted = PostedForm {
            form: FormState {
                values: FormValues(vec![
                    ("message_type".into(), form.message_type),
                    ("workflow_id".into(), form.workflow_id),
                    ("recipient".into(), form.recipient),
                    ("subject".into(), form.subject),
                    ("reference".into(), form.reference),
                ]),
                errors: field_errors(&not_sent.error),
            },
            status: None,
        };
        render_page(server, session, client, uri, headers, posted, status).await
    };
    // Whatever is left of the request is not wanted.
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// `GET /mailboxes/{mailbox_id}/inbox/{message_id}/download`: a received file, streamed from the
/// content store with its content type and a safe file name. The first download acknowledges the
/// message; every download is audited.
pub async fn download_message(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    session: Session,
    Path((mailbox_id, message_id)): Path<(String, String)>,
) -> Response {
    use app::backend::guard::{Need, require};
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("message:{message_id}");
    let user = match require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await {
        Ok(user) => user,
        Err(error) => return refused(&error),
    };
    match app::backend::messaging::download(&state, &user, &mailbox_id, &message_id).await {
        Ok((message, content)) => {
            let content_type = header::HeaderValue::from_str(&message.content_type)
                .unwrap_or(header::HeaderValue::from_static("application/octet-stream"));
            let disposition =
                header::HeaderValue::from_str(&content_disposition(&message.file_name))
                    .unwrap_or(header::HeaderValue::from_static("attachment"));
            let mut response = (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (
                        header::CACHE_CONTROL,
                        header::HeaderValue::from_static("no-store"),
                    ),
                    // The file goes as it was sent: never re-compressed on the way.
                    (
                        header::CONTENT_ENCODING,
                        header::HeaderValue::from_static("identity"),
                    ),
                ],
                Body::from_stream(content.bytes),
            )
                .into_response();
            // Unknown while a gzip-encoded message is decoded on the way.
            if let Some(length) = content.length {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
            }
            response
        }
        Err(error) => plain_error(&error),
    }
}

/// `attachment` with the file name twice: plain ASCII (anything else, quotes and backslashes as
/// `_`) for old clients, and RFC 5987's UTF-8 form for the rest.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A short page for a refused download (no form to show again).
fn plain_error(error: &AppError) -> Response {
    let status = error.status_code();
    let body = format!(
        "<p>{}</p>\n<p><a href=\"/mailboxes\">Go to your mailboxes</a></p>",
        app::backend::mail::html_escape(&error.to_string())
    );
    (status, Html(plain_page("Cannot download this file", &body))).into_response()
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
