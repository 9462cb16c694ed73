//! The `api` suite: many keep-alive connections each sending signed `GetCallerIdentity` calls as
//! fast as the server answers; prints requests/s and latency percentiles.
//!
//! By default it starts an OpenWatch server in this process (a fresh data directory, `--dev`
//! credentials) with every call audited into the trail. `--target URL` drives another endpoint
//! instead (for example a peer emulator), with the same requests.
//!
//! Each connection signs one request and sends it repeatedly: SigV4 has no nonce, so the server
//! verifies every copy in full, and the client's CPU goes to load rather than to signing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;

use crate::http_client::{self, Signer, connect, post, start_dev_server};

#[derive(clap::Args)]
pub struct ApiArgs {
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Measured seconds (after a one-second warm-up).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Drive this endpoint instead of an in-process OpenWatch (e.g. http://127.0.0.1:5000).
    #[arg(long)]
    target: Option<String>,
    /// Access key id and secret to sign with.
    #[arg(long, default_value = "test")]
    access_key_id: String,
    #[arg(long, default_value = "test")]
    secret_access_key: String,
    /// Worker threads of the client runtime (the in-process server gets its own runtime).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
}

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

pub fn run(args: ApiArgs) -> anyhow::Result<()> {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let data = tempfile_dir()?;
    let (addr, server) = match &args.target {
        Some(url) => {
            let authority = url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
            (authority, None)
        }
        None => {
            let server = start_dev_server(&server_rt, data.clone())?;
            (server.local_addr().to_string(), Some(server))
        }
    };
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    let result = client_rt.block_on(drive(&args, &addr));
    if let Some(server) = server {
        let before = server.trail_stats();
        server_rt.block_on(server.shutdown())?;
        println!(
            "trail: {} records written, {} dropped, {} failed, {} still queued at the end of the run",
            before.recorded, before.dropped, before.failed, before.queued
        );
    }
    let _ = std::fs::remove_dir_all(&data);
    let mut lat = result?;
    let total = lat.len();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((total as f64 * p) as usize).min(total.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let rps = total as f64 / args.seconds as f64;
    println!(
        "api GetCallerIdentity target={} connections={} seconds={} requests={} req/s={:.0} p50={:.3}ms p99={:.3}ms",
        args.target
            .as_deref()
            .unwrap_or("in-process openwatch (audited)"),
        args.connections,
        args.seconds,
        total,
        rps,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("openwatch-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The headers of a signed GetCallerIdentity request to `authority`.
fn signed_headers(args: &ApiArgs, authority: &str) -> anyhow::Result<http::HeaderMap> {
    let signer = Signer {
        access_key_id: &args.access_key_id,
        secret_access_key: &args.secret_access_key,
        service: "sts",
    };
    http_client::signed_headers(
        authority,
        &signer,
        http_client::FORM_URLENCODED,
        None,
        BODY.as_bytes(),
    )
}

async fn drive(args: &ApiArgs, authority: &str) -> anyhow::Result<Vec<Duration>> {
    let headers = signed_headers(args, authority)?;
    let running = Arc::new(AtomicBool::new(true));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let mut sender = connect(authority).await?;
        let headers = headers.clone();
        let authority = authority.to_owned();
        let (running, measuring) = (Arc::clone(&running), Arc::clone(&measuring));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(1 << 16);
            while running.load(Ordering::Relaxed) {
                let req = post(&headers, Bytes::from_static(BODY.as_bytes()))?;
                let start = Instant::now();
                // A server that closes the connection after a response (no keep-alive) gets a new one.
                if sender.ready().await.is_err() {
                    sender = connect(&authority).await?;
                }
                let resp = match sender.send_request(req).await {
                    Ok(resp) => resp,
                    Err(e) if e.is_closed() || e.is_canceled() => {
                        sender = connect(&authority).await?;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                let status = resp.status();
                let _ = resp.into_body().collect().await?;
                anyhow::ensure!(status.is_success(), "the server answered {status}");
                if measuring.load(Ordering::Relaxed) {
                    lat.push(start.elapsed());
                }
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    running.store(false, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}
