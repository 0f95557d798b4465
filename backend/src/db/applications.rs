//! SQL for applications of every kind, their history, and the mailboxes they refer to.

use sqlx::{Any, AnyConnection};

use model::applications::mailbox::{Contact, RequestedWorkflow};
use model::common::Environment;

/// The columns every application has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub reference: String,
    pub kind: model::applications::ApplicationKind,
    pub status: model::applications::ApplicationStatus,
    pub ods_code: Option<String>,
    pub applicant_name: String,
    pub applicant_email: String,
    pub duplicate_key: String,
    pub submitted_at: i64,
}

pub async fn reference_taken(conn: &mut AnyConnection, reference: &str) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar::<Any, i64>("SELECT 1 FROM applications WHERE reference = $1")
            .bind(reference)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// The pending application with this duplicate key, if there is one.
pub async fn pending_with_key(conn: &mut AnyConnection, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<Any, String>(
        "SELECT reference FROM applications WHERE duplicate_key = $1 \
         AND status IN ('submitted', 'in_review', 'more_information_needed')",
    )
    .bind(key)
    .fetch_optional(conn)
    .await
}

pub async fn insert(conn: &mut AnyConnection, row: &ApplicationRow) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO applications (reference, kind, status, ods_code, applicant_name, \
         applicant_email, duplicate_key, submitted_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&row.reference)
    .bind(row.kind)
    .bind(row.status)
    .bind(&row.ods_code)
    .bind(&row.applicant_name)
    .bind(&row.applicant_email)
    .bind(&row.duplicate_key)
    .bind(row.submitted_at)
    .execute(&mut *conn)
    .await?;
    insert_event(conn, &row.reference, row.status, "", row.submitted_at).await
}

/// Adds a step to an application's history.
pub async fn insert_event(
    conn: &mut AnyConnection,
    reference: &str,
    status: model::applications::ApplicationStatus,
    note: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO application_events (reference, seq, status, note, at) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM application_events \
         WHERE reference = $1",
    )
    .bind(reference)
    .bind(status)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one argument per column")]
pub async fn insert_mailbox_details(
    conn: &mut AnyConnection,
    reference: &str,
    organisation_name: &str,
    third_party_ods_code: Option<&str>,
    file_size: &str,
    contact: &Contact,
    environments: &[Environment],
    workflows: &[RequestedWorkflow],
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO mailbox_applications (reference, organisation_name, third_party_ods_code, \
         file_size, contact_name, contact_email, contact_phone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(reference)
    .bind(organisation_name)
    .bind(third_party_ods_code)
    .bind(file_size)
    .bind(&contact.name)
    .bind(&contact.email)
    .bind(&contact.phone)
    .execute(&mut *conn)
    .await?;
    for environment in environments {
        sqlx::query::<Any>(
            "INSERT INTO mailbox_application_environments (reference, environment) VALUES ($1, $2)",
        )
        .bind(reference)
        .bind(environment.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for workflow in workflows {
        sqlx::query::<Any>(
            "INSERT INTO mailbox_application_workflows (reference, workflow_id, direction) \
             VALUES ($1, $2, $3)",
        )
        .bind(reference)
        .bind(&workflow.workflow_id)
        .bind(workflow.direction.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What an account application adds to the common columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub access_route: &'a str,
    pub smartcard_number: Option<&'a str>,
    pub reason: &'a str,
    pub mailbox_ids: &'a [String],
}

pub async fn insert_account_details(
    conn: &mut AnyConnection,
    reference: &str,
    details: &AccountDetails<'_>,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO account_applications (reference, first_name, last_name, access_route, \
         smartcard_number, reason) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(reference)
    .bind(details.first_name)
    .bind(details.last_name)
    .bind(details.access_route)
    .bind(details.smartcard_number)
    .bind(details.reason)
    .execute(&mut *conn)
    .await?;
    for mailbox_id in details.mailbox_ids {
        sqlx::query::<Any>(
            "INSERT INTO account_application_mailboxes (reference, mailbox_id) VALUES ($1, $2)",
        )
        .bind(reference)
        .bind(mailbox_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert_workflow_request(
    conn: &mut AnyConnection,
    reference: &str,
    request: &model::applications::workflow_request::WorkflowRequest,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO workflow_requests (reference, proposed_id, group_name, new_group, \
         description, sending_organisations, receiving_organisations) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(reference)
    .bind(&request.proposed_id)
    .bind(&request.group_name)
    .bind(i64::from(request.new_group))
    .bind(&request.description)
    .bind(&request.sending_organisations)
    .bind(&request.receiving_organisations)
    .execute(conn)
    .await?;
    Ok(())
}

/// Kind, status, applicant email and submission time of an application.
pub async fn find_summary(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<(String, String, String, i64)>> {
    sqlx::query_as::<Any, (String, String, String, i64)>(
        "SELECT kind, status, applicant_email, submitted_at FROM applications \
         WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// An application's history, oldest first: (status, note, at).
pub async fn events(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as::<Any, (String, String, i64)>(
        "SELECT status, note, at FROM application_events WHERE reference = $1 ORDER BY seq",
    )
    .bind(reference)
    .fetch_all(conn)
    .await
}

/// How many applications exist (tests use it to show nothing was stored).
pub async fn count(conn: &mut AnyConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM applications")
        .fetch_one(conn)
        .await
}

/// How many applications of each kind wait for a decision.
pub async fn open_counts(conn: &mut AnyConnection) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as::<Any, (String, i64)>(
        "SELECT kind, COUNT(*) FROM applications \
         WHERE status IN ('submitted', 'in_review', 'more_information_needed') GROUP BY kind",
    )
    .fetch_all(conn)
    .await
}

/// A mailbox with its organisation's name, as the mailbox pages list it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxListing {
    pub mailbox_id: String,
    pub ods_code: String,
    pub organisation_name: String,
    pub environment: model::common::Environment,
    pub status: model::common::MailboxStatus,
}

/// The mailboxes linked to a user, by Mailbox ID.
pub async fn mailboxes_of_user(
    conn: &mut AnyConnection,
    user_id: &str,
) -> sqlx::Result<Vec<MailboxListing>> {
    sqlx::query_as::<Any, MailboxListing>(
        "SELECT m.mailbox_id, m.ods_code, o.name AS organisation_name, m.environment, m.status \
         FROM user_mailboxes um \
         JOIN mailboxes m ON m.mailbox_id = um.mailbox_id \
         JOIN organisations o ON o.ods_code = m.ods_code \
         WHERE um.user_id = $1 ORDER BY m.mailbox_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

pub async fn count_mailboxes(conn: &mut AnyConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM mailboxes")
        .fetch_one(conn)
        .await
}

/// The status of a workflow ID (`active`, `retired`), if it exists.
pub async fn workflow_status(
    conn: &mut AnyConnection,
    workflow_id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<Any, String>("SELECT status FROM workflows WHERE workflow_id = $1")
        .bind(workflow_id)
        .fetch_optional(conn)
        .await
}

/// The name of the organisation with this ODS code, if it is on the list.
pub async fn organisation_name(
    conn: &mut AnyConnection,
    ods_code: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<Any, String>("SELECT name FROM organisations WHERE ods_code = $1")
        .bind(ods_code)
        .fetch_optional(conn)
        .await
}
