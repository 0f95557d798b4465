//! A request for a new workflow ID: one page, checked whole.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::free_text;
use super::mailbox::{NAME_MAX_CHARS, nhs_email};
use crate::accounts::NhsEmail;
use crate::catalogue::WorkflowId;
use crate::forms::{FieldError, FormDto, FormValues, rule};

pub mod paths {
    pub const REQUEST: &str = "/workflows/request";
    pub const CONFIRMATION: &str = "/workflows/request/confirmation";
}

/// The value of the group choice that means "a new group".
pub const NEW_GROUP: &str = "new";

pub const GROUP_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 500;
pub const ORGANISATIONS_MAX_CHARS: usize = 500;

fn proposed_id(text: &str) -> Result<(), ValidationError> {
    rule(WorkflowId::parse(text.trim()))
}

fn group(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Workflow group",
        GROUP_MAX_CHARS,
        true,
        false,
    ))
    .map_err(|_| {
        ValidationError::new("rule").with_message("Select a workflow group, or a new group".into())
    })
}

fn description(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Description",
        DESCRIPTION_MAX_CHARS,
        true,
        true,
    ))
}

fn senders(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Sending organisations",
        ORGANISATIONS_MAX_CHARS,
        true,
        true,
    ))
}

fn receivers(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Receiving organisations",
        ORGANISATIONS_MAX_CHARS,
        true,
        true,
    ))
}

fn requester_name(text: &str) -> Result<(), ValidationError> {
    rule(free_text(text, "Your name", NAME_MAX_CHARS, true, false))
}

/// The whole request form.
#[derive(Debug, Clone, Validate)]
pub struct WorkflowRequestForm {
    #[validate(custom(function = "proposed_id"))]
    pub proposed_id: String,
    #[validate(custom(function = "group"))]
    pub group: String,
    pub new_group: String,
    #[validate(custom(function = "description"))]
    pub description: String,
    #[validate(custom(function = "senders"))]
    pub sending_organisations: String,
    #[validate(custom(function = "receivers"))]
    pub receiving_organisations: String,
    #[validate(custom(function = "requester_name"))]
    pub requester_name: String,
    #[validate(custom(function = "nhs_email"))]
    pub requester_email: String,
}

/// A checked request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRequest {
    pub proposed_id: String,
    pub group_name: String,
    pub new_group: bool,
    pub description: String,
    pub sending_organisations: String,
    pub receiving_organisations: String,
    pub requester_name: String,
    pub requester_email: String,
}

impl FormDto for WorkflowRequestForm {
    const FIELDS: &'static [&'static str] = &[
        "proposed_id",
        "group",
        "new_group",
        "description",
        "sending_organisations",
        "receiving_organisations",
        "requester_name",
        "requester_email",
    ];

    fn from_values(values: &FormValues) -> Self {
        let get = |name: &str| values.get(name).to_owned();
        Self {
            proposed_id: get("proposed_id"),
            group: get("group"),
            new_group: get("new_group"),
            description: get("description"),
            sending_organisations: get("sending_organisations"),
            receiving_organisations: get("receiving_organisations"),
            requester_name: get("requester_name"),
            requester_email: get("requester_email"),
        }
    }

    /// The field rules, and a name for the new group when "a new group" is chosen.
    fn check(values: &FormValues) -> Result<Self, Vec<FieldError>> {
        let form = Self::from_values(values);
        let mut errors = match form.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => crate::forms::field_errors(&errors, Self::FIELDS),
        };
        if form.group == NEW_GROUP
            && let Err(message) = free_text(
                &form.new_group,
                "Name of the new group",
                GROUP_MAX_CHARS,
                true,
                false,
            )
        {
            let at = errors
                .iter()
                .position(|e| e.field_id != "proposed_id" && e.field_id != "group")
                .unwrap_or(errors.len());
            errors.insert(at, FieldError::new("new_group", message));
        }
        if errors.is_empty() {
            Ok(form)
        } else {
            Err(errors)
        }
    }
}

impl WorkflowRequestForm {
    /// The request as stored, once checked.
    pub fn request(&self) -> WorkflowRequest {
        let text = |t: &str, max: usize, multi: bool| {
            free_text(t, "Text", max, true, multi).unwrap_or_default()
        };
        let new_group = self.group == NEW_GROUP;
        WorkflowRequest {
            proposed_id: self.proposed_id.trim().to_owned(),
            group_name: if new_group {
                text(&self.new_group, GROUP_MAX_CHARS, false)
            } else {
                text(&self.group, GROUP_MAX_CHARS, false)
            },
            new_group,
            description: text(&self.description, DESCRIPTION_MAX_CHARS, true),
            sending_organisations: text(&self.sending_organisations, ORGANISATIONS_MAX_CHARS, true),
            receiving_organisations: text(
                &self.receiving_organisations,
                ORGANISATIONS_MAX_CHARS,
                true,
            ),
            requester_name: text(&self.requester_name, NAME_MAX_CHARS, false),
            requester_email: NhsEmail::parse(&self.requester_email)
                .map(String::from)
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

    const GOOD: [(&str, &str); 7] = [
        ("proposed_id", "WOUND_CARE_PHOTO"),
        ("group", "Community"),
        (
            "description",
            "Photographs of wounds sent to the tissue viability team",
        ),
        ("sending_organisations", "District nursing teams"),
        ("receiving_organisations", "Tissue viability services"),
        ("requester_name", "Ada Lovelace"),
        ("requester_email", "ada@nhs.net"),
    ];

    #[test]
    fn accepts_a_complete_request_in_an_existing_or_a_new_group() {
        let request = WorkflowRequestForm::check(&values(&GOOD))
            .unwrap()
            .request();
        assert_eq!(request.group_name, "Community");
        assert!(!request.new_group);
        let mut new_group = GOOD.to_vec();
        new_group[1] = ("group", NEW_GROUP);
        new_group.push(("new_group", "Tissue viability"));
        let request = WorkflowRequestForm::check(&values(&new_group))
            .unwrap()
            .request();
        assert_eq!(request.group_name, "Tissue viability");
        assert!(request.new_group);
    }

    #[test]
    fn says_what_is_wrong_with_each_field() {
        let cases: [(&str, &str, &str, &str); 5] = [
            (
                "proposed_id",
                "wound care",
                "proposed_id",
                "Workflow ID must not contain spaces",
            ),
            (
                "group",
                "",
                "group",
                "Select a workflow group, or a new group",
            ),
            (
                "group",
                NEW_GROUP,
                "new_group",
                "Enter name of the new group",
            ),
            (
                "description",
                "<script>\u{7}</script>",
                "description",
                "Description must not contain control characters",
            ),
            (
                "requester_email",
                "ada@example.com",
                "requester_email",
                "Email address must end in @nhs.net, @nhs.uk or @gov.uk",
            ),
        ];
        for (field, value, error_field, message) in cases {
            let mut input = GOOD.to_vec();
            input.retain(|(n, _)| *n != field);
            input.push((field, value));
            let errors = WorkflowRequestForm::check(&values(&input)).unwrap_err();
            assert_eq!(
                errors,
                vec![FieldError::new(error_field, message)],
                "{field}={value:?}"
            );
        }
    }
}
