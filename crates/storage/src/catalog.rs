//! The catalog: a transactional embedded key-value store (redb) for metadata — accounts, users,
//! keys, and later log groups, alarms, rules. Each domain declares its own typed tables.

mod records;

use std::path::Path;

use redb::TableDefinition;

pub use records::{
    RecordTable, decode_record, encode_record, load_records, put_record, record_key,
};

/// The catalog schema this build writes, and the newest it can open. Recorded in the catalog.
pub const CATALOG_SCHEMA_VERSION: u64 = 1;

/// Catalog-wide metadata (schema version).
const META: TableDefinition<&str, u64> = TableDefinition::new("openwatch_meta");
const SCHEMA_VERSION_KEY: &str = "schema_version";

/// Opening or using the catalog failed. redb's errors are boxed to keep `Result`s small.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog database error: {0}")]
    Database(Box<redb::DatabaseError>),
    #[error("catalog transaction error: {0}")]
    Transaction(Box<redb::TransactionError>),
    #[error("catalog table error: {0}")]
    Table(Box<redb::TableError>),
    #[error("catalog storage error: {0}")]
    Storage(Box<redb::StorageError>),
    #[error("catalog commit error: {0}")]
    Commit(Box<redb::CommitError>),
    #[error("catalog record is corrupt: {0}")]
    Corrupt(String),
    #[error(
        "catalog schema version {found} is newer than this build supports ({supported}); run a newer OpenWatch"
    )]
    SchemaTooNew { found: u64, supported: u64 },
}

macro_rules! boxed_from {
    ($($variant:ident => $ty:ty),* $(,)?) => {$(
        impl From<$ty> for CatalogError {
            fn from(e: $ty) -> Self {
                CatalogError::$variant(Box::new(e))
            }
        }
    )*};
}

boxed_from! {
    Database => redb::DatabaseError,
    Transaction => redb::TransactionError,
    Table => redb::TableError,
    Storage => redb::StorageError,
    Commit => redb::CommitError,
}

/// The catalog database. Writes commit durably (fsync) before `commit` returns.
#[derive(Debug)]
pub struct Catalog {
    db: redb::Database,
}

impl Catalog {
    /// Opens (or creates) the catalog file. A new catalog records [`CATALOG_SCHEMA_VERSION`];
    /// one recorded by a newer build is refused.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        let db = redb::Database::create(path)?;
        let catalog = Catalog { db };
        match catalog.schema_version()? {
            Some(found) if found > CATALOG_SCHEMA_VERSION => {
                return Err(CatalogError::SchemaTooNew {
                    found,
                    supported: CATALOG_SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            None => catalog.set_schema_version(CATALOG_SCHEMA_VERSION)?,
        }
        Ok(catalog)
    }

    /// The schema version recorded in the catalog (`None` before one is recorded).
    pub fn schema_version(&self) -> Result<Option<u64>, CatalogError> {
        let tx = self.db.begin_read()?;
        let table = match tx.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table.get(SCHEMA_VERSION_KEY)?.map(|v| v.value()))
    }

    /// Records the schema version (for migrations, which bump it in the same step).
    pub fn set_schema_version(&self, version: u64) -> Result<(), CatalogError> {
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(META)?;
            table.insert(SCHEMA_VERSION_KEY, version)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The underlying database, for domains that declare their own tables.
    pub fn db(&self) -> &redb::Database {
        &self.db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_schema_version_and_refuses_newer() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let path = tmp.path().join("catalog.redb");
        let cat = Catalog::open(&path)?;
        assert_eq!(cat.schema_version()?, Some(CATALOG_SCHEMA_VERSION));
        cat.set_schema_version(CATALOG_SCHEMA_VERSION + 1)?;
        drop(cat);
        let err = Catalog::open(&path).err().ok_or("newer schema accepted")?;
        assert!(matches!(err, CatalogError::SchemaTooNew { .. }), "{err}");
        Ok(())
    }
}
