//! Queries surviving a simulated restart: the manager is dropped and reopened over the same
//! catalog and log store (on the same simulated clock).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::tests::{open, seeded, start, state, wait};
use super::*;

/// Drops the manager once every query thread let go of it, closing the store.
fn shut(qm: Arc<QueryManager>) {
    // A finished query is recorded under the persist lock before its thread ends.
    drop(qm.persist_lock.lock());
    for _ in 0..1000 {
        if Arc::strong_count(&qm) == 1 {
            qm.store.close().unwrap();
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("query threads still hold the manager");
}

/// A query as StartQuery records it, never run: what a crash right after the answer leaves.
fn interrupted(qm: &Arc<QueryManager>, q: &str) -> String {
    let s = state(qm, q);
    qm.queries.lock().insert(s.id.clone(), Arc::clone(&s));
    qm.persist(&s).unwrap();
    s.id.clone()
}

const Q: &str = "filter n >= 90 | stats count(*) as c, max(n) as m";

fn expected() -> Vec<crate::ResultRow> {
    vec![vec![("c".into(), "10".into()), ("m".into(), "99".into())]]
}

#[test]
fn a_finished_query_answers_the_same_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let id = start(&qm, Q).unwrap();
    let before = wait(&qm, &id);
    assert_eq!(before.status, Status::Complete);
    assert_eq!(before.results, expected());
    shut(qm);
    let qm = open(dir.path(), clock);
    let after = qm.get_query_results("1", "r", &id).unwrap();
    assert_eq!(after.status, Status::Complete);
    assert_eq!(after.results, before.results);
    assert_eq!(after.records_scanned, 100.0);
    assert_eq!(after.records_matched, 10.0);
    assert_eq!(after.bytes_scanned, before.bytes_scanned);
    let (listed, _) = qm
        .describe_queries("1", "r", Some("g"), None, None, None)
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].query_id, id);
    assert_eq!(listed[0].query_string, Q);
    assert_eq!(listed[0].status, Status::Complete);
    // Another account or region does not see it.
    let e = qm.get_query_results("2", "r", &id).unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    assert!(!qm.stop_query("1", "r", &id).unwrap());
}

#[test]
fn an_interrupted_query_is_rerun_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let id = interrupted(&qm, Q);
    shut(qm);
    let qm = open(dir.path(), Arc::clone(&clock));
    let r = wait(&qm, &id);
    assert_eq!(r.status, Status::Complete);
    assert_eq!(r.results, expected());
    assert_eq!(r.records_scanned, 100.0);
    // Its end was recorded: a second restart answers from the record.
    shut(qm);
    let qm = open(dir.path(), clock);
    let again = qm.get_query_results("1", "r", &id).unwrap();
    assert_eq!(again.status, Status::Complete);
    assert_eq!(again.results, expected());
}

#[test]
fn an_interrupted_query_past_the_timeout_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let id = interrupted(&qm, Q);
    shut(qm);
    clock.advance(Duration::from_millis(QUERY_TIMEOUT_MS as u64 + 1));
    let qm = open(dir.path(), Arc::clone(&clock));
    let r = qm.get_query_results("1", "r", &id).unwrap();
    assert_eq!(r.status, Status::Timeout);
    assert!(r.results.is_empty());
    // The timeout is recorded.
    shut(qm);
    let qm = open(dir.path(), clock);
    assert_eq!(
        qm.get_query_results("1", "r", &id).unwrap().status,
        Status::Timeout
    );
}

#[test]
fn a_cancelled_query_stays_cancelled_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let id = interrupted(&qm, Q);
    assert!(qm.stop_query("1", "r", &id).unwrap());
    shut(qm);
    let qm = open(dir.path(), clock);
    let r = qm.get_query_results("1", "r", &id).unwrap();
    assert_eq!(r.status, Status::Cancelled);
    assert_eq!(r.records_scanned, 0.0);
    assert!(!qm.stop_query("1", "r", &id).unwrap());
    let (listed, _) = qm
        .describe_queries("1", "r", None, Some(Status::Cancelled), None, None)
        .unwrap();
    assert_eq!(listed.len(), 1);
}

#[test]
fn expiry_deletes_the_durable_record() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let old = start(&qm, Q).unwrap();
    wait(&qm, &old);
    drop(qm.persist_lock.lock());
    assert_eq!(qm.stored_ids(), vec![old.clone()]);
    clock.advance(Duration::from_millis(RESULT_RETENTION_MS as u64));
    // Starting another query forgets the 7-day-old one, record included.
    let new = start(&qm, Q).unwrap();
    wait(&qm, &new);
    assert_eq!(qm.stored_ids(), vec![new.clone()]);
    let e = qm.get_query_results("1", "r", &old).unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    // Expired while the process was down: dropped (and deleted) on open.
    shut(qm);
    clock.advance(Duration::from_millis(RESULT_RETENTION_MS as u64));
    let qm = open(dir.path(), clock);
    assert!(qm.stored_ids().is_empty());
    let e = qm.get_query_results("1", "r", &new).unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
}

#[test]
fn beyond_the_finished_query_bound_the_oldest_records_go() {
    let dir = tempfile::tempdir().unwrap();
    let (qm, clock) = seeded(dir.path());
    let mut ids = Vec::new();
    for _ in 0..MAX_FINISHED_QUERIES + 2 {
        let s = state(&qm, "stats count(*)");
        *s.status.lock() = Status::Complete;
        *s.final_rows.lock() = Some(Vec::new());
        qm.queries.lock().insert(s.id.clone(), Arc::clone(&s));
        qm.persist(&s).unwrap();
        ids.push(s.id.clone());
        clock.advance(Duration::from_millis(1));
    }
    shut(qm);
    let qm = open(dir.path(), clock);
    let mut kept = ids[2..].to_vec();
    kept.sort();
    assert_eq!(qm.stored_ids(), kept);
    let e = qm.get_query_results("1", "r", &ids[0]).unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
}
