//! Server functions, one module per area. Each is thin: validate, call a service, map the result.

pub mod applications;
pub mod catalogue;
pub mod organisations;
