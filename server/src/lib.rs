//! mesh-portal's server: configuration, start-up, the routes that are not Leptos pages, and the
//! command line. Business rules live in `app::backend`; this crate wires them to the network.

pub mod cli;
pub mod config;
pub mod mesh_api;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod tls;

pub use config::Settings;
pub use startup::Application;
