//! Routed pages; file paths mirror URLs.

pub mod catalogue;
pub mod home;
pub mod organisations;
