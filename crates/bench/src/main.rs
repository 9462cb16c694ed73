//! `openwatch-bench`: load generators that print figures for `docs/BENCHMARKS.md`.

use clap::{Parser, Subcommand};

mod alarms;
mod api;
mod events;
mod http_client;
mod insights;
mod logs;
mod logs_gen;
mod metrics;

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
    /// EventBridge: pattern matching against 1–10,000 rules, and PutEvents over HTTP.
    Events(events::EventsArgs),
    /// Metric-alarm evaluation rounds: 100,000 alarms over 100,000 series, in process.
    Alarms(alarms::AlarmsArgs),
    /// Logs Insights queries over ≥ 1 GiB of generated logs, beside DuckDB on the same data.
    Insights(insights::InsightsArgs),
    /// Logs: PutLogEvents over HTTP, bytes on disk vs zstd -3, FilterLogEvents beside ripgrep.
    Logs(logs::LogsArgs),
    /// Metrics engine and PutMetricData/GetMetricData on TSBS-style cpu data, beside
    /// VictoriaMetrics and Prometheus on the same data.
    Metrics(metrics::MetricsArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.suite {
        Suite::Api(args) => api::run(args),
        Suite::Events(args) => events::run(args),
        Suite::Alarms(args) => alarms::run(args),
        Suite::Insights(args) => insights::run(args),
        Suite::Logs(args) => logs::run(args),
        Suite::Metrics(args) => metrics::run(args),
    }
}
