//! The TSBS-style cpu-only data set of the `metrics` suite: 100 hosts × 10 cpu fields (1,000
//! series), six labels per host, one sample every 10 s for `hours` hours (24 h = 8.64 M samples),
//! values a bounded random walk in [0, 100] from a fixed seed, rounded to integers or to two
//! decimals. Every consumer (OpenWatch engine, HTTP, VictoriaMetrics, Prometheus) reads the same
//! values from here.

use std::fmt::Write as _;

use openwatch_metrics::{Dimension, MetricDatum};

/// Hosts in the data set.
pub const HOSTS: usize = 100;
/// The cpu fields (metric names), one series per host and field.
pub const FIELDS: [&str; 10] = [
    "usage_user",
    "usage_system",
    "usage_idle",
    "usage_nice",
    "usage_iowait",
    "usage_irq",
    "usage_softirq",
    "usage_steal",
    "usage_guest",
    "usage_guest_nice",
];
/// Series in the data set.
pub const SERIES: usize = HOSTS * FIELDS.len();
/// Interval between two samples of a series.
pub const STEP_MS: i64 = 10_000;
/// Steps in one hour.
pub const STEPS_PER_HOUR: usize = (3_600_000 / STEP_MS) as usize;
/// The generator's fixed seed.
const SEED: u64 = 0x5eed;

/// How values are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Integer,
    TwoDecimals,
}

impl Rounding {
    pub fn label(self) -> &'static str {
        match self {
            Rounding::Integer => "integers",
            Rounding::TwoDecimals => "two decimals",
        }
    }

    fn apply(self, v: f64) -> f64 {
        match self {
            Rounding::Integer => v.round(),
            Rounding::TwoDecimals => (v * 100.0).round() / 100.0,
        }
    }
}

/// xorshift64* (deterministic, no dependency).
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The whole data set: the unrounded walk, step-major (`walk[step * SERIES + series]`).
pub struct DataSet {
    /// Timestamp of the first step (milliseconds, hour-aligned).
    pub t0: i64,
    pub steps: usize,
    walk: Vec<f64>,
}

/// Labels of host `h`: hostname, region, datacenter, rack, os, service.
pub fn host_labels(h: usize) -> [(&'static str, String); 6] {
    [
        ("hostname", format!("host_{h}")),
        ("region", format!("eu-central-{}", h % 3)),
        (
            "datacenter",
            format!("eu-central-1{}", (b'a' + (h % 3) as u8) as char),
        ),
        ("rack", format!("{}", h % 100)),
        ("os", format!("Ubuntu{}", 15 + h % 3)),
        ("service", format!("{}", h % 20)),
    ]
}

/// The dimensions of host `h` as PutMetricData carries them.
pub fn host_dims(h: usize) -> Vec<Dimension> {
    host_labels(h)
        .into_iter()
        .map(|(n, v)| Dimension::new(n, v))
        .collect()
}

impl DataSet {
    /// Generates `hours` hours starting at `t0` (rounded down to an hour).
    pub fn generate(t0: i64, hours: usize) -> DataSet {
        let steps = hours * STEPS_PER_HOUR;
        let mut walk = Vec::with_capacity(steps * SERIES);
        let mut cur = vec![50.0f64; SERIES];
        let mut rng = Rng(SEED);
        for _ in 0..steps {
            for w in cur.iter_mut() {
                *w = (*w + (rng.next_f64() - 0.5) * 4.0).clamp(0.0, 100.0);
            }
            walk.extend_from_slice(&cur);
        }
        DataSet {
            t0: t0 - t0.rem_euclid(3_600_000),
            steps,
            walk,
        }
    }

    pub fn hours(&self) -> usize {
        self.steps / STEPS_PER_HOUR
    }

    pub fn samples(&self) -> u64 {
        (self.steps * SERIES) as u64
    }

    /// Timestamp of `step`.
    pub fn ts(&self, step: usize) -> i64 {
        self.t0 + step as i64 * STEP_MS
    }

    /// The rounded value of `series` (`host * 10 + field`) at `step`.
    pub fn value(&self, step: usize, series: usize, r: Rounding) -> f64 {
        r.apply(self.walk[step * SERIES + series])
    }

    /// The datums of hour `hour`, step-major, host then field, high resolution (the data is
    /// every 10 s).
    pub fn hour_datums(
        &self,
        hour: usize,
        r: Rounding,
        dims: &[Vec<Dimension>],
    ) -> Vec<MetricDatum> {
        let mut out = Vec::with_capacity(STEPS_PER_HOUR * SERIES);
        for step in hour * STEPS_PER_HOUR..(hour + 1) * STEPS_PER_HOUR {
            for (h, d) in dims.iter().enumerate() {
                for (f, name) in FIELDS.iter().enumerate() {
                    let mut datum = MetricDatum::value(
                        *name,
                        self.ts(step),
                        self.value(step, h * FIELDS.len() + f, r),
                    );
                    datum.dimensions = d.clone();
                    datum.storage_resolution = Some(1);
                    out.push(datum);
                }
            }
        }
        out
    }

    /// Prometheus text exposition lines (`name{labels} value ts_millis`) of hour `hour`, in
    /// bodies of at most `lines_per_body` lines (VictoriaMetrics' `/api/v1/import/prometheus`).
    pub fn hour_prometheus_text(
        &self,
        hour: usize,
        r: Rounding,
        lines_per_body: usize,
    ) -> Vec<String> {
        let labels = label_strings();
        let mut bodies = Vec::new();
        let mut body = String::new();
        let mut lines = 0;
        for step in hour * STEPS_PER_HOUR..(hour + 1) * STEPS_PER_HOUR {
            let ts = self.ts(step);
            for (s, l) in labels.iter().enumerate() {
                let _ = writeln!(body, "{l} {} {ts}", self.value(step, s, r));
                lines += 1;
                if lines == lines_per_body {
                    bodies.push(std::mem::take(&mut body));
                    lines = 0;
                }
            }
        }
        if !body.is_empty() {
            bodies.push(body);
        }
        bodies
    }

    /// The whole data set as OpenMetrics text (timestamps in seconds), grouped by metric family
    /// then series then time, ending with `# EOF` (`promtool tsdb create-blocks-from openmetrics`).
    pub fn write_openmetrics(
        &self,
        r: Rounding,
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let labels = label_strings();
        let mut line = String::new();
        for (f, name) in FIELDS.iter().enumerate() {
            writeln!(out, "# TYPE {name} gauge")?;
            for h in 0..HOSTS {
                let s = h * FIELDS.len() + f;
                for step in 0..self.steps {
                    line.clear();
                    let ts = self.ts(step) / 1_000;
                    let _ = writeln!(line, "{} {} {ts}", labels[s], self.value(step, s, r));
                    out.write_all(line.as_bytes())?;
                }
            }
        }
        writeln!(out, "# EOF")
    }

    /// The label sets as JSON lines (`promtool tsdb bench write`'s input format).
    pub fn series_json_lines() -> String {
        let mut out = String::new();
        for h in 0..HOSTS {
            let labels = host_labels(h);
            for name in FIELDS {
                let mut m = serde_json::Map::new();
                m.insert("__name__".into(), name.into());
                for (k, v) in &labels {
                    m.insert((*k).into(), v.clone().into());
                }
                out.push_str(&serde_json::Value::Object(m).to_string());
                out.push('\n');
            }
        }
        out
    }
}

/// `name{k="v",…}` of every series, indexed `host * 10 + field`.
fn label_strings() -> Vec<String> {
    let mut out = Vec::with_capacity(SERIES);
    for h in 0..HOSTS {
        let labels = host_labels(h);
        for name in FIELDS {
            let mut s = format!("{name}{{");
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{k}=\"{v}\"");
            }
            s.push('}');
            out.push(s);
        }
    }
    out
}
