//! Sealed blocks: immutable files `blocks/<level>/<partition>-<generation>.blk`, one per (level,
//! hour partition, generation). Raw blocks keep every sample (delta-of-delta timestamps, pco
//! values, [`raw`]); rollup blocks keep per-bucket count/sum/min/max and a quantile sketch at
//! 1 min, 5 min or 1 h ([`rollup`]). Written to a temp file, fsynced, renamed, directory fsynced;
//! never modified. A partition sealed more than once (late samples) has several generations,
//! which compaction (`crate::compact`) merges into one block marked `compacted`.
//!
//! Format: `docs/format/metrics.md`. Version 2 (written; version 1 is still read):
//! ```text
//! header:  "OWMBLK02" | u8 level (0 raw, 1 1m, 2 5m, 3 1h)
//!          | u8 flags (1 = compacted: replaces every lower generation of this partition and level)
//!          | i64 partition start ms | u64 sealed_upto.segment | u64 sealed_upto.offset
//! raw:     uv table_len | bytes(zstd(table)) | value blob of `codec::values`
//! rollup:  uv body_len | bytes(zstd(body))
//! trailer: u32 crc32c of everything before
//! ```
//! Version 1 ("OWMBLK01", no flags byte) stored the raw table and the rollup body uncompressed.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use openwatch_storage::Position;

use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;

mod raw;
mod rollup;

pub use raw::{RawBlock, encode_raw};
pub use rollup::{Bucket, RollupBlock, encode_rollup, merge_buckets, rollup};

const MAGIC_V1: &[u8; 8] = b"OWMBLK01";
const MAGIC: &[u8; 8] = b"OWMBLK02";
const HEADER_COMPACTED: u8 = 1;
/// zstd level of raw block tables (a few KB to a few MB per hour; their rows repeat).
const ZSTD_TABLE_LEVEL: i32 = 15;
/// zstd level of rollup bodies (larger: mostly f64s and sketches that the strong levels do not
/// shrink much further, at many times the CPU).
const ZSTD_ROLLUP_LEVEL: i32 = 3;
/// Largest decompressed section accepted (a corrupt length must not allocate without bound).
const MAX_SECTION_BYTES: usize = 1 << 30;

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
    /// Written by compaction: holds every generation of this partition and level below its own,
    /// which are obsolete (a crash may leave them behind; opening deletes them).
    pub compacted: bool,
}

fn write_header(w: &mut Writer, h: &BlockHeader) {
    w.raw(MAGIC);
    w.u8(h.level as u8);
    w.u8(u8::from(h.compacted) * HEADER_COMPACTED);
    w.i64(h.partition);
    w.u64(h.sealed_upto.segment);
    w.u64(h.sealed_upto.offset);
}

/// Reads a header; returns it and the format version (1 or 2).
fn read_header(r: &mut Reader<'_>) -> Result<(BlockHeader, u8), MetricsError> {
    let version = match r.take(8)? {
        m if m == MAGIC => 2,
        m if m == MAGIC_V1 => 1,
        _ => return Err(MetricsError::corrupt("metrics block", "bad magic")),
    };
    let level = Level::from_u8(r.u8()?)
        .ok_or_else(|| MetricsError::corrupt("metrics block", "unknown level"))?;
    let flags = if version == 2 { r.u8()? } else { 0 };
    if flags & !HEADER_COMPACTED != 0 {
        return Err(MetricsError::corrupt(
            "metrics block",
            "unknown header flags",
        ));
    }
    let header = BlockHeader {
        level,
        partition: r.i64()?,
        sealed_upto: Position {
            segment: r.u64()?,
            offset: r.u64()?,
        },
        compacted: flags & HEADER_COMPACTED != 0,
    };
    Ok((header, version))
}

/// Reads the header of a block file's bytes (checksum verified).
pub fn peek_header(bytes: &[u8]) -> Result<BlockHeader, MetricsError> {
    Ok(read_header(&mut Reader::new(check_crc(bytes)?))?.0)
}

/// Writes `section` zstd-compressed at `level`: `uv raw_len | bytes(compressed)`.
fn write_compressed(w: &mut Writer, section: &[u8], level: i32) -> Result<(), MetricsError> {
    let z = zstd::bulk::compress(section, level)
        .map_err(|e| MetricsError::corrupt("metrics block", format!("zstd: {e}")))?;
    w.uvarint(section.len() as u64);
    w.bytes(&z);
    Ok(())
}

/// Reads what [`write_compressed`] wrote.
fn read_compressed(r: &mut Reader<'_>) -> Result<Vec<u8>, MetricsError> {
    let len = usize::try_from(r.uvarint()?)
        .ok()
        .filter(|n| *n <= MAX_SECTION_BYTES)
        .ok_or_else(|| MetricsError::corrupt("metrics block", "section length"))?;
    let z = r.bytes()?;
    let out = zstd::bulk::decompress(z, len)
        .map_err(|e| MetricsError::corrupt("metrics block", format!("zstd: {e}")))?;
    if out.len() != len {
        return Err(MetricsError::corrupt("metrics block", "section length"));
    }
    Ok(out)
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
