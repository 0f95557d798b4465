//! What the service desk's pages show.

use serde::{Deserialize, Serialize};

/// The service desk's start page: how much work waits in each queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDeskHome {
    pub name: String,
    pub mailbox_applications: i64,
    pub account_applications: i64,
    pub workflow_requests: i64,
}
