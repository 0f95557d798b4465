//! People's identities: work email addresses and smartcard numbers.

use serde::{Deserialize, Serialize};

/// Longest email address accepted (the SMTP limit for a path).
pub const EMAIL_MAX_LEN: usize = 254;

/// A work email address that MESH accepts: `@nhs.net`, `@nhs.uk` or `@gov.uk`, or a sub-domain of
/// `nhs.uk` or `gov.uk` (such as `@mft.nhs.uk` or a council's `@leeds.gov.uk`). Stored lower-case,
/// so two spellings of one address are one address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsEmail(String);

/// Why a text is not an accepted email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsEmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("Email address must be {EMAIL_MAX_LEN} characters or fewer")]
    TooLong,
    #[error("Enter an email address in the correct format, like name@nhs.net")]
    Format,
    #[error("Email address must end in @nhs.net, @nhs.uk or @gov.uk")]
    Domain,
}

impl NhsEmail {
    /// Reads what a person typed: surrounding spaces are ignored, case is not significant.
    pub fn parse(text: &str) -> Result<Self, NhsEmailError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(NhsEmailError::Empty);
        }
        if text.chars().count() > EMAIL_MAX_LEN {
            return Err(NhsEmailError::TooLong);
        }
        let lower = text.to_lowercase();
        let (local, domain) = lower.split_once('@').ok_or(NhsEmailError::Format)?;
        let local_ok = !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
        let domain_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if !local_ok || !domain_ok || !domain.contains('.') {
            return Err(NhsEmailError::Format);
        }
        let allowed = domain == "nhs.net"
            || domain == "nhs.uk"
            || domain == "gov.uk"
            || domain.ends_with(".nhs.uk")
            || domain.ends_with(".gov.uk");
        if !allowed {
            return Err(NhsEmailError::Domain);
        }
        Ok(Self(lower))
    }
}

text_newtype!(NhsEmail, NhsEmailError);

/// The 12-digit number printed on the front of an NHS smartcard. Spaces may be typed between the
/// digits (cards print them in groups); they are removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmartcardNumber(String);

/// Why a text is not a smartcard number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmartcardNumberError {
    #[error("Enter the 12-digit number on the front of the smartcard")]
    Empty,
    #[error("Smartcard number must only include numbers")]
    NotDigits,
    #[error("Smartcard number must be 12 digits")]
    Length,
}

impl SmartcardNumber {
    /// Reads what a person typed, ignoring spaces.
    pub fn parse(text: &str) -> Result<Self, SmartcardNumberError> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return Err(SmartcardNumberError::Empty);
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(SmartcardNumberError::NotDigits);
        }
        if digits.len() != 12 {
            return Err(SmartcardNumberError::Length);
        }
        Ok(Self(digits))
    }
}

text_newtype!(SmartcardNumber, SmartcardNumberError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_nhs_and_government_addresses_and_stores_them_lower_case() {
        let cases = [
            ("jo.bloggs@nhs.net", "jo.bloggs@nhs.net"),
            ("  Jo.Bloggs@NHS.NET ", "jo.bloggs@nhs.net"),
            ("a.person@mft.nhs.uk", "a.person@mft.nhs.uk"),
            ("someone@nhs.uk", "someone@nhs.uk"),
            ("o'brien@leeds.gov.uk", "o'brien@leeds.gov.uk"),
            ("team+mesh@digital.nhs.uk", "team+mesh@digital.nhs.uk"),
            ("analyst@gov.uk", "analyst@gov.uk"),
        ];
        for (typed, stored) in cases {
            assert_eq!(
                NhsEmail::parse(typed).unwrap().as_str(),
                stored,
                "{typed:?}"
            );
        }
    }

    #[test]
    fn refuses_other_addresses_with_a_message_each() {
        let format = "Enter an email address in the correct format, like name@nhs.net";
        let domain = "Email address must end in @nhs.net, @nhs.uk or @gov.uk";
        let long = format!("{}@nhs.net", "a".repeat(250));
        let cases = [
            ("", "Enter an email address"),
            ("jo.bloggs", format),
            ("@nhs.net", format),
            ("jo@@nhs.net", format),
            ("jo bloggs@nhs.net", format),
            ("jo..bloggs@nhs.net", format),
            ("<script>@nhs.net", format),
            ("jo@nhs..net", format),
            ("jo@gmail.com", domain),
            ("jo@nhs.net.evil.com", domain),
            ("jo@notnhs.uk", domain),
            ("jo@evilnhs.net", domain),
            ("jo@nhs.com", domain),
            (
                long.as_str(),
                "Email address must be 254 characters or fewer",
            ),
        ];
        for (typed, message) in cases {
            let error = NhsEmail::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }

    #[test]
    fn reads_smartcard_numbers_with_or_without_spaces() {
        for typed in ["123456789012", "1234 5678 9012", " 123 456 789 012 "] {
            assert_eq!(
                SmartcardNumber::parse(typed).unwrap().as_str(),
                "123456789012"
            );
        }
        let cases = [
            (
                "",
                "Enter the 12-digit number on the front of the smartcard",
            ),
            (
                "   ",
                "Enter the 12-digit number on the front of the smartcard",
            ),
            ("12345678901", "Smartcard number must be 12 digits"),
            ("1234567890123", "Smartcard number must be 12 digits"),
            (
                "1234-5678-9012",
                "Smartcard number must only include numbers",
            ),
            ("12345678901O", "Smartcard number must only include numbers"),
        ];
        for (typed, message) in cases {
            let error = SmartcardNumber::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }
}
