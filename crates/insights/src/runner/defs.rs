//! Saved query definitions (PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition),
//! one catalog record each in `insights_query_definitions`, written before the call answers.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{InsightsError, QueryManager};

/// Query definitions by `account \0 region \0 id`.
const DEFS: TableDefinition<&str, &[u8]> = TableDefinition::new("insights_query_definitions");

/// A stored query definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDefinition {
    pub id: String,
    pub name: String,
    pub query_string: String,
    pub log_group_names: Vec<String>,
    /// Epoch milliseconds.
    pub last_modified: i64,
}

/// PutQueryDefinition's input.
#[derive(Debug, Clone, Default)]
pub struct QueryDefinitionInput {
    pub id: Option<String>,
    pub name: String,
    pub query_string: String,
    pub log_group_names: Option<Vec<String>>,
}

/// A page of DescribeQueryDefinitions.
#[derive(Debug, Clone)]
pub struct QueryDefinitionPage {
    pub definitions: Vec<QueryDefinition>,
    pub next_token: Option<String>,
}

fn key(account: &str, region: &str, id: &str) -> String {
    format!("{account}\u{0}{region}\u{0}{id}")
}

fn length_error(field: &str, max: usize) -> InsightsError {
    InsightsError::invalid(format!(
        "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max} and greater than or equal to 1"
    ))
}

impl QueryManager {
    /// PutQueryDefinition: creates a definition, or replaces the one `id` names.
    pub fn put_query_definition(
        &self,
        account: &str,
        region: &str,
        input: QueryDefinitionInput,
    ) -> Result<String, InsightsError> {
        if input.name.is_empty() || input.name.chars().count() > 255 {
            return Err(length_error("name", 255));
        }
        if input.query_string.is_empty()
            || input.query_string.chars().count() > super::MAX_QUERY_STRING
        {
            return Err(length_error("queryString", super::MAX_QUERY_STRING));
        }
        if let Some(gs) = &input.log_group_names
            && gs.len() > super::MAX_QUERY_LOG_GROUPS
        {
            return Err(InsightsError::invalid(format!(
                "1 validation error detected: Value at 'logGroupNames' failed to satisfy constraint: Member must have length less than or equal to {}",
                super::MAX_QUERY_LOG_GROUPS
            )));
        }
        let now = self.store.clock().now_millis();
        let tx = self.store.catalog().db().begin_write()?;
        let id = {
            let mut t = tx.open_table(DEFS)?;
            let id = match &input.id {
                Some(id) => {
                    if t.get(key(account, region, id).as_str())?.is_none() {
                        return Err(InsightsError::not_found(
                            "The specified query definition does not exist.",
                        ));
                    }
                    id.clone()
                }
                None => uuid::Uuid::new_v4().to_string(),
            };
            let def = QueryDefinition {
                id: id.clone(),
                name: input.name,
                query_string: input.query_string,
                log_group_names: input.log_group_names.unwrap_or_default(),
                last_modified: now,
            };
            let bytes = serde_json::to_vec(&def)?;
            t.insert(key(account, region, &id).as_str(), bytes.as_slice())?;
            id
        };
        tx.commit()?;
        Ok(id)
    }

    /// DescribeQueryDefinitions, by name, optionally those whose name starts with `prefix`.
    pub fn describe_query_definitions(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<QueryDefinitionPage, InsightsError> {
        let max = match max_results {
            None => 1000,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(n) => {
                return Err(InsightsError::invalid(format!(
                    "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"
                )));
            }
        };
        let skip = match next_token {
            None => 0,
            Some(t) => t
                .parse::<usize>()
                .map_err(|_| InsightsError::invalid("The specified nextToken is invalid."))?,
        };
        let mut all = Vec::new();
        let tx = self.store.catalog().db().begin_read()?;
        match tx.open_table(DEFS) {
            Ok(t) => {
                let from = key(account, region, "");
                for row in t.range(from.as_str()..)? {
                    let (k, v) = row?;
                    if !k.value().starts_with(from.as_str()) {
                        break;
                    }
                    let def: QueryDefinition = serde_json::from_slice(v.value())?;
                    if prefix.is_none_or(|p| def.name.starts_with(p)) {
                        all.push(def);
                    }
                }
            }
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(e.into()),
        }
        all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let definitions: Vec<QueryDefinition> = all.iter().skip(skip).take(max).cloned().collect();
        let next_token =
            (skip + definitions.len() < all.len()).then(|| (skip + definitions.len()).to_string());
        Ok(QueryDefinitionPage {
            definitions,
            next_token,
        })
    }

    /// DeleteQueryDefinition.
    pub fn delete_query_definition(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<(), InsightsError> {
        let tx = self.store.catalog().db().begin_write()?;
        let removed = {
            let mut t = tx.open_table(DEFS)?;
            t.remove(key(account, region, id).as_str())?.is_some()
        };
        if !removed {
            return Err(InsightsError::not_found(
                "The specified query definition does not exist.",
            ));
        }
        tx.commit()?;
        Ok(())
    }
}
