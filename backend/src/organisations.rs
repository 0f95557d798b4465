//! The organisation (ODS code) service: the finder's search, lookups by code, and the seed sync
//! of `seed-data/organisations.csv`.

use std::collections::HashMap;

use super::catalogue::index::words_of;
use super::db::Db;
use super::db::organisations::{self as repo, OrganisationRow};
use super::now_unix;
use super::seed::{Cells, SeedAction, SeedError, SeedReport, read_rows};
use model::error::AppError;
use model::organisations::{
    ORGANISATION_RESULTS_MAX, OdsCode, OrganisationKind, OrganisationResults,
    organisation_search_error,
};

/// The columns an organisations seed file must have, in any order.
pub const COLUMNS: [&str; 5] = ["ods_code", "name", "kind", "postcode", "town"];

/// Finds organisations by ODS code, name or town words, or postcode (with or without its space, in
/// any case). An empty search finds nothing.
pub async fn search(db: &Db, q: &str) -> Result<OrganisationResults, AppError> {
    if let Some(message) = organisation_search_error(q) {
        return Err(AppError::invalid("q", message));
    }
    let compact: String = q
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    let words: Vec<String> = words_of(q).collect();
    if compact.is_empty() && words.is_empty() {
        return Ok(OrganisationResults {
            items: Vec::new(),
            total: 0,
        });
    }
    let mut conn = db.pool.acquire().await.map_err(internal)?;
    let (rows, total) = repo::search(&mut conn, &compact, &words, ORGANISATION_RESULTS_MAX)
        .await
        .map_err(internal)?;
    Ok(OrganisationResults {
        items: rows.iter().map(OrganisationRow::organisation).collect(),
        total,
    })
}

fn internal(error: sqlx::Error) -> AppError {
    tracing::error!(error = %error, "organisation lookup failed");
    AppError::Unavailable
}

/// Reads an organisations CSV (`file` names it in messages) and brings the database in line with
/// it, as the workflow sync does: idempotent, bad rows reported, service desk edits kept.
pub async fn sync(db: &Db, file: &str, contents: &[u8]) -> Result<SeedReport, SeedError> {
    let (rows, problems) = read_rows(file, contents, &COLUMNS, row_from_cells, |row| {
        format!("ODS code {}", row.ods_code)
    })?;
    let mut report = SeedReport {
        file: file.to_owned(),
        problems,
        ..SeedReport::default()
    };
    let now = now_unix();
    let mut tx = db.begin().await?;
    let existing: HashMap<String, OrganisationRow> = repo::list_all(&mut tx)
        .await?
        .into_iter()
        .map(|row| (row.ods_code.clone(), row))
        .collect();
    for row in &rows {
        let stored = existing.get(&row.ods_code);
        let action = SeedAction::decide(stored.map(|s| (s, s.source.as_str())), row);
        match action {
            SeedAction::Insert => repo::insert(&mut tx, row, now).await?,
            SeedAction::Update => repo::update(&mut tx, row, now).await?,
            SeedAction::Unchanged | SeedAction::KeepLocal => {}
        }
        report.record(action);
    }
    tx.commit().await?;
    Ok(report)
}

fn row_from_cells(cells: &Cells<'_>) -> Result<OrganisationRow, String> {
    let typed = cells.get("ods_code");
    let code = OdsCode::parse(typed).map_err(|e| format!("ods_code ‘{typed}’: {e}"))?;
    if typed != code.as_str() {
        return Err(format!("ods_code ‘{typed}’: must be in capital letters"));
    }
    let name = cells.get("name");
    if name.is_empty() {
        return Err(format!("{code}: the name is empty"));
    }
    let kind = OrganisationKind::parse(cells.get("kind")).ok_or_else(|| {
        let known: Vec<&str> = OrganisationKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "{code}: unknown kind ‘{}’ (use {})",
            cells.get("kind"),
            known.join(", ")
        )
    })?;
    Ok(OrganisationRow {
        ods_code: code.to_string(),
        name: name.to_owned(),
        kind: kind.as_str().to_owned(),
        postcode: cells.get("postcode").to_uppercase(),
        town: cells.get("town").to_owned(),
        source: "seed".to_owned(),
    })
}
