//! Sandbox mode, for test environments that used NHS Digital's mesh-sandbox: its mailbox and
//! workflow files load as they are (`mesh-portal sandbox load`), any mailbox may send any workflow
//! to any mailbox of its environment (as mesh-sandbox allows), and its admin endpoints reset
//! mailboxes and put reports in inboxes. Off by default; never for Live mailboxes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{MeshError, iso_timestamp};
use crate::AppState;
use crate::crypto::SecretKey;
use crate::db::Db;
use crate::db::messages::{self, NewMessage, ReportOf};
use crate::db::organisations::OrganisationRow;
use crate::db::workflows::WorkflowRow;
use crate::db::{mailboxes, organisations, workflows};
use model::catalogue::WorkflowStatus;
use model::common::Environment;
use model::common::{MailboxId, MailboxStatus};
use model::messaging::MessageKind;

/// The catalogue group of workflows that came from a sandbox's file and nowhere else.
pub const SANDBOX_GROUP: &str = "Sandbox workflows";

/// A line of mesh-sandbox's `mailboxes.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct SandboxMailbox {
    pub mailbox_id: String,
    #[serde(default)]
    pub mailbox_name: String,
    pub ods_code: String,
    #[serde(default)]
    pub org_name: Option<String>,
    pub password: String,
}

/// A line of mesh-sandbox's `workflows.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct SandboxWorkflow {
    pub workflow_id: String,
    #[serde(default)]
    pub senders: Vec<String>,
    #[serde(default)]
    pub receivers: Vec<String>,
}

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub mailboxes_added: usize,
    pub mailboxes_updated: usize,
    pub organisations_added: usize,
    pub workflows_added: usize,
    pub registrations: usize,
}

/// Why a load stopped (having changed nothing).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("sandbox mode is for Path to Live environments, never Live")]
    Live,
    #[error("{file} line {line}: {reason}")]
    Line {
        file: &'static str,
        line: usize,
        reason: String,
    },
    #[error("mailbox {0} is in Live: sandbox files cannot change it")]
    LiveMailbox(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn lines<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<T>, LoadError> {
    // mesh-sandbox's own files may run one object into the next without a newline.
    let stream = serde_json::Deserializer::from_str(text).into_iter::<T>();
    let mut found = Vec::new();
    for (i, item) in stream.enumerate() {
        found.push(item.map_err(|e| LoadError::Line {
            file,
            line: e.line().max(i + 1),
            reason: e.to_string(),
        })?);
    }
    Ok(found)
}

/// Loads mesh-sandbox's `mailboxes.jsonl` and `workflows.jsonl` into `environment`, all or
/// nothing: mailboxes added (or given the file's password and made active again), their
/// organisations added when the list lacks them, workflows the catalogue lacks added in
/// [`SANDBOX_GROUP`], and each file's senders and receivers registered.
pub async fn load(
    db: &Db,
    key: &SecretKey,
    environment: Environment,
    mailboxes_jsonl: &str,
    workflows_jsonl: &str,
    now: i64,
) -> Result<LoadReport, LoadError> {
    if environment == Environment::Live {
        return Err(LoadError::Live);
    }
    let loaded_mailboxes: Vec<SandboxMailbox> = lines("mailboxes.jsonl", mailboxes_jsonl)?;
    let loaded_workflows: Vec<SandboxWorkflow> = lines("workflows.jsonl", workflows_jsonl)?;
    let mut report = LoadReport::default();
    let mut tx = db.begin().await?;
    for (i, m) in loaded_mailboxes.iter().enumerate() {
        load_mailbox(&mut tx, key, environment, i + 1, m, &mut report, now).await?;
    }
    for (i, w) in loaded_workflows.iter().enumerate() {
        load_workflow(&mut tx, i + 1, w, &mut report, now).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// One line of `mailboxes.jsonl`: its organisation (added if unknown), the mailbox (added, or
/// made active again) and its API password.
async fn load_mailbox(
    tx: &mut sqlx::AnyConnection,
    key: &SecretKey,
    environment: Environment,
    line: usize,
    m: &SandboxMailbox,
    report: &mut LoadReport,
    now: i64,
) -> Result<(), LoadError> {
    let line = |reason: &str| LoadError::Line {
        file: "mailboxes.jsonl",
        line,
        reason: reason.to_owned(),
    };
    let id = MailboxId::parse(&m.mailbox_id).map_err(|e| line(&format!("mailbox_id: {e}")))?;
    let id = id.as_str();
    let ods =
        model::organisations::OdsCode::parse(&m.ods_code).map_err(|e| line(&e.to_string()))?;
    if m.password.is_empty() {
        return Err(line("password is empty"));
    }
    if crate::db::applications::organisation_name(&mut *tx, ods.as_str())
        .await?
        .is_none()
    {
        let name = m
            .org_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("{} (sandbox)", ods.as_str()));
        organisations::insert(
            &mut *tx,
            &OrganisationRow {
                ods_code: ods.as_str().to_owned(),
                name,
                kind: "other".to_owned(),
                postcode: String::new(),
                town: String::new(),
                source: "service_desk".to_owned(),
            },
            now,
        )
        .await?;
        report.organisations_added += 1;
    }
    match mailboxes::mailbox_info(&mut *tx, id).await? {
        Some(existing) if existing.environment == Environment::Live => {
            return Err(LoadError::LiveMailbox(id.to_owned()));
        }
        Some(existing) => {
            mailboxes::change_status(&mut *tx, id, existing.status, MailboxStatus::Active).await?;
            report.mailboxes_updated += 1;
        }
        None => {
            let mailbox = mailboxes::NewMailbox {
                mailbox_id: id,
                ods_code: ods.as_str(),
                environment,
                status: MailboxStatus::Active,
                api_password_sealed: None,
                application_reference: None,
                workflows: &[],
            };
            mailboxes::insert(&mut *tx, &mailbox, now).await?;
            report.mailboxes_added += 1;
        }
    }
    mailboxes::set_api_password(&mut *tx, id, &key.seal(m.password.as_bytes())).await?;
    Ok(())
}

/// One line of `workflows.jsonl`: the workflow (added to the catalogue if unknown) and its
/// senders' and receivers' registrations.
async fn load_workflow(
    tx: &mut sqlx::AnyConnection,
    line: usize,
    w: &SandboxWorkflow,
    report: &mut LoadReport,
    now: i64,
) -> Result<(), LoadError> {
    let workflow_id = w.workflow_id.trim();
    if model::catalogue::WorkflowId::parse(workflow_id).is_err() {
        return Err(LoadError::Line {
            file: "workflows.jsonl",
            line,
            reason: format!("{workflow_id:?} is not a workflow ID"),
        });
    }
    if crate::db::messages::workflow_facts(&mut *tx, workflow_id)
        .await?
        .is_none()
    {
        workflows::save(
            &mut *tx,
            &WorkflowRow {
                workflow_id: workflow_id.to_owned(),
                group_name: SANDBOX_GROUP.to_owned(),
                description: format!("{workflow_id} (loaded from a sandbox's workflows.jsonl)"),
                direction: String::new(),
                ack_of: workflow_id.strip_suffix("_ACK").map(str::to_owned),
                status: WorkflowStatus::Active,
                hscn_only: false,
                test_first: false,
                source: "service_desk".to_owned(),
            },
            workflows::Write::Insert,
            now,
        )
        .await?;
        report.workflows_added += 1;
    }
    let mut directions: Vec<(String, &str)> = Vec::new();
    for (list, direction) in [(&w.senders, "send"), (&w.receivers, "receive")] {
        for mailbox in list {
            let mailbox = mailbox.trim().to_ascii_uppercase();
            match directions.iter_mut().find(|(m, _)| *m == mailbox) {
                Some((_, d)) if *d != direction => *d = "both",
                Some(_) => {}
                None => directions.push((mailbox, direction)),
            }
        }
    }
    for (mailbox, direction) in directions {
        match mailboxes::mailbox_info(&mut *tx, &mailbox).await? {
            None => {
                return Err(LoadError::Line {
                    file: "workflows.jsonl",
                    line,
                    reason: format!(
                        "{mailbox} is not a mailbox (in the database or mailboxes.jsonl)"
                    ),
                });
            }
            Some(m) if m.environment == Environment::Live => {
                return Err(LoadError::LiveMailbox(mailbox));
            }
            Some(_) => {}
        }
        mailboxes::set_registration(&mut *tx, &mailbox, workflow_id, direction).await?;
        report.registrations += 1;
    }
    Ok(())
}

/// mesh-sandbox's details of a Path to Live mailbox; 404 when there is no such mailbox outside
/// Live. (The portal's mailboxes have no names of their own: the organisation's stands
/// for both, as in endpoint lookup.)
pub async fn mailbox_details(state: &AppState, mailbox: &str) -> Result<Value, MeshError> {
    let mut conn = state.db.pool.acquire().await?;
    let info = mailboxes::mailbox_info(&mut conn, &mailbox.trim().to_ascii_uppercase()).await?;
    let m = info
        .filter(|m| m.environment != Environment::Live)
        .ok_or_else(|| MeshError::new(404, "", "", "mailbox does not exist"))?;
    Ok(json!({
        "mailbox_id": m.mailbox_id,
        "mailbox_name": m.name,
        "ods_code": m.ods_code,
        "org_code": m.ods_code,
        "org_name": m.name,
        "active": m.status == MailboxStatus::Active,
    }))
}

/// mesh-sandbox's flattened details of a message between Path to Live mailboxes; 404 when there
/// is no such message outside Live. Absent values are left out, as mesh-sandbox does.
pub async fn message_details(state: &AppState, message_id: &str) -> Result<Value, MeshError> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(m) = crate::db::messages::by_id(&mut conn, &message_id.trim().to_ascii_uppercase())
        .await?
        .filter(|m| m.environment != Environment::Live)
    else {
        return Err(MeshError::no_such_message(message_id));
    };
    let sender = super::outbox::party(&mut conn, &m.sender, m.environment).await?;
    let recipient = super::outbox::party(&mut conn, &m.recipient, m.environment).await?;
    let (status, success, _, _, description, at) = super::outbox::status_of(&m);
    let report = m.message_type == MessageKind::Report;
    let mut details = json!({
        "checksum": m.content_checksum,
        "chunk_count": if report { 0 } else { m.chunk_count },
        "content_encoding": m.content_encoding,
        "expiry_time": iso_timestamp(m.expires_at),
        "filename": if m.file_name.is_empty() { format!("{}.dat", m.message_id) } else { m.file_name.clone() },
        "file_size": m.size_bytes,
        "is_compressed": m.content_compressed != 0,
        "is_encrypted": m.content_encrypted != 0,
        "local_id": m.local_id,
        "message_id": m.message_id,
        "message_type": if report { "Report" } else { "Data" },
        "recipient": recipient.mailbox_id,
        "recipient_name": recipient.name,
        "recipient_ods_code": recipient.ods_code,
        "recipient_org_code": recipient.ods_code,
        "recipient_org_name": recipient.name,
        "sender": sender.mailbox_id,
        "sender_name": sender.name,
        "sender_ods_code": sender.ods_code,
        "sender_org_code": sender.ods_code,
        "sender_org_name": sender.name,
        "status": super::outbox::title_case(status),
        "status_success": if success && !report { "SUCCESS" } else { "ERROR" },
        "subject": m.subject,
        "upload_timestamp": iso_timestamp(m.created_at),
        "workflow_id": m.workflow_id,
    });
    let fields = details.as_object_mut().expect("an object");
    if let Some(when) = m.acknowledged_at {
        fields.insert("download_timestamp".into(), json!(iso_timestamp(when)));
    }
    if !success {
        fields.insert("failure_date".into(), json!(iso_timestamp(at)));
        fields.insert("failure_diagnostic".into(), json!(description));
    }
    if report {
        fields.insert("status_code".into(), json!(m.report_code));
        fields.insert("status_event".into(), json!("TRANSFER"));
        fields.insert("status_description".into(), json!(m.report_text));
        fields.insert(
            "status_timestamp".into(),
            json!(iso_timestamp(m.created_at)),
        );
    }
    if let Some(linked) = &m.linked_message_id {
        fields.insert("linked_msg_id".into(), json!(linked));
    }
    Ok(details)
}

/// Removes the messages (their content too) of one Path to Live mailbox, sent or received, or of
/// every Path to Live mailbox. `false` when there is no such mailbox outside Live.
pub async fn reset(state: &AppState, mailbox: Option<&str>) -> Result<bool, MeshError> {
    let mut tx = state.db.begin().await?;
    if let Some(mailbox) = mailbox {
        match mailboxes::mailbox_info(&mut tx, mailbox).await? {
            Some(m) if m.environment != Environment::Live => {}
            _ => return Ok(false),
        }
    }
    let keys = messages::reset_messages(&mut tx, mailbox).await?;
    tx.commit().await?;
    for key in keys {
        if let Err(error) = crate::content::remove(state, &key).await {
            tracing::warn!(%error, content.key = %key, "content of a reset message not deleted");
        }
    }
    Ok(true)
}

/// mesh-sandbox's request to put a report in an inbox.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportRequest {
    pub mailbox_id: String,
    pub code: String,
    pub description: String,
    pub workflow_id: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub local_id: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub linked_message_id: Option<String>,
}

/// Puts a report in a Path to Live mailbox's inbox; returns its ID.
pub async fn inject_report(state: &AppState, request: &ReportRequest) -> Result<String, MeshError> {
    let mailbox = request.mailbox_id.trim().to_ascii_uppercase();
    let mut conn = state.db.pool.acquire().await?;
    let info = mailboxes::mailbox_info(&mut conn, &mailbox)
        .await?
        .filter(|m| m.environment != Environment::Live)
        .ok_or_else(|| MeshError::new(404, "", "", "mailbox does not exist"))?;
    if let Some(linked) = &request.linked_message_id
        && crate::db::messages::by_id(&mut conn, linked)
            .await?
            .is_none()
    {
        return Err(MeshError::bad_request(format!(
            "there is no message {linked} to link the report to"
        )));
    }
    let now = state.clock.now();
    let report_id = crate::messaging::send::message_id_at(now);
    let about = ReportOf {
        linked_message_id: request.linked_message_id.as_deref(),
        code: request.code.trim(),
        text: request.description.trim(),
    };
    let report = NewMessage {
        subject: request.subject.as_deref().unwrap_or(""),
        local_id: request.local_id.as_deref().unwrap_or(""),
        file_name: request.file_name.as_deref().unwrap_or(""),
        // A report has no other sender: it comes from the mailbox itself.
        ..NewMessage::report(
            &report_id,
            &info.mailbox_id,
            &info.mailbox_id,
            info.environment,
            request.workflow_id.trim(),
            about,
            now + crate::messaging::RETENTION_DAYS * 86_400,
        )
    };
    messages::insert(&mut conn, &report, now).await?;
    Ok(report_id)
}
