//! Types every area uses: the environment a mailbox lives in, the direction of a mailbox's
//! registration for a workflow, and the access route a request arrives by.

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
