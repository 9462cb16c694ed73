//! Tests of version-3 chunk blocks (still read; version 4 in `lanes_tests.rs`): partial reads equal whole reads, old versions read as one
//! block, damage is detected per block, block filters have no false negatives.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::blocks::*;
use crate::store::event::StoredEvent;

mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::chunk::lanes::ALL_LANES;
    use crate::store::chunk::{self, encode_version, write_file};

    fn events(n: usize) -> Vec<StoredEvent> {
        (0..n)
            .map(|i| StoredEvent {
                stream: (i % 3) as u64 + 1,
                timestamp: 1_000 + (i / 4) as i64,
                seq: i as u64 + 10,
                ingestion_time: 5_000 + i as i64,
                message: if i == 77 {
                    "ERROR java.lang.OutOfMemoryError: Java heap space".into()
                } else {
                    format!("GET /api/v1/items/{i} 200 é {}", i * 31)
                },
            })
            .collect()
    }

    fn parts(dir: &Path, id: u64) -> (Layout, Vec<StoredEvent>) {
        let path = dir.join(chunk::file_name(id));
        let layout = read_layout(&path).unwrap().unwrap();
        let mut out = Vec::new();
        for b in 0..layout.blocks.len() {
            let c = read_block(&path, &layout, b, ALL_LANES).unwrap().unwrap();
            let info = &layout.blocks[b];
            assert_eq!(c.headers.len(), info.events as usize);
            assert_eq!(c.headers.first().unwrap().timestamp, info.min_ts);
            assert_eq!(c.headers.last().unwrap().timestamp, info.max_ts);
            out.extend(c.headers.iter().map(|h| c.event(h)));
        }
        (layout, out)
    }

    #[test]
    fn blocks_read_one_by_one_equal_the_whole_chunk() {
        let tmp = tempfile::tempdir().unwrap();
        let evs = events(300);
        let (bytes, meta) = encode_version(7, &evs, 3).unwrap();
        assert_eq!(&bytes[4..8], &3u32.to_le_bytes());
        write_file(tmp.path(), 7, &bytes).unwrap();
        assert_eq!(chunk::decode(Path::new("x"), &bytes).unwrap(), evs);
        let (layout, back) = parts(tmp.path(), 7);
        assert!(layout.blocks.len() > 10, "{}", layout.blocks.len());
        assert_eq!(back, evs);
        assert_eq!(
            meta.raw_bytes,
            layout
                .blocks
                .iter()
                .map(|b| u64::from(b.raw_len))
                .sum::<u64>()
        );
        // Only the block holding the rare term admits it; every block admits a common one.
        let holding: Vec<bool> = layout
            .blocks
            .iter()
            .map(|b| b.filter.as_ref().unwrap().may_contain(b"OutOfMemoryError"))
            .collect();
        assert!(holding.iter().filter(|h| **h).count() <= 2, "{holding:?}");
        let with_77 = layout
            .blocks
            .iter()
            .scan(0usize, |n, b| {
                *n += b.events as usize;
                Some(*n)
            })
            .position(|n| n > 77)
            .unwrap();
        assert!(holding[with_77]);
        assert!(
            layout
                .blocks
                .iter()
                .all(|b| b.filter.as_ref().unwrap().may_contain(b"GET /api"))
        );
    }

    #[test]
    fn version_1_and_2_files_read_as_one_block() {
        let tmp = tempfile::tempdir().unwrap();
        let evs = events(50);
        for v in [1, 2] {
            let (bytes, _) = encode_version(u64::from(v), &evs, v).unwrap();
            write_file(tmp.path(), u64::from(v), &bytes).unwrap();
            let (layout, back) = parts(tmp.path(), u64::from(v));
            assert_eq!((layout.version, layout.blocks.len()), (v, 1));
            assert!(layout.blocks[0].filter.is_none());
            assert_eq!(back, evs);
        }
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_panic() {
        let tmp = tempfile::tempdir().unwrap();
        let (bytes, _) = encode_version(3, &events(40), 3).unwrap();
        let layout = parse_layout(Path::new("x"), &bytes).unwrap();
        for b in 0..layout.blocks.len() {
            let info = &layout.blocks[b];
            for at in [
                info.start,
                info.start + info.len / 2,
                info.start + info.len - 1,
            ] {
                let mut bad = bytes.clone();
                bad[at] ^= 0x10;
                write_file(tmp.path(), 3, &bad).unwrap();
                let path = tmp.path().join(chunk::file_name(3));
                let l = read_layout(&path).unwrap().unwrap();
                assert!(
                    read_block(&path, &l, b, ALL_LANES).is_err(),
                    "block {b} at {at}"
                );
            }
        }
        assert!(
            read_layout(&tmp.path().join("gone.chunk"))
                .unwrap()
                .is_none()
        );
    }
}

/// One stream's events holding `msgs` in order, at timestamps and sequence numbers 0, 1, ….
pub(super) fn one_stream(msgs: &[String]) -> Vec<StoredEvent> {
    msgs.iter()
        .enumerate()
        .map(|(i, m)| StoredEvent {
            stream: 1,
            timestamp: i as i64,
            seq: i as u64,
            ingestion_time: 0,
            message: m.clone(),
        })
        .collect()
}

mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// No false negatives: any substring of any message is admitted by its block's filter.
        #[test]
        fn block_filters_admit_every_substring_of_their_messages(
            msgs in proptest::collection::vec("[a-zA-Z0-9 =:/.é{}\"-]{0,60}", 1..60),
            pick in any::<prop::sample::Index>(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
        ) {
            let events = one_stream(&msgs);
            let (bytes, _) = crate::store::chunk::encode_version(1, &events, 3)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let layout = parse_layout(Path::new("x"), &bytes)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let k = pick.index(msgs.len());
            let block = layout
                .blocks
                .iter()
                .scan(0usize, |n, b| {
                    *n += b.events as usize;
                    Some((*n, b))
                })
                .find(|(n, _)| *n > k)
                .map(|(_, b)| b);
            let m = msgs[k].as_bytes();
            let (i, j) = (a.index(m.len() + 1), b.index(m.len() + 1));
            let f = block.and_then(|b| b.filter.as_ref());
            prop_assert!(f.is_some_and(|f| f.may_contain(&m[i.min(j)..i.max(j)])));
        }
    }
}
