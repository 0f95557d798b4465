//! Cells of NHS.UK responsive tables.

use leptos::prelude::*;

/// A table cell that, on narrow screens where the table stacks, shows its column's heading
/// before its content.
#[component]
pub fn Cell(heading: &'static str, children: Children) -> impl IntoView {
    view! {
        <td class="nhsuk-table__cell">
            <span class="nhsuk-table-responsive__heading">{heading}" "</span>
            {children()}
        </td>
    }
}

/// A responsive table of results: its caption, its column headings, and its rows (`<tr>`s of
/// [`Cell`]s, whose headings match these) as children.
#[component]
pub fn ResultsTable(
    #[prop(into)] caption: String,
    headings: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <table class="nhsuk-table-responsive">
            <caption class="nhsuk-table__caption">{caption}</caption>
            <thead class="nhsuk-table__head">
                <tr>
                    {headings.iter().map(|heading| view! { <th scope="col">{*heading}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">{children()}</tbody>
        </table>
    }
}
