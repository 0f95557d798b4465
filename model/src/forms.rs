//! What a form sends and what is wrong with it: the pieces every question page shares.
//!
//! A form arrives as [`FormValues`] (the name/value pairs a browser posts, in order). Each page's
//! DTO reads the pairs it knows, and checks itself with `validator` rules that call the domain
//! newtypes' `parse`, so the browser and the server run the same code. Problems come back as
//! [`FieldError`]s in the order the fields appear on the page.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors};

/// Most name/value pairs a form may send; more is not a person using a page.
pub const MAX_FORM_PAIRS: usize = 200;

/// The names of fields that hold secrets: never stored in a draft, never sent back to a page.
pub const SECRET_FIELDS: [&str; 3] = ["pin", "pin_confirmation", "code"];

/// One problem with what was typed, linked to the field (by its `id`) that must change. A
/// `field_id` starting with `/` is a page instead (the check-answers page links to the question).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field_id: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field_id: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field_id: field_id.into(),
            message: message.into(),
        }
    }

    /// Where the error summary's link goes.
    pub fn href(&self) -> String {
        if self.field_id.starts_with('/') {
            self.field_id.clone()
        } else {
            format!("#{}", self.field_id)
        }
    }
}

/// The name/value pairs of a submitted form, in the order the browser sent them. Its `Debug`
/// hides the values of [`SECRET_FIELDS`].
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValues(pub Vec<(String, String)>);

impl std::fmt::Debug for FormValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, value)| {
                let shown = if SECRET_FIELDS.contains(&name.as_str()) {
                    "redacted"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            }))
            .finish()
    }
}

impl FormValues {
    /// The first value sent under `name`, or `""`.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Every value sent under `name` (ticked checkboxes), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The pairs without PINs and passcodes, so that a refused form shown again (and the data
    /// sent with the page for hydration) never carries them.
    pub fn without_secrets(&self) -> Self {
        Self(
            self.0
                .iter()
                .filter(|(name, _)| !SECRET_FIELDS.contains(&name.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// Whether a ticked checkbox `name` sent `value`.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.all(name).contains(&value)
    }
}

/// A submitted form that was refused: what was sent (so the page shows it again) and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    pub values: FormValues,
    pub errors: Vec<FieldError>,
}

impl FormState {
    /// The message for `field`, if it has one.
    pub fn error_for(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field_id == field)
            .map(|e| e.message.clone())
    }
}

/// A form's fields as a DTO: read from the posted pairs, then checked with its `validator` rules.
pub trait FormDto: Validate + Sized {
    /// The fields in page order (the error summary lists problems in this order).
    const FIELDS: &'static [&'static str];

    /// Where a rule on the whole form (a schema rule, such as "the PINs match") shows its message.
    const SCHEMA_FIELD: Option<&'static str> = None;

    fn from_values(values: &FormValues) -> Self;

    /// Reads and checks a form in one step.
    fn check(values: &FormValues) -> Result<Self, Vec<FieldError>> {
        let dto = Self::from_values(values);
        match dto.validate() {
            Ok(()) => Ok(dto),
            Err(errors) => {
                let mut found = field_errors(&errors, Self::FIELDS);
                if let Some(field) = Self::SCHEMA_FIELD {
                    found.extend(schema_errors(&errors, field));
                }
                Err(found)
            }
        }
    }
}

/// Turns a domain rule's result into a `validator` result whose message is the rule's own words.
pub fn rule<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<(), ValidationError> {
    result.map(|_| ()).map_err(|error| {
        ValidationError::new("rule").with_message(std::borrow::Cow::Owned(error.to_string()))
    })
}

/// The first message of each field in error, in the order of `order`.
pub fn field_errors(errors: &ValidationErrors, order: &[&str]) -> Vec<FieldError> {
    let by_field = errors.field_errors();
    order
        .iter()
        .filter_map(|field| {
            let first = by_field.get(*field)?.first()?;
            let message = first
                .message
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| format!("Check {field}"));
            Some(FieldError::new(*field, message))
        })
        .collect()
}

/// The messages of rules on the whole form (`validator`'s schema rules), shown at `field`.
pub fn schema_errors(errors: &ValidationErrors, field: &str) -> Vec<FieldError> {
    match errors.errors().get("__all__") {
        Some(validator::ValidationErrorsKind::Field(list)) => list
            .iter()
            .take(1)
            .map(|e| {
                FieldError::new(
                    field,
                    e.message
                        .as_deref()
                        .unwrap_or("Check your answers")
                        .to_owned(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Helpers for the form DTOs' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{FormDto, FormValues};

    /// A form's pairs, and the (field, message) pairs expected.
    pub type Case<'a> = (&'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)]);

    pub fn values(pairs: &[(&str, &str)]) -> FormValues {
        FormValues(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The (field, message) pairs a form's check gives; empty when it passes.
    pub fn messages<T: FormDto>(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        match T::check(&values(pairs)) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| (e.field_id, e.message))
                .collect(),
        }
    }

    pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Validate)]
    struct Example {
        #[validate(custom(function = "odd"))]
        first: String,
        #[validate(custom(function = "odd"))]
        second: String,
    }

    fn odd(text: &str) -> Result<(), ValidationError> {
        rule(if text.len() % 2 == 1 {
            Ok(())
        } else {
            Err(format!("{text:?} has an even length"))
        })
    }

    impl FormDto for Example {
        const FIELDS: &'static [&'static str] = &["first", "second"];
        fn from_values(values: &FormValues) -> Self {
            Self {
                first: values.get("first").to_owned(),
                second: values.get("second").to_owned(),
            }
        }
    }

    #[test]
    fn lists_problems_in_page_order_with_the_rules_words() {
        let values = FormValues(vec![
            ("second".into(), "ab".into()),
            ("first".into(), "".into()),
        ]);
        let errors = Example::check(&values).err().unwrap();
        assert_eq!(
            errors,
            vec![
                FieldError::new("first", "\"\" has an even length"),
                FieldError::new("second", "\"ab\" has an even length"),
            ]
        );
    }

    #[test]
    fn drops_pins_and_codes_from_a_form_shown_again() {
        let values = FormValues(vec![
            ("email".into(), "a@nhs.net".into()),
            ("pin".into(), "482913".into()),
            ("pin_confirmation".into(), "482913".into()),
            ("code".into(), "123456".into()),
        ]);
        assert_eq!(
            values.without_secrets(),
            FormValues(vec![("email".into(), "a@nhs.net".into())])
        );
        let debug = format!("{values:?}");
        assert!(debug.contains("a@nhs.net"));
        assert!(
            !debug.contains("482913") && !debug.contains("123456"),
            "{debug}"
        );
    }

    #[test]
    fn reads_repeated_names_as_ticked_checkboxes() {
        let values = FormValues(vec![
            ("env".into(), "live".into()),
            ("x".into(), "1".into()),
            ("env".into(), "integration".into()),
        ]);
        assert_eq!(values.all("env"), ["live", "integration"]);
        assert!(values.has("env", "integration"));
        assert_eq!(values.get("missing"), "");
        assert_eq!(FieldError::new("/apply/x", "m").href(), "/apply/x");
        assert_eq!(FieldError::new("name", "m").href(), "#name");
    }
}
