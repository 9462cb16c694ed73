//! The trail on the real write-ahead log: reopen, crash, torn tail, retention, backpressure.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use openwatch_storage::wal::{Position, SyncPolicy};
use openwatch_storage::{SimClock, WalError};
use parking_lot::{Condvar, Mutex};

use super::{ACCOUNT, REGION, T0, input};
use crate::store::{LogItem, RecordLog};
use crate::{LookupQuery, MemoryLog, Trail, TrailOptions};

fn open(dir: &Path, clock: &Arc<SimClock>) -> Trail {
    Trail::open(dir, clock.clone(), TrailOptions::default()).expect("open trail")
}

fn count(trail: &Trail) -> usize {
    trail
        .lookup_events(ACCOUNT, REGION, &LookupQuery::default())
        .expect("lookup")
        .events
        .len()
}

fn segment_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("wal"))
        .expect("wal dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn records_survive_close_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0 + 60_000));
    let trail = open(dir.path(), &clock);
    trail.record(input(T0, "CreateLogGroup"));
    trail.record(input(T0 + 1_000, "DescribeLogGroups"));
    trail.close().expect("close");
    assert!(
        !trail.record(input(T0, "AfterClose")),
        "closed trails drop records"
    );
    drop(trail);
    let trail = open(dir.path(), &clock);
    let page = trail
        .lookup_events(ACCOUNT, REGION, &LookupQuery::default())
        .expect("lookup");
    let names: Vec<_> = page.events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(names, ["DescribeLogGroups", "CreateLogGroup"]);
    // Lookups by attribute work on the rebuilt index too.
    let q = LookupQuery {
        lookup_attributes: vec![("EventId".into(), page.events[1].event_id.clone())],
        ..Default::default()
    };
    let by_id = trail.lookup_events(ACCOUNT, REGION, &q).expect("lookup");
    assert_eq!(by_id.events.len(), 1);
    assert_eq!(by_id.events[0].event_name, "CreateLogGroup");
}

#[test]
fn flushed_records_survive_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0 + 60_000));
    let trail = open(dir.path(), &clock);
    for i in 0..100 {
        trail.record(input(T0 + i, "PutMetricAlarm"));
    }
    trail.flush().expect("flush");
    // The process "dies": no close, no further fsync from this handle.
    std::mem::forget(trail);
    let trail = open(dir.path(), &clock);
    assert_eq!(count(&trail), 50, "a full first page");
    assert_eq!(trail.stats().indexed, 100);
}

#[test]
fn a_torn_tail_is_tolerated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0 + 60_000));
    let trail = open(dir.path(), &clock);
    for i in 0..3 {
        trail.record(input(T0 + i, "CreateLogGroup"));
    }
    trail.close().expect("close");
    drop(trail);
    let last = segment_files(dir.path()).pop().expect("a segment");
    // Half a frame: a length promising 500 bytes, a checksum and a few payload bytes.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&last)
        .expect("open segment");
    f.write_all(&500u32.to_le_bytes()).expect("write");
    f.write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3])
        .expect("write");
    drop(f);
    let trail = open(dir.path(), &clock);
    assert_eq!(count(&trail), 3);
    trail.record(input(T0 + 10, "DeleteLogGroup"));
    trail.flush().expect("flush after recovery");
    assert_eq!(count(&trail), 4);
}

#[test]
fn retention_hides_then_deletes_records_older_than_90_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0));
    let trail = Trail::open(
        dir.path(),
        clock.clone(),
        TrailOptions {
            sync: SyncPolicy::Never,
            ..Default::default()
        },
    )
    .expect("open");
    trail.record(input(T0, "CreateLogGroup"));
    trail.flush().expect("flush");
    clock.advance(Duration::from_secs(86_400));
    trail.record(input(T0 + 86_400_000, "DescribeLogGroups"));
    trail.flush().expect("flush");
    assert_eq!(count(&trail), 2);
    assert_eq!(
        segment_files(dir.path()).len(),
        2,
        "one segment per UTC day"
    );

    // Day 91 after the first record: it is hidden before any deletion...
    clock.set(T0 + 91 * 86_400_000);
    let q = LookupQuery {
        start_time: Some(0),
        ..Default::default()
    };
    let page = trail.lookup_events(ACCOUNT, REGION, &q).expect("lookup");
    let names: Vec<_> = page.events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(names, ["DescribeLogGroups"]);
    // ...and the retention job deletes its segment, keeping the younger one.
    let report = trail.run_retention().expect("retention");
    assert_eq!(report.segments_removed, 1);
    assert_eq!(report.records_removed, 1);
    assert_eq!(segment_files(dir.path()).len(), 1);
    assert_eq!(trail.stats().indexed, 1);

    // Day 92: the second record expires too; the job seals and deletes the active segment.
    clock.set(T0 + 92 * 86_400_000);
    let report = trail.run_retention().expect("retention");
    assert_eq!((report.segments_removed, report.records_removed), (1, 1));
    assert_eq!(count(&trail), 0);
    trail.record(input(T0 + 92 * 86_400_000, "CreateLogGroup"));
    trail.flush().expect("flush");
    assert_eq!(count(&trail), 1);
    trail.close().expect("close");
    drop(trail);
    let trail = open(dir.path(), &clock);
    assert_eq!(
        count(&trail),
        1,
        "deleted records stay deleted after reopen"
    );
}

/// A log whose appends block until released, to fill the queue.
#[derive(Debug, Default)]
struct GatedLog {
    inner: MemoryLog,
    open: Mutex<bool>,
    cond: Condvar,
}

impl RecordLog for GatedLog {
    fn append_batch(&self, payloads: &[&[u8]]) -> Result<Vec<Position>, WalError> {
        let mut open = self.open.lock();
        while !*open {
            self.cond.wait(&mut open);
        }
        self.inner.append_batch(payloads)
    }
    fn wait_durable(&self, pos: Position) -> Result<(), WalError> {
        self.inner.wait_durable(pos)
    }
    fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError> {
        self.inner.read_at(pos)
    }
    fn replay_from(&self, from: Position) -> Box<dyn Iterator<Item = LogItem> + Send + '_> {
        self.inner.replay_from(from)
    }
    fn rotate(&self) -> Result<(), WalError> {
        self.inner.rotate()
    }
    fn active_segment(&self) -> u64 {
        self.inner.active_segment()
    }
    fn remove_segments_before(&self, segment: u64) -> Result<usize, WalError> {
        self.inner.remove_segments_before(segment)
    }
    fn close(&self) -> Result<(), WalError> {
        self.inner.close()
    }
}

#[test]
fn a_full_queue_drops_after_the_timeout_and_counts_it() {
    let log = Arc::new(GatedLog::default());
    let clock = Arc::new(SimClock::new(T0));
    let trail = Trail::with_log(
        log.clone(),
        clock,
        TrailOptions {
            queue_capacity: 2,
            enqueue_timeout: Duration::from_millis(5),
            ..Default::default()
        },
    )
    .expect("open");
    // The writer takes the first record and blocks in append; two more fill the queue.
    assert!(trail.record(input(T0, "A")));
    std::thread::sleep(Duration::from_millis(50));
    assert!(trail.record(input(T0, "B")));
    assert!(trail.record(input(T0, "C")));
    assert!(!trail.record(input(T0, "D")), "dropped after the timeout");
    assert_eq!(trail.stats().dropped, 1);
    *log.open.lock() = true;
    log.cond.notify_all();
    trail.flush().expect("flush");
    assert_eq!(trail.stats().recorded, 3);
    assert_eq!(count(&trail), 3);
}

#[test]
fn damage_inside_a_sealed_segment_skips_only_that_stretch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimClock::new(T0));
    let trail = open(dir.path(), &clock);
    for i in 0..4 {
        trail.record(input(T0 + i, "DayOne"));
        trail.flush().expect("flush");
    }
    clock.advance(Duration::from_secs(86_400));
    trail.record(input(T0 + 86_400_000, "DayTwo"));
    trail.close().expect("close");
    drop(trail);
    let first = segment_files(dir.path()).remove(0);
    let mut bytes = std::fs::read(&first).expect("read segment");
    let last = bytes.len() - 10; // inside the last record's payload
    bytes[last] ^= 0xff;
    std::fs::write(&first, bytes).expect("write segment");
    let trail = open(dir.path(), &clock);
    let page = trail
        .lookup_events(ACCOUNT, REGION, &LookupQuery::default())
        .expect("lookup");
    let names: Vec<_> = page.events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(names, ["DayTwo", "DayOne", "DayOne", "DayOne"]);
}
