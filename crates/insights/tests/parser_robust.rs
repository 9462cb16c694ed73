//! On stable, what the `insights_parse` fuzz target checks, over every prefix of every golden
//! query and over queries with single characters inserted: parsing never panics, error spans lie
//! inside the query, and what parses runs without panicking.
#![allow(clippy::unwrap_used)]

use openwatch_insights::{Event, parse, run_events};

fn queries() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some(q) = line.strip_prefix("query: ") {
                out.push(q.to_owned());
            }
        }
    }
    out
}

fn check(q: &str) {
    match parse(q) {
        Err(e) => {
            assert!(e.start <= e.end && e.end <= q.len(), "{q:?}: span {e}");
            let _ = e.aws_message(q);
        }
        Ok(_) => {
            let msgs = [r#"{"a":1,"c":[{"d":2}]}"#, "ERROR user=42 [WARN] x"];
            let events: Vec<(Event<'_>, bool)> = msgs
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    (
                        Event {
                            timestamp: 1_704_067_200_000 + i as i64 * 61_000,
                            ingestion_time: 0,
                            message: m,
                            log_stream: "s",
                            log: "1:g",
                            ptr: "p",
                        },
                        i == 1,
                    )
                })
                .collect();
            let _ = run_events(q, &events, 0, Some(10));
        }
    }
}

#[test]
fn prefixes_and_insertions_never_panic() {
    let qs = queries();
    assert!(qs.len() > 50);
    let inserts = [
        '(', ')', '"', '/', '|', '`', '[', ']', ',', '*', '-', 'é', '#', '\n', '5',
    ];
    for q in &qs {
        for (i, _) in q.char_indices() {
            check(&q[..i]);
            for c in inserts {
                let mut m = q.clone();
                m.insert(i, c);
                check(&m);
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let q = format!("fields {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&q).is_err());
    let q = format!("fields {}1", "-".repeat(10_000));
    assert!(parse(&q).is_err());
    let q = format!("filter {}x", "not ".repeat(10_000));
    assert!(parse(&q).is_err());
}
