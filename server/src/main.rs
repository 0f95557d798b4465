//! The `mesh-portal` binary.

use std::process::ExitCode;

use server::cli::{Cli, Command, run};
use server::{Settings, telemetry};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_with_variables();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("mesh-portal: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings);
    match run(cli.command.unwrap_or(Command::Serve), settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "mesh-portal stopped");
            eprintln!("mesh-portal: {error}");
            ExitCode::FAILURE
        }
    }
}
