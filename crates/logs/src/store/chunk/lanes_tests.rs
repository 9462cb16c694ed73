//! Tests of version-4 blocks (lanes): whole and partial reads, the lane layout, damage detection
//! per frame, no false negatives of lane filters, chunks of every version side by side.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::blocks::*;
use super::lanes::{ALL_LANES, assign_lanes, template_of};
use crate::store::chunk::{self, decode, encode, encode_version, write_file};
use crate::store::event::StoredEvent;

/// Three templates: a frequent INFO line, a frequent GET line, and rare ERROR lines.
fn events(n: usize) -> Vec<StoredEvent> {
    (0..n)
        .map(|i| StoredEvent {
            stream: (i % 3) as u64 + 1,
            timestamp: 1_000 + (i / 4) as i64,
            seq: i as u64 + 10,
            ingestion_time: 5_000 + i as i64,
            message: if i % 50 == 7 {
                format!("ERROR job {i} failed: timeout after {}ms", i * 7)
            } else if i % 2 == 0 {
                format!("INFO request {i} completed é in {}ms", i % 13)
            } else {
                format!("GET /api/v1/items/{i} 200 {}", i * 31)
            },
        })
        .collect()
}

fn write(dir: &Path, id: u64, evs: &[StoredEvent]) -> (Vec<u8>, Layout) {
    let (bytes, _) = encode(id, evs).unwrap();
    write_file(dir, id, &bytes).unwrap();
    let layout = read_layout(&dir.join(chunk::file_name(id)))
        .unwrap()
        .unwrap();
    (bytes, layout)
}

#[test]
fn templates_mask_tokens_with_digits_only() {
    let t = |m: &str| template_of(m.as_bytes());
    assert_eq!(t("job 12 failed in 3ms"), t("job 977 failed in 41ms"));
    assert_eq!(t("id=ab12cd"), t("id=99"));
    assert_ne!(t("level=ERROR x=1"), t("level=INFO x=1"));
    assert_ne!(t("a b"), t("a  b"));
    assert_ne!(t("ab"), t("ba"));
    let evs = events(400);
    let (lanes, n) = assign_lanes(&evs);
    assert_eq!(
        n, 3,
        "INFO, GET and ERROR each hold enough bytes for a lane"
    );
    for (e, l) in evs.iter().zip(&lanes) {
        let first = lanes[evs
            .iter()
            .position(|x| template_of(x.message.as_bytes()) == template_of(e.message.as_bytes()))
            .unwrap()];
        assert_eq!(*l, first);
    }
}

#[test]
fn version_4_round_trips_whole_and_block_by_block() {
    let tmp = tempfile::tempdir().unwrap();
    let evs = events(600);
    let (bytes, meta) = encode(7, &evs).unwrap();
    assert_eq!(&bytes[4..8], &4u32.to_le_bytes());
    assert_eq!(decode(Path::new("x"), &bytes).unwrap(), evs);
    write_file(tmp.path(), 7, &bytes).unwrap();
    let path = tmp.path().join(chunk::file_name(7));
    let layout = read_layout(&path).unwrap().unwrap();
    assert_eq!(layout.version, 4);
    assert!(layout.blocks.len() > 10, "{}", layout.blocks.len());
    assert!(layout.blocks.iter().any(|b| b.lanes.len() > 1));
    let mut back = Vec::new();
    let mut raw = 0u64;
    for (b, info) in layout.blocks.iter().enumerate() {
        assert!(info.filter.is_some());
        let c = read_block(&path, &layout, b, ALL_LANES).unwrap().unwrap();
        assert!(c.elided.is_empty());
        assert_eq!(c.headers.len(), info.events as usize);
        back.extend(c.headers.iter().map(|h| c.event(h)));
        raw +=
            u64::from(info.raw_len) + info.lanes.iter().map(|l| u64::from(l.raw_len)).sum::<u64>();
    }
    assert_eq!(back, evs);
    assert_eq!(meta.raw_bytes, raw);
    // The chunk's filter (gathered from the blocks' exact trigram sets) is that of its messages.
    let mut whole = crate::store::token_filter::FilterBuilder::new();
    for e in &evs {
        whole.add(&e.message);
    }
    assert_eq!(meta.filter.as_deref(), Some(&whole.finish()));
    // Old versions are still read beside it.
    for v in 1..=3 {
        let (old, _) = encode_version(10 + u64::from(v), &evs, v).unwrap();
        assert_eq!(&old[4..8], &v.to_le_bytes());
        assert_eq!(decode(Path::new("x"), &old).unwrap(), evs);
    }
}

#[test]
fn a_read_decompresses_only_the_lanes_that_may_match() {
    let tmp = tempfile::tempdir().unwrap();
    let evs = events(600);
    let (_, layout) = write(tmp.path(), 3, &evs);
    let path = tmp.path().join(chunk::file_name(3));
    let mut seen = Vec::new();
    let mut elided = 0;
    let mut partial = 0;
    let mut opened = 0;
    for (b, info) in layout.blocks.iter().enumerate() {
        let Some(mask) = info.lanes_to_read(|f| f.may_contain(b"ERROR")) else {
            continue;
        };
        if mask != ALL_LANES {
            partial += 1;
        }
        opened += info.events as usize;
        let c = read_block(&path, &layout, b, mask).unwrap().unwrap();
        assert_eq!(c.headers.len() + c.elided.len(), info.events as usize);
        elided += c.elided.len();
        // What was decompressed is in key order, and holds every ERROR event of the block.
        assert!(c.headers.windows(2).all(|w| w[0].key() < w[1].key()));
        seen.extend(
            c.headers
                .iter()
                .map(|h| c.event(h))
                .filter(|e| e.message.contains("ERROR")),
        );
        // Elided events are the others, in time order.
        assert!(c.elided.windows(2).all(|w| w[0].0 <= w[1].0));
    }
    let want: Vec<StoredEvent> = evs
        .iter()
        .filter(|e| e.message.contains("ERROR"))
        .cloned()
        .collect();
    assert_eq!(seen, want);
    assert!(partial > 5, "{partial} blocks read in part");
    assert!(opened < evs.len() / 2, "{opened} events in blocks opened");
    assert!(
        elided > opened / 2,
        "{elided} of {opened} events left compressed"
    );
    // A term made of digits (no lane filter can test it) is still excluded by the blocks' filters.
    let digits = layout
        .blocks
        .iter()
        .filter(|b| b.lanes_to_read(|f| f.may_contain(b"98765432")).is_some())
        .count();
    assert!(
        digits < layout.blocks.len() / 4,
        "{digits} blocks admit digits"
    );
    // A term in no lane skips whole blocks.
    assert!(
        layout
            .blocks
            .iter()
            .filter(|b| b
                .lanes_to_read(|f| f.may_contain(b"OutOfMemoryError"))
                .is_some())
            .count()
            <= 2
    );
}

#[test]
fn damage_to_any_frame_or_the_table_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let (bytes, layout) = write(tmp.path(), 5, &events(120));
    let path = tmp.path().join(chunk::file_name(5));
    for (b, info) in layout.blocks.iter().enumerate() {
        let mut spots = vec![(info.start, info.len, ALL_LANES)];
        for (i, l) in info.lanes.iter().enumerate() {
            spots.push((l.start, l.len, 1 << i));
        }
        for (start, len, mask) in spots {
            for at in [start, start + len / 2, start + len - 1] {
                let mut bad = bytes.clone();
                bad[at] ^= 0x10;
                assert!(decode(Path::new("x"), &bad).is_err(), "block {b} at {at}");
                write_file(tmp.path(), 5, &bad).unwrap();
                let l = read_layout(&path).unwrap().unwrap();
                assert!(read_block(&path, &l, b, mask).is_err(), "block {b} at {at}");
            }
        }
    }
    // A flipped bit anywhere (header, table, filters, frames) and any truncation is an error.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(
            decode(Path::new("x"), &b).is_err(),
            "flip at {i} undetected"
        );
    }
    for cut in 0..bytes.len() {
        assert!(decode(Path::new("x"), &bytes[..cut]).is_err());
    }
}

#[test]
fn a_lane_table_that_lies_is_corruption() {
    // Damage that keeps the CRCs right: a wrong lane size or lane id in a rebuilt file.
    let evs = events(60);
    let (bytes, _) = encode(9, &evs).unwrap();
    let layout = parse_layout(Path::new("x"), &bytes).unwrap();
    let info = &layout.blocks[0];
    assert!(info.lanes.len() > 1);
    let mut bad = layout.clone();
    bad.blocks[0].lanes[0].raw_len += 1;
    let block = &bytes[info.start..info.end_for(ALL_LANES)];
    assert!(decode_block(Path::new("x"), &bad, 0, block, ALL_LANES).is_err());
    let mut bad = layout.clone();
    bad.blocks[0].lanes.pop();
    assert!(decode_block(Path::new("x"), &bad, 0, block, ALL_LANES).is_err());
    assert!(decode_block(Path::new("x"), &layout, 0, block, ALL_LANES).is_ok());
}

mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// No false negatives: any substring of any message is admitted by its lane's filter, and
        /// the lanes a read selects for it return the message.
        #[test]
        fn lane_filters_admit_every_substring_of_their_messages(
            msgs in proptest::collection::vec("[a-zA-Z0-9 =:/.é{}\"-]{0,60}", 1..80),
            pick in any::<prop::sample::Index>(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
        ) {
            let events = super::super::blocks_tests::one_stream(&msgs);
            let (bytes, _) = encode(1, &events).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let layout = parse_layout(Path::new("x"), &bytes)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let k = pick.index(msgs.len());
            let (bi, info) = layout
                .blocks
                .iter()
                .enumerate()
                .scan(0usize, |n, (i, b)| {
                    *n += b.events as usize;
                    Some((*n, i, b))
                })
                .find(|(n, _, _)| *n > k)
                .map(|(_, i, b)| (i, b))
                .ok_or_else(|| TestCaseError::fail("no block"))?;
            let m = msgs[k].as_bytes();
            let (i, j) = (a.index(m.len() + 1), b.index(m.len() + 1));
            let lit = &m[i.min(j)..i.max(j)];
            let mask = info.lanes_to_read(|f| f.may_contain(lit));
            prop_assert!(mask.is_some());
            let block = &bytes[info.start..info.end_for(ALL_LANES)];
            let c = decode_block(Path::new("x"), &layout, bi, block, mask.unwrap_or(ALL_LANES))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(c.headers.iter().any(|h| h.seq == k as u64 && c.message(h) == msgs[k]));
        }
    }
}

/// Figures for a directory of chunk files (`LANE_DIR=<data>/logs cargo test --release … -- --ignored
/// lane_figures --nocapture`): bytes per frame kind and what a read of `ERROR` decompresses.
#[test]
#[ignore]
fn lane_figures() {
    let Some(dir) = std::env::var_os("LANE_DIR") else {
        return;
    };
    let term = std::env::var("LANE_TERM").unwrap_or_else(|_| "ERROR".into());
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "chunk") {
                files.push(p);
            }
        }
    }
    let (mut fixed_raw, mut lane_raw, mut want_raw, mut lanes, mut blocks, mut filt) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut fixed_z, mut lane_z) = (0u64, 0u64);
    let mut t_all = std::time::Duration::ZERO;
    let mut t_want = std::time::Duration::ZERO;
    let (mut t_v4, mut t_v3, mut z3) =
        (std::time::Duration::ZERO, std::time::Duration::ZERO, 0usize);
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        if std::env::var_os("LANE_V3").is_some() {
            let t = std::time::Instant::now();
            let evs = decode(p, &bytes).unwrap();
            t_v4 += t.elapsed();
            let (v3, _) = encode_version(1, &evs, 3).unwrap();
            z3 += v3.len();
            let t = std::time::Instant::now();
            decode(p, &v3).unwrap();
            t_v3 += t.elapsed();
        }
        let layout = parse_layout(p, &bytes).unwrap();
        for (b, info) in layout.blocks.iter().enumerate() {
            blocks += 1;
            fixed_raw += u64::from(info.raw_len);
            fixed_z += info.len as u64;
            let mask = info.lanes_to_read(|f| f.may_contain(term.as_bytes()));
            for (i, l) in info.lanes.iter().enumerate() {
                lanes += 1;
                lane_raw += u64::from(l.raw_len);
                lane_z += l.len as u64;
                filt += l.filter.encoded_len() as u64;
                if std::env::var_os("LANE_FILL").is_some() && b < 3 {
                    println!(
                        "block {b} lane {i}: {} B raw, filter {} B, fill {:.2}",
                        l.raw_len,
                        l.filter.encoded_len(),
                        l.filter.fill_ratio()
                    );
                }
                if mask.is_some_and(|m| m & (1 << i) != 0) {
                    want_raw += u64::from(l.raw_len);
                }
            }
            let block = &bytes[info.start..info.end_for(ALL_LANES)];
            let t = std::time::Instant::now();
            decode_block(p, &layout, b, block, ALL_LANES).unwrap();
            t_all += t.elapsed();
            if let Some(m) = mask {
                let t = std::time::Instant::now();
                decode_block(p, &layout, b, block, m).unwrap();
                t_want += t.elapsed();
            }
        }
    }
    println!(
        "{} files, {blocks} blocks, {lanes} lanes; fixed {fixed_raw} B raw -> {fixed_z} B; lanes {lane_raw} -> {lane_z} B; lane filters {filt} B; `{term}` admits {want_raw} lane bytes ({:.1} %); decode all {:?} ({:.2} GB/s), decode for term {:?}",
        files.len(),
        want_raw as f64 * 100.0 / lane_raw.max(1) as f64,
        t_all,
        lane_raw as f64 / 1e9 / t_all.as_secs_f64(),
        t_want
    );
    if std::env::var_os("LANE_V3").is_some() {
        println!(
            "whole-chunk decode: version 4 {t_v4:?}, version 3 {t_v3:?} ({z3} B as version 3)"
        );
    }
}
