//! The accounts area's pages: logging in and out, and first-time set-up.

pub mod activate;
pub mod sign_in;
