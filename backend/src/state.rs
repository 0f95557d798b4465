//! Application state, built once at start-up and handed to handlers and server functions.

use std::sync::Arc;

use super::accounts::care_identity::CareIdentity;
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
    /// NHS Care Identity Service 2, when the service is registered with it: "Log in with my
    /// Care Identity" (smartcard over HSCN, authenticator over the internet).
    pub care_identity: Option<Arc<CareIdentity>>,
    /// Working days the service desk aims to decide an application in.
    pub turnaround_days: i64,
    /// The MESH API's settings.
    pub mesh: super::mesh::MeshConfig,
}
