//! `openwatch-bench`: load generators that print figures for `docs/BENCHMARKS.md`.

use clap::{Parser, Subcommand};

mod api;

#[derive(Parser)]
#[command(name = "openwatch-bench", about = "OpenWatch benchmarks")]
struct Cli {
    #[command(subcommand)]
    suite: Suite,
}

#[derive(Subcommand)]
enum Suite {
    /// Authenticated, audited API calls over HTTP keep-alive (STS GetCallerIdentity).
    Api(api::ApiArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.suite {
        Suite::Api(args) => api::run(args),
    }
}
