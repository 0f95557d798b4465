//! Form posts of pages used without JavaScript: the same service as the server function, then a
//! redirect to the next page, or the page again with its errors.

use app::AppError;
use app::api::applications::PostedForm;
use app::backend::accounts::care_identity::Returned;
use app::backend::network::ClientInfo;
use app::model::applications::ApplicationStatusView;
use app::model::forms::{FieldError, FormState, FormValues};
use axum::Extension;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;

use super::middleware::refused;
use crate::startup::ServerState;

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
            let page = Page {
                server,
                session,
                client,
                uri,
                headers,
            };
            page.refused(values.without_secrets(), &error).await
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

/// `GET /sign-in/cis2/callback`: the person back from NHS Care Identity. Signed in, they go on
/// to their first page; refused (cancelled, a login not started here, a token that fails its
/// checks, an identity with no account here, no R8015 over HSCN, the issuer away), they see
/// this page with what to do next, as a 400 or 403.
pub async fn care_identity_callback(
    State(server): State<ServerState>,
    Extension(client): Extension<ClientInfo>,
    Query(returned): Query<Returned>,
    session: Session,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let state = server.app.clone();
    match app::backend::accounts::pages::finish_care_identity(&state, &session, client, &returned)
        .await
    {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(error) => {
            let page = Page {
                server,
                session,
                client,
                uri,
                headers,
            };
            page.refused(FormValues::default(), &error).await
        }
    }
}

/// `POST /sign-in/cis2/backchannel-logout`: Care Identity says someone logged out there
/// (OpenID Connect Back-Channel Logout). 200 once noted; 400 for a token that fails its checks.
pub async fn care_identity_logout(
    State(server): State<ServerState>,
    Form(values): Form<Vec<(String, String)>>,
) -> Response {
    let state = &server.app;
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    let Some(care_identity) = &state.config.care_identity else {
        return (StatusCode::NOT_FOUND, no_store).into_response();
    };
    let token = FormValues(values).get("logout_token").to_owned();
    let now = state.clock.now();
    match app::backend::accounts::care_sign_in::logged_out_at_issuer(
        &state.db,
        care_identity,
        &token,
        now,
    )
    .await
    {
        Ok(()) => (StatusCode::OK, no_store).into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            no_store,
            axum::Json(serde_json::json!({ "error": "invalid_request" })),
        )
            .into_response(),
    }
}

/// The page a request was for, to render again with what was refused.
struct Page {
    server: ServerState,
    session: Session,
    client: ClientInfo,
    uri: Uri,
    headers: HeaderMap,
}

impl Page {
    /// The page again, with `values` (what may be shown again) and the error by its field, as
    /// the error's status.
    async fn refused(self, values: FormValues, error: &AppError) -> Response {
        let posted = PostedForm {
            form: FormState {
                values,
                errors: field_errors(error),
            },
            status: None,
        };
        render_page(
            self.server,
            self.session,
            self.client,
            self.uri,
            self.headers,
            posted,
            error.status_code(),
        )
        .await
    }
}

pub(super) fn field_errors(error: &AppError) -> Vec<FieldError> {
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
pub(super) async fn render_page(
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

pub(super) fn error_text(error: &AppError) -> Response {
    (
        error.status_code(),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{error}\n"),
    )
        .into_response()
}
