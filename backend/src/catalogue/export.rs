//! The catalogue search as a CSV download.
//!
//! Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
//! carriage return) as a formula. Every such cell is written with a leading apostrophe, so a
//! description can never become a formula on a service desk's machine.

use super::index::Entry;

/// The CSV header row: the seed file's columns, so an export can be loaded as seed data.
pub const HEADER: [&str; 8] = super::seed::COLUMNS;

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes entries as CSV, header first.
pub fn to_csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for entry in entries {
        let s = &entry.summary;
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        writer.write_record([
            neutralise(&s.workflow_id).as_ref(),
            &neutralise(&s.group),
            &neutralise(&s.description),
            &neutralise(&entry.direction),
            &neutralise(s.ack_of.as_deref().unwrap_or_default()),
            s.status.as_str(),
            yes_no(s.hscn_only),
            yes_no(s.test_first),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_cells_that_spreadsheets_would_run() {
        for cell in ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["Cardiology", "", "a=b", "1-2"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }
}
