//! Organisations and their ODS codes.

use serde::{Deserialize, Serialize};

/// An Organisation Data Service code such as `X26` or `C43008`: 3 to 10 letters and digits,
/// stored upper-case. Real codes are 3 (trusts, ICBs) to 6 (GP practices) characters, with site
/// codes a little longer; the rule does not hard-code one length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

/// Why a text is not an ODS code; the text is what the user sees by the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("Enter an ODS code")]
    Empty,
    #[error("ODS code must be 3 to 10 characters")]
    Length,
    #[error("ODS code must only include letters and numbers")]
    OtherCharacter,
}

impl OdsCode {
    /// Reads what a person typed: surrounding spaces are ignored and letters may be in either
    /// case (the code is stored upper-case).
    pub fn parse(text: &str) -> Result<Self, OdsCodeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OdsCodeError::Empty);
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(OdsCodeError::OtherCharacter);
        }
        if !(3..=10).contains(&text.len()) {
            return Err(OdsCodeError::Length);
        }
        Ok(Self(text.to_ascii_uppercase()))
    }
}

text_newtype!(OdsCode, OdsCodeError);

/// What sort of organisation an ODS code belongs to. The two-letter kind in a Mailbox ID comes
/// from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    NhsTrust,
    Icb,
    GpPractice,
    Pharmacy,
    LocalAuthority,
    Other,
}

impl OrganisationKind {
    pub const ALL: [Self; 6] = [
        Self::NhsTrust,
        Self::Icb,
        Self::GpPractice,
        Self::Pharmacy,
        Self::LocalAuthority,
        Self::Other,
    ];

    /// The stored and CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NhsTrust => "nhs_trust",
            Self::Icb => "icb",
            Self::GpPractice => "gp_practice",
            Self::Pharmacy => "pharmacy",
            Self::LocalAuthority => "local_authority",
            Self::Other => "other",
        }
    }

    /// Reads the stored and CSV spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::NhsTrust => "NHS trust",
            Self::Icb => "Integrated care board",
            Self::GpPractice => "GP practice",
            Self::Pharmacy => "Pharmacy",
            Self::LocalAuthority => "Local authority",
            Self::Other => "Other organisation",
        }
    }
}

/// An organisation as the finder lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub ods_code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub postcode: String,
    pub town: String,
}

/// Longest text accepted in the organisation finder's search box.
pub const ORGANISATION_SEARCH_MAX_LEN: usize = 100;

/// Most organisations one search lists.
pub const ORGANISATION_RESULTS_MAX: usize = 50;

/// What the finder found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationResults {
    /// At most [`ORGANISATION_RESULTS_MAX`], best first.
    pub items: Vec<Organisation>,
    /// How many matched in all.
    pub total: usize,
}

/// What is wrong with a finder search, if anything.
pub fn organisation_search_error(q: &str) -> Option<String> {
    (q.trim().chars().count() > ORGANISATION_SEARCH_MAX_LEN)
        .then(|| format!("Search text must be {ORGANISATION_SEARCH_MAX_LEN} characters or fewer"))
}

/// The page the finder was opened from, which its results link back to with the ODS code filled
/// in. Only this site's application pages qualify, so the finder can never send anyone elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPath(String);

impl ReturnPath {
    /// Accepts `/apply/…` paths made of safe characters; anything else is ignored (`None`).
    pub fn parse(text: &str) -> Option<Self> {
        let safe = text.starts_with("/apply/")
            && !text.contains("//")
            && text.len() <= 200
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_".contains(c));
        safe.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The link that goes back with an ODS code chosen.
    pub fn with_ods_code(&self, code: &str) -> String {
        format!(
            "{}?ods_code={}",
            self.0,
            super::catalogue::encode_query_value(code)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ods_codes_in_any_case_and_stores_them_upper_case() {
        let cases = [
            ("X26", "X26"),
            ("c43008", "C43008"),
            ("  RR8 ", "RR8"),
            ("8HQ50", "8HQ50"),
            ("ABCDEFGHIJ", "ABCDEFGHIJ"),
        ];
        for (typed, stored) in cases {
            assert_eq!(OdsCode::parse(typed).unwrap().as_str(), stored, "{typed:?}");
        }
    }

    #[test]
    fn refuses_bad_ods_codes_with_a_message_each() {
        let cases = [
            ("", "Enter an ODS code"),
            ("   ", "Enter an ODS code"),
            ("X2", "ODS code must be 3 to 10 characters"),
            ("ABCDEFGHIJK", "ODS code must be 3 to 10 characters"),
            ("C43 008", "ODS code must only include letters and numbers"),
            ("C43-008", "ODS code must only include letters and numbers"),
            (
                "<b>X26</b>",
                "ODS code must only include letters and numbers",
            ),
            (
                "X26'; DROP TABLE organisations;--",
                "ODS code must only include letters and numbers",
            ),
            ("É26", "ODS code must only include letters and numbers"),
        ];
        for (typed, message) in cases {
            let error = OdsCode::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }
}

#[cfg(test)]
mod finder_tests {
    use super::*;

    #[test]
    fn returns_only_to_application_pages() {
        let back = ReturnPath::parse("/apply/mailbox/organisation").unwrap();
        assert_eq!(
            back.with_ods_code("RR8"),
            "/apply/mailbox/organisation?ods_code=RR8"
        );
        for bad in [
            "https://evil.example/apply/",
            "//evil.example/apply/x",
            "/apply//evil.example",
            "/workflows",
            "/apply/x?next=https://evil.example",
            "/apply/<script>",
            "javascript:alert(1)",
        ] {
            assert_eq!(ReturnPath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_every_organisation_kind() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OrganisationKind::parse("hospital"), None);
    }
}
