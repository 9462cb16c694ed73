//! OpenWatch's storage base: the data directory, the write-ahead log, the catalog, the clock and the scheduler.

pub mod catalog;
pub mod clock;

pub use catalog::{Catalog, CatalogError};
pub use clock::{Clock, SimClock, SystemClock};
