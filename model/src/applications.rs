//! Applications: the rules for what applicants type (telephone numbers, free text), references,
//! statuses, and one module per kind of application with its questions.

pub mod account;
pub mod mailbox;
pub mod workflow_request;

use serde::{Deserialize, Serialize};

/// A UK telephone number, kept as the digits to dial from the UK (`01632960001`). People may type
/// spaces, hyphens, brackets and a `+44` or `0044` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UkPhoneNumber(String);

/// Why a text is not a UK telephone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UkPhoneNumberError {
    #[error("Enter a telephone number")]
    Empty,
    #[error("Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")]
    Format,
}

impl UkPhoneNumber {
    /// Reads what a person typed.
    pub fn parse(text: &str) -> Result<Self, UkPhoneNumberError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UkPhoneNumberError::Empty);
        }
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+44") {
            format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
        } else if let Some(rest) = compact.strip_prefix("0044") {
            format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
        } else {
            compact
        };
        let valid = national.starts_with('0')
            && !national.starts_with("00")
            && (10..=11).contains(&national.len())
            && national.chars().all(|c| c.is_ascii_digit());
        if !valid {
            return Err(UkPhoneNumberError::Format);
        }
        Ok(Self(national))
    }
}

text_newtype!(UkPhoneNumber, UkPhoneNumberError);

/// Checks free text from a form: trims it, and refuses it when empty (if required), longer than
/// `max_chars`, or holding control characters (line breaks are allowed only where `multi_line`).
/// `label` names the field in the message, in sentence case ("Organisation name").
pub fn free_text(
    text: &str,
    label: &str,
    max_chars: usize,
    required: bool,
    multi_line: bool,
) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return if required {
            Err(format!("Enter {}", lower_first(label)))
        } else {
            Ok(String::new())
        };
    }
    if text.chars().count() > max_chars {
        return Err(format!("{label} must be {max_chars} characters or fewer"));
    }
    let allowed = |c: char| multi_line && (c == '\n' || c == '\r' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(format!("{label} must not contain control characters"));
    }
    Ok(text.replace("\r\n", "\n"))
}

fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The characters of an application reference: digits and capitals without the ones people
/// confuse (0/O, 1/I/L) or that spell words (U).
pub const REFERENCE_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Random characters in a reference after its prefix (30^8, about 6.6 × 10^11 possibilities).
pub const REFERENCE_RANDOM_LEN: usize = 8;

/// What an application asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    Mailbox,
    Account,
    WorkflowRequest,
}

impl ApplicationKind {
    pub const ALL: [Self; 3] = [Self::Mailbox, Self::Account, Self::WorkflowRequest];

    /// The start of its references.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Mailbox => "MBX",
            Self::Account => "ACC",
            Self::WorkflowRequest => "WFR",
        }
    }
}

/// An application reference such as `MBX-7Q4K-2XHD`: a prefix for the kind and eight random
/// characters from [`REFERENCE_ALPHABET`]. People may type it in any case, with or without the
/// hyphens or with spaces instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reference(String);

/// Why a text is not an application reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("Enter your application reference")]
    Empty,
    #[error("Enter the reference as it appears in your confirmation email, like MBX-7Q4K-2XHD")]
    Format,
}

impl Reference {
    /// Reads what a person typed.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let kind = ApplicationKind::ALL
            .into_iter()
            .find(|k| compact.starts_with(k.prefix()))
            .ok_or(ReferenceError::Format)?;
        let random = &compact[kind.prefix().len()..];
        if random.len() != REFERENCE_RANDOM_LEN
            || !random.bytes().all(|b| REFERENCE_ALPHABET.contains(&b))
        {
            return Err(ReferenceError::Format);
        }
        Ok(Self(format!(
            "{}-{}-{}",
            kind.prefix(),
            &random[..4],
            &random[4..]
        )))
    }

    /// A reference of `kind` from random indexes into [`REFERENCE_ALPHABET`] (each taken modulo
    /// its length).
    pub fn from_indexes(kind: ApplicationKind, indexes: [usize; REFERENCE_RANDOM_LEN]) -> Self {
        let chars: String = indexes
            .iter()
            .map(|&i| REFERENCE_ALPHABET[i % REFERENCE_ALPHABET.len()] as char)
            .collect();
        Self(format!("{}-{}-{}", kind.prefix(), &chars[..4], &chars[4..]))
    }

    /// The kind of application the reference belongs to.
    pub fn kind(&self) -> ApplicationKind {
        ApplicationKind::ALL
            .into_iter()
            .find(|k| self.0.starts_with(k.prefix()))
            .unwrap_or(ApplicationKind::Mailbox)
    }
}

text_newtype!(Reference, ReferenceError);

/// Where an application is. The allowed moves are all in [`ApplicationStatus::can_move_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Submitted,
    InReview,
    MoreInformationNeeded,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub const ALL: [Self; 5] = [
        Self::Submitted,
        Self::InReview,
        Self::MoreInformationNeeded,
        Self::Approved,
        Self::Rejected,
    ];

    /// Whether an application in this state may move to `next`. Approved and rejected are final;
    /// an answered question puts the application back in review.
    pub fn can_move_to(self, next: Self) -> bool {
        use ApplicationStatus::*;
        matches!(
            (self, next),
            (
                Submitted,
                InReview | MoreInformationNeeded | Approved | Rejected
            ) | (InReview, MoreInformationNeeded | Approved | Rejected)
                | (MoreInformationNeeded, InReview | Rejected)
        )
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Rejected)
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::MoreInformationNeeded => "more_information_needed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The words on the status tag.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Submitted",
            Self::InReview => "In review",
            Self::MoreInformationNeeded => "More information needed",
            Self::Approved => "Approved",
            Self::Rejected => "Rejected",
        }
    }
}

/// The page where an applicant answers the service desk's question, from the emailed link.
pub fn answer_path(reference: &str, token: &str) -> String {
    format!("/applications/{reference}/answer/{token}")
}

/// An applicant's answer to a question: required, up to 2000 characters.
pub const ANSWER_MAX_CHARS: usize = 2000;

/// The answer page: the question, and the answer if it has been given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub reference: String,
    pub question: String,
    pub asked: String,
    pub answer: Option<String>,
}

/// Everything the question pages show: the answers so far of each application in progress in
/// this browser, and the reference of the last one sent of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drafts {
    pub mailbox: mailbox::MailboxDraft,
    pub account: account::AccountDraft,
    pub sent_mailbox: Option<String>,
    pub sent_account: Option<String>,
    pub sent_workflow_request: Option<String>,
}

/// One step in an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    pub status: ApplicationStatus,
    /// Seconds since 1970 (UTC).
    pub at: i64,
    pub note: String,
}

/// What the status page shows to someone who gave the right reference and email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationStatusView {
    pub reference: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    pub submitted_at: i64,
    /// Oldest first.
    pub history: Vec<StatusEvent>,
}

impl ApplicationKind {
    /// What the application is for, in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mailbox => "Mailbox application",
            Self::Account => "MESH UI account application",
            Self::WorkflowRequest => "Workflow ID request",
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mailbox => "mailbox",
            Self::Account => "account",
            Self::WorkflowRequest => "workflow_request",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uk_telephone_numbers_as_people_type_them() {
        let cases = [
            ("01632 960 001", "01632960001"),
            ("07700 900 982", "07700900982"),
            ("+44 808 157 0192", "08081570192"),
            ("+44 (0)20 7946 0000", "02079460000"),
            ("0044 113 496 0000", "01134960000"),
            ("0113-496-0000", "01134960000"),
        ];
        for (typed, stored) in cases {
            assert_eq!(
                UkPhoneNumber::parse(typed).unwrap().as_str(),
                stored,
                "{typed:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_uk_telephone_number() {
        let format =
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192";
        let cases = [
            ("", "Enter a telephone number"),
            ("0163296", format),
            ("016329600011234", format),
            ("1632960001", format),
            ("+1 202 555 0100", format),
            ("0800 FLOWERS", format),
            ("00 1632 960 001", format),
            ("<script>", format),
        ];
        for (typed, message) in cases {
            let error = UkPhoneNumber::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }

    #[test]
    fn checks_free_text() {
        assert_eq!(
            free_text("  Leeds  ", "Organisation name", 100, true, false).unwrap(),
            "Leeds"
        );
        assert_eq!(free_text("", "Subject", 100, false, false).unwrap(), "");
        assert_eq!(
            free_text("line one\r\nline two", "Reason", 100, true, true).unwrap(),
            "line one\nline two"
        );
        let cases = [
            ("", true, false, "Enter organisation name"),
            ("   ", true, false, "Enter organisation name"),
            (
                "a\u{0}b",
                true,
                false,
                "Organisation name must not contain control characters",
            ),
            (
                "a\nb",
                true,
                false,
                "Organisation name must not contain control characters",
            ),
            (
                "a\u{1b}[31mb",
                true,
                true,
                "Organisation name must not contain control characters",
            ),
        ];
        for (typed, required, multi_line, message) in cases {
            let error =
                free_text(typed, "Organisation name", 10, required, multi_line).expect_err(typed);
            assert_eq!(error, message, "{typed:?}");
        }
        let long = "x".repeat(11);
        assert_eq!(
            free_text(&long, "Organisation name", 10, true, false).unwrap_err(),
            "Organisation name must be 10 characters or fewer"
        );
        assert_eq!(
            free_text(&"é".repeat(10), "Organisation name", 10, true, false).unwrap(),
            "é".repeat(10),
            "the limit counts characters, not bytes"
        );
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;

    #[test]
    fn reads_references_as_people_type_them() {
        for typed in [
            "MBX-7Q4K-2XHD",
            "mbx-7q4k-2xhd",
            " MBX 7Q4K 2XHD ",
            "MBX7Q4K2XHD",
        ] {
            let reference = Reference::parse(typed).unwrap();
            assert_eq!(reference.as_str(), "MBX-7Q4K-2XHD", "{typed:?}");
            assert_eq!(reference.kind(), ApplicationKind::Mailbox);
        }
        assert_eq!(
            Reference::parse("acc-2345-6789").unwrap().kind(),
            ApplicationKind::Account
        );
        assert_eq!(
            Reference::parse("WFR-ZZZZ-2222").unwrap().kind(),
            ApplicationKind::WorkflowRequest
        );
    }

    #[test]
    fn refuses_what_cannot_be_a_reference() {
        let format =
            "Enter the reference as it appears in your confirmation email, like MBX-7Q4K-2XHD";
        let cases = [
            ("", "Enter your application reference"),
            ("XYZ-7Q4K-2XHD", format),
            ("MBX-7Q4K-2XH", format),
            ("MBX-7Q4K-2XHDD", format),
            ("MBX-0Q4K-2XHD", format),
            ("MBX-7Q4K-2XHO", format),
            ("MBX-7Q4K-2XH1", format),
            ("MBX-7Q4K-2XHÉ", format),
        ];
        for (typed, message) in cases {
            let error = Reference::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }

    #[test]
    fn builds_references_from_random_indexes() {
        let reference =
            Reference::from_indexes(ApplicationKind::Account, [0, 1, 2, 3, 26, 27, 28, 29]);
        assert_eq!(reference.as_str(), "ACC-2345-WXYZ");
        assert_eq!(Reference::parse(reference.as_str()).unwrap(), reference);
    }

    #[test]
    fn allows_only_the_moves_of_the_application_process() {
        use ApplicationStatus::*;
        let allowed = [
            (Submitted, InReview),
            (Submitted, MoreInformationNeeded),
            (Submitted, Approved),
            (Submitted, Rejected),
            (InReview, MoreInformationNeeded),
            (InReview, Approved),
            (InReview, Rejected),
            (MoreInformationNeeded, InReview),
            (MoreInformationNeeded, Rejected),
        ];
        for from in ApplicationStatus::ALL {
            for to in ApplicationStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
            assert_eq!(ApplicationStatus::parse(from.as_str()), Some(from));
        }
        assert!(Approved.is_final() && Rejected.is_final() && !InReview.is_final());
    }
}
