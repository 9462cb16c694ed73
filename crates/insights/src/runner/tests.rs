//! The manager against a real store on a simulated clock: the concurrency quota, timeout,
//! cancellation, partial results, and query definitions surviving a reopen.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use openwatch_logs::{Catalog, InputEvent, LogStoreOptions, SimClock};

use super::*;

pub(super) const T0: i64 = 1_764_000_000_000;

pub(super) fn open(dir: &std::path::Path, clock: Arc<SimClock>) -> Arc<QueryManager> {
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    let store = Arc::new(
        LogStore::open(
            &dir.join("logs"),
            catalog,
            clock,
            LogStoreOptions::default(),
        )
        .unwrap(),
    );
    QueryManager::open(store).unwrap()
}

pub(super) fn seeded(dir: &std::path::Path) -> (Arc<QueryManager>, Arc<SimClock>) {
    let clock = Arc::new(SimClock::new(T0));
    let qm = open(dir, Arc::clone(&clock));
    qm.store
        .create_log_group("1", "r", "g", None, Default::default(), None)
        .unwrap();
    qm.store.create_log_stream("1", "r", "g", "s").unwrap();
    let events: Vec<InputEvent> = (0..100)
        .map(|i| InputEvent {
            timestamp: T0 - 1000 + i,
            message: format!("{{\"n\":{i}}}"),
        })
        .collect();
    qm.store
        .put_log_events_blocking("1", "r", "g", "s", events)
        .unwrap();
    (qm, clock)
}

pub(super) fn state(qm: &QueryManager, query: &str) -> Arc<QueryState> {
    let plan = Plan::new(parse(query).unwrap(), None);
    Arc::new(QueryState {
        id: uuid::Uuid::new_v4().to_string(),
        account: "1".into(),
        region: "r".into(),
        query_string: query.into(),
        groups: vec!["g".into()],
        create_time: qm.now(),
        start: 0,
        end: i64::MAX,
        limit: None,
        acc: Mutex::new(plan.new_acc()),
        plan,
        status: Mutex::new(Status::Scheduled),
        final_rows: Mutex::new(None),
        matched: AtomicU64::new(0),
        scanned: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        cancel: AtomicBool::new(false),
    })
}

pub(super) fn start(qm: &Arc<QueryManager>, q: &str) -> Result<String, InsightsError> {
    qm.start_query(
        "1",
        "r",
        StartQuery {
            log_group_name: Some("g".into()),
            start_time: 0,
            end_time: T0 / 1000 + 10,
            query_string: q.into(),
            ..StartQuery::default()
        },
    )
}

pub(super) fn wait(qm: &QueryManager, id: &str) -> QueryResults {
    for _ in 0..1000 {
        let r = qm.get_query_results("1", "r", id).unwrap();
        if !r.status.active() {
            return r;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("query did not end");
}

#[test]
fn the_thirty_first_concurrent_query_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, _) = seeded(dir.path());
    for _ in 0..MAX_CONCURRENT_QUERIES {
        let s = state(&qm, "stats count(*)");
        *s.status.lock() = Status::Running;
        qm.queries.lock().insert(s.id.clone(), s);
    }
    let e = start(&qm, "stats count(*)").unwrap_err();
    assert_eq!(e.code, "LimitExceededException");
    assert_eq!(
        e.message,
        "Account maximum query concurrency limit of [30] reached."
    );
    // Another account is not limited.
    let other = qm.start_query(
        "2",
        "r",
        StartQuery {
            log_group_name: Some("g".into()),
            end_time: 1,
            query_string: "fields x".into(),
            ..StartQuery::default()
        },
    );
    assert_eq!(other.unwrap_err().code, "ResourceNotFoundException");
}

#[test]
fn a_query_past_its_deadline_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let s = state(&qm, "stats count(*)");
    clock.advance(Duration::from_millis(QUERY_TIMEOUT_MS as u64 + 1));
    qm.run(&s);
    assert_eq!(*s.status.lock(), Status::Timeout);
}

#[test]
fn a_cancelled_query_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, _) = seeded(dir.path());
    let s = state(&qm, "stats count(*)");
    qm.queries.lock().insert(s.id.clone(), Arc::clone(&s));
    assert!(qm.stop_query("1", "r", &s.id).unwrap());
    qm.run(&s);
    assert_eq!(*s.status.lock(), Status::Cancelled);
    assert!(!qm.stop_query("1", "r", &s.id).unwrap());
}

#[test]
fn results_while_running_are_the_merged_partial_state() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, _) = seeded(dir.path());
    let s = state(&qm, "stats count(*) as c");
    *s.status.lock() = Status::Running;
    qm.queries.lock().insert(s.id.clone(), Arc::clone(&s));
    let r = qm.get_query_results("1", "r", &s.id).unwrap();
    assert_eq!(r.status, Status::Running);
    assert!(r.results.is_empty());
    // A worker merges one unit's accumulator: the partial count shows.
    let mut part = s.plan.new_acc();
    let ev = crate::Event {
        timestamp: T0,
        ingestion_time: T0,
        message: "x",
        log_stream: "s",
        log: "1:g",
        ptr: "",
    };
    s.plan.feed(&ev, false, &mut part, &qm.ctx(&s));
    s.plan.merge(&mut s.acc.lock(), part, &qm.ctx(&s));
    let r = qm.get_query_results("1", "r", &s.id).unwrap();
    assert_eq!(r.results, vec![vec![("c".to_owned(), "1".to_owned())]]);
}

#[test]
fn queries_run_to_completion_with_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, _) = seeded(dir.path());
    let id = start(&qm, "filter n >= 90 | stats count(*) as c, max(n) as m").unwrap();
    let r = wait(&qm, &id);
    assert_eq!(r.status, Status::Complete);
    assert_eq!(
        r.results,
        vec![vec![("c".into(), "10".into()), ("m".into(), "99".into())]]
    );
    assert_eq!(r.records_scanned, 100.0);
    assert_eq!(r.records_matched, 10.0);
    let e = start(&qm, "stats count(*) by").unwrap_err();
    assert_eq!(e.code, "MalformedQueryException");
    let c = e.compile_error.unwrap();
    // At the end of the query: an empty span, reported at its one point.
    assert_eq!((c.start_char_offset, c.end_char_offset), (17, 17));
    assert_eq!(c.message, e.message);
    // Offsets count characters, not bytes.
    let e = start(&qm, "fields \"é\" | sort x sideways").unwrap_err();
    let c = e.compile_error.unwrap();
    assert_eq!((c.start_char_offset, c.end_char_offset), (20, 27));
    assert!(
        e.message.ends_with("at line 1 and position 21"),
        "{}",
        e.message
    );
}

#[test]
fn query_definitions_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(T0));
    let id = {
        let qm = open(dir.path(), Arc::clone(&clock));
        let id = qm
            .put_query_definition(
                "1",
                "r",
                QueryDefinitionInput {
                    name: "q".into(),
                    query_string: "fields @message".into(),
                    ..QueryDefinitionInput::default()
                },
            )
            .unwrap();
        qm.store.close().unwrap();
        id
    };
    let qm = open(dir.path(), clock);
    let page = qm
        .describe_query_definitions("1", "r", None, None, None)
        .unwrap();
    assert_eq!(page.definitions.len(), 1);
    assert_eq!(page.definitions[0].id, id);
    assert!(
        qm.describe_query_definitions("2", "r", None, None, None)
            .unwrap()
            .definitions
            .is_empty()
    );
}

#[test]
fn chunks_without_a_required_literal_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, _) = seeded(dir.path());
    qm.store.flush_all().unwrap();
    let more: Vec<InputEvent> = (0..50)
        .map(|i| InputEvent {
            timestamp: T0 - 500 + i,
            message: format!("rare marker {i}"),
        })
        .collect();
    qm.store
        .put_log_events_blocking("1", "r", "g", "s", more)
        .unwrap();
    qm.store.flush_all().unwrap();
    let q = "filter @message like /rare marker/ | stats count(*) as c";
    // The first chunk's trigram filter (written with the chunk, or built in memory by a first
    // scan for chunks without one) shows it lacks the literal: it is never read.
    for _ in 0..2 {
        let r = wait(&qm, &start(&qm, q).unwrap());
        assert_eq!(r.results, vec![vec![("c".into(), "50".into())]]);
        assert_eq!(r.records_scanned, 50.0);
    }
    // Without a literal to look for, both chunks are read.
    let all = wait(&qm, &start(&qm, "stats count(*) as c").unwrap());
    assert_eq!(all.results, vec![vec![("c".into(), "150".into())]]);
    assert_eq!(all.records_scanned, 150.0);
}
