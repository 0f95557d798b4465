//! The service desk's work: the queue, an application's page, the decisions (in [`decide`]) and
//! their emails. Everything here is for staff: callers have asked the guard first.

pub mod audit_log;
pub mod decide;
pub mod emails;
pub mod issued;
pub mod mailboxes;
pub mod pages;
pub mod users;
pub mod workflows;

use crate::AppState;
use crate::db::applications as applications_repo;
use crate::db::service_desk::{self as repo, QueueOrder, QueueQuery, QueueRow};
use crate::guard::CurrentUser;
use model::applications::mailbox::FileSize;
use model::applications::{ApplicationStatus, Reference};
use model::common::{Direction, Environment};
use model::error::AppError;
use model::format_time;
use model::forms::FieldError;
use model::service_desk::{
    ApplicationDetail, EmailView, QUEUE_SEARCH_MAX_CHARS, QueueAge, QueueFilter, QueueItem,
    QueueSort, QueueView, due_at, kind_label,
};

/// Most applications the queue lists at once.
const QUEUE_LIMIT: i64 = 200;
/// Most applications read to count, narrow or sort what is overdue or due.
const QUEUE_READ_LIMIT: i64 = 500;

/// The queue, narrowed by `filter`, with the counts per status.
pub async fn queue(
    state: &AppState,
    user: &CurrentUser,
    filter: QueueFilter,
) -> Result<QueueView, AppError> {
    let now = state.clock.now();
    let search = filter.q.trim();
    if search.chars().count() > QUEUE_SEARCH_MAX_CHARS {
        return Err(AppError::invalid(
            "q",
            format!("Search must be {QUEUE_SEARCH_MAX_CHARS} characters or fewer"),
        ));
    }
    let age = QueueAge::parse(&filter.age);
    let sort = QueueSort::parse(&filter.sort);
    let known_kind = ["mailbox", "account", "workflow_request"].contains(&filter.kind.as_str());
    let status = match filter.status.as_str() {
        "" => Some("open".to_owned()),
        "all" => None,
        other => ApplicationStatus::parse(other).map(|s| s.as_str().to_owned()),
    };
    let query = QueueQuery {
        kind: known_kind.then(|| filter.kind.clone()),
        status,
        assigned_to: match filter.assigned.as_str() {
            "me" => Some(user.user_id.clone()),
            "nobody" => Some(String::new()),
            _ => None,
        },
        search: (!search.is_empty()).then(|| search.to_owned()),
        environment: Environment::parse(&filter.environment).map(|e| e.as_str().to_owned()),
        sent_before: match age {
            Some(QueueAge::OlderThan(days)) => Some(now - days * 86_400),
            _ => None,
        },
        order: match sort {
            QueueSort::Newest => QueueOrder::Newest,
            QueueSort::Organisation => QueueOrder::Organisation,
            QueueSort::Oldest | QueueSort::Due => QueueOrder::Oldest,
        },
        // What is sorted or narrowed here, after the database, is read in full.
        limit: if age == Some(QueueAge::Overdue) || sort == QueueSort::Due {
            QUEUE_READ_LIMIT
        } else {
            QUEUE_LIMIT
        },
    };
    let days = state.config.turnaround_days;
    let mut conn = state.db.pool.acquire().await?;
    let mut rows = repo::queue(&mut conn, &query).await?;
    if age == Some(QueueAge::Overdue) {
        rows.retain(|row| is_overdue(row, days, now));
    }
    if sort == QueueSort::Due {
        // Stable: of two due at once, the older first. Decided ones have no due date: last.
        rows.sort_by_key(|row| (row.status.is_final(), due(row, days, now)));
    }
    rows.truncate(QUEUE_LIMIT as usize);
    let counts = repo::status_counts(&mut conn).await?;
    let open = repo::queue(
        &mut conn,
        &QueueQuery {
            status: Some("open".to_owned()),
            limit: QUEUE_READ_LIMIT,
            ..QueueQuery::default()
        },
    )
    .await?;
    let overdue = open.iter().filter(|r| is_overdue(r, days, now)).count() as i64;
    Ok(QueueView {
        filter,
        items: rows.iter().map(|row| item(row, days, now)).collect(),
        counts: ApplicationStatus::ALL
            .iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .find(|(status, _)| status == s.as_str())
                    .map_or(0, |(_, n)| *n);
                (s.as_str().to_owned(), s.label().to_owned(), n)
            })
            .collect(),
        overdue,
    })
}

fn due(row: &QueueRow, days: i64, now: i64) -> i64 {
    // While the applicant has a question to answer, the time since it was asked is paused too.
    let waiting = row.waiting_since.map_or(0, |since| now - since);
    due_at(row.submitted_at, row.paused_seconds + waiting, days)
}

fn is_overdue(row: &QueueRow, days: i64, now: i64) -> bool {
    !row.status.is_final() && row.waiting_since.is_none() && due(row, days, now) < now
}

fn item(row: &QueueRow, days: i64, now: i64) -> QueueItem {
    let status = row.status;
    QueueItem {
        reference: row.reference.clone(),
        kind: kind_label(row.kind.as_str()).to_owned(),
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        organisation: organisation(row),
        applicant: format!("{} ({})", row.applicant_name, row.applicant_email),
        submitted: format_time(row.submitted_at),
        due: if status.is_final() {
            String::new()
        } else {
            format_time(due(row, days, now))
        },
        overdue: is_overdue(row, days, now),
        assignee: row.assignee_name.clone(),
    }
}

fn organisation(row: &QueueRow) -> String {
    match (&row.organisation_name, &row.ods_code) {
        (Some(name), Some(code)) => format!("{name} ({code})"),
        (None, Some(code)) => code.clone(),
        _ => String::new(),
    }
}

/// One application's page: every answer, its history, the organisation's other applications,
/// its emails, and what may be decided now. (The API passwords of an approval a moment ago are
/// added by [`pages`], which keeps them in the session.)
pub async fn detail(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
) -> Result<ApplicationDetail, AppError> {
    let not_found = || {
        AppError::NotFound(format!(
            "There is no application with the reference {reference}"
        ))
    };
    let reference = Reference::parse(reference).map_err(|_| not_found())?;
    let now = state.clock.now();
    let days = state.config.turnaround_days;
    let mut conn = state.db.pool.acquire().await?;
    let row = repo::queue_row(&mut conn, reference.as_str())
        .await?
        .ok_or_else(not_found)?;
    let answers = answers(&mut conn, &reference, &row).await?;
    let history = applications_repo::events(&mut conn, reference.as_str())
        .await?
        .into_iter()
        .map(|(status, note, at)| {
            let label = ApplicationStatus::parse(&status).map_or(status, |s| s.label().to_owned());
            (label, note, format_time(at))
        })
        .collect();
    let others = match &row.ods_code {
        Some(ods) => repo::from_same_organisation(&mut conn, ods, reference.as_str())
            .await?
            .into_iter()
            .map(|(reference, kind, status, at)| {
                let label =
                    ApplicationStatus::parse(&status).map_or(status, |s| s.label().to_owned());
                (
                    reference,
                    kind_label(&kind).to_owned(),
                    label,
                    format_time(at),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let emails = repo::emails_of(&mut conn, reference.as_str())
        .await?
        .into_iter()
        .map(|email| EmailView {
            state: match (email.sent_at, email.failed_at) {
                (Some(at), _) => format!("Sent {}", format_time(at)),
                (None, Some(_)) => "Not sent: the mail server refused it".to_owned(),
                (None, None) if email.attempts == 0 => "Waiting to send".to_owned(),
                (None, None) if email.attempts == 1 => "Sending (1 attempt so far)".to_owned(),
                (None, None) => format!("Sending ({} attempts so far)", email.attempts),
            },
            sent: email.sent_at.is_some(),
            can_resend: !(email.sensitive == 1 && email.sent_at.is_some()),
            id: email.id,
            to: email.to_address,
            subject: email.subject,
            created: format_time(email.created_at),
        })
        .collect();
    let mailboxes = repo::mailboxes_of_application(&mut conn, reference.as_str())
        .await?
        .into_iter()
        .map(|(id, environment)| {
            let label =
                Environment::parse(&environment).map_or(environment, |e| e.label().to_owned());
            (id, label)
        })
        .collect();
    drop(conn);
    let status = row.status;
    Ok(ApplicationDetail {
        reference: reference.to_string(),
        kind: kind_label(row.kind.as_str()).to_owned(),
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        organisation: organisation(&row),
        applicant: format!("{} ({})", row.applicant_name, row.applicant_email),
        submitted: format_time(row.submitted_at),
        due: if status.is_final() {
            String::new()
        } else {
            format_time(due(&row, days, now))
        },
        overdue: is_overdue(&row, days, now),
        assignee: row.assignee_name.clone(),
        assigned_to_me: row.assigned_to.as_deref() == Some(user.user_id.as_str()),
        answers,
        history,
        others,
        emails,
        mailboxes,
        issued: Vec::new(),
        can_approve: status.can_move_to(ApplicationStatus::Approved),
        can_reject: status.can_move_to(ApplicationStatus::Rejected),
        can_ask: status.can_move_to(ApplicationStatus::MoreInformationNeeded),
    })
}

/// Every answer of an application, as question and answer, by kind.
async fn answers(
    conn: &mut sqlx::AnyConnection,
    reference: &Reference,
    row: &QueueRow,
) -> sqlx::Result<Vec<(String, String)>> {
    let mut lines: Vec<(String, String)> = vec![("Organisation".into(), organisation(row))];
    let r = reference.as_str();
    if let Some(mailbox) = repo::mailbox_answers(conn, r).await? {
        if let Some(third) = &mailbox.third_party_ods_code {
            lines.push(("Managed by (ODS code)".into(), third.clone()));
        }
        let environments = repo::requested_environments(conn, r).await?;
        lines.push((
            "Environments".into(),
            environments
                .iter()
                .map(|e| e.label())
                .collect::<Vec<_>>()
                .join("\n"),
        ));
        let workflows = repo::requested_workflows(conn, r).await?;
        lines.push((
            "Workflows".into(),
            workflows
                .iter()
                .map(|(id, d)| {
                    format!(
                        "{id}: {}",
                        Direction::parse(d).map_or(d.as_str(), |d| d.label())
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ));
        lines.push((
            "Largest file".into(),
            FileSize::parse(&mailbox.file_size)
                .map_or(mailbox.file_size.clone(), |f| f.label().to_owned()),
        ));
        lines.push((
            "Mailbox manager".into(),
            format!(
                "{}\n{}\n{}",
                mailbox.contact_name, mailbox.contact_email, mailbox.contact_phone
            ),
        ));
    }
    if let Some(account) = repo::account_answers(conn, r).await? {
        lines.push((
            "Name".into(),
            format!("{} {}", account.first_name, account.last_name),
        ));
        lines.push(("Email".into(), row.applicant_email.clone()));
        lines.push((
            "Mailbox IDs".into(),
            repo::account_mailboxes(conn, r).await?.join("\n"),
        ));
        lines.push((
            "Connects through".into(),
            account.access_route.label().to_owned(),
        ));
        if let Some(card) = &account.smartcard_number {
            lines.push(("Smartcard number".into(), card.clone()));
        }
        lines.push(("Reason for access".into(), account.reason.clone()));
    }
    if let Some(request) = repo::workflow_request_answers(conn, r).await? {
        lines.push(("Proposed workflow ID".into(), request.proposed_id.clone()));
        let group = if request.new_group == 1 {
            format!("{} (a new group)", request.group_name)
        } else {
            request.group_name.clone()
        };
        lines.push(("Group".into(), group));
        lines.push(("Description".into(), request.description.clone()));
        lines.push((
            "Sending organisations".into(),
            request.sending_organisations.clone(),
        ));
        lines.push((
            "Receiving organisations".into(),
            request.receiving_organisations.clone(),
        ));
        lines.push((
            "Requested by".into(),
            format!("{} ({})", row.applicant_name, row.applicant_email),
        ));
    }
    Ok(lines)
}

/// Why an email about an application cannot be sent again.
fn resend_refusal(resent: crate::mail::Resent) -> Option<&'static str> {
    use crate::mail::Resent;
    match resent {
        Resent::Queued => None,
        Resent::Unknown => Some("There is no such email about this application"),
        Resent::Blanked => Some(
            "That email held a password or a one-time link, removed once it was sent. Issue a \
             new one instead (a new API password, or a new set-up link)",
        ),
    }
}

/// Queues the email `email_id` about an application again, and audits it.
pub async fn resend_email(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    email_id: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let resent = crate::mail::resend(&mut tx, email_id, reference.as_str(), now).await?;
    if let Some(message) = resend_refusal(resent) {
        return Err(AppError::Form(vec![FieldError::new("emails", message)]));
    }
    crate::audit::commit_with(
        tx,
        &state.mailer,
        &user.actor(),
        crate::audit::Event {
            action: "mail.resend",
            subject: format!("application:{reference}"),
            outcome: crate::audit::Outcome::Success,
            detail: String::new(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Makes `user` the application's assignee.
pub async fn assign_to_me(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut conn = state.db.pool.acquire().await?;
    if repo::assign(&mut conn, reference.as_str(), Some(&user.user_id), now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "There is no application with the reference {reference}"
        )))
    }
}
