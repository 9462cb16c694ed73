//! The data directory: its `FORMAT` version file, the exclusive `LOCK` that keeps a second server
//! out, and the well-known names inside it. Layout and version rules: `docs/format/datadir.md`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::StorageError;

/// The data format this build writes, and the newest it can open.
pub const DATA_FORMAT_VERSION: u32 = 1;
/// Name of the file that holds the format version.
pub const FORMAT_FILE: &str = "FORMAT";
/// Name of the lock file.
pub const LOCK_FILE: &str = "LOCK";
/// The catalog database file.
pub const CATALOG_FILE: &str = "catalog.redb";
/// Directory of the write-ahead log.
pub const WAL_DIR: &str = "wal";
/// Directory of the audit trail's log.
pub const TRAIL_DIR: &str = "trail";
/// The first word of the FORMAT file.
const FORMAT_PREFIX: &str = "openwatch-data-format";
/// Longest FORMAT file we read (it is one short line).
const MAX_FORMAT_BYTES: u64 = 256;

/// An open, locked data directory. The lock is released when this is dropped.
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    format: u32,
    /// Holds the exclusive lock for as long as the `DataDir` lives.
    _lock: File,
}

impl DataDir {
    /// Opens `path` (creating it if missing), takes its exclusive lock, and checks or writes its
    /// format version.
    pub fn open(path: &Path) -> Result<DataDir, StorageError> {
        fs::create_dir_all(path).map_err(|e| StorageError::io("create data directory", path, e))?;
        let lock = lock(path)?;
        let format = read_or_init_format(path)?;
        tracing::info!(dir = %path.display(), format, "opened data directory");
        Ok(DataDir {
            path: path.to_path_buf(),
            format,
            _lock: lock,
        })
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format version recorded in `FORMAT`.
    pub fn format_version(&self) -> u32 {
        self.format
    }

    /// The path of the catalog database.
    pub fn catalog_path(&self) -> PathBuf {
        self.path.join(CATALOG_FILE)
    }

    /// The subdirectory `name` (one plain path component), created if missing.
    pub fn subdir(&self, name: &str) -> io::Result<PathBuf> {
        let mut parts = Path::new(name).components();
        let single = matches!(
            (parts.next(), parts.next()),
            (Some(Component::Normal(_)), None)
        );
        if !single {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("subdirectory name {name:?} must be one plain path component"),
            ));
        }
        let dir = self.path.join(name);
        fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}

/// Takes the exclusive lock on `<dir>/LOCK` and records our pid in it for the error message of
/// whoever tries next.
fn lock(dir: &Path) -> Result<File, StorageError> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| StorageError::io("open lock file", &path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = (&file).take(64).read_to_string(&mut text);
            let holder = match text.trim() {
                pid if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => {
                    format!(" (pid {pid})")
                }
                _ => String::new(),
            };
            return Err(StorageError::Locked {
                path: dir.to_path_buf(),
                holder,
            });
        }
        Err(TryLockError::Error(e)) => return Err(StorageError::io("lock", &path, e)),
    }
    let pid = std::process::id().to_string();
    let written = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(pid.as_bytes()));
    if let Err(e) = written {
        // The pid is only a hint for humans; the lock itself is held.
        tracing::debug!(error = %e, "could not record pid in lock file");
    }
    Ok(file)
}

/// Reads the format version, or writes it into a new (empty) directory.
fn read_or_init_format(dir: &Path) -> Result<u32, StorageError> {
    let path = dir.join(FORMAT_FILE);
    match File::open(&path) {
        Ok(file) => {
            let mut text = String::new();
            file.take(MAX_FORMAT_BYTES)
                .read_to_string(&mut text)
                .map_err(|e| StorageError::io("read", &path, e))?;
            let found = parse_format(&text).map_err(|reason| StorageError::BadFormatFile {
                path: path.clone(),
                reason,
            })?;
            if found > DATA_FORMAT_VERSION {
                return Err(StorageError::FormatTooNew {
                    path: dir.to_path_buf(),
                    found,
                    supported: DATA_FORMAT_VERSION,
                });
            }
            // Versions below the current one would be upgraded here; version 1 is the first.
            Ok(found)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            ensure_empty(dir)?;
            write_format(dir, &path)?;
            Ok(DATA_FORMAT_VERSION)
        }
        Err(e) => Err(StorageError::io("open", &path, e)),
    }
}

/// Parses `openwatch-data-format <N>`.
fn parse_format(text: &str) -> Result<u32, String> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(FORMAT_PREFIX), Some(n), None) => match n.parse::<u32>() {
            Ok(0) => Err("format version 0 is not valid".into()),
            Ok(v) => Ok(v),
            Err(_) => Err(format!("version {n:?} is not a number")),
        },
        _ => Err(format!(
            "expected \"{FORMAT_PREFIX} <version>\", found {text:?}"
        )),
    }
}

/// Refuses to initialise a directory that already holds someone else's files.
fn ensure_empty(dir: &Path) -> Result<(), StorageError> {
    let entries = fs::read_dir(dir).map_err(|e| StorageError::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StorageError::io("list", dir, e))?;
        let name = entry.file_name();
        let ours = name == LOCK_FILE || name.to_string_lossy().starts_with("FORMAT.tmp");
        if !ours {
            return Err(StorageError::NotADataDir {
                path: dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes FORMAT atomically: temporary file, fsync, rename, fsync of the directory.
fn write_format(dir: &Path, path: &Path) -> Result<(), StorageError> {
    let tmp = dir.join("FORMAT.tmp");
    let line = format!("{FORMAT_PREFIX} {DATA_FORMAT_VERSION}\n");
    let mut f = File::create(&tmp).map_err(|e| StorageError::io("create", &tmp, e))?;
    f.write_all(line.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| StorageError::io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| StorageError::io("rename into place", path, e))?;
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StorageError::io("fsync", dir, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_format_and_subdirs() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().join("data");
        let dd = DataDir::open(&root)?;
        assert_eq!(dd.format_version(), DATA_FORMAT_VERSION);
        assert_eq!(
            fs::read_to_string(root.join(FORMAT_FILE))?,
            "openwatch-data-format 1\n"
        );
        let wal = dd.subdir(WAL_DIR)?;
        assert!(wal.is_dir());
        assert!(dd.subdir("../escape").is_err());
        assert!(dd.subdir("a/b").is_err());
        assert_eq!(dd.catalog_path(), root.join("catalog.redb"));
        drop(dd);
        assert_eq!(DataDir::open(&root)?.format_version(), 1);
        Ok(())
    }

    #[test]
    fn second_open_is_refused_until_the_first_is_dropped() -> Result<(), Box<dyn std::error::Error>>
    {
        let tmp = tempfile::tempdir()?;
        let first = DataDir::open(tmp.path())?;
        let err = DataDir::open(tmp.path())
            .err()
            .ok_or("second open succeeded")?;
        assert!(matches!(err, StorageError::Locked { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("locked by another process"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        DataDir::open(tmp.path())?;
        Ok(())
    }

    #[test]
    fn newer_format_is_refused_naming_both_versions() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        fs::write(tmp.path().join(FORMAT_FILE), "openwatch-data-format 7\n")?;
        let err = DataDir::open(tmp.path())
            .err()
            .ok_or("newer format accepted")?;
        let msg = err.to_string();
        assert!(
            matches!(
                err,
                StorageError::FormatTooNew {
                    found: 7,
                    supported: 1,
                    ..
                }
            ),
            "{msg}"
        );
        assert!(
            msg.contains("version 7") && msg.contains("up to 1"),
            "{msg}"
        );
        Ok(())
    }

    #[test]
    fn garbage_format_and_foreign_directories_are_refused() -> Result<(), Box<dyn std::error::Error>>
    {
        let tmp = tempfile::tempdir()?;
        fs::write(tmp.path().join(FORMAT_FILE), "hello")?;
        let err = DataDir::open(tmp.path()).err().ok_or("garbage accepted")?;
        assert!(matches!(err, StorageError::BadFormatFile { .. }), "{err}");

        let other = tempfile::tempdir()?;
        fs::write(other.path().join("notes.txt"), "mine")?;
        let err = DataDir::open(other.path())
            .err()
            .ok_or("foreign dir accepted")?;
        assert!(matches!(err, StorageError::NotADataDir { .. }), "{err}");
        Ok(())
    }

    #[test]
    fn parse_format_rules() {
        assert_eq!(parse_format("openwatch-data-format 1\n"), Ok(1));
        assert!(parse_format("openwatch-data-format 0").is_err());
        assert!(parse_format("openwatch-data-format x").is_err());
        assert!(parse_format("openwatch-data-format 1 2").is_err());
        assert!(parse_format("").is_err());
    }
}
