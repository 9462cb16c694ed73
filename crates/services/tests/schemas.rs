//! The Schema Registry through the real pipeline over restJson1: routes, status codes,
//! `X-Amzn-ErrorType` errors, and discovery of the events a bus accepts.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_events::{BusObserver, Catalog, Events, SimClock};
use openwatch_schemas::Schemas;
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient, TestResponse};
use openwatch_wire::{Registry, Service};
use serde_json::{Value, json};

const START: i64 = 1_764_400_000_000;

const OPENAPI: &str = r#"{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Order"},"paths":{},"components":{"schemas":{"Order":{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"total":{"type":"number","nullable":true}}}}}}"#;

/// What the server's link does: bus events to discovery.
struct Link(Arc<Schemas>);

impl BusObserver for Link {
    fn observe(&self, account: &str, region: &str, bus: &str, event: &Value) {
        self.0.observe(account, region, bus, event);
    }
}

struct Fixture {
    client: TestClient,
    schemas: Arc<Schemas>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let clock = Arc::new(SimClock::new(START));
    let events = Arc::new(
        Events::open(
            Arc::clone(&catalog),
            &dir.path().join("events"),
            clock.clone(),
        )
        .unwrap(),
    );
    let schemas = Arc::new(Schemas::open(catalog, clock.clone()).unwrap());
    events.set_observer(Arc::new(Link(Arc::clone(&schemas))));
    let mut registry = Registry::new();
    openwatch_services::events::register(&mut registry, Arc::clone(&events));
    openwatch_services::schemas::register(&mut registry, Arc::clone(&schemas));
    let c = clock.clone();
    let client = TestClient::new(
        registry,
        Arc::new(move || openwatch_events::Clock::now_millis(&*c)),
    );
    Fixture {
        client,
        schemas,
        _dir: dir,
    }
}

impl Fixture {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> TestResponse {
        self.client.rest(Service::Schemas, method, path, body).await
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let r = self.call(method, path, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text());
        if r.body.is_empty() {
            Value::Null
        } else {
            r.json()
        }
    }

    async fn err(&self, method: &str, path: &str, body: Option<Value>) -> (u16, String, String) {
        let r = self.call(method, path, body).await;
        assert!(r.status >= 400, "{method} {path}: {}", r.text());
        let code = r.header("x-amzn-errortype").unwrap_or_default().to_owned();
        let v = r.json();
        assert_eq!(v["Code"], code.as_str(), "the body repeats the code");
        (
            r.status,
            code,
            v["Message"].as_str().unwrap_or_default().to_owned(),
        )
    }
}

#[tokio::test]
async fn registries_over_rest() {
    let f = fixture();
    let created = f
        .ok(
            "POST",
            "/v1/registries/name/orders",
            Some(json!({"Description": "order events", "tags": {"team": "a"}})),
            201,
        )
        .await;
    assert_eq!(
        created["RegistryArn"],
        format!("arn:aws:schemas:us-east-1:{TEST_ACCOUNT}:registry/orders")
    );
    assert_eq!(created["tags"]["team"], "a");
    let (status, code, _) = f.err("POST", "/v1/registries/name/orders", None).await;
    assert_eq!((status, code.as_str()), (409, "ConflictException"));
    let d = f.ok("GET", "/v1/registries/name/orders", None, 200).await;
    assert_eq!(d["Description"], "order events");
    let u = f
        .ok(
            "PUT",
            "/v1/registries/name/orders",
            Some(json!({"Description": "new"})),
            200,
        )
        .await;
    assert_eq!(u["Description"], "new");
    let l = f
        .ok("GET", "/v1/registries?scope=Local&limit=10", None, 200)
        .await;
    assert_eq!(l["Registries"].as_array().unwrap().len(), 1);
    let all = f.ok("GET", "/v1/registries", None, 200).await;
    let names: Vec<&str> = all["Registries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RegistryName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aws.events", "orders"]);
    let (status, code, _) = f.err("GET", "/v1/registries?limit=0", None).await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    let (status, code, _) = f.err("GET", "/v1/registries?limit=abc", None).await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    let (status, code, _) = f
        .err("DELETE", "/v1/registries/name/aws.events", None)
        .await;
    assert_eq!((status, code.as_str()), (403, "ForbiddenException"));
    let r = f.call("DELETE", "/v1/registries/name/orders", None).await;
    assert_eq!(r.status, 204);
    let (status, code, message) = f.err("GET", "/v1/registries/name/orders", None).await;
    assert_eq!((status, code.as_str()), (404, "NotFoundException"));
    assert!(message.contains("orders"), "{message}");
    // An unrouted path.
    let (status, _, _) = f.err("GET", "/v1/nothing", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn schemas_versions_search_export_and_tags() {
    let f = fixture();
    f.ok("POST", "/v1/registries/name/reg", None, 201).await;
    let path = "/v1/registries/name/reg/schemas/name/Order";
    let (status, code, _) = f.err("POST", path, Some(json!({"Type": "OpenApi3"}))).await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    let (status, code, _) = f
        .err(
            "POST",
            path,
            Some(json!({"Type": "OpenApi3", "Content": "{\"openapi\":\"2.0\"}"})),
        )
        .await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    let c = f
        .ok(
            "POST",
            path,
            Some(json!({"Type": "OpenApi3", "Content": OPENAPI, "Description": "d"})),
            201,
        )
        .await;
    assert_eq!(c["SchemaVersion"], "1");
    assert_eq!(c["Type"], "OpenApi3");
    assert_eq!(
        c["SchemaArn"],
        format!("arn:aws:schemas:us-east-1:{TEST_ACCOUNT}:schema/reg/Order")
    );
    assert_eq!(c["VersionCreatedDate"], "2025-11-29T07:06:40.000Z");
    let v2 = OPENAPI.replace("\"total\"", "\"sum\"");
    let u = f.ok("PUT", path, Some(json!({"Content": v2})), 200).await;
    assert_eq!(u["SchemaVersion"], "2");
    let d = f.ok("GET", path, None, 200).await;
    assert_eq!(d["SchemaVersion"], "2");
    assert_eq!(d["Content"], v2.as_str());
    let d1 = f
        .ok("GET", &format!("{path}?schemaVersion=1"), None, 200)
        .await;
    assert_eq!(d1["Content"], OPENAPI);
    let (status, code, _) = f.err("GET", &format!("{path}?schemaVersion=7"), None).await;
    assert_eq!((status, code.as_str()), (404, "NotFoundException"));
    let versions = f.ok("GET", &format!("{path}/versions"), None, 200).await;
    assert_eq!(versions["SchemaVersions"].as_array().unwrap().len(), 2);
    let list = f
        .ok(
            "GET",
            "/v1/registries/name/reg/schemas?schemaNamePrefix=Ord",
            None,
            200,
        )
        .await;
    assert_eq!(list["Schemas"][0]["VersionCount"], 2);
    let found = f
        .ok(
            "GET",
            "/v1/registries/name/reg/schemas/search?keywords=sum",
            None,
            200,
        )
        .await;
    assert_eq!(found["Schemas"][0]["SchemaName"], "Order");
    assert_eq!(
        found["Schemas"][0]["SchemaVersions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let (status, code, _) = f
        .err("GET", "/v1/registries/name/reg/schemas/search", None)
        .await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    let e = f
        .ok(
            "GET",
            &format!("{path}/export?type=JSONSchemaDraft4&schemaVersion=1"),
            None,
            200,
        )
        .await;
    assert_eq!(e["Type"], "JSONSchemaDraft4");
    assert_eq!(e["SchemaVersion"], "1");
    let exported: Value = serde_json::from_str(e["Content"].as_str().unwrap()).unwrap();
    assert_eq!(
        exported["$schema"],
        "http://json-schema.org/draft-04/schema#"
    );
    assert_eq!(
        exported["properties"]["total"]["type"],
        json!(["number", "null"])
    );
    // Tags on the schema ARN (percent-encoded in the path, as the SDKs send it).
    let arn = c["SchemaArn"].as_str().unwrap();
    let enc: String = form_encode(arn);
    let r = f
        .call(
            "POST",
            &format!("/tags/{enc}"),
            Some(json!({"tags": {"a": "1", "b": "2"}})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = f
        .call("DELETE", &format!("/tags/{enc}?tagKeys=a"), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let tags = f.ok("GET", &format!("/tags/{enc}"), None, 200).await;
    assert_eq!(tags["tags"], json!({"b": "2"}));
    let (status, code, _) = f.err("DELETE", &format!("/tags/{enc}"), None).await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
    // Versions: the latest cannot go alone; an older one can; then the schema.
    let (status, _, _) = f.err("DELETE", &format!("{path}/version/2"), None).await;
    assert_eq!(status, 400);
    assert_eq!(
        f.call("DELETE", &format!("{path}/version/1"), None)
            .await
            .status,
        204
    );
    assert_eq!(f.call("DELETE", path, None).await.status, 204);
    let (status, _, _) = f.err("GET", path, None).await;
    assert_eq!(status, 404);
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn discovery_produces_a_schema_from_put_events() {
    let f = fixture();
    let bus = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/default");
    let d = f
        .ok(
            "POST",
            "/v1/discoverers",
            Some(json!({"SourceArn": bus, "Description": "all"})),
            201,
        )
        .await;
    assert_eq!(d["DiscovererId"], "events-event-bus-default");
    assert_eq!(d["State"], "STARTED");
    assert_eq!(d["CrossAccount"], true);
    let (status, code, _) = f
        .err("POST", "/v1/discoverers", Some(json!({"SourceArn": bus})))
        .await;
    assert_eq!((status, code.as_str()), (409, "ConflictException"));
    let (status, code, _) = f.err("POST", "/v1/discoverers", Some(json!({}))).await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));

    let r = f
        .client
        .json(
            Service::Events,
            "PutEvents",
            json!({"Entries": [
                {"Source": "com.shop", "DetailType": "Order Placed",
                 "Detail": "{\"orderId\":\"o-1\",\"amount\":3,\"items\":[{\"sku\":\"a\"}]}"},
                {"Source": "com.shop", "DetailType": "Order Placed",
                 "Detail": "{\"orderId\":\"o-2\",\"amount\":4,\"items\":[]}"}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    f.schemas.flush_discovery();
    let list = f
        .ok(
            "GET",
            "/v1/registries/name/discovered-schemas/schemas",
            None,
            200,
        )
        .await;
    assert_eq!(list["Schemas"][0]["SchemaName"], "com.shop@OrderPlaced");
    assert_eq!(list["Schemas"][0]["VersionCount"], 1);
    let s = f
        .ok(
            "GET",
            "/v1/registries/name/discovered-schemas/schemas/name/com.shop@OrderPlaced",
            None,
            200,
        )
        .await;
    assert_eq!(s["Type"], "OpenApi3");
    let doc: Value = serde_json::from_str(s["Content"].as_str().unwrap()).unwrap();
    let c = &doc["components"]["schemas"];
    assert_eq!(c["AWSEvent"]["x-amazon-events-source"], "com.shop");
    assert_eq!(c["OrderPlaced"]["properties"]["amount"]["type"], "integer");
    assert_eq!(
        c["OrderPlaced"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/ItemsItem"
    );
    // Stopped: nothing new is discovered.
    let stop = f
        .ok(
            "POST",
            "/v1/discoverers/id/events-event-bus-default/stop",
            None,
            200,
        )
        .await;
    assert_eq!(stop["State"], "STOPPED");
    f.client
        .json(
            Service::Events,
            "PutEvents",
            json!({"Entries": [{"Source": "com.shop", "DetailType": "Refund", "Detail": "{}"}]}),
        )
        .await;
    f.schemas.flush_discovery();
    let list = f
        .ok(
            "GET",
            "/v1/registries/name/discovered-schemas/schemas",
            None,
            200,
        )
        .await;
    assert_eq!(list["Schemas"].as_array().unwrap().len(), 1);
    let listed = f
        .ok(
            "GET",
            "/v1/discoverers?discovererIdPrefix=events-",
            None,
            200,
        )
        .await;
    assert_eq!(listed["Discoverers"][0]["State"], "STOPPED");
    let u = f
        .ok(
            "PUT",
            "/v1/discoverers/id/events-event-bus-default",
            Some(json!({"CrossAccount": false})),
            200,
        )
        .await;
    assert_eq!(u["CrossAccount"], false);
    assert_eq!(
        f.call(
            "DELETE",
            "/v1/discoverers/id/events-event-bus-default",
            None
        )
        .await
        .status,
        204
    );
    let (status, code, _) = f
        .err("GET", "/v1/discoverers/id/events-event-bus-default", None)
        .await;
    assert_eq!((status, code.as_str()), (404, "NotFoundException"));
}

#[tokio::test]
async fn get_discovered_schema() {
    let f = fixture();
    let event = json!({"source": "s", "detail-type": "T", "detail": {"a": true}}).to_string();
    let r = f
        .ok(
            "POST",
            "/v1/discover",
            Some(json!({"Type": "OpenApi3", "Events": [event]})),
            200,
        )
        .await;
    let doc: Value = serde_json::from_str(r["Content"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["components"]["schemas"]["T"]["properties"]["a"]["type"],
        "boolean"
    );
    let (status, code, _) = f
        .err(
            "POST",
            "/v1/discover",
            Some(json!({"Type": "OpenApi3", "Events": ["{}"]})),
        )
        .await;
    assert_eq!((status, code.as_str()), (400, "BadRequestException"));
}
