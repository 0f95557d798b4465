//! Organisations and their ODS codes.

use std::fmt;

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

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OdsCode> for String {
    fn from(value: OdsCode) -> Self {
        value.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
