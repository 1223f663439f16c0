//! `ordering-portal`: serve the portal, migrate the database or load the
//! demo data.

use app::rules::Group;
use app::server::scale::{self, ScalePlan};
use app::server::seed::{DEMO_PASSWORD, DEMO_USERS};
use app::server::services::admin::{self, NewUser};
use app::server::{auth, db, seed};
use clap::{Parser, Subcommand};
use server::config::Config;
use server::startup::Application;
use tracing_subscriber::EnvFilter;

/// Rendering a page allocates and frees many small values across worker
/// threads, which glibc's allocator serves slowly (a fifth of the CPU time
/// of a page in a profile); mimalloc serves them from per-thread pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Load scale data for benchmarks after the demo data (loaded first
    /// into an empty database): ORDERS orders, BIG_TENANT_ORDERS of them
    /// for Acme Title (placed by Ava and Ben), the rest spread over
    /// COMPANIES new companies, each with an administrator
    /// admin<i>@scale.test (password demo-password).
    SeedScale {
        #[arg(long)]
        orders: u64,
        #[arg(long)]
        companies: u64,
        #[arg(long)]
        big_tenant_orders: u64,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Create a user, such as the first administrator of a new
    /// installation. The password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// customer_user, customer_admin, staff or staff_admin.
        #[arg(long, default_value = "staff_admin")]
        group: String,
        /// The company's name, for customer groups.
        #[arg(long)]
        company: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    if cli.config.log_format == "json" {
        // One object per line; the request's span (its id, method and
        // path) is a field of every line written inside it.
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
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
            let storage = cli.config.storage()?;
            if seed::load_demo(&pool, &storage).await? {
                println!("Loaded the demo data.");
                print_demo_logins();
            } else {
                println!("The database already has data; nothing was loaded.");
            }
            Ok(())
        }
        Command::SeedScale {
            orders,
            companies,
            big_tenant_orders,
            seed,
        } => {
            let plan = ScalePlan {
                orders,
                companies,
                big_tenant_orders,
                seed,
            };
            seed_scale(&cli.config, &plan).await
        }
        Command::CreateUser {
            email,
            name,
            group,
            company,
        } => create_user(&cli.config, email, name, &group, company.as_deref()).await,
    }
}

async fn seed_scale(config: &Config, plan: &ScalePlan) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1).await?;
    db::migrate(&pool).await?;
    let storage = config.storage()?;
    if seed::load_demo(&pool, &storage).await? {
        println!("Loaded the demo data.");
    }
    let started = std::time::Instant::now();
    let loaded = scale::load_scale(&pool, plan)
        .await
        .map_err(|error| anyhow::anyhow!(error.public_message()))?;
    println!(
        "Loaded {} orders ({} of them for Acme Title, {} groups placed together) \
         and {} new companies, each with an administrator, in {:.1?}.",
        loaded.orders,
        plan.big_tenant_orders,
        loaded.groups,
        loaded.companies,
        started.elapsed()
    );
    Ok(())
}

async fn create_user(
    config: &Config,
    email: String,
    name: String,
    group: &str,
    company: Option<&str>,
) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1).await?;
    db::migrate(&pool).await?;
    auth::install_groups(&pool).await?;
    let group: Group = group.parse().map_err(anyhow::Error::msg)?;
    let company_id = match company {
        Some(company) => Some(
            admin::company_id_by_name(&pool, company)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no company is named {company}"))?,
        ),
        None => None,
    };
    eprintln!("Password for {email} (at least 8 characters), then Enter:");
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let new = NewUser {
        email,
        name,
        password,
        group,
        company_id,
    };
    let user = admin::insert_user(&pool, &new)
        .await
        .map_err(|error| anyhow::anyhow!(error.public_message()))?;
    println!("Created {} ({}).", user.email, user.group.label());
    Ok(())
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
