//! What every seed-file sync shares: reading a CSV file with named columns, reporting each bad
//! row with its file, line and reason while the rest still load, refusing duplicate keys, and the
//! report of what a sync did.

use std::collections::HashMap;
use std::fmt;

/// A row that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedProblem {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for SeedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.reason)
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub file: String,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows the service desk has since edited; the file does not override them.
    pub kept_local: usize,
    pub problems: Vec<SeedProblem>,
}

impl SeedReport {
    /// Whether the sync changed the database.
    pub fn changed(&self) -> bool {
        self.inserted + self.updated > 0
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} added, {} updated, {} unchanged, {} kept as edited by the service desk, {} rejected",
            self.file,
            self.inserted,
            self.updated,
            self.unchanged,
            self.kept_local,
            self.problems.len()
        )
    }
}

/// What a sync does with one row of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedAction {
    Insert,
    Update,
    Unchanged,
    /// The service desk has edited the stored row: the file never overrides it.
    KeepLocal,
}

impl SeedAction {
    /// Decides for `row`, given the stored row with the same key and who owns it (`"seed"` or
    /// `"service_desk"`), if there is one.
    pub fn decide<T: PartialEq>(stored: Option<(&T, &str)>, row: &T) -> Self {
        match stored {
            None => Self::Insert,
            Some((_, source)) if source != "seed" => Self::KeepLocal,
            Some((stored, _)) if stored == row => Self::Unchanged,
            Some(_) => Self::Update,
        }
    }
}

impl SeedReport {
    /// Counts one row's action.
    pub fn record(&mut self, action: SeedAction) {
        match action {
            SeedAction::Insert => self.inserted += 1,
            SeedAction::Update => self.updated += 1,
            SeedAction::Unchanged => self.unchanged += 1,
            SeedAction::KeepLocal => self.kept_local += 1,
        }
    }
}

/// A problem that stops a whole file from loading.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("could not write the seed data to the database: {0}")]
    Database(#[from] sqlx::Error),
}

/// One CSV record's cells, by column name.
pub struct Cells<'a> {
    record: &'a csv::StringRecord,
    position: &'a HashMap<&'static str, usize>,
}

impl<'a> Cells<'a> {
    /// The cell of a column (trimmed; empty when the row is short).
    pub fn get(&self, column: &str) -> &'a str {
        self.record.get(self.position[column]).unwrap_or_default()
    }
}

/// Reads a CSV file whose header row names at least `columns` (in any order and case). Each row
/// goes through `parse`; a row it refuses, a row that cannot be read, and a row whose `key` was
/// already seen are reported and left out, and every other row is returned.
pub fn read_rows<T>(
    file: &str,
    contents: &[u8],
    columns: &[&'static str],
    parse: impl Fn(&Cells<'_>) -> Result<T, String>,
    key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, Vec<SeedProblem>), SeedError> {
    let file_error = |reason: String| SeedError::File {
        file: file.to_owned(),
        reason,
    };
    let problem = |line: u64, reason: String| SeedProblem {
        file: file.to_owned(),
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(contents);
    let headers = reader
        .headers()
        .map_err(|e| file_error(format!("cannot read the header row: {e}")))?
        .clone();
    let mut position = HashMap::new();
    for &column in columns {
        let at = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .ok_or_else(|| file_error(format!("the header row has no ‘{column}’ column")))?;
        position.insert(column, at);
    }

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or_default();
                problems.push(problem(line, format!("cannot read the row: {e}")));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or_default();
        let cells = Cells {
            record: &record,
            position: &position,
        };
        match parse(&cells) {
            Err(reason) => problems.push(problem(line, reason)),
            Ok(row) => {
                let key = key(&row);
                if let Some(first) = first_line.get(&key) {
                    problems.push(problem(
                        line,
                        format!("duplicate {key} (first on line {first})"),
                    ));
                } else {
                    first_line.insert(key, line);
                    rows.push(row);
                }
            }
        }
    }
    Ok((rows, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<(Vec<String>, Vec<SeedProblem>), SeedError> {
        read_rows(
            "things.csv",
            body.as_bytes(),
            &["name", "size"],
            |cells| match cells.get("size") {
                "big" | "small" => Ok(format!("{}:{}", cells.get("name"), cells.get("size"))),
                other => Err(format!("unknown size ‘{other}’")),
            },
            |row| row.split(':').next().unwrap_or_default().to_owned(),
        )
    }

    #[test]
    fn reads_columns_in_any_order_and_reports_bad_rows_by_line() {
        let (rows, problems) = read("SIZE,Name\nbig,a\nhuge,b\nsmall,a\nsmall,c\n").unwrap();
        assert_eq!(rows, ["a:big", "c:small"]);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "things.csv, line 3: unknown size ‘huge’",
                "things.csv, line 4: duplicate a (first on line 2)",
            ]
        );
    }

    #[test]
    fn never_overrides_a_row_the_service_desk_owns() {
        let row = "same".to_owned();
        let other = "other".to_owned();
        assert_eq!(SeedAction::decide(None, &row), SeedAction::Insert);
        assert_eq!(
            SeedAction::decide(Some((&row, "seed")), &row),
            SeedAction::Unchanged
        );
        assert_eq!(
            SeedAction::decide(Some((&other, "seed")), &row),
            SeedAction::Update
        );
        assert_eq!(
            SeedAction::decide(Some((&other, "service_desk")), &row),
            SeedAction::KeepLocal
        );
    }

    #[test]
    fn refuses_a_file_without_a_required_column() {
        let error = read("name\na\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "things.csv: the header row has no ‘size’ column"
        );
    }
}
