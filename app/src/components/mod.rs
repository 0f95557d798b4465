//! Reusable NHS.UK design-system pieces.

mod error_summary;
pub mod form;
mod pagination;
mod search_box;
mod status;
mod table;
mod tag;
pub mod upload;

pub use error_summary::{ErrorMessage, ErrorSummary, FieldError};
pub use pagination::Pagination;
pub use search_box::SearchBox;
pub use status::{HttpStatus, NotFoundContent};
pub use table::{Cell, ResultsTable};
pub use tag::Tag;
