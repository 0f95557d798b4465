//! Routed pages; file paths mirror URLs.

pub mod applications;
pub mod apply;
pub mod catalogue;
pub mod home;
pub mod organisations;
