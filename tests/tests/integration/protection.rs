//! Protection every response carries: cross-site request forgery refused for forms and server
//! functions, and the security headers (a Content Security Policy without inline scripts).

use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    state_changing_requests_from_other_sites_are_refused,
    pages_carry_a_content_security_policy_with_their_own_nonce,
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
