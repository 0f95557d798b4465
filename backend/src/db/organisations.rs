//! SQL for organisations (ODS codes).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, FromRow, Row};

use model::organisations::{Organisation, OrganisationKind};

/// A stored organisation, as the columns hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationRow {
    pub ods_code: String,
    pub name: String,
    pub kind: String,
    pub postcode: String,
    pub town: String,
    pub source: String,
}

impl<'r> FromRow<'r, AnyRow> for OrganisationRow {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            ods_code: row.try_get("ods_code")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            postcode: row.try_get("postcode")?,
            town: row.try_get("town")?,
            source: row.try_get("source")?,
        })
    }
}

impl OrganisationRow {
    /// The organisation as pages show it; a kind the code does not know reads as "other".
    pub fn organisation(&self) -> Organisation {
        Organisation {
            ods_code: self.ods_code.clone(),
            name: self.name.clone(),
            kind: OrganisationKind::parse(&self.kind).unwrap_or(OrganisationKind::Other),
            postcode: self.postcode.clone(),
            town: self.town.clone(),
        }
    }
}

const COLUMNS: &str = "ods_code, name, kind, postcode, town, source";

/// A postcode as compared: upper-case, no spaces.
pub fn postcode_key(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Every organisation, ordered by ODS code.
pub async fn list_all(conn: &mut AnyConnection) -> sqlx::Result<Vec<OrganisationRow>> {
    sqlx::query_as::<Any, OrganisationRow>(&format!(
        "SELECT {COLUMNS} FROM organisations ORDER BY ods_code"
    ))
    .fetch_all(conn)
    .await
}

/// Adds an organisation.
pub async fn insert(conn: &mut AnyConnection, row: &OrganisationRow, now: i64) -> sqlx::Result<()> {
    let sql = format!(
        "INSERT INTO organisations ({COLUMNS}, postcode_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    );
    bind_row(sqlx::query(&sql), row, now)
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces an organisation's fields (all but its code and creation time).
pub async fn update(conn: &mut AnyConnection, row: &OrganisationRow, now: i64) -> sqlx::Result<()> {
    let sql = "UPDATE organisations SET name = $2, kind = $3, postcode = $4, town = $5, \
               source = $6, postcode_key = $7, updated_at = $8 WHERE ods_code = $1";
    bind_row(sqlx::query(sql), row, now)
        .execute(conn)
        .await
        .map(drop)
}

/// Binds a row's fields as `$1`..`$6` in [`COLUMNS`] order, its postcode key as `$7` and `now`
/// as `$8`.
fn bind_row<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    row: &'q OrganisationRow,
    now: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(&row.ods_code)
        .bind(&row.name)
        .bind(&row.kind)
        .bind(&row.postcode)
        .bind(&row.town)
        .bind(&row.source)
        .bind(postcode_key(&row.postcode))
        .bind(now)
}

/// Organisations whose ODS code or postcode starts with `compact` (the search upper-cased without
/// spaces), or whose name and town hold every one of `words` (lower-case) at the start of a word.
/// Exact codes first, then code prefixes, then postcodes, then by name; at most `limit`, with the
/// number that matched in all.
pub async fn search(
    conn: &mut AnyConnection,
    compact: &str,
    words: &[String],
    limit: usize,
) -> sqlx::Result<(Vec<OrganisationRow>, usize)> {
    // `~` never appears in a code or a postcode key, so a search too short to be one matches none.
    let prefix = if compact.len() >= 2 {
        format!("{compact}%")
    } else {
        "~".to_owned()
    };
    let mut name_match = String::from("FALSE");
    if !words.is_empty() {
        let each: Vec<String> = (0..words.len())
            .map(|i| {
                format!(
                    "(' ' || LOWER(name) || ' ' || LOWER(town) || ' ') LIKE ${}",
                    i + 3
                )
            })
            .collect();
        name_match = format!("({})", each.join(" AND "));
    }
    let filter =
        format!("ods_code = $1 OR ods_code LIKE $2 OR postcode_key LIKE $2 OR {name_match}");

    let count_sql = format!("SELECT COUNT(*) FROM organisations WHERE {filter}");
    let total: i64 = bind_search(sqlx::query(&count_sql), compact, &prefix, words)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;

    let list_sql = format!(
        "SELECT {COLUMNS} FROM organisations WHERE {filter} \
         ORDER BY CASE WHEN ods_code = $1 THEN 0 WHEN ods_code LIKE $2 THEN 1 \
         WHEN postcode_key LIKE $2 THEN 2 ELSE 3 END, name, ods_code LIMIT {limit}"
    );
    let rows = bind_search(sqlx::query(&list_sql), compact, &prefix, words)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(OrganisationRow::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((rows, usize::try_from(total).unwrap_or_default()))
}

/// Binds a search's values: the compact text as `$1`, its prefix pattern as `$2`, and one
/// word-start pattern per word from `$3`.
fn bind_search<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    compact: &str,
    prefix: &str,
    words: &[String],
) -> Query<'q, Any, AnyArguments<'q>> {
    let mut query = query.bind(compact.to_owned()).bind(prefix.to_owned());
    for word in words {
        query = query.bind(format!("% {word}%"));
    }
    query
}
