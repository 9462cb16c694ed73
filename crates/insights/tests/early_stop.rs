//! A query's leading `filter`s see a JSON message scanned only up to their last field, and a
//! rejection there is final only when it is proven to be (no later duplicate of those keys, and
//! the filters reject the event without them, as they would if the rest were invalid JSON).
//! These tests run each query both ways — optimised, and with every field discovered by full
//! parsing (the unoptimised plan) — over messages built to break that proof: later
//! duplicates, escaped and nested keys, JSON invalid after the filter's field, and fields that
//! come from non-JSON sources (VPC flow logs, Lambda `REPORT` lines, `parse`).
#![allow(clippy::unwrap_used)]

use openwatch_insights::discover::Discovery;
use openwatch_insights::eval::Ctx;
use openwatch_insights::{Event, Plan, ResultRow, parse};

const T0: i64 = 1_704_067_200_000;

const QUERIES: &[&str] = &[
    "filter status >= 500 | stats count(*) as n, avg(latency_ms) as a by svc",
    "filter status >= 500 and svc = \"a\" | fields @timestamp, svc, status, latency_ms",
    "filter not ispresent(status) | stats count(*) as n by svc",
    "filter status != 200 | filter svc like /b/ | stats count(*) as n by status",
    "filter status >= 500 or @message like /force/ | stats count(*) as n by svc",
    "filter status in [500, 503] | sort @timestamp desc | limit 7",
    "filter status < 300 | stats count(*) as n, sum(latency_ms) as s by svc, status",
    "filter bytes >= 500 | stats count(*) as n by action",
    "filter @duration > 100 | stats count(*) as n",
    "filter ispresent(svc) and svc != \"zz\" | fields svc, status",
    "filter status >= 500 | parse @message \"svc=*;\" as svc2 | stats count(*) as n by svc2",
    "parse @message \"status=* \" as status | filter status >= 500 | stats count(*) as n",
    "fields status | filter status >= 500 | stats count(*) as n",
    "filter status >= 500 | fields @message | sort @timestamp desc | limit 50",
    "filter svc = \"a\" | stats count(*) as n by status",
    "filter status = 503 | stats count(*) as n",
    "filter status like /50/ | stats count(*) as n by svc",
    "filter not (status < 500) | stats count(*) as n by svc",
    "filter ispresent(status) | stats count(*) as n by svc",
];

/// Messages chosen to defeat an unsound early rejection.
const TRICKY: &[&str] = &[
    r#"{"status":503,"svc":"a","latency_ms":5}"#,
    r#"{"status":200,"svc":"a","latency_ms":7}"#,
    r#"{"status":200,"svc":"a","status":503}"#,
    r#"{"status":503,"svc":"b","status":200}"#,
    r#"{"status":200,"x":"a\"b","svc":"b"}"#,
    r#"{"status":200,"x":"a","st\u0061tus":503,"svc":"b"}"#,
    r#"{"st\u0061tus":503,"svc":"a"}"#,
    r#"{"status":503,"svc":"a"} trailing"#,
    r#"{"status":503,"svc":"a",}"#,
    r#"{"status":200,"svc":"a","#,
    r#"{"status":503, "svc":"a""#,
    r#"{"status":200,"n":{"status":503},"svc":"b"}"#,
    r#"{"status":null,"svc":"b"}"#,
    r#"{"status":200,"svc":"b","status":null}"#,
    r#"{"status":"503","svc":"c"}"#,
    r#"{"status":{"code":503},"svc":"c"}"#,
    r#"{"svc":"a","status":200,"force":1}"#,
    r#"{"status":200,"svc":"force"}"#,
    r#"  {"status" : 503 , "svc" : "b" , "latency_ms" : 3 }  "#,
    r#"{"status":200,"@duration":150,"svc":"d"}"#,
    r#"{"bytes":900,"action":"ACCEPT","status":200}"#,
    "2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 5000 1600000000 1600000060 ACCEPT OK",
    "2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 400 1600000000 1600000060 REJECT OK",
    "REPORT RequestId: 3f1c\tDuration: 150.5 ms\tBilled Duration: 151 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
    "REPORT RequestId: 3f1d\tDuration: 50.5 ms\tBilled Duration: 51 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
    "status=503 svc=a;",
    "plain text status 503",
    "{not json",
    "",
];

/// The tricky messages whose duplicate key ends `null` (see [`check`]).
const DUPLICATE_NULL: &[&str] = &[r#"{"status":200,"svc":"b","status":null}"#];

fn events(messages: &[String]) -> (Vec<String>, Vec<Event<'_>>) {
    let ptrs: Vec<String> = (0..messages.len()).map(|i| format!("p{i:06}")).collect();
    let evs = messages
        .iter()
        .enumerate()
        .map(|(i, m)| Event {
            timestamp: T0 + i as i64 * 1000,
            ingestion_time: T0 + i as i64 * 1000 + 5,
            message: m,
            log_stream: "s",
            log: "123456789012:g",
            ptr: "",
        })
        .collect();
    (ptrs, evs)
}

/// How a test runs the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// As the runner does (leading filters on a scan stopped at their fields).
    Fast,
    /// Every JSON message scanned whole before the filters run.
    NoStop,
    /// Every field of every message discovered by full parsing.
    Full,
}

/// The query's rows and matched count, run in `mode`.
fn run(query: &str, evs: &[Event<'_>], ptrs: &[String], mode: Mode) -> (Vec<ResultRow>, usize) {
    let mut plan = Plan::new(parse(query).unwrap(), None);
    match mode {
        Mode::Fast => {}
        Mode::NoStop => plan.discovery = plan.discovery.without_early_stop(),
        Mode::Full => plan.discovery = Discovery::all(),
    }
    let ctx = Ctx { now: T0 };
    let mut acc = plan.new_acc();
    let mut matched = 0;
    for (i, ev) in evs.iter().enumerate() {
        let ev = Event {
            ptr: &ptrs[i],
            ..*ev
        };
        matched += plan.feed(&ev, i % 5 == 4, &mut acc, &ctx);
    }
    (plan.finish(&acc, &ctx, None), matched)
}

/// Runs every query optimised and without the early stop (always equal), and, when `full`,
/// also with every field discovered by full parsing. (Full discovery merges a later duplicate
/// key whose value is `null` or a container into the earlier one, where the selective scans
/// let the last occurrence win, so messages with duplicate keys are compared without it.)
fn check(messages: &[String], full: bool) {
    let (ptrs, evs) = events(messages);
    for q in QUERIES {
        let fast = run(q, &evs, &ptrs, Mode::Fast);
        assert_eq!(fast, run(q, &evs, &ptrs, Mode::NoStop), "query {q}");
        if full {
            assert_eq!(fast, run(q, &evs, &ptrs, Mode::Full), "query {q}");
        }
    }
}

#[test]
fn tricky_messages_give_the_unoptimised_rows() {
    let msgs: Vec<String> = TRICKY.iter().map(|s| (*s).to_owned()).collect();
    check(&msgs, false);
    let unique: Vec<String> = msgs
        .iter()
        .filter(|m| !DUPLICATE_NULL.contains(&m.as_str()))
        .cloned()
        .collect();
    check(&unique, true);
    // Each message alone, so no other event hides a dropped or extra row.
    for m in &msgs {
        check(
            std::slice::from_ref(m),
            !DUPLICATE_NULL.contains(&m.as_str()),
        );
    }
}

#[test]
fn the_cases_that_must_pass_do() {
    let msgs: Vec<String> = TRICKY.iter().map(|s| (*s).to_owned()).collect();
    let (ptrs, evs) = events(&msgs);
    let (rows, _) = run(
        "filter status >= 500 | fields @message",
        &evs,
        &ptrs,
        Mode::Fast,
    );
    let got: Vec<&str> = rows.iter().map(|r| r[0].1.as_str()).collect();
    // Newest first. The later duplicate (503 after 200) and the escaped key count; the later
    // 200 after 503, the invalid ones and the nested 503 do not.
    assert_eq!(
        got,
        [
            r#"  {"status" : 503 , "svc" : "b" , "latency_ms" : 3 }  "#,
            r#"{"status":"503","svc":"c"}"#,
            r#"{"st\u0061tus":503,"svc":"a"}"#,
            r#"{"status":200,"x":"a","st\u0061tus":503,"svc":"b"}"#,
            r#"{"status":200,"svc":"a","status":503}"#,
            r#"{"status":503,"svc":"a","latency_ms":5}"#,
        ]
    );
    let (rows, _) = run(
        "filter bytes >= 500 | stats count(*) as n by action",
        &evs,
        &ptrs,
        Mode::Fast,
    );
    // One VPC flow log record and one JSON message.
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], ("n".to_owned(), "2".to_owned()));
}

/// Random messages: JSON objects with the filter's keys in random places, repeated, nested,
/// escaped or null, randomly cut short or followed by junk, and non-JSON lines.
#[test]
fn random_messages_give_the_unoptimised_rows() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for round in 0..80 {
        // Half the rounds repeat keys (compared without the early stop only), half do not.
        let unique = round % 2 == 1;
        let mut msgs = Vec::new();
        for _ in 0..60 {
            let mut members = Vec::new();
            let mut used = Vec::new();
            for _ in 0..rnd(7) {
                let mut key = KEYS[rnd(KEYS.len() as u64) as usize];
                if unique {
                    if key == "st\\u0061tus" {
                        key = "status";
                    }
                    if used.contains(&key) {
                        continue;
                    }
                    used.push(key);
                }
                let value = match rnd(9) {
                    0 => "null".to_owned(),
                    1 => format!("\"{}\"", 200 + rnd(400)),
                    2 => format!("{{\"status\":{}}}", 200 + rnd(400)),
                    3 => "\"a\\\"b\"".to_owned(),
                    4 => format!("\"{}\"", ["a", "b", "force", "zz"][rnd(4) as usize]),
                    5 => format!("[{}, \"status\"]", rnd(600)),
                    _ => format!("{}", 100 + rnd(500)),
                };
                members.push(format!("\"{key}\":{value}"));
            }
            let mut m = format!("{{{}}}", members.join(","));
            match rnd(12) {
                0 => m.truncate(rnd(m.len() as u64 + 1) as usize),
                1 => m.push_str(" x"),
                2 => m.insert(m.len() - 1, ','),
                3 => m = format!("status={} svc=a;", 200 + rnd(400)),
                _ => {}
            }
            msgs.push(m);
        }
        check(&msgs, unique);
    }
}

/// Keys of the random messages (`st\u0061tus` is `status` escaped).
const KEYS: &[&str] = &[
    "status",
    "svc",
    "latency_ms",
    "st\\u0061tus",
    "bytes",
    "x",
    "n",
];
