//! NHS Care Identity for tests: a real OpenID Connect provider (npm's `oidc-provider`, run by
//! `tests/oidc/provider.mjs`, installed by `make test-tools`) on a free loopback port, set up as
//! CIS2 is, with the people a test names. It is stopped when dropped; [`IdentityProvider::rotate_keys`]
//! restarts it on the same port with new signing keys.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Answer, Browser, TestApp};

/// The portal's client ID at the test provider.
pub const CLIENT_ID: &str = "mesh-portal-test";
/// The key ID the provider knows the portal's key by.
pub const KEY_ID: &str = "mesh-portal-test-key";
/// The portal's public address as the provider knows it (the redirect URI is under it; tests
/// take the callback to the portal's real address themselves).
pub const PORTAL_URL: &str = "http://127.0.0.1:9";

/// A person with a Care Identity.
#[derive(Debug, Clone)]
pub struct Person {
    pub sub: &'static str,
    /// The 12-digit number on their smartcard.
    pub uid: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    /// (organisation, activity codes) of each RBAC role.
    pub roles: Vec<(&'static str, Vec<&'static str>)>,
}

impl Person {
    fn json(&self) -> Value {
        json!({
            "sub": self.sub,
            "uid": self.uid,
            "email": self.email,
            "name": self.name,
            "roles": self.roles.iter().map(|(org, codes)| json!({
                "org_code": org,
                "role_code": "S8000:G8000:R8001",
                "role_name": "Nurse Access Role",
                "activity_codes": codes,
            })).collect::<Vec<_>>(),
        })
    }
}

/// How the test provider behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How long its ID tokens last (default 600 s).
    pub id_token_seconds: Option<i64>,
    /// Signs with a key it does not publish: every token is a forgery.
    pub hide_signing_key: bool,
    /// The portal authenticates with a client secret instead of a signed assertion.
    pub client_secret: Option<&'static str>,
    /// A port chosen beforehand (so that a portal can be started first, knowing the issuer).
    pub port: Option<u16>,
    /// Where it posts logout tokens when someone logs out there.
    pub backchannel_logout_uri: Option<String>,
}

/// A running provider.
pub struct IdentityProvider {
    pub issuer: String,
    port: u16,
    config: Value,
    folder: tempfile::TempDir,
    child: Child,
}

fn script() -> PathBuf {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc");
    assert!(
        tests.join("node_modules/oidc-provider").exists(),
        "tests/oidc/node_modules is missing: run `make test-tools` to install oidc-provider"
    );
    tests.join("provider.mjs")
}

/// Starts `node provider.mjs CONFIG` and waits for its "listening" line (20 s at most).
fn spawn(config: &Value, folder: &Path) -> (Child, String) {
    let path = folder.join("config.json");
    std::fs::write(&path, config.to_string()).expect("the provider's configuration");
    let mut child = Command::new("node")
        .arg(script())
        .arg(&path)
        .stdout(Stdio::piped())
        // Its notes (a back-channel logout sent or failed) go with the test's output.
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node starts (is Node.js installed?)");
    let stdout = child.stdout.take().expect("its output");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(issuer) = line.strip_prefix("listening ") {
                let _ = sender.send(issuer.to_owned());
            }
        }
    });
    let issuer = receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("the identity provider starts within 20 s");
    (child, issuer)
}

impl IdentityProvider {
    /// A provider knowing `people`, with the portal registered as [`CLIENT_ID`].
    pub fn start(people: &[Person], options: &Options) -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut client = json!({
            "client_id": CLIENT_ID,
            "redirect_uri": format!("{PORTAL_URL}{}", app::backend::accounts::care_identity::CALLBACK_PATH),
            "post_logout_redirect_uri": format!("{PORTAL_URL}/sign-out?done=1"),
            "key_id": KEY_ID,
        });
        match options.client_secret {
            Some(secret) => client["client_secret"] = json!(secret),
            None => client["key_file"] = json!(folder.path().join("client.pem")),
        }
        let mut config = json!({
            "port": options.port.unwrap_or(0),
            "backchannel_logout_uri": options.backchannel_logout_uri,
            "people": people.iter().map(Person::json).collect::<Vec<_>>(),
            "client": client,
            "hide_signing_key": options.hide_signing_key,
        });
        if let Some(seconds) = options.id_token_seconds {
            config["id_token_seconds"] = json!(seconds);
        }
        let (child, issuer) = spawn(&config, folder.path());
        let port = issuer
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        config["port"] = json!(port);
        Self {
            issuer,
            port,
            config,
            folder,
            child,
        }
    }

    /// Stops the provider and starts it again on the same port with new signing keys, as an
    /// issuer rotating its keys does (its logins in progress are forgotten).
    pub fn rotate_keys(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let started = Instant::now();
        loop {
            // The port is free again once the old process has gone.
            if std::net::TcpListener::bind(("127.0.0.1", self.port)).is_ok() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the old provider stops"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let (child, issuer) = spawn(&self.config, self.folder.path());
        assert_eq!(issuer, self.issuer, "the same address");
        self.child = child;
    }

    /// The portal's variables for this provider.
    pub fn portal_vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("MESH_PORTAL_CIS2_ISSUER".to_owned(), self.issuer.clone()),
            (
                "MESH_PORTAL_CIS2_CLIENT_ID".to_owned(),
                CLIENT_ID.to_owned(),
            ),
            ("MESH_PORTAL_BASE_URL".to_owned(), PORTAL_URL.to_owned()),
        ];
        match self.config["client"]["client_secret"].as_str() {
            Some(secret) => vars.push((
                "MESH_PORTAL_CIS2_CLIENT_SECRET".to_owned(),
                secret.to_owned(),
            )),
            None => {
                vars.push((
                    "MESH_PORTAL_CIS2_CLIENT_KEY".to_owned(),
                    self.folder.path().join("client.pem").display().to_string(),
                ));
                vars.push((
                    "MESH_PORTAL_CIS2_CLIENT_KEY_ID".to_owned(),
                    KEY_ID.to_owned(),
                ));
            }
        }
        vars
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a person authenticates at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticates {
    /// A smartcard: assurance level 3.
    Smartcard,
    /// An authenticator app: level 2.
    App,
    /// Presses "Cancel".
    Cancels,
}

/// A login in progress: the portal sent the browser to the provider.
pub struct Started {
    /// The provider's authorisation address, with the portal's parameters.
    pub authorize_url: String,
}

/// Chooses "Care Identity" on the portal's method page.
pub async fn start_login(browser: &Browser) -> Started {
    let chosen = browser
        .post_form("/sign-in/method", &[("method", "care_identity")])
        .await;
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    Started {
        authorize_url: chosen.location.expect("on to Care Identity"),
    }
}

/// Logs in at the provider as `sub`, following its redirects, and returns where it sends the
/// browser back to the portal (the callback's path and query).
pub async fn at_the_provider(
    browser: &Browser,
    provider: &IdentityProvider,
    started: &Started,
    sub: &str,
    how: Authenticates,
) -> String {
    let mut url = started.authorize_url.clone();
    let mut logged_in = false;
    for _ in 0..10 {
        if let Some(back) = url.strip_prefix(PORTAL_URL) {
            return back.to_owned();
        }
        let response = browser
            .client
            .get(&url)
            .send()
            .await
            .expect("the provider answers");
        let Answer {
            status,
            location,
            body,
        } = Answer::of(response).await;
        url = match location {
            Some(location) => absolute(&provider.issuer, &location),
            None if !logged_in && status == 200 && body.contains("/login\"") => {
                logged_in = true;
                let path = url.trim_start_matches(&provider.issuer).to_owned();
                let (action, form): (String, Vec<(&str, &str)>) = match how {
                    Authenticates::Cancels => (format!("{path}/abort"), vec![]),
                    Authenticates::Smartcard => (
                        format!("{path}/login"),
                        vec![("person", sub), ("level", "3")],
                    ),
                    Authenticates::App => (
                        format!("{path}/login"),
                        vec![("person", sub), ("level", "2")],
                    ),
                };
                let posted = browser
                    .client
                    .post(format!("{}{action}", provider.issuer))
                    .form(&form)
                    .send()
                    .await
                    .expect("the provider takes the login");
                let location = posted
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .expect("the provider goes on")
                    .to_owned();
                absolute(&provider.issuer, &location)
            }
            None => panic!("the provider stopped at {url}: {status} {body}"),
        };
    }
    panic!("the provider never sent the browser back");
}

fn absolute(issuer: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        format!("{issuer}{location}")
    }
}

/// Takes the provider's answer to the portal's callback, as the browser would.
pub async fn back_at_the_portal(app: &TestApp, browser: &Browser, callback: &str) -> Answer {
    let response = browser
        .client
        .get(format!("{}{callback}", app.address))
        .send()
        .await
        .expect("the portal answers");
    Answer::of(response).await
}

/// The login from the method page to the provider's answer: the callback's path and query.
pub async fn to_the_callback(
    browser: &Browser,
    provider: &IdentityProvider,
    sub: &str,
    how: Authenticates,
) -> String {
    let started = start_login(browser).await;
    at_the_provider(browser, provider, &started, sub, how).await
}

/// The whole login, from the method page to the portal's answer.
pub async fn log_in(
    app: &TestApp,
    browser: &Browser,
    provider: &IdentityProvider,
    sub: &str,
    how: Authenticates,
) -> Answer {
    let callback = to_the_callback(browser, provider, sub, how).await;
    back_at_the_portal(app, browser, &callback).await
}
