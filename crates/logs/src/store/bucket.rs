//! Where export tasks write: object-store buckets, behind the [`ObjectStore`] trait. The default
//! store is a local directory (`<data-dir>/buckets/<bucket>/<key>`), one file per object; the
//! server may set another (an S3-compatible store) with [`crate::LogStore::set_object_store`].
//!
//! - Bucket names follow S3's rules (3–63 characters of lowercase letters, digits, `.` and `-`,
//!   starting and ending with a letter or digit, no `..`), which also keeps them safe as directory
//!   names. A bucket's directory is created on first use.
//! - An object key maps to a path by its `/`-separated segments; the segments `.`, `..` and the
//!   empty segment (which cannot be directory names) are stored as `%2E`, `%2E%2E` and `%20`.
//! - An object is written to a temporary file, fsynced, then renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::LogsError;

/// Whether `name` is a valid S3 bucket name.
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}

/// An object store export tasks write into. Called from the export job's thread (blocking is
/// fine). An error is reported as the task's failure (or, for CreateExportTask's write check, as
/// AWS's bucket-permission error).
pub trait ObjectStore: Send + Sync + std::fmt::Debug + 'static {
    /// Stores an object, replacing one with the same key.
    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), String>;
}

/// The local object store: one directory per bucket under `root`.
#[derive(Debug, Clone)]
pub struct LocalBuckets {
    pub root: PathBuf,
}

impl ObjectStore for LocalBuckets {
    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), String> {
        self.put(bucket, key, body)
            .map_err(|e| e.message().to_owned())
    }
}

fn segment(s: &str) -> &str {
    match s {
        "" => "%20",
        "." => "%2E",
        ".." => "%2E%2E",
        other => other,
    }
}

impl LocalBuckets {
    /// The file an object is stored in.
    pub(crate) fn path(&self, bucket: &str, key: &str) -> PathBuf {
        let mut p = self.root.join(bucket);
        for s in key.split('/') {
            p.push(segment(s));
        }
        p
    }

    /// Stores an object (replacing one with the same key).
    pub(crate) fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<(), LogsError> {
        if !valid_bucket_name(bucket) {
            return Err(LogsError::invalid(
                "The specified bucket name is not valid.",
            ));
        }
        let path = self.path(bucket, key);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(
            ".{}.tmp",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }
}

/// `2025-11-24T16:00:00.000Z` for milliseconds since the epoch.
pub fn iso8601_millis(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_iso8601_utc() {
        assert_eq!(iso8601_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601_millis(1_764_000_000_123),
            "2025-11-24T16:00:00.123Z"
        );
        assert_eq!(iso8601_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn bucket_names_and_keys_stay_inside_the_root() {
        assert!(valid_bucket_name("my-logs.archive"));
        for bad in ["ab", "Upper", "a..b", "-ab", "ab-", "a/b", "..."] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
        let b = LocalBuckets {
            root: PathBuf::from("/r"),
        };
        assert_eq!(
            b.path("bk", "p/../x//y/./z"),
            PathBuf::from("/r/bk/p/%2E%2E/x/%20/y/%2E/z")
        );
    }
}
