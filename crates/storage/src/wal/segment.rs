//! Segment files on disk: naming, listing, creation, a streaming record reader, and recovery of
//! the last segment's tail.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::format::{
    FRAME_HEADER_LEN, FrameError, HeaderError, SEGMENT_HEADER_LEN, SEGMENT_VERSION,
    decode_segment_header, encode_segment_header, parse_frame_header, verify_payload,
};
use crate::error::WalError;

/// Read buffer of the streaming reader.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// The file name of segment `id`: 16 lower-case hex digits and `.wal`.
pub(crate) fn segment_file_name(id: u64) -> String {
    format!("{id:016x}.wal")
}

/// Parses a segment file name; anything else in the directory is not a segment.
pub(crate) fn parse_segment_file_name(name: &str) -> Option<u64> {
    let hex = name.strip_suffix(".wal")?;
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// The segments in `dir`, sorted by id.
pub(crate) fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, WalError> {
    let entries = fs::read_dir(dir).map_err(|e| WalError::io("list WAL directory", dir, e))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| WalError::io("list WAL directory", dir, e))?;
        let name = entry.file_name();
        match name.to_str().and_then(parse_segment_file_name) {
            Some(id) => out.push((id, entry.path())),
            None => {
                tracing::debug!(file = ?entry.path(), "ignoring non-segment file in WAL directory")
            }
        }
    }
    out.sort_by_key(|(id, _)| *id);
    Ok(out)
}

/// Makes directory entries (created, removed or truncated files) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WalError> {
    #[cfg(unix)]
    {
        let d = File::open(dir).map_err(|e| WalError::io("open WAL directory", dir, e))?;
        d.sync_all()
            .map_err(|e| WalError::io("fsync WAL directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates segment `id` with its header, fsyncs it and the directory, and opens it for appending.
pub(crate) fn create_segment(dir: &Path, id: u64) -> Result<(PathBuf, File), WalError> {
    let path = dir.join(segment_file_name(id));
    let mut file = OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(&path)
        .map_err(|e| WalError::io("create WAL segment", &path, e))?;
    file.write_all(&encode_segment_header(id))
        .map_err(|e| WalError::io("write WAL segment header", &path, e))?;
    file.sync_all()
        .map_err(|e| WalError::io("fsync WAL segment", &path, e))?;
    sync_dir(dir)?;
    Ok((path, file))
}

/// Maps a header problem to the error the caller reports.
fn header_error(path: &Path, e: HeaderError) -> WalError {
    match e {
        HeaderError::Version { found } if found > SEGMENT_VERSION => WalError::UnsupportedVersion {
            path: path.to_path_buf(),
            found,
            supported: SEGMENT_VERSION,
        },
        other => WalError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            reason: other.to_string(),
        },
    }
}

/// Checks the header of a sealed segment and returns the file's length.
pub(crate) fn check_sealed(path: &Path, id: u64) -> Result<u64, WalError> {
    let mut file = File::open(path).map_err(|e| WalError::io("open WAL segment", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| WalError::io("stat WAL segment", path, e))?
        .len();
    let mut buf = Vec::with_capacity(SEGMENT_HEADER_LEN as usize);
    (&mut file)
        .take(SEGMENT_HEADER_LEN)
        .read_to_end(&mut buf)
        .map_err(|e| WalError::io("read WAL segment header", path, e))?;
    let header = decode_segment_header(&buf).map_err(|e| header_error(path, e))?;
    if header.id != id {
        return Err(WalError::Corrupt {
            path: path.to_path_buf(),
            offset: 8,
            reason: format!(
                "header names segment {:016x}, file name names {id:016x}",
                header.id
            ),
        });
    }
    Ok(len)
}

/// One step of a [`SegmentReader`].
#[derive(Debug)]
pub(crate) enum Frame {
    /// A valid record starting at `offset`.
    Record { offset: u64, payload: Vec<u8> },
    /// The limit was reached exactly.
    End,
    /// The bytes at `offset` are not a valid record.
    Invalid { offset: u64, reason: FrameError },
}

/// Reads records sequentially from one segment file, up to a byte limit.
#[derive(Debug)]
pub(crate) struct SegmentReader {
    path: PathBuf,
    reader: BufReader<File>,
    offset: u64,
    limit: u64,
}

impl SegmentReader {
    /// Opens `path` positioned at `offset`; bytes at or beyond `limit` are never read.
    pub(crate) fn open(path: &Path, offset: u64, limit: u64) -> Result<Self, WalError> {
        let mut file = File::open(path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => WalError::io("open WAL segment (removed?)", path, e),
            _ => WalError::io("open WAL segment", path, e),
        })?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| WalError::io("seek in WAL segment", path, e))?;
        let cap = (limit.saturating_sub(offset)).clamp(64, READ_BUFFER_BYTES as u64) as usize;
        Ok(SegmentReader {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(cap, file),
            offset,
            limit,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the next record. I/O failures are errors; invalid bytes are reported as [`Frame::Invalid`].
    pub(crate) fn next_frame(&mut self) -> Result<Frame, WalError> {
        let offset = self.offset;
        let remaining = self.limit.saturating_sub(offset);
        if remaining == 0 {
            return Ok(Frame::End);
        }
        if remaining < FRAME_HEADER_LEN as u64 {
            let reason = FrameError::TornHeader {
                available: remaining as usize,
            };
            return Ok(Frame::Invalid { offset, reason });
        }
        let mut h = [0u8; FRAME_HEADER_LEN];
        if let Some(torn) = self.read_full(&mut h)? {
            let reason = FrameError::TornHeader { available: torn };
            return Ok(Frame::Invalid { offset, reason });
        }
        let (len, crc) = match parse_frame_header(h) {
            Ok(v) => v,
            Err(reason) => return Ok(Frame::Invalid { offset, reason }),
        };
        let available = remaining - FRAME_HEADER_LEN as u64;
        if u64::from(len) > available {
            let reason = FrameError::TornPayload {
                len,
                available: available as usize,
            };
            return Ok(Frame::Invalid { offset, reason });
        }
        // `len` is bounded by MAX_RECORD_BYTES and by the bytes that exist in the file.
        let mut payload = vec![0u8; len as usize];
        if let Some(got) = self.read_full(&mut payload)? {
            let reason = FrameError::TornPayload {
                len,
                available: got,
            };
            return Ok(Frame::Invalid { offset, reason });
        }
        if let Err(reason) = verify_payload(&payload, crc) {
            return Ok(Frame::Invalid { offset, reason });
        }
        self.offset = offset + FRAME_HEADER_LEN as u64 + u64::from(len);
        Ok(Frame::Record { offset, payload })
    }

    /// Fills `buf`; returns `Some(bytes read)` if the file ended first (it shrank under us).
    fn read_full(&mut self, buf: &mut [u8]) -> Result<Option<usize>, WalError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.reader.read(&mut buf[filled..]) {
                Ok(0) => return Ok(Some(filled)),
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(WalError::io("read WAL segment", &self.path, e)),
            }
        }
        Ok(None)
    }
}

/// Recovers the last segment: validates its header (re-creating a header torn by a crash during
/// creation), scans its records, and truncates a torn or corrupt tail with a warning.
/// Returns the file opened for appending and the length of its valid prefix.
pub(crate) fn recover_last(dir: &Path, path: &Path, id: u64) -> Result<(File, u64), WalError> {
    let len = fs::metadata(path)
        .map_err(|e| WalError::io("stat WAL segment", path, e))?
        .len();
    if len < SEGMENT_HEADER_LEN {
        tracing::warn!(
            segment = %path.display(), bytes = len,
            "WAL segment header is torn (crash while creating the segment); rewriting it"
        );
        fs::remove_file(path).map_err(|e| WalError::io("remove torn WAL segment", path, e))?;
        let (_, file) = create_segment(dir, id)?;
        return Ok((file, SEGMENT_HEADER_LEN));
    }
    check_sealed(path, id)?;
    let mut reader = SegmentReader::open(path, SEGMENT_HEADER_LEN, len)?;
    let valid = loop {
        match reader.next_frame()? {
            Frame::Record { .. } => {}
            Frame::End => break len,
            Frame::Invalid { offset, reason } => {
                tracing::warn!(
                    segment = %reader.path().display(), offset, dropped_bytes = len - offset, %reason,
                    "truncating torn or corrupt tail of the last WAL segment"
                );
                break offset;
            }
        }
    };
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| WalError::io("open WAL segment for appending", path, e))?;
    if valid < len {
        file.set_len(valid)
            .map_err(|e| WalError::io("truncate WAL segment", path, e))?;
    }
    file.sync_all()
        .map_err(|e| WalError::io("fsync WAL segment", path, e))?;
    Ok((file, valid))
}
