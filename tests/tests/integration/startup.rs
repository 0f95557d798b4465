//! Start-up while other servers run in the same process: the Leptos route list is generated once
//! per process, because generating it pauses every resource in the process.

use std::sync::Arc;
use std::time::Duration;

use mesh_portal_tests::{Backend, spawn_app, test_settings};
use server::Application;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_pages_while_other_servers_start() {
    let app = Arc::new(spawn_app(Backend::Sqlite).await);
    let starting = tokio::spawn(async {
        let mut started = Vec::new();
        for _ in 0..30 {
            let (settings, dir) = test_settings(Backend::Sqlite, &[]).await;
            started.push((Application::build(&settings).await.expect("starts"), dir));
        }
        started.len()
    });

    let mut requests = 0;
    let mut stalled = 0;
    while !starting.is_finished() || requests == 0 {
        let batch: Vec<_> = (0..8)
            .map(|_| {
                let app = Arc::clone(&app);
                tokio::spawn(async move {
                    let page = app.get_text("/workflows/CRDLGY_SCANS");
                    tokio::time::timeout(Duration::from_secs(5), page).await
                })
            })
            .collect();
        for request in batch {
            requests += 1;
            match request.await.unwrap() {
                Ok((status, _)) => assert_eq!(status, 200),
                Err(_) => stalled += 1,
            }
        }
    }

    assert_eq!(starting.await.unwrap(), 30);
    assert_eq!(stalled, 0, "{stalled} of {requests} page requests stalled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn makes_a_private_key_file_on_first_run_and_keeps_using_it() {
    let (settings, _dir) = test_settings(Backend::Sqlite, &[]).await;
    let first = Application::build(&settings).await.expect("starts");
    let sealed = first.state().secret_key.seal(b"an authenticator key");
    let path = settings.data_dir.join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner may read the key file");
    }
    drop(first);

    let second = Application::build(&settings).await.expect("starts again");
    assert_eq!(
        second.state().secret_key.open(&sealed).unwrap(),
        b"an authenticator key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_key_is_used_instead_of_a_key_file() {
    let key = app::backend::crypto::SecretKey::generate();
    let encoded = key.to_base64();
    let (settings, _dir) = test_settings(
        Backend::Sqlite,
        &[("MESH_PORTAL_SECRET_KEY", encoded.as_str())],
    )
    .await;
    let application = Application::build(&settings).await.expect("starts");
    let sealed = application.state().secret_key.seal(b"x");

    assert_eq!(key.open(&sealed).unwrap(), b"x");
    assert!(!settings.data_dir.join("secret.key").exists());
}
