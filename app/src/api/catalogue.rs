//! Server functions of the workflow ID catalogue.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::catalogue::{GroupCount, SearchRequest, SearchResults, WorkflowDetail};

#[cfg(feature = "ssr")]
async fn fresh_catalogue() -> Result<std::sync::Arc<crate::backend::catalogue::Catalogue>, AppError>
{
    let state = crate::request::app_state()?;
    state.catalogue.follow(&state.db).await;
    Ok(state.catalogue)
}

/// One page of the workflow IDs that match a search.
#[server(prefix = "/api", endpoint = "search_workflows")]
pub async fn search_workflows(request: SearchRequest) -> Result<SearchResults, AppError> {
    fresh_catalogue().await?.search(&request)
}

/// Every workflow group with its number of workflow IDs.
#[server(prefix = "/api", endpoint = "list_workflow_groups")]
pub async fn list_workflow_groups() -> Result<Vec<GroupCount>, AppError> {
    Ok(fresh_catalogue().await?.index().groups().to_vec())
}

/// One catalogue entry.
#[server(prefix = "/api", endpoint = "get_workflow")]
pub async fn get_workflow(workflow_id: String) -> Result<WorkflowDetail, AppError> {
    fresh_catalogue()
        .await?
        .get(&workflow_id)
        .ok_or_else(|| AppError::NotFound(format!("There is no workflow ID {workflow_id}.")))
}
