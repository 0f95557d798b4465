//! The audit log as the service desk reads it: filtered on the page, or exported as CSV. Nothing
//! here (or anywhere in the application) changes or deletes an entry.

use crate::AppState;
use crate::catalogue::export::neutralise;
use crate::db::service_desk::{self as repo, AuditLine, AuditQuery};
use model::error::AppError;
use model::format_time;
use model::forms::FieldError;
use model::service_desk::{AuditFilter, AuditRow, AuditView, parse_day};

/// Entries the page shows at most; the export has them all (up to its own limit).
const PAGE_ROWS: i64 = 200;
/// Entries one export holds at most.
pub const EXPORT_ROWS: i64 = 10_000;
/// Longest text accepted in a filter field.
const FILTER_MAX_CHARS: usize = 200;

fn query(filter: &AuditFilter, limit: i64) -> Result<AuditQuery, AppError> {
    let mut errors = Vec::new();
    let text = |value: &str, field: &str, errors: &mut Vec<FieldError>| {
        let value = value.trim();
        if value.chars().count() > FILTER_MAX_CHARS {
            errors.push(FieldError::new(
                field,
                format!("Must be {FILTER_MAX_CHARS} characters or fewer"),
            ));
        }
        (!value.is_empty()).then(|| value.to_owned())
    };
    let day = |value: &str, field: &str, errors: &mut Vec<FieldError>| {
        if value.trim().is_empty() {
            return None;
        }
        let parsed = parse_day(value);
        if parsed.is_none() {
            errors.push(FieldError::new(
                field,
                "Enter a date in the format year-month-day, like 2026-11-29",
            ));
        }
        parsed
    };
    let query = AuditQuery {
        actor: text(&filter.actor, "actor", &mut errors),
        action: text(&filter.action, "action", &mut errors),
        subject: text(&filter.subject, "subject", &mut errors),
        from: day(&filter.from, "from", &mut errors),
        until: day(&filter.to, "to", &mut errors).map(|start| start + 86_400),
        limit,
    };
    if !errors.is_empty() {
        return Err(AppError::Form(errors));
    }
    Ok(query)
}

fn row(line: AuditLine) -> AuditRow {
    let actor = match (&line.actor_name, &line.actor_email) {
        (Some(name), Some(email)) => format!("{name} ({email})"),
        _ => line.actor.clone(),
    };
    AuditRow {
        at: format_time(line.at),
        actor,
        action: line.action,
        subject: line.subject,
        route: line.access_route,
        client_addr: line.client_addr,
        outcome: line.outcome,
        detail: line.detail,
    }
}

/// The page: the newest matching entries.
pub async fn page(state: &AppState, filter: AuditFilter) -> Result<AuditView, AppError> {
    let query = query(&filter, PAGE_ROWS + 1)?;
    let mut conn = state.db.pool.acquire().await?;
    let mut lines = repo::audit(&mut conn, &query).await?;
    let more = lines.len() as i64 > PAGE_ROWS;
    lines.truncate(PAGE_ROWS as usize);
    Ok(AuditView {
        filter,
        rows: lines.into_iter().map(row).collect(),
        more,
    })
}

/// The export: every matching entry (newest first) as CSV, with cells a spreadsheet would run as
/// a formula neutralised.
pub async fn csv(state: &AppState, filter: &AuditFilter) -> Result<Vec<u8>, AppError> {
    let query = query(filter, EXPORT_ROWS)?;
    let mut conn = state.db.pool.acquire().await?;
    let lines = repo::audit(&mut conn, &query).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| {
        tracing::error!(%error, "could not write the audit CSV");
        AppError::Internal
    };
    writer
        .write_record([
            "time (UTC)",
            "actor",
            "action",
            "subject",
            "access route",
            "client address",
            "outcome",
            "detail",
        ])
        .map_err(failed)?;
    for line in lines {
        let at = iso_time(line.at);
        let row = row(line);
        writer
            .write_record([
                at.as_str(),
                &neutralise(&row.actor),
                &neutralise(&row.action),
                &neutralise(&row.subject),
                &neutralise(&row.route),
                &neutralise(&row.client_addr),
                &neutralise(&row.outcome),
                &neutralise(&row.detail),
            ])
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|error| failed(error.into_error().into()))
}

/// `2026-11-29T14:05:09Z`, for spreadsheets.
fn iso_time(unix: i64) -> String {
    let (year, month, day, seconds) = model::civil_time(unix);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}
