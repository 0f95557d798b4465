//! Types shared by the server and the browser, one module per area.

pub mod catalogue;
