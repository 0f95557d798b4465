//! `/workflows…`: the workflow ID catalogue.

mod entry;
mod search;

pub use entry::WorkflowPage;
pub use search::WorkflowsPage;

use leptos::prelude::*;

use crate::components::Tag;
use crate::model::catalogue::{WorkflowStatus, WorkflowSummary};

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
