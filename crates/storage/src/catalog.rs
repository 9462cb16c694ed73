//! The catalog: a transactional embedded key-value store (redb) for metadata — accounts, users,
//! keys, and later log groups, alarms, rules. Each domain declares its own typed tables.

use std::path::Path;

/// Opening or using the catalog failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog database error: {0}")]
    Database(#[from] redb::DatabaseError),
    #[error("catalog transaction error: {0}")]
    Transaction(#[from] redb::TransactionError),
    #[error("catalog table error: {0}")]
    Table(#[from] redb::TableError),
    #[error("catalog storage error: {0}")]
    Storage(#[from] redb::StorageError),
    #[error("catalog commit error: {0}")]
    Commit(#[from] redb::CommitError),
    #[error("catalog record is corrupt: {0}")]
    Corrupt(String),
}

/// The catalog database. Writes commit durably (fsync) before `commit` returns.
#[derive(Debug)]
pub struct Catalog {
    db: redb::Database,
}

impl Catalog {
    /// Opens (or creates) the catalog file.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        let db = redb::Database::create(path)?;
        Ok(Catalog { db })
    }

    /// The underlying database, for domains that declare their own tables.
    pub fn db(&self) -> &redb::Database {
        &self.db
    }
}
