//! The WAL record of one accepted PutMetricData batch. Format in `docs/format/metrics.md`.
//!
//! Version 2 (written): `u8 2`, `i64 ingest_millis`, `str account`, `str region`,
//! `str namespace`, `uvarint n_datums`, per datum `uvarint series` (0: the key follows as
//! `str metric_name`, `uvarint n_dims`, `(str name, str value)*` sorted by name; k > 0: the
//! series with id k − 1, which exists before this record), `uvarint n_entries`, per entry
//! `ivarint ts − previous ts` (the first datum's first entry against `ingest_millis`), `u8 meta`,
//! `f64 value` and, unless the entry is a single value, `f64 count`, `f64 min`, `f64 max`.
//!
//! A datum names its series by key only when validation found no id for it (the series is new,
//! or another writer is creating it at the same moment); replay creates series in record order,
//! as the live path did, so ids come out the same. Version 1 (read only) carried the key of every
//! datum and absolute timestamps.

use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;
use crate::index::SeriesId;
use crate::model::{Dimension, Entry, Kind};
use crate::validate::{Target, ValidDatum};

const VERSION: u8 = 2;
const VERSION_KEYS: u8 = 1;

/// A batch as replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub ingest: i64,
    pub account: String,
    pub region: String,
    pub namespace: String,
    pub data: Vec<OwnedDatum>,
}

/// How a logged datum names its series.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesRef {
    /// A series that existed before the record.
    Id(SeriesId),
    /// The key (dimensions sorted by name): the series is found or created at replay.
    Key {
        metric_name: String,
        dimensions: Vec<Dimension>,
    },
}

/// A datum decoded from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDatum {
    pub series: SeriesRef,
    pub entries: Vec<Entry>,
}

/// Largest record buffer a thread keeps for its next record.
const KEEP_BUFFER_BYTES: usize = 1 << 20;

thread_local! {
    /// This thread's spare record buffer: allocating a batch's buffer afresh for every put
    /// costs page faults once the allocator returns it to the system.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An encoded record; its buffer goes back to the thread's spare slot when dropped.
pub struct Record(Vec<u8>);

impl std::ops::Deref for Record {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.0);
        if buf.capacity() <= KEEP_BUFFER_BYTES {
            SPARE.with(|s| s.set(buf));
        }
    }
}

/// Largest encoding of one entry: timestamp delta (10), meta (1), value (8), count/min/max (24).
const MAX_ENTRY_BYTES: usize = 43;

/// Encodes a validated batch; datums whose `series` is known are logged by id.
pub fn encode(
    ingest: i64,
    account: &str,
    region: &str,
    namespace: &str,
    data: &[ValidDatum<'_>],
) -> Record {
    // The size up front (varints at their largest), so the buffer never grows.
    let str_len = |s: &str| s.len() + uvarint_len(s.len() as u64);
    let size = 9
        + str_len(account)
        + str_len(region)
        + str_len(namespace)
        + 10
        + data
            .iter()
            .map(|d| {
                let key = match (d.series(), d.name()) {
                    (None, Some(k)) => {
                        str_len(k.metric_name)
                            + 10
                            + k.dimensions
                                .iter()
                                .map(|x| str_len(x.name) + str_len(x.value))
                                .sum::<usize>()
                    }
                    _ => 0,
                };
                20 + key + d.entries.len() * MAX_ENTRY_BYTES
            })
            .sum::<usize>();
    let mut w = Writer::reuse(SPARE.with(std::cell::Cell::take), size);
    w.u8(VERSION);
    w.i64(ingest);
    w.str(account);
    w.str(region);
    w.str(namespace);
    w.uvarint(data.len() as u64);
    let mut prev = ingest;
    for d in data {
        match &d.target {
            Target::Known(id) | Target::Learn(id, _) => w.uvarint(u64::from(*id) + 1),
            Target::New(k) => {
                w.uvarint(0);
                w.str(k.metric_name);
                w.uvarint(k.dimensions.len() as u64);
                for dim in k.dimensions.iter().copied() {
                    w.str(dim.name);
                    w.str(dim.value);
                }
            }
        }
        w.uvarint(d.entries.len() as u64);
        for e in &d.entries {
            w.ivarint(e.ts.wrapping_sub(prev));
            prev = e.ts;
            w.u8(e.meta);
            w.f64(e.value);
            if e.kind() != Kind::Single {
                w.f64(e.count);
                w.f64(e.min);
                w.f64(e.max);
            }
        }
    }
    Record(w.into_inner())
}

/// Bytes of `v` as a LEB128 varint.
fn uvarint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Decodes a record of either version.
pub fn decode(bytes: &[u8]) -> Result<Batch, MetricsError> {
    let mut r = Reader::new(bytes);
    let version = r.u8()?;
    if version != VERSION && version != VERSION_KEYS {
        return Err(MetricsError::corrupt(
            "metrics WAL record",
            format!("version {version}"),
        ));
    }
    let ingest = r.i64()?;
    let account = r.str()?;
    let region = r.str()?;
    let namespace = r.str()?;
    let n = r.len_prefix(3)?;
    let mut data = Vec::with_capacity(n);
    let mut prev = ingest;
    for _ in 0..n {
        let by_id = if version == VERSION { r.uvarint()? } else { 0 };
        let series = if by_id == 0 {
            let metric_name = r.str()?;
            let nd = r.len_prefix(2)?;
            let mut dimensions = Vec::with_capacity(nd);
            for _ in 0..nd {
                let name = r.str()?;
                let value = r.str()?;
                dimensions.push(Dimension { name, value });
            }
            SeriesRef::Key {
                metric_name,
                dimensions,
            }
        } else {
            SeriesRef::Id(
                SeriesId::try_from(by_id - 1)
                    .map_err(|_| MetricsError::corrupt("metrics WAL record", "series id"))?,
            )
        };
        let ne = r.len_prefix(10)?;
        let mut entries = Vec::with_capacity(ne);
        for _ in 0..ne {
            let ts = if version == VERSION {
                let t = prev.wrapping_add(r.ivarint()?);
                prev = t;
                t
            } else {
                r.ivarint()?
            };
            let meta = r.u8()?;
            let value = r.f64()?;
            let mut e = Entry {
                ts,
                value,
                count: 1.0,
                min: value,
                max: value,
                meta,
            };
            if e.kind() != Kind::Single {
                e.count = r.f64()?;
                e.min = r.f64()?;
                e.max = r.f64()?;
            }
            entries.push(e);
        }
        data.push(OwnedDatum { series, entries });
    }
    if !r.is_done() {
        return Err(MetricsError::corrupt(
            "metrics WAL record",
            "trailing bytes",
        ));
    }
    Ok(Batch {
        ingest,
        account,
        region,
        namespace,
        data,
    })
}

/// The version-1 encoder, kept to prove that old records still replay.
#[cfg(test)]
pub(crate) fn encode_v1(
    ingest: i64,
    account: &str,
    region: &str,
    namespace: &str,
    data: &[(&str, &[Dimension], &[Entry])],
) -> Vec<u8> {
    let mut w = Writer::default();
    w.u8(VERSION_KEYS);
    w.i64(ingest);
    w.str(account);
    w.str(region);
    w.str(namespace);
    w.uvarint(data.len() as u64);
    for (name, dims, entries) in data {
        w.str(name);
        w.uvarint(dims.len() as u64);
        for d in *dims {
            w.str(&d.name);
            w.str(&d.value);
        }
        w.uvarint(entries.len() as u64);
        for e in *entries {
            w.ivarint(e.ts);
            w.u8(e.meta);
            w.f64(e.value);
            if e.kind() != Kind::Single {
                w.f64(e.count);
                w.f64(e.min);
                w.f64(e.max);
            }
        }
    }
    w.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;
    use crate::model::DimensionRef;
    use crate::validate::DimRefs;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::single(60_000, 1.5, Unit::Milliseconds, false),
            Entry::weighted(60_000, 2.0, 3.0, Unit::Milliseconds, false),
            Entry::set(1_000, 4.0, 10.0, 1.0, 4.0, Unit::Count, true),
        ]
    }

    #[test]
    fn batches_round_trip_by_key_and_by_id() {
        let dims = [Dimension::new("Az", "x"), Dimension::new("Host", "a")];
        let mut known = ValidDatum::new(
            "Latency",
            dims.iter().map(DimensionRef::from).collect::<DimRefs<'_>>(),
            entries().into(),
        );
        let new = known.clone();
        let mut learn = known.clone();
        if let Target::New(name) = &new.target {
            learn.target = Target::Learn(40, name.clone());
        }
        known.target = Target::Known(41);
        let b = encode(7, "123456789012", "us-east-1", "App", &[new, learn, known]);
        let back = decode(&b).expect("decodes");
        assert_eq!(
            back,
            Batch {
                ingest: 7,
                account: "123456789012".into(),
                region: "us-east-1".into(),
                namespace: "App".into(),
                data: vec![
                    OwnedDatum {
                        series: SeriesRef::Key {
                            metric_name: "Latency".into(),
                            dimensions: dims.to_vec(),
                        },
                        entries: entries(),
                    },
                    OwnedDatum {
                        series: SeriesRef::Id(40),
                        entries: entries(),
                    },
                    OwnedDatum {
                        series: SeriesRef::Id(41),
                        entries: entries(),
                    },
                ],
            }
        );
        for cut in 0..b.len() {
            assert!(decode(&b[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn a_datum_by_id_costs_a_few_bytes_a_sample() {
        let mut d = ValidDatum::new(
            "usage_user",
            DimRefs::from_iter([]),
            vec![Entry::single(1_767_225_610_000, 42.0, Unit::None, true)].into(),
        );
        d.target = Target::Known(999);
        let data = vec![d; 1_000];
        let b = encode(1_767_225_611_000, "123456789012", "us-east-1", "cpu", &data);
        // id (2) + count (1) + ts delta (1) + meta (1) + value (8).
        assert!(b.len() <= 60 + 13 * 1_000, "{} bytes", b.len());
    }

    #[test]
    fn version_1_records_still_decode() {
        let dims = [Dimension::new("Host", "a")];
        let v1 = encode_v1(7, "1", "r", "App", &[("Latency", &dims, &entries())]);
        let back = decode(&v1).expect("decodes");
        assert_eq!(
            back.data,
            vec![OwnedDatum {
                series: SeriesRef::Key {
                    metric_name: "Latency".into(),
                    dimensions: dims.to_vec(),
                },
                entries: entries(),
            }]
        );
        let mut bad = v1.clone();
        bad[0] = 3;
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn varint_lengths_match_the_writer() {
        for v in [0u64, 1, 127, 128, 16_383, 16_384, 1 << 35, u64::MAX] {
            let mut w = Writer::default();
            w.uvarint(v);
            assert_eq!(uvarint_len(v), w.len(), "{v}");
        }
    }
}
