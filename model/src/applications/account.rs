//! The MESH UI account application: its questions, their rules and the draft of answers.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::free_text;
use super::mailbox::{NAME_MAX_CHARS, NamedOrganisation, nhs_email};
use crate::accounts::{NhsEmail, SmartcardNumber};
use crate::common::AccessRoute;
use crate::forms::{FieldError, FormDto, FormValues, rule};
use crate::organisations::OdsCode;

/// The pages of the application, in order.
pub mod paths {
    pub const START: &str = "/apply/account";
    pub const ORGANISATION: &str = "/apply/account/organisation";
    pub const MAILBOXES: &str = "/apply/account/mailboxes";
    pub const NAME: &str = "/apply/account/name";
    pub const EMAIL: &str = "/apply/account/email";
    pub const ACCESS: &str = "/apply/account/access";
    pub const REASON: &str = "/apply/account/reason";
    pub const CHECK: &str = "/apply/account/check-answers";
    pub const CONFIRMATION: &str = "/apply/account/confirmation";
}

/// Longest reason for access accepted.
pub const REASON_MAX_CHARS: usize = 1000;

/// Most Mailbox IDs one account application may name.
pub const MAX_MAILBOXES: usize = 10;

/// The answers given so far. Only checked answers are ever stored in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDraft {
    pub organisation: Option<NamedOrganisation>,
    pub mailbox_ids: Vec<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub access_route: Option<AccessRoute>,
    pub smartcard_number: Option<String>,
    pub reason: Option<String>,
}

impl AccountDraft {
    /// What is still missing before the application can be sent, each linked to its question.
    pub fn missing(&self) -> Vec<FieldError> {
        let mut missing = Vec::new();
        if self.organisation.is_none() {
            missing.push(FieldError::new(
                paths::ORGANISATION,
                "Enter your organisation's ODS code",
            ));
        }
        if self.mailbox_ids.is_empty() {
            missing.push(FieldError::new(
                paths::MAILBOXES,
                "Enter the Mailbox IDs you will use",
            ));
        }
        if self.first_name.is_none() || self.last_name.is_none() {
            missing.push(FieldError::new(paths::NAME, "Enter your name"));
        }
        if self.email.is_none() {
            missing.push(FieldError::new(
                paths::EMAIL,
                "Enter your work email address",
            ));
        }
        if self.access_route.is_none() {
            missing.push(FieldError::new(
                paths::ACCESS,
                "Select how you will connect to MESH",
            ));
        }
        if self.reason.is_none() {
            missing.push(FieldError::new(
                paths::REASON,
                "Enter why you need access to MESH",
            ));
        }
        missing
    }
}

fn ods_code(text: &str) -> Result<(), ValidationError> {
    rule(OdsCode::parse(text))
}

/// The account's organisation.
#[derive(Debug, Clone, Validate)]
pub struct AccountOrganisationForm {
    #[validate(custom(function = "ods_code"))]
    pub ods_code: String,
}

impl FormDto for AccountOrganisationForm {
    const FIELDS: &'static [&'static str] = &["ods_code"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            ods_code: values.get("ods_code").to_owned(),
        }
    }
}

/// Splits what was typed into Mailbox IDs: separated by commas, spaces or new lines, upper-case,
/// each once.
pub fn split_mailbox_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let id = id.to_ascii_uppercase();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

fn mailbox_ids(text: &str) -> Result<(), ValidationError> {
    if text.chars().count() > 500 {
        return rule::<(), _>(Err("Mailbox IDs must be 500 characters or fewer"));
    }
    let ids = split_mailbox_ids(text);
    if ids.is_empty() {
        return rule::<(), _>(Err("Enter the Mailbox ID, like X26HC005"));
    }
    if ids.len() > MAX_MAILBOXES {
        return rule::<(), _>(Err(format!(
            "Enter {MAX_MAILBOXES} Mailbox IDs or fewer in one application"
        )));
    }
    for id in &ids {
        if let Err(error) = crate::common::MailboxId::parse(id) {
            let shown: String = id.chars().take(20).collect();
            let rule_text = match error {
                crate::common::MailboxIdError::Length => "must be 3 to 20 letters and numbers",
                _ => "must only include letters and numbers",
            };
            return rule::<(), _>(Err(format!(
                "Mailbox ID {shown} {rule_text}, like X26HC005"
            )));
        }
    }
    Ok(())
}

/// The mailboxes the account will use.
#[derive(Debug, Clone, Validate)]
pub struct MailboxesForm {
    #[validate(custom(function = "mailbox_ids"))]
    pub mailbox_ids: String,
}

impl FormDto for MailboxesForm {
    const FIELDS: &'static [&'static str] = &["mailbox_ids"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            mailbox_ids: values.get("mailbox_ids").to_owned(),
        }
    }
}

fn first_name(text: &str) -> Result<(), ValidationError> {
    rule(free_text(text, "First name", NAME_MAX_CHARS, true, false))
}

fn last_name(text: &str) -> Result<(), ValidationError> {
    rule(free_text(text, "Last name", NAME_MAX_CHARS, true, false))
}

/// The applicant's name.
#[derive(Debug, Clone, Validate)]
pub struct NameForm {
    #[validate(custom(function = "first_name"))]
    pub first_name: String,
    #[validate(custom(function = "last_name"))]
    pub last_name: String,
}

impl FormDto for NameForm {
    const FIELDS: &'static [&'static str] = &["first_name", "last_name"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            first_name: values.get("first_name").to_owned(),
            last_name: values.get("last_name").to_owned(),
        }
    }
}

impl NameForm {
    /// The names as stored (trimmed), once checked.
    pub fn names(&self) -> (String, String) {
        let clean = |t: &str| free_text(t, "Name", NAME_MAX_CHARS, true, false).unwrap_or_default();
        (clean(&self.first_name), clean(&self.last_name))
    }
}

/// The applicant's work email address.
#[derive(Debug, Clone, Validate)]
pub struct EmailForm {
    #[validate(custom(function = "nhs_email"))]
    pub email: String,
}

impl FormDto for EmailForm {
    const FIELDS: &'static [&'static str] = &["email"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            email: values.get("email").to_owned(),
        }
    }
}

impl EmailForm {
    pub fn email(&self) -> Option<NhsEmail> {
        NhsEmail::parse(&self.email).ok()
    }
}

fn access_route(text: &str) -> Result<(), ValidationError> {
    rule(AccessRoute::parse(text).ok_or("Select how you will connect to MESH"))
}

/// How the applicant connects, and for HSCN their smartcard.
#[derive(Debug, Clone, Validate)]
pub struct AccessForm {
    #[validate(custom(function = "access_route"))]
    pub access_route: String,
    pub smartcard_number: String,
    pub r8015: bool,
}

impl FormDto for AccessForm {
    const FIELDS: &'static [&'static str] = &["access_route", "smartcard_number", "r8015"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            access_route: values.get("access_route").to_owned(),
            smartcard_number: values.get("smartcard_number").to_owned(),
            r8015: values.get("r8015") == "confirmed",
        }
    }

    /// The route first; for HSCN, the smartcard number and the R8015 confirmation too.
    fn check(values: &FormValues) -> Result<Self, Vec<FieldError>> {
        let form = Self::from_values(values);
        let mut errors = match form.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => crate::forms::field_errors(&errors, Self::FIELDS),
        };
        if form.route() == Some(AccessRoute::Hscn) {
            if let Err(error) = SmartcardNumber::parse(&form.smartcard_number) {
                errors.push(FieldError::new("smartcard_number", error.to_string()));
            }
            if !form.r8015 {
                errors.push(FieldError::new(
                    "r8015",
                    "Confirm that your smartcard has the R8015 activity code",
                ));
            }
        }
        if errors.is_empty() {
            Ok(form)
        } else {
            Err(errors)
        }
    }
}

impl AccessForm {
    pub fn route(&self) -> Option<AccessRoute> {
        AccessRoute::parse(&self.access_route)
    }

    /// The smartcard number as stored (digits only), for HSCN users.
    pub fn smartcard(&self) -> Option<String> {
        (self.route() == Some(AccessRoute::Hscn))
            .then(|| SmartcardNumber::parse(&self.smartcard_number).ok())
            .flatten()
            .map(String::from)
    }
}

fn reason(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Reason for access",
        REASON_MAX_CHARS,
        true,
        true,
    ))
}

/// Why the applicant needs access.
#[derive(Debug, Clone, Validate)]
pub struct ReasonForm {
    #[validate(custom(function = "reason"))]
    pub reason: String,
}

impl FormDto for ReasonForm {
    const FIELDS: &'static [&'static str] = &["reason"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            reason: values.get("reason").to_owned(),
        }
    }
}

impl ReasonForm {
    pub fn reason(&self) -> String {
        free_text(&self.reason, "Reason", REASON_MAX_CHARS, true, true).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

    #[test]
    fn reads_mailbox_ids_however_they_are_separated() {
        assert_eq!(
            split_mailbox_ids("x26hc005, X26HC006\nX26HC005;X26OT015"),
            ["X26HC005", "X26HC006", "X26OT015"]
        );
        let eleven = (1..=11)
            .map(|i| format!("X26HC{i:03}"))
            .collect::<Vec<_>>()
            .join(" ");
        let cases = [
            ("", "Enter the Mailbox ID, like X26HC005"),
            (" , ", "Enter the Mailbox ID, like X26HC005"),
            (
                "X26HC005 X26-HC",
                "Mailbox ID X26-HC must only include letters and numbers, like X26HC005",
            ),
            (
                eleven.as_str(),
                "Enter 10 Mailbox IDs or fewer in one application",
            ),
        ];
        for (typed, message) in cases {
            assert_eq!(
                messages::<MailboxesForm>(&[("mailbox_ids", typed)]),
                pairs(&[("mailbox_ids", message)]),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn asks_hscn_users_for_their_smartcard_and_r8015() {
        let ok = AccessForm::check(&values(&[
            ("access_route", "hscn"),
            ("smartcard_number", "1234 5678 9012"),
            ("r8015", "confirmed"),
        ]))
        .unwrap();
        assert_eq!(ok.smartcard().as_deref(), Some("123456789012"));
        let internet = AccessForm::check(&values(&[
            ("access_route", "internet"),
            ("smartcard_number", "ignored"),
        ]))
        .unwrap();
        assert_eq!(internet.smartcard(), None);
        let cases: [Case; 3] = [
            (
                &[],
                &[("access_route", "Select how you will connect to MESH")],
            ),
            (
                &[("access_route", "hscn")],
                &[
                    (
                        "smartcard_number",
                        "Enter the 12-digit number on the front of the smartcard",
                    ),
                    (
                        "r8015",
                        "Confirm that your smartcard has the R8015 activity code",
                    ),
                ],
            ),
            (
                &[
                    ("access_route", "hscn"),
                    ("smartcard_number", "1234"),
                    ("r8015", "confirmed"),
                ],
                &[("smartcard_number", "Smartcard number must be 12 digits")],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(messages::<AccessForm>(input), pairs(expected), "{input:?}");
        }
    }

    #[test]
    fn checks_names_and_the_reason() {
        assert_eq!(
            messages::<NameForm>(&[("first_name", " "), ("last_name", "O'Neill")]),
            pairs(&[("first_name", "Enter first name")])
        );
        let long = "x".repeat(REASON_MAX_CHARS + 1);
        assert_eq!(
            messages::<ReasonForm>(&[("reason", &long)]),
            pairs(&[(
                "reason",
                "Reason for access must be 1000 characters or fewer"
            )])
        );
        assert_eq!(
            messages::<ReasonForm>(&[("reason", "")]),
            pairs(&[("reason", "Enter reason for access")])
        );
        assert_eq!(
            ReasonForm::check(&values(&[("reason", " Two\r\nlines ")]))
                .unwrap()
                .reason(),
            "Two\nlines"
        );
    }
}
