//! Golden tests for GetMetricData through the engine: each case in `tests/golden/*.txt` puts
//! datapoints, runs queries (MetricStat, metric math, SEARCH, Metrics Insights) and compares
//! every returned result — id, label, ascending `minute=value` datapoints — or the error.
//!
//! Case syntax (times in minutes after `T0`, 2026-01-01T00:00:00Z):
//! ```text
//! == title
//! now 60                                   clock (default 60)
//! range 0 60                               StartTime, EndTime (default 0 60)
//! timezone +0130                           LabelOptions.Timezone
//! put NS Metric Dim=v,Dim2=w 0=10 1.5=20   datapoints (`-` for no dimensions)
//! metric m1 NS Metric Dim=v Average 60     a MetricStat query
//! expr e1 300 <expression or SELECT …>     an Expression query with its Period (0: none)
//! label m1 <text>                          its Label
//! hide m1                                  ReturnData false
//! -> id | label | 0=10 1=20                an expected result, in order
//! error <message>                          the expected error instead
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use openwatch_metrics::query::LabelOptions;
use openwatch_metrics::{DataQuery, DataRequest, MetricDatum, MetricSpec};
use openwatch_storage::SimClock;

const MIN: i64 = 60_000;

#[derive(Default)]
struct Case {
    title: String,
    now: i64,
    range: (i64, i64),
    timezone: Option<String>,
    puts: Vec<(String, MetricDatum)>,
    queries: Vec<DataQuery>,
    expected: Vec<String>,
}

fn dims(text: &str) -> Vec<(String, String)> {
    if text == "-" {
        return Vec::new();
    }
    text.split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("Dim=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(title) = line.strip_prefix("== ") {
            cases.push(Case {
                title: title.to_owned(),
                now: 60,
                range: (0, 60),
                ..Case::default()
            });
            continue;
        }
        let case = cases.last_mut().expect("a line before the first case");
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let query = |case: &mut Case, id: &str| -> usize {
            case.queries
                .iter()
                .position(|q| q.id == id)
                .unwrap_or_else(|| panic!("{}: no query {id}", case.title))
        };
        match word {
            "now" => case.now = rest.parse().unwrap(),
            "range" => {
                let (a, b) = rest.split_once(' ').unwrap();
                case.range = (a.parse().unwrap(), b.parse().unwrap());
            }
            "timezone" => case.timezone = Some(rest.to_owned()),
            "put" => {
                let mut it = rest.split(' ');
                let (ns, name, d) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
                for point in it {
                    let (t, v) = point.split_once('=').unwrap();
                    let at = (t.parse::<f64>().unwrap() * MIN as f64) as i64;
                    let mut datum = MetricDatum::value(name, T0 + at, v.parse().unwrap());
                    for (k, v) in dims(d) {
                        datum = datum.with_dimension(k, v);
                    }
                    case.puts.push((ns.to_owned(), datum));
                }
            }
            "metric" => {
                let f: Vec<&str> = rest.split(' ').collect();
                case.queries.push(DataQuery {
                    id: f[0].into(),
                    metric: MetricSpec {
                        namespace: f[1].into(),
                        metric_name: f[2].into(),
                        dimensions: dims(f[3])
                            .into_iter()
                            .map(|(k, v)| openwatch_metrics::Dimension::new(k, v))
                            .collect(),
                    },
                    stat: f[4].into(),
                    period: f[5].parse().unwrap(),
                    return_data: true,
                    ..DataQuery::default()
                });
            }
            "expr" => {
                let mut it = rest.splitn(3, ' ');
                let (id, period, text) =
                    (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
                case.queries.push(DataQuery {
                    id: id.into(),
                    period: period.parse().unwrap(),
                    expression: Some(text.into()),
                    return_data: true,
                    ..DataQuery::default()
                });
            }
            "label" => {
                let (id, text) = rest.split_once(' ').unwrap();
                let i = query(case, id);
                case.queries[i].label = Some(text.to_owned());
            }
            "hide" => {
                let i = query(case, rest);
                case.queries[i].return_data = false;
            }
            "->" | "error" => case.expected.push(line.to_owned()),
            other => panic!("{}: unknown line {other}", case.title),
        }
    }
    cases
}

fn run(case: &Case) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0 + case.now * MIN));
    let m = open(dir.path(), &clock);
    for (ns, datum) in &case.puts {
        // Each datum is put a minute after its time (PutMetricData refuses data older than two
        // weeks), then the clock goes to `now` for the query.
        let at = datum.timestamp.unwrap_or(T0);
        clock.set(at.max(T0) + MIN);
        m.put(ACCOUNT, REGION, ns, std::slice::from_ref(datum))
            .unwrap();
    }
    clock.set(T0 + case.now * MIN);
    let options = case
        .timezone
        .as_deref()
        .map_or_else(LabelOptions::default, |tz| {
            LabelOptions::parse_timezone(tz).expect("a valid timezone")
        });
    let req = DataRequest {
        queries: case.queries.clone(),
        start: T0 + case.range.0 * MIN,
        end: T0 + case.range.1 * MIN,
        ascending: true,
        ..DataRequest::default()
    };
    match m.get_metric_data_with(ACCOUNT, REGION, &req, options) {
        Err(e) => vec![format!("error {e}")],
        Ok(page) => page
            .results
            .iter()
            .map(|r| {
                let points: Vec<String> = r
                    .timestamps
                    .iter()
                    .zip(&r.values)
                    .map(|(t, v)| format!("{}={v}", (t - T0) / MIN))
                    .collect();
                format!("-> {} | {} | {}", r.id, r.label, points.join(" "))
                    .trim_end()
                    .to_owned()
            })
            .collect(),
    }
}

fn check_file(name: &str, text: &str) {
    let cases = parse_cases(text);
    assert!(!cases.is_empty(), "{name} has no cases");
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case);
        if got != case.expected {
            failures.push(format!(
                "{name}: {}\n  expected:\n    {}\n  got:\n    {}",
                case.title,
                case.expected.join("\n    "),
                got.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_insights() {
    check_file("insights.txt", include_str!("golden/insights.txt"));
}

#[test]
fn golden_labels() {
    check_file("labels.txt", include_str!("golden/labels.txt"));
}
