//! The service desk's care of the workflow ID catalogue: the form that adds or edits an entry,
//! and what its pages show. Entries are never deleted: a retired one stays listed as retired, so
//! that people who meet its ID in old messages can still look it up.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::applications::free_text;
use crate::applications::workflow_request::{DESCRIPTION_MAX_CHARS, GROUP_MAX_CHARS};
use crate::catalogue::{WorkflowId, WorkflowSummary};
use crate::forms::{FormDto, FormValues, rule};

/// Longest "who sends and who receives" text.
pub const DIRECTION_MAX_CHARS: usize = 200;
/// Entries the list shows at most.
pub const LIST_LIMIT: usize = 200;

fn workflow_id(text: &str) -> Result<(), ValidationError> {
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
}

fn description(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Description",
        DESCRIPTION_MAX_CHARS,
        true,
        false,
    ))
}

fn direction(text: &str) -> Result<(), ValidationError> {
    rule(free_text(
        text,
        "Who sends and who receives",
        DIRECTION_MAX_CHARS,
        false,
        false,
    ))
}

fn ack_of(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    rule(WorkflowId::parse(text.trim())).map_err(|_| {
        ValidationError::new("rule").with_message(
            "The workflow it acknowledges must be a workflow ID, like AMB_FALLS_REFERRAL".into(),
        )
    })
}

/// The add and edit form of a catalogue entry. On the edit page the ID is fixed (sent as the
/// page's own).
#[derive(Debug, Clone, Validate)]
pub struct WorkflowForm {
    #[validate(custom(function = "workflow_id"))]
    pub workflow_id: String,
    #[validate(custom(function = "group"))]
    pub group: String,
    #[validate(custom(function = "description"))]
    pub description: String,
    #[validate(custom(function = "direction"))]
    pub direction: String,
    #[validate(custom(function = "ack_of"))]
    pub ack_of: String,
    pub hscn_only: bool,
    pub test_first: bool,
}

impl FormDto for WorkflowForm {
    const FIELDS: &'static [&'static str] = &[
        "workflow_id",
        "group",
        "description",
        "direction",
        "ack_of",
        "rules",
    ];

    fn from_values(values: &FormValues) -> Self {
        let get = |name: &str| values.get(name).to_owned();
        Self {
            workflow_id: get("workflow_id"),
            group: get("group"),
            description: get("description"),
            direction: get("direction"),
            ack_of: get("ack_of"),
            hscn_only: values.has("rules", "hscn_only"),
            test_first: values.has("rules", "test_first"),
        }
    }
}

/// A checked catalogue entry, as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowEntry {
    pub workflow_id: String,
    pub group: String,
    pub description: String,
    pub direction: String,
    pub ack_of: Option<String>,
    pub hscn_only: bool,
    pub test_first: bool,
}

impl WorkflowForm {
    /// The entry, once the form has passed its check: text trimmed, an empty "acknowledges"
    /// as none.
    pub fn entry(&self) -> WorkflowEntry {
        let text = |t: &str| t.trim().to_owned();
        WorkflowEntry {
            workflow_id: text(&self.workflow_id),
            group: text(&self.group),
            description: text(&self.description),
            direction: text(&self.direction),
            ack_of: Some(text(&self.ack_of)).filter(|a| !a.is_empty()),
            hscn_only: self.hscn_only,
            test_first: self.test_first,
        }
    }
}

/// The list page at the service desk: every entry that matches, retired ones too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowList {
    pub q: String,
    pub items: Vec<WorkflowSummary>,
    pub more: bool,
    pub retired: usize,
}

/// An entry's edit page, and the groups to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowEditView {
    /// None on the "add" page.
    pub entry: Option<WorkflowEntry>,
    pub retired: bool,
    /// Who owns it: `seed` (the catalogue file) or `service_desk`.
    pub source: String,
    /// How many mailboxes are registered for it.
    pub mailboxes: i64,
    pub groups: Vec<String>,
}

/// What the buttons of an entry's page do besides saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkflowAction {
    Save,
    Retire,
    Reinstate,
}

impl WorkflowAction {
    pub const ALL: [Self; 3] = [Self::Save, Self::Retire, Self::Reinstate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Save => "save",
            Self::Retire => "retire",
            Self::Reinstate => "reinstate",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Save => "Save changes",
            Self::Retire => "Retire this workflow ID",
            Self::Reinstate => "Make it active again",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::{messages, pairs, values};

    #[test]
    fn an_entry_needs_an_id_a_group_and_a_description() {
        assert_eq!(
            messages::<WorkflowForm>(&[]),
            pairs(&[
                ("workflow_id", "Enter a workflow ID"),
                ("group", "Enter workflow group"),
                ("description", "Enter description"),
            ])
        );
    }

    #[test]
    fn refuses_badly_formed_ids_with_the_catalogue_rules() {
        let ok = [("group", "Pathology"), ("description", "Results")];
        for (id, message) in [
            ("path results", "Workflow ID must not contain spaces"),
            ("path_results", "Workflow ID must be in capital letters"),
            (
                "PATH.RESULTS",
                "Workflow ID can only contain capital letters, numbers, underscores (_) and hyphens (-)",
            ),
        ] {
            let mut values = ok.to_vec();
            values.push(("workflow_id", id));
            assert_eq!(
                messages::<WorkflowForm>(&values),
                pairs(&[("workflow_id", message)]),
                "{id}"
            );
        }
        let mut values = ok.to_vec();
        values.extend([("workflow_id", "PATH_RESULTS_ACK"), ("ack_of", "path")]);
        assert_eq!(
            messages::<WorkflowForm>(&values),
            pairs(&[(
                "ack_of",
                "The workflow it acknowledges must be a workflow ID, like AMB_FALLS_REFERRAL"
            )])
        );
    }

    #[test]
    fn a_checked_entry_is_trimmed_and_reads_its_boxes() {
        let values = values(&[
            ("workflow_id", " PATH_RESULTS "),
            ("group", " Pathology "),
            ("description", "Results to GPs"),
            ("ack_of", " "),
            ("rules", "hscn_only"),
        ]);
        let entry = WorkflowForm::check(&values).unwrap().entry();
        assert_eq!(entry.workflow_id, "PATH_RESULTS");
        assert_eq!(entry.group, "Pathology");
        assert_eq!(entry.ack_of, None);
        assert!(entry.hscn_only);
        assert!(!entry.test_first);
    }

    #[test]
    fn every_workflow_action_reads_back_from_its_button() {
        for action in WorkflowAction::ALL {
            assert_eq!(WorkflowAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(WorkflowAction::parse("delete"), None);
    }
}
