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
