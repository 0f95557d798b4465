//! The workflow ID catalogue: what a workflow ID is, and the search over it.

use serde::{Deserialize, Serialize};

/// Longest workflow ID accepted. MESH allows up to 300 characters in `Mex-WorkflowID`; real IDs
/// are far shorter, and a catalogue entry longer than this is almost certainly a mistake.
pub const WORKFLOW_ID_MAX_LEN: usize = 100;

/// Longest search text accepted from the search box.
pub const SEARCH_TEXT_MAX_LEN: usize = 100;

/// Results shown per page of a catalogue search.
pub const PAGE_SIZE: usize = 20;

/// A MESH workflow ID such as `CRDLGY_SCANS`: upper-case letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkflowId(String);

/// Why a text is not a workflow ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowIdError {
    #[error("Enter a workflow ID")]
    Empty,
    #[error("Workflow ID must be {WORKFLOW_ID_MAX_LEN} characters or fewer")]
    TooLong,
    #[error("Workflow ID must not contain spaces")]
    Space,
    #[error("Workflow ID must be in capital letters")]
    Lowercase,
    #[error(
        "Workflow ID can only contain capital letters, numbers, underscores (_) and hyphens (-)"
    )]
    OtherCharacter,
}

impl WorkflowId {
    /// Checks a text against the workflow ID rules, with no trimming or case change.
    pub fn parse(text: &str) -> Result<Self, WorkflowIdError> {
        if text.is_empty() {
            return Err(WorkflowIdError::Empty);
        }
        if text.chars().count() > WORKFLOW_ID_MAX_LEN {
            return Err(WorkflowIdError::TooLong);
        }
        if text.chars().any(char::is_whitespace) {
            return Err(WorkflowIdError::Space);
        }
        if text.chars().any(|c| c.is_lowercase()) {
            return Err(WorkflowIdError::Lowercase);
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(WorkflowIdError::OtherCharacter);
        }
        Ok(Self(text.to_owned()))
    }
}

text_newtype!(WorkflowId, WorkflowIdError);

/// Whether a workflow ID may still be used for new messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowStatus {
    Active,
    Retired,
}

impl WorkflowStatus {
    /// The stored and CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }

    /// Reads the stored and CSV spelling (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }

    /// The words on the status tag.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Retired => "Retired",
        }
    }
}

/// One catalogue entry as listed in search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowSummary {
    pub workflow_id: String,
    pub group: String,
    pub description: String,
    pub status: WorkflowStatus,
    /// Some programmes only allow files to be sent over HSCN.
    pub hscn_only: bool,
    /// Some programmes need a test file sent in a Path to Live environment before Live use.
    pub test_first: bool,
    /// The workflow this one acknowledges (`X_ACK` answers `X`), if any.
    pub ack_of: Option<String>,
}

/// One catalogue entry with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowDetail {
    pub summary: WorkflowSummary,
    /// Who sends and who receives, in words.
    pub direction: String,
    /// The acknowledgement workflows that answer this one.
    pub acknowledged_by: Vec<String>,
    /// Other entries of the same group, for browsing.
    pub group_size: usize,
}

/// A workflow group and how many entries it has, for the group filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub name: String,
    pub count: usize,
}

/// What the search box and filters asked for, as read from the page's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub q: String,
    pub group: Option<String>,
    /// 1-based page number.
    pub page: usize,
}

impl SearchRequest {
    /// Reads `q`, `group` and `page` from query parameters; a missing or unreadable page is page 1
    /// and an empty group means every group.
    pub fn from_params(q: Option<&str>, group: Option<&str>, page: Option<&str>) -> Self {
        Self {
            q: q.unwrap_or_default().trim().to_owned(),
            group: group
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned),
            page: page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// What is wrong with the search text, if anything: checked in the browser as the user types
    /// and again by the server.
    pub fn text_error(&self) -> Option<String> {
        (self.q.chars().count() > SEARCH_TEXT_MAX_LEN)
            .then(|| format!("Search text must be {SEARCH_TEXT_MAX_LEN} characters or fewer"))
    }

    /// The query string that reproduces this search on another page number.
    pub fn query_string(&self, page: usize) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode_query_value(&self.q)));
        }
        if let Some(group) = &self.group {
            parts.push(format!("group={}", encode_query_value(group)));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query value (form style: spaces become `+`).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub items: Vec<WorkflowSummary>,
    /// Entries matching the search, on all pages.
    pub total: usize,
    /// The page shown (1-based, clamped to the last page).
    pub page: usize,
    pub page_count: usize,
    /// Every group, for the filter.
    pub groups: Vec<GroupCount>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_workflow_ids() {
        for id in [
            "CRDLGY_SCANS",
            "GPFED_CONSULT_REPORT_ACK",
            "API-DOCS-TEST",
            "NHAIS_REG",
        ] {
            assert_eq!(WorkflowId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn rejects_bad_workflow_ids_with_a_reason_each() {
        let cases = [
            ("", WorkflowIdError::Empty),
            ("CRDLGY SCANS", WorkflowIdError::Space),
            ("crdlgy_scans", WorkflowIdError::Lowercase),
            ("CRDLGY/SCANS", WorkflowIdError::OtherCharacter),
            ("É", WorkflowIdError::OtherCharacter),
        ];
        for (text, expected) in cases {
            assert_eq!(WorkflowId::parse(text), Err(expected), "for {text:?}");
        }
        let long = "A".repeat(WORKFLOW_ID_MAX_LEN + 1);
        assert_eq!(WorkflowId::parse(&long), Err(WorkflowIdError::TooLong));
    }

    #[test]
    fn reads_search_parameters_forgivingly() {
        let request = SearchRequest::from_params(Some("  cardio "), Some(""), Some("x"));
        assert_eq!(request.q, "cardio");
        assert_eq!(request.group, None);
        assert_eq!(request.page, 1);
        assert_eq!(request.text_error(), None);
        let long = SearchRequest::from_params(Some(&"a".repeat(101)), None, None);
        assert_eq!(
            long.text_error().as_deref(),
            Some("Search text must be 100 characters or fewer")
        );
        let request = SearchRequest::from_params(None, Some("GP Federation"), Some("3"));
        assert_eq!(request.query_string(2), "?group=GP+Federation&page=2");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode_query_value("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
