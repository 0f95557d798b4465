//! SQL for the workflow catalogue: groups, workflows and the catalogue revision.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, FromRow, Row};

use model::catalogue::{WorkflowStatus, WorkflowSummary};

/// A stored workflow, as the columns hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRow {
    pub workflow_id: String,
    pub group_name: String,
    pub description: String,
    pub direction: String,
    pub ack_of: Option<String>,
    pub status: WorkflowStatus,
    pub hscn_only: bool,
    pub test_first: bool,
    pub source: String,
}

impl<'r> FromRow<'r, AnyRow> for WorkflowRow {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            workflow_id: row.try_get("workflow_id")?,
            group_name: row.try_get("group_name")?,
            description: row.try_get("description")?,
            direction: row.try_get("direction")?,
            ack_of: row.try_get("ack_of")?,
            status: row.try_get("status")?,
            hscn_only: row.try_get::<i64, _>("hscn_only")? != 0,
            test_first: row.try_get::<i64, _>("test_first")? != 0,
            source: row.try_get("source")?,
        })
    }
}

impl WorkflowRow {
    /// The summary shown in lists.
    pub fn summary(&self) -> WorkflowSummary {
        WorkflowSummary {
            workflow_id: self.workflow_id.clone(),
            group: self.group_name.clone(),
            description: self.description.clone(),
            status: self.status,
            hscn_only: self.hscn_only,
            test_first: self.test_first,
            ack_of: self.ack_of.clone(),
        }
    }
}

const COLUMNS: &str = "workflow_id, group_name, description, direction, ack_of, status, \
                       hscn_only, test_first, source";

/// Every workflow, ordered by ID.
pub async fn list_all(conn: &mut AnyConnection) -> sqlx::Result<Vec<WorkflowRow>> {
    sqlx::query_as::<Any, WorkflowRow>(&format!(
        "SELECT {COLUMNS} FROM workflows ORDER BY workflow_id"
    ))
    .fetch_all(conn)
    .await
}

/// The names of every group.
pub async fn list_group_names(conn: &mut AnyConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar::<Any, String>("SELECT name FROM workflow_groups ORDER BY name")
        .fetch_all(conn)
        .await
}

/// Whether [`save`] adds a workflow or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Insert,
    Update,
}

/// Adds or changes a workflow (making its group first if it is new), and moves the catalogue's
/// revision on, so that every instance rereads it: the one way the catalogue is written.
pub async fn save(
    conn: &mut AnyConnection,
    row: &WorkflowRow,
    write: Write,
    now: i64,
) -> sqlx::Result<()> {
    insert_group(conn, &row.group_name, now).await?;
    match write {
        Write::Insert => insert(conn, row, now).await?,
        Write::Update => update(conn, row, now).await?,
    }
    bump_revision(conn).await
}

/// Adds a group unless it is there.
async fn insert_group(conn: &mut AnyConnection, name: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO workflow_groups (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}

/// Adds a workflow.
async fn insert(conn: &mut AnyConnection, row: &WorkflowRow, now: i64) -> sqlx::Result<()> {
    let sql = format!(
        "INSERT INTO workflows ({COLUMNS}, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
    );
    bind_row(sqlx::query(&sql), row, now)
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces a workflow's fields (all but its ID and creation time).
async fn update(conn: &mut AnyConnection, row: &WorkflowRow, now: i64) -> sqlx::Result<()> {
    let sql = "UPDATE workflows SET group_name = $2, description = $3, direction = $4, \
               ack_of = $5, status = $6, hscn_only = $7, test_first = $8, source = $9, \
               updated_at = $10 WHERE workflow_id = $1";
    bind_row(sqlx::query(sql), row, now)
        .execute(conn)
        .await
        .map(drop)
}

/// Binds a row's fields as `$1`..`$9` in [`COLUMNS`] order, and `now` as `$10`.
fn bind_row<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    row: &'q WorkflowRow,
    now: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(&row.workflow_id)
        .bind(&row.group_name)
        .bind(&row.description)
        .bind(&row.direction)
        .bind(&row.ack_of)
        .bind(row.status)
        .bind(i64::from(row.hscn_only))
        .bind(i64::from(row.test_first))
        .bind(&row.source)
        .bind(now)
}

/// The catalogue's revision: it changes whenever any workflow or group does.
pub async fn revision(conn: &mut AnyConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT revision FROM catalogue_revision WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Marks the catalogue as changed, in the transaction that changes it.
async fn bump_revision(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1")
        .execute(conn)
        .await
        .map(drop)
}
