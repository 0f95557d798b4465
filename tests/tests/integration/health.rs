//! `/health`: 200 with a JSON body while the database answers, 503 when it does not.

use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    reports_healthy_while_the_database_answers,
    reports_unavailable_when_the_database_does_not,
    sends_security_headers_and_compresses_pages,
);

async fn reports_healthy_while_the_database_answers(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/health").await;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();

    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["checks"]["database"]["status"], "ok");
    let kind = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["checks"]["database"]["kind"], kind);
}

async fn reports_unavailable_when_the_database_does_not(backend: Backend) {
    let app = spawn_app(backend).await;
    app.state.db.pool.close().await;

    let response = app.get("/health").await;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();

    assert_eq!(status, 503);
    assert_eq!(body["status"], "unavailable");
}

async fn sends_security_headers_and_compresses_pages(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .client
        .get(format!("{}/workflows", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let headers = response.headers();

    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(headers["content-encoding"], "gzip");
}
