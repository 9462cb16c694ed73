//! Store tests: ordering, pagination tokens, retention on the simulated clock, reopening after a
//! drop without close (crash recovery) and after flushes.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use super::test_env::{A, Env, R, T0, block};
use super::*;
use crate::model::Tags;

fn put(s: &LogStore, group: &str, stream: &str, events: &[(i64, &str)]) -> PutResult {
    block(
        s.put_log_events(
            A,
            R,
            group,
            stream,
            events
                .iter()
                .map(|(t, m)| InputEvent {
                    timestamp: *t,
                    message: (*m).to_owned(),
                })
                .collect(),
        ),
    )
    .unwrap()
}

use crate::model::PutResult;

fn setup(s: &LogStore) {
    s.create_log_group(A, R, "g", None, Tags::new(), None)
        .unwrap();
    s.create_log_stream(A, R, "g", "s1").unwrap();
    s.create_log_stream(A, R, "g", "s2").unwrap();
}

fn messages(events: &[crate::model::OutputEvent]) -> Vec<&str> {
    events.iter().map(|e| e.message.as_str()).collect()
}

fn all_filter(s: &LogStore) -> Vec<String> {
    let page = s
        .filter_log_events(A, R, "g", &FilterQuery::default())
        .unwrap();
    page.events.into_iter().map(|e| e.message).collect()
}

#[test]
fn groups_and_streams_lifecycle() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    setup(&s);
    let err = s
        .create_log_group(A, R, "g", None, Tags::new(), None)
        .unwrap_err();
    assert_eq!(err.code(), "ResourceAlreadyExistsException");
    let err = s.create_log_stream(A, R, "g", "s1").unwrap_err();
    assert_eq!(err.code(), "ResourceAlreadyExistsException");
    let err = s.create_log_stream(A, R, "nope", "s1").unwrap_err();
    assert_eq!(err.message(), "The specified log group does not exist.");
    // Other accounts and regions do not see the group.
    let page = s
        .describe_log_groups(A, "eu-west-1", &GroupQuery::default())
        .unwrap();
    assert!(page.groups.is_empty());
    s.delete_log_stream(A, R, "g", "s2").unwrap();
    let page = s
        .describe_log_streams(A, R, "g", &StreamQuery::default())
        .unwrap();
    assert_eq!(page.streams.len(), 1);
    s.delete_log_group(A, R, "g").unwrap();
    assert_eq!(
        s.delete_log_group(A, R, "g").unwrap_err().code(),
        "ResourceNotFoundException"
    );
}

#[test]
fn describe_groups_paginates_in_name_order() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    for n in ["b", "a", "c/x", "C", "ab"] {
        s.create_log_group(A, R, n, None, Tags::new(), None)
            .unwrap();
    }
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .describe_log_groups(
                A,
                R,
                &GroupQuery {
                    limit: Some(2),
                    next_token: token.clone(),
                    ..GroupQuery::default()
                },
            )
            .unwrap();
        names.extend(page.groups.into_iter().map(|g| g.name));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["C", "a", "ab", "b", "c/x"]);
    let pat = s
        .describe_log_groups(
            A,
            R,
            &GroupQuery {
                pattern: Some("c".into()),
                ..GroupQuery::default()
            },
        )
        .unwrap();
    assert_eq!(pat.groups.len(), 2, "case-insensitive substring");
}

#[test]
fn events_order_across_streams_head_and_chunks() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(1); // every flush writes a chunk
    setup(&s);
    put(&s, "g", "s1", &[(T0 - 30, "a"), (T0 - 10, "c")]);
    s.flush_all().unwrap();
    put(&s, "g", "s2", &[(T0 - 20, "b"), (T0 - 10, "d")]);
    assert_eq!(all_filter(&s), ["a", "b", "c", "d"]);
    s.flush_all().unwrap();
    put(&s, "g", "s1", &[(T0 - 25, "a2")]);
    assert_eq!(all_filter(&s), ["a", "a2", "b", "c", "d"]);
    // GetLogEvents reads one stream.
    let page = s
        .get_log_events(
            A,
            R,
            "g",
            &GetQuery {
                stream: "s1".into(),
                start_from_head: true,
                ..GetQuery::default()
            },
        )
        .unwrap();
    assert_eq!(messages(&page.events), ["a", "a2", "c"]);
}

#[test]
fn get_log_events_tokens_follow_aws_semantics() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(1);
    setup(&s);
    let events: Vec<(i64, String)> = (0..10).map(|i| (T0 - 100 + i, format!("e{i}"))).collect();
    let refs: Vec<(i64, &str)> = events.iter().map(|(t, m)| (*t, m.as_str())).collect();
    put(&s, "g", "s1", &refs[..5]);
    s.flush_all().unwrap();
    put(&s, "g", "s1", &refs[5..]);
    let q = |token: Option<String>, head: bool| GetQuery {
        stream: "s1".into(),
        limit: Some(3),
        next_token: token,
        start_from_head: head,
        ..GetQuery::default()
    };
    // Without a token and startFromHead=false: the last events.
    let tail = s.get_log_events(A, R, "g", &q(None, false)).unwrap();
    assert_eq!(messages(&tail.events), ["e7", "e8", "e9"]);
    // Backward from there.
    let back = s
        .get_log_events(A, R, "g", &q(Some(tail.next_backward_token.clone()), false))
        .unwrap();
    assert_eq!(messages(&back.events), ["e4", "e5", "e6"]);
    // Forward from the head, page by page, until the same token comes back.
    let mut seen = Vec::new();
    let mut token = None;
    let mut head = true;
    for _ in 0..10 {
        let page = s
            .get_log_events(A, R, "g", &q(token.clone(), head))
            .unwrap();
        head = false;
        seen.extend(page.events.iter().map(|e| e.message.clone()));
        if token.as_deref() == Some(page.next_forward_token.as_str()) {
            assert!(page.events.is_empty());
            break;
        }
        token = Some(page.next_forward_token);
    }
    assert_eq!(seen, (0..10).map(|i| format!("e{i}")).collect::<Vec<_>>());
    // New events show up behind the final forward token.
    put(&s, "g", "s1", &[(T0, "new")]);
    let page = s.get_log_events(A, R, "g", &q(token, false)).unwrap();
    assert_eq!(messages(&page.events), ["new"]);
    // Bad tokens are rejected.
    let err = s
        .get_log_events(A, R, "g", &q(Some("x/1".into()), false))
        .unwrap_err();
    assert_eq!(err.code(), "InvalidParameterException");
}

#[test]
fn filter_paginates_and_matches_patterns() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(64);
    setup(&s);
    for i in 0..50 {
        let msg = if i % 5 == 0 {
            format!("ERROR {i}")
        } else {
            format!("INFO {i}")
        };
        let stream = if i % 2 == 0 { "s1" } else { "s2" };
        put(&s, "g", stream, &[(T0 - 1000 + i, &msg)]);
        if i % 7 == 0 {
            s.flush_all().unwrap();
        }
    }
    let pattern = crate::FilterPattern::parse("ERROR").unwrap();
    let mut token = None;
    let mut got = Vec::new();
    loop {
        let page = s
            .filter_log_events(
                A,
                R,
                "g",
                &FilterQuery {
                    pattern: Some(pattern.clone()),
                    limit: Some(3),
                    next_token: token.clone(),
                    ..FilterQuery::default()
                },
            )
            .unwrap();
        got.extend(page.events.into_iter().map(|e| e.message));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let want: Vec<String> = (0..50)
        .filter(|i| i % 5 == 0)
        .map(|i| format!("ERROR {i}"))
        .collect();
    assert_eq!(got, want);
    // Stream selection and time range.
    let page = s
        .filter_log_events(
            A,
            R,
            "g",
            &FilterQuery {
                stream_names: Some(vec!["s2".into()]),
                start_time: Some(T0 - 1000 + 10),
                end_time: Some(T0 - 1000 + 15),
                ..FilterQuery::default()
            },
        )
        .unwrap();
    assert_eq!(messages(&page.events), ["INFO 11", "INFO 13", "ERROR 15"]);
    assert!(page.events.iter().all(|e| e.log_stream_name == "s2"));
}

#[test]
fn reopen_after_drop_recovers_acknowledged_events() {
    let env = Env::with_segment_bytes(4096);
    {
        let s = env.open_with(1);
        setup(&s);
        put(&s, "g", "s1", &[(T0 - 3, "flushed")]);
        s.flush_all().unwrap();
        put(&s, "g", "s1", &[(T0 - 2, "in-wal-1")]);
        put(&s, "g", "s2", &[(T0 - 1, "in-wal-2")]);
        // Dropped without close: heads are not flushed, so reopening must replay the WAL (which
        // was fsynced on each append, as before any acknowledgement).
        drop(s);
    }
    let s = env.open_with(1);
    assert_eq!(all_filter(&s), ["flushed", "in-wal-1", "in-wal-2"]);
    let streams = s
        .describe_log_streams(A, R, "g", &StreamQuery::default())
        .unwrap();
    let s1 = &streams.streams[0];
    assert_eq!(s1.first_event_timestamp, Some(T0 - 3));
    assert_eq!(s1.last_event_timestamp, Some(T0 - 2));
    // Flushing and reopening again keeps exactly one copy of every event.
    s.flush_all().unwrap();
    put(&s, "g", "s1", &[(T0, "later")]);
    s.close().unwrap();
    drop(s);
    let s = env.open_with(1);
    assert_eq!(all_filter(&s), ["flushed", "in-wal-1", "in-wal-2", "later"]);
    // Sequence numbers continue: a new event sorts after an old one with the same timestamp.
    put(&s, "g", "s2", &[(T0, "same-ts")]);
    assert_eq!(all_filter(&s).last().map(String::as_str), Some("same-ts"));
}

#[test]
fn deleted_group_stays_deleted_after_replay() {
    let env = Env::with_segment_bytes(4096);
    {
        let s = env.open();
        setup(&s);
        put(&s, "g", "s1", &[(T0, "old")]);
        s.delete_log_group(A, R, "g").unwrap();
        setup(&s);
        put(&s, "g", "s1", &[(T0, "new")]);
        drop(s);
    }
    let s = env.open();
    assert_eq!(all_filter(&s), ["new"]);
}

#[test]
fn retention_hides_then_deletes_whole_chunks() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(1);
    setup(&s);
    let day = 86_400_000;
    put(&s, "g", "s1", &[(T0 - 3 * day, "old")]);
    s.flush_all().unwrap();
    put(&s, "g", "s1", &[(T0 - 1000, "fresh")]);
    s.flush_all().unwrap();
    s.put_retention_policy(A, R, "g", 1).unwrap();
    // Hidden at once, before any deletion.
    assert_eq!(all_filter(&s), ["fresh"]);
    let report = s.run_retention().unwrap();
    assert_eq!(report.chunks_deleted, 1);
    assert_eq!(report.events_deleted, 1);
    s.delete_retention_policy(A, R, "g").unwrap();
    assert_eq!(all_filter(&s), ["fresh"], "deleted data does not come back");
    // Time moves on: with retention again, the fresh chunk expires too.
    s.put_retention_policy(A, R, "g", 1).unwrap();
    env.clock.advance(Duration::from_secs(2 * 86_400));
    assert!(all_filter(&s).is_empty());
    assert_eq!(s.run_retention().unwrap().chunks_deleted, 1);
    let files = std::fs::read_dir(env.tmp.path().join("logs/groups"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .count();
    assert_eq!(files, 0);
}

#[test]
fn put_rejects_old_new_and_expired_but_stores_the_rest() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    setup(&s);
    s.put_retention_policy(A, R, "g", 7).unwrap();
    let day = 86_400_000;
    let r = put(
        &s,
        "g",
        "s1",
        &[
            (T0 - 15 * day, "too old"),
            (T0 - 8 * day, "expired"),
            (T0 - 60_000, "ok"),
            (T0 + 3 * 3_600_000, "too new"),
        ],
    );
    let rej = r.rejected.unwrap();
    assert_eq!(rej.too_old_end_index, Some(1));
    assert_eq!(rej.expired_end_index, Some(2));
    assert_eq!(rej.too_new_start_index, Some(3));
    assert_eq!(r.accepted, 1);
    assert_eq!(all_filter(&s), ["ok"]);
    // The WAL record holds the accepted event only: replay after a crash brings back just it.
    drop(s);
    let s = env.open();
    assert_eq!(all_filter(&s), ["ok"]);
    let r = put(&s, "g", "s1", &[(T0 - 30_000, "next")]);
    assert_eq!(r.accepted, 1);
    assert_eq!(all_filter(&s), ["ok", "next"]);
}

#[test]
fn wal_segments_are_removed_once_flushed() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    setup(&s);
    let big = "x".repeat(3000);
    for i in 0..10 {
        put(&s, "g", "s1", &[(T0 - 100 + i, &big)]);
    }
    let before = std::fs::read_dir(env.tmp.path().join("logs/wal"))
        .unwrap()
        .count();
    assert!(before > 5, "{before}");
    let report = s.flush_all().unwrap();
    assert_eq!(report.events_flushed, 10);
    let after = std::fs::read_dir(env.tmp.path().join("logs/wal"))
        .unwrap()
        .count();
    assert_eq!(after, 1, "only the active segment remains");
    drop(s);
    let s = env.open();
    assert_eq!(all_filter(&s).len(), 10);
}

#[test]
fn deleting_a_stream_hides_its_events_and_keeps_the_others() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(1);
    setup(&s);
    put(&s, "g", "s1", &[(T0 - 3, "one")]);
    put(&s, "g", "s2", &[(T0 - 2, "two")]);
    put(&s, "g", "s1", &[(T0 - 1, "three")]);
    s.delete_log_stream(A, R, "g", "s1").unwrap();
    assert_eq!(all_filter(&s), ["two"]);
    s.flush_all().unwrap();
    put(&s, "g", "s2", &[(T0, "four")]);
    assert_eq!(all_filter(&s), ["two", "four"]);
    drop(s);
    let s = env.open_with(1);
    assert_eq!(all_filter(&s), ["two", "four"]);
    // A stream created again under the same name starts empty.
    s.create_log_stream(A, R, "g", "s1").unwrap();
    let page = s
        .get_log_events(
            A,
            R,
            "g",
            &GetQuery {
                stream: "s1".into(),
                ..GetQuery::default()
            },
        )
        .unwrap();
    assert!(page.events.is_empty());
}

#[test]
fn metadata_changes_after_flushes_keep_the_flushed_position() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open_with(1);
    setup(&s);
    put(&s, "g", "s1", &[(T0 - 2, "a")]);
    s.flush_all().unwrap();
    s.put_retention_policy(A, R, "g", 30).unwrap();
    put(&s, "g", "s1", &[(T0 - 1, "b")]);
    s.flush_all().unwrap();
    s.tag_log_group(A, R, "g", [("k".to_owned(), "v".to_owned())].into())
        .unwrap();
    drop(s);
    let s = env.open_with(1);
    assert_eq!(all_filter(&s), ["a", "b"], "no event replayed twice");
    assert_eq!(s.list_tags(A, R, "g").unwrap().len(), 1);
}

#[test]
fn concurrent_puts_flushes_and_metadata_changes_lose_and_double_nothing() {
    let env = Env::with_segment_bytes(4096);
    let s = Arc::new(env.open_with(2048));
    setup(&s);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut handles = Vec::new();
    for (w, stream) in ["s1", "s2"].into_iter().enumerate() {
        let s = Arc::clone(&s);
        handles.push(std::thread::spawn(move || {
            for b in 0..100 {
                let events: Vec<(i64, String)> = (0..5)
                    .map(|i| (T0 - 10_000 + b * 5 + i, format!("w{w}-b{b}-e{i}")))
                    .collect();
                let refs: Vec<(i64, &str)> = events.iter().map(|(t, m)| (*t, m.as_str())).collect();
                put(&s, "g", stream, &refs);
            }
        }));
    }
    let maint = {
        let s = Arc::clone(&s);
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                s.flush_all().unwrap();
                if i % 2 == 0 {
                    s.put_retention_policy(A, R, "g", 30).unwrap();
                } else {
                    s.delete_retention_policy(A, R, "g").unwrap();
                }
                i += 1;
            }
        })
    };
    for h in handles {
        h.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    maint.join().unwrap();
    let check = |s: &LogStore| {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let page = s
                .filter_log_events(
                    A,
                    R,
                    "g",
                    &FilterQuery {
                        next_token: token,
                        limit: Some(300),
                        ..FilterQuery::default()
                    },
                )
                .unwrap();
            all.extend(page.events.into_iter().map(|e| e.message));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!((n, all.len()), (1000, 1000));
    };
    check(&s);
    drop(Arc::try_unwrap(s).ok().unwrap());
    let s = env.open_with(2048);
    check(&s);
}

/// Keeps what metric filters emit.
#[derive(Default)]
struct Recording(parking_lot::Mutex<Vec<(String, String, EmittedMetric)>>);

impl MetricSink for Recording {
    fn emit(&self, account: &str, region: &str, metrics: Vec<EmittedMetric>) {
        let mut v = self.0.lock();
        v.extend(
            metrics
                .into_iter()
                .map(|m| (account.to_owned(), region.to_owned(), m)),
        );
    }
}

impl Recording {
    fn take(&self) -> Vec<EmittedMetric> {
        std::mem::take(&mut *self.0.lock())
            .into_iter()
            .map(|(a, r, m)| {
                assert_eq!((a.as_str(), r.as_str()), (A, R));
                m
            })
            .collect()
    }
}

fn transformation(value: &str, default: Option<f64>) -> crate::model::MetricTransformation {
    crate::model::MetricTransformation {
        metric_name: "M".into(),
        metric_namespace: "App".into(),
        metric_value: value.into(),
        default_value: default,
        dimensions: Default::default(),
        unit: None,
    }
}

#[test]
fn metric_filters_emit_values_and_dimensions_of_durable_events() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    setup(&s);
    // Without a sink nothing is evaluated.
    s.put_metric_filter(A, R, "g", "lit", "ERROR", vec![transformation("1", None)])
        .unwrap();
    put(&s, "g", "s1", &[(T0, "ERROR early")]);
    let sink = Arc::new(Recording::default());
    s.set_metric_sink(sink.clone());

    let mut json = transformation("$.latency", None);
    json.unit = Some("Milliseconds".into());
    json.dimensions.insert("Op".into(), "$.op".into());
    s.put_metric_filter(A, R, "g", "json", "{ $.latency > 0 }", vec![json])
        .unwrap();
    let mut delimited = transformation("$bytes", None);
    delimited
        .dimensions
        .insert("Status".into(), "$status".into());
    s.put_metric_filter(A, R, "g", "fields", "[ip, status, bytes]", vec![delimited])
        .unwrap();

    put(
        &s,
        "g",
        "s1",
        &[
            (T0 + 1, "ERROR boom"),
            (T0 + 2, r#"{"latency": 42.5, "op": "get"}"#),
            (T0 + 3, r#"{"latency": 7, "op": ""}"#),
            (T0 + 4, "10.0.0.1 404 512"),
            (T0 + 5, "10.0.0.1 200 notanumber"),
            (T0 + 6, "nothing"),
        ],
    );
    let mut got = sink.take();
    got.sort_by_key(|m| m.timestamp);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!((got[0].metric_name.as_str(), got[0].value), ("M", 1.0));
    assert_eq!(got[0].timestamp, T0 + 1);
    assert!(got[0].dimensions.is_empty());
    assert_eq!(got[1].value, 42.5);
    assert_eq!(got[1].unit.as_deref(), Some("Milliseconds"));
    assert_eq!(got[1].dimensions, vec![("Op".to_owned(), "get".to_owned())]);
    // `"op": ""` has no usable dimension value: nothing emitted for it.
    assert_eq!(got[2].value, 512.0);
    assert_eq!(got[2].timestamp, T0 + 4);
    assert_eq!(
        got[2].dimensions,
        vec![("Status".to_owned(), "404".to_owned())]
    );
    // Rejected events (too old) emit nothing; a deleted filter stops emitting.
    s.delete_metric_filter(A, R, "g", "json").unwrap();
    s.delete_metric_filter(A, R, "g", "fields").unwrap();
    let r = put(
        &s,
        "g",
        "s2",
        &[(T0 - 15 * DAY_MS, "ERROR old"), (T0 + 10, "ERROR new")],
    );
    assert_eq!(r.accepted, 1);
    let got = sink.take();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].timestamp, T0 + 10);
}

#[test]
fn default_values_only_for_minutes_with_events_and_no_match() {
    let env = Env::with_segment_bytes(4096);
    let s = env.open();
    setup(&s);
    let sink = Arc::new(Recording::default());
    s.set_metric_sink(sink.clone());
    s.put_metric_filter(
        A,
        R,
        "g",
        "errors",
        "ERROR",
        vec![transformation("1", Some(0.0))],
    )
    .unwrap();
    let m0 = T0 - T0 % 60_000;
    // Minute 0: a match in one batch and a miss in a later one: no default.
    put(&s, "g", "s1", &[(m0 + 1_000, "ERROR a")]);
    put(&s, "g", "s2", &[(m0 + 2_000, "ok")]);
    // Minute 1: misses only, in two batches: one default.
    put(&s, "g", "s1", &[(m0 + 61_000, "ok"), (m0 + 62_000, "fine")]);
    put(&s, "g", "s2", &[(m0 + 63_000, "ok")]);
    // Minute 2: no events at all; minute 3: a miss.
    put(&s, "g", "s1", &[(m0 + 181_000, "ok")]);
    assert_eq!(sink.take().len(), 1, "only the match is emitted at once");

    // Nothing closes before the minute is over plus the delay.
    env.clock.set(m0 + 60_000 + DEFAULT_CLOSE_DELAY_MS - 1);
    assert_eq!(s.emit_metric_defaults(), 0);
    env.clock.set(m0 + 4 * 60_000 + DEFAULT_CLOSE_DELAY_MS);
    assert_eq!(s.emit_metric_defaults(), 2);
    let got = sink.take();
    let at: Vec<(i64, f64)> = got.iter().map(|m| (m.timestamp, m.value)).collect();
    assert_eq!(at, vec![(m0 + 60_000, 0.0), (m0 + 180_000, 0.0)]);
    // A late miss for a closed minute does not report its default again.
    put(&s, "g", "s1", &[(m0 + 65_000, "late")]);
    env.clock.set(m0 + 5 * 60_000 + DEFAULT_CLOSE_DELAY_MS);
    assert_eq!(s.emit_metric_defaults(), 0);
    assert!(sink.take().is_empty());
}
