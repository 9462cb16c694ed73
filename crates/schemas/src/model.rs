//! The stored records: registries, schemas with their versions, and discoverers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::infer::Shape;

/// The AWS-owned registry every `(account, region)` sees; read-only here.
pub const AWS_REGISTRY: &str = "aws.events";
/// The registry schema discovery writes to, created with an account's first discoverer.
pub const DISCOVERED_REGISTRY: &str = "discovered-schemas";

/// Resource tags.
pub type Tags = BTreeMap<String, String>;

/// A schema registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub tags: Tags,
    pub created_millis: i64,
}

/// How a schema's content is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchemaType {
    OpenApi3,
    JSONSchemaDraft4,
}

impl SchemaType {
    /// The API's name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::OpenApi3 => "OpenApi3",
            SchemaType::JSONSchemaDraft4 => "JSONSchemaDraft4",
        }
    }

    /// Parses the API's name; `None` for anything else.
    pub fn parse(s: &str) -> Option<SchemaType> {
        match s {
            "OpenApi3" => Some(SchemaType::OpenApi3),
            "JSONSchemaDraft4" => Some(SchemaType::JSONSchemaDraft4),
            _ => None,
        }
    }
}

/// One version of a schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, … in creation order; numbers of deleted versions are not reused.
    pub version: u64,
    pub schema_type: SchemaType,
    pub content: String,
    pub created_millis: i64,
}

/// A schema and every version it keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub registry: String,
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub tags: Tags,
    pub last_modified_millis: i64,
    /// Oldest first; never empty.
    pub versions: Vec<Version>,
    /// The highest version number ever given.
    pub last_version: u64,
    /// For discovered schemas: the merged shape of every event seen, which the latest version
    /// renders. A new event whose shape merges to the same value adds no version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered: Option<Shape>,
    /// The `ClientTokenId` of the last UpdateSchema: a retry with it changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_client_token: Option<String>,
}

impl Schema {
    /// The newest version.
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The version numbered `v`.
    pub fn version(&self, v: u64) -> Option<&Version> {
        self.versions.iter().find(|x| x.version == v)
    }
}

/// Whether a discoverer is watching its bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscovererState {
    STARTED,
    STOPPED,
}

impl DiscovererState {
    /// The API's name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            DiscovererState::STARTED => "STARTED",
            DiscovererState::STOPPED => "STOPPED",
        }
    }
}

/// A discoverer: schema discovery on one event bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discoverer {
    pub id: String,
    pub arn: String,
    pub source_arn: String,
    /// The bus the source ARN names.
    pub bus: String,
    pub description: Option<String>,
    pub state: DiscovererState,
    /// Whether events other accounts send to the bus are discovered too.
    pub cross_account: bool,
    pub tags: Tags,
    pub created_millis: i64,
}

/// A page of a listing and the token for the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}
