//! Tests of the scheduler: deterministic runs on a `SimClock`, failures, async jobs, the loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;
use crate::clock::{SimClock, SystemClock};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A job body that always panics (a plain `panic!` closure would have type `!`).
fn explode(msg: &'static str) {
    panic!("{msg}")
}

fn counter() -> (Arc<AtomicUsize>, impl Fn() + Send + Sync + 'static) {
    let n = Arc::new(AtomicUsize::new(0));
    let m = n.clone();
    (n, move || {
        m.fetch_add(1, Ordering::SeqCst);
    })
}

#[test]
fn jobs_run_when_due_on_the_sim_clock() {
    let clock = Arc::new(SimClock::new(1_000_000));
    let sched = Scheduler::new(clock.clone());
    let (fast, fast_job) = counter();
    let (slow, slow_job) = counter();
    sched.every("fast", Duration::from_secs(10), fast_job);
    sched.every("slow", Duration::from_secs(60), slow_job);

    assert_eq!(sched.run_due(), 0, "nothing runs before its first period");
    clock.advance(Duration::from_secs(10));
    assert_eq!(sched.run_due(), 1);
    assert_eq!(sched.run_due(), 0, "a job runs once per due time");
    for _ in 0..5 {
        clock.advance(Duration::from_secs(10));
        sched.run_due();
    }
    assert_eq!(fast.load(Ordering::SeqCst), 6);
    assert_eq!(slow.load(Ordering::SeqCst), 1);
}

#[test]
fn missed_runs_are_not_caught_up() {
    let clock = Arc::new(SimClock::new(0));
    let sched = Scheduler::new(clock.clone());
    let (n, job) = counter();
    sched.every("job", Duration::from_secs(10), job);
    clock.advance(Duration::from_secs(95));
    assert_eq!(sched.run_due(), 1);
    assert_eq!(sched.run_due(), 0);
    assert_eq!(sched.jobs()[0].next_due_millis, 105_000);
    clock.advance(Duration::from_secs(10));
    assert_eq!(sched.run_due(), 1);
    assert_eq!(n.load(Ordering::SeqCst), 2);
}

#[test]
fn failing_and_panicking_jobs_are_rescheduled() {
    let clock = Arc::new(SimClock::new(0));
    let sched = Scheduler::new(clock.clone());
    let (ok, ok_job) = counter();
    sched.every("boom", Duration::from_secs(1), || explode("disk on fire"));
    sched.every("err", Duration::from_secs(1), || Err::<(), _>("no space"));
    sched.every("fine", Duration::from_secs(1), ok_job);
    for _ in 0..3 {
        clock.advance(Duration::from_secs(1));
        assert_eq!(sched.run_due(), 3);
    }
    assert_eq!(ok.load(Ordering::SeqCst), 3);
    let jobs = sched.jobs();
    let boom = jobs.iter().find(|j| j.name == "boom");
    assert!(boom.is_some_and(|j| j.runs == 3 && j.failures == 3));
    assert!(boom.is_some_and(|j| j.last_error.as_deref() == Some("panicked: disk on fire")));
    let err = jobs.iter().find(|j| j.name == "err");
    assert!(err.is_some_and(|j| j.failures == 3 && j.last_error.as_deref() == Some("no space")));
    assert!(
        jobs.iter()
            .all(|j| !j.running && j.next_due_millis == 4_000)
    );
}

#[test]
fn cancel_removes_a_job() {
    let clock = Arc::new(SimClock::new(0));
    let sched = Scheduler::new(clock.clone());
    let (n, job) = counter();
    let id = sched.every("job", Duration::from_secs(1), job);
    assert!(sched.cancel(id));
    assert!(!sched.cancel(id));
    clock.advance(Duration::from_secs(5));
    assert_eq!(sched.run_due(), 0);
    assert_eq!(n.load(Ordering::SeqCst), 0);
}

#[test]
fn async_jobs_run_with_run_due_async() -> TestResult {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let clock = Arc::new(SimClock::new(0));
    let sched = Scheduler::new(clock.clone());
    let n = Arc::new(AtomicUsize::new(0));
    let m = n.clone();
    sched.every_async("async", Duration::from_secs(2), move || {
        let m = m.clone();
        async move {
            tokio::task::yield_now().await;
            m.fetch_add(1, Ordering::SeqCst);
        }
    });
    sched.every_async("async-panic", Duration::from_secs(2), || async {
        explode("async boom")
    });
    let (blocking, job) = counter();
    sched.every("blocking", Duration::from_secs(2), job);
    rt.block_on(async {
        clock.advance(Duration::from_secs(1));
        assert_eq!(sched.run_due_async().await, 0);
        clock.advance(Duration::from_secs(1));
        assert_eq!(sched.run_due_async().await, 3);
        clock.advance(Duration::from_secs(2));
        assert_eq!(sched.run_due_async().await, 3);
    });
    assert_eq!(n.load(Ordering::SeqCst), 2);
    assert_eq!(blocking.load(Ordering::SeqCst), 2);
    assert!(
        sched
            .jobs()
            .iter()
            .any(|j| j.name == "async-panic" && j.failures == 2)
    );
    // run_due leaves async jobs alone.
    clock.advance(Duration::from_secs(2));
    assert_eq!(sched.run_due(), 1);
    Ok(())
}

#[test]
fn production_loop_runs_jobs_and_shuts_down() -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let sched = Scheduler::new(Arc::new(SystemClock));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let tx_async = tx.clone();
    sched.every("tick", Duration::from_millis(5), move || {
        let _ = tx.send("blocking");
    });
    sched.every_async("tick-async", Duration::from_millis(5), move || {
        let tx = tx_async.clone();
        async move {
            let _ = tx.send("async");
        }
    });
    sched.every("panics", Duration::from_millis(5), || {
        explode("loop survives this")
    });
    sched.start(rt.handle());
    rt.block_on(async {
        let (mut blocking, mut asynchronous) = (0, 0);
        while blocking < 3 || asynchronous < 3 {
            match rx.recv().await {
                Some("blocking") => blocking += 1,
                Some(_) => asynchronous += 1,
                None => break,
            }
        }
        sched.shutdown().await;
        assert!(blocking >= 3 && asynchronous >= 3);
    });
    let panics = sched.jobs().into_iter().find(|j| j.name == "panics");
    assert!(panics.is_some_and(|j| j.failures == j.runs && !j.running));
    Ok(())
}
