//! Discoverers and schema discovery from sample events.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::*;

#[test]
fn discoverer_lifecycle() {
    let mut f = fx();
    let s = &f.schemas;
    let bus = format!("arn:aws:events:{R}:{A}:event-bus/orders");
    let d = s
        .create_discoverer(
            A,
            R,
            CreateDiscoverer {
                source_arn: bus.clone(),
                description: Some("d".into()),
                ..CreateDiscoverer::default()
            },
        )
        .unwrap();
    assert_eq!(d.id, "events-event-bus-orders");
    assert_eq!(
        d.arn,
        format!("arn:aws:schemas:{R}:{A}:discoverer/events-event-bus-orders")
    );
    assert_eq!(d.state, DiscovererState::STARTED);
    assert!(d.cross_account);
    // The discovered registry comes with the first discoverer.
    s.describe_registry(A, R, DISCOVERED_REGISTRY).unwrap();
    let dup = CreateDiscoverer {
        source_arn: bus.clone(),
        ..CreateDiscoverer::default()
    };
    assert_eq!(
        s.create_discoverer(A, R, dup).unwrap_err().code(),
        "ConflictException"
    );
    for bad in [
        "arn:aws:sqs:us-east-1:111122223333:q".to_owned(),
        format!("arn:aws:events:eu-west-1:{A}:event-bus/x"),
        "short".to_owned(),
    ] {
        let input = CreateDiscoverer {
            source_arn: bad,
            ..CreateDiscoverer::default()
        };
        assert_eq!(
            s.create_discoverer(A, R, input).unwrap_err().code(),
            "BadRequestException"
        );
    }
    let stopped = s
        .set_discoverer_state(A, R, &d.id, DiscovererState::STOPPED)
        .unwrap();
    assert_eq!(stopped.state, DiscovererState::STOPPED);
    let updated = s.update_discoverer(A, R, &d.id, None, Some(false)).unwrap();
    assert!(!updated.cross_account);
    assert_eq!(updated.description.as_deref(), Some("d"));
    let listed = s
        .list_discoverers(A, R, Some("events-"), Some(&bus), None, None)
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    f.reopen();
    let s = &f.schemas;
    assert_eq!(
        s.describe_discoverer(A, R, &d.id).unwrap().state,
        DiscovererState::STOPPED
    );
    s.delete_discoverer(A, R, &d.id).unwrap();
    assert_eq!(
        s.describe_discoverer(A, R, &d.id).unwrap_err().code(),
        "NotFoundException"
    );
}

fn discovered(s: &Schemas, name: &str) -> (Schema, Value) {
    let (schema, v) = s
        .describe_schema(A, R, DISCOVERED_REGISTRY, name, None)
        .unwrap();
    (schema, serde_json::from_str(&v.content).unwrap())
}

#[test]
fn discovery_produces_a_schema_from_sample_events() {
    let mut f = fx();
    let s = &f.schemas;
    // Without a discoverer nothing is discovered.
    s.observe(
        A,
        R,
        "default",
        &event("shop", "Order Placed", A, json!({"id": 1})),
    );
    s.flush_discovery();
    assert!(
        s.describe_registry(A, R, DISCOVERED_REGISTRY).is_err(),
        "no discoverer, no registry"
    );
    s.create_discoverer(
        A,
        R,
        CreateDiscoverer {
            source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
            ..CreateDiscoverer::default()
        },
    )
    .unwrap();
    for i in 0..3 {
        let detail = json!({"orderId": format!("o-{i}"), "amount": i, "customer": {"name": "n"}});
        s.observe(A, R, "default", &event("shop", "Order Placed", A, detail));
    }
    // Another bus is not watched.
    s.observe(
        A,
        R,
        "other",
        &event("shop", "Other Thing", A, json!({"x": 1})),
    );
    s.flush_discovery();
    let (schema, doc) = discovered(s, "shop@OrderPlaced");
    assert_eq!(schema.versions.len(), 1, "one shape, one version");
    assert_eq!(doc["openapi"], "3.0.0");
    assert_eq!(doc["info"]["title"], "OrderPlaced");
    let c = &doc["components"]["schemas"];
    assert_eq!(c["AWSEvent"]["x-amazon-events-source"], "shop");
    assert_eq!(c["AWSEvent"]["x-amazon-events-detail-type"], "Order Placed");
    assert_eq!(c["OrderPlaced"]["properties"]["amount"]["type"], "integer");
    assert_eq!(c["Customer"]["properties"]["name"]["type"], "string");
    assert!(
        s.describe_schema(A, R, DISCOVERED_REGISTRY, "shop@OtherThing", None)
            .is_err()
    );

    // A new field makes version 2; the same shape again makes nothing.
    f.clock.advance(std::time::Duration::from_secs(1));
    let detail = json!({"orderId": "o", "amount": 2.5, "customer": {"name": "n"}, "coupon": "c"});
    s.observe(
        A,
        R,
        "default",
        &event("shop", "Order Placed", A, detail.clone()),
    );
    s.observe(A, R, "default", &event("shop", "Order Placed", A, detail));
    s.flush_discovery();
    let (schema, doc) = discovered(s, "shop@OrderPlaced");
    assert_eq!(schema.versions.len(), 2);
    let top = &doc["components"]["schemas"]["OrderPlaced"];
    assert_eq!(top["properties"]["amount"]["type"], "number");
    assert_eq!(top["properties"]["coupon"]["type"], "string");
    assert!(
        !top["required"]
            .as_array()
            .unwrap()
            .contains(&json!("coupon")),
        "coupon was not in every event"
    );
    // Discovered schemas persist, and discovery goes on merging after a restart.
    f.reopen();
    let s = &f.schemas;
    s.observe(
        A,
        R,
        "default",
        &event("shop", "Order Placed", A, json!({"orderId": "x"})),
    );
    s.flush_discovery();
    let (schema, doc) = discovered(s, "shop@OrderPlaced");
    assert_eq!(
        schema.versions.len(),
        3,
        "fewer fields change what is required"
    );
    let top = &doc["components"]["schemas"]["OrderPlaced"];
    assert_eq!(top["required"], json!(["orderId"]));
    assert_eq!(top["properties"]["coupon"]["type"], "string");
}

#[test]
fn stopped_and_cross_account_discoverers() {
    let f = fx();
    let s = &f.schemas;
    let d = s
        .create_discoverer(
            A,
            R,
            CreateDiscoverer {
                source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
                cross_account: Some(false),
                ..CreateDiscoverer::default()
            },
        )
        .unwrap();
    assert!(s.watches(A, R, "default"));
    assert!(!s.watches(A, R, "other"));
    s.observe(
        A,
        R,
        "default",
        &event("x", "From Elsewhere", "444455556666", json!({"a": 1})),
    );
    s.set_discoverer_state(A, R, &d.id, DiscovererState::STOPPED)
        .unwrap();
    assert!(!s.watches(A, R, "default"));
    s.observe(
        A,
        R,
        "default",
        &event("x", "While Stopped", A, json!({"a": 1})),
    );
    s.flush_discovery();
    let names: Vec<String> = s
        .list_schemas(A, R, DISCOVERED_REGISTRY, None, None, None)
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(names.is_empty(), "{names:?}");
    s.set_discoverer_state(A, R, &d.id, DiscovererState::STARTED)
        .unwrap();
    s.update_discoverer(A, R, &d.id, None, Some(true)).unwrap();
    s.observe(
        A,
        R,
        "default",
        &event("x", "From Elsewhere", "444455556666", json!({"a": 1})),
    );
    s.flush_discovery();
    discovered(s, "x@FromElsewhere");
}

#[test]
fn discovered_versions_are_bounded() {
    let f = fx();
    let s = &f.schemas;
    s.create_discoverer(
        A,
        R,
        CreateDiscoverer {
            source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
            ..CreateDiscoverer::default()
        },
    )
    .unwrap();
    let n = crate::discovery::MAX_DISCOVERED_VERSIONS + 20;
    for i in 0..n {
        let mut detail = json!({});
        detail[format!("field{i}")] = json!(1);
        s.observe(A, R, "default", &event("grow", "Grows", A, detail));
        if i % 500 == 0 {
            s.flush_discovery();
        }
    }
    s.flush_discovery();
    let (schema, _) = discovered(s, "grow@Grows");
    assert_eq!(
        schema.versions.len(),
        crate::discovery::MAX_DISCOVERED_VERSIONS
    );
    assert_eq!(schema.last_version, n as u64);
    assert_eq!(schema.versions[0].version, 21);
}
