//! JSON record tables: a catalog table from a text key — the record's identifying parts
//! (account, region, name, …) joined by `\n` — to the record serialized as JSON. Several domains
//! (EventBridge, the Schema Registry, SNS) keep their resources this way; these helpers are the
//! one place that builds and splits the keys and encodes and decodes the records.

use redb::{ReadTransaction, ReadableTable, Table, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::CatalogError;

/// A table of JSON records keyed by `\n`-joined parts.
pub type RecordTable = TableDefinition<'static, &'static str, &'static [u8]>;

/// The key of a record: its parts joined by `\n`.
pub fn record_key(parts: &[&str]) -> String {
    parts.join("\n")
}

/// A record as JSON bytes.
pub fn encode_record<T: Serialize>(value: &T) -> Result<Vec<u8>, CatalogError> {
    serde_json::to_vec(value).map_err(|e| CatalogError::Corrupt(format!("cannot encode: {e}")))
}

/// A record from JSON bytes; `what` names it in the error.
pub fn decode_record<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, CatalogError> {
    serde_json::from_slice(bytes).map_err(|e| CatalogError::Corrupt(format!("{what} record: {e}")))
}

/// Writes `value` under `key` in an open table.
pub fn put_record<T: Serialize>(
    table: &mut Table<'_, &'static str, &'static [u8]>,
    key: &str,
    value: &T,
) -> Result<(), CatalogError> {
    table.insert(key, encode_record(value)?.as_slice())?;
    Ok(())
}

/// Every record of `table`, in key order, with its key split into `N` parts (the last part
/// keeps any further `\n`); a key of fewer parts or a record that does not decode is
/// corruption. `what` names the records in errors.
pub fn load_records<T: DeserializeOwned, const N: usize>(
    tx: &ReadTransaction,
    table: RecordTable,
    what: &str,
) -> Result<Vec<([String; N], T)>, CatalogError> {
    let mut out = Vec::new();
    for item in tx.open_table(table)?.iter()? {
        let (k, v) = item?;
        let parts: Vec<String> = k.value().splitn(N, '\n').map(str::to_owned).collect();
        let key: [String; N] = parts
            .try_into()
            .map_err(|_| CatalogError::Corrupt(format!("{what} key {:?}", k.value())))?;
        out.push((key, decode_record(v.value(), what)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Catalog;

    const THINGS: RecordTable = TableDefinition::new("test_things");

    #[test]
    fn records_round_trip_and_bad_keys_are_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.redb")).unwrap();
        let tx = catalog.db().begin_write().unwrap();
        {
            let mut t = tx.open_table(THINGS).unwrap();
            put_record(&mut t, &record_key(&["111", "us-east-1", "b"]), &vec![2]).unwrap();
            put_record(&mut t, &record_key(&["111", "us-east-1", "a"]), &vec![1]).unwrap();
        }
        tx.commit().unwrap();
        let rx = catalog.db().begin_read().unwrap();
        let got: Vec<([String; 3], Vec<i32>)> = load_records(&rx, THINGS, "thing").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, ["111", "us-east-1", "a"].map(str::to_owned));
        assert_eq!(got[1].1, vec![2]);
        let e = load_records::<Vec<i32>, 4>(&rx, THINGS, "thing").unwrap_err();
        assert!(e.to_string().contains("thing key"), "{e}");
        let two: Vec<([String; 2], Vec<i32>)> = load_records(&rx, THINGS, "thing").unwrap();
        assert_eq!(two[0].0, ["111", "us-east-1\na"].map(str::to_owned));
        let e = load_records::<String, 3>(&rx, THINGS, "thing").unwrap_err();
        assert!(e.to_string().contains("thing record"), "{e}");
        assert!(decode_record::<u8>(b"[", "x").is_err());
    }
}
