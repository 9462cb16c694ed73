//! `series.dat`: every series key in id order, so blocks can name series by id. Append-only
//! frames `u32 len`, `u32 crc32c(payload)`, payload = `str account, str region, str namespace,
//! str metric, uvarint n, (str name, str value)*`. A torn last frame is truncated at open.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

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
            count += 1;
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
        let mut out = Vec::new();
        for k in keys {
            let mut w = Writer::default();
            w.str(&k.account);
            w.str(&k.region);
            w.str(&k.namespace);
            w.str(&k.metric_name);
            w.uvarint(k.dimensions.len() as u64);
            for d in k.dimensions.iter() {
                w.str(&d.name);
                w.str(&d.value);
            }
            let p = w.into_inner();
            out.extend_from_slice(&(p.len() as u32).to_le_bytes());
            out.extend_from_slice(&crc32c::crc32c(&p).to_le_bytes());
            out.extend_from_slice(&p);
        }
        self.file
            .write_all(&out)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| MetricsError::io("append", &self.path, e))?;
        self.count += keys.len();
        Ok(())
    }
}
