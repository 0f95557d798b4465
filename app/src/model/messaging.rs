//! What a mailbox user's pages show.

use serde::{Deserialize, Serialize};

/// A mailbox linked to the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSummary {
    pub mailbox_id: String,
    pub ods_code: String,
    pub organisation_name: String,
    /// The environment's words ("Live", "Path to Live: Integration").
    pub environment: String,
    pub active: bool,
}
