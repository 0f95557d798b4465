//! SQL for the service desk: the queue, an application's details, decisions, and the mailboxes
//! that approval creates.

use sqlx::{Any, AnyConnection};

/// The statuses still waiting for the service desk.
pub const OPEN_STATUSES: &str = "('submitted', 'in_review', 'more_information_needed')";

/// One application in the queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueRow {
    pub reference: String,
    pub kind: model::applications::ApplicationKind,
    pub status: model::applications::ApplicationStatus,
    pub ods_code: Option<String>,
    pub organisation_name: Option<String>,
    pub applicant_name: String,
    pub applicant_email: String,
    pub submitted_at: i64,
    pub paused_seconds: i64,
    pub waiting_since: Option<i64>,
    pub assigned_to: Option<String>,
    pub assignee_name: Option<String>,
}

/// What the queue is narrowed to. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueQuery {
    pub kind: Option<String>,
    /// A status, `open` (the three waiting ones) or `None` for all.
    pub status: Option<String>,
    /// A user ID, or `""` for nobody.
    pub assigned_to: Option<String>,
    /// Words matched against reference, ODS code, organisation name and applicant email.
    pub search: Option<String>,
    /// Applications for mailboxes in this environment (asked for, or an account's mailboxes).
    pub environment: Option<String>,
    /// Sent at or before this time.
    pub sent_before: Option<i64>,
    /// Newest first, or by organisation name; otherwise the oldest first.
    pub order: QueueOrder,
    pub limit: i64,
}

/// The order the database returns the queue in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    #[default]
    Oldest,
    Newest,
    Organisation,
}

const QUEUE_COLUMNS: &str = "a.reference, a.kind, a.status, a.ods_code, o.name AS organisation_name, \
     a.applicant_name, a.applicant_email, a.submitted_at, a.paused_seconds, a.waiting_since, \
     a.assigned_to, u.name AS assignee_name";

const QUEUE_FROM: &str = "FROM applications a \
     LEFT JOIN organisations o ON o.ods_code = a.ods_code \
     LEFT JOIN users u ON u.user_id = a.assigned_to";

/// The applications matching `query`, oldest first (the first due comes first).
pub async fn queue(conn: &mut AnyConnection, query: &QueueQuery) -> sqlx::Result<Vec<QueueRow>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let next = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(kind) = &query.kind {
        let p = next(kind.clone(), &mut binds);
        conditions.push(format!("a.kind = {p}"));
    }
    match query.status.as_deref() {
        None => {}
        Some("open") => conditions.push(format!("a.status IN {OPEN_STATUSES}")),
        Some(status) => {
            let p = next(status.to_owned(), &mut binds);
            conditions.push(format!("a.status = {p}"));
        }
    }
    match query.assigned_to.as_deref() {
        None => {}
        Some("") => conditions.push("a.assigned_to IS NULL".to_owned()),
        Some(user) => {
            let p = next(user.to_owned(), &mut binds);
            conditions.push(format!("a.assigned_to = {p}"));
        }
    }
    if let Some(search) = &query.search {
        let p = next(super::contains_pattern(search), &mut binds);
        conditions.push(format!(
            "(LOWER(a.reference) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(a.ods_code, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(o.name, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(a.applicant_email) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(environment) = &query.environment {
        let p = next(environment.clone(), &mut binds);
        conditions.push(format!(
            "(EXISTS (SELECT 1 FROM mailbox_application_environments e \
              WHERE e.reference = a.reference AND e.environment = {p}) \
             OR EXISTS (SELECT 1 FROM account_application_mailboxes am \
              JOIN mailboxes m ON m.mailbox_id = am.mailbox_id \
              WHERE am.reference = a.reference AND m.environment = {p}))"
        ));
    }
    if let Some(before) = query.sent_before {
        // A number the code made, not the user: written in, as the binds here are text.
        conditions.push(format!("a.submitted_at <= {before}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {QUEUE_COLUMNS} {QUEUE_FROM} {filter} ORDER BY {} LIMIT {}",
        match query.order {
            QueueOrder::Oldest => "a.submitted_at, a.reference",
            QueueOrder::Newest => "a.submitted_at DESC, a.reference",
            QueueOrder::Organisation => "LOWER(COALESCE(o.name, a.ods_code, '')), a.submitted_at",
        },
        query.limit.clamp(1, 500)
    );
    let mut statement = sqlx::query_as::<Any, QueueRow>(&sql);
    for value in &binds {
        statement = statement.bind(value);
    }
    statement.fetch_all(conn).await
}

/// One application's queue row.
pub async fn queue_row(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<QueueRow>> {
    sqlx::query_as::<Any, QueueRow>(&format!(
        "SELECT {QUEUE_COLUMNS} {QUEUE_FROM} WHERE a.reference = $1"
    ))
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// How many applications are in each status.
pub async fn status_counts(conn: &mut AnyConnection) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as::<Any, (String, i64)>(
        "SELECT status, COUNT(*) FROM applications GROUP BY status",
    )
    .fetch_all(conn)
    .await
}

/// Other applications from the same organisation, newest first.
pub async fn from_same_organisation(
    conn: &mut AnyConnection,
    ods_code: &str,
    except: &str,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as::<Any, (String, String, String, i64)>(
        "SELECT reference, kind, status, submitted_at FROM applications \
         WHERE ods_code = $1 AND reference <> $2 ORDER BY submitted_at DESC LIMIT 20",
    )
    .bind(ods_code)
    .bind(except)
    .fetch_all(conn)
    .await
}

/// Gives the application to a member of staff (or to nobody).
pub async fn assign(
    conn: &mut AnyConnection,
    reference: &str,
    user_id: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE applications SET assigned_to = $1, updated_at = $2 WHERE reference = $3",
    )
    .bind(user_id)
    .bind(now)
    .bind(reference)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an application from `from` to `to`, only if it is still in `from`: of two people
/// deciding at once, one changes it and the other changes nothing. Stops or starts the
/// turnaround clock as the new status needs.
#[expect(clippy::too_many_arguments, reason = "one argument per column")]
pub async fn change_status(
    conn: &mut AnyConnection,
    reference: &str,
    from: &str,
    to: &str,
    decided_by: &str,
    reason: &str,
    now: i64,
    waiting: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE applications SET status = $1, updated_at = $2, \
         decided_by = CASE WHEN $1 IN ('approved', 'rejected') THEN $3 ELSE decided_by END, \
         decided_at = CASE WHEN $1 IN ('approved', 'rejected') THEN $2 ELSE decided_at END, \
         decision_reason = $4, \
         paused_seconds = paused_seconds + CASE WHEN waiting_since IS NULL THEN 0 \
             ELSE $2 - waiting_since END, \
         waiting_since = CASE WHEN $5 = 1 THEN $2 ELSE NULL END \
         WHERE reference = $6 AND status = $7",
    )
    .bind(to)
    .bind(now)
    .bind(decided_by)
    .bind(reason)
    .bind(i64::from(waiting))
    .bind(reference)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who decided an application, and when.
pub async fn decision(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<(String, Option<String>, Option<i64>)>> {
    sqlx::query_as::<Any, (String, Option<String>, Option<i64>)>(
        "SELECT a.status, u.name, a.decided_at FROM applications a \
         LEFT JOIN users u ON u.user_id = a.decided_by WHERE a.reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// A mailbox application's own answers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxAnswers {
    pub organisation_name: String,
    pub third_party_ods_code: Option<String>,
    pub file_size: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

pub async fn mailbox_answers(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<MailboxAnswers>> {
    sqlx::query_as::<Any, MailboxAnswers>(
        "SELECT organisation_name, third_party_ods_code, file_size, contact_name, \
         contact_email, contact_phone FROM mailbox_applications WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// The environments a mailbox application asked for, in a stable order.
pub async fn requested_environments(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Vec<model::common::Environment>> {
    sqlx::query_scalar::<Any, model::common::Environment>(
        "SELECT environment FROM mailbox_application_environments WHERE reference = $1 \
         ORDER BY CASE environment WHEN 'live' THEN 1 WHEN 'integration' THEN 2 ELSE 3 END",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// The workflows a mailbox application asked for: (workflow ID, direction).
pub async fn requested_workflows(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as::<Any, (String, String)>(
        "SELECT workflow_id, direction FROM mailbox_application_workflows WHERE reference = $1 \
         ORDER BY workflow_id",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// An account application's own answers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountAnswers {
    pub first_name: String,
    pub last_name: String,
    pub access_route: model::common::AccessRoute,
    pub smartcard_number: Option<String>,
    pub reason: String,
}

pub async fn account_answers(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<AccountAnswers>> {
    sqlx::query_as::<Any, AccountAnswers>(
        "SELECT first_name, last_name, access_route, smartcard_number, reason \
         FROM account_applications WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

pub async fn account_mailboxes(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT mailbox_id FROM account_application_mailboxes WHERE reference = $1 \
         ORDER BY mailbox_id",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// A workflow request's own answers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkflowRequestAnswers {
    pub proposed_id: String,
    pub group_name: String,
    pub new_group: i64,
    pub description: String,
    pub sending_organisations: String,
    pub receiving_organisations: String,
}

pub async fn workflow_request_answers(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<WorkflowRequestAnswers>> {
    sqlx::query_as::<Any, WorkflowRequestAnswers>(
        "SELECT proposed_id, group_name, new_group, description, sending_organisations, \
         receiving_organisations FROM workflow_requests WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// The organisation list's kind of an ODS code.
pub async fn organisation_kind(
    conn: &mut AnyConnection,
    ods_code: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<Any, String>("SELECT kind FROM organisations WHERE ods_code = $1")
        .bind(ods_code)
        .fetch_optional(conn)
        .await
}

/// The mailboxes an application created: (Mailbox ID, environment).
pub async fn mailboxes_of_application(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as::<Any, (String, String)>(
        "SELECT mailbox_id, environment FROM mailboxes WHERE application_reference = $1 \
         ORDER BY mailbox_id",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// An email about an application, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmailRow {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub attempts: i64,
    pub sensitive: i64,
}

/// The emails about an application, oldest first.
pub async fn emails_of(conn: &mut AnyConnection, reference: &str) -> sqlx::Result<Vec<EmailRow>> {
    sqlx::query_as::<Any, EmailRow>(
        "SELECT id, to_address, subject, created_at, sent_at, failed_at, attempts, sensitive \
         FROM mail_outbox WHERE reference = $1 ORDER BY created_at, id",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// Records a question for the applicant, with its link's token hash.
pub async fn insert_question(
    conn: &mut AnyConnection,
    reference: &str,
    question: &str,
    asked_by: &str,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO application_questions (reference, seq, question, asked_by, asked_at, token_hash) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM application_questions \
         WHERE reference = $1",
    )
    .bind(reference)
    .bind(question)
    .bind(asked_by)
    .bind(now)
    .bind(token_hash)
    .execute(conn)
    .await
    .map(drop)
}

/// A question as its link finds it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuestionRow {
    pub reference: String,
    pub seq: i64,
    pub question: String,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

pub async fn question_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> sqlx::Result<Option<QuestionRow>> {
    sqlx::query_as::<Any, QuestionRow>(
        "SELECT reference, seq, question, asked_at, answer, answered_at \
         FROM application_questions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Stores the answer, once: false when it was already answered.
pub async fn answer_question(
    conn: &mut AnyConnection,
    reference: &str,
    seq: i64,
    answer: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE application_questions SET answer = $1, answered_at = $2 \
         WHERE reference = $3 AND seq = $4 AND answered_at IS NULL",
    )
    .bind(answer)
    .bind(now)
    .bind(reference)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An audit log entry with the actor's name and email where the actor is a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditLine {
    pub at: i64,
    pub actor: String,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject: String,
    pub access_route: String,
    pub client_addr: String,
    pub outcome: String,
    pub detail: String,
}

/// What the audit log is narrowed to; every part optional. Times are seconds since 1970.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub subject: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: i64,
}

/// The audit log, newest first.
pub async fn audit(conn: &mut AnyConnection, query: &AuditQuery) -> sqlx::Result<Vec<AuditLine>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut numbers: Vec<i64> = Vec::new();
    // Text parameters come first ($1…), numbers after them.
    if let Some(actor) = &query.actor {
        texts.push(format!("%{}%", actor.to_lowercase()));
        let p = texts.len();
        conditions.push(format!(
            "(LOWER(l.actor) LIKE ${p} OR LOWER(COALESCE(u.email, '')) LIKE ${p})"
        ));
    }
    if let Some(action) = &query.action {
        texts.push(format!("{}%", action.to_lowercase()));
        conditions.push(format!("LOWER(l.action) LIKE ${}", texts.len()));
    }
    if let Some(subject) = &query.subject {
        texts.push(format!("%{}%", subject.to_lowercase()));
        conditions.push(format!("LOWER(l.subject) LIKE ${}", texts.len()));
    }
    let mut placeholders = texts.len();
    if let Some(from) = query.from {
        numbers.push(from);
        placeholders += 1;
        conditions.push(format!("l.at >= ${placeholders}"));
    }
    if let Some(until) = query.until {
        numbers.push(until);
        placeholders += 1;
        conditions.push(format!("l.at < ${placeholders}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT l.at, l.actor, u.name AS actor_name, u.email AS actor_email, l.action, l.subject, \
         l.access_route, l.client_addr, l.outcome, l.detail \
         FROM audit_log l LEFT JOIN users u ON u.user_id = l.actor {filter} \
         ORDER BY l.seq DESC LIMIT {}",
        query.limit.clamp(1, 10_000)
    );
    let mut statement = sqlx::query_as::<Any, AuditLine>(&sql);
    for text in &texts {
        statement = statement.bind(text);
    }
    for number in &numbers {
        statement = statement.bind(*number);
    }
    statement.fetch_all(conn).await
}
