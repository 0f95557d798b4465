//! Access routes: who may use the service at all, decided per request from the client's address
//! (and, behind trusted proxies, from `X-Forwarded-For`).

use mesh_portal_tests::{Backend, spawn_app_with};

on_each_database!(
    clients_outside_the_allowed_networks_get_a_page_that_says_why,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
);

async fn clients_outside_the_allowed_networks_get_a_page_that_says_why(backend: Backend) {
    // The test client is on loopback, which these settings neither allow nor treat as HSCN.
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8"),
            ("MESH_PORTAL_ALLOWED_NETWORKS", "203.0.113.0/24"),
        ],
    )
    .await;

    for path in ["/", "/apply/mailbox/organisation", "/workflows?q=path"] {
        let (status, body) = app.get_text(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("You cannot use this service from your network"));
    }
    let posted = app
        .client
        .post(format!("{}/apply/mailbox/organisation", app.address))
        .form(&[("ods_code", "X26")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 403);
    let (health, _) = app.get_text("/health").await;
    assert_eq!(health, 200, "load balancers can still ask");
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8"),
            ("MESH_PORTAL_ALLOWED_NETWORKS", "203.0.113.0/24"),
            ("MESH_PORTAL_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let status_for = |forwarded: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/", app.address))
                .header("x-forwarded-for", forwarded)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };

    assert_eq!(
        status_for("203.0.113.7").await,
        200,
        "an allowed UK address"
    );
    assert_eq!(status_for("10.1.2.3").await, 200, "an HSCN address");
    assert_eq!(status_for("198.51.100.1").await, 403, "elsewhere");
    assert_eq!(
        status_for("203.0.113.7, 198.51.100.1").await,
        403,
        "the proxy's own record of the client wins over what the client wrote"
    );
}
