//! Domain tests: registries, schemas and versions, tags, restart; `discovery` has the
//! discoverer and discovery tests.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

mod discovery;

const A: &str = "111122223333";
const R: &str = "us-east-1";
const T0: i64 = 1_764_400_000_000;

const OPENAPI: &str = r#"{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Event"},"paths":{},"components":{"schemas":{"Event":{"type":"object","properties":{"name":{"type":"string"}}}}}}"#;

struct Fx {
    schemas: Schemas,
    clock: Arc<SimClock>,
    catalog: Arc<Catalog>,
    _dir: tempfile::TempDir,
}

fn fx() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("c.redb")).unwrap());
    let clock = Arc::new(SimClock::new(T0));
    let schemas = Schemas::open(Arc::clone(&catalog), clock.clone()).unwrap();
    Fx {
        schemas,
        clock,
        catalog,
        _dir: dir,
    }
}

impl Fx {
    fn reopen(&mut self) {
        self.schemas.close();
        self.schemas = Schemas::open(Arc::clone(&self.catalog), self.clock.clone()).unwrap();
    }
}

fn create(content: &str) -> CreateSchema {
    CreateSchema {
        content: content.to_owned(),
        description: None,
        schema_type: "OpenApi3".to_owned(),
        tags: Tags::new(),
    }
}

fn event(source: &str, dt: &str, account: &str, detail: Value) -> Value {
    json!({"version": "0", "id": "e-1", "detail-type": dt, "source": source, "account": account,
        "time": "2026-11-29T12:00:00Z", "region": R, "resources": [], "detail": detail})
}

#[test]
fn registry_lifecycle_and_aws_registry() {
    let f = fx();
    let s = &f.schemas;
    let r = s
        .create_registry(A, R, "orders", Some("d".into()), Tags::new())
        .unwrap();
    assert_eq!(r.arn, format!("arn:aws:schemas:{R}:{A}:registry/orders"));
    let e = s
        .create_registry(A, R, "orders", None, Tags::new())
        .unwrap_err();
    assert_eq!(e.code(), "ConflictException");
    assert_eq!(
        s.create_registry(A, R, "bad name", None, Tags::new())
            .unwrap_err()
            .code(),
        "BadRequestException"
    );
    assert_eq!(
        s.create_registry(A, R, "x", Some("d".repeat(257)), Tags::new())
            .unwrap_err()
            .code(),
        "BadRequestException"
    );
    assert_eq!(
        s.update_registry(A, R, "orders", Some("new".into()))
            .unwrap()
            .description
            .as_deref(),
        Some("new")
    );
    // The AWS registry exists, is listed under scope AWS, and cannot be changed.
    let aws = s.describe_registry(A, R, AWS_REGISTRY).unwrap();
    assert_eq!(
        aws.arn,
        format!("arn:aws:schemas:{R}:aws:registry/aws.events")
    );
    let names = |scope| {
        s.list_registries(A, R, None, scope, None, None)
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(None), ["aws.events", "orders"]);
    assert_eq!(names(Some("Local")), ["orders"]);
    assert_eq!(names(Some("AWS")), ["aws.events"]);
    assert_eq!(
        s.delete_registry(A, R, AWS_REGISTRY).unwrap_err().code(),
        "ForbiddenException"
    );
    assert_eq!(
        s.create_schema(A, R, AWS_REGISTRY, "x", create(OPENAPI))
            .unwrap_err()
            .code(),
        "ForbiddenException"
    );
    assert!(
        s.list_schemas(A, R, AWS_REGISTRY, None, None, None)
            .unwrap()
            .items
            .is_empty()
    );
    // Other accounts see none of it.
    assert_eq!(
        s.describe_registry("444455556666", R, "orders")
            .unwrap_err()
            .code(),
        "NotFoundException"
    );
    s.delete_registry(A, R, "orders").unwrap();
    assert_eq!(
        s.describe_registry(A, R, "orders").unwrap_err().code(),
        "NotFoundException"
    );
}

#[test]
fn pagination_of_registries() {
    let f = fx();
    for i in 0..5 {
        f.schemas
            .create_registry(A, R, &format!("r{i}"), None, Tags::new())
            .unwrap();
    }
    let p1 = f
        .schemas
        .list_registries(A, R, Some("r"), None, Some(2), None)
        .unwrap();
    assert_eq!(p1.items.len(), 2);
    let p2 = f
        .schemas
        .list_registries(A, R, Some("r"), None, Some(2), p1.next_token.as_deref())
        .unwrap();
    assert_eq!(p2.items[0].name, "r2");
    let p3 = f
        .schemas
        .list_registries(A, R, Some("r"), None, Some(2), p2.next_token.as_deref())
        .unwrap();
    assert_eq!(p3.items.len(), 1);
    assert!(p3.next_token.is_none());
}

#[test]
fn schema_versions_update_delete_export() {
    let mut f = fx();
    let s = &f.schemas;
    s.create_registry(A, R, "reg", None, Tags::new()).unwrap();
    assert_eq!(
        s.create_schema(A, R, "missing", "x", create(OPENAPI))
            .unwrap_err()
            .code(),
        "NotFoundException"
    );
    let bad = CreateSchema {
        content: "{\"type\":\"object\"}".into(),
        ..create(OPENAPI)
    };
    assert_eq!(
        s.create_schema(A, R, "reg", "x", bad).unwrap_err().code(),
        "BadRequestException"
    );
    let wrong_type = CreateSchema {
        schema_type: "Avro".into(),
        ..create(OPENAPI)
    };
    assert_eq!(
        s.create_schema(A, R, "reg", "x", wrong_type)
            .unwrap_err()
            .code(),
        "BadRequestException"
    );
    assert!(
        s.list_schemas(A, R, "reg", None, None, None)
            .unwrap()
            .items
            .is_empty(),
        "bad input stored nothing"
    );
    let created = s
        .create_schema(A, R, "reg", "Order", create(OPENAPI))
        .unwrap();
    assert_eq!(created.versions[0].version, 1);
    assert_eq!(
        created.arn,
        format!("arn:aws:schemas:{R}:{A}:schema/reg/Order")
    );
    assert_eq!(
        s.create_schema(A, R, "reg", "Order", create(OPENAPI))
            .unwrap_err()
            .code(),
        "ConflictException"
    );
    f.clock.advance(std::time::Duration::from_secs(60));
    let v2 = OPENAPI.replace("\"name\"", "\"title\"");
    let (_, latest) = s
        .update_schema(
            A,
            R,
            "reg",
            "Order",
            UpdateSchema {
                content: Some(v2.clone()),
                client_token: Some("tok".into()),
                ..UpdateSchema::default()
            },
        )
        .unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(latest.created_millis, T0 + 60_000);
    // A retry with the same client token, or a description, adds no version.
    let (_, again) = s
        .update_schema(
            A,
            R,
            "reg",
            "Order",
            UpdateSchema {
                content: Some(OPENAPI.into()),
                client_token: Some("tok".into()),
                ..UpdateSchema::default()
            },
        )
        .unwrap();
    assert_eq!(again.version, 2);
    let (schema, same) = s
        .update_schema(
            A,
            R,
            "reg",
            "Order",
            UpdateSchema {
                description: Some("orders".into()),
                ..UpdateSchema::default()
            },
        )
        .unwrap();
    assert_eq!(same.version, 2);
    assert_eq!(schema.description.as_deref(), Some("orders"));
    let (_, v1) = s.describe_schema(A, R, "reg", "Order", Some("1")).unwrap();
    assert_eq!(v1.content, OPENAPI);
    assert_eq!(
        s.describe_schema(A, R, "reg", "Order", Some("9"))
            .unwrap_err()
            .code(),
        "NotFoundException"
    );
    let (_, versions) = s
        .list_schema_versions(A, R, "reg", "Order", None, None)
        .unwrap();
    assert_eq!(versions.items.len(), 2);
    // Export to draft 4.
    let (_, _, exported) = s
        .export_schema(A, R, "reg", "Order", None, "JSONSchemaDraft4")
        .unwrap();
    let exported: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported["$schema"], export::DRAFT4);
    assert_eq!(exported["properties"]["title"]["type"], "string");
    assert_eq!(
        s.export_schema(A, R, "reg", "Order", None, "OpenApi3")
            .unwrap_err()
            .code(),
        "BadRequestException"
    );
    // Search by keyword in the content.
    let found = s.search_schemas(A, R, "reg", "TITLE", None, None).unwrap();
    assert_eq!(found.items.len(), 1);
    assert!(
        s.search_schemas(A, R, "reg", "nothing-like-it", None, None)
            .unwrap()
            .items
            .is_empty()
    );
    // The latest version cannot be deleted on its own; an older one can.
    assert_eq!(
        s.delete_schema_version(A, R, "reg", "Order", "2")
            .unwrap_err()
            .code(),
        "BadRequestException"
    );
    s.delete_schema_version(A, R, "reg", "Order", "1").unwrap();
    // Everything survives a restart.
    f.reopen();
    let s = &f.schemas;
    let (schema, latest) = s.describe_schema(A, R, "reg", "Order", None).unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(schema.versions.len(), 1);
    assert_eq!(schema.description.as_deref(), Some("orders"));
    s.delete_schema(A, R, "reg", "Order").unwrap();
    assert_eq!(
        s.describe_schema(A, R, "reg", "Order", None)
            .unwrap_err()
            .code(),
        "NotFoundException"
    );
}

#[test]
fn tags_on_every_resource_kind() {
    let f = fx();
    let s = &f.schemas;
    let r = s.create_registry(A, R, "reg", None, Tags::new()).unwrap();
    let tags: Tags = [("team".to_owned(), "a".to_owned())].into();
    s.tag_resource(A, R, &r.arn, tags.clone()).unwrap();
    assert_eq!(s.list_tags(A, R, &r.arn).unwrap(), tags);
    s.untag_resource(A, R, &r.arn, &["team".into()]).unwrap();
    assert!(s.list_tags(A, R, &r.arn).unwrap().is_empty());
    let missing = format!("arn:aws:schemas:{R}:{A}:registry/nope");
    assert_eq!(
        s.tag_resource(A, R, &missing, tags.clone())
            .unwrap_err()
            .code(),
        "NotFoundException"
    );
    let too_many: Tags = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
    assert_eq!(
        s.tag_resource(A, R, &r.arn, too_many).unwrap_err().code(),
        "BadRequestException"
    );
    let d = s
        .create_discoverer(
            A,
            R,
            CreateDiscoverer {
                source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
                tags: tags.clone(),
                ..CreateDiscoverer::default()
            },
        )
        .unwrap();
    assert_eq!(s.list_tags(A, R, &d.arn).unwrap(), tags);
}
