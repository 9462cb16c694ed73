//! Typed errors of the storage crate: `StorageError` for the data directory, `WalError` for the log.

use std::io;
use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::wal::Position;

/// Opening or using the data directory failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// An operating-system call on a path failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Another process (or another handle in this process) holds the directory's lock.
    #[error(
        "data directory {path} is locked by another process{holder}; only one OpenWatch server can use a data directory at a time"
    )]
    Locked { path: PathBuf, holder: String },
    /// The directory was written by a newer OpenWatch whose format this build cannot read.
    #[error(
        "data directory {path} has data format version {found}, but this build of OpenWatch supports only versions up to {supported}; run a newer OpenWatch"
    )]
    FormatTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The FORMAT file exists but does not hold a valid format line.
    #[error("{path} is not a valid FORMAT file: {reason}")]
    BadFormatFile { path: PathBuf, reason: String },
    /// The directory holds other files but no FORMAT file: it is not ours, so we do not write into it.
    #[error(
        "{path} is not empty and has no FORMAT file, so it is not an OpenWatch data directory; choose an empty or new directory"
    )]
    NotADataDir { path: PathBuf },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Wal(#[from] WalError),
}

impl StorageError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StorageError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Opening, writing or reading the write-ahead log failed.
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    /// An operating-system call on a path failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A segment holds bytes that are not a valid record or header.
    #[error("corrupt WAL segment {path} at byte offset {offset}: {reason}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
    /// A segment was written by a newer format version.
    #[error(
        "WAL segment {path} has format version {found}, but this build supports only version {supported}"
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// An append exceeded [`crate::wal::MAX_RECORD_BYTES`].
    #[error("WAL record of {len} bytes exceeds the maximum of {max} bytes")]
    RecordTooLarge { len: usize, max: usize },
    /// Empty records are refused: a zero length marks a zero-filled tail on disk.
    #[error("WAL records must not be empty")]
    EmptyRecord,
    /// The position names a segment that does not exist (never written, or removed).
    #[error("WAL segment {segment:016x} does not exist")]
    SegmentNotFound { segment: u64 },
    /// The position does not name a record that has been appended.
    #[error("invalid WAL position {pos}: {reason}")]
    InvalidPosition { pos: Position, reason: &'static str },
    /// The options passed to `Wal::open` are unusable.
    #[error("invalid WAL options: {0}")]
    InvalidOptions(&'static str),
    /// An earlier write or fsync failed; the log refuses further writes until reopened
    /// (after a failed fsync the kernel may have dropped the dirty pages, so retrying is unsafe).
    #[error("WAL is unusable after an earlier write failure: {0}")]
    Poisoned(String),
    /// The log was closed.
    #[error("WAL is closed")]
    Closed,
}

impl WalError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        WalError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
