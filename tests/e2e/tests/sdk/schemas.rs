//! The EventBridge Schema Registry (restJson1) through aws-sdk-schemas: registries, schemas with
//! versions and export, tags, modeled errors (`X-Amzn-ErrorType`), and a discoverer on the default
//! bus that turns PutEvents (aws-sdk-eventbridge) into a discovered schema that survives a restart.

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_schemas::error::ProvideErrorMetadata;
use aws_sdk_schemas::types::{DiscovererState, Type};
use serde_json::Value;

use openwatch_e2e::{REGION, TestServer, eventually, expect_err, ok, sdk_config, service_error};

const CONTENT: &str = r#"{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Order"},"paths":{},"components":{"schemas":{"Order":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}}}}"#;

fn schemas_client(server: &TestServer) -> aws_sdk_schemas::Client {
    aws_sdk_schemas::Client::new(&sdk_config(&server.endpoint(), &server.root_keys()))
}

#[tokio::test]
async fn registries_schemas_versions_export_and_tags() {
    let server = TestServer::start().await;
    let schemas = schemas_client(&server);
    let account = server.account().to_owned();

    let reg = ok(
        schemas
            .create_registry()
            .registry_name("orders")
            .description("order events")
            .tags("team", "a")
            .send()
            .await,
        "CreateRegistry",
    );
    assert_eq!(
        reg.registry_arn(),
        Some(format!("arn:aws:schemas:{REGION}:{account}:registry/orders").as_str())
    );
    let err = expect_err(
        schemas
            .create_registry()
            .registry_name("orders")
            .send()
            .await,
        "CreateRegistry again",
    );
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_conflict_exception()),
        "{err:?}"
    );
    let info = service_error(&err, "CreateRegistry again");
    assert_eq!(
        (info.status, info.code.as_str()),
        (409, "ConflictException")
    );

    let created = ok(
        schemas
            .create_schema()
            .registry_name("orders")
            .schema_name("Order")
            .r#type(Type::OpenApi3)
            .content(CONTENT)
            .send()
            .await,
        "CreateSchema",
    );
    assert_eq!(created.schema_version(), Some("1"));
    assert!(created.version_created_date().is_some(), "{created:?}");
    let v2 = CONTENT.replace("\"id\"", "\"orderId\"");
    let updated = ok(
        schemas
            .update_schema()
            .registry_name("orders")
            .schema_name("Order")
            .content(&v2)
            .send()
            .await,
        "UpdateSchema",
    );
    assert_eq!(updated.schema_version(), Some("2"));
    let described = ok(
        schemas
            .describe_schema()
            .registry_name("orders")
            .schema_name("Order")
            .schema_version("1")
            .send()
            .await,
        "DescribeSchema v1",
    );
    assert_eq!(described.content(), Some(CONTENT));
    let versions = ok(
        schemas
            .list_schema_versions()
            .registry_name("orders")
            .schema_name("Order")
            .send()
            .await,
        "ListSchemaVersions",
    );
    assert_eq!(versions.schema_versions().len(), 2);
    let exported = ok(
        schemas
            .export_schema()
            .registry_name("orders")
            .schema_name("Order")
            .r#type("JSONSchemaDraft4")
            .send()
            .await,
        "ExportSchema",
    );
    let doc: Value = serde_json::from_str(exported.content().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(
        doc["$schema"], "http://json-schema.org/draft-04/schema#",
        "{doc}"
    );
    assert_eq!(doc["properties"]["orderId"]["type"], "string", "{doc}");

    let missing = expect_err(
        schemas
            .describe_schema()
            .registry_name("orders")
            .schema_name("Nope")
            .send()
            .await,
        "DescribeSchema of a missing schema",
    );
    assert!(
        missing
            .as_service_error()
            .is_some_and(|e| e.is_not_found_exception())
    );
    assert_eq!(missing.code(), Some("NotFoundException"));

    let arn = created.schema_arn().unwrap_or_default().to_owned();
    ok(
        schemas
            .tag_resource()
            .resource_arn(&arn)
            .tags("env", "prod")
            .tags("x", "y")
            .send()
            .await,
        "TagResource",
    );
    ok(
        schemas
            .untag_resource()
            .resource_arn(&arn)
            .tag_keys("x")
            .send()
            .await,
        "UntagResource",
    );
    let tags = ok(
        schemas
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await,
        "ListTagsForResource",
    );
    assert_eq!(tags.tags().map(|t| t.len()), Some(1), "{tags:?}");

    let registries = ok(schemas.list_registries().send().await, "ListRegistries");
    let names: Vec<&str> = registries
        .registries()
        .iter()
        .filter_map(|r| r.registry_name())
        .collect();
    assert_eq!(names, ["aws.events", "orders"]);
    ok(
        schemas
            .delete_schema()
            .registry_name("orders")
            .schema_name("Order")
            .send()
            .await,
        "DeleteSchema",
    );
    ok(
        schemas
            .delete_registry()
            .registry_name("orders")
            .send()
            .await,
        "DeleteRegistry",
    );
}

#[tokio::test]
async fn a_discoverer_turns_put_events_into_a_schema_that_survives_a_restart() {
    let server = TestServer::start().await;
    let account = server.account().to_owned();
    let schemas = schemas_client(&server);
    let d = ok(
        schemas
            .create_discoverer()
            .source_arn(format!(
                "arn:aws:events:{REGION}:{account}:event-bus/default"
            ))
            .send()
            .await,
        "CreateDiscoverer",
    );
    assert_eq!(d.state(), Some(&DiscovererState::Started));
    assert_eq!(d.discoverer_id(), Some("events-event-bus-default"));

    let events = server.root_clients().events;
    let entry = PutEventsRequestEntry::builder()
        .source("e2e.shop")
        .detail_type("Order Placed")
        .detail(r#"{"orderId":"o-1","total":12.5,"lines":[{"sku":"a","qty":1}]}"#)
        .build();
    let put = ok(events.put_events().entries(entry).send().await, "PutEvents");
    assert_eq!(put.failed_entry_count(), 0);

    let name = "e2e.shop@OrderPlaced";
    let content = eventually("the discovered schema", || {
        let schemas = schemas.clone();
        async move {
            schemas
                .describe_schema()
                .registry_name("discovered-schemas")
                .schema_name(name)
                .send()
                .await
                .ok()
                .and_then(|s| s.content().map(str::to_owned))
        }
    })
    .await;
    let doc: Value = serde_json::from_str(&content).unwrap_or_default();
    let c = &doc["components"]["schemas"];
    assert_eq!(c["AWSEvent"]["x-amazon-events-source"], "e2e.shop", "{doc}");
    assert_eq!(
        c["OrderPlaced"]["properties"]["total"]["type"], "number",
        "{doc}"
    );
    assert_eq!(
        c["OrderPlaced"]["properties"]["lines"]["items"]["$ref"], "#/components/schemas/LinesItem",
        "{doc}"
    );

    let server = server.restart().await;
    let schemas = schemas_client(&server);
    let listed = ok(
        schemas
            .list_schemas()
            .registry_name("discovered-schemas")
            .send()
            .await,
        "ListSchemas after restart",
    );
    assert!(
        listed
            .schemas()
            .iter()
            .any(|s| s.schema_name() == Some(name)),
        "{listed:?}"
    );
    let discoverer = ok(
        schemas
            .describe_discoverer()
            .discoverer_id("events-event-bus-default")
            .send()
            .await,
        "DescribeDiscoverer after restart",
    );
    assert_eq!(discoverer.state(), Some(&DiscovererState::Started));
}
