//! Rules for what applicants type: telephone numbers and free text.

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
