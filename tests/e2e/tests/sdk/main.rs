//! End-to-end tests with the official AWS SDK for Rust against the real server on loopback.
//!
//! One test binary (the SDK is linked once); one module per API. Every test starts its own
//! server in its own temporary data directory.

mod alarm_realtime;
mod alarms;
mod anomaly;
mod cloudtrail;
mod cloudwatch;
mod crash;
mod dashboards;
mod events;
mod events_routing;
mod export_s3;
mod iam;
mod lifecycle;
mod logs;
mod logs_subscriptions;
mod metric_labels;
mod metrics;
mod schemas;
mod sts;

/// Not a test of its own: the crash test re-executes this binary with
/// `--exact child_server_entry_point` and `OPENWATCH_E2E_CHILD_SERVER=<data dir>` to run a server
/// in a separate process it can `kill -9`. Without that variable (every normal run) it returns at
/// once and passes.
#[test]
fn child_server_entry_point() {
    openwatch_e2e::child_server_main();
}
