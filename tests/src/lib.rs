//! Test helpers: start the real server on port 0 with a fresh database (SQLite or PostgreSQL),
//! and a throw-away PostgreSQL cluster for the whole test run.
//!
//! `spawn_app(Backend::Postgres)` starts one cluster per test process on a free loopback port
//! (as the `postgres` user when run as root, since `initdb` refuses root), and a small watcher
//! process that stops the cluster and deletes its folder as soon as the test process has gone,
//! however it ended. Set `MESH_PORTAL_TEST_POSTGRES_URL` to use an existing server instead.

pub mod accounts;
pub mod applying;
pub mod care_identity;
pub mod postgres;
pub mod s3;
pub mod smtp;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use app::backend::AppState;
use server::{Application, Settings};
use tempfile::TempDir;

/// The database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub settings: Settings,
    pub backend: Backend,
    /// Holds the data folder (and the SQLite file) until the test ends.
    pub data_dir: TempDir,
    /// The S3-compatible server holding the content, when there is one.
    pub s3: Option<s3::S3Server>,
}

impl TestApp {
    /// `GET` a path, following no redirects.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request failed")
    }

    /// `GET` a path and read the body as text, with its status.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, page_text(response).await)
    }
}

/// A page's HTML as its reader's parser sees it: without the empty comments (`<!>`) Leptos puts
/// between a view's parts for hydration, which built with `erase_components` (as every build is)
/// fall inside elements the tests look for (`Skip to main content<!></a>`).
pub async fn page_text(response: reqwest::Response) -> String {
    response
        .text()
        .await
        .expect("body is text")
        .replace("<!>", "")
}

/// One browser: its own cookies (so its own session and drafts), following no redirects.
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
}

/// What a form post answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Where a redirect sends the browser, if it is one.
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// A response as a browser sees it: its status, where it redirects, and its page's text.
    pub async fn of(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Answer {
            status,
            location,
            body: page_text(response).await,
        }
    }
}

impl Browser {
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request failed");
        let status = response.status().as_u16();
        (status, page_text(response).await)
    }

    /// Posts a form as a browser without JavaScript does.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .form(pairs)
            .send()
            .await
            .expect("request failed");
        Answer::of(response).await
    }

    /// Posts the same answers to the page's server function, as the page does with JavaScript.
    pub async fn submit_json(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
        let values: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        self.post_json(
            "/api/submit_form",
            serde_json::json!({ "path": path, "values": values }),
        )
        .await
    }

    /// Posts a JSON body to a server function.
    pub async fn post_json(&self, endpoint: &str, body: serde_json::Value) -> (u16, String) {
        let response = self
            .client
            .post(format!("{}{endpoint}", self.address))
            .json(&body)
            .send()
            .await
            .expect("request failed");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body is text"))
    }
}

impl TestApp {
    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser {
            address: self.address.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
        }
    }
}

/// The workspace's `seed-data/` folder.
pub fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seed-data")
}

/// A name no other test in this run uses.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Settings for a test server: port 0, a fresh data folder, a fresh database, quiet logs.
pub async fn test_settings(backend: Backend, extra: &[(&str, &str)]) -> (Settings, TempDir) {
    let data_dir = tempfile::tempdir().expect("temporary folder");
    let database_url = match backend {
        Backend::Sqlite => server::config::default_sqlite_url(data_dir.path()),
        Backend::Postgres => postgres::fresh_database().await,
    };
    let mut vars: HashMap<String, String> = HashMap::from([
        ("MESH_PORTAL_LISTEN_ADDR".into(), "127.0.0.1:0".into()),
        (
            "MESH_PORTAL_DATA_DIR".into(),
            data_dir.path().display().to_string(),
        ),
        ("MESH_PORTAL_DATABASE_URL".into(), database_url),
        (
            "MESH_PORTAL_SEED_DIR".into(),
            seed_dir().display().to_string(),
        ),
        ("MESH_PORTAL_LOG".into(), "warn".into()),
        // No browser loads these pages' assets; an empty site folder keeps the log quiet.
        (
            "MESH_PORTAL_SITE_DIR".into(),
            data_dir.path().display().to_string(),
        ),
        ("MESH_PORTAL_DB_MAX_CONNECTIONS".into(), "5".into()),
    ]);
    for (name, value) in extra {
        vars.insert((*name).into(), (*value).into());
    }
    let settings = Settings::from_lookup(|name| vars.get(name).cloned()).expect("test settings");
    (settings, data_dir)
}

/// Starts the real server on a free port with a fresh database and the real seed data.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Like [`spawn_app_with`], with the content store that goes with the database in service: a
/// local folder beside SQLite (one instance), an S3 bucket (a real `s3s-fs` process, stopped with
/// the app) beside PostgreSQL (several instances).
pub async fn spawn_app_with_content(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    match backend {
        Backend::Sqlite => spawn_app_with(backend, extra).await,
        Backend::Postgres => {
            let s3 = s3::S3Server::start();
            let storage = s3.env(&unique_name("content"));
            let mut vars: Vec<(&str, &str)> = extra.to_vec();
            vars.extend(storage.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let mut app = spawn_app_with(backend, &vars).await;
            assert!(!app.state.storage.is_local(), "the content is in S3");
            app.s3 = Some(s3);
            app
        }
    }
}

/// Like [`spawn_app`], with extra `MESH_PORTAL_*` variables.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let (settings, data_dir) = test_settings(backend, extra).await;
    server::telemetry::init(&settings);
    let application = Application::build(&settings).await.expect("server starts");
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let address = format!("{scheme}://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    TestApp {
        address,
        client,
        state,
        settings,
        backend,
        data_dir,
        s3: None,
    }
}

/// A second instance beside `first`: the same database, the same secret key, its own port and
/// data folder, and `extra` variables (give both the same S3 storage to share content).
pub async fn spawn_another_instance(first: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let key = first.state.secret_key.to_base64();
    let mut vars: Vec<(&str, &str)> = vec![
        (
            "MESH_PORTAL_DATABASE_URL",
            first.settings.database_url.expose(),
        ),
        ("MESH_PORTAL_SECRET_KEY", &key),
    ];
    vars.extend_from_slice(extra);
    let (settings, data_dir) = test_settings(first.backend, &vars).await;
    let application = Application::build(&settings).await.expect("server starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: first.client.clone(),
        state,
        settings,
        backend: first.backend,
        data_dir,
        s3: None,
    }
}

/// Writes a workflows seed file into a new folder and returns the folder.
pub fn seed_folder_with(workflows_csv: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("workflows.csv"), workflows_csv).expect("write seed file");
    dir
}

impl TestApp {
    /// The text of the first email the default transport wrote (a `.eml` file in the data
    /// folder) that contains `needle`, with quoted-printable and base64 parts decoded: what was
    /// actually sent, after the outbox has blanked any secret. Waits 10 s at most.
    pub async fn sent_email(&self, needle: &str) -> Option<String> {
        let dir = self.data_dir.path().join("mail");
        for _ in 0..100 {
            let found = std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                        // A file still being written has not reached its closing boundary.
                        .filter(|raw| raw.trim_end().ends_with("--"))
                        .map(|raw| decode_email(&raw))
                        .find(|text| text.contains(needle))
                })
                .unwrap_or_default();
            if found.is_some() {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    }
}

/// An email's text with its parts' transfer encodings undone (quoted-printable, base64).
pub fn decode_email(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    raw.split("\n--")
        .map(|part| {
            let Some((headers, body)) = part.split_once("\n\n") else {
                return part.to_owned();
            };
            let lower = headers.to_ascii_lowercase();
            let body = if lower.contains("content-transfer-encoding: base64") {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = data_encoding::BASE64
                    .decode(compact.as_bytes())
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            } else if lower.contains("content-transfer-encoding: quoted-printable") {
                decode_quoted_printable(body)
            } else {
                body.to_owned()
            };
            format!("{headers}\n\n{body}")
        })
        .collect::<Vec<_>>()
        .join("\n--")
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len() + 1
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
