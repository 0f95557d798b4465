//! Configuration: a bad value stops start-up with a message that names the variable.

use mesh_portal_tests::{Backend, test_settings};
use server::{Application, Settings};

on_each_database!(
    refuses_to_start_when_the_database_cannot_be_reached,
    starts_with_a_good_configuration
);

#[test]
fn names_the_variable_of_each_bad_value() {
    let cases = [
        (
            "MESH_PORTAL_LISTEN_ADDR",
            "localhost",
            "is not an address and port",
        ),
        (
            "MESH_PORTAL_LISTEN_ADDR",
            "127.0.0.1:99999",
            "is not an address and port",
        ),
        (
            "MESH_PORTAL_DATABASE_URL",
            "mysql://db/x",
            "must start with sqlite: or postgres:",
        ),
        ("MESH_PORTAL_BASE_URL", "not a url", "is not a URL"),
        (
            "MESH_PORTAL_BASE_URL",
            "ftp://example.org",
            "must be an http:// or https:// address",
        ),
        ("MESH_PORTAL_LOG", "info,[", "is not a log filter"),
        ("MESH_PORTAL_LOG_FORMAT", "xml", "must be text or json"),
        ("MESH_PORTAL_SITE_DIR", "/no/such/folder", "is not a folder"),
        (
            "MESH_PORTAL_DB_MAX_CONNECTIONS",
            "0",
            "must be a whole number from 1 to 1000",
        ),
        (
            "MESH_PORTAL_DB_MAX_CONNECTIONS",
            "lots",
            "must be a whole number from 1 to 1000",
        ),
        (
            "MESH_PORTAL_TLS_CERT",
            "/tmp/cert.pem",
            "set MESH_PORTAL_TLS_KEY too",
        ),
        (
            "MESH_PORTAL_TLS_KEY",
            "/tmp/key.pem",
            "set MESH_PORTAL_TLS_CERT too",
        ),
        (
            "MESH_PORTAL_TLS_CLIENT_CA",
            "/tmp/ca.pem",
            "needs MESH_PORTAL_TLS_CERT",
        ),
        (
            "MESH_PORTAL_MESH_MAX_MESSAGE_BYTES",
            "0",
            "must be a whole number from 1 to",
        ),
    ];
    for (variable, value, expected) in cases {
        let error = Settings::from_lookup(|name| (name == variable).then(|| value.to_owned()))
            .expect_err(&format!("{variable}={value} should be refused"));
        assert_eq!(error.variable, variable);
        let shown = error.to_string();
        assert!(shown.starts_with(&format!("{variable}: ")), "{shown}");
        assert!(shown.contains(expected), "{variable}={value}: {shown}");
    }
}

#[test]
fn reads_every_documented_variable() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for (variable, _, _) in server::config::VARIABLES {
        assert!(
            readme.contains(variable),
            "{variable} is missing from the README"
        );
    }
}

async fn refuses_to_start_when_the_database_cannot_be_reached(backend: Backend) {
    let unreachable = match backend {
        Backend::Sqlite => "sqlite:///no/such/folder/x.db".to_owned(),
        Backend::Postgres => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            format!("postgres://postgres@127.0.0.1:{port}/nothing")
        }
    };
    let (settings, _dir) =
        test_settings(backend, &[("MESH_PORTAL_DATABASE_URL", &unreachable)]).await;

    let error = Application::build(&settings)
        .await
        .err()
        .expect("start-up fails");

    assert!(
        error
            .to_string()
            .contains("could not connect to the database"),
        "{error}"
    );
}

async fn starts_with_a_good_configuration(backend: Backend) {
    let (settings, _dir) = test_settings(
        backend,
        &[("MESH_PORTAL_BASE_URL", "https://mesh.example.nhs.uk")],
    )
    .await;

    let app = Application::build(&settings).await.expect("starts");

    assert_ne!(app.port(), 0, "port 0 becomes a real port");
    assert_eq!(settings.base_url.as_str(), "https://mesh.example.nhs.uk/");
}
