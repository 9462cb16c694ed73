//! Recovery at open: torn and corrupt tails truncated, damage in sealed segments reported.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::wal::SEGMENT_HEADER_LEN;
use crate::wal::segment::segment_file_name;

/// Writes `recs` with small segments, closes, and returns the segment paths.
fn write_log(
    dir: &std::path::Path,
    recs: &[Vec<u8>],
    segment_bytes: u64,
) -> Result<Vec<PathBuf>, WalError> {
    let wal = Wal::open(dir, opts(segment_bytes, SyncPolicy::Never))?;
    for r in recs {
        wal.append(r)?;
    }
    wal.close()?;
    Ok(wal.segments().into_iter().map(|s| s.path).collect())
}

fn append_bytes(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    OpenOptions::new().append(true).open(path)?.write_all(bytes)
}

#[test]
fn record_cut_in_half_is_truncated_and_appends_continue() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(5, 100);
    let paths = write_log(tmp.path(), &recs, 1 << 20)?;
    let seg = &paths[0];
    let full = fs::metadata(seg)?.len();
    let cut = full - 50; // inside the last record's payload
    OpenOptions::new().write(true).open(seg)?.set_len(cut)?;

    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, recs[..4].to_vec());
    assert_eq!(
        fs::metadata(seg)?.len(),
        full - 108,
        "torn record removed from the file"
    );
    wal.append(b"new")?;
    let mut want = recs[..4].to_vec();
    want.push(b"new".to_vec());
    assert_eq!(payloads(&wal)?, want);
    drop(wal);
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, want);
    Ok(())
}

#[test]
fn garbage_and_zero_tails_are_truncated() -> TestResult {
    for tail in [vec![0xA5u8; 37], vec![0u8; 4096], vec![3u8, 0, 0]] {
        let tmp = tempfile::tempdir()?;
        let recs = records(4, 64);
        let paths = write_log(tmp.path(), &recs, 1 << 20)?;
        let before = fs::metadata(&paths[0])?.len();
        append_bytes(&paths[0], &tail)?;
        let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
        assert_eq!(payloads(&wal)?, recs);
        assert_eq!(fs::metadata(&paths[0])?.len(), before);
        let p = wal.append(b"fresh")?;
        assert_eq!(p.offset, before);
        assert_eq!(wal.read_at(p)?, b"fresh");
    }
    Ok(())
}

#[test]
fn checksum_mismatch_in_last_segment_truncates_from_that_record() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(6, 50);
    let paths = write_log(tmp.path(), &recs, 1 << 20)?;
    let mut bytes = fs::read(&paths[0])?;
    let third_payload = SEGMENT_HEADER_LEN as usize + 2 * 58 + 8 + 10;
    bytes[third_payload] ^= 0x40;
    fs::write(&paths[0], &bytes)?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, recs[..2].to_vec());
    Ok(())
}

#[test]
fn corruption_in_a_sealed_segment_is_reported_with_file_and_offset() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(12, 40);
    let paths = write_log(tmp.path(), &recs, 150)?;
    assert!(paths.len() >= 3);
    let victim = &paths[1];
    let mut bytes = fs::read(victim)?;
    let second_record_payload = SEGMENT_HEADER_LEN as usize + 48 + 8 + 5;
    bytes[second_record_payload] ^= 1;
    fs::write(victim, &bytes)?;

    let wal = Wal::open(tmp.path(), opts(150, SyncPolicy::Never))?;
    let results: Vec<_> = wal.replay().collect();
    let first_err = results
        .iter()
        .position(Result::is_err)
        .ok_or("no error reported")?;
    assert!(
        first_err > 0 && results.len() == first_err + 1,
        "replay stops at the damage"
    );
    let Some(Err(WalError::Corrupt {
        path,
        offset,
        reason,
    })) = results.last()
    else {
        return Err("expected a corruption error".into());
    };
    assert_eq!(path, victim);
    assert_eq!(*offset, SEGMENT_HEADER_LEN + 48);
    assert!(reason.contains("checksum"), "{reason}");
    let msg = results
        .into_iter()
        .last()
        .and_then(Result::err)
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains(&victim.display().to_string()) && msg.contains("offset 64"),
        "{msg}"
    );
    // Appends still work: the damaged segment is sealed, the active one is healthy.
    wal.append(b"ok")?;
    Ok(())
}

#[test]
fn torn_header_of_a_new_last_segment_is_rewritten() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(3, 10);
    write_log(tmp.path(), &recs, 1 << 20)?;
    // A crash while creating segment 2 left 5 bytes of its header.
    fs::write(tmp.path().join(segment_file_name(2)), b"OWAL\x01")?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, recs);
    let p = wal.append(b"x")?;
    assert_eq!(
        p,
        Position {
            segment: 2,
            offset: SEGMENT_HEADER_LEN
        }
    );
    Ok(())
}

#[test]
fn bad_headers_are_errors() -> TestResult {
    // Bad magic in an older segment.
    let tmp = tempfile::tempdir()?;
    let paths = write_log(tmp.path(), &records(10, 40), 150)?;
    let mut bytes = fs::read(&paths[0])?;
    bytes[0] = b'X';
    fs::write(&paths[0], &bytes)?;
    let err = Wal::open(tmp.path(), opts(150, SyncPolicy::Never))
        .err()
        .ok_or("opened")?;
    assert!(matches!(err, WalError::Corrupt { offset: 0, .. }), "{err}");

    // A newer segment version.
    let tmp = tempfile::tempdir()?;
    let paths = write_log(tmp.path(), &records(2, 40), 1 << 20)?;
    let mut bytes = fs::read(&paths[0])?;
    bytes[4] = 9;
    fs::write(&paths[0], &bytes)?;
    let err = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))
        .err()
        .ok_or("opened")?;
    assert!(
        matches!(
            err,
            WalError::UnsupportedVersion {
                found: 9,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );

    // A header naming another segment than the file name.
    let tmp = tempfile::tempdir()?;
    let paths = write_log(tmp.path(), &records(2, 40), 1 << 20)?;
    fs::rename(&paths[0], tmp.path().join(segment_file_name(5)))?;
    let err = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))
        .err()
        .ok_or("opened")?;
    assert!(matches!(err, WalError::Corrupt { offset: 8, .. }), "{err}");
    Ok(())
}

#[test]
fn unrelated_files_are_ignored() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let recs = records(2, 10);
    write_log(tmp.path(), &recs, 1 << 20)?;
    fs::write(tmp.path().join("README"), "hi")?;
    fs::write(tmp.path().join("zzzzzzzzzzzzzzzz.wal"), "not hex")?;
    fs::write(tmp.path().join("00000000000001.wal"), "too short a name")?;
    let wal = Wal::open(tmp.path(), opts(1 << 20, SyncPolicy::Never))?;
    assert_eq!(payloads(&wal)?, recs);
    Ok(())
}
