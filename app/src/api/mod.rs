//! Server functions, one module per area. Each is thin: validate, call a service, map the result.

pub mod catalogue;
pub mod organisations;
