//! Server functions, one module per area. Each is thin: validate, call a service, map the result.

pub mod accounts;
pub mod applications;
pub mod catalogue;
pub mod forms;
pub mod messaging;
pub mod organisations;
pub mod service_desk;
