//! Raw blocks: every sample of one hour partition. The table (per series: id, count, last
//! ingest, meta, timestamps, count/min/max of weighted and set entries) is zstd-compressed — its
//! rows repeat from series to series — and is followed by the value blob (one pco page per
//! series).
//!
//! ```text
//! table:   uv n_series, per series (ids ascending): uv id delta | uv n | iv last_ingest − partition
//!          | u8 flags (1 = one meta byte for all, 2 = count/min/max present)
//!          | u8 meta or bytes(meta × n) | bytes(timestamps codec of ts − partition)
//!          | [n × (f64 count, f64 min, f64 max)]
//! ```
//! `meta` packs kind (bits 0–1), high resolution (bit 2) and unit index (bits 3–7).

use std::collections::{BTreeMap, HashMap};

use super::{BlockHeader, check_crc, read_compressed, read_header, seal, write_header};
use crate::codec::bytes::{Reader, Writer};
use crate::codec::{timestamps, values};
use crate::error::MetricsError;
use crate::index::SeriesId;
use crate::model::{Entry, Kind};

const FLAG_CONST_META: u8 = 1;
const FLAG_EXTRA: u8 = 2;

/// Encodes a raw block. `series` entries must be sorted by timestamp.
pub fn encode_raw(
    header: &BlockHeader,
    series: &BTreeMap<SeriesId, Vec<Entry>>,
    last_ingest: impl Fn(SeriesId) -> i64,
) -> Result<Vec<u8>, MetricsError> {
    let mut t = Writer::with_capacity(1024 + series.len() * 32);
    t.uvarint(series.len() as u64);
    let mut prev = 0u64;
    let mut pages: Vec<Vec<f64>> = Vec::with_capacity(series.len());
    for (id, entries) in series {
        t.uvarint(u64::from(*id) - prev);
        prev = u64::from(*id);
        t.uvarint(entries.len() as u64);
        t.ivarint(last_ingest(*id).saturating_sub(header.partition));
        let meta0 = entries.first().map_or(0, |e| e.meta);
        let const_meta = entries.iter().all(|e| e.meta == meta0);
        let extra = entries.iter().any(|e| e.kind() != Kind::Single);
        t.u8((u8::from(const_meta) * FLAG_CONST_META) | (u8::from(extra) * FLAG_EXTRA));
        if const_meta {
            t.u8(meta0);
        } else {
            let metas: Vec<u8> = entries.iter().map(|e| e.meta).collect();
            t.bytes(&metas);
        }
        // Relative to the partition start: small numbers, short varints.
        let ts: Vec<i64> = entries.iter().map(|e| e.ts - header.partition).collect();
        let mut tw = Writer::default();
        timestamps::encode(&ts, &mut tw);
        t.bytes(tw.as_slice());
        if extra {
            for e in entries {
                t.f64(e.count);
                t.f64(e.min);
                t.f64(e.max);
            }
        }
        pages.push(entries.iter().map(|e| e.value).collect());
    }
    let mut w = Writer::with_capacity(1024 + series.len() * 64);
    write_header(&mut w, header);
    super::write_compressed(&mut w, t.as_slice(), super::ZSTD_TABLE_LEVEL)?;
    let table = w.len();
    let refs: Vec<&[f64]> = pages.iter().map(Vec::as_slice).collect();
    values::encode(&refs, &mut w)?;
    if std::env::var_os("OW_PROBE").is_some() {
        eprintln!(
            "raw block: table {} bytes ({} uncompressed), values {} bytes",
            table,
            t.len(),
            w.len() - table
        );
    }
    Ok(seal(w))
}

#[derive(Debug, Clone)]
struct RawSlot {
    n: usize,
    flags: u8,
    meta: MetaCol,
    ts: (usize, usize),
    extra: usize,
    page: usize,
    min_ts: i64,
    max_ts: i64,
}

#[derive(Debug, Clone)]
enum MetaCol {
    Const(u8),
    Column(usize),
}

/// A loaded raw block; series decode on demand.
#[derive(Debug)]
pub struct RawBlock {
    pub header: BlockHeader,
    /// The (decompressed) table; slots point into it.
    table: Vec<u8>,
    /// The value blob.
    values: Vec<u8>,
    slots: HashMap<SeriesId, RawSlot>,
    /// Last ingest time of each series, as recorded at sealing.
    pub last_ingest: Vec<(SeriesId, i64)>,
    bytes_len: usize,
}

impl RawBlock {
    pub fn parse(bytes: Vec<u8>) -> Result<RawBlock, MetricsError> {
        let body = check_crc(&bytes)?;
        let mut r = Reader::new(body);
        let (header, version) = read_header(&mut r)?;
        let (table, values) = if version == 1 {
            // Version 1: the table is inline; its end is known once it is parsed.
            let rest = r.take(r.remaining())?;
            let table_len = parse_table(&header, rest)?.table_len;
            (rest[..table_len].to_vec(), rest[table_len..].to_vec())
        } else {
            let table = read_compressed(&mut r)?;
            (table, r.take(r.remaining())?.to_vec())
        };
        let parsed = parse_table(&header, &table)?;
        if parsed.table_len != table.len() {
            return Err(MetricsError::corrupt("metrics block", "table length"));
        }
        // Check the value blob parses now, so queries never meet a bad block.
        values::Pages::parse(&mut Reader::new(&values))?;
        Ok(RawBlock {
            header,
            table,
            values,
            slots: parsed.slots,
            last_ingest: parsed.last_ingest,
            bytes_len: bytes.len(),
        })
    }

    pub fn series(&self) -> impl Iterator<Item = SeriesId> + '_ {
        self.slots.keys().copied()
    }

    /// Size of the block file.
    pub fn bytes_len(&self) -> usize {
        self.bytes_len
    }

    /// Every entry of the block, by series (ascending ids), entries in stored order.
    pub fn all_entries(&self) -> Result<BTreeMap<SeriesId, Vec<Entry>>, MetricsError> {
        self.slots
            .keys()
            .map(|id| Ok((*id, self.entries(*id, i64::MIN, i64::MAX)?)))
            .collect()
    }

    /// Entries of `id` with `start <= ts < end`.
    pub fn entries(&self, id: SeriesId, start: i64, end: i64) -> Result<Vec<Entry>, MetricsError> {
        let Some(s) = self.slots.get(&id) else {
            return Ok(Vec::new());
        };
        if s.max_ts < start || s.min_ts >= end {
            return Ok(Vec::new());
        }
        let base = self.header.partition;
        let ts: Vec<i64> =
            timestamps::decode(&mut Reader::new(&self.table[s.ts.0..s.ts.0 + s.ts.1]))?
                .into_iter()
                .map(|t| t + base)
                .collect();
        let mut r = Reader::new(&self.values);
        let vals = values::Pages::parse(&mut r)?.page(s.page)?;
        if ts.len() != s.n || vals.len() != s.n {
            return Err(MetricsError::corrupt(
                "metrics block",
                "column lengths differ",
            ));
        }
        let metas: Option<&[u8]> = match s.meta {
            MetaCol::Const(_) => None,
            MetaCol::Column(off) => Some(Reader::new(&self.table[off..]).bytes()?),
        };
        let mut out = Vec::new();
        let mut extra = Reader::new(&self.table[s.extra..]);
        for i in 0..s.n {
            let (count, min, max) = if s.flags & FLAG_EXTRA != 0 {
                (extra.f64()?, extra.f64()?, extra.f64()?)
            } else {
                (1.0, vals[i], vals[i])
            };
            if ts[i] < start || ts[i] >= end {
                continue;
            }
            let meta = match (&s.meta, metas) {
                (MetaCol::Const(m), _) => *m,
                (_, Some(m)) => m[i],
                _ => 0,
            };
            out.push(Entry {
                ts: ts[i],
                value: vals[i],
                count,
                min,
                max,
                meta,
            });
        }
        Ok(out)
    }
}

struct ParsedTable {
    slots: HashMap<SeriesId, RawSlot>,
    last_ingest: Vec<(SeriesId, i64)>,
    table_len: usize,
}

/// Parses the table at the start of `table` (offsets are relative to it).
fn parse_table(header: &BlockHeader, table: &[u8]) -> Result<ParsedTable, MetricsError> {
    let mut r = Reader::new(table);
    let at = |r: &Reader<'_>| table.len() - r.remaining();
    let n = r.len_prefix(4)?;
    let mut slots = HashMap::with_capacity(n);
    let mut last_ingest = Vec::with_capacity(n);
    let mut id = 0u64;
    for page in 0..n {
        id += r.uvarint()?;
        let sid = SeriesId::try_from(id)
            .map_err(|_| MetricsError::corrupt("metrics block", "series id"))?;
        // Values compress below a byte each, so bound the count by a limit, not the input.
        let count = usize::try_from(r.uvarint()?)
            .ok()
            .filter(|n| *n <= values::MAX_CHUNK_VALUES * 16)
            .ok_or_else(|| MetricsError::corrupt("metrics block", "entry count"))?;
        last_ingest.push((sid, header.partition.saturating_add(r.ivarint()?)));
        let flags = r.u8()?;
        let meta = if flags & FLAG_CONST_META != 0 {
            MetaCol::Const(r.u8()?)
        } else {
            let off = at(&r);
            let b = r.bytes()?;
            if b.len() != count {
                return Err(MetricsError::corrupt("metrics block", "meta column"));
            }
            MetaCol::Column(off)
        };
        let ts_bytes = r.bytes()?;
        let ts_off = at(&r) - ts_bytes.len();
        let ts = timestamps::decode(&mut Reader::new(ts_bytes))?;
        let base = header.partition;
        let extra = at(&r);
        if flags & FLAG_EXTRA != 0 {
            r.take(count * 24)?;
        }
        slots.insert(
            sid,
            RawSlot {
                n: count,
                flags,
                meta,
                ts: (ts_off, ts_bytes.len()),
                extra,
                page,
                min_ts: ts.iter().copied().min().map_or(i64::MAX, |t| t + base),
                max_ts: ts.iter().copied().max().map_or(i64::MIN, |t| t + base),
            },
        );
    }
    Ok(ParsedTable {
        slots,
        last_ingest,
        table_len: at(&r),
    })
}
