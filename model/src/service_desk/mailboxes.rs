//! The service desk's register of issued mailboxes: what its list and a mailbox's page show, and
//! what can be done to a mailbox (suspend it, reactivate it, set a new MESH API password, change
//! the workflows it may send and receive).

use serde::{Deserialize, Serialize};

use super::IssuedView;

/// Longest search text the list takes.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Longest reason for suspending a mailbox.
pub const REASON_MAX_CHARS: usize = 500;

/// What the list is narrowed to, as its filter form sends it (every field may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxFilter {
    /// Mailbox ID, ODS code or organisation name (part of any).
    pub q: String,
    /// `live`, `integration`, `deployment`, or empty for all.
    pub environment: String,
    /// `active`, `suspended`, or empty for all.
    pub status: String,
}

/// A mailbox's status in words.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "suspended" => "Suspended",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

/// A mailbox in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxItem {
    pub mailbox_id: String,
    pub ods_code: String,
    pub organisation: String,
    pub environment: String,
    pub status: String,
    pub workflows: i64,
    pub users: i64,
}

/// The list page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxList {
    pub filter: MailboxFilter,
    pub items: Vec<MailboxItem>,
    /// More mailboxes match than the page shows.
    pub more: bool,
}

/// A workflow a mailbox is registered for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub workflow_id: String,
    pub description: String,
    /// `send`, `receive` or `both`.
    pub direction: String,
    /// Retired in the catalogue since it was registered: kept, shown as retired.
    pub retired: bool,
}

/// One mailbox's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxDetail {
    pub item: MailboxItem,
    pub created: String,
    /// The application that created it (none for one added from the command line).
    pub application: Option<String>,
    /// Who receives a new API password: the mailbox manager named in that application.
    pub manager_email: Option<String>,
    pub registrations: Vec<Registration>,
    /// The accounts that use it: (user ID, name, email).
    pub users: Vec<(String, String, String)>,
    /// A new API password set a moment ago: shown on this page once.
    pub issued: Vec<IssuedView>,
}

/// What can be done to a mailbox, as its page's buttons send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailboxAction {
    /// Stop it sending and receiving, with a reason (in the `reason` field).
    Suspend,
    Reactivate,
    /// Set a new MESH API password, shown once and emailed to the mailbox manager.
    ResetApiPassword,
    /// Register it for the workflow in `workflow_id` with `direction`, or change the direction.
    SetWorkflow,
    /// Take its registration for `workflow_id` away.
    RemoveWorkflow,
}

impl MailboxAction {
    pub const ALL: [Self; 5] = [
        Self::Suspend,
        Self::Reactivate,
        Self::ResetApiPassword,
        Self::SetWorkflow,
        Self::RemoveWorkflow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reactivate => "reactivate",
            Self::ResetApiPassword => "reset_api_password",
            Self::SetWorkflow => "set_workflow",
            Self::RemoveWorkflow => "remove_workflow",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Suspend => "Suspend the mailbox",
            Self::Reactivate => "Reactivate the mailbox",
            Self::ResetApiPassword => "Set a new MESH API password",
            Self::SetWorkflow => "Save workflow",
            Self::RemoveWorkflow => "Remove",
        }
    }

    /// The audit log's name for it.
    pub fn audit_action(self) -> &'static str {
        match self {
            Self::Suspend => "mailbox.suspend",
            Self::Reactivate => "mailbox.reactivate",
            Self::ResetApiPassword => "mailbox.reset_api_password",
            Self::SetWorkflow => "mailbox.set_workflow",
            Self::RemoveWorkflow => "mailbox.remove_workflow",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mailbox_action_reads_back_from_its_button() {
        for action in MailboxAction::ALL {
            assert_eq!(MailboxAction::parse(action.as_str()), Some(action));
            assert!(action.audit_action().starts_with("mailbox."));
        }
        assert_eq!(MailboxAction::parse("delete"), None);
        assert_eq!(MailboxAction::parse(""), None);
    }
}
