//! `/workflows?q=&group=&page=`: search the catalogue.
//!
//! Without JavaScript the form submits with GET, so every search has a shareable URL. With
//! JavaScript the results follow the search box as the user types (after a short pause), by
//! updating the same URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{WorkflowIdText, WorkflowTags};
use crate::api::catalogue::{list_workflow_groups, search_workflows};
use crate::components::{
    Cell, ErrorMessage, ErrorSummary, FieldError, HttpStatus, Pagination, SearchBox,
};
use crate::error::AppError;
use crate::model::catalogue::{GroupCount, SearchRequest, SearchResults};

const TITLE: &str = "Find a workflow ID";

/// How long typing must pause before the results follow it.
const TYPING_PAUSE_MS: u64 = 250;

/// The catalogue search page.
#[component]
pub fn WorkflowsPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        query.with(|q| {
            SearchRequest::from_params(q.get_str("q"), q.get_str("group"), q.get_str("page"))
        })
    });
    let results = Resource::new(move || request.get(), search_workflows);
    // The error summary and the group filter each read their own copy of the group list: one
    // resource read under two <Suspense> boundaries can leave a server-rendered response hanging
    // (leptos-rs/leptos#4851), and the call is an in-memory lookup.
    let summary_groups = Resource::new(|| (), |_| list_workflow_groups());
    let filter_groups = Resource::new(|| (), |_| list_workflow_groups());
    let initial_q = request.get_untracked().q;

    let search_box = NodeRef::<leptos::html::Input>::new();
    let group_select = NodeRef::<leptos::html::Select>::new();
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // Where the form's current values lead: the same URL the form submits to without JavaScript.
    let target = move || {
        let q = search_box
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        let group = group_select
            .get_untracked()
            .map(|s| s.value())
            .unwrap_or_default();
        let next = SearchRequest::from_params(Some(&q), Some(&group), None);
        format!("/workflows{}", next.query_string(1))
    };
    let cancel_pending = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
    };
    let on_input = Callback::new({
        let navigate = navigate.clone();
        move |_: leptos::ev::Event| {
            cancel_pending();
            let navigate = navigate.clone();
            let handle = set_timeout_with_handle(
                move || {
                    let options = NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    };
                    navigate(&target(), options);
                },
                std::time::Duration::from_millis(TYPING_PAUSE_MS),
            )
            .ok();
            pending.set_value(handle);
        }
    });
    // Choosing a group shows its results at once.
    let on_group_change = Callback::new({
        let navigate = navigate.clone();
        move |_: leptos::ev::Event| {
            cancel_pending();
            let options = NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            navigate(&target(), options);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        cancel_pending();
        navigate(&target(), NavigateOptions::default());
    };

    let text_error = move || request.with(SearchRequest::text_error);

    view! {
        <Suspense fallback=|| view! { <Title text=TITLE /> }>
            {move || Suspend::new(async move {
                let groups = summary_groups.await.unwrap_or_default();
                let errors = page_errors(&request.get(), &groups);
                let has_errors = !errors.is_empty();
                view! {
                    // NHS.UK pattern: a page with errors says so first in its title.
                    <Title text=if has_errors { format!("Error: {TITLE}") } else { TITLE.to_owned() } />
                    {has_errors.then(|| view! { <HttpStatus code=400 /> })}
                    <ErrorSummary errors />
                }
            })}
        </Suspense>
        <h1 class="nhsuk-heading-l">"Find a workflow ID"</h1>
        <p>
            "Workflow IDs say what kind of data a MESH message carries. Search by ID, workflow "
            "group or description. Results update as you type."
        </p>
        <form method="get" action="/workflows" on:submit=on_submit>
            <SearchBox
                label="Search workflow IDs"
                hint="For example CRDLGY_SCANS, cardiology or discharge summary"
                initial=initial_q
                error=Signal::derive(text_error)
                node_ref=search_box
                controls="search-results"
                on_input=on_input
            />
            <Suspense fallback=|| view! { <GroupSelect groups=Vec::new() selected=None node_ref=NodeRef::new() error=None /> }>
                {move || Suspend::new(async move {
                    let groups = filter_groups.await.unwrap_or_default();
                    let selected = request.with(|r| r.group.clone());
                    let error = group_error(&request.get(), &groups);
                    view! {
                        <GroupSelect groups selected node_ref=group_select error on_change=on_group_change />
                    }
                })}
            </Suspense>
            <button class="nhsuk-button" type="submit" data-module="nhsuk-button">
                "Search"
            </button>
        </form>
        <div id="search-results">
            <Transition fallback=|| view! { <p class="nhsuk-body">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(results) => view! { <ResultsList results request=request.get() /> }
                            .into_any(),
                        Err(AppError::Invalid { .. }) => view! {
                            <p class="nhsuk-body" role="status">"Fix the problem above to see results."</p>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="nhsuk-body" role="status">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The problems with a search, in page order.
fn page_errors(request: &SearchRequest, groups: &[GroupCount]) -> Vec<FieldError> {
    let text = request.text_error().map(|message| FieldError {
        field_id: "q".into(),
        message,
    });
    let group = group_error(request, groups).map(|message| FieldError {
        field_id: "group".into(),
        message,
    });
    text.into_iter().chain(group).collect()
}

/// What is wrong with the chosen group, if anything.
fn group_error(request: &SearchRequest, groups: &[GroupCount]) -> Option<String> {
    let name = request.group.as_deref()?;
    if groups.is_empty() || groups.iter().any(|g| g.name.eq_ignore_ascii_case(name)) {
        return None;
    }
    Some(format!(
        "There is no workflow group called ‘{name}’. Choose a group from the list"
    ))
}

/// The workflow group filter.
#[component]
fn GroupSelect(
    groups: Vec<GroupCount>,
    selected: Option<String>,
    node_ref: NodeRef<leptos::html::Select>,
    error: Option<String>,
    #[prop(optional, into)] on_change: Option<Callback<leptos::ev::Event>>,
) -> impl IntoView {
    let has_error = error.is_some();
    let options = groups
        .into_iter()
        .map(|g| {
            let is_selected = selected
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&g.name));
            view! {
                <option value=g.name.clone() selected=is_selected>
                    {format!("{} ({})", g.name, g.count)}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=has_error>
            <label class="nhsuk-label nhsuk-label--s" for="group">"Workflow group"</label>
            {error.map(|message| view! { <ErrorMessage id="group-error" message /> })}
            <select
                class="nhsuk-select"
                class:nhsuk-select--error=has_error
                id="group"
                name="group"
                node_ref=node_ref
                aria-describedby=has_error.then_some("group-error")
                on:change=move |ev| {
                    if let Some(on_change) = on_change {
                        on_change.run(ev);
                    }
                }
            >
                <option value="">"All groups"</option>
                {options}
            </select>
        </div>
    }
}

/// The result count, the results table and the pages.
#[component]
fn ResultsList(results: SearchResults, request: SearchRequest) -> impl IntoView {
    let count = match results.total {
        0 => "No workflow IDs found".to_owned(),
        1 => "1 workflow ID found".to_owned(),
        n => format!("{n} workflow IDs found"),
    };
    let first = (results.page - 1) * crate::model::catalogue::PAGE_SIZE + 1;
    let showing = (results.page_count > 1).then(|| {
        format!(
            ", showing {first} to {} (page {} of {})",
            first + results.items.len() - 1,
            results.page,
            results.page_count
        )
    });
    let rows = results
        .items
        .into_iter()
        .map(|item| {
            let href = format!("/workflows/{}", item.workflow_id);
            let (id, group, description) = (
                item.workflow_id.clone(),
                item.group.clone(),
                item.description.clone(),
            );
            view! {
                <tr class="nhsuk-table__row">
                    <Cell heading="Workflow ID">
                        <a href=href class="app-workflow-id"><WorkflowIdText id /></a>
                    </Cell>
                    <Cell heading="Group">{group}</Cell>
                    <Cell heading="Description">{description}</Cell>
                    <Cell heading="Status"><WorkflowTags summary=item /></Cell>
                </tr>
            }
        })
        .collect_view();
    let has_rows = results.total > 0;
    let csv_href = format!("/workflows.csv{}", request.query_string(1));
    view! {
        <p class="nhsuk-body" role="status" aria-live="polite" id="result-count">
            <strong>{count}</strong>
            {showing}
        </p>
        {has_rows.then(|| view! {
            <table class="nhsuk-table-responsive">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Matching workflow IDs"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <th scope="col" class="nhsuk-table__header">"Workflow ID"</th>
                        <th scope="col" class="nhsuk-table__header">"Group"</th>
                        <th scope="col" class="nhsuk-table__header">"Description"</th>
                        <th scope="col" class="nhsuk-table__header">"Status"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">{rows}</tbody>
            </table>
        })}
        {(!has_rows).then(|| view! {
            <p class="nhsuk-body">"Check the spelling, try fewer words, or choose all groups."</p>
            <p class="nhsuk-body">
                "If the workflow you need is not listed, ask your programme for its workflow ID."
            </p>
        })}
        <Pagination
            current=results.page
            count=results.page_count
            href=move |page| format!("/workflows{}", request.query_string(page))
        />
        {has_rows.then(|| view! {
            <p class="nhsuk-body-s">
                <a href=csv_href download="workflows.csv">"Download these results as a CSV file"</a>
            </p>
        })}
    }
}
