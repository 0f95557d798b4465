//! NHS.UK tags: short status labels.

use leptos::prelude::*;

/// A tag in one of the design system's colours (`green`, `grey`, `blue`, `yellow`, ...).
#[component]
pub fn Tag(colour: &'static str, #[prop(into)] text: String) -> impl IntoView {
    view! { <strong class=format!("nhsuk-tag nhsuk-tag--{colour}")>{text}</strong> }
}
