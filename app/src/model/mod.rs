//! Types shared by the server and the browser, one module per area.

pub mod accounts;
pub mod applications;
pub mod catalogue;
pub mod organisations;
