//! The mailbox application: its questions, their rules and the draft that collects the answers.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::{UkPhoneNumber, free_text};
use crate::accounts::NhsEmail;
use crate::common::{Direction, Environment};
use crate::forms::{FieldError, FormDto, FormValues, rule};
use crate::organisations::OdsCode;

/// The names of the workflows page's buttons: `add_workflow=ID` adds the workflow, and
/// `remove_workflow=ID` removes it. Not `add` and `remove`: a form control's name becomes a
/// property of its form element, and one called `remove` hides the form's own `remove()`, which
/// Leptos calls when the page is left.
pub const ADD_WORKFLOW: &str = "add_workflow";
pub const REMOVE_WORKFLOW: &str = "remove_workflow";

/// The pages of the application, in order.
pub mod paths {
    pub const START: &str = "/apply/mailbox";
    pub const ORGANISATION: &str = "/apply/mailbox/organisation";
    pub const ENVIRONMENT: &str = "/apply/mailbox/environment";
    pub const WORKFLOWS: &str = "/apply/mailbox/workflows";
    pub const FILE_SIZE: &str = "/apply/mailbox/file-size";
    pub const CONTACT: &str = "/apply/mailbox/contact";
    pub const CHECK: &str = "/apply/mailbox/check-answers";
    pub const CONFIRMATION: &str = "/apply/mailbox/confirmation";
}

/// The approximate size of the largest file the mailbox will handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileSize {
    #[serde(rename = "up_to_10mb")]
    UpTo10Mb,
    #[serde(rename = "up_to_50mb")]
    UpTo50Mb,
    #[serde(rename = "up_to_100mb")]
    UpTo100Mb,
    #[serde(rename = "over_100mb")]
    Over100Mb,
}

impl FileSize {
    pub const ALL: [Self; 4] = [
        Self::UpTo10Mb,
        Self::UpTo50Mb,
        Self::UpTo100Mb,
        Self::Over100Mb,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UpTo10Mb => "up_to_10mb",
            Self::UpTo50Mb => "up_to_50mb",
            Self::UpTo100Mb => "up_to_100mb",
            Self::Over100Mb => "over_100mb",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::UpTo10Mb => "Up to 10 MB",
            Self::UpTo50Mb => "10 MB to 50 MB",
            Self::UpTo100Mb => "50 MB to 100 MB",
            Self::Over100Mb => "More than 100 MB",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Self::UpTo10Mb | Self::UpTo100Mb => "",
            Self::UpTo50Mb => "The largest file the MESH website takes over the internet",
            Self::Over100Mb => "Only through MESH client or the MESH API, which take up to 20 GB",
        }
    }
}

/// A workflow the mailbox is registered for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedWorkflow {
    pub workflow_id: String,
    pub description: String,
    pub direction: Direction,
}

/// The person who manages the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// An organisation found by its ODS code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedOrganisation {
    pub ods_code: String,
    pub name: String,
}

/// The answers given so far. Only checked answers are ever stored in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxDraft {
    pub organisation: Option<NamedOrganisation>,
    pub third_party: Option<NamedOrganisation>,
    /// Whether the organisation question has been answered (a third party is optional).
    pub organisation_answered: bool,
    pub environments: Vec<Environment>,
    pub workflows: Vec<RequestedWorkflow>,
    pub file_size: Option<FileSize>,
    pub contact: Option<Contact>,
}

impl MailboxDraft {
    /// What is still missing before the application can be sent, each linked to its question.
    pub fn missing(&self) -> Vec<FieldError> {
        let mut missing = Vec::new();
        if self.organisation.is_none() {
            missing.push(FieldError::new(
                paths::ORGANISATION,
                "Enter your organisation's ODS code",
            ));
        }
        if self.environments.is_empty() {
            missing.push(FieldError::new(
                paths::ENVIRONMENT,
                "Select the environments you need a mailbox in",
            ));
        }
        if self.workflows.is_empty() {
            missing.push(FieldError::new(
                paths::WORKFLOWS,
                "Add the workflows the mailbox will send or receive",
            ));
        }
        if self.file_size.is_none() {
            missing.push(FieldError::new(
                paths::FILE_SIZE,
                "Select the size of the largest file",
            ));
        }
        if self.contact.is_none() {
            missing.push(FieldError::new(
                paths::CONTACT,
                "Enter the details of the person who will manage the mailbox",
            ));
        }
        missing
    }
}

/// Longest person's name accepted.
pub const NAME_MAX_CHARS: usize = 100;

fn ods_code(text: &str) -> Result<(), ValidationError> {
    rule(OdsCode::parse(text))
}

fn optional_ods_code(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    rule(OdsCode::parse(text))
}

fn contact_name(text: &str) -> Result<(), ValidationError> {
    rule(free_text(text, "Full name", NAME_MAX_CHARS, true, false))
}

pub(crate) fn nhs_email(text: &str) -> Result<(), ValidationError> {
    rule(NhsEmail::parse(text))
}

fn phone(text: &str) -> Result<(), ValidationError> {
    rule(UkPhoneNumber::parse(text))
}

/// The organisation question: whose mailbox it is, and who manages it if someone else does.
#[derive(Debug, Clone, Validate)]
pub struct OrganisationForm {
    #[validate(custom(function = "ods_code"))]
    pub ods_code: String,
    #[validate(custom(function = "optional_ods_code"))]
    pub third_party_ods_code: String,
}

impl FormDto for OrganisationForm {
    const FIELDS: &'static [&'static str] = &["ods_code", "third_party_ods_code"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            ods_code: values.get("ods_code").to_owned(),
            third_party_ods_code: values.get("third_party_ods_code").to_owned(),
        }
    }
}

impl OrganisationForm {
    /// The codes, once checked (`None` before).
    pub fn codes(&self) -> Option<(OdsCode, Option<OdsCode>)> {
        let own = OdsCode::parse(&self.ods_code).ok()?;
        Some((own, OdsCode::parse(&self.third_party_ods_code).ok()))
    }
}

fn environments(values: &[String]) -> Result<(), ValidationError> {
    if values.is_empty() {
        return rule::<(), _>(Err("Select at least one environment"));
    }
    if values.iter().any(|v| Environment::parse(v).is_none()) {
        return rule::<(), _>(Err("Select environments from the list"));
    }
    Ok(())
}

/// The environment question: one mailbox per environment ticked.
#[derive(Debug, Clone, Validate)]
pub struct EnvironmentForm {
    #[validate(custom(function = "environments"))]
    pub environments: Vec<String>,
}

impl FormDto for EnvironmentForm {
    const FIELDS: &'static [&'static str] = &["environments"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            environments: values
                .all("environments")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

impl EnvironmentForm {
    /// The environments ticked, once checked: in a fixed order, each once.
    pub fn environments(&self) -> Vec<Environment> {
        let mut chosen: Vec<Environment> = self
            .environments
            .iter()
            .filter_map(|v| Environment::parse(v))
            .collect();
        chosen.sort();
        chosen.dedup();
        chosen
    }
}

fn file_size(text: &str) -> Result<(), ValidationError> {
    rule(FileSize::parse(text).ok_or("Select the size of the largest file"))
}

/// The file size question.
#[derive(Debug, Clone, Validate)]
pub struct FileSizeForm {
    #[validate(custom(function = "file_size"))]
    pub file_size: String,
}

impl FormDto for FileSizeForm {
    const FIELDS: &'static [&'static str] = &["file_size"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            file_size: values.get("file_size").to_owned(),
        }
    }
}

/// The mailbox manager's contact details.
#[derive(Debug, Clone, Validate)]
pub struct ContactForm {
    #[validate(custom(function = "contact_name"))]
    pub contact_name: String,
    #[validate(custom(function = "nhs_email"))]
    pub contact_email: String,
    #[validate(custom(function = "phone"))]
    pub contact_phone: String,
}

impl FormDto for ContactForm {
    const FIELDS: &'static [&'static str] = &["contact_name", "contact_email", "contact_phone"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            contact_name: values.get("contact_name").to_owned(),
            contact_email: values.get("contact_email").to_owned(),
            contact_phone: values.get("contact_phone").to_owned(),
        }
    }
}

impl ContactForm {
    /// The details as stored, once checked: trimmed name, lower-case email, national number.
    pub fn contact(&self) -> Contact {
        Contact {
            name: free_text(&self.contact_name, "Full name", NAME_MAX_CHARS, true, false)
                .unwrap_or_default(),
            email: NhsEmail::parse(&self.contact_email)
                .map(String::from)
                .unwrap_or_default(),
            phone: UkPhoneNumber::parse(&self.contact_phone)
                .map(String::from)
                .unwrap_or_default(),
        }
    }
}

fn declaration(text: &str) -> Result<(), ValidationError> {
    rule(if text == "confirmed" {
        Ok(())
    } else {
        Err("Confirm that the application contains no patient data")
    })
}

/// The declaration at the end of check your answers.
#[derive(Debug, Clone, Validate)]
pub struct DeclarationForm {
    #[validate(custom(function = "declaration"))]
    pub declaration: String,
}

impl FormDto for DeclarationForm {
    const FIELDS: &'static [&'static str] = &["declaration"];
    fn from_values(values: &FormValues) -> Self {
        Self {
            declaration: values.get("declaration").to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

    #[test]
    fn checks_the_organisation_question() {
        assert!(messages::<OrganisationForm>(&[("ods_code", "x26")]).is_empty());
        assert!(
            messages::<OrganisationForm>(&[("ods_code", "X26"), ("third_party_ods_code", "RR8")])
                .is_empty()
        );
        let cases: [Case; 4] = [
            (&[], &[("ods_code", "Enter an ODS code")]),
            (
                &[("ods_code", "X2")],
                &[("ods_code", "ODS code must be 3 to 10 characters")],
            ),
            (
                &[("ods_code", "<b>X26</b>")],
                &[("ods_code", "ODS code must only include letters and numbers")],
            ),
            (
                &[("ods_code", "X26"), ("third_party_ods_code", "R R8")],
                &[(
                    "third_party_ods_code",
                    "ODS code must only include letters and numbers",
                )],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                messages::<OrganisationForm>(input),
                pairs(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn checks_the_environment_question() {
        let form = EnvironmentForm::check(&values(&[
            ("environments", "integration"),
            ("environments", "live"),
            ("environments", "live"),
        ]))
        .unwrap();
        assert_eq!(
            form.environments(),
            [Environment::Live, Environment::Integration]
        );
        assert_eq!(
            messages::<EnvironmentForm>(&[]),
            pairs(&[("environments", "Select at least one environment")])
        );
        assert_eq!(
            messages::<EnvironmentForm>(&[("environments", "production")]),
            pairs(&[("environments", "Select environments from the list")])
        );
    }

    #[test]
    fn checks_the_file_size_and_declaration() {
        assert!(messages::<FileSizeForm>(&[("file_size", "up_to_50mb")]).is_empty());
        for bad in ["", "50", "UP_TO_50MB"] {
            assert_eq!(
                messages::<FileSizeForm>(&[("file_size", bad)]),
                pairs(&[("file_size", "Select the size of the largest file")])
            );
        }
        assert!(messages::<DeclarationForm>(&[("declaration", "confirmed")]).is_empty());
        assert_eq!(
            messages::<DeclarationForm>(&[]),
            pairs(&[(
                "declaration",
                "Confirm that the application contains no patient data"
            )])
        );
    }

    #[test]
    fn checks_the_contact_question_and_stores_clean_values() {
        let form = ContactForm::check(&values(&[
            ("contact_name", "  Sam Jones "),
            ("contact_email", "Sam.Jones@NHS.net"),
            ("contact_phone", "+44 113 496 0000"),
        ]))
        .unwrap();
        assert_eq!(
            form.contact(),
            Contact {
                name: "Sam Jones".into(),
                email: "sam.jones@nhs.net".into(),
                phone: "01134960000".into()
            }
        );
        let long_name = "a".repeat(NAME_MAX_CHARS + 1);
        let cases: [Case; 3] = [
            (
                &[],
                &[
                    ("contact_name", "Enter full name"),
                    ("contact_email", "Enter an email address"),
                    ("contact_phone", "Enter a telephone number"),
                ],
            ),
            (
                &[
                    ("contact_name", &long_name),
                    ("contact_email", "sam@gmail.com"),
                    ("contact_phone", "12345"),
                ],
                &[
                    ("contact_name", "Full name must be 100 characters or fewer"),
                    (
                        "contact_email",
                        "Email address must end in @nhs.net, @nhs.uk or @gov.uk",
                    ),
                    (
                        "contact_phone",
                        "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
                    ),
                ],
            ),
            (
                &[
                    ("contact_name", "Sam\u{0}Jones"),
                    ("contact_email", "sam@mft.nhs.uk"),
                    ("contact_phone", "0113 496 0000"),
                ],
                &[(
                    "contact_name",
                    "Full name must not contain control characters",
                )],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(messages::<ContactForm>(input), pairs(expected), "{input:?}");
        }
    }

    #[test]
    fn lists_what_is_missing_with_links_to_the_questions() {
        let missing = MailboxDraft::default().missing();
        let links: Vec<&str> = missing.iter().map(|e| e.field_id.as_str()).collect();
        assert_eq!(
            links,
            [
                paths::ORGANISATION,
                paths::ENVIRONMENT,
                paths::WORKFLOWS,
                paths::FILE_SIZE,
                paths::CONTACT
            ]
        );
    }
}
