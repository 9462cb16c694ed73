//! Version 4 chunks through the store's read paths, beside chunks of versions 2 and 3 in the same
//! group: FilterLogEvents (lanes partly skipped), GetLogEvents both ways and Insights scans return
//! exactly what matching every event returns.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::FilterPattern;
use crate::model::Tags;
use crate::store::chunk::{decode, encode_version, write_file};
use crate::store::test_env::{A, Env, R, T0, block};
use crate::store::{FilterQuery, GetQuery, InputEvent, LogStore};

fn message(c: usize, i: usize) -> String {
    match i % 40 {
        7 => format!("ERROR job {c}-{i} failed: timeout after {}ms", i * 3),
        k if k % 2 == 0 => format!("INFO request {i} of batch {c} completed in {}ms", k),
        _ => format!(
            "10.0.{c}.{i} - - \"GET /api/v1/items/{i} HTTP/1.1\" 200 {}",
            i * 7
        ),
    }
}

/// Eight chunks of 300 events; chunks 2 and 5 rewritten as version 3, chunk 6 as version 2.
fn mixed_store(env: &Env) -> (LogStore, Vec<String>) {
    let s = env.open();
    s.create_log_group(A, R, "g", None, Tags::new(), None)
        .unwrap();
    s.create_log_stream(A, R, "g", "s").unwrap();
    let mut all = Vec::new();
    let mut ts = T0 - 3_600_000;
    for c in 0..8 {
        let events: Vec<InputEvent> = (0..300)
            .map(|i| {
                ts += i64::from(i % 3 == 0);
                all.push(message(c, i));
                InputEvent {
                    timestamp: ts,
                    message: message(c, i),
                }
            })
            .collect();
        block(s.put_log_events(A, R, "g", "s", events)).unwrap();
        s.flush_all().unwrap();
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for g in std::fs::read_dir(env.tmp.path().join("logs/groups")).unwrap() {
        for f in std::fs::read_dir(g.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    assert_eq!(files.len(), 8);
    for (k, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).unwrap();
        assert_eq!(&bytes[4..8], &4u32.to_le_bytes());
        let version = match k {
            2 | 5 => 3,
            6 => 2,
            _ => continue,
        };
        let id = u64::from_str_radix(f.file_stem().unwrap().to_str().unwrap(), 16).unwrap();
        let events = decode(Path::new("x"), &bytes).unwrap();
        let (old, _) = encode_version(id, &events, version).unwrap();
        write_file(f.parent().unwrap(), id, &old).unwrap();
    }
    s.close().unwrap();
    drop(s);
    (env.open(), all)
}

fn filtered(s: &LogStore, pattern: &str, limit: i32) -> Vec<String> {
    let p = FilterPattern::parse(pattern).unwrap();
    let mut token = None;
    let mut out = Vec::new();
    loop {
        let q = FilterQuery {
            pattern: Some(p.clone()),
            next_token: token.take(),
            limit: Some(limit),
            ..FilterQuery::default()
        };
        let page = s.filter_log_events(A, R, "g", &q).unwrap();
        out.extend(page.events.into_iter().map(|e| e.message));
        match page.next_token {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

#[test]
fn every_read_path_returns_the_same_over_mixed_versions() {
    let env = Env::new();
    let (s, all) = mixed_store(&env);
    for (pattern, limit) in [
        ("ERROR", 7),
        ("ERROR", 10_000),
        ("%timeout after \\d+ms%", 13),
        ("INFO", 500),
        ("\"GET /api\" 200", 100),
        ("?ERROR ?INFO", 333),
        ("-INFO", 1000),
        ("NoSuchTerm", 10),
        ("", 1000),
    ] {
        let p = FilterPattern::parse(pattern).unwrap();
        let want: Vec<String> = all.iter().filter(|m| p.matches(m)).cloned().collect();
        assert_eq!(filtered(&s, pattern, limit), want, "{pattern} by {limit}");
    }
    // GetLogEvents forward and backward, page by page.
    for forward in [true, false] {
        let mut got: Vec<String> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let q = GetQuery {
                stream: "s".into(),
                next_token: token.clone(),
                limit: Some(170),
                start_from_head: forward,
                ..GetQuery::default()
            };
            let page = s.get_log_events(A, R, "g", &q).unwrap();
            if page.events.is_empty() {
                break;
            }
            let msgs: Vec<String> = page.events.into_iter().map(|e| e.message).collect();
            if forward {
                got.extend(msgs);
                token = Some(page.next_forward_token);
            } else {
                got.splice(0..0, msgs);
                token = Some(page.next_backward_token);
            }
        }
        assert_eq!(got, all, "forward {forward}");
    }
    // Insights scans: the events holding the literals, and every event counted.
    let src = s.scan_source(A, R, "g", 0, T0).unwrap();
    for lits in [vec!["ERROR".to_string()], vec![], vec!["NoSuchTerm".into()]] {
        let mut got = Vec::new();
        let mut records = 0;
        for u in &src.units {
            let c = s
                .scan_unit(&src, u, &lits, &mut |e| got.push(e.message.to_owned()))
                .unwrap();
            records += c.records;
        }
        let want: Vec<String> = all
            .iter()
            .filter(|m| lits.iter().all(|l| m.contains(l.as_str())))
            .cloned()
            .collect();
        assert_eq!(got, want, "{lits:?}");
        if lits.is_empty() {
            assert_eq!(records, all.len() as u64);
        }
    }
}

#[test]
fn a_partial_block_counts_its_elided_events_in_insights_scans() {
    let env = Env::new();
    let (s, all) = mixed_store(&env);
    let src = s.scan_source(A, R, "g", 0, T0).unwrap();
    // First a scan that reads only ERROR lanes, then one that reads everything: the records each
    // counts in the blocks both read agree (elided events are counted from the fixed fields).
    let lits = vec!["ERROR".to_string()];
    let mut partial = 0;
    let mut full = 0;
    for u in &src.units {
        partial += s.scan_unit(&src, u, &lits, &mut |_| {}).unwrap().records;
    }
    for u in &src.units {
        full += s.scan_unit(&src, u, &[], &mut |_| {}).unwrap().records;
    }
    assert_eq!(full, all.len() as u64);
    assert!(partial <= full);
    assert!(partial > 0);
}
