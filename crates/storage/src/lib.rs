//! OpenWatch's storage base: the data directory, the write-ahead log, the catalog, the clock and the scheduler.

pub mod catalog;
pub mod clock;
pub mod datadir;
pub mod error;
pub mod scheduler;
pub mod wal;

pub use catalog::{CATALOG_SCHEMA_VERSION, Catalog, CatalogError};
pub use clock::{Clock, SimClock, SystemClock};
pub use datadir::{DATA_FORMAT_VERSION, DataDir};
pub use error::{StorageError, WalError};
pub use scheduler::{JobId, JobOutcome, JobStatus, Scheduler};
pub use wal::{Position, Replay, SegmentInfo, SyncPolicy, Wal, WalOptions, WalStats};
