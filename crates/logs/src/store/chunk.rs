//! Chunk files: a log group's events, sorted by (timestamp, sequence), zstd-compressed, behind a
//! small index (streams, time range, sequence range) that lets reads skip what cannot match.
//! The byte layout is specified in `docs/format/logs.md`.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::columns;
use super::event::{EventKey, StoredEvent};
use super::token_filter::{FilterBuilder, TokenFilter};
use crate::error::LogsError;

pub(crate) mod blocks;
#[cfg(test)]
mod blocks_tests;
pub(crate) mod lanes;
#[cfg(test)]
mod lanes_store_tests;
#[cfg(test)]
mod lanes_tests;

pub(crate) const CHUNK_MAGIC: &[u8; 4] = b"OWLC";
/// The version written (blocks split into lanes by template, `lanes.rs`); versions 1 (fixed
/// 36-byte rows), 2 (varint rows, one frame) and 3 (blocks, `blocks.rs`) are still read.
pub(crate) const CHUNK_VERSION: u32 = 4;
pub(crate) const HEADER_LEN: usize = 24;
/// zstd level of chunk bodies (3 is zstd's default: ~4-6x on logs at well over 100 MB/s).
pub const CHUNK_ZSTD_LEVEL: i32 = 3;

/// The index of one chunk, kept in the catalog (so reads choose chunks without opening files) and
/// repeated in the file's header (so a file describes itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMeta {
    pub id: u64,
    pub min_ts: i64,
    pub max_ts: i64,
    pub min_seq: u64,
    pub max_seq: u64,
    pub events: u32,
    /// Uncompressed body bytes.
    pub raw_bytes: u64,
    /// Bytes of the file.
    pub file_bytes: u64,
    /// The streams with events in the chunk, sorted.
    pub streams: Vec<u64>,
    /// The trigram filter of the chunk's messages (catalog only; absent for chunks written before
    /// filters existed, which are never skipped).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::token_filter::serde_filter"
    )]
    pub filter: Option<Arc<TokenFilter>>,
}

impl ChunkMeta {
    pub(crate) fn may_hold(&self, stream: Option<&[u64]>, start: i64, end: i64) -> bool {
        if self.max_ts < start || self.min_ts > end {
            return false;
        }
        match stream {
            None => true,
            Some(ids) => ids.iter().any(|id| self.streams.binary_search(id).is_ok()),
        }
    }
}

fn encode_index(m: &ChunkMeta) -> Vec<u8> {
    let mut out = Vec::with_capacity(44 + 8 * m.streams.len());
    out.extend_from_slice(&m.min_ts.to_le_bytes());
    out.extend_from_slice(&m.max_ts.to_le_bytes());
    out.extend_from_slice(&m.min_seq.to_le_bytes());
    out.extend_from_slice(&m.max_seq.to_le_bytes());
    out.extend_from_slice(&m.events.to_le_bytes());
    out.extend_from_slice(&(m.streams.len() as u32).to_le_bytes());
    for s in &m.streams {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Encodes a chunk from events sorted by key. Returns the file bytes and the chunk's index.
pub(crate) fn encode(id: u64, events: &[StoredEvent]) -> Result<(Vec<u8>, ChunkMeta), LogsError> {
    encode_version(id, events, CHUNK_VERSION)
}

/// Encodes a chunk in format `version` (1: fixed 36-byte rows; 2: varint delta rows; 3: blocks;
/// 4: blocks of lanes).
pub(crate) fn encode_version(
    id: u64,
    events: &[StoredEvent],
    version: u32,
) -> Result<(Vec<u8>, ChunkMeta), LogsError> {
    debug_assert!(!events.is_empty(), "empty chunk");
    debug_assert!(
        events.windows(2).all(|w| w[0].key() < w[1].key()),
        "unsorted chunk"
    );
    let text_bytes: usize = events.iter().map(|e| e.message.len()).sum();
    let mut streams: Vec<u64> = events.iter().map(|e| e.stream).collect();
    streams.sort_unstable();
    streams.dedup();
    let min_ts = events.iter().map(|e| e.timestamp).min().unwrap_or(0);
    let min_seq = events.iter().map(|e| e.seq).min().unwrap_or(0);
    let mut filter = FilterBuilder::new();
    let (table, body, raw_bytes) = if version >= 3 {
        blocks::encode(events, &streams, min_ts, min_seq, &mut filter, version)?
    } else {
        let mut raw = Vec::with_capacity(text_bytes + 8 * events.len());
        // Columns compress better than rows: every event's fixed fields first, then every message.
        if version == 1 {
            for e in events {
                raw.extend_from_slice(&e.stream.to_le_bytes());
                raw.extend_from_slice(&e.timestamp.to_le_bytes());
                raw.extend_from_slice(&e.seq.to_le_bytes());
                raw.extend_from_slice(&e.ingestion_time.to_le_bytes());
                raw.extend_from_slice(&(e.message.len() as u32).to_le_bytes());
            }
        } else {
            columns::encode(&mut raw, events, &streams, min_ts, min_seq);
        }
        for e in events {
            raw.extend_from_slice(e.message.as_bytes());
            filter.add(&e.message);
        }
        let body = zstd::bulk::compress(&raw, CHUNK_ZSTD_LEVEL)?;
        (Vec::new(), body, raw.len() as u64)
    };
    let mut meta = ChunkMeta {
        id,
        min_ts,
        max_ts: events.iter().map(|e| e.timestamp).max().unwrap_or(0),
        min_seq,
        max_seq: events.iter().map(|e| e.seq).max().unwrap_or(0),
        events: events.len() as u32,
        raw_bytes,
        file_bytes: 0,
        streams,
        filter: Some(Arc::new(filter.finish())),
    };
    let mut index = encode_index(&meta);
    index.extend_from_slice(&table);
    let mut file = Vec::with_capacity(HEADER_LEN + index.len() + body.len());
    file.extend_from_slice(CHUNK_MAGIC);
    file.extend_from_slice(&version.to_le_bytes());
    file.extend_from_slice(&(index.len() as u32).to_le_bytes());
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&crc32c::crc32c(&index).to_le_bytes());
    file.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    file.extend_from_slice(&index);
    file.extend_from_slice(&body);
    meta.file_bytes = file.len() as u64;
    Ok((file, meta))
}

pub(crate) fn corrupt(path: &Path, why: &str) -> LogsError {
    LogsError::internal(format!("chunk {} is corrupt: {why}", path.display()))
}

/// One event of a decompressed chunk: its fixed fields and where its message lies in the chunk's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventHeader {
    pub stream: u64,
    pub timestamp: i64,
    pub seq: u64,
    pub ingestion_time: i64,
    start: u32,
    end: u32,
}

impl EventHeader {
    pub(crate) fn key(&self) -> EventKey {
        EventKey {
            timestamp: self.timestamp,
            seq: self.seq,
        }
    }

    /// Where the message lies in the chunk's text: `(start, end)` byte offsets.
    pub(crate) fn span(&self) -> (usize, usize) {
        (self.start as usize, self.end as usize)
    }
}

/// A decompressed, validated chunk: event headers in key order and all messages in one string, so
/// scans match messages in place and allocate only for the events they return.
#[derive(Debug)]
pub(crate) struct RawChunk {
    pub headers: Vec<EventHeader>,
    text: String,
    /// Events of a version 4 block whose lanes were not decompressed (none could match the
    /// read): `(timestamp, message length)` in key order, so scans can still count them.
    pub elided: Vec<(i64, u32)>,
}

impl RawChunk {
    pub(crate) fn message(&self, h: &EventHeader) -> &str {
        self.text
            .get(h.start as usize..h.end as usize)
            .unwrap_or_default()
    }

    pub(crate) fn event(&self, h: &EventHeader) -> StoredEvent {
        StoredEvent {
            stream: h.stream,
            timestamp: h.timestamp,
            seq: h.seq,
            ingestion_time: h.ingestion_time,
            message: self.message(h).to_owned(),
        }
    }

    /// Every message back to back, in event order.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Memory held, for the cache's budget.
    pub(crate) fn bytes(&self) -> usize {
        self.text.len()
            + self.headers.len() * std::mem::size_of::<EventHeader>()
            + self.elided.len() * std::mem::size_of::<(i64, u32)>()
    }
}

impl RawChunk {
    /// Builds a decoded chunk (or block) from its rows and its messages' bytes, checking that the
    /// lengths fill the text exactly on character boundaries and that keys strictly increase.
    pub(crate) fn from_rows(
        path: &Path,
        rows: Vec<columns::Row>,
        text: Vec<u8>,
    ) -> Result<RawChunk, LogsError> {
        let text = String::from_utf8(text).map_err(|_| corrupt(path, "messages are not UTF-8"))?;
        let mut headers = Vec::with_capacity(rows.len());
        let mut start = 0usize;
        for (stream, timestamp, seq, ingestion_time, len) in rows {
            let end = start
                .checked_add(len)
                .filter(|e| {
                    *e <= text.len() && text.is_char_boundary(*e) && *e <= u32::MAX as usize
                })
                .ok_or_else(|| corrupt(path, "message lengths do not fit the text"))?;
            headers.push(EventHeader {
                stream,
                timestamp,
                seq,
                ingestion_time,
                start: start as u32,
                end: end as u32,
            });
            start = end;
        }
        if start != text.len() {
            return Err(corrupt(path, "text longer than its messages"));
        }
        if headers.windows(2).any(|w| w[0].key() >= w[1].key()) {
            return Err(corrupt(path, "events out of order"));
        }
        Ok(RawChunk {
            headers,
            text,
            elided: Vec::new(),
        })
    }

    /// The blocks of one chunk, in order, as one decoded chunk (keys must still increase across
    /// blocks).
    fn concat(path: &Path, parts: Vec<RawChunk>) -> Result<RawChunk, LogsError> {
        if parts.len() == 1 {
            return parts
                .into_iter()
                .next()
                .ok_or_else(|| corrupt(path, "empty"));
        }
        let text_len: usize = parts.iter().map(|p| p.text.len()).sum();
        if text_len > u32::MAX as usize {
            return Err(corrupt(path, "text too long"));
        }
        let mut text = String::with_capacity(text_len);
        let mut headers = Vec::with_capacity(parts.iter().map(|p| p.headers.len()).sum());
        for p in parts {
            if let (Some(last), Some(first)) = (headers.last(), p.headers.first())
                && EventHeader::key(last) >= first.key()
            {
                return Err(corrupt(path, "events out of order"));
            }
            let base = text.len() as u32;
            headers.extend(p.headers.iter().map(|h| EventHeader {
                start: h.start + base,
                end: h.end + base,
                ..*h
            }));
            text.push_str(&p.text);
        }
        Ok(RawChunk {
            headers,
            text,
            elided: Vec::new(),
        })
    }
}

/// Decompresses a whole chunk file (checking magic, version, both CRCs, the event counts, UTF-8
/// and key order), every block of it.
pub(crate) fn decompress(path: &Path, file: &[u8]) -> Result<RawChunk, LogsError> {
    let layout = blocks::parse_layout(path, file)?;
    let body = file
        .get(layout.body_start..layout.body_start + layout.body_len)
        .ok_or_else(|| corrupt(path, "short body"))?;
    if crc32c::crc32c(body) != layout.body_crc {
        return Err(corrupt(path, "body CRC mismatch"));
    }
    if file.len() != layout.body_start + layout.body_len {
        return Err(corrupt(path, "trailing bytes"));
    }
    let mut parts = Vec::with_capacity(layout.blocks.len());
    for (b, info) in layout.blocks.iter().enumerate() {
        let frame = file
            .get(info.start..info.end_for(lanes::ALL_LANES))
            .ok_or_else(|| corrupt(path, "short body"))?;
        parts.push(blocks::decode_block(
            path,
            &layout,
            b,
            frame,
            lanes::ALL_LANES,
        )?);
    }
    let c = RawChunk::concat(path, parts)?;
    if c.headers.len() != layout.events {
        return Err(corrupt(path, "event count mismatch"));
    }
    Ok(c)
}

/// Decodes a chunk file's events.
#[cfg(test)]
pub(crate) fn decode(path: &Path, file: &[u8]) -> Result<Vec<StoredEvent>, LogsError> {
    let c = decompress(path, file)?;
    Ok(c.headers.iter().map(|h| c.event(h)).collect())
}

/// Writes a chunk file durably: to a temporary name, fsync, rename, fsync the directory.
pub(crate) fn write_file(dir: &Path, id: u64, bytes: &[u8]) -> Result<(), LogsError> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{id:016x}.tmp"));
    let path = dir.join(file_name(id));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, &path)?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// The file name of chunk `id`.
pub(crate) fn file_name(id: u64) -> String {
    format!("{id:016x}.chunk")
}

/// Reads and decompresses chunk `id` in `dir`. A missing file (removed by retention or a group's
/// deletion meanwhile) reads as `None`.
pub(crate) fn read(dir: &Path, id: u64) -> Result<Option<RawChunk>, LogsError> {
    let path = dir.join(file_name(id));
    match fs::read(&path) {
        Ok(bytes) => decompress(&path, &bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(stream: u64, ts: i64, seq: u64, msg: &str) -> StoredEvent {
        StoredEvent {
            stream,
            timestamp: ts,
            seq,
            ingestion_time: 99,
            message: msg.into(),
        }
    }

    #[test]
    fn round_trip_and_index() -> Result<(), LogsError> {
        let events = vec![ev(3, 10, 1, "a"), ev(1, 10, 2, "bé"), ev(3, 20, 3, "")];
        let (bytes, meta) = encode(5, &events)?;
        assert_eq!(meta.streams, vec![1, 3]);
        assert_eq!(
            (meta.min_ts, meta.max_ts, meta.min_seq, meta.max_seq),
            (10, 20, 1, 3)
        );
        assert_eq!(meta.file_bytes as usize, bytes.len());
        assert_eq!(decode(Path::new("x"), &bytes)?, events);
        assert!(meta.may_hold(Some(&[1]), 0, 10));
        assert!(!meta.may_hold(Some(&[2]), 0, 100));
        assert!(!meta.may_hold(None, 21, 100));
        Ok(())
    }

    #[test]
    fn version_1_chunks_are_still_read() -> Result<(), LogsError> {
        let events = vec![ev(3, 10, 1, "a"), ev(1, 10, 2, "bé"), ev(3, 20, 3, "")];
        let (v1, m1) = encode_version(5, &events, 1)?;
        let (v2, m2) = encode_version(5, &events, 2)?;
        assert_eq!(&v1[4..8], &1u32.to_le_bytes());
        assert_eq!(&v2[4..8], &2u32.to_le_bytes());
        assert_eq!(decode(Path::new("x"), &v1)?, events);
        assert_eq!(decode(Path::new("x"), &v2)?, events);
        assert!(v2.len() < v1.len());
        assert_eq!((m1.streams, m1.min_ts), (m2.streams, m2.min_ts));
        let mut v3 = v2.clone();
        v3[4] = 4;
        assert!(decode(Path::new("x"), &v3).is_err());
        Ok(())
    }

    #[test]
    fn damage_is_detected_not_panicked_on() -> Result<(), LogsError> {
        let (bytes, _) = encode(1, &[ev(1, 1, 1, "hello world")])?;
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(
                decode(Path::new("x"), &b).is_err(),
                "flip at {i} undetected"
            );
        }
        for cut in 0..bytes.len() {
            assert!(decode(Path::new("x"), &bytes[..cut]).is_err());
        }
        Ok(())
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Arbitrary bytes, and damaged real chunks, decode to an error or to events, never a panic.
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decompress(Path::new("x"), &bytes);
        }

        #[test]
        fn round_trips_any_events(msgs in proptest::collection::vec(".{0,40}", 1..40), start in 0i64..1_000_000) {
            let events: Vec<StoredEvent> = msgs
                .iter()
                .enumerate()
                .map(|(i, m)| StoredEvent {
                    stream: (i % 3) as u64,
                    timestamp: start + (i / 2) as i64,
                    seq: i as u64 + 1,
                    ingestion_time: 7,
                    message: m.clone(),
                })
                .collect();
            let (bytes, meta) = encode(1, &events).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(meta.events as usize, events.len());
            let back = decode(Path::new("x"), &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, events);
        }
    }
}
