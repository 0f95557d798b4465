//! Built-in HTTPS: the server's certificate from files, and client certificates checked against a
//! CA bundle, required by the MESH API (as the real MESH requires them) but not by the pages.

use app::backend::mailboxes;
use app::backend::mesh::auth::{make_token, timestamp_of};
use mesh_portal_tests::{Backend, spawn_app_with};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// A CA and a certificate it issued for `name`: (CA PEM, certificate PEM, key PEM).
fn issued(ca: &(rcgen::Certificate, KeyPair), name: &str) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca.0, &ca.1).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn authority() -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    (params.self_signed(&key).unwrap(), key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_the_pages_and_the_api_requires_a_client_certificate_from_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = authority();
    let client_ca = authority();
    let other_ca = authority();
    let (server_cert, server_key) = issued(&server_ca, "localhost");
    let (client_cert, client_key) = issued(&client_ca, "SERVER001.X26.api.mesh-client.nhs.uk");
    let (stranger_cert, stranger_key) = issued(&other_ca, "stranger");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let cert_file = write("server.pem", &server_cert);
    let key_file = write("server.key", &server_key);
    let ca_file = write("clients-ca.pem", &client_ca.0.pem());
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("MESH_PORTAL_TLS_CERT", &cert_file),
            ("MESH_PORTAL_TLS_KEY", &key_file),
            ("MESH_PORTAL_TLS_CLIENT_CA", &ca_file),
        ],
    )
    .await;
    assert!(app.address.starts_with("https://"));
    mailboxes::add(&app.state.db, "X26OT001", "X26", "integration")
        .await
        .unwrap();
    mailboxes::set_api_password(&app.state.db, &app.state.secret_key, "X26OT001", "pw")
        .await
        .unwrap();
    let port = app.address.rsplit(':').next().unwrap();
    let base = format!("https://localhost:{port}");
    let trusting = |identity: Option<(&str, &str)>| {
        let mut builder = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(server_ca.0.pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", format!("127.0.0.1:{port}").parse().unwrap());
        if let Some((cert, key)) = identity {
            builder = builder
                .identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
        }
        builder.build().unwrap()
    };
    let token = |count: u64| {
        make_token(
            "X26OT001",
            "pw",
            b"BackBone",
            "tls-nonce",
            count,
            &timestamp_of(app.state.clock.now()),
        )
    };

    // A browser without a certificate gets the pages over HTTPS.
    let browser = trusting(None);
    let page = browser
        .get(format!("{base}/workflows"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // The API refuses it, and a certificate from another CA, and takes one from the clients' CA.
    let handshake = |client: reqwest::Client, count: u64| {
        let request = client
            .post(format!("{base}/messageexchange/X26OT001"))
            .header("Accept", "application/vnd.mesh.v2+json")
            .header("Authorization", token(count));
        async move { request.send().await.map(|r| r.status().as_u16()) }
    };
    assert_eq!(
        handshake(browser.clone(), 0).await.unwrap(),
        403,
        "no certificate"
    );
    let stranger = handshake(trusting(Some((&stranger_cert, &stranger_key))), 1).await;
    assert!(
        stranger.is_err(),
        "another CA's certificate fails the handshake: {stranger:?}"
    );
    assert_eq!(
        handshake(trusting(Some((&client_cert, &client_key))), 2)
            .await
            .unwrap(),
        200
    );
    // And a client that does not trust the server's CA does not connect at all.
    let untrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .resolve("localhost", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    assert!(
        untrusting
            .get(format!("{base}/health"))
            .send()
            .await
            .is_err()
    );
}

#[test]
fn a_missing_or_broken_certificate_stops_start_up_with_its_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let files = server::tls::TlsFiles {
        certificate: missing.clone(),
        key: missing.clone(),
        client_ca: None,
    };
    let error = server::tls::server_config(&files).unwrap_err();
    assert_eq!(error.path, missing);
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let files = server::tls::TlsFiles {
        certificate: junk.clone(),
        key: junk.clone(),
        client_ca: None,
    };
    let error = server::tls::server_config(&files).unwrap_err();
    assert!(error.to_string().contains("junk.pem"), "{error}");
}
