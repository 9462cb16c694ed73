//! Property tests: arbitrary record sequences round-trip; arbitrary damage never panics and never
//! yields wrong data.

use std::collections::HashMap;
use std::fs;

use proptest::prelude::*;

use super::*;
use crate::wal::{decode_records, decode_segment};

fn record_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 1..300), 0..40)
}

/// One change to the files: xor a byte, or cut a file short.
#[derive(Debug, Clone)]
enum Damage {
    Flip { file: usize, at: usize, mask: u8 },
    Truncate { file: usize, at: usize },
    Extend { file: usize, bytes: Vec<u8> },
}

fn damage_strategy() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), 1..=255u8)
            .prop_map(|(file, at, mask)| Damage::Flip { file, at, mask }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(file, at)| Damage::Truncate { file, at }),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(file, bytes)| Damage::Extend { file, bytes }),
    ]
}

fn apply(paths: &[std::path::PathBuf], d: &Damage) -> std::io::Result<()> {
    let pick = |file: usize| &paths[file % paths.len()];
    match d {
        Damage::Flip { file, at, mask } => {
            let path = pick(*file);
            let mut bytes = fs::read(path)?;
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] ^= mask;
                fs::write(path, bytes)?;
            }
        }
        Damage::Truncate { file, at } => {
            let path = pick(*file);
            let len = fs::metadata(path)?.len();
            fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .set_len(*at as u64 % (len + 1))?;
        }
        Damage::Extend { file, bytes } => {
            let path = pick(*file);
            let mut all = fs::read(path)?;
            all.extend_from_slice(bytes);
            fs::write(path, all)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn records_round_trip(recs in record_strategy(), segment_bytes in 64u64..2048) {
        let tmp = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let run = || -> Result<(), Box<dyn std::error::Error>> {
            let o = opts(segment_bytes, SyncPolicy::Never);
            let wal = Wal::open(tmp.path(), o)?;
            let mut positions = Vec::new();
            for r in &recs {
                positions.push(wal.append(r)?);
            }
            assert_eq!(payloads(&wal)?, recs);
            for (p, r) in positions.iter().zip(&recs) {
                assert_eq!(&wal.read_at(*p)?, r);
            }
            drop(wal);
            let wal = Wal::open(tmp.path(), o)?;
            let replayed = collect(&wal)?;
            assert_eq!(replayed.iter().map(|(p, _)| *p).collect::<Vec<_>>(), positions);
            assert_eq!(replayed.into_iter().map(|(_, r)| r).collect::<Vec<_>>(), recs);
            Ok(())
        };
        run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }

    #[test]
    fn damaged_segments_never_panic_or_lie(
        recs in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..120), 1..25),
        damage in prop::collection::vec(damage_strategy(), 1..4),
    ) {
        let tmp = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let run = || -> Result<(), Box<dyn std::error::Error>> {
            let o = opts(300, SyncPolicy::Never);
            let mut original = HashMap::new();
            let paths = {
                let wal = Wal::open(tmp.path(), o)?;
                for r in &recs {
                    original.insert(wal.append(r)?, r.clone());
                }
                wal.close()?;
                wal.segments().into_iter().map(|s| s.path).collect::<Vec<_>>()
            };
            for d in &damage {
                apply(&paths, d)?;
            }
            // Opening may fail (damaged headers); it must not panic.
            let Ok(wal) = Wal::open(tmp.path(), o) else { return Ok(()) };
            for item in wal.replay() {
                let Ok((pos, payload)) = item else { break };
                // Whatever is returned is what was written there.
                assert_eq!(original.get(&pos), Some(&payload), "wrong data at {pos}");
            }
            let p = wal.append(b"after damage")?;
            assert_eq!(wal.read_at(p)?, b"after damage");
            Ok(())
        };
        run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let (records, _) = decode_records(&bytes);
        let mut end = 0;
        for (off, payload) in records {
            prop_assert!(off >= end);
            end = off + 8 + payload.len();
            prop_assert!(end <= bytes.len());
        }
        let _ = decode_segment(&bytes);
    }
}
