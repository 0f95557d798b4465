//! Endpoint lookup (the mailboxes of an ODS code that receive a workflow) and workflow search
//! (every mailbox that receives it). A request with a token is answered for its mailbox's
//! environment; one without, for every environment.

use serde_json::{Value, json};

use super::{ApiVersion, MeshError};
use crate::AppState;
use crate::db::mailboxes as repo;

/// The environment a lookup is for: that of the asking mailbox, or all (`""`).
async fn environment_of(state: &AppState, mailbox: Option<&str>) -> Result<String, MeshError> {
    let Some(mailbox) = mailbox else {
        return Ok(String::new());
    };
    let mut conn = state.db.pool.acquire().await?;
    Ok(repo::mailbox_info(&mut conn, mailbox)
        .await?
        .map(|m| m.environment.as_str().to_owned())
        .unwrap_or_default())
}

/// `endpointlookup/{ods_code}/{workflow_id}`.
pub async fn endpoint_lookup(
    state: &AppState,
    mailbox: Option<&str>,
    ods_code: &str,
    workflow_id: &str,
    version: ApiVersion,
) -> Result<Value, MeshError> {
    let environment = environment_of(state, mailbox).await?;
    let ods_code = ods_code.trim().to_ascii_uppercase();
    let mut conn = state.db.pool.acquire().await?;
    let found = repo::receivers(&mut conn, &ods_code, workflow_id.trim(), &environment).await?;
    Ok(match version {
        ApiVersion::V2 => json!({
            "results": found.iter().map(|m| json!({"mailbox_id": m.mailbox_id, "mailbox_name": m.name})).collect::<Vec<_>>(),
        }),
        ApiVersion::V1 => json!({
            "query_id": format!("{}_{}", ods_code, workflow_id.trim()),
            "results": found.iter().map(|m| json!({
                "address": m.mailbox_id,
                "description": m.name,
                "endpoint_type": "MESH",
            })).collect::<Vec<_>>(),
        }),
    })
}

/// `workflowsearch/{workflow_id}`: the same shape in both versions.
pub async fn workflow_search(
    state: &AppState,
    mailbox: Option<&str>,
    workflow_id: &str,
) -> Result<Value, MeshError> {
    let environment = environment_of(state, mailbox).await?;
    let mut conn = state.db.pool.acquire().await?;
    let found = repo::receivers(&mut conn, "", workflow_id.trim(), &environment).await?;
    Ok(json!({
        "results": found.iter().map(|m| json!({"mailbox_id": m.mailbox_id, "mailbox_name": m.name})).collect::<Vec<_>>(),
    }))
}
