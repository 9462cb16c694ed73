//! Rollup blocks: per series and bucket (1 min, 5 min or 1 h) count, sum, min, max and a
//! quantile sketch. The body is zstd-compressed.
//!
//! ```text
//! body:    uv n_series, per series (ids ascending): uv id delta | iv last_ingest − partition
//!          | uv n_buckets | per bucket: iv ts − partition | u8 unit
//!          | u8 flags (1 = no percentiles, 2 = sketch follows) | f64 count, sum, min, max
//!          | [sketch]
//! ```

use std::collections::{BTreeMap, HashMap};

use super::{BlockHeader, Level, check_crc, read_compressed, read_header, seal, write_header};
use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;
use crate::index::SeriesId;
use crate::model::Entry;
use crate::sketch::Sketch;
use crate::stats::Agg;
use crate::unit::Unit;

const BUCKET_NO_PCT: u8 = 1;
const BUCKET_SKETCH: u8 = 2;

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

/// Merges the buckets of one series from several blocks (in generation order): buckets of the
/// same time and unit combine as a query would combine them.
pub fn merge_buckets<'a>(lists: impl IntoIterator<Item = &'a [Bucket]>) -> Vec<Bucket> {
    let mut map: BTreeMap<(i64, Unit), Agg> = BTreeMap::new();
    for list in lists {
        for b in list {
            map.entry((b.ts, b.unit)).or_default().merge(&b.agg);
        }
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
    let mut b = Writer::with_capacity(1024 + series.len() * 64);
    b.uvarint(series.len() as u64);
    let mut prev = 0u64;
    for (id, buckets) in series {
        b.uvarint(u64::from(*id) - prev);
        prev = u64::from(*id);
        b.ivarint(last_ingest(*id).saturating_sub(header.partition));
        b.uvarint(buckets.len() as u64);
        for bk in buckets {
            b.ivarint(bk.ts - header.partition);
            b.u8(bk.unit.index());
            let sketch = bk.agg.sketch.as_ref().filter(|s| !s.is_empty());
            b.u8((u8::from(bk.agg.no_percentiles) * BUCKET_NO_PCT)
                | (u8::from(sketch.is_some()) * BUCKET_SKETCH));
            b.f64(bk.agg.count);
            b.f64(bk.agg.sum);
            b.f64(bk.agg.min);
            b.f64(bk.agg.max);
            if let Some(s) = sketch {
                s.encode(&mut b);
            }
        }
    }
    let mut w = Writer::with_capacity(64 + b.len() / 2);
    write_header(&mut w, header);
    super::write_compressed(&mut w, b.as_slice(), super::ZSTD_ROLLUP_LEVEL)?;
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
        let mut r = Reader::new(check_crc(bytes)?);
        let (header, version) = read_header(&mut r)?;
        let body;
        let mut r = if version == 1 {
            r
        } else {
            body = read_compressed(&mut r)?;
            if !r.is_done() {
                return Err(MetricsError::corrupt("metrics block", "trailing bytes"));
            }
            Reader::new(&body)
        };
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
