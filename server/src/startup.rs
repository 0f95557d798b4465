//! Start-up: open and migrate the database, load the seed data, build the state and the router,
//! bind the listener. [`Application::build`] does it all, so tests start the real server on
//! port 0 exactly as production does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use app::backend::accounts::care_identity::CareIdentity;
use app::backend::accounts::rate_limit;
use app::backend::catalogue::Catalogue;
use app::backend::catalogue::seed;
use app::backend::clock::Clock;
use app::backend::content::store::Storage;
use app::backend::crypto::SecretKey;
use app::backend::db::{Db, DbError};
use app::backend::mail::{self, MailSetupError, Mailer};
use app::backend::organisations;
use app::backend::seed::{SeedError, SeedReport};
use app::backend::sessions::DbSessionStore;
use app::backend::{AppState, ServiceConfig};
use app::{App, shell};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Settings;
use crate::routes;

/// The seed files built into the binary, used when the seed folder lacks them.
const BUILT_IN_WORKFLOWS: &[u8] = include_bytes!("../../seed-data/workflows.csv");
const BUILT_IN_ORGANISATIONS: &[u8] = include_bytes!("../../seed-data/organisations.csv");

/// What loading each seed file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReports {
    pub workflows: SeedReport,
    pub organisations: SeedReport,
}

impl SeedReports {
    pub fn each(&self) -> [&SeedReport; 2] {
        [&self.workflows, &self.organisations]
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot load the seed data: {0}")]
    Seed(#[from] SeedError),
    #[error("cannot read the workflow catalogue: {0}")]
    Catalogue(#[source] sqlx::Error),
    #[error("cannot add the mailbox: {0}")]
    AddMailbox(#[from] app::backend::mailboxes::AddMailboxError),
    #[error("cannot create the account: {0}")]
    CreateUser(#[from] app::backend::accounts::CreateUserError),
    #[error("cannot read the accounts: {0}")]
    Accounts(#[source] sqlx::Error),
    #[error("the role must be mailbox_user, service_desk or admin, not {0:?}")]
    Role(String),
    #[error("cannot read or write the key file {path}: {message}")]
    KeyFile { path: PathBuf, message: String },
    #[error("cannot set up email: {0}")]
    Mail(#[from] MailSetupError),
    #[error("cannot open the content storage: {0}")]
    Storage(#[from] app::backend::content::store::StorageError),
    #[error("sandbox: {0}")]
    Sandbox(String),
    #[error("cannot set up the Care Identity client: {0}")]
    CareIdentity(String),
    #[error("cannot set up HTTPS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// A built server, bound to its port and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    /// Built-in HTTPS, when configured.
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Application {
    /// Prepares everything, in order: data folder, database, migrations, seed data, catalogue,
    /// router, listener.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let db = prepare_database(settings).await?;
        let reports = sync_seed_data(&db, &settings.seed_dir).await?;
        for report in reports.each() {
            log_seed_report(report);
        }
        let catalogue = Catalogue::load(&db)
            .await
            .map_err(StartupError::Catalogue)?;
        tracing::info!(
            catalogue.entries = catalogue.index().len(),
            "catalogue loaded"
        );

        let listener = TcpListener::bind(settings.listen_addr)
            .await
            .map_err(|source| StartupError::Listen {
                addr: settings.listen_addr,
                source,
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                addr: settings.listen_addr,
                source,
            })?;
        let leptos_options = leptos_options(settings, local_addr);
        let mailer = Mailer::new(
            settings.data_dir.join("mail"),
            settings.smtp_url.as_ref().map(|u| u.expose()),
            &settings.mail_from,
        )?;
        tracing::info!(mail.transport = ?mailer, "mail ready");
        let secret_key = secret_key(settings)?;
        if settings.mesh.shared_key.0 == b"BackBone" {
            tracing::warn!(
                "MESH_PORTAL_MESH_SHARED_KEY is unset: MESH API tokens are checked with \
                 mesh-client's built-in default key, which is for a laptop only"
            );
        }
        let tls = settings
            .tls
            .as_ref()
            .map(crate::tls::server_config)
            .transpose()?;
        let storage = Storage::open(&settings.storage).await?;
        tracing::info!(storage = %storage.describe(), "content storage ready");
        let state = AppState {
            mesh_credentials: Arc::default(),
            chunked_sends: Arc::default(),
            storage,
            instance_id: app::backend::crypto::random_token()[..16].into(),
            db,
            catalogue: Arc::new(catalogue),
            mailer: Arc::new(mailer),
            config: Arc::new(ServiceConfig {
                base_url: settings.public_url(""),
                service_desk_email: settings.service_desk_email.clone(),
                care_identity: care_identity(settings)?,
                turnaround_days: settings.turnaround_days,
                mesh: settings.mesh.clone(),
            }),
            secret_key: Arc::new(secret_key),
            clock: Arc::new(Clock::default()),
            network: Arc::new(settings.network.clone()),
            lock_policy: settings.lock_policy,
            session_policy: settings.session_policy,
        };
        let secure_cookies = settings.base_url.scheme() == "https";
        let router = router(
            ServerState {
                app: state.clone(),
                leptos_options,
            },
            secure_cookies,
        );
        Ok(Self {
            listener,
            router,
            state,
            tls,
        })
    }

    /// The port actually bound (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// The shared state, for tests that look behind the HTTP interface.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is asked to stop (Ctrl-C or SIGTERM), then finishes the requests
    /// in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let addr = self.listener.local_addr()?;
        tokio::spawn(mail::run_worker(
            self.state.db.clone(),
            self.state.mailer.clone(),
            self.state.clock.clone(),
        ));
        tokio::spawn(delete_expired(self.state.db.clone()));
        // Before serving: this instance is alive, and what stopped uploads left is gone.
        if let Err(error) = app::backend::content::sweeper::heartbeat(&self.state).await {
            tracing::warn!(%error, "instance heartbeat");
        }
        if let Err(error) = app::backend::content::sweeper::sweep(&self.state, true).await {
            tracing::warn!(%error, "sweeping stopped uploads");
        }
        tokio::spawn(app::backend::content::sweeper::run(self.state.clone()));
        tokio::spawn(app::backend::messaging::retention::run(self.state.clone()));
        if let Some(tls) = self.tls {
            tracing::info!(listen.addr = %addr, "serving HTTPS");
            return crate::tls::serve(self.listener, self.router, tls, shutdown_signal()).await;
        }
        tracing::info!(listen.addr = %addr, "serving");
        // Without Nagle's algorithm: a streamed response's last small write would otherwise
        // wait for the client's delayed acknowledgement (40 ms a response, seen in the MESH API
        // benchmark).
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

/// Creates the data folder, opens the database and brings its schema up to date.
pub async fn prepare_database(settings: &Settings) -> Result<Db, StartupError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| StartupError::DataDir {
        path: settings.data_dir.clone(),
        source,
    })?;
    let db = Db::connect(settings.database_url.expose(), settings.db_max_connections).await?;
    db.migrate().await?;
    tracing::info!(database.kind = db.kind.name(), "database ready");
    Ok(db)
}

/// Loads the seed folder's `workflows.csv` and `organisations.csv`, or the built-in copy of a
/// file the folder lacks.
pub async fn sync_seed_data(db: &Db, seed_dir: &Path) -> Result<SeedReports, StartupError> {
    let (name, contents) = read_seed_file(seed_dir, "workflows.csv", BUILT_IN_WORKFLOWS)?;
    let workflows = seed::sync_workflows(db, &name, &contents).await?;
    let (name, contents) = read_seed_file(seed_dir, "organisations.csv", BUILT_IN_ORGANISATIONS)?;
    let organisations = organisations::sync(db, &name, &contents).await?;
    Ok(SeedReports {
        workflows,
        organisations,
    })
}

fn read_seed_file(
    seed_dir: &Path,
    file: &str,
    built_in: &[u8],
) -> Result<(String, Vec<u8>), SeedError> {
    let path = seed_dir.join(file);
    match std::fs::read(&path) {
        Ok(contents) => Ok((path.display().to_string(), contents)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Ok((format!("{file} (built into the binary)"), built_in.to_vec()))
        }
        Err(error) => Err(SeedError::File {
            file: path.display().to_string(),
            reason: error.to_string(),
        }),
    }
}

fn log_seed_report(report: &SeedReport) {
    for problem in &report.problems {
        tracing::warn!(seed.file = %problem.file, seed.line = problem.line, "{}", problem.reason);
    }
    tracing::info!(
        seed.file = %report.file,
        seed.inserted = report.inserted,
        seed.updated = report.updated,
        seed.unchanged = report.unchanged,
        seed.rejected = report.problems.len(),
        "seed data synced"
    );
}

/// Where the built site (CSS, JavaScript, WebAssembly) is: the configured folder, or the first of
/// `site/` beside the binary and `../site/` (`make build`'s `target/` layout) that has a `pkg`
/// folder.
pub fn find_site_dir(settings: &Settings) -> PathBuf {
    if let Some(dir) = &settings.site_dir {
        return dir.clone();
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let candidates = exe_dir
        .iter()
        .flat_map(|d| [d.join("site"), d.join("../site")])
        .chain([PathBuf::from("target/site")]);
    for dir in candidates {
        if dir.join("pkg").is_dir() {
            return dir;
        }
    }
    tracing::warn!(
        "no built site found (run `make run`, or set MESH_PORTAL_SITE_DIR): pages are served \
         without their styles and scripts"
    );
    PathBuf::from("target/site")
}

fn leptos_options(settings: &Settings, addr: std::net::SocketAddr) -> LeptosOptions {
    let site_dir = find_site_dir(settings);
    LeptosOptions::builder()
        .output_name("mesh-portal")
        .site_root(site_dir.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// The Leptos route list, generated once per process. Generating it stops every resource in the
/// process from loading while it runs (leptos_server keeps that switch in a process-wide flag), so
/// generating it again while another router in the same process serves pages would leave those
/// pages' responses waiting for ever.
/// The pages' Content-Security-Policy. A form may post only here, and be redirected only here or
/// (logging in and out) to Care Identity's issuer.
fn content_security_policy(state: &AppState) -> HeaderValue {
    let issuer = state
        .config
        .care_identity
        .as_ref()
        .map(|c| format!(" {}", c.origin()))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{issuer}; \
         frame-ancestors 'none'"
    ))
    .expect("an origin is a valid header value")
}

fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The path of every page the router serves, with its parameters as `{name}` (for the tests that
/// check every protected page is covered).
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_owned()).collect()
}

/// The path of every server function, such as `/api/get_queue`.
pub fn server_function_paths() -> Vec<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect()
}

/// How long a browser session (and the answers of an application in progress) lasts after its
/// last use.
pub const SESSION_IDLE_HOURS: i64 = 24;

/// Removes expired sessions, old rate-limit windows and MESH API tokens past their window
/// every ten minutes. Deleting what has
/// expired is safe for several instances to do at once.
async fn delete_expired(db: Db) {
    let store = DbSessionStore::new(db.clone());
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.delete_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions.deleted = n, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
        }
        if let Err(error) = rate_limit::purge(&db, app::backend::now_unix()).await {
            tracing::warn!(%error, "could not remove old rate-limit windows");
        }
        let purged = async {
            let mut conn = db.pool.acquire().await?;
            app::backend::db::api_nonces::purge_nonces(&mut conn, app::backend::now_unix()).await
        };
        if let Err(error) = purged.await {
            tracing::warn!(%error, "could not remove MESH API tokens past their window");
        }
    }
}

/// Every route: health, CSV export, the Leptos pages and server functions, the question pages'
/// form posts, static files; sessions in the database; every response compressed when the client
/// accepts it, and never framed or content-sniffed.
pub fn router(server: ServerState, secure_cookies: bool) -> Router {
    let state = server.app.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("mesh_portal_session")
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            SESSION_IDLE_HOURS,
        )));
    use app::backend::accounts::care_identity::{BACKCHANNEL_LOGOUT_PATH, CALLBACK_PATH};
    // Care Identity's callback is a handler of its own that renders the page only to refuse.
    let routes: Vec<AxumRouteListing> = route_list()
        .into_iter()
        .filter(|route| route.path() != CALLBACK_PATH)
        .collect();
    let context_state = state.clone();
    let context = move || provide_context(context_state.clone());
    let options = server.leptos_options.clone();
    let mut router = Router::<ServerState>::new()
        .route("/health", get(routes::health))
        .route("/workflows.csv", get(routes::workflows_csv))
        .route("/service-desk/audit.csv", get(routes::audit_csv))
        .leptos_routes_with_context(&server, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        });
    for path in app::backend::forms::routes() {
        router = router.route(path, post(routes::post_form));
    }
    let router = router
        .route("/applications/{reference}", post(routes::post_status))
        .route(CALLBACK_PATH, get(routes::care_identity_callback))
        .route(BACKCHANNEL_LOGOUT_PATH, post(routes::care_identity_logout))
        .route(
            "/mailboxes/{mailbox_id}/inbox/{message_id}/download",
            get(routes::download_message),
        )
        // Files stream to the content store under their own limit, checked as they arrive.
        .route(
            "/mailboxes/{mailbox_id}/new",
            post(routes::send_message).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .fallback(file_and_error_handler_with_context::<ServerState, _>(
            context, shell,
        ))
        .layer(axum::middleware::map_response(
            routes::server_fn_error_status,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(routes::same_site_only))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::access_route,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(&state),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new());
    // The MESH API sets its own encodings and needs no session: it is beside the pages, not
    // under their layers.
    let mesh_api = crate::mesh_api::routes(&state)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::access_route,
        ))
        .with_state::<ServerState>(state.clone());
    router
        .merge(mesh_api)
        // Every answer, the MESH API's JSON (which may echo what a client sent) included.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(axum::middleware::map_response(
            routes::close_after_too_large,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(routes::request_span))
        .with_state(server)
}

/// What the routes hold: the service's state, and the Leptos options the pages are rendered
/// with (kept here: the `backend` crate knows nothing of Leptos). Handlers take either part.
#[derive(Clone, Debug)]
pub struct ServerState {
    pub app: AppState,
    pub leptos_options: LeptosOptions,
}

impl axum::extract::FromRef<ServerState> for AppState {
    fn from_ref(server: &ServerState) -> Self {
        server.app.clone()
    }
}

impl axum::extract::FromRef<ServerState> for LeptosOptions {
    fn from_ref(server: &ServerState) -> Self {
        server.leptos_options.clone()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing requests in flight");
}

/// The service's secret key: `MESH_PORTAL_SECRET_KEY`, or the data folder's key file.
/// The Care Identity client, when the service is registered with CIS2.
fn care_identity(settings: &Settings) -> Result<Option<Arc<CareIdentity>>, StartupError> {
    settings
        .cis2
        .clone()
        .map(|cis2| {
            CareIdentity::new(cis2, &settings.public_url(""))
                .map(Arc::new)
                .map_err(StartupError::CareIdentity)
        })
        .transpose()
}

pub fn secret_key(settings: &Settings) -> Result<SecretKey, StartupError> {
    match &settings.secret_key {
        Some(key) => Ok(key.clone()),
        None => key_file(&settings.data_dir),
    }
}

/// The secret key from `secret.key` in the data folder, made (readable by this user only) on the
/// first run. Set `MESH_PORTAL_SECRET_KEY` instead when several instances share a database.
fn key_file(data_dir: &std::path::Path) -> Result<SecretKey, StartupError> {
    let path = data_dir.join("secret.key");
    let failed = |message: String| StartupError::KeyFile {
        path: path.clone(),
        message,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::from_base64(&text).map_err(|e| failed(e.to_string())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(|e| failed(e.to_string()))?;
            std::io::Write::write_all(&mut file, key.to_base64().as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| failed(e.to_string()))?;
            tracing::warn!(path = %path.display(), "made a new secret key file; keep it with the database");
            Ok(key)
        }
        Err(error) => Err(failed(error.to_string())),
    }
}
