//! Sync policies: group commit sharing fsyncs, Always, Never, async waits and close.

use std::sync::{Arc, Barrier};
use std::thread;

use super::*;

/// `threads` threads each append `per_thread` records, waiting for each to be durable (and
/// checking that the synced mark passed it) before appending the next.
fn append_and_wait_from_threads(wal: &Arc<Wal>, threads: usize, per_thread: usize) -> TestResult {
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let wal = wal.clone();
            thread::spawn(move || -> Result<(), WalError> {
                for i in 0..per_thread {
                    let p = wal.append(format!("thread {t} record {i}").as_bytes())?;
                    wal.wait_durable(p)?;
                    assert!(wal.stats().synced > p);
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| "appender panicked")??;
    }
    Ok(())
}

#[test]
fn concurrent_appenders_share_one_group_commit_fsync() -> TestResult {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 50;
    let tmp = tempfile::tempdir()?;
    let wal = Arc::new(Wal::open(tmp.path(), opts(1 << 20, manual_group_commit()))?);
    let before = wal.stats();
    let appended = Arc::new(Barrier::new(THREADS + 1));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let wal = wal.clone();
            let appended = appended.clone();
            thread::spawn(move || -> Result<Vec<Position>, WalError> {
                let mut mine = Vec::new();
                for i in 0..PER_THREAD {
                    mine.push(wal.append(format!("t{t} r{i}").as_bytes())?);
                }
                appended.wait();
                for p in &mine {
                    wal.wait_durable(*p)?;
                }
                Ok(mine)
            })
        })
        .collect();
    appended.wait();
    // Every appender is past its appends; one fsync must release all of them.
    wal.sync()?;
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.join().map_err(|_| "appender panicked")??);
    }
    let after = wal.stats();
    assert_eq!(after.fsyncs - before.fsyncs, 1);
    assert_eq!(after.appends, (THREADS * PER_THREAD) as u64);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), THREADS * PER_THREAD, "positions are unique");
    assert_eq!(collect(&wal)?.len(), THREADS * PER_THREAD);
    Ok(())
}

#[test]
fn group_commit_thread_makes_records_durable() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Arc::new(Wal::open(tmp.path(), opts(4096, SyncPolicy::default()))?);
    append_and_wait_from_threads(&wal, 4, 25)?;
    let stats = wal.stats();
    // Each fsync round needs at least one new record (rotations add one fsync each).
    assert!(stats.fsyncs <= stats.appends + wal.segments().len() as u64);
    assert_eq!(collect(&wal)?.len(), 100);
    Ok(())
}

#[test]
fn always_is_durable_on_return() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Always))?;
    let p = wal.append(b"one")?;
    assert!(wal.stats().synced > p);
    wal.wait_durable(p)?;
    let batch: Vec<&[u8]> = vec![b"a", b"b"];
    let ps = wal.append_batch(&batch)?;
    assert!(ps.iter().all(|p| wal.stats().synced > *p));
    Ok(())
}

#[test]
fn never_returns_at_once_and_writes_to_the_os() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    let synced = wal.stats().synced;
    let p = wal.append(b"unsynced")?;
    wal.wait_durable(p)?;
    assert_eq!(wal.stats().synced, synced, "Never does not fsync on wait");
    let seg = &wal.segments()[0];
    assert_eq!(
        std::fs::metadata(&seg.path)?.len(),
        seg.bytes,
        "written through to the file"
    );
    wal.sync()?;
    assert!(wal.stats().synced > p);
    Ok(())
}

#[test]
fn waiting_for_an_unwritten_position_is_an_error() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, manual_group_commit()))?;
    let p = wal.append(b"x")?;
    let future = Position {
        segment: p.segment,
        offset: p.offset + 100,
    };
    assert!(matches!(
        wal.wait_durable(future),
        Err(WalError::InvalidPosition { .. })
    ));
    Ok(())
}

#[test]
fn close_syncs_and_releases_waiters() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Arc::new(Wal::open(tmp.path(), opts(1 << 20, manual_group_commit()))?);
    let p = wal.append(b"pending")?;
    let waiter = {
        let wal = wal.clone();
        thread::spawn(move || wal.wait_durable(p))
    };
    wal.close()?;
    waiter.join().map_err(|_| "waiter panicked")??;
    assert!(wal.stats().synced > p);
    Ok(())
}

#[test]
fn async_durable_waits_for_group_commit() -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tmp = tempfile::tempdir()?;
    let wal = Arc::new(Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::default()))?);
    rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..8u8 {
            let wal = wal.clone();
            tasks.spawn(async move {
                let p = wal.append(&[t; 100])?;
                wal.durable(p).await?;
                Ok::<Position, WalError>(p)
            });
        }
        while let Some(done) = tasks.join_next().await {
            let p = done??;
            assert!(wal.stats().synced > p);
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    // A position already durable resolves at once, even with a runtime that never ticks.
    let p = wal.append(b"last")?;
    wal.sync()?;
    tokio::runtime::Builder::new_current_thread()
        .build()?
        .block_on(wal.durable(p))?;
    Ok(())
}

#[test]
fn on_wait_commits_at_once_for_a_waiter() -> TestResult {
    // The interval never elapses during the test: only waiters start fsync rounds (blocking ones
    // run them, async ones kick the committer).
    let hour = std::time::Duration::from_secs(3600);
    let tmp = tempfile::tempdir()?;
    let wal = Arc::new(Wal::open(
        tmp.path(),
        opts(4096, SyncPolicy::OnWait { interval: hour }),
    )?);
    let unwaited = wal.append(b"nobody waits for this one yet")?;
    assert!(
        wal.stats().synced <= unwaited,
        "appending alone does not fsync"
    );
    // Blocking waiters lead rounds themselves: many of them, so that waiters often find a
    // round running and must be woken by its publish (a missed one would hang here, as the
    // interval never elapses).
    append_and_wait_from_threads(&wal, 8, 250)?;
    let stats = wal.stats();
    assert!(
        stats.synced > unwaited,
        "a later round covers earlier records"
    );
    // Each round needs a waiter with a new record (rotations add one fsync each).
    assert!(stats.fsyncs <= stats.appends + wal.segments().len() as u64);
    assert_eq!(collect(&wal)?.len(), 2_001);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let p = wal.append(b"async")?;
    rt.block_on(wal.durable(p))?;
    assert!(wal.stats().synced > p);
    Ok(())
}

#[test]
fn on_wait_interval_must_be_positive() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zero = SyncPolicy::OnWait {
        interval: std::time::Duration::ZERO,
    };
    assert!(matches!(
        Wal::open(tmp.path(), opts(4096, zero)),
        Err(WalError::InvalidOptions(_))
    ));
}
