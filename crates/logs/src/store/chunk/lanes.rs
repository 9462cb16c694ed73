//! Version-4 blocks: the messages of a block sorted into **lanes** by template, so that a search for
//! a term decompresses only the lanes that may hold it.
//!
//! Most log lines are instances of a few templates: the line with its variable tokens (those
//! holding a digit) masked. Within a block, the messages of each frequent template form one lane
//! (the rest share an "other" lane): a zstd frame of those messages back to back, with its own
//! trigram filter. A small fixed-fields frame keeps, per event in key order, the usual columns
//! (`columns.rs`) and then the event's lane, so key order is rebuilt exactly by merging the lanes.
//! A read whose pattern requires `ERROR` decompresses the fixed fields and the lanes whose filter
//! admits `ERROR`; the lines of the INFO templates are never decompressed. Homogeneous lanes also
//! compress better than mixed text. Layout: `docs/format/logs.md`.

use std::collections::HashMap;
use std::path::Path;

use super::blocks::{BlockInfo, LaneInfo, Layout, decompress_frame};
use super::{RawChunk, corrupt};
use crate::error::LogsError;
use crate::store::columns;
use crate::store::event::StoredEvent;
use crate::store::token_filter::{FilterBuilder, TokenFilter};

/// The lane mask that reads every lane of a block (and the whole block of older versions).
pub(crate) const ALL_LANES: u64 = u64::MAX;
/// Most lanes a writer gives a block (the frequent templates, then "other").
pub(crate) const MAX_LANES: usize = 16;
/// Most lanes a reader accepts (one bit each of a `u64` mask).
pub(crate) const MAX_LANES_READ: usize = 64;
/// Message bytes a template needs in a block to get a lane of its own (smaller frames compress
/// badly; rarer templates share the "other" lane).
#[cfg(not(test))]
const MIN_LANE_BYTES: usize = 24 * 1024;
/// Tiny in tests, so that test blocks have several lanes.
#[cfg(test)]
const MIN_LANE_BYTES: usize = 40;

/// Byte classes of the template hash: 0 delimiter, 1 letter (or any non-ASCII byte), 2 digit.
const CLASS: [u8; 256] = {
    let mut t = [1u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() {
            2
        } else if b.is_ascii_alphabetic() || b == b'_' {
            1
        } else {
            0
        };
        c += 1;
    }
    t
};

const PRIME: u64 = 0x0000_0100_0000_01B3;
/// What a variable token (one holding a digit) hashes as.
const VAR: u64 = 0x9E37_79B9_7F4A_7C15;

/// The template of a message, hashed: its tokens (runs of letters, digits and `_`) and the bytes
/// between them, every token holding a digit replaced by one placeholder.
pub(crate) fn template_of(msg: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    let mut tok: u64 = 0;
    let mut var = false;
    let mut in_tok = false;
    for &c in msg {
        match CLASS[c as usize] {
            0 => {
                if in_tok {
                    h = (h ^ if var { VAR } else { tok }).wrapping_mul(PRIME);
                    in_tok = false;
                    var = false;
                    tok = 0;
                }
                // Between tokens a rotation suffices: each token boundary multiplies.
                h = h.rotate_left(8) ^ u64::from(c);
            }
            1 => {
                tok = tok.rotate_left(5) ^ u64::from(c);
                in_tok = true;
            }
            _ => {
                var = true;
                in_tok = true;
            }
        }
    }
    if in_tok {
        h = (h ^ if var { VAR } else { tok }).wrapping_mul(PRIME);
    }
    h
}

/// The lane of each event of a block and the number of lanes: one lane per template holding at
/// least [`MIN_LANE_BYTES`] of the block's messages (the largest first, at most [`MAX_LANES`] − 1),
/// then one "other" lane for every remaining event, if any.
pub(crate) fn assign_lanes(evs: &[StoredEvent]) -> (Vec<u8>, usize) {
    let templates: Vec<u64> = evs
        .iter()
        .map(|e| template_of(e.message.as_bytes()))
        .collect();
    let mut bytes: HashMap<u64, usize> = HashMap::with_capacity(64);
    for (t, e) in templates.iter().zip(evs) {
        *bytes.entry(*t).or_default() += e.message.len() + 1;
    }
    let mut big: Vec<(usize, u64)> = bytes
        .iter()
        .filter(|(_, b)| **b >= MIN_LANE_BYTES)
        .map(|(t, b)| (*b, *t))
        .collect();
    big.sort_unstable_by(|a, b| b.cmp(a));
    big.truncate(MAX_LANES - 1);
    let own: HashMap<u64, u8> = big
        .iter()
        .enumerate()
        .map(|(i, (_, t))| (*t, i as u8))
        .collect();
    let other = own.len() as u8;
    let lanes: Vec<u8> = templates
        .iter()
        .map(|t| own.get(t).copied().unwrap_or(other))
        .collect();
    let n = if own.len() < bytes.len() {
        own.len() + 1
    } else {
        own.len()
    };
    (lanes, n.max(1))
}

/// The trigram filters a version 4 writer builds: the block's (every trigram: built from those
/// with a digit plus its lanes'; see [`FilterBuilder::new_digit_grams`]), each lane's (digit-free
/// trigrams) and the chunk's (for the catalog).
pub(crate) struct LaneFilters<'a> {
    pub block: FilterBuilder,
    pub lane: FilterBuilder,
    pub chunk: &'a mut FilterBuilder,
}

/// Encodes one block of `evs` (sorted by key) as version 4: appends its table entry to `table`
/// and its frames (fixed fields, then each lane) to `body`; adds every message to the chunk's
/// filter. Returns the block's uncompressed bytes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_block(
    evs: &[StoredEvent],
    streams: &[u64],
    min_ts: i64,
    min_seq: u64,
    zstd: &mut zstd::bulk::Compressor<'_>,
    filters: &mut LaneFilters,
    table: &mut Vec<u8>,
    body: &mut Vec<u8>,
) -> Result<u64, LogsError> {
    let (lanes, n) = assign_lanes(evs);
    let mut raw = Vec::with_capacity(8 * evs.len());
    columns::encode(&mut raw, evs, streams, min_ts, min_seq);
    raw.extend_from_slice(&lanes);
    let fixed = zstd.compress(&raw)?;
    let mut raw_total = raw.len() as u64;
    table.extend_from_slice(&(evs.len() as u32).to_le_bytes());
    table.extend_from_slice(&evs.first().map_or(0, |e| e.timestamp).to_le_bytes());
    table.extend_from_slice(&evs.last().map_or(0, |e| e.timestamp).to_le_bytes());
    table.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    table.extend_from_slice(&(fixed.len() as u32).to_le_bytes());
    table.extend_from_slice(&crc32c::crc32c(&fixed).to_le_bytes());
    let LaneFilters { block, lane, chunk } = filters;
    // The block's filter holds every trigram: those with a digit are added here, the others
    // come from the lanes' filters as each lane is finished, so each trigram is set once.
    for e in evs {
        block.add(&e.message);
    }
    let mut lane_entries = Vec::with_capacity(n);
    for k in 0..n {
        raw.clear();
        for (e, l) in evs.iter().zip(&lanes) {
            if usize::from(*l) == k {
                raw.extend_from_slice(e.message.as_bytes());
                lane.add(&e.message);
            }
        }
        let frame = zstd.compress(&raw)?;
        let f = lane.finish_and_reset_adding_to(block).encode();
        raw_total += raw.len() as u64;
        lane_entries.push((raw.len(), frame, f));
    }
    let f = block.finish_and_reset_into(chunk).encode();
    table.extend_from_slice(&(f.len() as u32).to_le_bytes());
    table.extend_from_slice(&f);
    table.extend_from_slice(&(n as u32).to_le_bytes());
    body.extend_from_slice(&fixed);
    for (raw_len, frame, f) in lane_entries {
        table.extend_from_slice(&(raw_len as u32).to_le_bytes());
        table.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        table.extend_from_slice(&crc32c::crc32c(&frame).to_le_bytes());
        table.extend_from_slice(&(f.len() as u32).to_le_bytes());
        table.extend_from_slice(&f);
        body.extend_from_slice(&frame);
    }
    Ok(raw_total)
}

impl BlockInfo {
    /// The lanes of the block a read must decompress when `admits` says which filters may hold a
    /// match: `None` if no part of the block may (the block's filter, of every trigram, or every
    /// lane's filter, of digit-free trigrams, excludes it); [`ALL_LANES`] for a whole block, and
    /// for blocks of versions 1–3, which have no lanes.
    pub(crate) fn lanes_to_read(&self, admits: impl Fn(&TokenFilter) -> bool) -> Option<u64> {
        if !self.filter.as_ref().is_none_or(&admits) {
            return None;
        }
        if self.lanes.is_empty() {
            return Some(ALL_LANES);
        }
        let mut mask = 0u64;
        for (i, lane) in self.lanes.iter().enumerate() {
            if admits(&lane.filter) {
                mask |= 1 << i;
            }
        }
        if mask == 0 {
            None
        } else if mask.count_ones() as usize == self.lanes.len() {
            Some(ALL_LANES)
        } else {
            Some(mask)
        }
    }

    /// Where the block's bytes end in the file when reading the lanes of `mask` (the fixed
    /// frame, then the lanes up to the last one asked for).
    pub(crate) fn end_for(&self, mask: u64) -> usize {
        self.lanes
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, l)| l.start + l.len)
            .max()
            .unwrap_or(self.start + self.len)
    }
}

/// Reads one lane-table entry of a version 4 block from the index.
pub(crate) fn parse_lane(
    path: &Path,
    ir: &mut crate::store::codec::Reader<'_>,
    start: usize,
) -> Result<LaneInfo, LogsError> {
    let bad = || corrupt(path, "short index");
    let raw_len = ir.u32().ok_or_else(bad)?;
    let len = ir.u32().ok_or_else(bad)? as usize;
    let crc = ir.u32().ok_or_else(bad)?;
    let flen = ir.u32().ok_or_else(bad)? as usize;
    let filter = TokenFilter::decode(ir.bytes(flen).ok_or_else(bad)?)
        .ok_or_else(|| corrupt(path, "bad lane filter"))?;
    Ok(LaneInfo {
        raw_len,
        start,
        len,
        crc,
        filter,
    })
}

/// Decodes a version 4 block from `block` (its bytes from the fixed frame's start to at least the
/// end of the last lane of `mask`): checks the CRCs of the frames it decompresses, the event
/// count, the lanes' sizes, UTF-8, key order and the time range. Events of lanes outside `mask`
/// are left out of the result's headers, and listed in its `elided` (timestamp, length) instead.
pub(crate) fn decode_block(
    path: &Path,
    layout: &Layout,
    info: &BlockInfo,
    block: &[u8],
    mask: u64,
) -> Result<RawChunk, LogsError> {
    let part = |start: usize, len: usize, crc: u32| -> Result<&[u8], LogsError> {
        let f = start
            .checked_sub(info.start)
            .and_then(|s| block.get(s..s + len))
            .ok_or_else(|| corrupt(path, "short body"))?;
        if crc32c::crc32c(f) != crc {
            return Err(corrupt(path, "body CRC mismatch"));
        }
        Ok(f)
    };
    let fixed = part(info.start, info.len, info.crc)?;
    let raw = decompress_frame(fixed, info.raw_len)
        .map_err(|e| corrupt(path, &format!("body does not decompress: {e}")))?;
    if raw.len() != info.raw_len as usize {
        return Err(corrupt(path, "block size mismatch"));
    }
    let count = info.events as usize;
    let bad = || corrupt(path, "truncated event");
    let mut rows: Vec<columns::Row> = Vec::with_capacity(count.min(raw.len()));
    let mut d = columns::Decoder::new(&raw, &layout.streams, layout.min_ts, layout.min_seq);
    for _ in 0..count {
        rows.push(d.row().ok_or_else(bad)?);
    }
    let ids = &raw[d.consumed()..];
    if ids.len() != count {
        return Err(corrupt(path, "lane column does not match the events"));
    }
    let n = info.lanes.len();
    // Per lane: (events, message bytes).
    let mut sizes = vec![(0usize, 0usize); n];
    for (r, &l) in rows.iter().zip(ids) {
        let s = sizes
            .get_mut(usize::from(l))
            .ok_or_else(|| corrupt(path, "event in a lane the block lacks"))?;
        s.0 += 1;
        s.1 += r.4;
    }
    if sizes
        .iter()
        .zip(&info.lanes)
        .any(|(s, l)| s.0 == 0 || s.1 != l.raw_len as usize)
    {
        return Err(corrupt(path, "lane sizes do not match the events"));
    }
    if rows
        .windows(2)
        .any(|w| (w[0].1, w[0].2) >= (w[1].1, w[1].2))
    {
        return Err(corrupt(path, "events out of order"));
    }
    if rows.first().map(|r| r.1) != Some(info.min_ts)
        || rows.last().map(|r| r.1) != Some(info.max_ts)
    {
        return Err(corrupt(path, "block time range mismatch"));
    }
    let wanted = |l: usize| mask & (1 << l) != 0;
    let mut texts: Vec<Vec<u8>> = Vec::with_capacity(n);
    for (i, lane) in info.lanes.iter().enumerate() {
        if !wanted(i) {
            texts.push(Vec::new());
            continue;
        }
        let frame = part(lane.start, lane.len, lane.crc)?;
        let t = if lane.raw_len == 0 {
            Vec::new()
        } else {
            decompress_frame(frame, lane.raw_len)
                .map_err(|e| corrupt(path, &format!("lane does not decompress: {e}")))?
        };
        if t.len() != lane.raw_len as usize {
            return Err(corrupt(path, "lane size mismatch"));
        }
        texts.push(t);
    }
    if n == 1 && wanted(0) {
        let text = texts.pop().unwrap_or_default();
        return RawChunk::from_rows(path, rows, text);
    }
    let kept_bytes: usize = (0..n)
        .filter(|&i| wanted(i))
        .map(|i| info.lanes[i].raw_len as usize)
        .sum();
    let mut text = Vec::with_capacity(kept_bytes);
    let mut at = vec![0usize; n];
    let mut kept = Vec::with_capacity(count);
    let mut elided = Vec::new();
    for (r, &l) in rows.into_iter().zip(ids) {
        let l = usize::from(l);
        let from = at[l];
        at[l] += r.4;
        if wanted(l) {
            text.extend_from_slice(&texts[l][from..from + r.4]);
            kept.push(r);
        } else {
            elided.push((r.1, r.4 as u32));
        }
    }
    let mut c = RawChunk::from_rows(path, kept, text)?;
    c.elided = elided;
    Ok(c)
}
