//! The `metrics` suite: OpenWatch's metrics engine on a TSBS-style cpu-only data set (see
//! [`data`]), beside VictoriaMetrics and Prometheus on the same data in the same run.
//!
//! OpenWatch: engine ingest in process ([`inproc`]), PutMetricData over HTTP in CBOR and JSON
//! and GetMetricData latency ([`http`]), bytes per sample after sealing with and without the
//! series index, RAM per active series. Peers ([`peers`]): VictoriaMetrics' import rate and
//! bytes per sample, Prometheus' blocks and head-append rate; "peer not installed" when a binary
//! is missing. Prints one table with the ratios.

mod data;
mod http;
mod inproc;
mod peers;

use data::{DataSet, Rounding};

#[derive(clap::Args)]
pub struct MetricsArgs {
    /// Hours of data (one sample every 10 s for each of the 1,000 series).
    #[arg(long, default_value_t = 24)]
    hours: usize,
    /// Threads calling `Metrics::put` in the engine measurement.
    #[arg(long, default_value_t = 16)]
    threads: usize,
    /// Concurrent HTTP connections (PutMetricData, VictoriaMetrics import).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Skip the HTTP measurements.
    #[arg(long)]
    no_http: bool,
    /// Skip the peers even when installed.
    #[arg(long)]
    no_peers: bool,
}

/// A row of the result table: OpenWatch's figure and the peers' figures.
struct Row {
    measure: String,
    ow: Option<f64>,
    vm: Option<f64>,
    prom: Option<f64>,
    /// `samples/s` (printed in millions) or `bytes`.
    unit: &'static str,
}

fn fmt(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "—".into(),
        Some(v) if unit == "samples/s" => format!("{:.2} M/s", v / 1e6),
        Some(v) => format!("{v:.3}"),
    }
}

fn ratio(ow: Option<f64>, peer: Option<f64>) -> String {
    match (ow, peer) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".into(),
    }
}

pub fn run(args: MetricsArgs) -> anyhow::Result<()> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    // The day ends at least an hour ago: PutMetricData takes the past two weeks, and
    // VictoriaMetrics and Prometheus take it as recent data.
    let t0 = now_ms - now_ms.rem_euclid(3_600_000) - (args.hours as i64 + 1) * 3_600_000;
    let (ram_series, ram_per_series) = inproc::ram_per_series(t0)?;
    println!(
        "RAM per active series: {ram_per_series:.0} bytes ({ram_series} series, one sample each)"
    );
    let data = DataSet::generate(t0, args.hours);
    println!(
        "data: {} series × {} steps of 10 s = {} samples, fixed seed",
        data::SERIES,
        data.steps,
        data.samples()
    );
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let vm_bin = peers::which("victoria-metrics").filter(|_| !args.no_peers);
    let promtool = peers::which("promtool").filter(|_| !args.no_peers);
    if args.no_peers {
        println!("peers skipped (--no-peers)");
    } else {
        if vm_bin.is_none() {
            println!("VictoriaMetrics: peer not installed (apt-get install victoria-metrics)");
        }
        if promtool.is_none() {
            println!("Prometheus: peer not installed (apt-get install prometheus)");
        }
    }
    let samples = data.samples() as f64;
    let mut rows = Vec::new();
    for r in [Rounding::Integer, Rounding::TwoDecimals] {
        let e = inproc::ingest(&data, r, args.threads, inproc::Api::Owned)?;
        let b = inproc::ingest(&data, r, args.threads, inproc::Api::Borrowed)?;
        println!(
            "openwatch engine, {} ({}): {:.0} samples/s",
            r.label(),
            inproc::Api::Borrowed.label(),
            b.rate()
        );
        println!(
            "openwatch engine, {}: {:.0} samples/s; raw blocks {} B, series file {} B, whole data dir {} B",
            r.label(),
            e.rate(),
            e.raw_bytes,
            e.index_bytes,
            e.dir_bytes
        );
        let parts: Vec<String> = e.parts.iter().map(|(p, b)| format!("{p} {b} B")).collect();
        println!("  data dir by part: {}", parts.join(", "));
        let vm = match &vm_bin {
            Some(bin) => {
                let f = peers::victoria_metrics(bin, &data, r, args.connections, &client)?;
                println!(
                    "victoria-metrics, {}: import {:.0} samples/s, {} B on disk",
                    r.label(),
                    f.rate,
                    f.bytes
                );
                Some(f)
            }
            None => None,
        };
        let prom = match &promtool {
            Some(bin) => {
                let f = peers::prometheus_blocks(bin, &data, r)?;
                println!(
                    "prometheus, {}: {} blocks, {} B, create-blocks-from took {:.1} s",
                    r.label(),
                    f.blocks,
                    f.bytes,
                    f.create_secs
                );
                Some(f)
            }
            None => None,
        };
        let label = r.label();
        rows.push(Row {
            measure: format!("Bytes/sample, {label}, index included"),
            ow: Some((e.raw_bytes + e.index_bytes) as f64 / samples),
            vm: vm.as_ref().map(|f| f.bytes as f64 / samples),
            prom: prom.as_ref().map(|f| f.bytes as f64 / samples),
            unit: "bytes",
        });
        rows.push(Row {
            measure: format!("Bytes/sample, {label}, raw blocks only (no index)"),
            ow: Some(e.raw_bytes as f64 / samples),
            vm: None,
            prom: None,
            unit: "bytes",
        });
        rows.push(Row {
            measure: format!(
                "Bytes/sample, {label}, whole data dir (+ 1m/5m/1h rollups, WAL tail)"
            ),
            ow: Some(e.dir_bytes as f64 / samples),
            vm: None,
            prom: None,
            unit: "bytes",
        });
        rows.push(Row {
            measure: format!("Ingest, {label}: engine put / VM import / —"),
            ow: Some(e.rate()),
            vm: vm.as_ref().map(|f| f.rate),
            prom: None,
            unit: "samples/s",
        });
        rows.push(Row {
            measure: format!("Ingest, {label}: engine put_refs, shared dimensions / VM import / —"),
            ow: Some(b.rate()),
            vm: vm.as_ref().map(|f| f.rate),
            prom: None,
            unit: "samples/s",
        });
    }
    if !args.no_http {
        let mut loaded = None;
        for proto in [http::Proto::Cbor, http::Proto::Json] {
            let (rate, local) = http::put_rate(
                &data,
                Rounding::TwoDecimals,
                proto,
                args.connections,
                &client,
            )?;
            println!(
                "PutMetricData over HTTP, {}: {rate:.0} samples/s",
                proto.label()
            );
            rows.push(Row {
                measure: format!("PutMetricData {} / VM import (two decimals)", proto.label()),
                ow: Some(rate),
                vm: rows
                    .iter()
                    .find(|r| r.measure.starts_with("Ingest, two decimals"))
                    .and_then(|r| r.vm),
                prom: None,
                unit: "samples/s",
            });
            match loaded {
                None => loaded = Some(local),
                Some(_) => local.stop()?,
            }
        }
        if let Some(local) = loaded {
            let q = http::query_latency(&local, &data, &client, args.connections)?;
            println!(
                "GetMetricData 1 series × 1 day: p50 {:.2} ms, max {:.2} ms ({})",
                q.one_series_p50.as_secs_f64() * 1e3,
                q.one_series_max.as_secs_f64() * 1e3,
                q.one_series_note
            );
            println!(
                "GetMetricData Insights GROUP BY region over 10,000 series × 1 h: p50 {:.2} ms, max {:.2} ms ({})",
                q.insights_p50.as_secs_f64() * 1e3,
                q.insights_max.as_secs_f64() * 1e3,
                q.insights_note
            );
            local.stop()?;
        }
    }
    if let Some(bin) = &promtool {
        let (rate, line) = peers::prometheus_bench_write(bin, &data)?;
        println!("prometheus head append (promtool tsdb bench write): {line}");
        for (api, prefix) in [
            (inproc::Api::Owned, "Ingest, two decimals: engine put /"),
            (
                inproc::Api::Borrowed,
                "Ingest, two decimals: engine put_refs, shared dimensions /",
            ),
        ] {
            let engine = rows
                .iter()
                .find(|r| r.measure.starts_with(prefix))
                .and_then(|r| r.ow);
            rows.push(Row {
                measure: format!("Engine {} / Prometheus head append", api.label()),
                ow: engine,
                vm: None,
                prom: Some(rate),
                unit: "samples/s",
            });
        }
    }
    println!();
    println!("| Measure | OpenWatch | VictoriaMetrics | OW/VM | Prometheus | OW/Prom |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.measure,
            fmt(r.ow, r.unit),
            fmt(r.vm, r.unit),
            ratio(r.ow, r.vm),
            fmt(r.prom, r.unit),
            ratio(r.ow, r.prom)
        );
    }
    println!("| RAM per active series | {ram_per_series:.0} B | | | | |");
    Ok(())
}
