//! Periodic background jobs owned by the server (retention, flushes, alarm evaluation…), timed by a
//! [`Clock`]: a tokio loop in production, `run_due` for deterministic tests with a `SimClock`.
//!
//! Rules: a job first runs one period after it is added; a job never overlaps itself; after a run
//! the next one is due one period after the previous due time, or one period from now if that has
//! already passed (missed runs are not caught up). A job that fails or panics is logged, counted
//! and rescheduled; it never stops the scheduler.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock::Clock;

#[cfg(test)]
mod tests;

/// Shortest period a job may have; shorter ones are raised to it.
pub const MIN_PERIOD: Duration = Duration::from_millis(1);
/// Longest the production loop sleeps before looking at the clock again (notices clock jumps).
pub const MAX_SLEEP: Duration = Duration::from_secs(1);

/// Identifies a job added to a [`Scheduler`].
pub type JobId = u64;

/// What a job returns: `()` or `Result<(), E>`; an `Err` is logged and counted as a failure.
pub trait JobOutcome {
    fn into_outcome(self) -> Result<(), String>;
}

impl JobOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Display> JobOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| e.to_string())
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

#[derive(Clone)]
enum Work {
    Blocking(Arc<dyn Fn() -> Result<(), String> + Send + Sync>),
    Async(Arc<dyn Fn() -> BoxFuture + Send + Sync>),
}

struct Job {
    name: Arc<str>,
    period_ms: i64,
    next_due: i64,
    work: Work,
    running: bool,
    runs: u64,
    failures: u64,
    last_error: Option<String>,
}

/// A snapshot of one job, from [`Scheduler::jobs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: JobId,
    pub name: String,
    pub period: Duration,
    pub next_due_millis: i64,
    pub running: bool,
    pub runs: u64,
    pub failures: u64,
    pub last_error: Option<String>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    jobs: Mutex<BTreeMap<JobId, Job>>,
    next_id: AtomicU64,
    wake: Notify,
    stopping: AtomicBool,
}

/// Runs jobs periodically. Cheap to share behind an `Arc`.
pub struct Scheduler {
    inner: Arc<Inner>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("jobs", &self.inner.jobs.lock().len())
            .field("clock", &self.inner.clock)
            .finish()
    }
}

impl Scheduler {
    /// A scheduler with no jobs, timed by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Scheduler {
            inner: Arc::new(Inner {
                clock,
                jobs: Mutex::new(BTreeMap::new()),
                next_id: AtomicU64::new(1),
                wake: Notify::new(),
                stopping: AtomicBool::new(false),
            }),
            task: Mutex::new(None),
        }
    }

    /// Adds a blocking job run every `period` (on tokio's blocking pool in production).
    pub fn every<F, R>(&self, name: &str, period: Duration, job: F) -> JobId
    where
        F: Fn() -> R + Send + Sync + 'static,
        R: JobOutcome,
    {
        self.add(
            name,
            period,
            Work::Blocking(Arc::new(move || job().into_outcome())),
        )
    }

    /// Adds an async job run every `period` as a tokio task.
    pub fn every_async<F, Fut, R>(&self, name: &str, period: Duration, job: F) -> JobId
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: JobOutcome,
    {
        let work = Work::Async(Arc::new(move || {
            let fut = job();
            Box::pin(async move { fut.await.into_outcome() }) as BoxFuture
        }));
        self.add(name, period, work)
    }

    fn add(&self, name: &str, period: Duration, work: Work) -> JobId {
        let period_ms = period.max(MIN_PERIOD).as_millis().min(i64::MAX as u128) as i64;
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let job = Job {
            name: name.into(),
            period_ms,
            next_due: self.inner.clock.now_millis().saturating_add(period_ms),
            work,
            running: false,
            runs: 0,
            failures: 0,
            last_error: None,
        };
        self.inner.jobs.lock().insert(id, job);
        self.inner.wake.notify_one();
        id
    }

    /// Removes a job (a run in progress finishes). Returns whether it existed.
    pub fn cancel(&self, id: JobId) -> bool {
        self.inner.jobs.lock().remove(&id).is_some()
    }

    /// A snapshot of every job.
    pub fn jobs(&self) -> Vec<JobStatus> {
        let jobs = self.inner.jobs.lock();
        jobs.iter()
            .map(|(id, j)| JobStatus {
                id: *id,
                name: j.name.to_string(),
                period: Duration::from_millis(j.period_ms as u64),
                next_due_millis: j.next_due,
                running: j.running,
                runs: j.runs,
                failures: j.failures,
                last_error: j.last_error.clone(),
            })
            .collect()
    }

    /// Runs, on this thread, every blocking job due at `clock.now`; returns how many ran.
    /// Async jobs are left alone (use [`Scheduler::run_due_async`]). For tests with a `SimClock`.
    pub fn run_due(&self) -> usize {
        let due = self.inner.take_due(false);
        for (id, name, work) in &due {
            if let Work::Blocking(f) = work {
                let outcome = run_blocking(f.as_ref());
                self.inner.finish(*id, name, outcome);
            }
        }
        due.len()
    }

    /// Runs every job due at `clock.now`, blocking ones inline and async ones to completion;
    /// returns how many ran. For tests with a `SimClock`.
    pub async fn run_due_async(&self) -> usize {
        let due = self.inner.take_due(true);
        for (id, name, work) in &due {
            let outcome = match work {
                Work::Blocking(f) => run_blocking(f.as_ref()),
                Work::Async(f) => join_outcome(tokio::spawn(f()).await),
            };
            self.inner.finish(*id, name, outcome);
        }
        due.len()
    }

    /// Starts the production loop on `runtime`: it sleeps until the next job is due (by the
    /// clock, re-checked at least every [`MAX_SLEEP`]) and runs due jobs as tasks. Idempotent.
    pub fn start(&self, runtime: &tokio::runtime::Handle) {
        let mut task = self.task.lock();
        if task.is_none() {
            self.inner.stopping.store(false, Ordering::SeqCst);
            *task = Some(runtime.spawn(run_loop(self.inner.clone())));
        }
    }

    /// Stops the loop and waits for the runs in progress to finish.
    pub async fn shutdown(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
        let task = self.task.lock().take();
        if let Some(task) = task
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "scheduler loop ended abnormally");
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }
}

impl Inner {
    /// Marks due, idle jobs running and returns them (blocking ones only unless `all`).
    fn take_due(&self, all: bool) -> Vec<(JobId, Arc<str>, Work)> {
        let now = self.clock.now_millis();
        let mut jobs = self.jobs.lock();
        let mut due = Vec::new();
        for (id, job) in jobs.iter_mut() {
            let eligible = all || matches!(job.work, Work::Blocking(_));
            if eligible && !job.running && job.next_due <= now {
                job.running = true;
                due.push((*id, job.name.clone(), job.work.clone()));
            }
        }
        due
    }

    /// The earliest due time among idle jobs.
    fn next_due(&self) -> Option<i64> {
        let jobs = self.jobs.lock();
        jobs.values()
            .filter(|j| !j.running)
            .map(|j| j.next_due)
            .min()
    }

    /// Records a run's outcome and schedules the next run.
    fn finish(&self, id: JobId, name: &str, outcome: Result<(), String>) {
        let now = self.clock.now_millis();
        if let Err(e) = &outcome {
            tracing::error!(job = name, error = %e, "background job failed; it will run again");
        }
        let mut jobs = self.jobs.lock();
        if let Some(job) = jobs.get_mut(&id) {
            job.running = false;
            job.runs += 1;
            if let Err(e) = outcome {
                job.failures += 1;
                job.last_error = Some(e);
            }
            let next = job.next_due.saturating_add(job.period_ms);
            job.next_due = if next > now {
                next
            } else {
                now.saturating_add(job.period_ms)
            };
        }
        drop(jobs);
        self.wake.notify_one();
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into());
    format!("panicked: {msg}")
}

fn run_blocking(f: &(dyn Fn() -> Result<(), String> + Send + Sync)) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_message(p.as_ref())))
}

fn join_outcome(r: Result<Result<(), String>, tokio::task::JoinError>) -> Result<(), String> {
    match r {
        Ok(outcome) => outcome,
        Err(e) if e.is_panic() => Err(panic_message(e.into_panic().as_ref())),
        Err(e) => Err(format!("task ended abnormally: {e}")),
    }
}

async fn run_job(inner: Arc<Inner>, id: JobId, name: Arc<str>, work: Work) {
    let outcome = match work {
        Work::Blocking(f) => {
            join_outcome(tokio::task::spawn_blocking(move || run_blocking(f.as_ref())).await)
        }
        Work::Async(f) => join_outcome(tokio::spawn(f()).await),
    };
    inner.finish(id, &name, outcome);
}

async fn run_loop(inner: Arc<Inner>) {
    let mut inflight = JoinSet::new();
    while !inner.stopping.load(Ordering::SeqCst) {
        for (id, name, work) in inner.take_due(true) {
            inflight.spawn(run_job(inner.clone(), id, name, work));
        }
        let now = inner.clock.now_millis();
        let sleep = match inner.next_due() {
            Some(due) => Duration::from_millis(due.saturating_sub(now).max(0) as u64),
            None => MAX_SLEEP,
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep.min(MAX_SLEEP)) => {}
            _ = inner.wake.notified() => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    while inflight.join_next().await.is_some() {}
}
