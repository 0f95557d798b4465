//! `/workflows…`: the workflow ID catalogue.

mod entry;
mod request;
mod search;

pub use entry::WorkflowPage;
pub use request::{WorkflowRequestConfirmationPage, WorkflowRequestPage};
pub use search::WorkflowsPage;

use leptos::prelude::*;

use crate::components::Tag;
use crate::model::catalogue::{WorkflowStatus, WorkflowSummary};

/// A workflow ID that may wrap after its underscores, never in the middle of a word.
#[component]
fn WorkflowIdText(#[prop(into)] id: String) -> impl IntoView {
    let parts: Vec<String> = id.split_inclusive('_').map(str::to_owned).collect();
    let last = parts.len().saturating_sub(1);
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| view! { {part} {(i < last).then(|| view! { <wbr /> })} })
        .collect_view()
}

/// The status and programme-rule tags of an entry.
#[component]
fn WorkflowTags(summary: WorkflowSummary) -> impl IntoView {
    let status = match summary.status {
        WorkflowStatus::Active => view! { <Tag colour="green" text=summary.status.label() /> },
        WorkflowStatus::Retired => view! { <Tag colour="grey" text=summary.status.label() /> },
    };
    view! {
        <span class="app-tags">
            {status}
            {summary.hscn_only.then(|| view! { " " <Tag colour="blue" text="HSCN only" /> })}
            {summary.test_first.then(|| view! { " " <Tag colour="yellow" text="Test first" /> })}
        </span>
    }
}
