//! Sealed blocks: immutable files `blocks/<level>/<partition>-<generation>.blk`, one per (level,
//! hour partition, generation). Raw blocks keep every sample (delta-of-delta timestamps, pco
//! values); rollup blocks keep per-bucket count/sum/min/max and a quantile sketch at 1 min, 5 min
//! or 1 h. Written to a temp file, fsynced, renamed, directory fsynced; never modified.
//!
//! Format (little-endian; `uv` = LEB128 varint, `iv` = zigzag varint, `bytes` = `uv len` + data):
//! ```text
//! header:  "OWMBLK01" | u8 level (0 raw, 1 1m, 2 5m, 3 1h) | i64 partition start ms
//!          | u64 sealed_upto.segment | u64 sealed_upto.offset | uv n_series
//! raw:     per series (ids ascending): uv id delta | uv n | iv last_ingest − partition
//!          | u8 flags (1 = one meta byte for all, 2 = count/min/max present)
//!          | u8 meta or bytes(meta × n) | bytes(timestamps codec of ts − partition)
//!          | [n × (f64 count, f64 min, f64 max)]
//!          then the value blob of `codec::values` (one pco page per series, series order)
//! rollup:  per series: uv id delta | iv last_ingest − partition | uv n_buckets
//!          | per bucket: iv ts − partition | u8 unit
//!          | u8 flags (1 = no percentiles, 2 = sketch follows) | f64 count, sum, min, max
//!          | [sketch]
//! trailer: u32 crc32c of everything before
//! ```
//! `meta` packs kind (bits 0–1), high resolution (bit 2) and unit index (bits 3–7).

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use openwatch_storage::Position;

use crate::codec::bytes::{Reader, Writer};
use crate::codec::{timestamps, values};
use crate::error::MetricsError;
use crate::index::SeriesId;
use crate::model::{Entry, Kind};
use crate::sketch::Sketch;
use crate::stats::Agg;
use crate::unit::Unit;

const MAGIC: &[u8; 8] = b"OWMBLK01";
const FLAG_CONST_META: u8 = 1;
const FLAG_EXTRA: u8 = 2;
const BUCKET_NO_PCT: u8 = 1;
const BUCKET_SKETCH: u8 = 2;

/// A resolution data is kept at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Raw = 0,
    M1 = 1,
    M5 = 2,
    H1 = 3,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Raw, Level::M1, Level::M5, Level::H1];
    pub const ROLLUPS: [Level; 3] = [Level::M1, Level::M5, Level::H1];

    /// Bucket length (raw data has none: 1 s is its finest).
    pub fn bucket_millis(self) -> i64 {
        match self {
            Level::Raw => 1_000,
            Level::M1 => 60_000,
            Level::M5 => 300_000,
            Level::H1 => 3_600_000,
        }
    }

    /// How long CloudWatch keeps data at this resolution: sub-minute 3 h, 1-minute 15 days,
    /// 5-minute 63 days, 1-hour 455 days.
    pub fn retention_millis(self) -> i64 {
        const H: i64 = 3_600_000;
        match self {
            Level::Raw => 3 * H,
            Level::M1 => 15 * 24 * H,
            Level::M5 => 63 * 24 * H,
            Level::H1 => 455 * 24 * H,
        }
    }

    pub fn dir_name(self) -> &'static str {
        match self {
            Level::Raw => "raw",
            Level::M1 => "1m",
            Level::M5 => "5m",
            Level::H1 => "1h",
        }
    }

    fn from_u8(b: u8) -> Option<Level> {
        Level::ALL.get(b as usize).copied()
    }
}

/// What every block header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    pub level: Level,
    pub partition: i64,
    /// Every WAL record up to here with samples in this partition is in this block or an older
    /// generation of it.
    pub sealed_upto: Position,
}

fn write_header(w: &mut Writer, h: &BlockHeader) {
    w.raw(MAGIC);
    w.u8(h.level as u8);
    w.i64(h.partition);
    w.u64(h.sealed_upto.segment);
    w.u64(h.sealed_upto.offset);
}

fn read_header(r: &mut Reader<'_>) -> Result<BlockHeader, MetricsError> {
    if r.take(8)? != MAGIC {
        return Err(MetricsError::corrupt("metrics block", "bad magic"));
    }
    let level = Level::from_u8(r.u8()?)
        .ok_or_else(|| MetricsError::corrupt("metrics block", "unknown level"))?;
    Ok(BlockHeader {
        level,
        partition: r.i64()?,
        sealed_upto: Position {
            segment: r.u64()?,
            offset: r.u64()?,
        },
    })
}

fn seal(mut w: Writer) -> Vec<u8> {
    let crc = crc32c::crc32c(w.as_slice());
    w.u32(crc);
    w.into_inner()
}

fn check_crc(bytes: &[u8]) -> Result<&[u8], MetricsError> {
    if bytes.len() < 4 {
        return Err(MetricsError::corrupt("metrics block", "too short"));
    }
    let (body, tail) = bytes.split_at(bytes.len() - 4);
    let mut t = [0u8; 4];
    t.copy_from_slice(tail);
    if crc32c::crc32c(body) != u32::from_le_bytes(t) {
        return Err(MetricsError::corrupt("metrics block", "checksum mismatch"));
    }
    Ok(body)
}

/// Encodes a raw block. `series` entries must be sorted by timestamp.
pub fn encode_raw(
    header: &BlockHeader,
    series: &BTreeMap<SeriesId, Vec<Entry>>,
    last_ingest: impl Fn(SeriesId) -> i64,
) -> Result<Vec<u8>, MetricsError> {
    let mut w = Writer::with_capacity(1024 + series.len() * 64);
    write_header(&mut w, header);
    w.uvarint(series.len() as u64);
    let mut prev = 0u64;
    let mut pages: Vec<Vec<f64>> = Vec::with_capacity(series.len());
    for (id, entries) in series {
        w.uvarint(u64::from(*id) - prev);
        prev = u64::from(*id);
        w.uvarint(entries.len() as u64);
        w.ivarint(last_ingest(*id).saturating_sub(header.partition));
        let meta0 = entries.first().map_or(0, |e| e.meta);
        let const_meta = entries.iter().all(|e| e.meta == meta0);
        let extra = entries.iter().any(|e| e.kind() != Kind::Single);
        w.u8((u8::from(const_meta) * FLAG_CONST_META) | (u8::from(extra) * FLAG_EXTRA));
        if const_meta {
            w.u8(meta0);
        } else {
            let metas: Vec<u8> = entries.iter().map(|e| e.meta).collect();
            w.bytes(&metas);
        }
        // Relative to the partition start: small numbers, short varints.
        let ts: Vec<i64> = entries.iter().map(|e| e.ts - header.partition).collect();
        let mut tw = Writer::default();
        timestamps::encode(&ts, &mut tw);
        w.bytes(tw.as_slice());
        if extra {
            for e in entries {
                w.f64(e.count);
                w.f64(e.min);
                w.f64(e.max);
            }
        }
        pages.push(entries.iter().map(|e| e.value).collect());
    }
    let refs: Vec<&[f64]> = pages.iter().map(Vec::as_slice).collect();
    let table = w.len();
    values::encode(&refs, &mut w)?;
    if std::env::var_os("OW_PROBE").is_some() {
        eprintln!(
            "raw block: table {table} bytes, values {} bytes",
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
    bytes: Vec<u8>,
    slots: HashMap<SeriesId, RawSlot>,
    /// Last ingest time of each series, as recorded at sealing.
    pub last_ingest: Vec<(SeriesId, i64)>,
    values_at: usize,
}

impl RawBlock {
    pub fn parse(bytes: Vec<u8>) -> Result<RawBlock, MetricsError> {
        let body_len = check_crc(&bytes)?.len();
        let mut r = Reader::new(&bytes[..body_len]);
        let header = read_header(&mut r)?;
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
                let off = body_len - r.remaining();
                let b = r.bytes()?;
                if b.len() != count {
                    return Err(MetricsError::corrupt("metrics block", "meta column"));
                }
                MetaCol::Column(off)
            };
            let ts_bytes = r.bytes()?;
            let ts_off = body_len - r.remaining() - ts_bytes.len();
            let ts = timestamps::decode(&mut Reader::new(ts_bytes))?;
            let base = header.partition;
            let extra = body_len - r.remaining();
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
        let values_at = body_len - r.remaining();
        // Check the value blob parses now, so queries never meet a bad block.
        values::Pages::parse(&mut r)?;
        Ok(RawBlock {
            header,
            bytes,
            slots,
            last_ingest,
            values_at,
        })
    }

    pub fn series(&self) -> impl Iterator<Item = SeriesId> + '_ {
        self.slots.keys().copied()
    }

    pub fn bytes_len(&self) -> usize {
        self.bytes.len()
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
            timestamps::decode(&mut Reader::new(&self.bytes[s.ts.0..s.ts.0 + s.ts.1]))?
                .into_iter()
                .map(|t| t + base)
                .collect();
        let mut r = Reader::new(&self.bytes[self.values_at..]);
        let vals = values::Pages::parse(&mut r)?.page(s.page)?;
        if ts.len() != s.n || vals.len() != s.n {
            return Err(MetricsError::corrupt(
                "metrics block",
                "column lengths differ",
            ));
        }
        let metas: Option<&[u8]> = match s.meta {
            MetaCol::Const(_) => None,
            MetaCol::Column(off) => Some(Reader::new(&self.bytes[off..]).bytes()?),
        };
        let mut out = Vec::new();
        let mut extra = Reader::new(&self.bytes[s.extra..]);
        for i in 0..s.n {
            let (count, min, max) = if s.flags & FLAG_EXTRA != 0 {
                (extra.f64()?, extra.f64()?, extra.f64()?)
            } else {
                (1.0, vals[i], vals[i])
            };
            if ts[i] < start || ts[i] >= end {
                continue;
            }
            let meta = match (s.meta.clone(), metas) {
                (MetaCol::Const(m), _) => m,
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

/// One rollup bucket of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub ts: i64,
    pub unit: Unit,
    pub agg: Agg,
}

/// Builds the buckets of `level` from a series' raw entries.
pub fn rollup(entries: &[Entry], level: Level) -> Vec<Bucket> {
    let step = level.bucket_millis();
    let mut map: BTreeMap<(i64, Unit), Agg> = BTreeMap::new();
    for e in entries {
        map.entry((e.ts.div_euclid(step) * step, e.unit()))
            .or_default()
            .add_entry(e, true);
    }
    map.into_iter()
        .map(|((ts, unit), agg)| Bucket {
            ts,
            unit,
            agg: agg.into_rollup(),
        })
        .collect()
}

pub fn encode_rollup(
    header: &BlockHeader,
    series: &BTreeMap<SeriesId, Vec<Bucket>>,
    last_ingest: impl Fn(SeriesId) -> i64,
) -> Result<Vec<u8>, MetricsError> {
    let mut w = Writer::with_capacity(1024 + series.len() * 64);
    write_header(&mut w, header);
    w.uvarint(series.len() as u64);
    let mut prev = 0u64;
    for (id, buckets) in series {
        w.uvarint(u64::from(*id) - prev);
        prev = u64::from(*id);
        w.ivarint(last_ingest(*id).saturating_sub(header.partition));
        w.uvarint(buckets.len() as u64);
        for b in buckets {
            w.ivarint(b.ts - header.partition);
            w.u8(b.unit.index());
            let sketch = b.agg.sketch.as_ref().filter(|s| !s.is_empty());
            w.u8((u8::from(b.agg.no_percentiles) * BUCKET_NO_PCT)
                | (u8::from(sketch.is_some()) * BUCKET_SKETCH));
            w.f64(b.agg.count);
            w.f64(b.agg.sum);
            w.f64(b.agg.min);
            w.f64(b.agg.max);
            if let Some(s) = sketch {
                s.encode(&mut w);
            }
        }
    }
    Ok(seal(w))
}

/// A loaded rollup block (decoded eagerly: rollups are small).
#[derive(Debug)]
pub struct RollupBlock {
    pub header: BlockHeader,
    pub series: HashMap<SeriesId, Vec<Bucket>>,
    /// Last ingest time of each series, as recorded at sealing.
    pub last_ingest: Vec<(SeriesId, i64)>,
    pub bytes_len: usize,
}

impl RollupBlock {
    pub fn parse(bytes: &[u8]) -> Result<RollupBlock, MetricsError> {
        let body = check_crc(bytes)?;
        let mut r = Reader::new(body);
        let header = read_header(&mut r)?;
        let n = r.len_prefix(2)?;
        let mut series = HashMap::with_capacity(n);
        let mut last_ingest = Vec::with_capacity(n);
        let mut id = 0u64;
        for _ in 0..n {
            id += r.uvarint()?;
            let sid = SeriesId::try_from(id)
                .map_err(|_| MetricsError::corrupt("metrics block", "series id"))?;
            last_ingest.push((sid, header.partition.saturating_add(r.ivarint()?)));
            let nb = r.len_prefix(34)?;
            let mut buckets = Vec::with_capacity(nb);
            for _ in 0..nb {
                let ts = header.partition + r.ivarint()?;
                let unit = Unit::from_index(r.u8()?)
                    .ok_or_else(|| MetricsError::corrupt("metrics block", "unit"))?;
                let flags = r.u8()?;
                let mut agg = Agg {
                    count: r.f64()?,
                    sum: r.f64()?,
                    min: r.f64()?,
                    max: r.f64()?,
                    no_percentiles: flags & BUCKET_NO_PCT != 0,
                    ..Agg::default()
                };
                if flags & BUCKET_SKETCH != 0 {
                    agg.sketch = Some(Sketch::decode(&mut r)?);
                }
                buckets.push(Bucket { ts, unit, agg });
            }
            series.insert(sid, buckets);
        }
        Ok(RollupBlock {
            header,
            series,
            last_ingest,
            bytes_len: bytes.len(),
        })
    }
}

/// The file name of a block.
pub fn file_name(partition: i64, generation: u64) -> String {
    format!("{partition:015}-{generation:08}.blk")
}

/// Parses a block file name into (partition, generation).
pub fn parse_file_name(name: &str) -> Option<(i64, u64)> {
    let stem = name.strip_suffix(".blk")?;
    let (p, g) = stem.split_once('-')?;
    Some((p.parse().ok()?, g.parse().ok()?))
}

/// Writes `bytes` to `dir/name` atomically and durably (temp file, fsync, rename, fsync dir).
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, MetricsError> {
    fs::create_dir_all(dir).map_err(|e| MetricsError::io("create block directory", dir, e))?;
    let tmp = dir.join(format!("{name}.tmp"));
    let path = dir.join(name);
    let mut f = File::create(&tmp).map_err(|e| MetricsError::io("create block", &tmp, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| MetricsError::io("write block", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| MetricsError::io("rename block", &path, e))?;
    sync_dir(dir)?;
    Ok(path)
}

pub fn sync_dir(dir: &Path) -> Result<(), MetricsError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| MetricsError::io("fsync directory", dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
