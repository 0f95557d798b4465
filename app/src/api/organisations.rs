//! Server functions of the organisation (ODS code) finder.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::organisations::OrganisationResults;

/// Organisations matching an ODS code, name or town words, or a postcode.
#[server(prefix = "/api", endpoint = "search_organisations")]
pub async fn search_organisations(q: String) -> Result<OrganisationResults, AppError> {
    let state = crate::request::app_state()?;
    crate::backend::organisations::search(&state.db, &q).await
}
