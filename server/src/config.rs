//! Typed configuration from `MESH_PORTAL_*` environment variables.
//!
//! Every variable has a default that runs on a laptop. A value that cannot be used stops start-up
//! with a message naming the variable, never later.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use app::backend::accounts::care_identity::{Cis2Settings, ClientCredential, check_client_key};
use app::backend::accounts::session::SessionPolicy;
use app::backend::accounts::sign_in::LockPolicy;
use app::backend::content::store::{S3Secret, StorageConfig};
use app::backend::crypto::SecretKey;
use app::backend::mesh::{MeshConfig, SharedKey};
use app::backend::network::{IpNet, NetworkPolicy, parse_networks};

use crate::tls::TlsFiles;
use url::Url;

/// Every variable this program reads, with its default and meaning (the README's table is made
/// from the same words).
pub const VARIABLES: [(&str, &str, &str); 37] = [
    (
        "MESH_PORTAL_LISTEN_ADDR",
        "127.0.0.1:3000",
        "address and port to listen on",
    ),
    (
        "MESH_PORTAL_DATA_DIR",
        "./data",
        "folder for the SQLite database and stored files",
    ),
    (
        "MESH_PORTAL_DATABASE_URL",
        "sqlite://<data dir>/mesh-portal.db",
        "sqlite://… or postgres://… connection URL",
    ),
    (
        "MESH_PORTAL_BASE_URL",
        "http://<listen addr>",
        "public address of the service, used in links and emails",
    ),
    (
        "MESH_PORTAL_LOG",
        "info",
        "log filter, e.g. `info,server=debug`",
    ),
    (
        "MESH_PORTAL_LOG_FORMAT",
        "text",
        "`text` or `json` (one JSON object per line)",
    ),
    (
        "MESH_PORTAL_SITE_DIR",
        "found next to the binary",
        "folder of the built site (CSS, JavaScript, WebAssembly)",
    ),
    (
        "MESH_PORTAL_SEED_DIR",
        "./seed-data",
        "folder of seed CSV files; the copy built into the binary is used when it is missing",
    ),
    (
        "MESH_PORTAL_DB_MAX_CONNECTIONS",
        "10",
        "database connection pool size",
    ),
    (
        "MESH_PORTAL_SMTP_URL",
        "unset: emails are written as `.eml` files in `<data dir>/mail`",
        "SMTP server for emails, e.g. `smtp://relay:25` or `smtp://user:pass@relay:587?tls=required`",
    ),
    (
        "MESH_PORTAL_MAIL_FROM",
        "MESH portal <mesh-portal@localhost>",
        "sender of every email",
    ),
    (
        "MESH_PORTAL_SERVICE_DESK_EMAIL",
        "service-desk@localhost",
        "mailbox told of each new application",
    ),
    (
        "MESH_PORTAL_SECRET_KEY",
        "unset: a key made on first run in <data dir>/secret.key",
        "32 random bytes in base64 that seal stored secrets such as authenticator app keys",
    ),
    (
        "MESH_PORTAL_HSCN_NETWORKS",
        "127.0.0.0/8,::1/128",
        "networks whose requests take the HSCN route",
    ),
    (
        "MESH_PORTAL_ALLOWED_NETWORKS",
        "unset: everyone",
        "when set, only these networks and the HSCN ones may use the service",
    ),
    (
        "MESH_PORTAL_TRUSTED_PROXIES",
        "unset: none",
        "reverse proxies whose X-Forwarded-For is believed",
    ),
    (
        "MESH_PORTAL_MAX_FAILED_ATTEMPTS",
        "5",
        "failed PINs and passcodes that lock an account",
    ),
    (
        "MESH_PORTAL_LOCKOUT_MINUTES",
        "15",
        "how long a locked account stays locked",
    ),
    (
        "MESH_PORTAL_SESSION_IDLE_MINUTES",
        "30",
        "a signed-in session ends after this long without use",
    ),
    (
        "MESH_PORTAL_SESSION_MAX_HOURS",
        "12",
        "and at the latest this long after signing in",
    ),
    (
        "MESH_PORTAL_CIS2_ISSUER",
        "unset: PIN and security code only",
        "OpenID Connect issuer of NHS Care Identity Service 2 (https; http only on loopback, for \
         tests); with it, \"Log in with my Care Identity\" (smartcard over HSCN, authenticator \
         over the internet), and PIN and security code only for accounts kept local",
    ),
    (
        "MESH_PORTAL_CIS2_CLIENT_ID",
        "unset",
        "this service's client ID at that issuer (set with the issuer)",
    ),
    (
        "MESH_PORTAL_CIS2_CLIENT_KEY",
        "unset",
        "file of the RSA private key (PEM) this service signs its client assertions with \
         (private_key_jwt, RS512); this or the client secret",
    ),
    (
        "MESH_PORTAL_CIS2_CLIENT_KEY_ID",
        "unset: no key ID",
        "the key ID (kid) Care Identity knows that key by",
    ),
    (
        "MESH_PORTAL_CIS2_CLIENT_SECRET",
        "unset",
        "the client secret, where Care Identity gave one instead of registering a key",
    ),
    (
        "MESH_PORTAL_TURNAROUND_DAYS",
        "5",
        "working days the service desk aims to decide in; the queue shows due dates and overdue",
    ),
    (
        "MESH_PORTAL_STORAGE_URL",
        "<data dir>/objects",
        "where message content is kept: a folder, or `s3://bucket/prefix` for S3-compatible storage",
    ),
    (
        "MESH_PORTAL_S3_ENDPOINT",
        "unset: AWS's own",
        "the S3-compatible service's address, such as `http://127.0.0.1:9000`",
    ),
    ("MESH_PORTAL_S3_REGION", "eu-west-2", "the bucket's region"),
    (
        "MESH_PORTAL_TLS_CERT",
        "unset: plain HTTP (behind a TLS-terminating proxy, or on a laptop)",
        "PEM file of the server's certificate chain: serve HTTPS",
    ),
    (
        "MESH_PORTAL_TLS_KEY",
        "unset",
        "PEM file of that certificate's private key (set both or neither)",
    ),
    (
        "MESH_PORTAL_TLS_CLIENT_CA",
        "unset: no client certificates",
        "PEM bundle of the CAs whose client certificates the MESH API requires (pages do not ask for one)",
    ),
    (
        "MESH_PORTAL_MESH_SHARED_KEY",
        "BackBone (mesh-client's own default, for a laptop)",
        "the environment's shared key: the HMAC key of every MESH API `NHSMESH` token",
    ),
    (
        "MESH_PORTAL_SANDBOX",
        "false",
        "`true` for a test environment that replaces mesh-sandbox: relaxed workflow rules and its admin endpoints, for Path to Live mailboxes only",
    ),
    (
        "MESH_PORTAL_MESH_MAX_MESSAGE_BYTES",
        "20000000000 (20 GB)",
        "the largest message through the MESH API, all its chunks together (each request is at most 100 MB)",
    ),
    (
        "MESH_PORTAL_S3_ACCESS_KEY_ID",
        "unset (required with s3://)",
        "the access key's ID",
    ),
    (
        "MESH_PORTAL_S3_SECRET_ACCESS_KEY",
        "unset (required with s3://)",
        "the access key's secret (never logged)",
    ),
];

/// What `mesh-portal --help` says of the configuration: every variable, its default and meaning,
/// from [`VARIABLES`].
pub fn variables_help() -> String {
    let mut text = String::from(
        "Configuration: environment variables (a value that cannot be used stops start-up):\n",
    );
    for (name, default, meaning) in VARIABLES {
        text.push_str(&format!(
            "\n  {name}\n      {meaning}\n      [default: {default}]\n"
        ));
    }
    text
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the server is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub base_url: Url,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub site_dir: Option<PathBuf>,
    pub seed_dir: PathBuf,
    pub db_max_connections: u32,
    pub smtp_url: Option<SmtpUrl>,
    pub mail_from: String,
    pub service_desk_email: String,
    /// Seals stored secrets; when unset, a key file in the data folder is used (made on first run).
    pub secret_key: Option<SecretKey>,
    /// Which clients are on HSCN, which may use the service at all, and which proxies to believe.
    pub network: NetworkPolicy,
    /// Failed PINs and passcodes that lock an account, and for how long.
    pub lock_policy: LockPolicy,
    /// How long a signed-in session lasts without use, and at most.
    pub session_policy: SessionPolicy,
    /// NHS Care Identity Service 2, when the service is registered with it.
    pub cis2: Option<Cis2Settings>,
    /// Working days to decide an application in.
    pub turnaround_days: i64,
    /// Where message content is kept.
    pub storage: StorageConfig,
    /// The MESH API's shared key and limits.
    pub mesh: MeshConfig,
    /// Built-in HTTPS, when configured.
    pub tls: Option<TlsFiles>,
}

/// An SMTP URL; it can hold a password, so it never prints whole.
#[derive(Clone)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split(':').next().unwrap_or_default();
        write!(f, "SmtpUrl({scheme}:…)")
    }
}

/// A database URL; it can hold a password, so it never prints whole.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split(':').next().unwrap_or_default();
        write!(f, "DatabaseUrl({scheme}:…)")
    }
}

/// A variable whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Settings {
    /// A full address on the public site for a path that starts with `/`.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.as_str().trim_end_matches('/'))
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (a variable's value, or `None` when unset). An empty value
    /// counts as unset. Each concern reads its own variables; a default is the one [`VARIABLES`]
    /// shows.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars { lookup: &lookup };
        let data_dir = PathBuf::from(vars.or_default("MESH_PORTAL_DATA_DIR"));
        let (listen_addr, tls, base_url) = listening(&vars)?;
        let (log_filter, log_format) = logging(&vars)?;
        let (database_url, db_max_connections) = database(&vars, &data_dir)?;
        let (smtp_url, mail_from, service_desk_email) = mail(&vars)?;
        let (lock_policy, session_policy, cis2) = signing_in(&vars)?;
        let site_dir = vars.get("MESH_PORTAL_SITE_DIR").map(PathBuf::from);
        if let Some(dir) = &site_dir
            && !dir.is_dir()
        {
            return Err(bad(
                "MESH_PORTAL_SITE_DIR",
                format!("{} is not a folder", dir.display()),
            ));
        }
        let secret_key = match vars.get("MESH_PORTAL_SECRET_KEY") {
            None => None,
            Some(v) => Some(
                SecretKey::from_base64(&v)
                    .map_err(|e| bad("MESH_PORTAL_SECRET_KEY", e.to_string()))?,
            ),
        };
        Ok(Self {
            mesh: mesh(&vars)?,
            storage: storage(&vars, &data_dir)?,
            network: networks(&vars)?,
            tls,
            listen_addr,
            seed_dir: PathBuf::from(vars.or_default("MESH_PORTAL_SEED_DIR")),
            data_dir,
            database_url,
            base_url,
            log_filter,
            log_format,
            site_dir,
            db_max_connections,
            smtp_url,
            mail_from,
            service_desk_email,
            secret_key,
            lock_policy,
            session_policy,
            cis2,
            turnaround_days: vars.whole("MESH_PORTAL_TURNAROUND_DAYS", 1..=60)?,
        })
    }
}

/// The environment as the settings read it: an unset or empty variable is unset, and a value
/// has no surrounding space.
struct Vars<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The variable's value, or its default.
    fn or_default(&self, name: &'static str) -> String {
        self.get(name)
            .unwrap_or_else(|| default_value(name).to_owned())
    }

    /// A whole number in `range` (its default when unset).
    fn whole(
        &self,
        name: &'static str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, ConfigError> {
        let v = self.or_default(name);
        v.parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                bad(
                    name,
                    format!(
                        "‘{v}’ must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// A list of networks, if set.
    fn networks(&self, name: &'static str) -> Result<Option<Vec<IpNet>>, ConfigError> {
        self.get(name)
            .map(|v| parse_networks(&v).map_err(|e| bad(name, e)))
            .transpose()
    }

    /// `true` or `false` (also 1/0, yes/no).
    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.or_default(name).as_str() {
            "false" | "0" | "no" => Ok(false),
            "true" | "1" | "yes" => Ok(true),
            other => Err(bad(name, format!("‘{other}’ must be true or false"))),
        }
    }
}

/// The value a variable has when unset, from [`VARIABLES`]: its default's text up to any note in
/// brackets (`BackBone (mesh-client's own default, …)` is `BackBone`). Only for variables whose
/// default is a value; a test reads every one.
fn default_value(name: &str) -> &'static str {
    let (_, default, _) = VARIABLES
        .iter()
        .find(|(listed, _, _)| *listed == name)
        .expect("every variable read is in VARIABLES");
    default.split(" (").next().unwrap_or(default)
}

/// Where the server listens, its built-in HTTPS if any, and its public address.
fn listening(vars: &Vars<'_>) -> Result<(SocketAddr, Option<TlsFiles>, Url), ConfigError> {
    let listen = vars.or_default("MESH_PORTAL_LISTEN_ADDR");
    let listen_addr: SocketAddr = listen.parse().map_err(|_| {
        bad(
            "MESH_PORTAL_LISTEN_ADDR",
            format!("‘{listen}’ is not an address and port such as 127.0.0.1:3000"),
        )
    })?;
    let tls = match (
        vars.get("MESH_PORTAL_TLS_CERT"),
        vars.get("MESH_PORTAL_TLS_KEY"),
        vars.get("MESH_PORTAL_TLS_CLIENT_CA"),
    ) {
        (None, None, None) => None,
        (Some(certificate), Some(key), client_ca) => Some(TlsFiles {
            certificate: PathBuf::from(certificate),
            key: PathBuf::from(key),
            client_ca: client_ca.map(PathBuf::from),
        }),
        (Some(_), None, _) => {
            return Err(bad(
                "MESH_PORTAL_TLS_CERT",
                "set MESH_PORTAL_TLS_KEY too: the certificate's private key",
            ));
        }
        (None, Some(_), _) => {
            return Err(bad(
                "MESH_PORTAL_TLS_KEY",
                "set MESH_PORTAL_TLS_CERT too: the certificate it is the key of",
            ));
        }
        (None, None, Some(_)) => {
            return Err(bad(
                "MESH_PORTAL_TLS_CLIENT_CA",
                "needs MESH_PORTAL_TLS_CERT and MESH_PORTAL_TLS_KEY: client certificates are checked by the built-in HTTPS",
            ));
        }
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let base_url = match vars.get("MESH_PORTAL_BASE_URL") {
        None => Url::parse(&format!("{scheme}://{listen_addr}"))
            .expect("a socket address is a valid host"),
        Some(v) => {
            let url = Url::parse(&v)
                .map_err(|e| bad("MESH_PORTAL_BASE_URL", format!("‘{v}’ is not a URL ({e})")))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(bad(
                    "MESH_PORTAL_BASE_URL",
                    format!("‘{v}’ must be an http:// or https:// address"),
                ));
            }
            url
        }
    };
    Ok((listen_addr, tls, base_url))
}

/// The log filter and format.
fn logging(vars: &Vars<'_>) -> Result<(String, LogFormat), ConfigError> {
    let filter = vars.or_default("MESH_PORTAL_LOG");
    tracing_subscriber::EnvFilter::try_new(&filter).map_err(|e| {
        bad(
            "MESH_PORTAL_LOG",
            format!("‘{filter}’ is not a log filter ({e})"),
        )
    })?;
    let format = match vars.or_default("MESH_PORTAL_LOG_FORMAT").as_str() {
        "text" => LogFormat::Text,
        "json" => LogFormat::Json,
        other => {
            return Err(bad(
                "MESH_PORTAL_LOG_FORMAT",
                format!("‘{other}’ must be text or json"),
            ));
        }
    };
    Ok((filter, format))
}

/// The database's URL (SQLite in the data folder by default) and pool size.
fn database(vars: &Vars<'_>, data_dir: &Path) -> Result<(DatabaseUrl, u32), ConfigError> {
    let url = match vars.get("MESH_PORTAL_DATABASE_URL") {
        None => DatabaseUrl::new(default_sqlite_url(data_dir)),
        Some(v) => {
            if app::backend::db::DbKind::of_url(&v).is_none() {
                return Err(bad(
                    "MESH_PORTAL_DATABASE_URL",
                    "must start with sqlite: or postgres:",
                ));
            }
            DatabaseUrl::new(v)
        }
    };
    let connections = vars.whole("MESH_PORTAL_DB_MAX_CONNECTIONS", 1..=1000)? as u32;
    Ok((url, connections))
}

/// How mail goes out (SMTP, or files when unset), whom it is from, and the service desk's
/// address.
fn mail(vars: &Vars<'_>) -> Result<(Option<SmtpUrl>, String, String), ConfigError> {
    let smtp_url = match vars.get("MESH_PORTAL_SMTP_URL") {
        None => None,
        Some(v) => {
            let usable = Url::parse(&v)
                .ok()
                .is_some_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host().is_some());
            if !usable {
                return Err(bad(
                    "MESH_PORTAL_SMTP_URL",
                    "must be an smtp:// or smtps:// address with a host",
                ));
            }
            Some(SmtpUrl(v))
        }
    };
    let from = vars.or_default("MESH_PORTAL_MAIL_FROM");
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(bad(
            "MESH_PORTAL_MAIL_FROM",
            format!("‘{from}’ is not an email address such as Name <name@nhs.net>"),
        ));
    }
    let service_desk = vars.or_default("MESH_PORTAL_SERVICE_DESK_EMAIL");
    if service_desk.parse::<lettre::Address>().is_err() {
        return Err(bad(
            "MESH_PORTAL_SERVICE_DESK_EMAIL",
            format!("‘{service_desk}’ is not an email address"),
        ));
    }
    Ok((smtp_url, from, service_desk))
}

/// Which clients are on HSCN, which may use the service at all, and which proxies to believe.
fn networks(vars: &Vars<'_>) -> Result<NetworkPolicy, ConfigError> {
    let hscn = "MESH_PORTAL_HSCN_NETWORKS";
    let hscn_networks = parse_networks(&vars.or_default(hscn)).map_err(|e| bad(hscn, e))?;
    Ok(NetworkPolicy {
        hscn: hscn_networks,
        allowed: vars.networks("MESH_PORTAL_ALLOWED_NETWORKS")?,
        trusted_proxies: vars
            .networks("MESH_PORTAL_TRUSTED_PROXIES")?
            .unwrap_or_default(),
    })
}

/// Lock-out after failed PINs and codes, how long a session lasts, and the smartcard identity
/// provider.
fn signing_in(
    vars: &Vars<'_>,
) -> Result<(LockPolicy, SessionPolicy, Option<Cis2Settings>), ConfigError> {
    let lock_policy = LockPolicy {
        max_failures: vars.whole("MESH_PORTAL_MAX_FAILED_ATTEMPTS", 1..=100)? as i32,
        lock_seconds: vars.whole("MESH_PORTAL_LOCKOUT_MINUTES", 1..=1440)? * 60,
    };
    let session_policy = SessionPolicy {
        idle_seconds: vars.whole("MESH_PORTAL_SESSION_IDLE_MINUTES", 1..=1440)? * 60,
        max_seconds: vars.whole("MESH_PORTAL_SESSION_MAX_HOURS", 1..=168)? * 3600,
    };
    let cis2 = match (
        vars.get("MESH_PORTAL_CIS2_ISSUER"),
        vars.get("MESH_PORTAL_CIS2_CLIENT_ID"),
    ) {
        (None, None) => None,
        (Some(issuer), Some(client_id)) => Some(Cis2Settings {
            issuer: care_identity_issuer(&issuer)?,
            client_id,
            credential: client_credential(vars)?,
        }),
        (Some(_), None) => {
            return Err(bad(
                "MESH_PORTAL_CIS2_CLIENT_ID",
                "set it too, or unset MESH_PORTAL_CIS2_ISSUER".to_owned(),
            ));
        }
        (None, Some(_)) => {
            return Err(bad(
                "MESH_PORTAL_CIS2_ISSUER",
                "set it too, or unset MESH_PORTAL_CIS2_CLIENT_ID".to_owned(),
            ));
        }
    };
    Ok((lock_policy, session_policy, cis2))
}

/// Care Identity's issuer: https, or http on a loopback address (a provider a test starts).
fn care_identity_issuer(issuer: &str) -> Result<String, ConfigError> {
    let name = "MESH_PORTAL_CIS2_ISSUER";
    let parsed =
        Url::parse(issuer).map_err(|e| bad(name, format!("‘{issuer}’ is not a URL: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback) {
        Ok(issuer.trim_end_matches('/').to_owned())
    } else {
        Err(bad(name, format!("‘{issuer}’ must be an https address")))
    }
}

/// How the service proves itself to Care Identity: a private key for signed client assertions,
/// or a client secret; one of the two.
fn client_credential(vars: &Vars<'_>) -> Result<ClientCredential, ConfigError> {
    match (
        vars.get("MESH_PORTAL_CIS2_CLIENT_KEY"),
        vars.get("MESH_PORTAL_CIS2_CLIENT_SECRET"),
    ) {
        (Some(path), None) => {
            let name = "MESH_PORTAL_CIS2_CLIENT_KEY";
            let pem = std::fs::read(&path).map_err(|e| bad(name, format!("{path}: {e}")))?;
            check_client_key(&pem).map_err(|e| {
                bad(
                    name,
                    format!("{path} is not an RSA private key in PEM: {e}"),
                )
            })?;
            Ok(ClientCredential::Key {
                pem: std::sync::Arc::new(pem),
                key_id: vars.get("MESH_PORTAL_CIS2_CLIENT_KEY_ID"),
            })
        }
        (None, Some(secret)) => Ok(ClientCredential::Secret(secret)),
        (None, None) => Err(bad(
            "MESH_PORTAL_CIS2_CLIENT_KEY",
            "set it (or MESH_PORTAL_CIS2_CLIENT_SECRET) to sign in with Care Identity".to_owned(),
        )),
        (Some(_), Some(_)) => Err(bad(
            "MESH_PORTAL_CIS2_CLIENT_SECRET",
            "set the key or the secret, not both".to_owned(),
        )),
    }
}

/// The MESH API: its shared key, whether clients show certificates, sandbox mode, and the
/// largest message.
fn mesh(vars: &Vars<'_>) -> Result<MeshConfig, ConfigError> {
    Ok(MeshConfig {
        shared_key: SharedKey(vars.or_default("MESH_PORTAL_MESH_SHARED_KEY").into_bytes()),
        client_certificates_required: vars.get("MESH_PORTAL_TLS_CLIENT_CA").is_some(),
        sandbox: vars.flag("MESH_PORTAL_SANDBOX")?,
        max_message_bytes: vars
            .whole("MESH_PORTAL_MESH_MAX_MESSAGE_BYTES", 1..=1_000_000_000_000)?
            as u64,
    })
}

/// The content store: a folder (the data folder's `objects` by default), or an S3 bucket with
/// its endpoint, region and key.
fn storage(vars: &Vars<'_>, data_dir: &Path) -> Result<StorageConfig, ConfigError> {
    let get = |name: &str| vars.get(name);
    let Some(url) = get("MESH_PORTAL_STORAGE_URL") else {
        return Ok(StorageConfig::Local(data_dir.join("objects")));
    };
    if !url.starts_with("s3://") {
        let folder = url.strip_prefix("file://").unwrap_or(&url);
        return Ok(StorageConfig::Local(PathBuf::from(folder)));
    }
    let (bucket, prefix) = StorageConfig::parse_s3_url(&url).ok_or_else(|| {
        bad(
            "MESH_PORTAL_STORAGE_URL",
            format!("‘{url}’ must be s3://bucket or s3://bucket/prefix, with a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens"),
        )
    })?;
    let endpoint = match get("MESH_PORTAL_S3_ENDPOINT") {
        None => None,
        Some(v) => {
            let parsed = Url::parse(&v).map_err(|e| {
                bad(
                    "MESH_PORTAL_S3_ENDPOINT",
                    format!("‘{v}’ is not a URL ({e})"),
                )
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(bad(
                    "MESH_PORTAL_S3_ENDPOINT",
                    format!("‘{v}’ must be an http:// or https:// address"),
                ));
            }
            Some(v.trim_end_matches('/').to_owned())
        }
    };
    let required = |name: &'static str| {
        get(name).ok_or_else(|| bad(name, "required when MESH_PORTAL_STORAGE_URL is s3://…"))
    };
    Ok(StorageConfig::S3 {
        bucket,
        prefix,
        endpoint,
        region: vars.or_default("MESH_PORTAL_S3_REGION"),
        access_key_id: required("MESH_PORTAL_S3_ACCESS_KEY_ID")?,
        secret_access_key: S3Secret(required("MESH_PORTAL_S3_SECRET_ACCESS_KEY")?),
    })
}

/// The SQLite database in the data folder, created on first use.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("mesh-portal.db").display()
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn lists_every_variable_it_reads() {
        let source = include_str!("config.rs");
        // The code after the list and before these tests: every variable it names.
        let after_list = &source[source.find("pub fn variables_help").expect("the help")..];
        let code = &after_list[..after_list.find("#[cfg(test)]").expect("the tests")];
        let listed: Vec<&str> = VARIABLES.iter().map(|(name, _, _)| *name).collect();
        let read: Vec<&str> = code
            .split("\"MESH_PORTAL_")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(read.len() >= 30, "{read:?}");
        for name in read {
            let name = format!("MESH_PORTAL_{name}");
            assert!(
                listed.contains(&name.as_str()),
                "{name} is read but not in VARIABLES"
            );
        }
    }

    #[test]
    fn the_defaults_the_help_shows_are_the_ones_used() {
        let unset = format!("{:?}", settings(&[]).unwrap());
        let with_values = [
            "MESH_PORTAL_LISTEN_ADDR",
            "MESH_PORTAL_DATA_DIR",
            "MESH_PORTAL_LOG",
            "MESH_PORTAL_LOG_FORMAT",
            "MESH_PORTAL_SEED_DIR",
            "MESH_PORTAL_DB_MAX_CONNECTIONS",
            "MESH_PORTAL_MAIL_FROM",
            "MESH_PORTAL_SERVICE_DESK_EMAIL",
            "MESH_PORTAL_HSCN_NETWORKS",
            "MESH_PORTAL_MAX_FAILED_ATTEMPTS",
            "MESH_PORTAL_LOCKOUT_MINUTES",
            "MESH_PORTAL_SESSION_IDLE_MINUTES",
            "MESH_PORTAL_SESSION_MAX_HOURS",
            "MESH_PORTAL_TURNAROUND_DAYS",
            "MESH_PORTAL_MESH_SHARED_KEY",
            "MESH_PORTAL_SANDBOX",
            "MESH_PORTAL_MESH_MAX_MESSAGE_BYTES",
        ];
        for name in with_values {
            let value = default_value(name);
            let set = settings(&[(name, value)]).unwrap_or_else(|e| panic!("{name}={value}: {e}"));
            assert_eq!(
                format!("{set:?}"),
                unset,
                "{name} set to its default {value:?}"
            );
        }
        // And the defaults are what a laptop needs (not merely consistent).
        let defaults = settings(&[]).unwrap();
        assert_eq!(defaults.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(defaults.mesh.max_message_bytes, 20_000_000_000);
        assert_eq!(defaults.mesh.shared_key.0, b"BackBone");
        assert_eq!(defaults.network.hscn, NetworkPolicy::default().hscn);
        let s3 = settings(&[
            ("MESH_PORTAL_STORAGE_URL", "s3://bucket"),
            ("MESH_PORTAL_S3_ACCESS_KEY_ID", "id"),
            ("MESH_PORTAL_S3_SECRET_ACCESS_KEY", "secret"),
        ])
        .unwrap();
        assert!(matches!(s3.storage, StorageConfig::S3 { region, .. } if region == "eu-west-2"));
    }

    #[test]
    fn content_goes_to_a_folder_or_to_s3_with_its_key() {
        let local = settings(&[("MESH_PORTAL_DATA_DIR", "/srv/mesh")]).unwrap();
        assert_eq!(
            local.storage,
            StorageConfig::Local(PathBuf::from("/srv/mesh/objects"))
        );
        let s3 = settings(&[
            ("MESH_PORTAL_STORAGE_URL", "s3://mesh-content/portal"),
            ("MESH_PORTAL_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("MESH_PORTAL_S3_ACCESS_KEY_ID", "portal"),
            ("MESH_PORTAL_S3_SECRET_ACCESS_KEY", "hunter2"),
        ])
        .unwrap();
        assert!(matches!(
            &s3.storage,
            StorageConfig::S3 { bucket, prefix, endpoint: Some(e), region, .. }
                if bucket == "mesh-content" && prefix == "portal"
                    && e == "http://127.0.0.1:9000" && region == "eu-west-2"
        ));
        assert!(
            !format!("{s3:?}").contains("hunter2"),
            "the secret never prints"
        );
        let missing = settings(&[("MESH_PORTAL_STORAGE_URL", "s3://mesh-content")]).unwrap_err();
        assert_eq!(missing.variable, "MESH_PORTAL_S3_ACCESS_KEY_ID");
        let bad_bucket = settings(&[("MESH_PORTAL_STORAGE_URL", "s3://Mesh_Content")]).unwrap_err();
        assert_eq!(bad_bucket.variable, "MESH_PORTAL_STORAGE_URL");
    }

    #[test]
    fn defaults_run_on_a_laptop() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.base_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(
            s.database_url.expose(),
            "sqlite://./data/mesh-portal.db?mode=rwc"
        );
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn never_prints_a_password() {
        let s = settings(&[
            ("MESH_PORTAL_DATABASE_URL", "postgres://u:pa55w0rd@h/db"),
            ("MESH_PORTAL_SMTP_URL", "smtp://u:hidden@relay:587"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("pa55w0rd"));
        assert!(!printed.contains("hidden"));
    }

    #[test]
    fn reads_the_secret_key_and_never_prints_it() {
        let key = SecretKey::generate().to_base64();
        let s = settings(&[("MESH_PORTAL_SECRET_KEY", key.as_str())]).unwrap();
        assert!(s.secret_key.is_some());
        assert!(!format!("{s:?}").contains(&key));
        assert!(settings(&[]).unwrap().secret_key.is_none());
        for bad in ["short", "c2hvcnQ=", "not base64 at all"] {
            let error = settings(&[("MESH_PORTAL_SECRET_KEY", bad)]).unwrap_err();
            assert_eq!(error.variable, "MESH_PORTAL_SECRET_KEY");
            assert!(
                error.message.contains("32 bytes written in base64"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn reads_network_lists_and_refuses_bad_ones() {
        let s = settings(&[
            ("MESH_PORTAL_HSCN_NETWORKS", "10.0.0.0/8, 172.16.0.0/12"),
            ("MESH_PORTAL_ALLOWED_NETWORKS", "81.2.69.0/24"),
            ("MESH_PORTAL_TRUSTED_PROXIES", "192.0.2.10"),
        ])
        .unwrap();
        assert_eq!(s.network.hscn.len(), 2);
        assert_eq!(s.network.allowed.as_ref().map(Vec::len), Some(1));
        assert_eq!(s.network.trusted_proxies.len(), 1);
        let defaults = settings(&[]).unwrap().network;
        assert!(defaults.allowed.is_none() && defaults.trusted_proxies.is_empty());
        for variable in [
            "MESH_PORTAL_HSCN_NETWORKS",
            "MESH_PORTAL_ALLOWED_NETWORKS",
            "MESH_PORTAL_TRUSTED_PROXIES",
        ] {
            let error = settings(&[(variable, "10.0.0.0/33")]).unwrap_err();
            assert_eq!(error.variable, variable);
            assert!(error.message.contains("‘10.0.0.0/33’ is not a network"));
        }
    }

    #[test]
    fn care_identity_needs_an_https_issuer_a_client_id_and_one_credential() {
        assert_eq!(settings(&[]).unwrap().cis2, None);
        let issuer = "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk/realms/Healthcare";
        let s = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", issuer),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "mesh-portal"),
            ("MESH_PORTAL_CIS2_CLIENT_SECRET", "s3cret"),
        ])
        .unwrap();
        let cis2 = s.cis2.expect("configured");
        assert_eq!(
            (cis2.issuer.as_str(), cis2.client_id.as_str()),
            (issuer, "mesh-portal")
        );
        assert!(matches!(cis2.credential, ClientCredential::Secret(ref s) if s == "s3cret"));
        assert!(
            !format!("{:?}", cis2.credential).contains("s3cret"),
            "never printed"
        );

        let alone = settings(&[("MESH_PORTAL_CIS2_ISSUER", issuer)]).unwrap_err();
        assert_eq!(alone.variable, "MESH_PORTAL_CIS2_CLIENT_ID");
        let plain = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", "http://idp.example"),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "x"),
            ("MESH_PORTAL_CIS2_CLIENT_SECRET", "y"),
        ])
        .unwrap_err();
        assert!(plain.message.contains("https"), "{}", plain.message);
        let loopback = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", "http://127.0.0.1:4000"),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "x"),
            ("MESH_PORTAL_CIS2_CLIENT_SECRET", "y"),
        ]);
        assert!(loopback.is_ok(), "a provider a test starts on loopback");

        let no_credential = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", issuer),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "x"),
        ])
        .unwrap_err();
        assert_eq!(no_credential.variable, "MESH_PORTAL_CIS2_CLIENT_KEY");
        let folder = tempfile::tempdir().unwrap();
        let not_a_key = folder.path().join("key.pem");
        std::fs::write(&not_a_key, "not a key").unwrap();
        let not_a_key = not_a_key.display().to_string();
        let bad_key = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", issuer),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "x"),
            ("MESH_PORTAL_CIS2_CLIENT_KEY", &not_a_key),
        ])
        .unwrap_err();
        assert!(
            bad_key.message.contains("not an RSA private key"),
            "{}",
            bad_key.message
        );
        let both = settings(&[
            ("MESH_PORTAL_CIS2_ISSUER", issuer),
            ("MESH_PORTAL_CIS2_CLIENT_ID", "x"),
            ("MESH_PORTAL_CIS2_CLIENT_KEY", &not_a_key),
            ("MESH_PORTAL_CIS2_CLIENT_SECRET", "y"),
        ])
        .unwrap_err();
        assert_eq!(both.variable, "MESH_PORTAL_CIS2_CLIENT_SECRET");
    }

    #[test]
    fn reads_lock_out_and_session_times_and_refuses_bad_ones() {
        let defaults = settings(&[]).unwrap();
        assert_eq!(defaults.lock_policy, LockPolicy::default());
        assert_eq!(defaults.session_policy, SessionPolicy::default());
        let s = settings(&[
            ("MESH_PORTAL_MAX_FAILED_ATTEMPTS", "3"),
            ("MESH_PORTAL_LOCKOUT_MINUTES", "60"),
            ("MESH_PORTAL_SESSION_IDLE_MINUTES", "10"),
            ("MESH_PORTAL_SESSION_MAX_HOURS", "8"),
        ])
        .unwrap();
        assert_eq!(
            (s.lock_policy.max_failures, s.lock_policy.lock_seconds),
            (3, 3600)
        );
        assert_eq!(
            (s.session_policy.idle_seconds, s.session_policy.max_seconds),
            (600, 8 * 3600)
        );
        for (variable, value) in [
            ("MESH_PORTAL_MAX_FAILED_ATTEMPTS", "0"),
            ("MESH_PORTAL_LOCKOUT_MINUTES", "forever"),
            ("MESH_PORTAL_SESSION_IDLE_MINUTES", "-5"),
            ("MESH_PORTAL_SESSION_MAX_HOURS", "1000"),
        ] {
            let error = settings(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable);
            assert!(
                error.message.contains("must be a whole number from"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn refuses_mail_settings_it_cannot_use() {
        let cases = [
            ("MESH_PORTAL_SMTP_URL", "relay:25"),
            ("MESH_PORTAL_SMTP_URL", "http://relay"),
            ("MESH_PORTAL_MAIL_FROM", "not an address"),
            ("MESH_PORTAL_SERVICE_DESK_EMAIL", "desk"),
        ];
        for (variable, value) in cases {
            let error = settings(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
        }
    }
}
