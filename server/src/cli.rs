//! The command line: `mesh-portal serve | migrate | seed | add-mailbox | sandbox load |
//! admin create-user`.

use clap::{Parser, Subcommand};

use app::backend::accounts;
use app::backend::audit::Actor;
use app::model::accounts::Role;

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
        /// A workflow it sends and receives, or `ID:send` / `ID:receive` (repeat for several).
        #[arg(long = "workflow")]
        workflows: Vec<String>,
    },
    /// Sandbox mode's tools (with MESH_PORTAL_SANDBOX=true).
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Load mesh-sandbox's mailboxes.jsonl and workflows.jsonl (its own formats), all or nothing:
    /// mailboxes with their passwords, their organisations, workflows and registrations.
    Load {
        /// Lines of {"mailbox_id", "mailbox_name", "ods_code", "password", ...}.
        mailboxes: std::path::PathBuf,
        /// Lines of {"workflow_id", "senders": [...], "receivers": [...]}.
        workflows: std::path::PathBuf,
        /// The Path to Live environment to put them in: integration or deployment.
        #[arg(long, default_value = "integration")]
        environment: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account and print its one-time set-up link (for the first staff account).
    CreateUser {
        /// Work email address (@nhs.net, @nhs.uk or @gov.uk).
        #[arg(long)]
        email: String,
        /// The person's full name.
        #[arg(long)]
        name: String,
        /// mailbox_user, service_desk or admin.
        #[arg(long)]
        role: String,
        /// A mailbox the account may use (repeat for several).
        #[arg(long = "mailbox")]
        mailboxes: Vec<String>,
        /// The 12-digit number on the front of the person's smartcard, if they have one.
        #[arg(long)]
        smartcard: Option<String>,
        /// Do nothing when the database already has an account (for `make run`'s demo admin).
        #[arg(long)]
        if_no_accounts: bool,
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
            workflows,
        } => {
            let db = prepare_database(&settings).await?;
            sync_seed_data(&db, &settings.seed_dir).await?;
            let added = app::backend::mailboxes::add_with_workflows(
                &db,
                &mailbox_id,
                &ods_code,
                &environment,
                &workflows,
            )
            .await?;
            println!("Mailbox {added} added.");
            Ok(())
        }
        Command::Sandbox {
            command:
                SandboxCommand::Load {
                    mailboxes,
                    workflows,
                    environment,
                },
        } => {
            use app::backend::mesh::sandbox;
            use app::model::common::Environment;
            if !settings.mesh.sandbox {
                return Err(StartupError::Sandbox(
                    "sandbox mode is off: set MESH_PORTAL_SANDBOX=true (never for Live)".into(),
                ));
            }
            let environment = Environment::parse(&environment).ok_or_else(|| {
                StartupError::Sandbox(format!("{environment:?} is not integration or deployment"))
            })?;
            let read = |path: &std::path::Path| {
                std::fs::read_to_string(path)
                    .map_err(|e| StartupError::Sandbox(format!("{}: {e}", path.display())))
            };
            let (mailboxes_text, workflows_text) = (read(&mailboxes)?, read(&workflows)?);
            let db = prepare_database(&settings).await?;
            sync_seed_data(&db, &settings.seed_dir).await?;
            let key = crate::startup::secret_key(&settings)?;
            let report = sandbox::load(
                &db,
                &key,
                environment,
                &mailboxes_text,
                &workflows_text,
                app::backend::now_unix(),
            )
            .await
            .map_err(|e| StartupError::Sandbox(e.to_string()))?;
            println!(
                "Loaded into {}: {} mailboxes added, {} updated, {} organisations added, \
                 {} workflows added to the catalogue, {} registrations.",
                environment.label(),
                report.mailboxes_added,
                report.mailboxes_updated,
                report.organisations_added,
                report.workflows_added,
                report.registrations
            );
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    email,
                    name,
                    role,
                    mailboxes,
                    smartcard,
                    if_no_accounts,
                },
        } => {
            let role = Role::parse(&role).ok_or(StartupError::Role(role))?;
            let db = prepare_database(&settings).await?;
            if if_no_accounts
                && app::backend::db::users::count(&db)
                    .await
                    .map_err(StartupError::Accounts)?
                    > 0
            {
                println!("Accounts exist already: no account created.");
                return Ok(());
            }
            let created = accounts::create_user(
                &db,
                accounts::NewAccount {
                    email,
                    name,
                    role,
                    mailboxes,
                    smartcard_number: smartcard,
                },
                &Actor::system(),
                app::backend::now_unix(),
            )
            .await?;
            println!(
                "Account created for {}. Set-up link (works once, for 72 hours):\n{}",
                created.email,
                settings.public_url(&accounts::activation_path(&created.activation_token))
            );
            Ok(())
        }
    }
}
