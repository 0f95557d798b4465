//! HTTP status codes for server-rendered pages, and the NHS.UK "page not found" content.

use leptos::prelude::*;

/// Sets the HTTP status of the server-rendered response; does nothing in the browser.
#[component]
pub fn HttpStatus(code: u16) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(code)
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// What a page that does not exist shows, with a 404 status.
#[component]
pub fn NotFoundContent(#[prop(optional, into)] detail: Option<String>) -> impl IntoView {
    view! {
        <HttpStatus code=404 />
        <leptos_meta::Title text="Page not found" />
        <h1 class="nhsuk-heading-l">"Page not found"</h1>
        {detail.map(|d| view! { <p>{d}</p> })}
        <p>"If you typed the web address, check it is correct."</p>
        <p>"If you pasted the web address, check you copied the entire address."</p>
        <p>
            "You can " <a href="/workflows">"search the workflow ID catalogue"</a> " or go to the "
            <a href="/">"MESH portal home page"</a> "."
        </p>
    }
}
