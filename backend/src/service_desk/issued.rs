//! A mailbox issued by an approval, or given a new API password: what the service desk's page
//! and the mailbox manager's email show once.

/// A mailbox issued by approval, with its API password (shown once).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedMailbox {
    pub mailbox_id: String,
    pub environment: model::common::Environment,
    pub api_password: String,
}

impl std::fmt::Debug for IssuedMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedMailbox")
            .field("mailbox_id", &self.mailbox_id)
            .field("environment", &self.environment)
            .field("api_password", &"redacted")
            .finish()
    }
}
