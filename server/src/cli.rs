//! The command line: `mesh-portal serve | migrate | seed | add-mailbox`.

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{Application, StartupError, prepare_database, sync_seed_data};

/// NHS MESH mailbox portal: applications, service desk, workflow ID catalogue and MESH API.
///
/// Configuration comes from MESH_PORTAL_* environment variables; see the README.
#[derive(Debug, Parser)]
#[command(name = "mesh-portal", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default): migrates the database and loads the seed data first.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load the seed data (workflow catalogue, organisations) into the database, report bad rows,
    /// then exit.
    Seed,
    /// Add an active mailbox to the register (until the service desk issues them), then exit.
    AddMailbox {
        /// The Mailbox ID, e.g. X26HC005.
        mailbox_id: String,
        /// The ODS code of the organisation that owns it (must be on the organisation list).
        #[arg(long)]
        ods_code: String,
        /// live, integration or deployment.
        #[arg(long)]
        environment: String,
    },
}

/// Runs a command; returns what to exit with.
pub async fn run(command: Command, settings: Settings) -> Result<(), StartupError> {
    match command {
        Command::Serve => Application::build(&settings)
            .await?
            .run_until_stopped()
            .await
            .map_err(|source| StartupError::Listen {
                addr: settings.listen_addr,
                source,
            }),
        Command::Migrate => {
            prepare_database(&settings).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Seed => {
            let db = prepare_database(&settings).await?;
            let reports = sync_seed_data(&db, &settings.seed_dir).await?;
            for report in reports.each() {
                for problem in &report.problems {
                    println!("rejected: {problem}");
                }
                println!("{report}");
            }
            Ok(())
        }
        Command::AddMailbox {
            mailbox_id,
            ods_code,
            environment,
        } => {
            let db = prepare_database(&settings).await?;
            sync_seed_data(&db, &settings.seed_dir).await?;
            let added =
                app::backend::mailboxes::add(&db, &mailbox_id, &ods_code, &environment).await?;
            println!("Mailbox {added} added.");
            Ok(())
        }
    }
}
