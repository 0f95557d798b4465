//! Files through the web pages: a message sent from a form (streamed to the content store as it
//! arrives, under its own size limit) and a file downloaded from an inbox.

use std::time::Duration;

use app::AppError;
use app::api::applications::PostedForm;
use app::backend::AppState;
use app::backend::guard::CurrentUser;
use app::backend::messaging::send::{self, NotSent, Upload};
use app::backend::network::ClientInfo;
use app::model::forms::{FieldError, FormState, FormValues};
use app::model::messaging::NewMessageForm;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::forms::{field_errors, render_page};
use super::middleware::refused;
use super::plain_page;
use crate::startup::ServerState;

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
    use app::backend::guard::{Need, require};
    use app::model::messaging::{UploadAnswer, paths};
    let state = server.app.clone();
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let mailbox_id = mailbox_id.trim().to_ascii_uppercase();
    let what = format!("form:{}", paths::new_message(&mailbox_id));
    let user = match require(&state, &session, client, Need::Mailbox(&mailbox_id), &what).await {
        Ok(user) => user,
        Err(error) => return refused(&error),
    };
    let mut form = NewMessageForm::default();
    let sent = read_and_send(
        &state,
        client,
        &user,
        &mailbox_id,
        &mut form,
        &mut multipart,
    )
    .await;
    let not_sent = match sent {
        Err(unreadable) => return unreadable,
        Ok(Ok(message_id)) => {
            let location = paths::sent_message(&mailbox_id, &message_id);
            if wants_json {
                let answer = UploadAnswer {
                    location: Some(location),
                    errors: Vec::new(),
                };
                return (StatusCode::OK, axum::Json(answer)).into_response();
            }
            return Redirect::to(&location).into_response();
        }
        Ok(Err(not_sent)) => not_sent,
    };
    drain_rest(&mut multipart, &headers).await;
    let refusal = Refusal {
        form,
        not_sent,
        wants_json,
    };
    let mut response = refusal.answer(server, session, client, uri, headers).await;
    // Whatever is left of the request is not wanted.
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// Reads the new message form's fields into `form`, then its file, which is sent (checked first,
/// streamed to the store as it arrives): its message ID, or why it was not sent; a response at
/// once for a form that cannot be read.
async fn read_and_send(
    state: &AppState,
    client: ClientInfo,
    user: &CurrentUser,
    mailbox_id: &str,
    form: &mut NewMessageForm,
    multipart: &mut axum::extract::Multipart,
) -> Result<Result<String, NotSent>, Response> {
    use app::model::messaging::safe_file_name;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(Err(select_a_file(Vec::new()))),
            Err(error) => {
                tracing::info!(%error, "new message form unreadable");
                let answer = "The form did not arrive whole. Try again.";
                return Err((StatusCode::BAD_REQUEST, answer).into_response());
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let text = read_text_field(field).await?;
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
        let checked = send::check(state, mailbox_id, client.route, form).await;
        let file_name = field.file_name().and_then(safe_file_name);
        return Ok(match (checked, file_name) {
            (Ok(checked), Some(file_name)) => {
                let upload = Upload {
                    file_name,
                    content_type: content_type_of(&field),
                    body: Box::pin(field),
                };
                send::send_file(state, &checked, user, upload).await
            }
            (Err(AppError::Form(errors)), None) => Err(select_a_file(errors)),
            (Err(error), _) => Err(error.into()),
            (Ok(_), None) => Err(select_a_file(Vec::new())),
        });
    }
}

/// A text field of the form, at most [`MESSAGE_FIELD_MAX_BYTES`].
async fn read_text_field(
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<String, Response> {
    let mut text = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        text.extend_from_slice(&chunk);
        if text.len() > MESSAGE_FIELD_MAX_BYTES {
            let answer = "A field of the form is too long.";
            return Err((StatusCode::PAYLOAD_TOO_LARGE, answer).into_response());
        }
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// The file's type as the browser gave it, if it looks like one.
fn content_type_of(field: &axum::extract::multipart::Field<'_>) -> String {
    field
        .content_type()
        .filter(|t| {
            t.len() <= 100 && t.contains('/') && t.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        })
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// The form's other errors, and that no file was chosen.
fn select_a_file(mut errors: Vec<FieldError>) -> NotSent {
    errors.push(FieldError::new("file", "Select a file"));
    AppError::Form(errors).into()
}

/// A message not sent, and the form it came from.
struct Refusal {
    form: NewMessageForm,
    not_sent: NotSent,
    wants_json: bool,
}

impl Refusal {
    /// The errors as JSON for the page's script, or the page again with what was typed and why
    /// it was refused.
    async fn answer(
        self,
        server: ServerState,
        session: Session,
        client: ClientInfo,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        use app::model::messaging::UploadAnswer;
        let status = if self.not_sent.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            self.not_sent.error.status_code()
        };
        let errors = field_errors(&self.not_sent.error);
        if self.wants_json {
            let answer = UploadAnswer {
                location: None,
                errors,
            };
            return (status, axum::Json(answer)).into_response();
        }
        let form = self.form;
        let posted = PostedForm {
            form: FormState {
                values: FormValues(vec![
                    ("message_type".into(), form.message_type),
                    ("workflow_id".into(), form.workflow_id),
                    ("recipient".into(), form.recipient),
                    ("subject".into(), form.subject),
                    ("reference".into(), form.reference),
                ]),
                errors,
            },
            status: None,
        };
        render_page(server, session, client, uri, headers, posted, status).await
    }
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
