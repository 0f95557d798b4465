//! The service desk's rules that the browser shares: how Mailbox IDs are made, when an
//! application is due, the decisions and their forms, and what the queue and detail pages show.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::forms::{FormDto, FormValues, rule};

pub mod mailboxes;
pub mod workflows;

/// The service desk's pages.
pub mod paths {
    pub const QUEUE: &str = "/service-desk";
    pub const AUDIT: &str = "/service-desk/audit";
    pub const AUDIT_CSV: &str = "/service-desk/audit.csv";
    pub const USERS: &str = "/service-desk/users";
    pub const MAILBOXES: &str = "/service-desk/mailboxes";
    pub const WORKFLOWS: &str = "/service-desk/workflows";
    pub const NEW_WORKFLOW: &str = "/service-desk/workflows/new";

    /// One mailbox's page.
    pub fn mailbox(mailbox_id: &str) -> String {
        format!("{MAILBOXES}/{mailbox_id}")
    }

    /// One catalogue entry's page at the service desk.
    pub fn workflow(workflow_id: &str) -> String {
        format!("{WORKFLOWS}/{workflow_id}")
    }

    /// One account's page.
    pub fn user(user_id: &str) -> String {
        format!("{USERS}/{user_id}")
    }

    /// One application's page, where decisions are taken.
    pub fn application(reference: &str) -> String {
        format!("{QUEUE}/applications/{reference}")
    }
}

/// What the queue is narrowed to, as the filter form sends it (every field may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// Reference, ODS code, organisation name or applicant email (part of any).
    pub q: String,
    /// `mailbox`, `account`, `workflow_request`, or empty for every kind.
    pub kind: String,
    /// A status, `all`, or empty for the ones waiting for a decision.
    pub status: String,
    /// `me`, `nobody`, or empty for anyone.
    pub assigned: String,
    /// `live`, `integration`, `deployment` (what a mailbox application asks for, or where an
    /// account application's mailboxes are), or empty for any.
    pub environment: String,
    /// A [`QueueAge`]'s value, or empty for any age.
    pub age: String,
    /// A [`QueueSort`]'s value, or empty for the oldest first.
    pub sort: String,
}

/// How old an application in the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueAge {
    /// Past its due date (and not waiting for the applicant).
    Overdue,
    /// Sent at least this many days ago.
    OlderThan(i64),
}

impl QueueAge {
    /// The choices of the filter form: (value, words).
    pub const CHOICES: [(&'static str, &'static str); 6] = [
        ("", "Any age"),
        ("overdue", "Overdue"),
        ("2", "Sent over 2 days ago"),
        ("5", "Sent over 5 days ago"),
        ("10", "Sent over 10 days ago"),
        ("30", "Sent over 30 days ago"),
    ];

    /// The age a filter value means; `None` for any age (or a value the form does not offer).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "overdue" => Some(Self::Overdue),
            "2" | "5" | "10" | "30" => text.parse().ok().map(Self::OlderThan),
            _ => None,
        }
    }
}

/// The order of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSort {
    Oldest,
    Newest,
    /// The first due first (the pause while waiting for an applicant counts).
    Due,
    Organisation,
}

impl QueueSort {
    pub const ALL: [Self; 4] = [Self::Oldest, Self::Due, Self::Newest, Self::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "",
            Self::Due => "due",
            Self::Newest => "newest",
            Self::Organisation => "organisation",
        }
    }

    /// The sort a filter value means; the oldest first for anything else.
    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(Self::Oldest)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Oldest => "Oldest first",
            Self::Due => "Due first",
            Self::Newest => "Newest first",
            Self::Organisation => "Organisation name",
        }
    }
}

/// Longest search text the queue takes.
pub const QUEUE_SEARCH_MAX_CHARS: usize = 100;

/// The queue page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub filter: QueueFilter,
    pub items: Vec<QueueItem>,
    /// Every status with how many applications are in it.
    pub counts: Vec<(String, String, i64)>,
    /// Applications waiting past their due date.
    pub overdue: i64,
}

/// One application in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub organisation: String,
    pub applicant: String,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    pub assignee: Option<String>,
}

/// An email about an application, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailView {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub created: String,
    /// "Sent 3 December 2026 at 10:04", "Waiting to send (2 attempts)", "Failed".
    pub state: String,
    pub sent: bool,
    /// Whether it can go again: not once a secret it held has been blanked.
    pub can_resend: bool,
}

/// A mailbox issued by approval, with its API password: shown once, on the page after approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedView {
    pub mailbox_id: String,
    pub environment: String,
    pub api_password: String,
}

/// One application's page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub organisation: String,
    pub applicant: String,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    pub assignee: Option<String>,
    pub assigned_to_me: bool,
    /// Every answer, as (question, answer), in the order the application asked them.
    pub answers: Vec<(String, String)>,
    /// History, oldest first: (status, note, when).
    pub history: Vec<(String, String, String)>,
    /// Other applications from the same organisation: (reference, kind, status, submitted).
    pub others: Vec<(String, String, String, String)>,
    pub emails: Vec<EmailView>,
    /// Mailboxes the approval created: (Mailbox ID, environment).
    pub mailboxes: Vec<(String, String)>,
    pub issued: Vec<IssuedView>,
    /// Which decisions the status allows now.
    pub can_approve: bool,
    pub can_reject: bool,
    pub can_ask: bool,
}

/// What the audit log page is narrowed to (every field may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// A user's email address or ID, `system`, `anonymous` or `applicant` (part of any).
    pub actor: String,
    /// An action, such as `sign_in` or `application.approve` (its beginning).
    pub action: String,
    /// What it was about, such as `application:MBX-7Q4K-2XHD` or `user:usr_…` (part of it).
    pub subject: String,
    /// From this day (YYYY-MM-DD, UTC), inclusive.
    pub from: String,
    /// To this day (YYYY-MM-DD, UTC), inclusive.
    pub to: String,
}

/// One entry of the audit log, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub route: String,
    pub client_addr: String,
    pub outcome: String,
    pub detail: String,
}

/// The audit log page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub filter: AuditFilter,
    pub rows: Vec<AuditRow>,
    /// More entries match than the page shows.
    pub more: bool,
}

/// A `YYYY-MM-DD` day as seconds since 1970 at its start (UTC).
pub fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let seconds = crate::days_from_civil(year, month, day) * DAY;
    // 31 February and the like roll into the next month: refuse them.
    (crate::civil_time(seconds) == (year, month, day, 0)).then_some(seconds)
}

/// An account in the service desk's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserItem {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub locked: bool,
}

/// One account's page at the service desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub item: UserItem,
    pub second_factor: String,
    pub locked_until: Option<String>,
    pub mailboxes: Vec<String>,
    /// The Care Identity the account is linked to and since when, once it has logged in with it.
    pub care_identity: Option<String>,
    /// Kept on PIN and security code where Care Identity is configured.
    pub local_sign_in: bool,
    /// Whether the person looking may change it (the service desk looks after mailbox users;
    /// administrators after everyone; nobody after themselves).
    pub can_manage: bool,
    pub is_self: bool,
}

/// What can be done to an account, as its page's buttons send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserAction {
    Lock,
    Unlock,
    Disable,
    Enable,
    /// Forget the PIN and second factor and email a new set-up link.
    ResetSetUp,
    /// Link the account to the mailboxes in the `mailbox_ids` field (and only those).
    SetMailboxes,
    /// Forget the Care Identity the account is linked to: the next login links again, by email
    /// address and smartcard number.
    RemoveCareIdentity,
    /// Keep the account on PIN and security code where Care Identity is configured.
    KeepLocal,
    /// Send the account to Care Identity (the default).
    UseCareIdentity,
}

impl UserAction {
    pub const ALL: [Self; 9] = [
        Self::Lock,
        Self::Unlock,
        Self::Disable,
        Self::Enable,
        Self::ResetSetUp,
        Self::SetMailboxes,
        Self::RemoveCareIdentity,
        Self::KeepLocal,
        Self::UseCareIdentity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::ResetSetUp => "reset",
            Self::SetMailboxes => "mailboxes",
            Self::RemoveCareIdentity => "remove_care_identity",
            Self::KeepLocal => "keep_local",
            Self::UseCareIdentity => "use_care_identity",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Lock => "Lock the account",
            Self::Unlock => "Unlock the account",
            Self::Disable => "Disable the account",
            Self::Enable => "Enable the account",
            Self::ResetSetUp => "Reset the PIN and second factor, and email a new set-up link",
            Self::SetMailboxes => "Save mailboxes",
            Self::RemoveCareIdentity => "Remove the Care Identity link",
            Self::KeepLocal => "Keep this account on PIN and security code",
            Self::UseCareIdentity => "Log in with Care Identity only",
        }
    }
}

/// The kind of application in words.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "mailbox" => "Mailbox",
        "account" => "MESH UI account",
        "workflow_request" => "Workflow ID request",
        _ => "Application",
    }
}

/// The button that sends an email again (its value is the email's ID).
pub const RESEND_EMAIL: &str = "resend_email";

/// The button that gives an application to the person pressing it.
pub const ASSIGN_TO_ME: &str = "assign_to_me";

/// The two letters of a Mailbox ID that say what kind of organisation owns it, from the
/// organisation list's kind.
pub fn kind_code(organisation_kind: &str) -> &'static str {
    match organisation_kind {
        "nhs_trust" => "TR",
        "icb" => "IC",
        "gp_practice" => "GP",
        "pharmacy" => "PH",
        "local_authority" => "LA",
        _ => "OT",
    }
}

/// The highest sequence number of one ODS code and kind.
pub const MAX_MAILBOX_SEQUENCE: i64 = 999;

/// Why a Mailbox ID cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailboxIdError {
    #[error(
        "Every Mailbox ID for {ods_code} with kind {kind_code} has been issued ({MAX_MAILBOX_SEQUENCE} of \
         them). Ask the MESH team to choose another kind or ODS code"
    )]
    SequenceExhausted { ods_code: String, kind_code: String },
    #[error("{0} is not an ODS code a Mailbox ID can be made from")]
    OdsCode(String),
}

/// A Mailbox ID: the ODS code, the two-letter kind and a three-digit sequence number, such as
/// `C43008GP004`.
pub fn mailbox_id(
    ods_code: &str,
    kind_code: &str,
    sequence: i64,
) -> Result<String, MailboxIdError> {
    if ods_code.is_empty()
        || ods_code.len() > 10
        || !ods_code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(MailboxIdError::OdsCode(ods_code.to_owned()));
    }
    if !(1..=MAX_MAILBOX_SEQUENCE).contains(&sequence) {
        return Err(MailboxIdError::SequenceExhausted {
            ods_code: ods_code.to_owned(),
            kind_code: kind_code.to_owned(),
        });
    }
    Ok(format!("{ods_code}{kind_code}{sequence:03}"))
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Whether a time falls on a Saturday or Sunday (UTC).
fn is_weekend(unix: i64) -> bool {
    // 1 January 1970 was a Thursday: day 0 → 4 with Sunday as 0.
    let weekday = (unix.div_euclid(DAY) + 4).rem_euclid(7);
    weekday == 0 || weekday == 6
}

/// When an application submitted at `submitted_at` is due: `working_days` weekdays later, pushed
/// back by the time spent waiting for the applicant.
pub fn due_at(submitted_at: i64, paused_seconds: i64, working_days: i64) -> i64 {
    let mut due = submitted_at + paused_seconds.max(0);
    let mut counted = 0;
    while counted < working_days {
        due += DAY;
        if !is_weekend(due) {
            counted += 1;
        }
    }
    due
}

/// What the service desk decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    AskForInformation,
}

impl Decision {
    pub const ALL: [Self; 3] = [Self::Approve, Self::Reject, Self::AskForInformation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::AskForInformation => "ask",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "Approve",
            Self::Reject => "Reject",
            Self::AskForInformation => "Ask the applicant for more information",
        }
    }
}

/// Longest reason or question.
pub const NOTE_MAX_CHARS: usize = 2000;

/// The decision form: the decision, and the reason (to reject) or the question (to ask).
#[derive(Debug, Clone, Validate)]
#[validate(schema(function = "note_when_needed", skip_on_field_errors = true))]
pub struct DecisionForm {
    #[validate(custom(function = "decision"))]
    pub decision: String,
    #[validate(length(
        max = 2000,
        message = "The reason or question must be 2000 characters or fewer"
    ))]
    pub note: String,
}

fn decision(text: &str) -> Result<(), ValidationError> {
    rule(Decision::parse(text).ok_or("Select a decision"))
}

fn note_when_needed(form: &DecisionForm) -> Result<(), ValidationError> {
    let message = match Decision::parse(&form.decision) {
        Some(Decision::Reject) if form.note.trim().is_empty() => {
            "Enter the reason for rejecting the application. The applicant will see it"
        }
        Some(Decision::AskForInformation) if form.note.trim().is_empty() => {
            "Enter the question for the applicant"
        }
        _ => return Ok(()),
    };
    Err(ValidationError::new("note").with_message(message.into()))
}

impl FormDto for DecisionForm {
    const FIELDS: &'static [&'static str] = &["decision", "note"];
    const SCHEMA_FIELD: Option<&'static str> = Some("note");

    fn from_values(values: &FormValues) -> Self {
        Self {
            decision: values.get("decision").to_owned(),
            note: values.get("note").trim().to_owned(),
        }
    }
}

impl DecisionForm {
    /// The decision, once the form has passed its check.
    pub fn decision(&self) -> Decision {
        Decision::parse(&self.decision).expect("checked by the form's rules")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::{messages, pairs};

    #[test]
    fn mailbox_ids_are_ods_code_kind_and_three_digits() {
        assert_eq!(mailbox_id("C43008", "GP", 4).unwrap(), "C43008GP004");
        assert_eq!(mailbox_id("X26", "OT", 1).unwrap(), "X26OT001");
        assert_eq!(mailbox_id("RR8", "TR", 999).unwrap(), "RR8TR999");
    }

    #[test]
    fn the_thousandth_mailbox_id_is_refused_not_overflowed() {
        let error = mailbox_id("X26", "OT", 1000).unwrap_err();
        assert_eq!(
            error,
            MailboxIdError::SequenceExhausted {
                ods_code: "X26".into(),
                kind_code: "OT".into()
            }
        );
        assert!(
            error
                .to_string()
                .contains("Every Mailbox ID for X26 with kind OT has been issued")
        );
        assert!(mailbox_id("X26", "OT", 0).is_err());
        assert!(
            mailbox_id("x26", "OT", 1).is_err(),
            "ODS codes are upper-case"
        );
    }

    #[test]
    fn kinds_have_two_letters_each() {
        for kind in [
            "nhs_trust",
            "icb",
            "gp_practice",
            "pharmacy",
            "local_authority",
            "other",
            "new",
        ] {
            assert_eq!(kind_code(kind).len(), 2, "{kind}");
        }
        assert_eq!(kind_code("gp_practice"), "GP");
    }

    #[test]
    fn due_dates_skip_weekends_and_waiting() {
        // Monday 2 November 2026, 09:00 UTC.
        let monday = 1_793_610_000;
        assert!(!is_weekend(monday));
        assert_eq!(
            due_at(monday, 0, 5),
            monday + 7 * DAY,
            "five working days: next Monday"
        );
        let friday = monday + 4 * DAY;
        assert_eq!(
            due_at(friday, 0, 1),
            friday + 3 * DAY,
            "Friday + 1 working day is Monday"
        );
        let saturday = monday + 5 * DAY;
        assert!(is_weekend(saturday));
        assert_eq!(
            due_at(saturday, 0, 1),
            monday + 7 * DAY,
            "a weekend submission counts from Monday"
        );
        assert_eq!(
            due_at(monday, DAY, 5),
            monday + 8 * DAY,
            "a day waiting pushes it back a day"
        );
    }

    #[test]
    fn queue_ages_and_sorts_read_only_what_the_form_offers() {
        assert_eq!(QueueAge::parse("overdue"), Some(QueueAge::Overdue));
        assert_eq!(QueueAge::parse("5"), Some(QueueAge::OlderThan(5)));
        for other in ["", "4", "-1", "99999999999999999999"] {
            assert_eq!(QueueAge::parse(other), None, "{other}");
        }
        for (value, _) in QueueAge::CHOICES.into_iter().skip(1) {
            assert!(QueueAge::parse(value).is_some(), "{value}");
        }
        for sort in QueueSort::ALL {
            assert_eq!(QueueSort::parse(sort.as_str()), sort);
        }
        assert_eq!(QueueSort::parse("DROP TABLE"), QueueSort::Oldest);
    }

    #[test]
    fn every_account_action_reads_back_from_its_button() {
        for action in UserAction::ALL {
            assert_eq!(UserAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(UserAction::parse("delete"), None);
    }

    #[test]
    fn reads_days_and_refuses_ones_that_do_not_exist() {
        assert_eq!(parse_day("2026-11-02"), Some(1_793_577_600));
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2024-02-29").map(|s| s % DAY), Some(0));
        for bad in ["2026-02-30", "2026-13-01", "02/11/2026", "", "2026-11"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejecting_needs_a_reason_and_asking_needs_a_question() {
        assert_eq!(
            messages::<DecisionForm>(&[]),
            pairs(&[("decision", "Select a decision")])
        );
        assert_eq!(
            messages::<DecisionForm>(&[("decision", "reject"), ("note", " ")]),
            pairs(&[(
                "note",
                "Enter the reason for rejecting the application. The applicant will see it"
            )])
        );
        assert_eq!(
            messages::<DecisionForm>(&[("decision", "ask")]),
            pairs(&[("note", "Enter the question for the applicant")])
        );
        assert_eq!(
            messages::<DecisionForm>(&[("decision", "approve")]),
            pairs(&[])
        );
    }
}
