//! The links between EventBridge and the Schema Registry: every event a bus accepts goes to
//! schema discovery ([`BusToDiscovery`]), CreateDiscoverer checks buses against EventBridge
//! ([`EventBuses`]), and each new schema version is published on the default bus as AWS's
//! "Schema Created" / "Schema Version Created" events ([`SchemaEventsToBus`]). Discovery's
//! observer only filters, hashes and queues on the request path; the Schemas domain infers on its
//! own thread. The adapters hold weak references: EventBridge and the Schema Registry point at
//! each other through them, and strong ones would keep both (and the catalog) alive forever.

use std::sync::{Arc, Weak};

use openwatch_events::{BusObserver, Events};
use openwatch_schemas::names::iso8601;
use openwatch_schemas::{BusDirectory, Schema, SchemaEvents, Schemas, Version};
use serde_json::{Value, json};

/// The `source` of the Schema Registry's events.
pub const SCHEMAS_SOURCE: &str = "aws.schemas";

/// EventBridge's observer that feeds schema discovery.
pub struct BusToDiscovery(pub Weak<Schemas>);

impl BusObserver for BusToDiscovery {
    fn observe(&self, account: &str, region: &str, bus: &str, event: &Value) {
        if let Some(s) = self.0.upgrade() {
            s.observe(account, region, bus, event);
        }
    }

    fn watches(&self, account: &str, region: &str, bus: &str) -> bool {
        self.0
            .upgrade()
            .is_some_and(|s| s.watches(account, region, bus))
    }
}

/// The buses EventBridge has, for CreateDiscoverer.
pub struct EventBuses(pub Weak<Events>);

impl BusDirectory for EventBuses {
    fn bus_exists(&self, account: &str, region: &str, bus: &str) -> bool {
        self.0
            .upgrade()
            .is_some_and(|e| e.describe_event_bus(account, region, Some(bus)).is_ok())
    }
}

/// Publishes new schema versions on the account's default bus.
pub struct SchemaEventsToBus(pub Weak<Events>);

impl SchemaEvents for SchemaEventsToBus {
    fn version_created(
        &self,
        account: &str,
        region: &str,
        schema: &Schema,
        version: &Version,
        created: bool,
    ) {
        let Some(events) = self.0.upgrade() else {
            return;
        };
        if !events.default_bus_has_routes(account, region) {
            return;
        }
        let detail = json!({
            "SchemaName": schema.name,
            "SchemaType": version.schema_type.as_str(),
            "RegistryName": schema.registry,
            "CreationDate": iso8601(version.created_millis),
            "Version": version.version,
        });
        let resources = [schema.arn.clone()];
        let mut kinds = vec!["Schema Version Created"];
        if created {
            kinds.insert(0, "Schema Created");
        }
        for detail_type in kinds {
            if let Err(e) = events.put_internal(
                account,
                region,
                SCHEMAS_SOURCE,
                detail_type,
                detail.clone(),
                &resources,
            ) {
                tracing::warn!(%account, %region, schema = %schema.arn, error = %e, "cannot publish {detail_type}");
            }
        }
    }
}

/// Connects discovery to the buses, and schema versions to the default bus.
pub fn connect(events: &Arc<Events>, schemas: &Arc<Schemas>) {
    events.set_observer(Arc::new(BusToDiscovery(Arc::downgrade(schemas))));
    schemas.set_bus_directory(Arc::new(EventBuses(Arc::downgrade(events))));
    schemas.set_schema_events(Arc::new(SchemaEventsToBus(Arc::downgrade(events))));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use openwatch_events::{Catalog, SimClock};
    use openwatch_schemas::CreateSchema;

    use super::*;

    const A: &str = "111122223333";
    const R: &str = "us-east-1";

    #[test]
    fn schema_versions_reach_the_default_bus_and_discovery() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Arc::new(Catalog::open(&dir.path().join("c.redb")).unwrap());
        let clock = Arc::new(SimClock::new(1_764_400_000_000));
        let events = Arc::new(
            Events::open(Arc::clone(&catalog), &dir.path().join("e"), clock.clone()).unwrap(),
        );
        let schemas = Arc::new(Schemas::open(catalog, clock).unwrap());
        connect(&events, &schemas);
        // A discoverer on the default bus sees the registry's own events.
        schemas
            .create_discoverer(
                A,
                R,
                openwatch_schemas::CreateDiscoverer {
                    source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
                    ..Default::default()
                },
            )
            .unwrap();
        // Creating a discoverer on a bus that does not exist is refused.
        let missing = schemas.create_discoverer(
            A,
            R,
            openwatch_schemas::CreateDiscoverer {
                source_arn: format!("arn:aws:events:{R}:{A}:event-bus/nope"),
                ..Default::default()
            },
        );
        assert_eq!(missing.unwrap_err().code(), "BadRequestException");
        schemas
            .create_registry(A, R, "reg", None, Default::default())
            .unwrap();
        let content = r#"{"openapi":"3.0.0","info":{"title":"E","version":"1"},"paths":{}}"#;
        schemas
            .create_schema(
                A,
                R,
                "reg",
                "E",
                CreateSchema {
                    content: content.into(),
                    schema_type: "OpenApi3".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        schemas.flush_discovery();
        schemas.flush_discovery();
        let names: Vec<String> = schemas
            .list_schemas(A, R, "discovered-schemas", None, None, None)
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert!(
            names.contains(&"aws.schemas@SchemaCreated".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"aws.schemas@SchemaVersionCreated".to_owned()),
            "{names:?}"
        );
        let (_, v) = schemas
            .describe_schema(
                A,
                R,
                "discovered-schemas",
                "aws.schemas@SchemaCreated",
                None,
            )
            .unwrap();
        let doc: Value = serde_json::from_str(&v.content).unwrap();
        let detail = &doc["components"]["schemas"]["SchemaCreated"]["properties"];
        assert_eq!(detail["Version"]["type"], "integer");
        assert_eq!(detail["CreationDate"]["format"], "date-time");
    }
}
