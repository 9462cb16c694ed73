//! Token filters and prefilters end to end: a selective term skips chunks, results never differ
//! from matching every event, chunks written without a filter are still read.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use redb::ReadableTable;

use super::catalog::{CHUNKS, decode, encode};
use super::test_env::{A, Env, R, T0};
use super::*;
use crate::FilterPattern;
use crate::model::Tags;

fn block<F: std::future::Future>(f: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Writes each batch of messages as its own chunk (timestamps increasing across batches).
fn store_with_chunks(env: &Env, batches: &[Vec<String>]) -> LogStore {
    let s = env.open();
    s.create_log_group(A, R, "g", None, Tags::new(), None)
        .unwrap();
    s.create_log_stream(A, R, "g", "s").unwrap();
    let mut ts = T0 - 3_600_000;
    for batch in batches {
        let events = batch
            .iter()
            .map(|m| {
                ts += 1;
                InputEvent {
                    timestamp: ts,
                    message: m.clone(),
                }
            })
            .collect();
        block(s.put_log_events(A, R, "g", "s", events)).unwrap();
        s.flush_all().unwrap();
    }
    s
}

/// Every message FilterLogEvents returns for `pattern`, following its pages.
fn filtered(s: &LogStore, pattern: &FilterPattern) -> Vec<String> {
    let mut token = None;
    let mut out = Vec::new();
    loop {
        let page = s
            .filter_log_events(
                A,
                R,
                "g",
                &FilterQuery {
                    pattern: Some(pattern.clone()),
                    next_token: token.clone(),
                    ..FilterQuery::default()
                },
            )
            .unwrap();
        out.extend(page.events.into_iter().map(|e| e.message));
        token = page.next_token;
        if token.is_none() {
            return out;
        }
    }
}

fn brute_force(batches: &[Vec<String>], pattern: &FilterPattern) -> Vec<String> {
    batches
        .iter()
        .flatten()
        .filter(|m| pattern.matches(m))
        .cloned()
        .collect()
}

fn log_batches() -> Vec<Vec<String>> {
    (0..20)
        .map(|c| {
            (0..200)
                .map(|i| {
                    if c == 7 && i == 50 {
                        "ERROR java.lang.OutOfMemoryError: Java heap space".to_string()
                    } else {
                        format!(
                            "10.0.{c}.{i} - - \"GET /api/v1/items/{i} HTTP/1.1\" 200 {} INFO",
                            i * 7
                        )
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn selective_term_skips_most_chunks() {
    let env = Env::new();
    let batches = log_batches();
    let s = store_with_chunks(&env, &batches);
    let before = s.chunk_scan_stats();
    let p = FilterPattern::parse("OutOfMemoryError").unwrap();
    assert_eq!(filtered(&s, &p), brute_force(&batches, &p));
    assert_eq!(filtered(&s, &p).len(), 1);
    let after = s.chunk_scan_stats();
    let skipped = after.skipped - before.skipped;
    assert!(skipped >= 2 * 18, "skipped {skipped} of 40 chunk visits");
    // A term in every chunk skips none, and still returns every event.
    let before = s.chunk_scan_stats();
    let p = FilterPattern::parse("\"HTTP/1.1\" INFO").unwrap();
    assert_eq!(filtered(&s, &p), brute_force(&batches, &p));
    assert_eq!(s.chunk_scan_stats().skipped, before.skipped);
    // JSON-free structured patterns and regexes skip as well.
    for text in [
        "%OutOfMem[a-z]+Error%",
        "[level = \"ERROR\", ...]",
        "?OutOfMemoryError ?Heap",
    ] {
        let p = FilterPattern::parse(text).unwrap();
        let before = s.chunk_scan_stats().skipped;
        assert_eq!(filtered(&s, &p), brute_force(&batches, &p), "{text}");
        assert!(s.chunk_scan_stats().skipped - before >= 18, "{text}");
    }
}

#[test]
fn selective_term_decompresses_only_its_blocks() {
    let env = Env::new();
    let batches = log_batches();
    let s = store_with_chunks(&env, &batches);
    let p = FilterPattern::parse("OutOfMemoryError").unwrap();
    let before = s.chunk_scan_stats();
    assert_eq!(filtered(&s, &p).len(), 1);
    let after = s.chunk_scan_stats();
    let read = after.blocks_read - before.blocks_read;
    let skipped = after.blocks_skipped - before.blocks_skipped;
    // The one chunk holding the term spans dozens of (test-sized) blocks; one or two are read.
    assert!((1..=2).contains(&read), "read {read} blocks");
    assert!(skipped > 20, "skipped {skipped} blocks");
    // Pages that start inside a chunk skip the blocks before their token; limits cut across
    // blocks; every event comes once, in order.
    let p = FilterPattern::parse("\"HTTP/1.1\" INFO").unwrap();
    let mut token = None;
    let mut out = Vec::new();
    loop {
        let page = s
            .filter_log_events(
                A,
                R,
                "g",
                &FilterQuery {
                    pattern: Some(p.clone()),
                    next_token: token.clone(),
                    limit: Some(37),
                    ..FilterQuery::default()
                },
            )
            .unwrap();
        assert!(page.events.len() <= 37);
        out.extend(page.events.into_iter().map(|e| e.message));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(out, brute_force(&batches, &p));
}

#[test]
fn chunks_written_without_a_filter_are_still_read() {
    let env = Env::new();
    let batches = log_batches();
    {
        let s = store_with_chunks(&env, &batches);
        // Rewrite every chunk's catalog record as version 1 wrote it: no `filter` field.
        let tx = s.catalog().db().begin_write().unwrap();
        {
            let mut t = tx.open_table(CHUNKS).unwrap();
            let keys: Vec<(u64, u64)> = t.iter().unwrap().map(|r| r.unwrap().0.value()).collect();
            for k in keys {
                let mut meta: ChunkMeta = decode(t.get(k).unwrap().unwrap().value()).unwrap();
                meta.filter = None;
                let bytes = encode(&meta).unwrap();
                assert!(!String::from_utf8_lossy(&bytes).contains("filter"));
                t.insert(k, bytes.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let s = env.open();
    let p = FilterPattern::parse("OutOfMemoryError").unwrap();
    assert_eq!(filtered(&s, &p).len(), 1);
    assert_eq!(s.chunk_scan_stats().skipped, 0);
    let chunk = s
        .state
        .read()
        .groups
        .values()
        .next()
        .unwrap()
        .chunks
        .values()
        .next()
        .cloned();
    assert!(chunk.unwrap().may_contain(&["no such text anywhere"]));
}

#[test]
fn chunk_may_contain_is_exposed_for_insights() {
    let env = Env::new();
    let s = store_with_chunks(&env, &log_batches());
    let src = s.scan_source(A, R, "g", 0, i64::MAX).unwrap();
    let holding: Vec<bool> = src
        .units
        .iter()
        .filter_map(|u| match u {
            ScanUnit::Chunk(c) => Some(c.may_contain(&["OutOfMemoryError", "heap space"])),
            ScanUnit::Head => None,
        })
        .collect();
    assert_eq!(holding.len(), 20);
    assert!(holding[7]);
    assert!(holding.iter().filter(|h| **h).count() <= 2);
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 =:/._-]{1,50}",
        "[a-z]{1,8}".prop_map(|v| format!(r#"{{"level":"{v}","n":1}}"#)),
        "[a-z]{1,8}".prop_map(|v| {
            let escaped: String = v.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
            format!(r#"{{"level":"{escaped}"}}"#)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// No false negatives: a term cut from a stored message (as a phrase, a JSON value or a regex)
    /// finds exactly what matching every event finds.
    #[test]
    fn filtered_reads_equal_brute_force(
        batches in proptest::collection::vec(proptest::collection::vec(message(), 1..20), 1..6),
        pick in any::<prop::sample::Index>(),
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
    ) {
        let env = Env::new();
        let s = store_with_chunks(&env, &batches);
        let all: Vec<&String> = batches.iter().flatten().collect();
        let m = pick.get(&all);
        let (i, j) = (a.index(m.len() + 1), b.index(m.len() + 1));
        let term = &m[i.min(j)..i.max(j)];
        let word: String = term.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut patterns = vec![format!("\"{term}\""), format!("{{ $.level = \"{word}\" }}")];
        if !word.is_empty() {
            patterns.push(format!("%{word}%"));
            patterns.push(word.clone());
        }
        for text in patterns {
            let Ok(p) = FilterPattern::parse(&text) else { continue };
            prop_assert_eq!(filtered(&s, &p), brute_force(&batches, &p), "{}", text);
        }
    }
}
