//! The command line: `mesh-portal serve | migrate | seed | add-mailbox | sandbox load |
//! admin create-user`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use app::backend::accounts;
use app::backend::audit::Actor;
use app::model::accounts::Role;

use crate::config::Settings;
use crate::startup::{Application, StartupError, prepare_database, sync_seed_data};

/// NHS MESH mailbox portal: applications, service desk, workflow ID catalogue and MESH API.
///
/// Configuration comes from MESH_PORTAL_* environment variables, listed below and in the README.
#[derive(Debug, Parser)]
#[command(name = "mesh-portal", version, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The command line, with every configuration variable and its default in `--help`.
    pub fn command_with_variables() -> clap::Command {
        Self::command().after_help(crate::config::variables_help())
    }

    /// Reads the command line (`--help` lists the configuration too).
    pub fn parse_with_variables() -> Self {
        let matches = Self::command_with_variables().get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
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
        } => load_sandbox(&settings, &mailboxes, &workflows, &environment).await,
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
            let account = accounts::NewAccount {
                email,
                name,
                role: Role::parse(&role).ok_or(StartupError::Role(role))?,
                mailboxes,
                smartcard_number: smartcard,
            };
            create_user(&settings, account, if_no_accounts).await
        }
    }
}

/// `sandbox load`: mesh-sandbox's `mailboxes.jsonl` and `workflows.jsonl` into a Path to Live
/// environment.
async fn load_sandbox(
    settings: &Settings,
    mailboxes: &std::path::Path,
    workflows: &std::path::Path,
    environment: &str,
) -> Result<(), StartupError> {
    use app::backend::mesh::sandbox;
    use app::model::common::Environment;
    if !settings.mesh.sandbox {
        return Err(StartupError::Sandbox(
            "sandbox mode is off: set MESH_PORTAL_SANDBOX=true (never for Live)".into(),
        ));
    }
    let environment = Environment::parse(environment).ok_or_else(|| {
        StartupError::Sandbox(format!("{environment:?} is not integration or deployment"))
    })?;
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path)
            .map_err(|e| StartupError::Sandbox(format!("{}: {e}", path.display())))
    };
    let (mailboxes_text, workflows_text) = (read(mailboxes)?, read(workflows)?);
    let db = prepare_database(settings).await?;
    sync_seed_data(&db, &settings.seed_dir).await?;
    let key = crate::startup::secret_key(settings)?;
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

/// `admin create-user`: an account and its set-up link (`if_no_accounts`: only as the first).
async fn create_user(
    settings: &Settings,
    account: accounts::NewAccount,
    if_no_accounts: bool,
) -> Result<(), StartupError> {
    let db = prepare_database(settings).await?;
    if if_no_accounts
        && app::backend::db::users::count(&db)
            .await
            .map_err(StartupError::Accounts)?
            > 0
    {
        println!("Accounts exist already: no account created.");
        return Ok(());
    }
    let created =
        accounts::create_user(&db, account, &Actor::system(), app::backend::now_unix()).await?;
    println!(
        "Account created for {}. Set-up link (works once, for 72 hours):\n{}",
        created.email,
        settings.public_url(&accounts::activation_path(&created.activation_token))
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use crate::config::VARIABLES;

    /// The README's configuration table: (variable, default) for each row, backticks removed.
    fn readme_table() -> Vec<(String, String)> {
        let readme = include_str!("../../README.md");
        let start = readme.find("## Configuration").expect("the section");
        let section = &readme[start..];
        let end = section[3..]
            .find("\n## ")
            .map_or(section.len(), |at| at + 3);
        section[..end]
            .lines()
            .filter(|line| line.starts_with("| `MESH_PORTAL_"))
            .map(|line| {
                let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
                (
                    cells[0].trim().trim_matches('`').to_owned(),
                    cells[1].trim().replace('`', ""),
                )
            })
            .collect()
    }

    #[test]
    fn help_lists_every_variable_with_its_default() {
        let help = Cli::command_with_variables().render_long_help().to_string();
        for (name, default, meaning) in VARIABLES {
            assert!(help.contains(name), "{name}");
            assert!(help.contains(&format!("[default: {default}]")), "{name}");
            assert!(help.contains(meaning), "{name}");
        }
    }

    #[test]
    fn the_readme_table_lists_the_same_variables_with_the_same_defaults() {
        let table = readme_table();
        let mut in_readme: Vec<&str> = table.iter().map(|(name, _)| name.as_str()).collect();
        let mut in_help: Vec<&str> = VARIABLES.iter().map(|(name, _, _)| *name).collect();
        in_readme.sort_unstable();
        in_help.sort_unstable();
        assert_eq!(in_readme, in_help);
        for (name, default, _) in VARIABLES {
            let (_, documented) = table.iter().find(|(n, _)| n == name).expect("listed");
            assert!(
                documented.starts_with(&default.replace('`', "")),
                "{name}: the README says {documented:?}, --help says {default:?}"
            );
        }
    }
}
