//! The links between domains, end to end through the real pipeline (TestClient) over real
//! domains on one data directory: metric filters → metrics, audited calls → the default bus,
//! EventBridge → log-group targets.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_events::Events;
use openwatch_iam::Iam;
use openwatch_logs::{LogStore, LogStoreOptions};
use openwatch_server::links::Links;
use openwatch_trail::{Trail, TrailOptions};
use openwatch_wire::Service;
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use serde_json::{Value, json};

mod common;

use common::{NOW, NOW_S};

struct World {
    client: TestClient,
    events: Arc<Events>,
    links: Links,
    /// The shared domains and their directory, kept for the test's length.
    _base: common::World,
}

/// The shared domains plus IAM, the trail and the log store, linked as the server links them,
/// behind every operation's facade.
fn world() -> World {
    let base = common::World::open();
    let p = base.dir.path();
    let clock = Arc::clone(&base.clock);
    let iam = Arc::new(Iam::open(Arc::clone(&base.catalog), Arc::clone(&clock)).unwrap());
    let trail = Arc::new(
        Trail::open(
            &p.join("trail"),
            Arc::clone(&clock),
            TrailOptions::default(),
        )
        .unwrap(),
    );
    let logs = Arc::new(
        LogStore::open(
            &p.join("logs"),
            Arc::clone(&base.catalog),
            Arc::clone(&clock),
            LogStoreOptions::default(),
        )
        .unwrap(),
    );
    let links = Links::connect(&logs, &base.metrics, &base.events, &clock);
    let domains = openwatch_services::Domains {
        alarms: Arc::clone(&base.alarms),
        iam,
        trail,
        metrics: Arc::clone(&base.metrics),
        logs,
        events: Arc::clone(&base.events),
    };
    let client = base.client(openwatch_services::registry(&domains));
    World {
        client,
        events: Arc::clone(&base.events),
        links,
        _base: base,
    }
}

impl World {
    async fn ok(&self, service: Service, op: &str, body: Value) -> Value {
        common::ok(&self.client, service, op, body).await
    }

    /// A rule on the default bus with one target `(id, arn)`.
    async fn rule_to(&self, rule: &str, pattern: &str, (id, arn): (&str, &str)) {
        let ev = Service::Events;
        self.ok(
            ev,
            "PutRule",
            json!({"Name": rule, "EventPattern": pattern}),
        )
        .await;
        let put = self
            .ok(
                ev,
                "PutTargets",
                json!({"Rule": rule, "Targets": [{"Id": id, "Arn": arn}]}),
            )
            .await;
        assert_eq!(put["FailedEntryCount"], 0, "{put}");
    }
}

#[tokio::test]
async fn metric_filter_values_reach_get_metric_statistics() {
    let w = world();
    let logs = Service::Logs;
    w.ok(logs, "CreateLogGroup", json!({"logGroupName": "app"}))
        .await;
    w.ok(
        logs,
        "CreateLogStream",
        json!({"logGroupName": "app", "logStreamName": "web-1"}),
    )
    .await;
    w.ok(
        logs,
        "PutMetricFilter",
        json!({"logGroupName": "app", "filterName": "latency",
               "filterPattern": "{ $.latency = * }",
               "metricTransformations": [{"metricName": "Latency", "metricNamespace": "MyApp",
                   "metricValue": "$.latency", "unit": "Milliseconds",
                   "dimensions": {"Route": "$.route"}}]}),
    )
    .await;
    w.ok(
        logs,
        "PutMetricFilter",
        json!({"logGroupName": "app", "filterName": "errors", "filterPattern": "ERROR",
               "metricTransformations": [{"metricName": "Errors", "metricNamespace": "MyApp",
                   "metricValue": "1", "defaultValue": 0}]}),
    )
    .await;
    let out = w
        .ok(
            logs,
            "PutLogEvents",
            json!({"logGroupName": "app", "logStreamName": "web-1", "logEvents": [
                {"timestamp": NOW - 50_000, "message": r#"{"latency": 10, "route": "/a"}"#},
                {"timestamp": NOW - 40_000, "message": r#"{"latency": 30, "route": "/a"}"#},
                {"timestamp": NOW - 30_000, "message": "ERROR disk full"},
                {"timestamp": NOW - 20_000, "message": r#"{"latency": 5, "route": "/b"}"#},
            ]}),
        )
        .await;
    assert!(out.get("rejectedLogEventsInfo").is_none(), "{out}");
    w.links.metrics.drain();

    let stats = w
        .ok(
            Service::CloudWatch,
            "GetMetricStatistics",
            json!({"Namespace": "MyApp", "MetricName": "Latency",
                   "Dimensions": [{"Name": "Route", "Value": "/a"}],
                   "StartTime": NOW_S - 600, "EndTime": NOW_S, "Period": 60,
                   "Statistics": ["SampleCount", "Sum", "Maximum"]}),
        )
        .await;
    let dps = stats["Datapoints"].as_array().unwrap();
    assert_eq!(dps.len(), 1, "{stats}");
    assert_eq!(dps[0]["SampleCount"], 2.0);
    assert_eq!(dps[0]["Sum"], 40.0);
    assert_eq!(dps[0]["Maximum"], 30.0);
    assert_eq!(dps[0]["Unit"], "Milliseconds");

    let errors = w
        .ok(
            Service::CloudWatch,
            "GetMetricStatistics",
            json!({"Namespace": "MyApp", "MetricName": "Errors",
                   "StartTime": NOW_S - 600, "EndTime": NOW_S, "Period": 60,
                   "Statistics": ["Sum"]}),
        )
        .await;
    assert_eq!(errors["Datapoints"][0]["Sum"], 1.0, "{errors}");
}

#[tokio::test]
async fn iam_calls_reach_rules_on_the_default_bus() {
    let w = world();
    let ev = Service::Events;
    let audit_bus = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/audit");
    w.ok(ev, "CreateEventBus", json!({"Name": "audit"})).await;
    w.ok(
        ev,
        "CreateArchive",
        json!({"ArchiveName": "iam-calls", "EventSourceArn": audit_bus}),
    )
    .await;
    w.rule_to(
        "iam-calls",
        r#"{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"]}"#,
        ("audit", &audit_bus),
    )
    .await;

    let r = w
        .client
        .query(Service::Iam, "CreateUser", &[("UserName", "alice")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // The TestClient's pipeline audits into memory; hand those calls to the link as the
    // server's TrailSink does.
    let audited: Vec<_> = std::mem::take(&mut *w.client.audit.0.lock());
    assert!(audited.iter().any(|e| e.operation == "CreateUser"));
    for e in audited {
        openwatch_wire::AuditSink::record(&*w.links.api_calls, e);
    }
    w.links.api_calls.drain();
    let pending = w.events.pending_deliveries();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let event: Value = serde_json::from_str(&pending[0].payload).unwrap();
    assert_eq!(event["source"], "aws.iam");
    assert_eq!(event["detail-type"], "AWS API Call via CloudTrail");
    assert_eq!(event["detail"]["eventName"], "CreateUser");
    assert_eq!(event["detail"]["eventSource"], "iam.amazonaws.com");
    assert_eq!(event["detail"]["requestParameters"]["userName"], "alice");

    let report = w.events.run_deliveries().unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let archive = w
        .ok(ev, "DescribeArchive", json!({"ArchiveName": "iam-calls"}))
        .await;
    assert_eq!(archive["EventCount"], 1, "{archive}");
}

#[tokio::test]
async fn events_delivered_to_a_log_group_target() {
    let w = world();
    let group = "/aws/events/orders";
    let arn = format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:{group}");
    w.ok(
        Service::Logs,
        "CreateLogGroup",
        json!({"logGroupName": group}),
    )
    .await;
    let ev = Service::Events;
    w.rule_to("orders", r#"{"source":["shop"]}"#, ("log", &arn))
        .await;
    let sent = w
        .ok(
            ev,
            "PutEvents",
            json!({"Entries": [{"Source": "shop", "DetailType": "OrderPlaced",
                                "Detail": r#"{"order": 42}"#}]}),
        )
        .await;
    let id = sent["Entries"][0]["EventId"].as_str().unwrap().to_owned();

    let report = w.events.run_deliveries().unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");

    let found = w
        .ok(
            Service::Logs,
            "FilterLogEvents",
            json!({"logGroupName": group, "filterPattern": "{ $.detail.order = 42 }"}),
        )
        .await;
    let events = found["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{found}");
    assert_eq!(events[0]["logStreamName"], id.as_str());
    let message: Value = serde_json::from_str(events[0]["message"].as_str().unwrap()).unwrap();
    assert_eq!(message["id"], id.as_str());
    assert_eq!(message["detail-type"], "OrderPlaced");
    assert_eq!(events[0]["timestamp"], NOW);

    // A log group that does not exist: the delivery fails and is retried.
    w.ok(
        ev,
        "PutTargets",
        json!({"Rule": "orders", "Targets": [{"Id": "gone",
               "Arn": format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:gone")}]}),
    )
    .await;
    w.ok(
        ev,
        "PutEvents",
        json!({"Entries": [{"Source": "shop", "DetailType": "OrderPlaced", "Detail": "{}"}]}),
    )
    .await;
    let report = w.events.run_deliveries().unwrap();
    assert_eq!((report.delivered, report.retried), (1, 1), "{report:?}");
}

/// The bus as the backbone: an audited IAM call goes onto the default bus, a rule sends it to a
/// log group, and a metric filter on that group counts it in the metrics engine.
#[tokio::test]
async fn an_api_call_becomes_a_log_event_and_a_metric() {
    let w = world();
    let group = "/aws/events/iam";
    let arn = format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:{group}");
    w.ok(
        Service::Logs,
        "CreateLogGroup",
        json!({"logGroupName": group}),
    )
    .await;
    w.ok(
        Service::Logs,
        "PutMetricFilter",
        json!({"logGroupName": group, "filterName": "users",
               "filterPattern": r#"{ $.detail.eventName = "CreateUser" }"#,
               "metricTransformations": [{"metricName": "UsersCreated",
                   "metricNamespace": "Security", "metricValue": "1"}]}),
    )
    .await;
    w.ok(
        Service::Events,
        "PutRule",
        json!({"Name": "iam", "EventPattern": r#"{"source":["aws.iam"]}"#}),
    )
    .await;
    w.ok(
        Service::Events,
        "PutTargets",
        json!({"Rule": "iam", "Targets": [{"Id": "log", "Arn": arn}]}),
    )
    .await;
    let r = w
        .client
        .query(Service::Iam, "CreateUser", &[("UserName", "bob")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for e in std::mem::take(&mut *w.client.audit.0.lock()) {
        openwatch_wire::AuditSink::record(&*w.links.api_calls, e);
    }
    w.links.api_calls.drain();
    assert_eq!(w.events.run_deliveries().unwrap().delivered, 1);
    w.links.metrics.drain();

    let stats = w
        .ok(
            Service::CloudWatch,
            "GetMetricStatistics",
            json!({"Namespace": "Security", "MetricName": "UsersCreated",
                   "StartTime": NOW_S - 600, "EndTime": NOW_S + 600, "Period": 60,
                   "Statistics": ["Sum"]}),
        )
        .await;
    assert_eq!(stats["Datapoints"][0]["Sum"], 1.0, "{stats}");
}

/// The server starts with every link connected and shuts down cleanly (the link queues drain
/// before the domains close).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_starts_and_stops_with_links() {
    let dir = tempfile::tempdir().unwrap();
    let config = openwatch_server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        dev: false,
        public_url: None,
        export_s3: None,
    };
    let server = openwatch_server::Server::start(config).await.unwrap();
    assert_ne!(server.local_addr().port(), 0);
    tokio::time::timeout(std::time::Duration::from_secs(30), server.shutdown())
        .await
        .expect("shutdown hangs")
        .unwrap();
}
