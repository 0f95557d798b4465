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
