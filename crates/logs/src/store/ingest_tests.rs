//! Ingest-path tests: where due flushes run (flagged for a blocking thread, or in the put under
//! backpressure), and that the accepted events' EMF, reads and crash recovery see the right
//! events when some of the batch is rejected.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::test_env::{A, Env, R, Recording, T0, block};
use super::*;
use crate::model::{PutResult, Tags};

/// The store with chunks of `chunk_target_bytes`, holding group "g" with stream "s".
fn open(env: &Env, chunk_target_bytes: usize) -> LogStore {
    let s = env.open_with(chunk_target_bytes);
    if s.describe_log_groups(A, R, &GroupQuery::default())
        .unwrap()
        .groups
        .is_empty()
    {
        s.create_log_group(A, R, "g", None, Tags::new(), None)
            .unwrap();
        s.create_log_stream(A, R, "g", "s").unwrap();
    }
    s
}

fn events(items: &[(i64, &str)]) -> Vec<InputEvent> {
    items
        .iter()
        .map(|(t, m)| InputEvent {
            timestamp: *t,
            message: (*m).to_owned(),
        })
        .collect()
}

fn put(s: &LogStore, items: &[(i64, &str)]) -> PutResult {
    block(s.put_log_events(A, R, "g", "s", events(items))).unwrap()
}

fn chunks(s: &LogStore) -> usize {
    s.scan_source(A, R, "g", 0, i64::MAX)
        .unwrap()
        .units
        .iter()
        .filter(|u| matches!(u, ScanUnit::Chunk(_)))
        .count()
}

fn messages(s: &LogStore) -> Vec<String> {
    s.get_log_events(
        A,
        R,
        "g",
        &GetQuery {
            stream: "s".into(),
            start_from_head: true,
            limit: Some(10_000),
            ..GetQuery::default()
        },
    )
    .unwrap()
    .events
    .into_iter()
    .map(|e| e.message)
    .collect()
}

#[test]
fn an_async_put_flags_a_due_head_and_the_flush_runs_elsewhere() {
    let env = Env::new();
    let s = open(&env, 100);
    // 150 bytes: under twice the target, nothing is due.
    put(&s, &[(T0, &"a".repeat(150))]);
    assert!(!s.flush_wanted());
    // 250 bytes: due, but the async put leaves it to a blocking thread.
    put(&s, &[(T0 + 1, &"b".repeat(100))]);
    assert!(s.flush_wanted());
    assert_eq!(chunks(&s), 0);
    // While a run is going on, another returns at once and leaves the request to it.
    s.flushing.store(true, Ordering::Release);
    assert!(!s.flush_wanted());
    assert_eq!(s.run_wanted_flushes().unwrap(), FlushReport::default());
    s.flushing.store(false, Ordering::Release);
    let report = s.run_wanted_flushes().unwrap();
    assert_eq!((report.chunks_written, report.events_flushed), (1, 2));
    assert!(!s.flush_wanted());
    assert_eq!(chunks(&s), 1);
    assert_eq!(messages(&s), vec!["a".repeat(150), "b".repeat(100)]);
}

#[test]
fn a_head_past_the_backpressure_limit_is_flushed_by_the_put() {
    let env = Env::new();
    let s = open(&env, 100);
    let big = "x".repeat(100 * HEAD_BACKPRESSURE_TARGETS);
    put(&s, &[(T0, &big)]);
    assert_eq!(chunks(&s), 1);
    assert!(!s.flush_wanted());
}

#[test]
fn a_blocking_put_flushes_a_due_head_itself() {
    let env = Env::new();
    let s = open(&env, 100);
    s.put_log_events_blocking(A, R, "g", "s", events(&[(T0, &"c".repeat(200))]))
        .unwrap();
    assert_eq!(chunks(&s), 1);
    assert!(!s.flush_wanted());
}

#[test]
fn emf_is_read_from_the_accepted_events_only_and_they_survive_a_crash() {
    let env = Env::new();
    let sink = Arc::new(Recording::default());
    let emf = |v: u32| {
        format!(
            r#"{{"_aws":{{"Timestamp":{T0},"CloudWatchMetrics":[{{"Namespace":"App","Dimensions":[[]],"Metrics":[{{"Name":"V"}}]}}]}},"V":{v}}}"#
        )
    };
    let (old, kept, plain) = (emf(1), emf(2), "plain \"_aws\" mention".to_owned());
    {
        let s = open(&env, CHUNK_TARGET_BYTES);
        s.set_metric_sink(sink.clone());
        let r = put(
            &s,
            &[
                (T0 - 15 * DAY_MS, &old), // too old: rejected, emits nothing
                (T0, "first"),
                (T0 + 1, &kept),
                (T0 + 2, &plain),
                (T0 + 3, "last"),
            ],
        );
        assert_eq!(r.accepted, 4);
        assert_eq!(
            r.rejected.and_then(|x| x.too_old_end_index),
            Some(1),
            "the too-old event is reported"
        );
        let got = std::mem::take(&mut *sink.0.lock());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].metric_name.as_str(), got[0].value), ("V", 2.0));
        // Dropped without close: the WAL is all there is.
    }
    let s = open(&env, CHUNK_TARGET_BYTES);
    assert_eq!(
        messages(&s),
        vec![
            "first".to_owned(),
            kept.clone(),
            plain.clone(),
            "last".to_owned()
        ]
    );
    s.close().unwrap();
    drop(s);
    let s = open(&env, CHUNK_TARGET_BYTES);
    assert_eq!(chunks(&s), 1);
    assert_eq!(messages(&s).len(), 4);
}
