//! Version-3 chunk bodies: the chunk's events cut into blocks of about [`BLOCK_TARGET_BYTES`] of
//! uncompressed body, each an independent zstd frame (its own fixed-field column and messages)
//! listed in the chunk's index with its time range, its frame's place and CRC, and its own trigram
//! filter. A read that needs a few events decompresses only the blocks that may hold them (the
//! chunk-wide filter in the catalog says whether to open the file at all; the block filters say
//! which frames to decompress), and blocks of one read can be decompressed on several cores.
//! Frames of ~512 KiB compress as well as one frame per chunk (zstd -3 keeps a window of that
//! order anyway). Version 4 splits each block further into lanes by template (`lanes.rs`).
//! Layout: `docs/format/logs.md`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::lanes;
use super::{CHUNK_MAGIC, CHUNK_ZSTD_LEVEL, HEADER_LEN, RawChunk, corrupt};
use crate::error::LogsError;
use crate::store::codec::Reader;
use crate::store::columns;
use crate::store::event::StoredEvent;
use crate::store::token_filter::{FilterBuilder, TokenFilter};

/// Uncompressed body bytes after which a block is closed.
#[cfg(not(test))]
pub(crate) const BLOCK_TARGET_BYTES: usize = 512 * 1024;
/// Tiny in tests, so that every test's chunks span several blocks.
#[cfg(test)]
pub(crate) const BLOCK_TARGET_BYTES: usize = 200;

/// One block as the index lists it. For version 1 and 2 chunks, the whole body is one block
/// without a filter or time range of its own.
#[derive(Debug, Clone)]
pub(crate) struct BlockInfo {
    pub events: u32,
    pub min_ts: i64,
    pub max_ts: i64,
    /// Uncompressed bytes (0 if unknown: version 1 and 2); in version 4, of the fixed fields.
    pub raw_len: u32,
    /// Where the frame lies in the file (in version 4, the fixed-fields frame).
    pub start: usize,
    pub len: usize,
    pub(crate) crc: u32,
    /// The block's trigram filter (version 3).
    pub filter: Option<TokenFilter>,
    /// The block's lanes (version 4; their frames follow the fixed-fields frame).
    pub lanes: Vec<LaneInfo>,
}

/// One lane of a version 4 block: the messages of some templates, in key order.
#[derive(Debug, Clone)]
pub(crate) struct LaneInfo {
    /// Uncompressed bytes (the lane's messages back to back).
    pub raw_len: u32,
    /// Where its frame lies in the file.
    pub start: usize,
    pub len: usize,
    pub(crate) crc: u32,
    /// The trigram filter of the lane's messages.
    pub filter: TokenFilter,
}

/// What every block of one chunk is encoded against.
#[derive(Clone, Copy)]
struct Encoding<'a> {
    events: &'a [StoredEvent],
    streams: &'a [u64],
    min_ts: i64,
    min_seq: u64,
}

impl Encoding<'_> {
    /// Encodes the blocks `ranges` (consecutive) as version 4: their table entries, their frames
    /// and their uncompressed bytes; adds every message to `chunk`.
    fn lane_blocks(
        self,
        ranges: &[std::ops::Range<usize>],
        chunk: &mut FilterBuilder,
    ) -> Result<(Vec<u8>, Vec<u8>, u64), LogsError> {
        let mut filters = lanes::LaneFilters {
            block: FilterBuilder::new_digit_grams(),
            lane: FilterBuilder::new_lanes(),
            chunk,
        };
        let mut zstd = zstd::bulk::Compressor::new(CHUNK_ZSTD_LEVEL)?;
        let (mut table, mut body, mut raw_total) = (Vec::new(), Vec::new(), 0);
        for range in ranges {
            raw_total += lanes::encode_block(
                &self.events[range.clone()],
                self.streams,
                self.min_ts,
                self.min_seq,
                &mut zstd,
                &mut filters,
                &mut table,
                &mut body,
            )?;
        }
        Ok((table, body, raw_total))
    }
}

/// A chunk file's header and index, checked (the body is not read).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub version: u32,
    pub min_ts: i64,
    pub min_seq: u64,
    pub events: usize,
    pub streams: Vec<u64>,
    /// Where the body lies in the file, and its CRC.
    pub body_start: usize,
    pub body_len: usize,
    pub body_crc: u32,
    pub blocks: Vec<BlockInfo>,
}

/// Encodes `events` (sorted by key) as blocks of `version` 3 or 4 (lanes): returns the block
/// table (appended to the chunk's index), the body (the frames back to back) and the uncompressed
/// bytes; adds every message to the chunk-wide `filter`.
pub(crate) fn encode(
    events: &[StoredEvent],
    streams: &[u64],
    min_ts: i64,
    min_seq: u64,
    filter: &mut FilterBuilder,
    version: u32,
) -> Result<(Vec<u8>, Vec<u8>, u64), LogsError> {
    let mut table = Vec::new();
    let mut body = Vec::new();
    let mut raw_total = 0u64;
    let mut blocks = Vec::new();
    let mut from = 0;
    let mut bytes = 0;
    for (i, e) in events.iter().enumerate() {
        bytes += e.message.len() + 6;
        if bytes >= BLOCK_TARGET_BYTES || i + 1 == events.len() {
            blocks.push(from..i + 1);
            from = i + 1;
            bytes = 0;
        }
    }
    table.extend_from_slice(&(blocks.len() as u32).to_le_bytes());
    if version >= 4 {
        // Lanes cost more to build than one frame: the two halves of the blocks are encoded on
        // two threads (a flush runs on a blocking thread of its own, beside request workers).
        let (first, second) = blocks.split_at(blocks.len().div_ceil(2));
        let at = Encoding {
            events,
            streams,
            min_ts,
            min_seq,
        };
        let (a, b) = if second.is_empty() {
            (at.lane_blocks(first, filter)?, None)
        } else {
            let mut other = FilterBuilder::new();
            let (a, b) = std::thread::scope(|s| {
                let second = s.spawn(|| at.lane_blocks(second, &mut other));
                let a = at.lane_blocks(first, filter);
                (a, second.join())
            });
            let b = b.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            filter.merge(&other);
            (a?, Some(b))
        };
        table.extend_from_slice(&a.0);
        body.extend_from_slice(&a.1);
        raw_total += a.2;
        if let Some((t, b, raw)) = b {
            table.extend_from_slice(&t);
            body.extend_from_slice(&b);
            raw_total += raw;
        }
        return Ok((table, body, raw_total));
    }
    let mut block_filter = FilterBuilder::new_small();
    let mut raw = Vec::with_capacity(BLOCK_TARGET_BYTES + 64 * 1024);
    for range in blocks {
        let evs = &events[range];
        raw.clear();
        columns::encode(&mut raw, evs, streams, min_ts, min_seq);
        for e in evs {
            raw.extend_from_slice(e.message.as_bytes());
            filter.add(&e.message);
            block_filter.add(&e.message);
        }
        let frame = zstd::bulk::compress(&raw, CHUNK_ZSTD_LEVEL)?;
        let f = block_filter.finish_and_reset().encode();
        let min = evs.first().map_or(0, |e| e.timestamp);
        let max = evs.last().map_or(0, |e| e.timestamp);
        table.extend_from_slice(&(evs.len() as u32).to_le_bytes());
        table.extend_from_slice(&min.to_le_bytes());
        table.extend_from_slice(&max.to_le_bytes());
        table.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        table.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        table.extend_from_slice(&crc32c::crc32c(&frame).to_le_bytes());
        table.extend_from_slice(&(f.len() as u32).to_le_bytes());
        table.extend_from_slice(&f);
        body.extend_from_slice(&frame);
        raw_total += raw.len() as u64;
    }
    Ok((table, body, raw_total))
}

/// Parses and checks the header and index at the start of a chunk file (`head` holds at least
/// the header; the index must follow it in `head` too, else "short index").
pub(crate) fn parse_layout(path: &Path, head: &[u8]) -> Result<Layout, LogsError> {
    let short = || corrupt(path, "short header");
    let mut h = Reader::new(head.get(..HEADER_LEN).ok_or_else(short)?);
    if h.bytes(4).ok_or_else(short)? != CHUNK_MAGIC {
        return Err(corrupt(path, "bad magic"));
    }
    let version = h.u32().ok_or_else(short)?;
    if !(1..=4).contains(&version) {
        return Err(corrupt(path, &format!("unsupported version {version}")));
    }
    let index_len = h.u32().ok_or_else(short)? as usize;
    let body_len = h.u32().ok_or_else(short)? as usize;
    let index_crc = h.u32().ok_or_else(short)?;
    let body_crc = h.u32().ok_or_else(short)?;
    let index = head
        .get(HEADER_LEN..HEADER_LEN + index_len)
        .ok_or_else(|| corrupt(path, "short index"))?;
    if crc32c::crc32c(index) != index_crc {
        return Err(corrupt(path, "index CRC mismatch"));
    }
    let bad = || corrupt(path, "short index");
    let mut ir = Reader::new(index);
    let min_ts = ir.i64().ok_or_else(bad)?;
    let max_ts = ir.i64().ok_or_else(bad)?;
    let min_seq = ir.u64().ok_or_else(bad)?;
    ir.bytes(8).ok_or_else(bad)?;
    let events = ir.u32().ok_or_else(bad)? as usize;
    let n = ir.u32().ok_or_else(bad)? as usize;
    let mut streams = Vec::with_capacity(n.min(index.len() / 8));
    for _ in 0..n {
        streams.push(ir.u64().ok_or_else(bad)?);
    }
    let body_start = HEADER_LEN + index_len;
    let mut blocks = Vec::new();
    if version < 3 {
        blocks.push(BlockInfo {
            events: events as u32,
            min_ts,
            max_ts,
            raw_len: 0,
            start: body_start,
            len: body_len,
            crc: body_crc,
            filter: None,
            lanes: Vec::new(),
        });
    } else {
        let nb = ir.u32().ok_or_else(bad)? as usize;
        let mut at = body_start;
        let mut total = 0usize;
        for _ in 0..nb.min(index.len() / 36) {
            let events = ir.u32().ok_or_else(bad)?;
            let min_ts = ir.i64().ok_or_else(bad)?;
            let max_ts = ir.i64().ok_or_else(bad)?;
            let raw_len = ir.u32().ok_or_else(bad)?;
            let len = ir.u32().ok_or_else(bad)? as usize;
            let crc = ir.u32().ok_or_else(bad)?;
            let start = at;
            at += len;
            let flen = ir.u32().ok_or_else(bad)? as usize;
            let filter = Some(
                TokenFilter::decode(ir.bytes(flen).ok_or_else(bad)?)
                    .ok_or_else(|| corrupt(path, "bad block filter"))?,
            );
            let mut block_lanes = Vec::new();
            if version >= 4 {
                let n = ir.u32().ok_or_else(bad)? as usize;
                if !(1..=lanes::MAX_LANES_READ).contains(&n) {
                    return Err(corrupt(path, "bad lane count"));
                }
                for _ in 0..n {
                    let lane = lanes::parse_lane(path, &mut ir, at)?;
                    at += lane.len;
                    block_lanes.push(lane);
                }
            }
            blocks.push(BlockInfo {
                events,
                min_ts,
                max_ts,
                raw_len,
                start,
                len,
                crc,
                filter,
                lanes: block_lanes,
            });
            total += events as usize;
        }
        if blocks.len() != nb || total != events || at != body_start + body_len {
            return Err(corrupt(path, "block table does not match the index"));
        }
    }
    if !ir.is_empty() {
        return Err(corrupt(path, "index longer than its fields"));
    }
    Ok(Layout {
        version,
        min_ts,
        min_seq,
        events,
        streams,
        body_start,
        body_len,
        body_crc,
        blocks,
    })
}

/// Largest body a frame may decompress to (a bound on allocation for a damaged size field).
const MAX_BODY_BYTES: u64 = 1 << 32;

thread_local! {
    /// A decompression context per thread, reused from frame to frame.
    static DCTX: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    /// A buffer per thread for the compressed frame being read.
    static FRAME: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Decompresses a frame in one call into a buffer of its recorded size (no regrowing).
pub(crate) fn decompress_frame(frame: &[u8], raw_len: u32) -> std::io::Result<Vec<u8>> {
    let n = if raw_len > 0 {
        raw_len as usize
    } else {
        match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(n)) if n <= MAX_BODY_BYTES => n as usize,
            _ => return zstd::stream::decode_all(frame),
        }
    };
    DCTX.with(|d| {
        let mut d = d.borrow_mut();
        let dctx = match &mut *d {
            Some(x) => x,
            None => d.insert(zstd::bulk::Decompressor::new()?),
        };
        let mut out = Vec::with_capacity(n);
        dctx.decompress_to_buffer(frame, &mut out)?;
        Ok(out)
    })
}

/// Size of version 1's fixed rows.
const V1_ROW_LEN: usize = 36;

/// Decodes block `b` of a chunk from its bytes (from its first frame's start to at least the end
/// of the last lane of `lanes` in version 4), checking its CRCs, its event count, UTF-8 and the
/// order of its keys. Version 4 decompresses only the lanes of `lanes` (a mask;
/// [`lanes::ALL_LANES`] for all); older versions ignore it.
pub(crate) fn decode_block(
    path: &Path,
    layout: &Layout,
    b: usize,
    frame: &[u8],
    lanes: u64,
) -> Result<RawChunk, LogsError> {
    let info = layout
        .blocks
        .get(b)
        .ok_or_else(|| corrupt(path, "no such block"))?;
    if layout.version >= 4 {
        return lanes::decode_block(path, layout, info, frame, lanes);
    }
    if frame.len() != info.len || crc32c::crc32c(frame) != info.crc {
        return Err(corrupt(path, "body CRC mismatch"));
    }
    let mut raw = decompress_frame(frame, info.raw_len)
        .map_err(|e| corrupt(path, &format!("body does not decompress: {e}")))?;
    if info.raw_len > 0 && raw.len() != info.raw_len as usize {
        return Err(corrupt(path, "block size mismatch"));
    }
    let count = info.events as usize;
    let bad = || corrupt(path, "truncated event");
    let mut rows: Vec<columns::Row> = Vec::with_capacity(count.min(raw.len()));
    let fixed = if layout.version == 1 {
        let fixed = count
            .checked_mul(V1_ROW_LEN)
            .filter(|n| *n <= raw.len())
            .ok_or_else(|| corrupt(path, "event count larger than the body"))?;
        let mut br = Reader::new(&raw[..fixed]);
        while !br.is_empty() {
            rows.push((
                br.u64().ok_or_else(bad)?,
                br.i64().ok_or_else(bad)?,
                br.u64().ok_or_else(bad)?,
                br.i64().ok_or_else(bad)?,
                br.u32().ok_or_else(bad)? as usize,
            ));
        }
        fixed
    } else {
        let mut d = columns::Decoder::new(&raw, &layout.streams, layout.min_ts, layout.min_seq);
        for _ in 0..count {
            rows.push(d.row().ok_or_else(bad)?);
        }
        d.consumed()
    };
    // In place: no second allocation of the text.
    raw.drain(..fixed);
    let c = RawChunk::from_rows(path, rows, raw)?;
    if c.headers.len() != count {
        return Err(corrupt(path, "event count mismatch"));
    }
    if layout.version == 3 && count > 0 {
        let first = c.headers.first().map(|h| h.timestamp);
        let last = c.headers.last().map(|h| h.timestamp);
        if first != Some(info.min_ts) || last != Some(info.max_ts) {
            return Err(corrupt(path, "block time range mismatch"));
        }
    }
    Ok(c)
}

/// Reads the header and index of the chunk file at `path` (`None` if the file is gone).
pub(crate) fn read_layout(path: &Path) -> Result<Option<Layout>, LogsError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut head = vec![0u8; HEADER_LEN];
    f.read_exact(&mut head)
        .map_err(|_| corrupt(path, "short header"))?;
    let index_len = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
    let flen = f.metadata()?.len();
    if (HEADER_LEN + index_len) as u64 > flen {
        return Err(corrupt(path, "short index"));
    }
    head.resize(HEADER_LEN + index_len, 0);
    f.read_exact(&mut head[HEADER_LEN..])
        .map_err(|_| corrupt(path, "short index"))?;
    parse_layout(path, &head).map(Some)
}

/// Reads and decodes block `b` of the chunk file at `path` (`None` if the file is gone); in
/// version 4 only the lanes of the mask `lanes` ([`lanes::ALL_LANES`] for all).
pub(crate) fn read_block(
    path: &Path,
    layout: &Layout,
    b: usize,
    lanes: u64,
) -> Result<Option<RawChunk>, LogsError> {
    let info = layout
        .blocks
        .get(b)
        .ok_or_else(|| corrupt(path, "no such block"))?;
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    f.seek(SeekFrom::Start(info.start as u64))?;
    FRAME.with(|buf| {
        let mut frame = buf.borrow_mut();
        frame.clear();
        frame.resize(info.end_for(lanes) - info.start, 0);
        f.read_exact(&mut frame)
            .map_err(|_| corrupt(path, "short body"))?;
        let c = decode_block(path, layout, b, &frame, lanes);
        if frame.capacity() > 4 * BLOCK_TARGET_BYTES {
            *frame = Vec::new();
        }
        c.map(Some)
    })
}
