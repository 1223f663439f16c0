//! `ordering-portal`: serve the portal, migrate the database or load the
//! demo data.

use app::server::seed::{DEMO_PASSWORD, DEMO_USERS};
use app::server::storage::Storage;
use app::server::{auth, db, seed};
use clap::{Parser, Subcommand};
use server::config::Config;
use server::startup::Application;
use tracing_subscriber::EnvFilter;

/// The Ordering Portal: follow and manage orders with FTS.
#[derive(Debug, Parser)]
#[command(name = "ordering-portal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Load the demo data into an empty database and exit.
    SeedDemo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.config).await,
        Command::Migrate => {
            let pool = db::connect(&cli.config.database_url, 1).await?;
            db::migrate(&pool).await?;
            auth::install_groups(&pool).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::SeedDemo => {
            let pool = db::connect(&cli.config.database_url, 1).await?;
            db::migrate(&pool).await?;
            let storage = Storage::local(&cli.config.files_dir)?;
            if seed::load_demo(&pool, &storage).await? {
                println!("Loaded the demo data.");
                print_demo_logins();
            } else {
                println!("The database already has data; nothing was loaded.");
            }
            Ok(())
        }
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let application = Application::build(config).await?;
    println!(
        "Ordering Portal is running at http://{}",
        application.address()
    );
    if auth::user_exists(&application.state().db, DEMO_USERS[0].0).await? {
        print_demo_logins();
    }
    application.run_until_stopped().await?;
    Ok(())
}

fn print_demo_logins() {
    println!("Demo logins (password: {DEMO_PASSWORD}):");
    for (email, name, group, _) in DEMO_USERS {
        println!("  {email:<18} {name:<12} {}", group.label());
    }
}
