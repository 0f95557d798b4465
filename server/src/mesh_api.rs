//! The MESH API's HTTP side, under `/messageexchange`: each handler reads the version (`Accept`),
//! the token and the request's parts, calls `app::backend::mesh`, and writes the answer in the
//! version's shape. No rule lives here.

use std::time::Duration;

use app::backend::AppState;
use app::backend::content::ContentEncoding;
use app::backend::mesh::headers::{SendHeaders, text};
use app::backend::mesh::inbox::{self, DownloadRequest, ListParams};
use app::backend::mesh::outbox::{self, ChunkOutcome};
use app::backend::mesh::{ApiVersion, MAX_CHUNK_BYTES, MeshError, V2_MEDIA_TYPE, auth, lookup};
use app::backend::network::ClientInfo;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// Refuses a request without a client certificate when the API requires them (the handshake
/// asked for one; pages do without).
async fn require_client_certificate(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let certified = request
        .extensions()
        .get::<crate::tls::ClientCertificate>()
        .is_some();
    if state.config.mesh.client_certificates_required
        && !certified
        && request.uri().path() != "/messageexchange/_ping"
    {
        let version = version_of(request.headers()).unwrap_or(ApiVersion::V1);
        return refused(
            version,
            &MeshError::new(403, "", "", "A client certificate is required"),
        );
    }
    next.run(request).await
}

/// The API's routes (the caller adds the access-route layer and state), with mesh-sandbox's
/// admin endpoints in sandbox mode.
pub fn routes(state: &AppState) -> Router<AppState> {
    let mut routes = routes_without_certificates();
    if state.config.mesh.sandbox {
        for prefix in ["/admin", "/messageexchange/admin"] {
            routes = routes
                .route(&format!("{prefix}/reset"), axum::routing::delete(reset_all))
                .route(
                    &format!("{prefix}/reset/{{mailbox}}"),
                    axum::routing::delete(reset_mailbox),
                )
                .route(
                    &format!("{prefix}/mailbox/{{mailbox}}"),
                    get(mailbox_details),
                )
                .route(
                    &format!("{prefix}/message/{{message_id}}"),
                    get(message_details),
                );
        }
        routes = routes
            .route("/messageexchange/admin/report", post(inject_report))
            .route("/messageexchange/mailbox/{mailbox}", get(mailbox_details));
    }
    routes.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        require_client_certificate,
    ))
}

/// `DELETE /messageexchange/admin/reset` (sandbox): every Path to Live mailbox emptied.
async fn reset_all(State(state): State<AppState>) -> Response {
    match app::backend::mesh::sandbox::reset(&state, None).await {
        Ok(_) => axum::Json(json!({"message": "all mailboxes reset"})).into_response(),
        Err(error) => refused(ApiVersion::V1, &error),
    }
}

/// `DELETE /messageexchange/admin/reset/{mailbox}` (sandbox): one mailbox emptied.
async fn reset_mailbox(State(state): State<AppState>, Path(mailbox): Path<String>) -> Response {
    let mailbox = mailbox.trim().to_ascii_uppercase();
    match app::backend::mesh::sandbox::reset(&state, Some(&mailbox)).await {
        Ok(true) => {
            axum::Json(json!({"message": format!("mailbox {mailbox} reset")})).into_response()
        }
        Ok(false) => refused(
            ApiVersion::V1,
            &MeshError::new(404, "", "", "mailbox does not exist"),
        ),
        Err(error) => refused(ApiVersion::V1, &error),
    }
}

/// `GET /messageexchange/admin/mailbox/{mailbox}` (sandbox): a Path to Live mailbox's details.
async fn mailbox_details(State(state): State<AppState>, Path(mailbox): Path<String>) -> Response {
    admin_answer(app::backend::mesh::sandbox::mailbox_details(&state, &mailbox).await)
}

/// `GET /messageexchange/admin/message/{message_id}` (sandbox): a message's details, flattened.
async fn message_details(
    State(state): State<AppState>,
    Path(message_id): Path<String>,
) -> Response {
    admin_answer(app::backend::mesh::sandbox::message_details(&state, &message_id).await)
}

/// An admin endpoint's answer: plain JSON, or the refusal in version 1's shape (as mesh-sandbox).
fn admin_answer(result: Result<Value, MeshError>) -> Response {
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(error) => refused(ApiVersion::V1, &error),
    }
}

/// `POST /messageexchange/admin/report` (sandbox): a report put in an inbox.
async fn inject_report(
    State(state): State<AppState>,
    request: Result<
        axum::Json<app::backend::mesh::sandbox::ReportRequest>,
        axum::extract::rejection::JsonRejection,
    >,
) -> Response {
    let Ok(axum::Json(request)) = request else {
        return refused(
            ApiVersion::V1,
            &MeshError::bad_request(
                "the body must be JSON with mailbox_id, code, description and workflow_id",
            ),
        );
    };
    admin_answer(
        app::backend::mesh::sandbox::inject_report(&state, &request)
            .await
            .map(|message_id| json!({"message_id": message_id})),
    )
}

fn routes_without_certificates() -> Router<AppState> {
    Router::new()
        .route("/messageexchange/_ping", get(ping))
        .route(
            "/messageexchange/endpointlookup/{ods_code}/{workflow_id}",
            get(endpoint_lookup),
        )
        .route(
            "/messageexchange/workflowsearch/{workflow_id}",
            get(workflow_search),
        )
        .route("/messageexchange/{mailbox}", post(handshake).get(handshake))
        .route("/messageexchange/{mailbox}/count", get(count))
        .route("/messageexchange/{mailbox}/update", post(update))
        .route("/messageexchange/{mailbox}/inbox", get(list_inbox))
        .route(
            "/messageexchange/{mailbox}/inbox/{message_id}",
            get(download_first).head(head_message),
        )
        .route(
            "/messageexchange/{mailbox}/inbox/{message_id}/{chunk}",
            get(download_chunk),
        )
        .route(
            "/messageexchange/{mailbox}/inbox/{message_id}/status/acknowledged",
            put(acknowledge),
        )
        .route(
            "/messageexchange/{mailbox}/outbox",
            post(send).layer(DefaultBodyLimit::disable()),
        )
        .route("/messageexchange/{mailbox}/outbox/tracking", get(tracking))
        .route(
            "/messageexchange/{mailbox}/outbox/tracking/{local_id}",
            get(tracking_by_local_id),
        )
        .route(
            "/messageexchange/{mailbox}/outbox/{message_id}/{chunk}",
            post(send_chunk).layer(DefaultBodyLimit::disable()),
        )
}

/// The version a request asks for; `None` for a malformed `Accept` (answered by [`bad_accept`]).
fn version_of(headers: &HeaderMap) -> Option<ApiVersion> {
    ApiVersion::from_accept(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
}

/// The 400 MESH gives a malformed `Accept`.
fn bad_accept() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"detail": [{"event": "", "code": "", "msg": "Accept header api format incorrect"}]})),
    )
        .into_response()
}

fn media_type(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "application/json",
        ApiVersion::V2 => V2_MEDIA_TYPE,
    }
}

fn json_answer(version: ApiVersion, status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, media_type(version))],
        body.to_string(),
    )
        .into_response()
}

fn refused(version: ApiVersion, error: &MeshError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_answer(version, status, &error.body(version))
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// The version and the authenticated mailbox of a request, or the answer that refuses it.
async fn authenticated(
    state: &AppState,
    headers: &HeaderMap,
    mailbox: &str,
) -> Result<(ApiVersion, String), Response> {
    let version = version_of(headers).ok_or_else(bad_accept)?;
    auth::authenticate(state, mailbox, authorization(headers))
        .await
        .map(|mailbox| (version, mailbox))
        .map_err(|error| refused(version, &error))
}

/// Turns a service's answer into a response.
fn answer(version: ApiVersion, status: StatusCode, result: Result<Value, MeshError>) -> Response {
    match result {
        Ok(body) => json_answer(version, status, &body),
        Err(error) => refused(version, &error),
    }
}

/// `GET /messageexchange/_ping`: the API is up (no token needed).
async fn ping() -> Response {
    axum::Json(json!({
        "status": "running",
        "outcome": "Yes",
        "env": "mesh-portal",
        "build_label": env!("CARGO_PKG_VERSION"),
    }))
    .into_response()
}

/// `POST /messageexchange/{mailbox}`: the handshake, which only checks the token.
async fn handshake(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
) -> Response {
    match authenticated(&state, &headers, &mailbox).await {
        Ok((ApiVersion::V1, mailbox)) => json_answer(
            ApiVersion::V1,
            StatusCode::OK,
            &json!({"mailboxId": mailbox}),
        ),
        Ok((ApiVersion::V2, _)) => StatusCode::OK.into_response(),
        Err(response) => response,
    }
}

/// `POST /messageexchange/{mailbox}/update`: older clients report themselves here; MESH answers
/// 200 with nothing once the token is good.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
) -> Response {
    match authenticated(&state, &headers, &mailbox).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(response) => response,
    }
}

/// `GET /messageexchange/{mailbox}/count` (deprecated by MESH, kept for old clients).
async fn count(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
) -> Response {
    match authenticated(&state, &headers, &mailbox).await {
        Ok((version, mailbox)) => answer(
            version,
            StatusCode::OK,
            inbox::count(&state, &mailbox, version).await,
        ),
        Err(response) => response,
    }
}

/// `GET /messageexchange/{mailbox}/inbox`: one page of the messages waiting.
async fn list_inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
    Query(params): Query<ListParams>,
) -> Response {
    match authenticated(&state, &headers, &mailbox).await {
        Ok((version, mailbox)) => answer(
            version,
            StatusCode::OK,
            inbox::list(&state, &mailbox, version, &params).await,
        ),
        Err(response) => response,
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

async fn download(
    state: AppState,
    headers: HeaderMap,
    mailbox: String,
    message_id: String,
    chunk: i64,
    head_only: bool,
) -> Response {
    let (version, mailbox) = match authenticated(&state, &headers, &mailbox).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let request = DownloadRequest {
        message_id: &message_id,
        chunk,
        head_only,
        accepts_gzip: accepts_gzip(&headers),
        version,
    };
    let found = match inbox::download(&state, &mailbox, request).await {
        Ok(found) => found,
        Err(error) => return refused(version, &error),
    };
    let status = StatusCode::from_u16(found.status).unwrap_or(StatusCode::OK);
    let mut response = match found.body {
        Some(body) => {
            let length = body.length;
            let gzip = body.gzip;
            let mut response = Response::new(Body::from_stream(body.bytes));
            if let Some(length) = length {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            }
            if gzip {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        }
        None => {
            let mut response = Response::new(Body::empty());
            if !head_only {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(0));
            }
            response
        }
    };
    *response.status_mut() = status;
    let out = response.headers_mut();
    for (name, value) in found.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out.insert(name, value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&found.content_type) {
        out.insert(header::CONTENT_TYPE, value);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /messageexchange/{mailbox}/inbox/{message_id}`: a message, or its first chunk.
async fn download_first(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((mailbox, message_id)): Path<(String, String)>,
) -> Response {
    download(state, headers, mailbox, message_id, 1, false).await
}

/// `HEAD /messageexchange/{mailbox}/inbox/{message_id}`: its headers only.
async fn head_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((mailbox, message_id)): Path<(String, String)>,
) -> Response {
    download(state, headers, mailbox, message_id, 1, true).await
}

/// `GET /messageexchange/{mailbox}/inbox/{message_id}/{chunk}`.
async fn download_chunk(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((mailbox, message_id, _)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let Some(chunk) = chunk_number(&uri) else {
        let version = version_of(&headers).unwrap_or(ApiVersion::V1);
        return refused(version, &MeshError::no_such_message(&message_id));
    };
    download(state, headers, mailbox, message_id, chunk, false).await
}

/// The chunk number at the end of a request's path, as sent: digits only, without a leading
/// zero (`+2`, `%32` and `02` name no chunk, although a number parser or the path's decoding
/// would read them as 2).
fn chunk_number(uri: &Uri) -> Option<i64> {
    let last = uri.path().rsplit('/').next()?;
    let digits = !last.is_empty() && last.len() <= 9 && last.bytes().all(|b| b.is_ascii_digit());
    (digits && !last.starts_with('0'))
        .then(|| last.parse().ok())
        .flatten()
}

/// `PUT /messageexchange/{mailbox}/inbox/{message_id}/status/acknowledged`.
async fn acknowledge(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Path((mailbox, message_id)): Path<(String, String)>,
) -> Response {
    let (version, mailbox) = match authenticated(&state, &headers, &mailbox).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match inbox::acknowledge(&state, &mailbox, &message_id, &client.addr.to_string()).await {
        Ok(()) if version == ApiVersion::V1 => {
            json_answer(version, StatusCode::OK, &json!({"messageId": message_id}))
        }
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => refused(version, &error),
    }
}

/// Reads and drops what is left of a refused upload (100 MB and 60 s at most), so that the
/// client, which sends its whole body before it reads the answer, gets to read it.
async fn drain<S>(body: &mut S)
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, axum::Error>> + Unpin,
{
    let drain = async {
        let mut read = 0u64;
        while let Some(Ok(bytes)) = body.next().await {
            read += bytes.len() as u64;
            if read > MAX_CHUNK_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(60), drain).await;
}

/// `POST /messageexchange/{mailbox}/outbox`: a message, or its first chunk; 202 with its ID.
async fn send(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
    body: Body,
) -> Response {
    let mut body = body.into_data_stream();
    let (version, mailbox) = match authenticated(&state, &headers, &mailbox).await {
        Ok(found) => found,
        Err(response) => {
            drain(&mut body).await;
            return response;
        }
    };
    let checked = SendHeaders::parse(&headers).and_then(|parsed| {
        ContentEncoding::parse(text(&headers, "content-encoding").as_deref()).map(|e| (parsed, e))
    });
    let result = match checked {
        Ok((parsed, encoding)) => {
            outbox::send(
                &state,
                &mailbox,
                &client.addr.to_string(),
                &parsed,
                encoding,
                &mut body,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(message_id) => {
            let body = match version {
                ApiVersion::V1 => json!({"messageID": message_id}),
                ApiVersion::V2 => json!({"message_id": message_id}),
            };
            json_answer(version, StatusCode::ACCEPTED, &body)
        }
        Err(error) => {
            drain(&mut body).await;
            refused(version, &error)
        }
    }
}

/// `POST /messageexchange/{mailbox}/outbox/{message_id}/{chunk}`: chunk 2 to n; 202.
async fn send_chunk(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Path((mailbox, message_id, _)): Path<(String, String, String)>,
    uri: Uri,
    body: Body,
) -> Response {
    let chunk = chunk_number(&uri);
    let mut body = body.into_data_stream();
    let (version, mailbox) = match authenticated(&state, &headers, &mailbox).await {
        Ok(found) => found,
        Err(response) => {
            drain(&mut body).await;
            return response;
        }
    };
    let result = match (
        chunk,
        ContentEncoding::parse(text(&headers, "content-encoding").as_deref()),
    ) {
        (None, _) => {
            Err(MeshError::new(404, "SEND", "", "There is no such chunk").about(&message_id))
        }
        (_, Err(error)) => Err(error.about(&message_id)),
        (Some(number), Ok(encoding)) => {
            outbox::send_chunk(
                &state,
                &mailbox,
                &client.addr.to_string(),
                &message_id,
                number,
                text(&headers, "mex-chunk-range").as_deref(),
                encoding,
                &mut body,
            )
            .await
        }
    };
    match result {
        Ok(outcome) => {
            if outcome == ChunkOutcome::AlreadyStored {
                drain(&mut body).await;
            }
            let body = match version {
                ApiVersion::V1 => {
                    json!({"messageID": message_id, "blockID": chunk.unwrap_or_default()})
                }
                ApiVersion::V2 => json!({"message_id": message_id}),
            };
            json_answer(version, StatusCode::ACCEPTED, &body)
        }
        Err(error) => {
            drain(&mut body).await;
            refused(version, &error)
        }
    }
}

/// The tracking query string.
#[derive(Debug, serde::Deserialize)]
struct TrackingParams {
    #[serde(rename = "messageID")]
    message_id: Option<String>,
}

/// `GET /messageexchange/{mailbox}/outbox/tracking?messageID=…`.
async fn tracking(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox): Path<String>,
    Query(params): Query<TrackingParams>,
) -> Response {
    let (version, mailbox) = match authenticated(&state, &headers, &mailbox).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(message_id) = params.message_id.filter(|id| !id.trim().is_empty()) else {
        return refused(version, &MeshError::bad_request("messageID is required"));
    };
    answer(
        version,
        StatusCode::OK,
        outbox::tracking(&state, &mailbox, message_id.trim(), version).await,
    )
}

/// `GET /messageexchange/{mailbox}/outbox/tracking/{local_id}` (deprecated by MESH, kept for old
/// clients): tracking by the sender's local ID, in version 1's shape whatever is asked.
async fn tracking_by_local_id(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((mailbox, local_id)): Path<(String, String)>,
) -> Response {
    let mailbox = match authenticated(&state, &headers, &mailbox).await {
        Ok((_, mailbox)) => mailbox,
        Err(response) => return response,
    };
    answer(
        ApiVersion::V1,
        StatusCode::OK,
        outbox::tracking_by_local_id(&state, &mailbox, &local_id).await,
    )
}

/// `GET /messageexchange/endpointlookup/{ods_code}/{workflow_id}`.
async fn endpoint_lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ods_code, workflow_id)): Path<(String, String)>,
) -> Response {
    let Some(version) = version_of(&headers) else {
        return bad_accept();
    };
    let result = match auth::optional_mailbox(&state, authorization(&headers)).await {
        Ok(mailbox) => {
            lookup::endpoint_lookup(&state, mailbox.as_deref(), &ods_code, &workflow_id, version)
                .await
        }
        Err(error) => Err(error),
    };
    answer(version, StatusCode::OK, result)
}

/// `GET /messageexchange/workflowsearch/{workflow_id}`.
async fn workflow_search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(workflow_id): Path<String>,
) -> Response {
    let Some(version) = version_of(&headers) else {
        return bad_accept();
    };
    let result = match auth::optional_mailbox(&state, authorization(&headers)).await {
        Ok(mailbox) => lookup::workflow_search(&state, mailbox.as_deref(), &workflow_id).await,
        Err(error) => Err(error),
    };
    answer(version, StatusCode::OK, result)
}

#[cfg(test)]
mod tests {
    use axum::http::Uri;

    use super::chunk_number;

    #[test]
    fn chunk_numbers_are_digits_without_a_sign_an_escape_or_a_leading_zero() {
        let number = |path: &str| chunk_number(&path.parse::<Uri>().unwrap());
        assert_eq!(number("/messageexchange/X26OT001/outbox/ID/2"), Some(2));
        assert_eq!(number("/messageexchange/X26OT001/inbox/ID/12"), Some(12));
        for refused in [
            "+2",
            "%32",
            "02",
            "0",
            "-1",
            "2.0",
            "%2B2",
            "1e3",
            "",
            "9999999999",
        ] {
            assert_eq!(
                number(&format!("/messageexchange/X26OT001/outbox/ID/{refused}")),
                None,
                "{refused:?}"
            );
        }
    }
}
