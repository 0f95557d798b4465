//! People's identities and accounts: work email addresses, smartcard numbers, roles, account
//! states and the PIN rules.

use serde::{Deserialize, Serialize};

pub mod sign_in;

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

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sends and collects files for the mailboxes linked to the account.
    MailboxUser,
    /// Reviews applications and looks after mailboxes, users and the catalogue.
    ServiceDesk,
    /// The service desk's powers, and the management of staff accounts.
    Admin,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::MailboxUser, Self::ServiceDesk, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MailboxUser => "mailbox_user",
            Self::ServiceDesk => "service_desk",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::MailboxUser => "Mailbox user",
            Self::ServiceDesk => "Service desk",
            Self::Admin => "Administrator",
        }
    }

    /// Whether the role works the service desk's queues and administration.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::ServiceDesk | Self::Admin)
    }
}

/// Where an account is in its life. Locks after failed attempts are a time on the account, not a
/// state: they end on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Created; the person has not yet set a PIN and a second factor.
    Invited,
    Active,
    /// Switched off by the service desk; cannot sign in.
    Disabled,
}

impl UserStatus {
    pub const ALL: [Self; 3] = [Self::Invited, Self::Active, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How a person proves, after their PIN, that it is them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactor {
    /// A 6-digit code from an authenticator app (TOTP, RFC 6238).
    Totp,
    /// A 6-digit code sent by email, valid for 10 minutes. Only over HSCN.
    Email,
}

impl SecondFactor {
    pub const ALL: [Self; 2] = [Self::Totp, Self::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Totp => "Authenticator app",
            Self::Email => "Security code by email",
        }
    }
}

/// Fewest and most digits in a PIN.
pub const PIN_MIN_DIGITS: usize = 6;
pub const PIN_MAX_DIGITS: usize = 12;

/// A PIN that follows the rules: 6 to 12 digits, not one digit repeated, not a run such as
/// `123456` or `987654`. Its `Debug` never shows the digits; it is never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(redacted)")
    }
}

/// Why a text is not an acceptable PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("Enter a PIN")]
    Empty,
    #[error("PIN must only include numbers")]
    NotDigits,
    #[error("PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} numbers")]
    Length,
    #[error("PIN must not be the same number repeated")]
    Repeated,
    #[error("PIN must not be a sequence of numbers, like 123456")]
    Sequence,
}

impl Pin {
    /// Checks a new PIN against the rules.
    pub fn parse(text: &str) -> Result<Self, PinError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PinError::Empty);
        }
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(PinError::NotDigits);
        }
        if !(PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&text.len()) {
            return Err(PinError::Length);
        }
        let digits: Vec<i8> = text.bytes().map(|b| (b - b'0') as i8).collect();
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(PinError::Repeated);
        }
        // A run up or down, counting 9 → 0 (and 0 → 9) as the next step, so 789012 is one too.
        let steps: Vec<i8> = digits
            .windows(2)
            .map(|pair| (pair[1] - pair[0]).rem_euclid(10))
            .collect();
        if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == 9) {
            return Err(PinError::Sequence);
        }
        Ok(Self(text.to_owned()))
    }

    /// The digits, to hash. Never to show or log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

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
    #[test]
    fn accepts_pins_that_follow_the_rules() {
        for typed in [
            "135790",
            "240824",
            "112233",
            "0000001",
            "123456789013",
            " 482913 ",
        ] {
            assert!(Pin::parse(typed).is_ok(), "{typed:?}");
        }
    }

    #[test]
    fn refuses_pins_that_break_the_rules_with_a_message_each() {
        let cases = [
            ("", "Enter a PIN"),
            ("12345a", "PIN must only include numbers"),
            ("12 34 56", "PIN must only include numbers"),
            ("13579", "PIN must be 6 to 12 numbers"),
            ("1357913579135", "PIN must be 6 to 12 numbers"),
            ("000000", "PIN must not be the same number repeated"),
            ("999999999999", "PIN must not be the same number repeated"),
            (
                "123456",
                "PIN must not be a sequence of numbers, like 123456",
            ),
            (
                "987654",
                "PIN must not be a sequence of numbers, like 123456",
            ),
            (
                "789012",
                "PIN must not be a sequence of numbers, like 123456",
            ),
            (
                "210987",
                "PIN must not be a sequence of numbers, like 123456",
            ),
            (
                "012345678901",
                "PIN must not be a sequence of numbers, like 123456",
            ),
        ];
        for (typed, message) in cases {
            let error = Pin::parse(typed).expect_err(typed);
            assert_eq!(error.to_string(), message, "{typed:?}");
        }
    }

    #[test]
    fn a_pin_never_shows_its_digits_in_debug_output() {
        let pin = Pin::parse("482913").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(redacted)");
    }

    #[test]
    fn roles_statuses_and_factors_read_back_what_they_write() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for status in UserStatus::ALL {
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
        for factor in SecondFactor::ALL {
            assert_eq!(SecondFactor::parse(factor.as_str()), Some(factor));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Admin.is_staff() && Role::ServiceDesk.is_staff());
        assert!(!Role::MailboxUser.is_staff());
    }
}
