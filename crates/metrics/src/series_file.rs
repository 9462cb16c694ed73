//! `series.dat`: every series key in id order, so blocks and WAL records can name series by id.
//! Append-only frames `u32 len`, `u32 crc32c(payload)`; a torn last frame is truncated at open.
//! Format in `docs/format/metrics.md`.
//!
//! A frame written now holds every series of one append: payload = `u8 0`,
//! `zstd(uvarint n_strings, str*, uvarint n_series, per series uvarint account, region,
//! namespace, metric, n_dims, (name, value)*)` where the numbers index the frame's string table
//! (strings in order of first use). Series keys repeat their strings, so this costs a few bytes
//! a series. Version-1 frames (still read) held one series each, strings inline:
//! `str account, str region, str namespace, str metric, uvarint n, (str name, str value)*`; they
//! start with the account's length, never 0.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;
use crate::index::Index;
use crate::model::{Dim, SeriesKey};

#[derive(Debug)]
pub struct SeriesFile {
    path: PathBuf,
    file: File,
    count: usize,
}

impl SeriesFile {
    /// Opens the file and inserts every series it holds into `index` (which must be empty).
    pub fn open(path: &Path, index: &mut Index) -> Result<SeriesFile, MetricsError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(MetricsError::io("read", path, e)),
        };
        let mut at = 0usize;
        let mut count = 0;
        while bytes.len() - at >= 8 {
            let len = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
                as usize;
            let crc =
                u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
            let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
                break;
            };
            if crc32c::crc32c(payload) != crc {
                break;
            }
            if payload.first() == Some(&0) {
                count += read_frame(&payload[1..], index)?;
            } else {
                read_v1(payload, index)?;
                count += 1;
            }
            at += 8 + len;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| MetricsError::io("open", path, e))?;
        if at < bytes.len() {
            tracing::warn!(path = %path.display(), at, "truncating torn tail of the series file");
            file.set_len(at as u64)
                .map_err(|e| MetricsError::io("truncate", path, e))?;
        }
        Ok(SeriesFile {
            path: path.to_path_buf(),
            file,
            count,
        })
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Appends `keys` (the next ids in order) and fsyncs.
    pub fn append(&mut self, keys: &[SeriesKey]) -> Result<(), MetricsError> {
        if keys.is_empty() {
            return Ok(());
        }
        let p = encode_frame(keys)?;
        let mut out = Vec::with_capacity(p.len() + 8);
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32c::crc32c(&p).to_le_bytes());
        out.extend_from_slice(&p);
        self.file
            .write_all(&out)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| MetricsError::io("append", &self.path, e))?;
        self.count += keys.len();
        Ok(())
    }
}

/// zstd level of series frames (written once per checkpoint that found new series).
const ZSTD_LEVEL: i32 = 19;
/// Largest decompressed frame accepted.
const MAX_FRAME_BYTES: usize = 1 << 30;

/// Encodes a frame of `keys`: tag 0, then the zstd-compressed string table and series rows.
fn encode_frame(keys: &[SeriesKey]) -> Result<Vec<u8>, MetricsError> {
    let mut strings: Vec<&str> = Vec::new();
    let mut numbers: HashMap<&str, u64> = HashMap::new();
    let mut rows = Writer::default();
    rows.uvarint(keys.len() as u64);
    fn put<'k>(
        s: &'k str,
        numbers: &mut HashMap<&'k str, u64>,
        strings: &mut Vec<&'k str>,
        rows: &mut Writer,
    ) {
        let next = numbers.len() as u64;
        let n = *numbers.entry(s).or_insert_with(|| {
            strings.push(s);
            next
        });
        rows.uvarint(n);
    }
    for k in keys {
        let (n, st, w) = (&mut numbers, &mut strings, &mut rows);
        put(&k.account, n, st, w);
        put(&k.region, n, st, w);
        put(&k.namespace, n, st, w);
        put(&k.metric_name, n, st, w);
        w.uvarint(k.dimensions.len() as u64);
        for d in k.dimensions.iter() {
            put(&d.name, n, st, w);
            put(&d.value, n, st, w);
        }
    }
    let mut body = Writer::with_capacity(rows.len() + strings.len() * 16);
    body.uvarint(strings.len() as u64);
    for s in &strings {
        body.str(s);
    }
    body.raw(rows.as_slice());
    let z = zstd::bulk::compress(body.as_slice(), ZSTD_LEVEL)
        .map_err(|e| MetricsError::corrupt("series file", format!("zstd: {e}")))?;
    let mut out = Vec::with_capacity(z.len() + 11);
    out.push(0);
    let mut w = Writer::default();
    w.uvarint(body.len() as u64);
    out.extend_from_slice(w.as_slice());
    out.extend_from_slice(&z);
    Ok(out)
}

/// Reads a frame [`encode_frame`] wrote (after its tag) into `index`; returns its series count.
fn read_frame(payload: &[u8], index: &mut Index) -> Result<usize, MetricsError> {
    let mut r = Reader::new(payload);
    let len = usize::try_from(r.uvarint()?)
        .ok()
        .filter(|n| *n <= MAX_FRAME_BYTES)
        .ok_or_else(|| MetricsError::corrupt("series file", "frame length"))?;
    let body = zstd::bulk::decompress(r.take(r.remaining())?, len)
        .map_err(|e| MetricsError::corrupt("series file", format!("zstd: {e}")))?;
    if body.len() != len {
        return Err(MetricsError::corrupt("series file", "frame length"));
    }
    let mut r = Reader::new(&body);
    let ns = r.len_prefix(1)?;
    let mut strings: Vec<Arc<str>> = Vec::with_capacity(ns);
    for _ in 0..ns {
        strings.push(index.intern(&r.str()?));
    }
    let string = |r: &mut Reader<'_>| -> Result<Arc<str>, MetricsError> {
        usize::try_from(r.uvarint()?)
            .ok()
            .and_then(|i| strings.get(i).cloned())
            .ok_or_else(|| MetricsError::corrupt("series file", "string number"))
    };
    let n = r.len_prefix(5)?;
    for _ in 0..n {
        let account = string(&mut r)?;
        let region = string(&mut r)?;
        let namespace = string(&mut r)?;
        let metric_name = string(&mut r)?;
        let nd = r.len_prefix(2)?;
        let mut dimensions = Vec::with_capacity(nd);
        for _ in 0..nd {
            let name = string(&mut r)?;
            let value = string(&mut r)?;
            dimensions.push(Dim { name, value });
        }
        if !dimensions.windows(2).all(|w| w[0].name < w[1].name) {
            return Err(MetricsError::corrupt(
                "series file",
                "dimensions not sorted",
            ));
        }
        index.insert(
            SeriesKey {
                account,
                region,
                namespace,
                metric_name,
                dimensions: dimensions.into_boxed_slice(),
            },
            i64::MIN,
        );
    }
    if !r.is_done() {
        return Err(MetricsError::corrupt("series file", "trailing bytes"));
    }
    Ok(n)
}

/// Reads a version-1 frame (one series, strings inline) into `index`.
fn read_v1(payload: &[u8], index: &mut Index) -> Result<(), MetricsError> {
    let mut r = Reader::new(payload);
    let account = r.str()?;
    let region = r.str()?;
    let namespace = r.str()?;
    let metric_name = r.str()?;
    let n = r.len_prefix(2)?;
    let mut dimensions = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        let value = r.str()?;
        dimensions.push(Dim {
            name: index.intern(&name),
            value: index.intern(&value),
        });
    }
    let key = SeriesKey {
        account: index.intern(&account),
        region: index.intern(&region),
        namespace: index.intern(&namespace),
        metric_name: index.intern(&metric_name),
        dimensions: dimensions.into_boxed_slice(),
    };
    index.insert(key, i64::MIN);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dimension;

    fn key(ix: &mut Index, host: &str, metric: &str) -> SeriesKey {
        let id = ix.get_or_create(
            "123456789012",
            "us-east-1",
            "cpu",
            metric,
            &[&Dimension::new("az", "a"), &Dimension::new("host", host)],
        );
        ix.get(id).map(|s| s.key.clone()).expect("created")
    }

    #[test]
    fn frames_round_trip_old_frames_still_load_and_torn_tails_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("series.dat");
        let mut live = Index::default();
        let keys: Vec<SeriesKey> = (0..300)
            .map(|i| {
                key(
                    &mut live,
                    &format!("host_{}", i / 3),
                    ["a", "b", "c"][i % 3],
                )
            })
            .collect();
        // A version-1 frame first (one series, strings inline), then two current frames.
        let mut v1 = Writer::default();
        for s in [&*keys[0].account, &keys[0].region, &keys[0].namespace] {
            v1.str(s);
        }
        v1.str(&keys[0].metric_name);
        v1.uvarint(2);
        for d in keys[0].dimensions.iter() {
            v1.str(&d.name);
            v1.str(&d.value);
        }
        let p = v1.into_inner();
        let mut bytes = (p.len() as u32).to_le_bytes().to_vec();
        bytes.extend_from_slice(&crc32c::crc32c(&p).to_le_bytes());
        bytes.extend_from_slice(&p);
        std::fs::write(&path, &bytes).expect("write");
        {
            let mut ix = Index::default();
            let mut f = SeriesFile::open(&path, &mut ix).expect("open");
            assert_eq!(f.count(), 1);
            f.append(&keys[1..100]).expect("append");
            f.append(&keys[100..]).expect("append");
        }
        let size = std::fs::metadata(&path).expect("stat").len();
        assert!(size < 300 * 10, "{size} bytes for 300 series");
        let mut ix = Index::default();
        assert_eq!(SeriesFile::open(&path, &mut ix).expect("open").count(), 300);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(ix.get(i as u32).map(|s| &s.key), Some(k), "series {i}");
        }
        // A torn last frame is dropped (and truncated), the earlier ones stay.
        let f = OpenOptions::new().write(true).open(&path).expect("open");
        f.set_len(size - 3).expect("truncate");
        let mut ix = Index::default();
        assert_eq!(SeriesFile::open(&path, &mut ix).expect("open").count(), 100);
        assert!(std::fs::metadata(&path).expect("stat").len() < size - 3);
    }
}
