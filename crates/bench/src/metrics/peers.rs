//! The peers, run on the same data in the same run when their binaries are installed
//! (Debian packages `victoria-metrics` and `prometheus`): VictoriaMetrics' import rate and bytes
//! per sample, Prometheus' bytes per sample from `promtool tsdb create-blocks-from openmetrics`
//! and its head-append rate from `promtool tsdb bench write`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::data::{DataSet, Rounding, SERIES};
use super::http::send_all;
use super::inproc::dir_bytes;

/// Finds `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// VictoriaMetrics' figures on one data set.
pub struct VmFigures {
    pub rate: f64,
    pub bytes: u64,
}

/// A child process killed (by its own handle) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A plain (unsigned) HTTP call to VictoriaMetrics.
fn vm_get(client: &tokio::runtime::Runtime, authority: &str, path: &str) -> anyhow::Result<u16> {
    client.block_on(async {
        let stream = tokio::net::TcpStream::connect(authority).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let req = http::Request::get(path)
            .header(http::header::HOST, authority)
            .body(http_body_util::Empty::<bytes::Bytes>::new())?;
        let resp = sender.send_request(req).await?;
        Ok(resp.status().as_u16())
    })
}

/// Imports the data set into a fresh VictoriaMetrics through `/api/v1/import/prometheus`
/// (10,000 lines a request, `connections` at once, text built outside the timed part), forces a
/// flush and a merge, waits until its data directory stops changing and measures it.
pub fn victoria_metrics(
    bin: &Path,
    data: &DataSet,
    r: Rounding,
    connections: usize,
    client: &tokio::runtime::Runtime,
) -> anyhow::Result<VmFigures> {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let authority = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(dir.path().join("vm.log"))?;
    let storage = dir.path().join("data");
    let _vm = Guard(
        Command::new(bin)
            .arg(format!("-storageDataPath={}", storage.display()))
            .arg(format!("-httpListenAddr={authority}"))
            .arg("-retentionPeriod=100y")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("cannot start victoria-metrics")?,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while vm_get(client, &authority, "/health").ok() != Some(200) {
        anyhow::ensure!(Instant::now() < deadline, "victoria-metrics did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut elapsed = Duration::ZERO;
    for hour in 0..data.hours() {
        let reqs = data
            .hour_prometheus_text(hour, r, 10_000)
            .into_iter()
            .map(|body| {
                let mut headers = http::HeaderMap::new();
                headers.insert(http::header::HOST, authority.parse()?);
                headers.insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/plain"),
                );
                Ok(super::http::Prepared::raw(
                    "/api/v1/import/prometheus",
                    headers,
                    body.into_bytes(),
                ))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        elapsed += send_all(client, &authority, reqs, connections)?;
    }
    // Imported rows are buffered in memory; flush them, merge the parts, then wait for the
    // directory to settle (background merges and deletion of merged parts).
    let flushed = Instant::now();
    anyhow::ensure!(
        vm_get(client, &authority, "/internal/force_flush")? == 200,
        "force_flush failed"
    );
    elapsed += flushed.elapsed();
    let month = time_prefix(data.t0);
    vm_get(
        client,
        &authority,
        &format!("/internal/force_merge?partition_prefix={month}"),
    )?;
    let mut last = dir_bytes(&storage);
    let mut stable = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while stable < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        let now = dir_bytes(&storage);
        stable = if now == last { stable + 1 } else { 0 };
        last = now;
    }
    Ok(VmFigures {
        rate: data.samples() as f64 / elapsed.as_secs_f64(),
        bytes: last,
    })
}

/// `YYYY_MM` of a millisecond timestamp (VictoriaMetrics' monthly partition names).
fn time_prefix(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year}_{month:02}")
}

/// Prometheus' figures on one data set.
pub struct PromFigures {
    pub bytes: u64,
    pub blocks: usize,
    pub create_secs: f64,
}

/// Writes the data set as OpenMetrics, runs `promtool tsdb create-blocks-from openmetrics` and
/// measures the blocks it wrote (default block duration, 2 h).
pub fn prometheus_blocks(
    promtool: &Path,
    data: &DataSet,
    r: Rounding,
) -> anyhow::Result<PromFigures> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("data.om");
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&input)?);
        data.write_openmetrics(r, &mut w)?;
        std::io::Write::flush(&mut w)?;
    }
    let out = dir.path().join("blocks");
    let started = Instant::now();
    let res = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&out)
        .output()
        .context("cannot run promtool")?;
    let create_secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        res.status.success(),
        "promtool create-blocks-from failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let _ = std::fs::remove_file(&input);
    let blocks = std::fs::read_dir(&out)?
        .flatten()
        .filter(|e| e.path().join("meta.json").is_file())
        .count();
    Ok(PromFigures {
        bytes: dir_bytes(&out),
        blocks,
        create_secs,
    })
}

/// `promtool tsdb bench write` with the data set's 1,000 label sets and as many scrapes as the
/// data set has steps; returns its samples/s.
pub fn prometheus_bench_write(promtool: &Path, data: &DataSet) -> anyhow::Result<(f64, String)> {
    let dir = tempfile::tempdir()?;
    let series = dir.path().join("series.json");
    std::fs::write(&series, DataSet::series_json_lines())?;
    let res = Command::new(promtool)
        .current_dir(dir.path())
        .args(["tsdb", "bench", "write"])
        .arg(format!("--out={}", dir.path().join("out").display()))
        .arg(format!("--metrics={SERIES}"))
        .arg(format!("--scrapes={}", data.steps))
        .arg(&series)
        .output()
        .context("cannot run promtool")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    anyhow::ensure!(
        res.status.success(),
        "promtool tsdb bench write failed: {text}"
    );
    let rate = text
        .lines()
        .find_map(|l| {
            let l = l.trim().trim_start_matches('>').trim();
            l.strip_prefix("samples/sec:")
                .and_then(|v| v.trim().parse::<f64>().ok())
        })
        .with_context(|| format!("no samples/sec in promtool's output: {text}"))?;
    let line = text
        .lines()
        .filter(|l| l.contains("total samples") || l.contains("samples/sec"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Ok((rate, line))
}

#[cfg(test)]
mod tests {
    #[test]
    fn month_prefix() {
        assert_eq!(super::time_prefix(1_767_225_600_000), "2026_01");
        assert_eq!(super::time_prefix(1_764_374_400_000), "2025_11");
    }
}
