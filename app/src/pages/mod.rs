//! Routed pages; file paths mirror URLs.

pub mod accounts;
pub mod applications;
pub mod apply;
pub mod catalogue;
pub mod home;
pub mod messaging;
pub mod organisations;
pub mod service_desk;
