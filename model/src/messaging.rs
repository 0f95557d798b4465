//! What a mailbox user's pages show.

use serde::{Deserialize, Serialize};

/// A mailbox user's pages beyond the mailbox itself.
pub mod paths {
    /// The new message page, and where its form posts.
    pub fn new_message(mailbox_id: &str) -> String {
        format!("/mailboxes/{mailbox_id}/new")
    }

    /// The inbox.
    pub fn inbox(mailbox_id: &str) -> String {
        format!("/mailboxes/{mailbox_id}/inbox")
    }

    /// Sent items.
    pub fn sent(mailbox_id: &str) -> String {
        format!("/mailboxes/{mailbox_id}/sent")
    }

    /// A received message's file.
    pub fn download(mailbox_id: &str, message_id: &str) -> String {
        format!("/mailboxes/{mailbox_id}/inbox/{message_id}/download")
    }

    /// One sent message, with its status (and, just after sending, the confirmation).
    pub fn sent_message(mailbox_id: &str, message_id: &str) -> String {
        format!("/mailboxes/{mailbox_id}/sent/{message_id}")
    }
}

/// The new message page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessageView {
    pub mailbox: MailboxSummary,
    /// The workflows this mailbox may send: (workflow ID, description).
    pub workflows: Vec<(String, String)>,
    /// Whether a test message may be sent from here (over HSCN, in Path to Live).
    pub can_send_test: bool,
    /// This person's access route, which sets the largest file ([`max_bytes`]) and what a larger
    /// one is told ([`too_large_message`]).
    pub route: AccessRoute,
    /// The recipient lookup's question and answer, when it was asked.
    pub lookup: Option<RecipientLookup>,
}

/// Mailboxes of an organisation that receive a workflow, in the sender's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientLookup {
    pub ods_code: String,
    pub workflow_id: String,
    /// (Mailbox ID, organisation name).
    pub found: Vec<(String, String)>,
}

/// A sent message's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessageView {
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub recipient_organisation: String,
    pub workflow_id: String,
    pub message_type: String,
    pub subject: String,
    pub reference: String,
    pub file_name: String,
    pub size: String,
    pub sent: String,
    /// "Accepted (waiting to be downloaded)", "Downloaded 30 November 2026 at 09:12", "Not
    /// collected: removed".
    pub status: String,
}

/// Messages listed per page of the inbox and sent items.
pub const MESSAGES_PER_PAGE: usize = 50;

/// A message in the inbox or in sent items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageItem {
    pub message_id: String,
    /// The other mailbox: the sender in the inbox, the recipient in sent items.
    pub other: String,
    pub other_organisation: String,
    pub workflow_id: String,
    pub test: bool,
    pub subject: String,
    pub reference: String,
    pub file_name: String,
    pub size: String,
    pub when: String,
    /// "New", "Downloaded", "Not collected"...
    pub status: String,
    /// "Removed in 4 days" while it waits.
    pub removal: String,
    /// Whether its content can still be downloaded.
    pub available: bool,
}

/// The inbox or sent items page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageList {
    pub mailbox: MailboxSummary,
    pub items: Vec<MessageItem>,
    pub page: usize,
    pub pages: usize,
    pub total: i64,
    /// The workflow filter, and the workflows there are to filter by.
    pub workflow: String,
    pub workflows: Vec<String>,
}

/// "Removed in 5 days" (whole days left, counted up), "Removed within a day", from the seconds
/// left.
pub fn removal_label(seconds_left: i64) -> String {
    match (seconds_left + 86_399).div_euclid(86_400) {
        days if days >= 2 => format!("Removed in {days} days"),
        _ => "Removed within a day".to_owned(),
    }
}

/// A size in words: "512 bytes", "2.4 KB", "48.0 MB".
pub fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.1} GB", b as f64 / 1e9),
    }
}

/// A mailbox linked to the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSummary {
    pub mailbox_id: String,
    pub ods_code: String,
    pub organisation_name: String,
    /// The environment's words ("Live", "Path to Live: Integration").
    pub environment: String,
    pub active: bool,
    /// Files in its inbox not yet downloaded (on the list of mailboxes; 0 elsewhere).
    #[serde(default)]
    pub new_files: i64,
    /// Of those, the ones removed within a day if nobody downloads them.
    #[serde(default)]
    pub due_within_a_day: i64,
}

use crate::common::AccessRoute;
use crate::common::{Direction, Environment};
use crate::forms::FieldError;

/// Largest file over HSCN.
pub const HSCN_MAX_BYTES: u64 = 100 * 1000 * 1000;
/// Largest file over the internet.
pub const INTERNET_MAX_BYTES: u64 = 50 * 1000 * 1000;
/// Longest subject and reference.
pub const SUBJECT_MAX_CHARS: usize = 500;
pub const REFERENCE_MAX_CHARS: usize = 100;

/// The largest file a person may send over `route`.
pub fn max_bytes(route: AccessRoute) -> u64 {
    match route {
        AccessRoute::Hscn => HSCN_MAX_BYTES,
        AccessRoute::Internet => INTERNET_MAX_BYTES,
    }
}

/// What a file larger than the route allows is told.
pub fn too_large_message(route: AccessRoute) -> String {
    let megabytes = max_bytes(route) / 1_000_000;
    match route {
        AccessRoute::Hscn => format!("The selected file must be {megabytes}MB or smaller"),
        AccessRoute::Internet => format!(
            "The selected file must be {megabytes}MB or smaller over the internet. Over HSCN you can send up to {}MB",
            HSCN_MAX_BYTES / 1_000_000
        ),
    }
}

/// The answer to a new message sent by the page's script (which asks for JSON to show its
/// progress bar): where to go next, or what to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadAnswer {
    pub location: Option<String>,
    pub errors: Vec<FieldError>,
}

/// Where a message is in its life: its chunks arriving (the MESH API's), waiting in its
/// recipient's inbox, collected, or removed after its days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageStatus {
    Uploading,
    Accepted,
    Acknowledged,
    Expired,
}

impl MessageStatus {
    /// As stored, and as the MESH API's tracking says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Accepted => "accepted",
            Self::Acknowledged => "acknowledged",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Uploading,
            Self::Accepted,
            Self::Acknowledged,
            Self::Expired,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// The kind of message: data, or a test (only over HSCN, only in Path to Live).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageType {
    Data,
    Test,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "data" => Some(Self::Data),
            "test" => Some(Self::Test),
            _ => None,
        }
    }
}

/// What a stored message is: what a sender chose ([`MessageType`]), or a report the exchange
/// wrote (non-delivery, or an error) back to a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Data,
    Test,
    Report,
}

impl MessageKind {
    pub const ALL: [Self; 3] = [Self::Data, Self::Test, Self::Report];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Test => "test",
            Self::Report => "report",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// MESH's word for it in `messageType`: a test file is data to the API.
    pub fn mesh_name(self) -> &'static str {
        match self {
            Self::Report => "Report",
            Self::Data | Self::Test => "Data",
        }
    }
}

impl From<MessageType> for MessageKind {
    fn from(chosen: MessageType) -> Self {
        match chosen {
            MessageType::Data => Self::Data,
            MessageType::Test => Self::Test,
        }
    }
}

/// What the rules need to know of a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxFacts {
    pub mailbox_id: String,
    pub environment: Environment,
    pub active: bool,
    /// Its registration for the workflow being sent, if any.
    pub registration: Option<Direction>,
}

/// What the rules need to know of the workflow being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFacts {
    pub workflow_id: String,
    pub active: bool,
    pub hscn_only: bool,
    pub test_first: bool,
}

/// Everything one send is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFacts {
    pub route: AccessRoute,
    pub message_type: MessageType,
    pub sender: MailboxFacts,
    /// `None` when no mailbox has the ID typed.
    pub recipient: Option<MailboxFacts>,
    pub recipient_id: String,
    /// `None` when the catalogue has no such workflow.
    pub workflow: Option<WorkflowFacts>,
    pub workflow_id: String,
    /// Whether the sender's organisation has had a test message of this workflow delivered in
    /// a Path to Live environment (asked only for a *test first* workflow sent in Live).
    pub tested_in_path_to_live: bool,
}

fn sends(direction: Option<Direction>) -> bool {
    matches!(direction, Some(Direction::Send | Direction::Both))
}

fn receives(direction: Option<Direction>) -> bool {
    matches!(direction, Some(Direction::Receive | Direction::Both))
}

/// Every reason `facts` cannot be sent, each at the field to change, in page order; empty when
/// it may be sent.
pub fn send_refusals(facts: &SendFacts) -> Vec<FieldError> {
    let mut refusals = Vec::new();
    let sender = &facts.sender;
    if !sender.active {
        refusals.push(FieldError::new(
            "message_type",
            format!(
                "Mailbox {} is suspended, so it cannot send files. Contact the service desk",
                sender.mailbox_id
            ),
        ));
        return refusals;
    }
    if facts.message_type == MessageType::Test {
        if facts.route == AccessRoute::Internet {
            refusals.push(FieldError::new(
                "message_type",
                "Test messages can only be sent over HSCN. Choose Data",
            ));
        } else if sender.environment == Environment::Live {
            refusals.push(FieldError::new(
                "message_type",
                "Test messages can only be sent in Path to Live environments. Choose Data",
            ));
        }
    }
    match &facts.workflow {
        None => refusals.push(FieldError::new(
            "workflow_id",
            format!("{} is not in the workflow ID catalogue", facts.workflow_id),
        )),
        Some(workflow) if !workflow.active => refusals.push(FieldError::new(
            "workflow_id",
            format!(
                "{} is retired and can no longer be sent",
                workflow.workflow_id
            ),
        )),
        Some(workflow) if !sends(sender.registration) => refusals.push(FieldError::new(
            "workflow_id",
            format!(
                "Mailbox {} is not registered to send {}. Ask the service desk to add it",
                sender.mailbox_id, workflow.workflow_id
            ),
        )),
        Some(workflow) if workflow.hscn_only && facts.route == AccessRoute::Internet => refusals
            .push(FieldError::new(
                "workflow_id",
                format!(
                    "{} can only be sent over HSCN, not over the internet",
                    workflow.workflow_id
                ),
            )),
        Some(workflow)
            if workflow.test_first
                && sender.environment == Environment::Live
                && !facts.tested_in_path_to_live =>
        {
            refusals.push(FieldError::new(
                "workflow_id",
                format!(
                    "{id} must be tested before it is sent in Live. Send a test message of {id} \
                     from one of your organisation's Path to Live mailboxes first: it counts once \
                     its recipient has downloaded it",
                    id = workflow.workflow_id
                ),
            ));
        }
        Some(_) => {}
    }
    match &facts.recipient {
        None => refusals.push(FieldError::new(
            "recipient",
            format!("There is no mailbox with the ID {}", facts.recipient_id),
        )),
        Some(recipient) if !recipient.active => refusals.push(FieldError::new(
            "recipient",
            format!(
                "Mailbox {} is suspended and cannot receive files",
                recipient.mailbox_id
            ),
        )),
        Some(recipient) if recipient.environment != sender.environment => {
            refusals.push(FieldError::new(
                "recipient",
                format!(
                    "Mailbox {} is in {}, not {}: files cannot cross environments",
                    recipient.mailbox_id,
                    recipient.environment.label(),
                    sender.environment.label()
                ),
            ));
        }
        Some(recipient) if facts.workflow.is_some() && !receives(recipient.registration) => {
            refusals.push(FieldError::new(
                "recipient",
                format!(
                    "Mailbox {} does not receive {}",
                    recipient.mailbox_id, facts.workflow_id
                ),
            ));
        }
        Some(_) => {}
    }
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(
        id: &str,
        environment: Environment,
        registration: Option<Direction>,
    ) -> MailboxFacts {
        MailboxFacts {
            mailbox_id: id.to_owned(),
            environment,
            active: true,
            registration,
        }
    }

    /// A send that passes every rule: Data, over HSCN, in Integration, of an active workflow the
    /// sender sends and the recipient receives.
    fn allowed() -> SendFacts {
        SendFacts {
            route: AccessRoute::Hscn,
            message_type: MessageType::Data,
            sender: mailbox("X26OT001", Environment::Integration, Some(Direction::Send)),
            recipient: Some(mailbox(
                "RR8TR001",
                Environment::Integration,
                Some(Direction::Both),
            )),
            recipient_id: "RR8TR001".to_owned(),
            workflow: Some(WorkflowFacts {
                workflow_id: "PATH_MEDRPT_V3".to_owned(),
                active: true,
                hscn_only: false,
                test_first: false,
            }),
            workflow_id: "PATH_MEDRPT_V3".to_owned(),
            tested_in_path_to_live: false,
        }
    }

    fn refusals(change: impl FnOnce(&mut SendFacts)) -> Vec<(String, String)> {
        let mut facts = allowed();
        change(&mut facts);
        send_refusals(&facts)
            .into_iter()
            .map(|e| (e.field_id, e.message))
            .collect()
    }

    fn one(field: &str, message: &str) -> Vec<(String, String)> {
        vec![(field.to_owned(), message.to_owned())]
    }

    #[test]
    fn a_send_that_keeps_every_rule_is_allowed() {
        assert_eq!(refusals(|_| {}), vec![]);
    }

    /// A rule's name, how the allowed send is changed to break it, and the refusal expected.
    type Case = (
        &'static str,
        Box<dyn FnOnce(&mut SendFacts)>,
        Vec<(String, String)>,
    );

    #[test]
    fn each_rule_has_its_own_message_at_its_field() {
        let cases: Vec<Case> = vec![
            (
                "sender suspended",
                Box::new(|f| f.sender.active = false),
                one(
                    "message_type",
                    "Mailbox X26OT001 is suspended, so it cannot send files. Contact the service desk",
                ),
            ),
            (
                "test over the internet",
                Box::new(|f| {
                    f.message_type = MessageType::Test;
                    f.route = AccessRoute::Internet;
                }),
                one(
                    "message_type",
                    "Test messages can only be sent over HSCN. Choose Data",
                ),
            ),
            (
                "test in Live",
                Box::new(|f| {
                    f.message_type = MessageType::Test;
                    f.sender.environment = Environment::Live;
                    f.recipient.as_mut().unwrap().environment = Environment::Live;
                }),
                one(
                    "message_type",
                    "Test messages can only be sent in Path to Live environments. Choose Data",
                ),
            ),
            (
                "workflow not in the catalogue",
                Box::new(|f| f.workflow = None),
                one(
                    "workflow_id",
                    "PATH_MEDRPT_V3 is not in the workflow ID catalogue",
                ),
            ),
            (
                "workflow retired",
                Box::new(|f| f.workflow.as_mut().unwrap().active = false),
                one(
                    "workflow_id",
                    "PATH_MEDRPT_V3 is retired and can no longer be sent",
                ),
            ),
            (
                "sender only receives it",
                Box::new(|f| f.sender.registration = Some(Direction::Receive)),
                one(
                    "workflow_id",
                    "Mailbox X26OT001 is not registered to send PATH_MEDRPT_V3. Ask the service desk to add it",
                ),
            ),
            (
                "HSCN only over the internet",
                Box::new(|f| {
                    f.workflow.as_mut().unwrap().hscn_only = true;
                    f.route = AccessRoute::Internet;
                }),
                one(
                    "workflow_id",
                    "PATH_MEDRPT_V3 can only be sent over HSCN, not over the internet",
                ),
            ),
            (
                "test first, untested, in Live",
                Box::new(|f| {
                    f.workflow.as_mut().unwrap().test_first = true;
                    f.sender.environment = Environment::Live;
                    f.recipient.as_mut().unwrap().environment = Environment::Live;
                }),
                one(
                    "workflow_id",
                    "PATH_MEDRPT_V3 must be tested before it is sent in Live. Send a test message of PATH_MEDRPT_V3 from one of your organisation's Path to Live mailboxes first: it counts once its recipient has downloaded it",
                ),
            ),
            (
                "no such recipient",
                Box::new(|f| {
                    f.recipient = None;
                    f.recipient_id = "NOSUCHBOX".to_owned();
                }),
                one("recipient", "There is no mailbox with the ID NOSUCHBOX"),
            ),
            (
                "recipient suspended",
                Box::new(|f| f.recipient.as_mut().unwrap().active = false),
                one(
                    "recipient",
                    "Mailbox RR8TR001 is suspended and cannot receive files",
                ),
            ),
            (
                "recipient in another environment",
                Box::new(|f| f.recipient.as_mut().unwrap().environment = Environment::Live),
                one(
                    "recipient",
                    "Mailbox RR8TR001 is in Live, not Path to Live: Integration: files cannot cross environments",
                ),
            ),
            (
                "recipient does not receive it",
                Box::new(|f| f.recipient.as_mut().unwrap().registration = Some(Direction::Send)),
                one(
                    "recipient",
                    "Mailbox RR8TR001 does not receive PATH_MEDRPT_V3",
                ),
            ),
        ];
        for (case, change, expected) in cases {
            assert_eq!(refusals(change), expected, "{case}");
        }
    }

    #[test]
    fn rules_that_pass_in_their_own_setting() {
        assert_eq!(
            refusals(|f| f.message_type = MessageType::Test),
            vec![],
            "a test over HSCN in Path to Live"
        );
        assert_eq!(
            refusals(|f| {
                f.workflow.as_mut().unwrap().test_first = true;
                f.sender.environment = Environment::Live;
                f.recipient.as_mut().unwrap().environment = Environment::Live;
                f.tested_in_path_to_live = true;
            }),
            vec![],
            "test first, once tested"
        );
        assert_eq!(
            refusals(|f| f.workflow.as_mut().unwrap().test_first = true),
            vec![],
            "test first does not apply in Path to Live"
        );
        assert_eq!(
            refusals(|f| f.workflow.as_mut().unwrap().hscn_only = true),
            vec![],
            "HSCN only over HSCN"
        );
    }

    #[test]
    fn problems_with_workflow_and_recipient_are_reported_together() {
        let found = refusals(|f| {
            f.workflow.as_mut().unwrap().active = false;
            f.recipient = None;
        });
        assert_eq!(
            found.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            ["workflow_id", "recipient"]
        );
    }

    #[test]
    fn internet_users_send_up_to_50_mb_and_hscn_users_up_to_100_mb() {
        assert_eq!(max_bytes(AccessRoute::Internet), 50_000_000);
        assert_eq!(max_bytes(AccessRoute::Hscn), 100_000_000);
    }
}

/// The new message form's fields, as typed (the file arrives apart, as a stream).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessageForm {
    pub message_type: String,
    pub workflow_id: String,
    pub recipient: String,
    pub subject: String,
    pub reference: String,
}

/// A new message's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessageFields {
    pub message_type: MessageType,
    pub workflow_id: String,
    pub recipient: crate::common::MailboxId,
    pub subject: String,
    pub reference: String,
}

impl NewMessageForm {
    /// Checks the fields' own shape; the rules that need the database come after.
    pub fn check(&self) -> Result<NewMessageFields, Vec<FieldError>> {
        use crate::applications::free_text;
        let mut errors = Vec::new();
        let message_type = MessageType::parse(self.message_type.trim());
        if message_type.is_none() {
            errors.push(FieldError::new("message_type", "Select the message type"));
        }
        let workflow_id = self.workflow_id.trim().to_owned();
        if let Err(error) = crate::catalogue::WorkflowId::parse(&workflow_id) {
            let message = match error {
                crate::catalogue::WorkflowIdError::Empty => "Select the workflow ID".to_owned(),
                other => other.to_string(),
            };
            errors.push(FieldError::new("workflow_id", message));
        }
        let recipient = match crate::common::MailboxId::parse(&self.recipient) {
            Ok(recipient) => Some(recipient),
            Err(crate::common::MailboxIdError::Empty) => {
                errors.push(FieldError::new(
                    "recipient",
                    "Enter the recipient's Mailbox ID",
                ));
                None
            }
            Err(error) => {
                errors.push(FieldError::new("recipient", error.to_string()));
                None
            }
        };
        let subject = free_text(&self.subject, "Subject", SUBJECT_MAX_CHARS, false, false)
            .map_err(|m| errors.push(FieldError::new("subject", m)))
            .unwrap_or_default();
        let reference = free_text(
            &self.reference,
            "Reference",
            REFERENCE_MAX_CHARS,
            false,
            false,
        )
        .map_err(|m| errors.push(FieldError::new("reference", m)))
        .unwrap_or_default();
        match (message_type, recipient) {
            (Some(message_type), Some(recipient)) if errors.is_empty() => Ok(NewMessageFields {
                message_type,
                workflow_id,
                recipient,
                subject,
                reference,
            }),
            _ => Err(errors),
        }
    }
}

/// A file name as the sender's browser gave it, made safe to store and to offer back: no folder
/// part, no control characters, at most 255 characters; `None` when nothing is left.
pub fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().trim_matches('.').trim().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn the_form_needs_a_type_a_workflow_and_a_recipient() {
        let errors = NewMessageForm::default().check().unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field_id.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("message_type", "Select the message type"),
                ("workflow_id", "Select the workflow ID"),
                ("recipient", "Enter the recipient's Mailbox ID"),
            ]
        );
    }

    #[test]
    fn a_checked_form_is_trimmed_and_its_mailbox_id_upper_case() {
        let fields = NewMessageForm {
            message_type: "data".into(),
            workflow_id: " PATH_MEDRPT_V3 ".into(),
            recipient: " rr8tr001 ".into(),
            subject: " Results ".into(),
            reference: "".into(),
        }
        .check()
        .unwrap();
        assert_eq!(fields.recipient.as_str(), "RR8TR001");
        assert_eq!(fields.workflow_id, "PATH_MEDRPT_V3");
        assert_eq!(fields.subject, "Results");
        let long = NewMessageForm {
            message_type: "data".into(),
            workflow_id: "PATH_MEDRPT_V3".into(),
            recipient: "RR8TR001".into(),
            subject: "x".repeat(SUBJECT_MAX_CHARS + 1),
            reference: "line\u{7}bell".into(),
        }
        .check()
        .unwrap_err();
        assert_eq!(
            long.iter().map(|e| e.field_id.as_str()).collect::<Vec<_>>(),
            ["subject", "reference"]
        );
    }

    #[test]
    fn removal_is_said_in_whole_days_left() {
        assert_eq!(removal_label(5 * 86_400), "Removed in 5 days");
        assert_eq!(
            removal_label(5 * 86_400 - 2),
            "Removed in 5 days",
            "just sent"
        );
        assert_eq!(removal_label(86_400 + 3_600), "Removed in 2 days");
        assert_eq!(removal_label(86_400), "Removed within a day");
        assert_eq!(removal_label(3_600), "Removed within a day");
        assert_eq!(removal_label(-10), "Removed within a day");
    }

    #[test]
    fn the_size_refusal_names_the_limit_of_the_route() {
        assert_eq!(
            too_large_message(AccessRoute::Hscn),
            "The selected file must be 100MB or smaller"
        );
        assert_eq!(
            too_large_message(AccessRoute::Internet),
            "The selected file must be 50MB or smaller over the internet. Over HSCN you can send up to 100MB"
        );
    }

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(size_label(512), "512 bytes");
        assert_eq!(size_label(2_400), "2.4 KB");
        assert_eq!(size_label(50_000_000), "50.0 MB");
    }

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(
            safe_file_name("C:\\Users\\sam\\results.csv").as_deref(),
            Some("results.csv")
        );
        assert_eq!(
            safe_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            safe_file_name("re\u{0}port\r\n.pdf").as_deref(),
            Some("report.pdf")
        );
        assert_eq!(safe_file_name("..").as_deref(), None);
        assert_eq!(safe_file_name("  ").as_deref(), None);
        assert_eq!(safe_file_name(&"a".repeat(300)).map(|n| n.len()), Some(255));
    }
}
