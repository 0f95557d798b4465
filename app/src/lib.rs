//! mesh-portal's web application.
//!
//! One crate, built twice: with `ssr` it is the server side (pages rendered to HTML, and server
//! functions that call the `backend` crate's services); with `hydrate` it is the browser bundle
//! that makes the same pages interactive. The two feature sets are never built together.
//!
//! The layers are crates: `model` (types shared with the browser), `backend` (server-only domain
//! services, no Leptos), this crate (pages, components, server functions), `server` (the binary).
//! Both are re-exported here under their own names, so `app::model` and `app::backend` read as
//! before. Areas (`catalogue`, `organisations`, `applications`, `accounts`, `service_desk`,
//! `messaging`) use the same names in [`model`], [`api`], [`pages`] and `backend`.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod request;

#[cfg(feature = "ssr")]
pub use backend;
pub use model::{self, AppError, error};
pub use shell::{App, shell};

/// Browser entry point: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets browser tests (and curious people) see that the page has become interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
