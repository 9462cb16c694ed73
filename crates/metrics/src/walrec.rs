//! The WAL record of one accepted PutMetricData batch (format version 1, little-endian):
//! `u8 version`, `i64 ingest_millis`, `str account`, `str region`, `str namespace`,
//! `uvarint n_datums`, per datum `str metric_name`, `uvarint n_dims`, `(str name, str value)*`,
//! `uvarint n_entries`, per entry `ivarint ts`, `u8 meta`, `f64 value` and, unless the entry is a
//! single value, `f64 count`, `f64 min`, `f64 max`. Strings are `uvarint len` + UTF-8.

use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;
use crate::model::{Dimension, Entry, Kind};
use crate::validate::ValidDatum;

const VERSION: u8 = 1;

/// A batch as replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub ingest: i64,
    pub account: String,
    pub region: String,
    pub namespace: String,
    pub data: Vec<OwnedDatum>,
}

/// A datum decoded from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDatum {
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
    pub entries: Vec<Entry>,
}

impl OwnedDatum {
    pub fn as_valid(&self) -> ValidDatum<'_> {
        ValidDatum::new(
            &self.metric_name,
            self.dimensions.iter().collect(),
            self.entries.clone().into(),
        )
    }
}

/// Largest record buffer a thread keeps for its next record.
const KEEP_BUFFER_BYTES: usize = 1 << 20;

thread_local! {
    /// This thread's spare record buffer: a batch of 1,000 datums is ~150 KB, and allocating it
    /// afresh for every put costs page faults once the allocator returns it to the system.
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

pub fn encode(
    ingest: i64,
    account: &str,
    region: &str,
    namespace: &str,
    data: &[ValidDatum<'_>],
) -> Record {
    // The size up front (timestamps' varints at their largest), so the buffer never grows.
    let str_len = |s: &str| s.len() + uvarint_len(s.len() as u64);
    let size = 9
        + str_len(account)
        + str_len(region)
        + str_len(namespace)
        + 10
        + data
            .iter()
            .map(|d| {
                str_len(d.metric_name)
                    + 20
                    + d.dimensions
                        .iter()
                        .map(|x| str_len(&x.name) + str_len(&x.value))
                        .sum::<usize>()
                    + d.entries
                        .iter()
                        .map(|e| if e.kind() == Kind::Single { 19 } else { 43 })
                        .sum::<usize>()
            })
            .sum::<usize>();
    let mut w = Writer::reuse(SPARE.with(std::cell::Cell::take), size);
    w.u8(VERSION);
    w.i64(ingest);
    w.str(account);
    w.str(region);
    w.str(namespace);
    w.uvarint(data.len() as u64);
    for d in data {
        w.str(d.metric_name);
        w.uvarint(d.dimensions.len() as u64);
        for dim in d.dimensions.iter().copied() {
            w.str(&dim.name);
            w.str(&dim.value);
        }
        w.uvarint(d.entries.len() as u64);
        for e in &d.entries {
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
    Record(w.into_inner())
}

/// Bytes of `v` as a LEB128 varint.
fn uvarint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

pub fn decode(bytes: &[u8]) -> Result<Batch, MetricsError> {
    let mut r = Reader::new(bytes);
    let v = r.u8()?;
    if v != VERSION {
        return Err(MetricsError::corrupt(
            "metrics WAL record",
            format!("version {v}"),
        ));
    }
    let ingest = r.i64()?;
    let account = r.str()?;
    let region = r.str()?;
    let namespace = r.str()?;
    let n = r.len_prefix(3)?;
    let mut data = Vec::with_capacity(n);
    for _ in 0..n {
        let metric_name = r.str()?;
        let nd = r.len_prefix(2)?;
        let mut dimensions = Vec::with_capacity(nd);
        for _ in 0..nd {
            let name = r.str()?;
            let value = r.str()?;
            dimensions.push(Dimension { name, value });
        }
        let ne = r.len_prefix(10)?;
        let mut entries = Vec::with_capacity(ne);
        for _ in 0..ne {
            let ts = r.ivarint()?;
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
        data.push(OwnedDatum {
            metric_name,
            dimensions,
            entries,
        });
    }
    Ok(Batch {
        ingest,
        account,
        region,
        namespace,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;

    #[test]
    fn batches_round_trip() {
        let owned = vec![OwnedDatum {
            metric_name: "Latency".into(),
            dimensions: vec![Dimension::new("Host", "a")],
            entries: vec![
                Entry::single(60_000, 1.5, Unit::Milliseconds, false),
                Entry::weighted(60_000, 2.0, 3.0, Unit::Milliseconds, false),
                Entry::set(1_000, 4.0, 10.0, 1.0, 4.0, Unit::Count, true),
            ],
        }];
        let valid: Vec<ValidDatum<'_>> = owned.iter().map(OwnedDatum::as_valid).collect();
        let b = encode(7, "123456789012", "us-east-1", "App", &valid);
        let back = decode(&b).ok();
        assert_eq!(
            back,
            Some(Batch {
                ingest: 7,
                account: "123456789012".into(),
                region: "us-east-1".into(),
                namespace: "App".into(),
                data: owned.clone(),
            })
        );
        assert!(decode(&b[..b.len() - 1]).is_err());
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
