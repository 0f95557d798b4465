//! Protection every response carries: cross-site request forgery refused for forms and server
//! functions, the security headers (a Content Security Policy without inline scripts, `nosniff`
//! on the MESH API's answers too), and a connection closed after a request too large to read.

use std::time::Duration;

use mesh_portal_tests::{Backend, spawn_app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_each_database!(
    state_changing_requests_from_other_sites_are_refused,
    pages_carry_a_content_security_policy_with_their_own_nonce,
    a_request_too_large_is_answered_413_and_its_connection_closed,
    mesh_api_answers_are_never_sniffed,
);

async fn state_changing_requests_from_other_sites_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let post = |path: &'static str, headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut request = app
                .client
                .post(format!("{}{path}", app.address))
                .form(&[("ods_code", "X26")]);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let form = "/apply/mailbox/organisation";

    let (status, body) = post(form, vec![("origin", "https://evil.example".into())]).await;
    assert_eq!(status, 403);
    assert!(body.contains("This form was sent from another website"));
    let (status, _) = post(form, vec![("sec-fetch-site", "cross-site".into())]).await;
    assert_eq!(status, 403);
    let (status, _) = post(form, vec![("sec-fetch-site", "same-site".into())]).await;
    assert_eq!(status, 403, "a sibling site is another site");
    let (status, _) = post(
        "/api/submit_form",
        vec![("origin", "https://evil.example".into())],
    )
    .await;
    assert_eq!(status, 403, "server functions too");

    let (status, _) = post(form, vec![("sec-fetch-site", "same-origin".into())]).await;
    assert_eq!(status, 303);
    let (status, _) = post(form, vec![("origin", format!("http://{host}"))]).await;
    assert_eq!(status, 303);
    let (status, _) = post(form, vec![]).await;
    assert_eq!(
        status, 303,
        "programs that send neither header are not browsers"
    );
}

async fn pages_carry_a_content_security_policy_with_their_own_nonce(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/apply/mailbox/organisation").await;
    let headers = response.headers().clone();
    let page = response.text().await.unwrap();
    let policy = headers
        .get("content-security-policy")
        .expect("a policy")
        .to_str()
        .unwrap()
        .to_owned();

    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"));
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 20);
    let scripts = page.matches("<script").count();
    assert!(scripts >= 2, "the page has its scripts");
    assert_eq!(
        page.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries the nonce"
    );
    let other = app.get("/apply/mailbox/organisation").await;
    let other_policy = other.headers()["content-security-policy"].to_str().unwrap();
    assert_ne!(other_policy, policy, "a new nonce for each response");

    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let health = app.get("/health").await;
    assert!(
        health.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
}

async fn a_request_too_large_is_answered_413_and_its_connection_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    // A form of 3 MB (forms take 2 MB at most), all of it sent, as a browser sends it.
    const LENGTH: usize = 3 * 1024 * 1024;
    let writer = tokio::spawn(async move {
        let head = format!(
            "POST /workflows/request HTTP/1.1\r\nHost: {address}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {LENGTH}\r\n\r\n"
        );
        write.write_all(head.as_bytes()).await?;
        let piece = vec![b'a'; 64 * 1024];
        for _ in 0..LENGTH / piece.len() {
            write.write_all(&piece).await?;
        }
        // Then a second request on the same connection, which must not be taken for one.
        write
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
    });

    let mut answer = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    let _ = writer.await;

    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 413"), "{text}");
    assert!(text.contains("\r\nconnection: close\r\n"), "{text}");
    assert!(
        ended.is_ok(),
        "the server closed the connection (it waited 30 s): {text}"
    );
    assert_eq!(
        text.matches("http/1.1 ").count(),
        1,
        "nothing answered after the 413: {text}"
    );
}

async fn mesh_api_answers_are_never_sniffed(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/messageexchange/_ping",
        "/messageexchange/X26OT001/inbox",
        "/messageexchange/%3Cscript%3E/inbox",
        "/messageexchange/endpointlookup/X26/%3Cb%3E",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}: {}",
            response.status()
        );
    }
}
