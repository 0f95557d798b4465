//! The NHS.UK error summary, shown at the top of a page whose input needs fixing.

use leptos::prelude::*;

pub use crate::model::forms::FieldError;

/// "There is a problem", with a link to each field in error. Renders nothing when `errors` is
/// empty.
#[component]
pub fn ErrorSummary(errors: Vec<FieldError>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1">
                <div role="alert">
                    <h2 class="nhsuk-error-summary__title">"There is a problem"</h2>
                    <div class="nhsuk-error-summary__body">
                        <ul class="nhsuk-list nhsuk-error-summary__list">
                            {errors
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            <a href=e.href() on:click=focus_field(e.field_id.clone())>
                                                {e.message.clone()}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </div>
            </div>
        }
    })
}

/// The error message shown by a field: `id` is what the field's `aria-describedby` names.
#[component]
pub fn ErrorMessage(#[prop(into)] id: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <span class="nhsuk-error-message" id=id>
            <span class="nhsuk-u-visually-hidden">"Error: "</span>
            {message}
        </span>
    }
}

/// With JavaScript, a link to a field moves focus to the field (as the NHS.UK frontend does for
/// summaries it finds when the page loads); links to pages are followed as usual.
fn focus_field(field_id: String) -> impl Fn(leptos::ev::MouseEvent) + 'static {
    move |ev: leptos::ev::MouseEvent| {
        if field_id.starts_with('/') {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(field) = document()
                .get_element_by_id(&field_id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                ev.prevent_default();
                field.scroll_into_view();
                let _ = field.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &ev;
    }
}
