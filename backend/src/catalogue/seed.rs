//! Loads `seed-data/workflows.csv` into the catalogue, idempotently.
//!
//! Rerunning with the same file changes nothing; an edited row updates its workflow; a new row
//! adds one. A bad row is reported with the file, line and reason, and every other row still
//! loads. Rows the service desk has taken over (`source = 'service_desk'`) are never overwritten,
//! and workflows that disappear from the file are left alone: mailboxes and messages refer to
//! them, so the catalogue only ever retires IDs, never deletes them.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::db::Db;
use crate::db::workflows::{self, WorkflowRow, Write};
use crate::now_unix;
use crate::seed::{Cells, SeedAction, SeedError, SeedProblem, SeedReport, read_rows};
use model::catalogue::{WorkflowId, WorkflowStatus};

/// The columns a workflows seed file must have, in any order.
pub const COLUMNS: [&str; 8] = [
    "workflow_id",
    "group",
    "description",
    "direction",
    "ack_of",
    "status",
    "hscn_only",
    "test_first",
];

/// Reads a workflows CSV (`file` names it in messages) and brings the database in line with it.
pub async fn sync_workflows(db: &Db, file: &str, contents: &[u8]) -> Result<SeedReport, SeedError> {
    let (rows, problems) = parse(file, contents)?;
    let mut report = SeedReport {
        file: file.to_owned(),
        problems,
        ..SeedReport::default()
    };
    let mut tx = db.begin().await?;
    apply(&mut tx, &rows, &mut report).await?;
    tx.commit().await?;
    Ok(report)
}

async fn apply(
    conn: &mut AnyConnection,
    rows: &[WorkflowRow],
    report: &mut SeedReport,
) -> sqlx::Result<()> {
    let now = now_unix();
    let existing: HashMap<String, WorkflowRow> = workflows::list_all(conn)
        .await?
        .into_iter()
        .map(|row| (row.workflow_id.clone(), row))
        .collect();
    for row in rows {
        let stored = existing.get(&row.workflow_id);
        let action = SeedAction::decide(stored.map(|s| (s, s.source.as_str())), row);
        match action {
            SeedAction::Insert => workflows::save(conn, row, Write::Insert, now).await?,
            SeedAction::Update => workflows::save(conn, row, Write::Update, now).await?,
            SeedAction::Unchanged | SeedAction::KeepLocal => {}
        }
        report.record(action);
    }
    Ok(())
}

/// Parses the file into rows to load and problems to report.
pub fn parse(
    file: &str,
    contents: &[u8],
) -> Result<(Vec<WorkflowRow>, Vec<SeedProblem>), SeedError> {
    read_rows(file, contents, &COLUMNS, row_from_cells, |row| {
        format!("workflow ID {}", row.workflow_id)
    })
}

fn row_from_cells(cells: &Cells<'_>) -> Result<WorkflowRow, String> {
    let cell = |column: &str| cells.get(column);
    let workflow_id = WorkflowId::parse(cell("workflow_id"))
        .map_err(|e| format!("workflow_id ‘{}’: {e}", cell("workflow_id")))?;
    let group = cell("group");
    if group.is_empty() {
        return Err(format!("{workflow_id}: the group is empty"));
    }
    let description = cell("description");
    if description.is_empty() {
        return Err(format!("{workflow_id}: the description is empty"));
    }
    let status = WorkflowStatus::parse(cell("status")).ok_or_else(|| {
        format!(
            "{workflow_id}: unknown status ‘{}’ (use active or retired)",
            cell("status")
        )
    })?;
    let ack_of = match cell("ack_of") {
        "" => None,
        text => Some(
            WorkflowId::parse(text)
                .map_err(|e| format!("{workflow_id}: ack_of ‘{text}’: {e}"))?
                .to_string(),
        ),
    };
    if ack_of.as_deref() == Some(workflow_id.as_str()) {
        return Err(format!(
            "{workflow_id}: a workflow cannot acknowledge itself"
        ));
    }
    let flag = |column: &str| -> Result<bool, String> {
        match cell(column).to_ascii_lowercase().as_str() {
            "" | "no" | "n" | "false" => Ok(false),
            "yes" | "y" | "true" => Ok(true),
            other => Err(format!(
                "{workflow_id}: {column} ‘{other}’ must be yes or no"
            )),
        }
    };
    Ok(WorkflowRow {
        workflow_id: workflow_id.to_string(),
        group_name: group.to_owned(),
        description: description.to_owned(),
        direction: cell("direction").to_owned(),
        ack_of,
        status,
        hscn_only: flag("hscn_only")?,
        test_first: flag("test_first")?,
        source: "seed".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "workflow_id,group,description,direction,ack_of,status,hscn_only,test_first\n";

    fn parsed(body: &str) -> (Vec<WorkflowRow>, Vec<SeedProblem>) {
        parse("workflows.csv", format!("{HEADER}{body}").as_bytes()).unwrap()
    }

    #[test]
    fn reads_a_good_row() {
        let (rows, problems) = parsed("CRDLGY_SCANS,Cardiology,Scans,Trust to GP,,active,yes,no\n");
        assert!(problems.is_empty());
        assert_eq!(rows[0].workflow_id, "CRDLGY_SCANS");
        assert!(rows[0].hscn_only);
        assert!(!rows[0].test_first);
    }

    #[test]
    fn reports_each_bad_row_with_its_line_and_reason() {
        let (rows, problems) = parsed(concat!(
            "GOOD_ONE,G,Fine,,,active,,\n",
            ",G,Empty ID,,,active,,\n",
            "lower_case,G,Lower,,,active,,\n",
            "HAS SPACE,G,Space,,,active,,\n",
            "ODD_STATUS,G,Status,,,pending,,\n",
            "GOOD_ONE,G,Again,,,active,,\n",
            "BAD_FLAG,G,Flag,,,active,maybe,\n",
        ));
        assert_eq!(rows.len(), 1);
        let lines: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.line, p.reason.as_str()))
            .collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], (3, "workflow_id ‘’: Enter a workflow ID"));
        assert!(lines[1].1.contains("capital letters"), "{lines:?}");
        assert!(lines[2].1.contains("spaces"), "{lines:?}");
        assert!(lines[3].1.contains("unknown status ‘pending’"), "{lines:?}");
        assert_eq!(
            lines[4],
            (7, "duplicate workflow ID GOOD_ONE (first on line 2)")
        );
        assert!(lines[5].1.contains("hscn_only ‘maybe’"), "{lines:?}");
        assert_eq!(
            problems[0].to_string(),
            "workflows.csv, line 3: workflow_id ‘’: Enter a workflow ID"
        );
    }

    #[test]
    fn refuses_a_file_without_a_required_column() {
        let error = parse("w.csv", b"workflow_id,group\nA,B\n").unwrap_err();
        assert!(
            error.to_string().contains("no ‘description’ column"),
            "{error}"
        );
    }
}
