//! Golden query tests: every `tests/golden/*.txt` file holds cases of a query, input events and
//! the exact expected rows (or an expected error).
//!
//! ```text
//! === case name
//! query: stats count(*) by bin(1h)
//! limit: 10                                   (optional: StartQuery's limit)
//! events:
//! 2024-01-01T00:00:00Z stream-a the message   (`prev ` before a line: diff's earlier period)
//! expect:
//! bin(1h)=2024-01-01 00:00:00.000\tcount(*)=1 (one row per line, tab-separated field=value)
//! ```
//! or `error: <substring of the message>` instead of `expect:`. `@ptr` is compared only when a
//! case's expected rows mention it.
#![allow(clippy::unwrap_used)]

use openwatch_insights::value::parse_time;
use openwatch_insights::{Event, run_events};

const NOW: i64 = 1_704_153_600_000; // 2024-01-02 00:00:00 UTC

#[derive(Debug, Default)]
struct Case {
    name: String,
    query: String,
    limit: Option<usize>,
    events: Vec<(bool, i64, String, String)>,
    expect: Vec<String>,
    error: Option<String>,
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut section = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            cases.extend(cur.take());
            cur = Some(Case {
                name: name.trim().to_owned(),
                ..Case::default()
            });
            section = "";
            continue;
        }
        let Some(c) = cur.as_mut() else { continue };
        if let Some(q) = line.strip_prefix("query: ") {
            c.query = q.to_owned();
        } else if let Some(q) = line.strip_prefix("query+ ") {
            c.query.push('\n');
            c.query.push_str(q);
        } else if let Some(l) = line.strip_prefix("limit: ") {
            c.limit = Some(l.trim().parse().unwrap());
        } else if let Some(e) = line.strip_prefix("error: ") {
            c.error = Some(e.to_owned());
        } else if line == "events:" || line == "expect:" {
            section = if line == "events:" {
                "events"
            } else {
                "expect"
            };
        } else if line.is_empty() || line.starts_with("//") {
            continue;
        } else if section == "events" {
            let (prev, rest) = match line.strip_prefix("prev ") {
                Some(r) => (true, r),
                None => (false, line),
            };
            let mut parts = rest.splitn(3, ' ');
            let ts = parts.next().unwrap();
            let ts = parse_time(ts).unwrap_or_else(|| panic!("{}: bad time {ts}", c.name));
            let stream = parts.next().unwrap().to_owned();
            let msg = parts.next().unwrap_or("").to_owned();
            c.events.push((prev, ts, stream, msg));
        } else if section == "expect" {
            c.expect.push(line.to_owned());
        }
    }
    cases.extend(cur);
    cases
}

fn run_case(c: &Case) -> Result<(), String> {
    let ptrs: Vec<String> = (0..c.events.len()).map(|i| format!("ptr{i}")).collect();
    let events: Vec<(Event<'_>, bool)> = c
        .events
        .iter()
        .zip(&ptrs)
        .map(|((prev, ts, stream, msg), ptr)| {
            (
                Event {
                    timestamp: *ts,
                    ingestion_time: *ts + 1000,
                    message: msg,
                    log_stream: stream,
                    log: "123456789012:app",
                    ptr,
                },
                *prev,
            )
        })
        .collect();
    let with_ptr = c.expect.iter().any(|l| l.contains("@ptr="));
    match (run_events(&c.query, &events, NOW, c.limit), &c.error) {
        (Ok(rows), None) => {
            let got: Vec<String> = rows
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .filter(|(k, _)| with_ptr || k != "@ptr")
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect();
            if got == c.expect {
                Ok(())
            } else {
                Err(format!(
                    "{}\n  query: {}\n  expected:\n    {}\n  got:\n    {}",
                    c.name,
                    c.query,
                    c.expect.join("\n    "),
                    got.join("\n    ")
                ))
            }
        }
        (Err(e), Some(want)) => {
            let msg = e.aws_message(&c.query);
            if msg.contains(want.as_str()) {
                Ok(())
            } else {
                Err(format!("{}: error {msg:?} lacks {want:?}", c.name))
            }
        }
        (Ok(rows), Some(want)) => Err(format!(
            "{}: expected error {want:?}, got {} rows",
            c.name,
            rows.len()
        )),
        (Err(e), None) => Err(format!("{}: unexpected error {e}", c.name)),
    }
}

#[test]
fn golden_queries() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for c in parse_cases(&text) {
            total += 1;
            if let Err(e) = run_case(&c) {
                failures.push(format!(
                    "[{}] {e}",
                    f.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(total >= 50, "only {total} golden cases found");
    assert!(
        failures.is_empty(),
        "{} of {total} golden cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
