//! Types every area uses: the environment a mailbox lives in, whether it is active, the
//! direction of a mailbox's registration for a workflow, and the access route a request arrives
//! by.

use serde::{Deserialize, Serialize};

/// Where a mailbox lives. A file sent in one environment stays in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Live,
    Integration,
    Deployment,
}

impl Environment {
    pub const ALL: [Self; 3] = [Self::Live, Self::Integration, Self::Deployment];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Integration => "integration",
            Self::Deployment => "deployment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Live => "Live",
            Self::Integration => "Path to Live: Integration",
            Self::Deployment => "Path to Live: Deployment",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Self::Live => "For real data between organisations",
            Self::Integration => "Where developers get their first test mailbox",
            Self::Deployment => "For testing a finished system before it goes live",
        }
    }
}

/// A Mailbox ID: 3 to 20 letters and numbers, stored upper-case. Those the portal issues are an
/// ODS code, a two-letter kind and a three-digit number (`C43008GP004`); a sandbox's and those
/// added by hand may be any such code. Built only through [`MailboxId::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MailboxId(String);

/// Why a text is not a Mailbox ID, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailboxIdError {
    #[error("Enter the Mailbox ID, like X26HC005")]
    Empty,
    #[error("Mailbox ID must be 3 to 20 letters and numbers, like X26HC005")]
    Length,
    #[error("Mailbox ID must only include letters and numbers, like X26HC005")]
    OtherCharacter,
}

impl MailboxId {
    /// Reads what a person or a client sent: surrounding spaces are ignored and letters may be
    /// in either case.
    pub fn parse(text: &str) -> Result<Self, MailboxIdError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MailboxIdError::Empty);
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(MailboxIdError::OtherCharacter);
        }
        if !(3..=20).contains(&text.len()) {
            return Err(MailboxIdError::Length);
        }
        Ok(Self(text.to_ascii_uppercase()))
    }
}

text_newtype!(MailboxId, MailboxIdError);

/// Whether a mailbox sends and receives. The service desk suspends one (with a reason in the
/// audit log) and reactivates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailboxStatus {
    Active,
    Suspended,
}

impl MailboxStatus {
    pub const ALL: [Self; 2] = [Self::Active, Self::Suspended];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Suspended => "Suspended",
        }
    }
}

/// Whether the mailbox sends a workflow, receives it, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Send,
    Receive,
    Both,
}

impl Direction {
    pub const ALL: [Self; 3] = [Self::Both, Self::Send, Self::Receive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Receive => "receive",
            Self::Both => "both",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Send => "Send",
            Self::Receive => "Receive",
            Self::Both => "Send and receive",
        }
    }
}

/// How the user reaches the MESH website.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRoute {
    Hscn,
    Internet,
}

impl AccessRoute {
    pub const ALL: [Self; 2] = [Self::Hscn, Self::Internet];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hscn => "hscn",
            Self::Internet => "internet",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Hscn => "HSCN, with a smartcard",
            Self::Internet => "Internet, with an authenticator app",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Self::Hscn => "Files up to 100 MB, test environments and test files",
            Self::Internet => "Files up to 50 MB, no test files or test environments",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_id_is_read_upper_case_without_its_spaces() {
        assert_eq!(
            MailboxId::parse(" c43008gp004 ").unwrap().as_str(),
            "C43008GP004"
        );
        assert_eq!(MailboxId::parse("X26").unwrap().as_str(), "X26");
    }

    #[test]
    fn rejects_what_is_not_a_mailbox_id_with_a_reason() {
        for (text, error) in [
            ("", MailboxIdError::Empty),
            ("   ", MailboxIdError::Empty),
            ("X2", MailboxIdError::Length),
            ("X26HC005X26HC005X26HC", MailboxIdError::Length),
            ("X26-HC005", MailboxIdError::OtherCharacter),
            ("X26 HC005", MailboxIdError::OtherCharacter),
            ("X26HC00\u{c5}", MailboxIdError::OtherCharacter),
        ] {
            assert_eq!(MailboxId::parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn a_mailbox_id_travels_as_its_text_and_is_checked_on_the_way_in() {
        let id = MailboxId::parse("x26hc005").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"X26HC005\"");
        assert!(serde_json::from_str::<MailboxId>("\"X26-HC005\"").is_err());
    }
}
