//! Appending, reading, rotation, reopening, retention and argument errors.

use super::*;
use crate::wal::{MAX_RECORD_BYTES, SEGMENT_HEADER_LEN};

#[test]
fn round_trip_replay_and_read_at() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    let recs = records(10, 500);
    let mut positions = Vec::new();
    for r in &recs {
        positions.push(wal.append(r)?);
    }
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(positions[0].offset, SEGMENT_HEADER_LEN);
    let replayed = collect(&wal)?;
    assert_eq!(replayed.len(), recs.len());
    for ((pos, payload), (want_pos, want)) in replayed.iter().zip(positions.iter().zip(&recs)) {
        assert_eq!(pos, want_pos);
        assert_eq!(payload, want);
        assert_eq!(&wal.read_at(*pos)?, want);
    }
    assert_eq!(wal.segments().len(), 1);
    assert_eq!(wal.stats().appends, 10);
    Ok(())
}

#[test]
fn read_at_sees_buffered_records() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, manual_group_commit()))?;
    let pos = wal.append(b"still in the buffer")?;
    assert_eq!(wal.read_at(pos)?, b"still in the buffer");
    let later = wal.append(b"next")?;
    assert_eq!(
        payloads(&wal)?,
        vec![b"still in the buffer".to_vec(), b"next".to_vec()]
    );
    assert_eq!(wal.read_at(later)?, b"next");
    Ok(())
}

#[test]
fn batch_is_contiguous_and_in_order() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    wal.append(b"before")?;
    let batch: Vec<&[u8]> = vec![b"a", b"bb", b"ccc"];
    let pos = wal.append_batch(&batch)?;
    assert_eq!(pos.len(), 3);
    assert_eq!(pos[1].offset, pos[0].offset + 8 + 1);
    assert_eq!(pos[2].offset, pos[1].offset + 8 + 2);
    assert_eq!(
        payloads(&wal)?,
        vec![
            b"before".to_vec(),
            b"a".to_vec(),
            b"bb".to_vec(),
            b"ccc".to_vec()
        ]
    );
    assert!(wal.append_batch(&[])?.is_empty());
    Ok(())
}

#[test]
fn rotation_seals_segments_and_keeps_order() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(200, SyncPolicy::Never))?;
    let recs = records(30, 40);
    let mut positions = Vec::new();
    for r in &recs {
        positions.push(wal.append(r)?);
    }
    let segs = wal.segments();
    assert!(segs.len() > 5, "{segs:?}");
    assert!(
        segs[..segs.len() - 1]
            .iter()
            .all(|s| s.sealed && s.bytes <= 200)
    );
    assert!(segs.last().is_some_and(|s| !s.sealed));
    for s in &segs {
        assert_eq!(std::fs::metadata(&s.path)?.len(), s.bytes);
        assert_eq!(
            s.first,
            Position {
                segment: s.id,
                offset: SEGMENT_HEADER_LEN
            }
        );
    }
    assert_eq!(payloads(&wal)?, recs);
    for (p, r) in positions.iter().zip(&recs) {
        assert_eq!(&wal.read_at(*p)?, r);
    }
    // A record larger than a segment gets a segment of its own.
    let big = vec![7u8; 1000];
    let p = wal.append(&big)?;
    assert_eq!(p.offset, SEGMENT_HEADER_LEN);
    let q = wal.append(b"after")?;
    assert_eq!(
        q,
        Position {
            segment: p.segment + 1,
            offset: SEGMENT_HEADER_LEN
        }
    );
    Ok(())
}

#[test]
fn explicit_rotate_skips_empty_segments() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    wal.rotate()?;
    assert_eq!(wal.segments().len(), 1);
    let p = wal.append(b"x")?;
    wal.rotate()?;
    let segs = wal.segments();
    assert_eq!(segs.len(), 2);
    assert!(segs[0].sealed);
    assert!(wal.stats().synced > p, "a sealed segment is durable");
    Ok(())
}

#[test]
fn reopen_replays_everything_and_appends_continue() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(25, 33);
    let last = {
        let wal = Wal::open(tmp.path(), opts(300, manual_group_commit()))?;
        let mut last = Position::START;
        for r in &recs {
            last = wal.append(r)?;
        }
        wal.close()?;
        last
    };
    let wal = Wal::open(tmp.path(), opts(300, manual_group_commit()))?;
    assert_eq!(payloads(&wal)?, recs);
    assert!(wal.stats().synced > last);
    let next = wal.append(b"more")?;
    assert!(next > last);
    assert_eq!(
        payloads(&wal)?.last().map(Vec::as_slice),
        Some(&b"more"[..])
    );
    Ok(())
}

#[test]
fn replay_from_a_position() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(150, SyncPolicy::Never))?;
    let recs = records(20, 20);
    let positions: Vec<Position> = recs
        .iter()
        .map(|r| wal.append(r))
        .collect::<Result<_, _>>()?;
    let from = positions[7];
    let tail: Vec<Vec<u8>> = wal
        .replay_from(from)
        .map(|r| r.map(|(_, p)| p))
        .collect::<Result<_, _>>()?;
    assert_eq!(tail, recs[7..].to_vec());
    let all = wal.replay_from(Position::START).count();
    assert_eq!(all, 20);
    Ok(())
}

#[test]
fn remove_segments_before_deletes_only_old_sealed_segments() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    let mut firsts = Vec::new();
    for i in 0..5u8 {
        firsts.push(wal.append(&[i; 10])?);
        wal.rotate()?;
    }
    let last = wal.append(b"active")?;
    assert_eq!(wal.segments().len(), 6);
    let removed = wal.remove_segments_before(firsts[3].segment)?;
    assert_eq!(removed, 3);
    let segs = wal.segments();
    assert_eq!(segs.len(), 3);
    assert_eq!(segs[0].id, firsts[3].segment);
    assert!(
        !tmp.path()
            .join(super::super::segment::segment_file_name(firsts[0].segment))
            .exists()
    );
    assert!(matches!(
        wal.read_at(firsts[0]),
        Err(WalError::SegmentNotFound { .. })
    ));
    assert_eq!(
        payloads(&wal)?,
        vec![vec![3; 10], vec![4; 10], b"active".to_vec()]
    );
    // Replaying from a removed segment starts at the next one that exists.
    assert_eq!(wal.replay_from(firsts[1]).count(), 3);
    // The active segment is never removed.
    assert_eq!(wal.remove_segments_before(u64::MAX)?, 2);
    assert_eq!(wal.segments().len(), 1);
    assert_eq!(wal.read_at(last)?, b"active");
    drop(wal);
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, vec![b"active".to_vec()]);
    Ok(())
}

#[test]
fn argument_errors() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert!(matches!(wal.append(b""), Err(WalError::EmptyRecord)));
    let huge = vec![0u8; MAX_RECORD_BYTES + 1];
    assert!(matches!(
        wal.append(&huge),
        Err(WalError::RecordTooLarge { .. })
    ));
    let ok: &[u8] = b"ok";
    assert!(matches!(
        wal.append_batch(&[ok, b""]),
        Err(WalError::EmptyRecord)
    ));
    assert_eq!(wal.stats().appends, 0, "an invalid batch writes nothing");
    let p = wal.append(b"abc")?;
    let inside_header = Position {
        segment: p.segment,
        offset: 3,
    };
    assert!(matches!(
        wal.read_at(inside_header),
        Err(WalError::InvalidPosition { .. })
    ));
    let beyond = Position {
        segment: p.segment,
        offset: 10_000,
    };
    assert!(matches!(
        wal.read_at(beyond),
        Err(WalError::InvalidPosition { .. })
    ));
    let misaligned = Position {
        segment: p.segment,
        offset: p.offset + 1,
    };
    assert!(matches!(
        wal.read_at(misaligned),
        Err(WalError::Corrupt { .. })
    ));
    let missing = Position {
        segment: 99,
        offset: SEGMENT_HEADER_LEN,
    };
    assert!(matches!(
        wal.read_at(missing),
        Err(WalError::SegmentNotFound { segment: 99 })
    ));
    wal.close()?;
    assert!(matches!(wal.append(b"late"), Err(WalError::Closed)));
    assert!(matches!(wal.rotate(), Err(WalError::Closed)));
    wal.close()?;

    let zero = SyncPolicy::GroupCommit {
        interval: Duration::ZERO,
    };
    let bad = Wal::open(&tmp.path().join("x"), opts(1 << 20, zero));
    assert!(matches!(bad, Err(WalError::InvalidOptions(_))));
    let bad = Wal::open(&tmp.path().join("y"), opts(16, SyncPolicy::Never));
    assert!(matches!(bad, Err(WalError::InvalidOptions(_))));
    Ok(())
}

#[test]
fn wal_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Wal>();
    check::<super::super::Replay>();
}

#[test]
#[ignore = "prints append throughput; run with --ignored --nocapture"]
fn append_throughput() -> TestResult {
    // Buffered (group commit) against written straight to the OS on every append (Never).
    for (label, sync) in [
        ("buffered", SyncPolicy::default()),
        ("direct", SyncPolicy::Never),
    ] {
        let tmp = tempfile::tempdir()?;
        let wal = Wal::open(tmp.path(), opts(64 << 20, sync))?;
        let rec = vec![42u8; 500];
        let n = 100_000;
        let start = std::time::Instant::now();
        for _ in 0..n {
            wal.append(&rec)?;
        }
        let el = start.elapsed();
        println!(
            "{label}: {n} appends of 500 B in {el:?} = {:?}/append",
            el / n
        );
    }
    Ok(())
}
