//! `/workflows/{workflow_id}`: one catalogue entry.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{WorkflowIdText, WorkflowTags};
use crate::api::catalogue::get_workflow;
use crate::components::{HttpStatus, NotFoundContent};
use crate::error::AppError;
use crate::model::catalogue::{WorkflowDetail, encode_query_value};

/// One workflow ID, its group, rules and acknowledgement pair.
#[component]
pub fn WorkflowPage() -> impl IntoView {
    let params = use_params_map();
    let workflow_id = move || params.read().get("workflow_id").unwrap_or_default();
    let entry = Resource::new(workflow_id, get_workflow);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(detail) => view! { <Entry detail /> }.into_any(),
                    Err(AppError::NotFound(message)) => {
                        view! { <NotFoundContent detail=message /> }.into_any()
                    }
                    Err(error) => view! {
                        <HttpStatus code=error.status_code().as_u16() />
                        <Title text="Sorry, there is a problem with the service" />
                        <h1 class="nhsuk-heading-l">"Sorry, there is a problem with the service"</h1>
                        <p>{error.to_string()}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Entry(detail: WorkflowDetail) -> impl IntoView {
    let summary = detail.summary;
    let id = summary.workflow_id.clone();
    let group_href = format!("/workflows?group={}", encode_query_value(&summary.group));
    let acknowledges = summary.ack_of.clone().map(|original| {
        view! {
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Acknowledges"</dt>
                <dd class="nhsuk-summary-list__value">
                    <a href=format!("/workflows/{original}")>{original.clone()}</a>
                </dd>
            </div>
        }
    });
    let acknowledged_by = (!detail.acknowledged_by.is_empty()).then(|| {
        let links = detail
            .acknowledged_by
            .into_iter()
            .map(|ack| view! { <li><a href=format!("/workflows/{ack}")>{ack.clone()}</a></li> })
            .collect_view();
        view! {
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Acknowledged with"</dt>
                <dd class="nhsuk-summary-list__value">
                    <ul class="nhsuk-list">{links}</ul>
                </dd>
            </div>
        }
    });
    let direction = (!detail.direction.is_empty()).then(|| {
        view! {
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Direction"</dt>
                <dd class="nhsuk-summary-list__value">{detail.direction.clone()}</dd>
            </div>
        }
    });
    let rules = match (summary.hscn_only, summary.test_first) {
        (false, false) => "No extra rules".to_owned(),
        (true, false) => "Files can only be sent over HSCN".to_owned(),
        (false, true) => {
            "A test file must be sent in a Path to Live environment before Live use".to_owned()
        }
        (true, true) => "Files can only be sent over HSCN, and a test file must be sent in a \
                         Path to Live environment before Live use"
            .to_owned(),
    };
    view! {
        <Title text=id.clone() />
        <nav class="nhsuk-breadcrumb" aria-label="Breadcrumb">
            <ol class="nhsuk-breadcrumb__list">
                <li class="nhsuk-breadcrumb__list-item">
                    <a class="nhsuk-breadcrumb__link" href="/workflows">"Workflow IDs"</a>
                </li>
            </ol>
        </nav>
        <span class="nhsuk-caption-l">{summary.group.clone()}</span>
        <h1 class="nhsuk-heading-l app-workflow-id"><WorkflowIdText id=id.clone() /></h1>
        <p class="nhsuk-lede-text">{summary.description.clone()}</p>
        <dl class="nhsuk-summary-list">
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Workflow ID"</dt>
                <dd class="nhsuk-summary-list__value"><code>{id.clone()}</code></dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Group"</dt>
                <dd class="nhsuk-summary-list__value">
                    <a href=group_href>
                        {format!("{} ({} workflow IDs)", summary.group, detail.group_size)}
                    </a>
                </dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Status"</dt>
                <dd class="nhsuk-summary-list__value"><WorkflowTags summary=summary.clone() /></dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Programme rules"</dt>
                <dd class="nhsuk-summary-list__value">{rules}</dd>
            </div>
            {direction}
            {acknowledges}
            {acknowledged_by}
        </dl>
        <p>
            <a class="nhsuk-back-link" href="/workflows">"Back to the workflow ID search"</a>
        </p>
    }
}
