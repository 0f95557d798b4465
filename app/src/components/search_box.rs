//! The search text field of a GET search form: label, hint, error message and input, named `q`.

use leptos::prelude::*;

use super::ErrorMessage;

/// A search field named `q` (id `q`), showing `error` by the field when there is one. `on_input`
/// runs on every keystroke (for results that follow the typing).
#[component]
pub fn SearchBox(
    label: &'static str,
    hint: &'static str,
    /// The text the field starts with.
    initial: String,
    #[prop(into)] error: Signal<Option<String>>,
    node_ref: NodeRef<leptos::html::Input>,
    /// The id of the region the results appear in, if they update as the user types.
    #[prop(optional)]
    controls: Option<&'static str>,
    #[prop(optional, into)] on_input: Option<Callback<leptos::ev::Event>>,
) -> impl IntoView {
    let has_error = move || error.with(Option::is_some);
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=has_error>
            <label class="nhsuk-label nhsuk-label--s" for="q">{label}</label>
            <div class="nhsuk-hint" id="q-hint">{hint}</div>
            {move || error.get().map(|message| view! { <ErrorMessage id="q-error" message /> })}
            <input
                class="nhsuk-input nhsuk-u-width-two-thirds"
                class:nhsuk-input--error=has_error
                id="q"
                name="q"
                type="search"
                value=initial
                autocomplete="off"
                spellcheck="false"
                aria-describedby=move || if has_error() { "q-hint q-error" } else { "q-hint" }
                aria-controls=controls
                node_ref=node_ref
                on:input=move |ev| {
                    if let Some(on_input) = on_input {
                        on_input.run(ev);
                    }
                }
            />
        </div>
    }
}
