//! The `openwatch` binary: thin argument parsing over the server crate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;

#[derive(Parser)]
#[command(
    name = "openwatch",
    version,
    about = "Self-hosted CloudWatch, CloudTrail and Config, speaking AWS's APIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (one HTTP endpoint for every service).
    Server(ServerArgs),
    /// Operator commands on a data directory (run while the server is stopped).
    Admin(admin::AdminArgs),
}

#[derive(clap::Args)]
struct ServerArgs {
    /// Address to listen on [default: 127.0.0.1:4599].
    #[arg(long, env = "OPENWATCH_LISTEN")]
    listen: Option<String>,
    /// Data directory [default: ./openwatch-data].
    #[arg(long, env = "OPENWATCH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Config file [default: ./openwatch.toml if present].
    #[arg(long, env = "OPENWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// Also accept the test/test credentials (account 000000000000); loopback addresses only.
    #[arg(long, env = "OPENWATCH_DEV")]
    dev: bool,
    /// Base URL clients reach the server at, for links it hands out (SNS SubscribeURL,
    /// SigningCertURL) [default: http://<listen address>].
    #[arg(long, env = "OPENWATCH_PUBLIC_URL")]
    public_url: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPENWATCH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Server(args) => run_server(args),
        Command::Admin(args) => admin::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_server(args: ServerArgs) -> anyhow::Result<()> {
    let config = openwatch_server::Config::resolve(openwatch_server::Overrides {
        listen: args.listen,
        data_dir: args.data_dir,
        config: args.config,
        dev: args.dev,
        public_url: args.public_url,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut server = openwatch_server::Server::start(config.clone()).await?;
        let endpoint = format!("http://{}", server.local_addr());
        if let Some(b) = server.bootstrap() {
            println!("{}", b.announcement(&endpoint));
        }
        if config.dev {
            println!("--dev: also accepting access key \"test\" / secret \"test\" for account 000000000000");
        }
        println!("OpenWatch {} listening on {endpoint} (data in {})", openwatch_server::VERSION, config.data_dir.display());
        tokio::select! {
            r = server.wait() => r,
            () = shutdown_signal() => {
                eprintln!("shutting down: finishing in-flight requests and flushing");
                server.shutdown().await
            }
        }
    })
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
