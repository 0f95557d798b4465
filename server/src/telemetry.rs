//! Structured logging with `tracing`: one line per event, as text or JSON, on standard error, so
//! that standard output carries only a command's answer (such as a set-up link). Colours only
//! when standard error is a terminal: a log file or a collector gets plain text.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};

/// Installs the global log subscriber. Safe to call more than once (later calls do nothing), so
/// tests can start several servers in one process.
pub fn init(settings: &Settings) {
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
