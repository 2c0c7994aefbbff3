//! The `lectern` command: `lectern serve` and `lectern user add`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use lectern_server::config::{FileSettings, default_database_url};
use lectern_server::{Server, Settings, hash_password};
use lectern_store::{NewUser, Store, StoreError};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "lectern",
    version,
    about = "Self-hosted real-time virtual classroom"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server. LECTERN_LOG sets the log filter (default "info");
    /// size and rate limits are set in the --config file.
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
}

/// Storage location options, shared by every command.
#[derive(Debug, Args)]
struct StorageArgs {
    /// TOML settings file; command-line options and environment variables win over it.
    #[arg(long, env = "LECTERN_CONFIG")]
    config: Option<PathBuf>,

    /// Directory for the SQLite database and other files [default: ./data].
    #[arg(long, env = "LECTERN_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Database URL, sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: a SQLite file in the data directory].
    #[arg(long, env = "LECTERN_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LECTERN_LISTEN")]
    listen: Option<SocketAddr>,

    /// Base URL students open, used in join links [default: http:// plus the listen address].
    #[arg(long, env = "LECTERN_PUBLIC_URL")]
    public_url: Option<String>,

    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account.
    Add(AddUserArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Role {
    Lecturer,
    Admin,
}

#[derive(Debug, Args)]
struct AddUserArgs {
    /// Email address the user logs in with; stored in lower case.
    #[arg(long)]
    email: String,
    /// Display name shown to students.
    #[arg(long)]
    name: String,
    #[arg(long, value_enum)]
    role: Role,
    /// Read the password from standard input (required, so it never appears in the process list).
    #[arg(long, required = true)]
    password_stdin: bool,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Resolves settings: command line and environment, then the file, then defaults.
fn settings(
    listen: Option<SocketAddr>,
    public_url: Option<String>,
    storage: StorageArgs,
) -> anyhow::Result<Settings> {
    let file = match &storage.config {
        Some(path) => FileSettings::read(path)?,
        None => FileSettings::default(),
    };

    let listen = listen
        .or(file.listen)
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)));
    let data_dir = storage
        .data_dir
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("data"));
    let database_url = storage
        .database_url
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| default_database_url(&data_dir));

    let mut settings = Settings::new(listen, data_dir);
    settings.database_url = database_url;
    settings.public_url = public_url.or_else(|| file.public_url.clone());
    settings.limits = file.limits();
    settings.audio = file.audio.settings();
    settings.media = file.media.settings();
    Ok(settings)
}

fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LECTERN_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,warp=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::User(UserCommand::Add(args)) => add_user(args).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = settings(args.listen, args.public_url, args.storage)?;
    tracing::info!(data_dir = %settings.data_dir.display(), "starting Lectern {}", env!("CARGO_PKG_VERSION"));

    let server = Server::start(settings).await?;
    let shutdown = server.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("stop requested");
        shutdown.cancel();
    });
    server.wait().await;
    Ok(())
}

async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn add_user(args: AddUserArgs) -> anyhow::Result<()> {
    let email = args.email.trim().to_lowercase();
    if !email.contains('@') {
        bail!("invalid email {email:?}: it has no @");
    }
    let name = args.name.trim();
    if name.is_empty() {
        bail!("--name must not be empty");
    }

    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 8 {
        bail!("the password must have at least 8 characters");
    }

    let settings = settings(None, None, args.storage)?;
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create data directory {}",
            settings.data_dir.display()
        )
    })?;
    let store = Store::connect(&settings.database_url).await?;

    let role = match args.role {
        Role::Lecturer => "lecturer",
        Role::Admin => "admin",
    };
    let hash = hash_password(password)
        .map_err(|error| anyhow::anyhow!("cannot hash the password: {error}"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = store
        .create_user(&NewUser {
            id: &id,
            email: &email,
            name,
            role,
            password_hash: &hash,
            created_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_millis() as i64),
        })
        .await;
    match created {
        Ok(user) => tracing::info!(user = %user.id, role, "user created"),
        Err(StoreError::Conflict(_)) => bail!("a user with email {email} already exists"),
        Err(error) => return Err(error.into()),
    }
    store.close().await;
    Ok(())
}
