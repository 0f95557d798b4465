//! The service desk's care of the workflow ID catalogue: add an entry, edit one, retire it or make
//! it active again. An entry the service desk has touched belongs to it from then on: the seed
//! file never overwrites it. Each change bumps the catalogue's revision in its transaction, with
//! its audit entry; this instance rereads the catalogue at once and the others within seconds.

use crate::AppState;
use crate::audit::{self, Event, Outcome};
use crate::db::mailboxes::count_registered;
use crate::db::workflows::{self as repo, WorkflowRow, Write};
use crate::guard::CurrentUser;
use model::catalogue::WorkflowStatus;
use model::error::AppError;
use model::forms::FieldError;
use model::service_desk::workflows::{LIST_LIMIT, WorkflowEditView, WorkflowEntry, WorkflowList};

/// The catalogue's entries whose ID, group or description contains `q`, retired ones too.
pub async fn list(state: &AppState, q: &str) -> Result<WorkflowList, AppError> {
    if q.chars().count() > model::catalogue::SEARCH_TEXT_MAX_LEN {
        return Err(AppError::invalid(
            "q",
            format!(
                "Search must be {} characters or fewer",
                model::catalogue::SEARCH_TEXT_MAX_LEN
            ),
        ));
    }
    let needle = q.trim().to_lowercase();
    let mut conn = state.db.pool.acquire().await?;
    let rows = repo::list_all(&mut conn).await?;
    let matching: Vec<_> = rows
        .iter()
        .filter(|w| {
            needle.is_empty()
                || [&w.workflow_id, &w.group_name, &w.description]
                    .iter()
                    .any(|text| text.to_lowercase().contains(&needle))
        })
        .collect();
    Ok(WorkflowList {
        q: q.to_owned(),
        more: matching.len() > LIST_LIMIT,
        retired: matching
            .iter()
            .filter(|w| w.status != WorkflowStatus::Active)
            .count(),
        items: matching
            .iter()
            .take(LIST_LIMIT)
            .map(|w| w.summary())
            .collect(),
    })
}

fn entry_of(row: &WorkflowRow) -> WorkflowEntry {
    WorkflowEntry {
        workflow_id: row.workflow_id.clone(),
        group: row.group_name.clone(),
        description: row.description.clone(),
        direction: row.direction.clone(),
        ack_of: row.ack_of.clone(),
        hscn_only: row.hscn_only,
        test_first: row.test_first,
    }
}

/// The add page (`workflow_id` empty) or an entry's edit page.
pub async fn edit_view(state: &AppState, workflow_id: &str) -> Result<WorkflowEditView, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let groups = repo::list_group_names(&mut conn).await?;
    if workflow_id.is_empty() {
        return Ok(WorkflowEditView {
            groups,
            ..WorkflowEditView::default()
        });
    }
    let row = repo::list_all(&mut conn)
        .await?
        .into_iter()
        .find(|w| w.workflow_id == workflow_id)
        .ok_or_else(|| {
            AppError::NotFound(format!("{workflow_id} is not in the workflow ID catalogue"))
        })?;
    let mailboxes = count_registered(&mut conn, workflow_id).await?;
    Ok(WorkflowEditView {
        entry: Some(entry_of(&row)),
        retired: row.status != WorkflowStatus::Active,
        source: row.source.clone(),
        mailboxes,
        groups,
    })
}

/// A change to the catalogue from the service desk's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueChange {
    /// A new entry, from the "add" page.
    Add(WorkflowEntry),
    /// An entry's page saved: `entry.workflow_id` is the page's own.
    Edit(WorkflowEntry),
    Retire {
        workflow_id: String,
    },
    Reinstate {
        workflow_id: String,
    },
}

impl CatalogueChange {
    fn workflow_id(&self) -> &str {
        match self {
            Self::Add(entry) | Self::Edit(entry) => &entry.workflow_id,
            Self::Retire { workflow_id } | Self::Reinstate { workflow_id } => workflow_id,
        }
    }
}

/// Makes `change` to the catalogue with its audit entry, then reloads the catalogue's search;
/// returns the entry's workflow ID.
pub async fn save(
    state: &AppState,
    by: &CurrentUser,
    change: CatalogueChange,
) -> Result<String, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let stored = repo::list_all(&mut tx).await?;
    let existing = stored
        .iter()
        .find(|w| w.workflow_id == change.workflow_id());
    let adding = matches!(change, CatalogueChange::Add(_));
    let not_found = || {
        AppError::NotFound(format!(
            "{} is not in the workflow ID catalogue",
            change.workflow_id()
        ))
    };
    if !adding && existing.is_none() {
        return Err(not_found());
    }
    let (row, audit_action, detail) = match change {
        CatalogueChange::Retire { .. } | CatalogueChange::Reinstate { .. } => {
            let current = existing.ok_or_else(not_found)?;
            let (status, action) = if matches!(change, CatalogueChange::Retire { .. }) {
                (WorkflowStatus::Retired, "workflow.retire")
            } else {
                (WorkflowStatus::Active, "workflow.reinstate")
            };
            let row = WorkflowRow {
                status,
                source: "service_desk".to_owned(),
                ..current.clone()
            };
            (row, action, "by the service desk".to_owned())
        }
        CatalogueChange::Add(ref entry) | CatalogueChange::Edit(ref entry) => {
            if adding && existing.is_some() {
                return Err(AppError::Form(vec![FieldError::new(
                    "workflow_id",
                    format!(
                        "{} is already in the catalogue. Find it in the list to change it",
                        entry.workflow_id
                    ),
                )]));
            }
            if entry.ack_of.as_deref() == Some(entry.workflow_id.as_str()) {
                return Err(AppError::Form(vec![FieldError::new(
                    "ack_of",
                    "A workflow cannot acknowledge itself",
                )]));
            }
            let row = WorkflowRow {
                workflow_id: entry.workflow_id.clone(),
                group_name: entry.group.clone(),
                description: entry.description.clone(),
                direction: entry.direction.clone(),
                ack_of: entry.ack_of.clone(),
                status: existing.map_or(WorkflowStatus::Active, |w| w.status),
                hscn_only: entry.hscn_only,
                test_first: entry.test_first,
                source: "service_desk".to_owned(),
            };
            match existing {
                None => (row, "workflow.add", format!("added to {}", entry.group)),
                Some(before) => {
                    let detail = changes(before, &row);
                    (row, "workflow.edit", detail)
                }
            }
        }
    };
    let write = if adding { Write::Insert } else { Write::Update };
    repo::save(&mut tx, &row, write, now).await?;
    audit::record(
        &mut tx,
        &by.actor(),
        Event {
            action: audit_action,
            subject: format!("workflow:{}", row.workflow_id),
            outcome: Outcome::Success,
            detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.catalogue.show_change(&state.db).await;
    Ok(row.workflow_id)
}

/// What an edit changed, for the audit log: "description, hscn_only" or "nothing".
fn changes(before: &WorkflowRow, after: &WorkflowRow) -> String {
    let mut changed = Vec::new();
    if before.group_name != after.group_name {
        changed.push(format!(
            "group {} → {}",
            before.group_name, after.group_name
        ));
    }
    if before.description != after.description {
        changed.push("description".to_owned());
    }
    if before.direction != after.direction {
        changed.push("who sends and receives".to_owned());
    }
    if before.ack_of != after.ack_of {
        changed.push("acknowledges".to_owned());
    }
    if before.hscn_only != after.hscn_only {
        changed.push(format!("HSCN only: {}", yes_no(after.hscn_only)));
    }
    if before.test_first != after.test_first {
        changed.push(format!("test first: {}", yes_no(after.test_first)));
    }
    if changed.is_empty() {
        "nothing changed".to_owned()
    } else {
        format!("changed {}", changed.join(", "))
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}
