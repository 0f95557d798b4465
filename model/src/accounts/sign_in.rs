//! The sign-in and set-up pages' forms and what the pages show: shared by the server, which
//! checks every form again, and the browser, which shows the same messages at once.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::{Pin, Role, SecondFactor};
use crate::common::AccessRoute;
use crate::forms::{FormDto, FormValues, rule};

/// The pages of signing in, setting up and signing out.
pub mod paths {
    pub const SIGN_IN: &str = "/sign-in";
    pub const METHOD: &str = "/sign-in/method";
    pub const PIN: &str = "/sign-in/pin";
    pub const CODE: &str = "/sign-in/code";
    pub const SET_UP_COMPLETE: &str = "/sign-in/set-up-complete";
    pub const SIGN_OUT: &str = "/sign-out";
    pub const ACTIVATE: &str = "/activate";
    pub const SERVICE_DESK: &str = "/service-desk";
    pub const MAILBOXES: &str = "/mailboxes";

    /// The set-up page of a link.
    pub fn activate(token: &str) -> String {
        format!("{ACTIVATE}/{token}")
    }

    /// The authenticator app step of a link's set-up.
    pub fn activate_app(token: &str) -> String {
        format!("{ACTIVATE}/{token}/app")
    }

    /// A mailbox's page.
    pub fn mailbox(mailbox_id: &str) -> String {
        format!("{MAILBOXES}/{mailbox_id}")
    }
}

/// The login method: PIN and security code, or (where the service is registered with it) NHS Care
/// Identity: a smartcard over HSCN, an authenticator app over the internet.
pub const METHOD_PIN: &str = "pin";
pub const METHOD_CARE_IDENTITY: &str = "care_identity";

/// The second factor chosen at set-up, as the radio buttons send it.
pub const FACTOR_APP: &str = "app";
pub const FACTOR_EMAIL: &str = "email";

/// The button that asks for a new emailed code instead of sending one.
pub const RESEND_CODE: &str = "resend_code";

/// Longest email address or PIN read from the sign-in form; anything longer is not a person.
const TYPED_MAX_CHARS: usize = 254;

/// The first set-up page: a new PIN, typed twice, and the second factor.
#[derive(Clone, Validate)]
#[validate(schema(function = "pins_match", skip_on_field_errors = true))]
pub struct SetUpForm {
    #[validate(custom(function = "new_pin"))]
    pub pin: String,
    #[validate(length(min = 1, message = "Enter your PIN again"))]
    pub pin_confirmation: String,
    #[validate(custom(function = "factor"))]
    pub factor: String,
}

fn new_pin(text: &str) -> Result<(), ValidationError> {
    rule(Pin::parse(text))
}

fn factor(text: &str) -> Result<(), ValidationError> {
    rule(match text {
        FACTOR_APP | FACTOR_EMAIL => Ok(()),
        _ => Err("Select how you want to get security codes"),
    })
}

fn pins_match(form: &SetUpForm) -> Result<(), ValidationError> {
    if form.pin.trim() == form.pin_confirmation.trim() {
        Ok(())
    } else {
        Err(ValidationError::new("pin_confirmation")
            .with_message("The PINs do not match. Enter the same PIN twice".into()))
    }
}

impl std::fmt::Debug for SetUpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetUpForm")
            .field("pin", &"redacted")
            .field("pin_confirmation", &"redacted")
            .field("factor", &self.factor)
            .finish()
    }
}

impl FormDto for SetUpForm {
    const FIELDS: &'static [&'static str] = &["pin", "pin_confirmation", "factor"];
    const SCHEMA_FIELD: Option<&'static str> = Some("pin_confirmation");

    fn from_values(values: &FormValues) -> Self {
        Self {
            pin: values.get("pin").to_owned(),
            pin_confirmation: values.get("pin_confirmation").to_owned(),
            factor: values.get("factor").to_owned(),
        }
    }
}

impl SetUpForm {
    /// The PIN, once the form has passed its check.
    pub fn pin(&self) -> Pin {
        Pin::parse(&self.pin).expect("checked by the form's rules")
    }

    pub fn wants_app(&self) -> bool {
        self.factor == FACTOR_APP
    }
}

/// The login method page.
#[derive(Debug, Clone, Validate)]
pub struct MethodForm {
    #[validate(custom(function = "method"))]
    pub method: String,
}

fn method(text: &str) -> Result<(), ValidationError> {
    rule(match text {
        METHOD_PIN | METHOD_CARE_IDENTITY => Ok(()),
        _ => Err("Select how you want to log in"),
    })
}

impl FormDto for MethodForm {
    const FIELDS: &'static [&'static str] = &["method"];

    fn from_values(values: &FormValues) -> Self {
        Self {
            method: values.get("method").to_owned(),
        }
    }
}

/// Email address and PIN. Only presence is checked here: the PIN rules are for new PINs, and
/// saying more about a wrong one would help a guesser.
#[derive(Clone, Validate)]
pub struct PinForm {
    #[validate(length(
        min = 1,
        max = 254,
        message = "Enter your work email address, like name@nhs.net"
    ))]
    pub email: String,
    #[validate(length(min = 1, max = 254, message = "Enter your PIN"))]
    pub pin: String,
}

impl std::fmt::Debug for PinForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinForm")
            .field("email", &self.email)
            .field("pin", &"redacted")
            .finish()
    }
}

impl FormDto for PinForm {
    const FIELDS: &'static [&'static str] = &["email", "pin"];

    fn from_values(values: &FormValues) -> Self {
        let short = |name: &str| {
            let text = values.get(name).trim();
            text.chars().take(TYPED_MAX_CHARS + 1).collect::<String>()
        };
        Self {
            email: short("email"),
            pin: short("pin"),
        }
    }
}

/// A 6-digit security code, from an app or an email. Spaces typed between the digits are
/// dropped (apps show the code in two groups of three).
#[derive(Clone, Validate)]
pub struct CodeForm {
    #[validate(custom(function = "six_digits"))]
    pub code: String,
}

fn six_digits(text: &str) -> Result<(), ValidationError> {
    rule(if text.is_empty() {
        Err("Enter the security code")
    } else if !text.chars().all(|c| c.is_ascii_digit()) {
        Err("Security code must only include numbers")
    } else if text.len() != 6 {
        Err("Security code must be 6 numbers")
    } else {
        Ok(())
    })
}

impl std::fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeForm")
            .field("code", &"redacted")
            .finish()
    }
}

impl FormDto for CodeForm {
    const FIELDS: &'static [&'static str] = &["code"];

    fn from_values(values: &FormValues) -> Self {
        Self {
            code: values
                .get("code")
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .take(20)
                .collect(),
        }
    }
}

/// Who is looking at a page: the access route of this request, and the signed-in person if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    pub route: AccessRoute,
    pub user: Option<UserSummary>,
}

/// A signed-in person, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub name: String,
    pub role: Role,
    /// Where "home" is for them: their mailbox, their mailboxes, or the service desk.
    pub home: String,
}

/// What the login method page offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    pub route: AccessRoute,
    /// "Log in with my Care Identity": where the service is registered with CIS2.
    pub care_identity: bool,
}

/// The security code page: which kind of code, and where an emailed one went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeStep {
    /// No PIN accepted in the last ten minutes on this route: start again.
    Missing,
    App,
    /// An emailed code, sent to this (partly hidden) address.
    Email {
        sent_to: String,
    },
}

/// The first set-up page: who the link is for and what the route allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUpView {
    pub name: String,
    pub email: String,
    /// Emailed codes are offered over HSCN only.
    pub email_codes_allowed: bool,
    pub route: AccessRoute,
}

/// The authenticator app step: the QR code (SVG drawn on the server) and the key to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppStepView {
    pub name: String,
    pub qr_svg: String,
    pub key_groups: String,
}

/// `ada.lovelace@nhs.net` → `a••••••••••e@nhs.net`: enough to recognise, not to read.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.split_once('@') else {
        return "your email address".to_owned();
    };
    let chars: Vec<char> = local.chars().collect();
    let hidden = match chars.len() {
        0 => String::new(),
        1 | 2 => "•".repeat(chars.len()),
        n => format!("{}{}{}", chars[0], "•".repeat(n - 2), chars[n - 1]),
    };
    format!("{hidden}@{domain}")
}

/// Where a person goes after signing in.
pub fn home_path(role: Role, mailboxes: &[String]) -> String {
    match (role, mailboxes) {
        (r, _) if r.is_staff() => paths::SERVICE_DESK.to_owned(),
        (_, [only]) => paths::mailbox(only),
        _ => paths::MAILBOXES.to_owned(),
    }
}

/// The factor's words on the code page.
pub fn code_heading(factor: SecondFactor) -> &'static str {
    match factor {
        SecondFactor::Totp => "Enter the security code from your authenticator app",
        SecondFactor::Email => "Enter the security code we emailed you",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::{messages, pairs};

    #[test]
    fn set_up_needs_a_good_pin_twice_and_a_factor() {
        let cases: &[crate::forms::testing::Case] = &[
            (
                &[],
                &[
                    ("pin", "Enter a PIN"),
                    ("pin_confirmation", "Enter your PIN again"),
                    ("factor", "Select how you want to get security codes"),
                ],
            ),
            (
                &[
                    ("pin", "111111"),
                    ("pin_confirmation", "111111"),
                    ("factor", "app"),
                ],
                &[("pin", "PIN must not be the same number repeated")],
            ),
            (
                &[
                    ("pin", "482913"),
                    ("pin_confirmation", "482914"),
                    ("factor", "app"),
                ],
                &[(
                    "pin_confirmation",
                    "The PINs do not match. Enter the same PIN twice",
                )],
            ),
            (
                &[
                    ("pin", "482913"),
                    ("pin_confirmation", "482913"),
                    ("factor", "sms"),
                ],
                &[("factor", "Select how you want to get security codes")],
            ),
            (
                &[
                    ("pin", "482913"),
                    ("pin_confirmation", "482913"),
                    ("factor", "email"),
                ],
                &[],
            ),
        ];
        for (form, expected) in cases {
            assert_eq!(messages::<SetUpForm>(form), pairs(expected), "{form:?}");
        }
    }

    #[test]
    fn codes_are_six_digits_with_spaces_allowed() {
        assert_eq!(messages::<CodeForm>(&[("code", "123 456")]), pairs(&[]));
        assert_eq!(messages::<CodeForm>(&[("code", "123-456")]), pairs(&[]));
        assert_eq!(
            messages::<CodeForm>(&[("code", "")]),
            pairs(&[("code", "Enter the security code")])
        );
        assert_eq!(
            messages::<CodeForm>(&[("code", "12a456")]),
            pairs(&[("code", "Security code must only include numbers")])
        );
        assert_eq!(
            messages::<CodeForm>(&[("code", "12345")]),
            pairs(&[("code", "Security code must be 6 numbers")])
        );
    }

    #[test]
    fn sign_in_asks_for_both_fields_without_judging_the_pin() {
        assert_eq!(
            messages::<PinForm>(&[]),
            pairs(&[
                ("email", "Enter your work email address, like name@nhs.net"),
                ("pin", "Enter your PIN"),
            ])
        );
        assert_eq!(
            messages::<PinForm>(&[("email", "a@nhs.net"), ("pin", "111111")]),
            pairs(&[])
        );
        assert_eq!(
            messages::<MethodForm>(&[("method", "magic")]),
            pairs(&[("method", "Select how you want to log in")])
        );
    }

    #[test]
    fn debug_output_never_shows_a_pin_or_code() {
        use crate::forms::testing::values;
        let set_up = SetUpForm::from_values(&values(&[
            ("pin", "482913"),
            ("pin_confirmation", "482913"),
            ("factor", "app"),
        ]));
        let pin = PinForm::from_values(&values(&[("email", "a@nhs.net"), ("pin", "482913")]));
        let code = CodeForm::from_values(&values(&[("code", "654321")]));
        for debug in [
            format!("{set_up:?}"),
            format!("{pin:?}"),
            format!("{code:?}"),
        ] {
            assert!(debug.contains("redacted"), "{debug}");
            assert!(
                !debug.contains("482913") && !debug.contains("654321"),
                "{debug}"
            );
        }
    }

    #[test]
    fn masks_the_middle_of_an_address() {
        assert_eq!(mask_email("ada.lovelace@nhs.net"), "a••••••••••e@nhs.net");
        assert_eq!(mask_email("jo@nhs.net"), "••@nhs.net");
        assert_eq!(mask_email("nonsense"), "your email address");
    }

    #[test]
    fn staff_go_to_the_service_desk_and_users_to_their_mailbox() {
        assert_eq!(home_path(Role::Admin, &[]), "/service-desk");
        assert_eq!(
            home_path(Role::ServiceDesk, &["X26OT001".into()]),
            "/service-desk"
        );
        assert_eq!(
            home_path(Role::MailboxUser, &["X26OT001".into()]),
            "/mailboxes/X26OT001"
        );
        assert_eq!(
            home_path(Role::MailboxUser, &["A".into(), "B".into()]),
            "/mailboxes"
        );
        assert_eq!(home_path(Role::MailboxUser, &[]), "/mailboxes");
    }
}
