//! Application state, built once at start-up and handed to handlers and server functions.

use std::sync::Arc;

use super::accounts::session::SessionPolicy;
use super::accounts::sign_in::LockPolicy;
use super::catalogue::Catalogue;
use super::clock::Clock;
use super::content::store::Storage;
use super::crypto::SecretKey;
use super::db::Db;
use super::mail::Mailer;
use super::network::NetworkPolicy;

/// Everything a request may need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub catalogue: Arc<Catalogue>,
    pub mailer: Arc<Mailer>,
    pub config: Arc<ServiceConfig>,
    /// Seals stored secrets (authenticator keys).
    pub secret_key: Arc<SecretKey>,
    pub clock: Arc<Clock>,
    pub network: Arc<NetworkPolicy>,
    pub lock_policy: LockPolicy,
    pub session_policy: SessionPolicy,
    /// Where message content is kept.
    pub storage: Storage,
    /// This process among the instances sharing the database (random at each start).
    pub instance_id: Arc<str>,
    /// MESH API mailboxes' credentials as last read (for a second at most).
    pub mesh_credentials: Arc<super::mesh::auth::CredentialCache>,
    /// Chunked MESH API sends this instance is taking: each one's whole file so far.
    pub chunked_sends: Arc<super::mesh::whole_file::InProgress>,
}

/// The settings services need while serving.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// The public address of the service, for links in emails (no trailing slash needed).
    pub base_url: String,
    /// Where notifications of new applications go.
    pub service_desk_email: String,
    /// The smartcard identity provider (NHS Care Identity Service 2), when one is configured.
    pub cis2: Option<Cis2>,
    /// Working days the service desk aims to decide an application in.
    pub turnaround_days: i64,
    /// The MESH API's settings.
    pub mesh: super::mesh::MeshConfig,
}

/// An OpenID Connect issuer for smartcard sign-in, and this service's client ID there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cis2 {
    pub issuer: String,
    pub client_id: String,
}

impl Cis2 {
    /// Where the login method page sends someone who chose their smartcard: the issuer's
    /// authorisation endpoint, asking for the identity and the RBAC roles (R8015 for MESH).
    pub fn authorize_url(&self, base_url: &str, state: &str) -> String {
        let redirect = format!("{}/sign-in/smartcard", base_url.trim_end_matches('/'));
        format!(
            "{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile%20nationalrbacaccess&state={state}",
            self.issuer.trim_end_matches('/'),
            model::catalogue::encode_query_value(&self.client_id),
            model::catalogue::encode_query_value(&redirect),
        )
    }
}
