//! EventBridge through the real pipeline (JSON 1.1, `AWSEvents.*`): every operation, with AWS's
//! error codes and messages.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_events::{Catalog, Events, SimClock};
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};
use serde_json::{Value, json};

const START: i64 = 1_764_400_000_000;

struct Fixture {
    client: TestClient,
    events: Arc<Events>,
    clock: Arc<SimClock>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let clock = Arc::new(SimClock::new(START));
    let events =
        Arc::new(Events::open(catalog, &dir.path().join("events"), clock.clone()).unwrap());
    let mut registry = Registry::new();
    openwatch_services::events::register(&mut registry, Arc::clone(&events));
    let c = clock.clone();
    let client = TestClient::new(
        registry,
        Arc::new(move || openwatch_events::Clock::now_millis(&*c)),
    );
    Fixture {
        client,
        events,
        clock,
        _dir: dir,
    }
}

impl Fixture {
    async fn ok(&self, op: &str, body: Value) -> Value {
        let r = self.client.json(Service::Events, op, body).await;
        assert_eq!(r.status, 200, "{op}: {}", r.text());
        r.json()
    }

    async fn err(&self, op: &str, body: Value) -> (String, String) {
        let r = self.client.json(Service::Events, op, body).await;
        assert_eq!(r.status, 400, "{op}: {}", r.text());
        let v = r.json();
        let code = v["__type"].as_str().unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or_default().to_owned();
        let message = v["message"]
            .as_str()
            .or(v["Message"].as_str())
            .unwrap_or_default()
            .to_owned();
        (code, message)
    }
}

fn bus_arn(name: &str) -> String {
    format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/{name}")
}

#[tokio::test]
async fn event_bus_operations() {
    let f = fixture();
    let out = f
        .ok(
            "CreateEventBus",
            json!({"Name": "orders", "Description": "d", "Tags": [{"Key": "k", "Value": "v"}]}),
        )
        .await;
    assert_eq!(out["EventBusArn"], bus_arn("orders"));
    assert_eq!(
        f.err("CreateEventBus", json!({"Name": "orders"})).await,
        (
            "ResourceAlreadyExistsException".into(),
            "Event bus orders already exists.".into()
        )
    );
    let (code, msg) = f.err("CreateEventBus", json!({"Name": "bad name"})).await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains("Member must satisfy regular expression pattern"),
        "{msg}"
    );
    assert_eq!(
        f.err(
            "CreateEventBus",
            json!({"Name": "x", "KmsKeyIdentifier": "k"})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        f.err("CreateEventBus", json!({})).await.0,
        "ValidationException"
    );

    let d = f
        .ok("DescribeEventBus", json!({"Name": bus_arn("orders")}))
        .await;
    assert_eq!(d["Name"], "orders");
    assert_eq!(d["Description"], "d");
    assert_eq!(d["CreationTime"].as_f64(), Some(START as f64 / 1000.0));
    let def = f.ok("DescribeEventBus", json!({})).await;
    assert_eq!(def["Name"], "default");
    assert_eq!(def["Arn"], bus_arn("default"));
    assert_eq!(
        f.err("DescribeEventBus", json!({"Name": "nope"})).await,
        (
            "ResourceNotFoundException".into(),
            "Event bus nope does not exist.".into()
        )
    );

    f.ok("CreateEventBus", json!({"Name": "audit"})).await;
    let page = f.ok("ListEventBuses", json!({"Limit": 2})).await;
    let names: Vec<&str> = page["EventBuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["audit", "default"]);
    let next = f
        .ok(
            "ListEventBuses",
            json!({"Limit": 2, "NextToken": page["NextToken"]}),
        )
        .await;
    assert_eq!(next["EventBuses"][0]["Name"], "orders");
    assert!(next.get("NextToken").is_none());
    let prefixed = f.ok("ListEventBuses", json!({"NamePrefix": "au"})).await;
    assert_eq!(prefixed["EventBuses"].as_array().unwrap().len(), 1);
    assert_eq!(
        f.err("ListEventBuses", json!({"Limit": 0})).await.0,
        "ValidationException"
    );
    assert_eq!(
        f.err("ListEventBuses", json!({"NextToken": "zz"})).await.0,
        "ValidationException"
    );

    let up = f
        .ok(
            "UpdateEventBus",
            json!({"Name": "audit", "Description": "new"}),
        )
        .await;
    assert_eq!(up["Description"], "new");
    assert_eq!(up["Arn"], bus_arn("audit"));

    assert_eq!(
        f.err("DeleteEventBus", json!({"Name": "default"})).await,
        (
            "ValidationException".into(),
            "Cannot delete event bus default.".into()
        )
    );
    f.ok("DeleteEventBus", json!({"Name": "audit"})).await;
    f.ok("DeleteEventBus", json!({"Name": "audit"})).await;
    assert_eq!(
        f.err("DescribeEventBus", json!({"Name": "audit"})).await.0,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn rule_operations() {
    let f = fixture();
    let out = f
        .ok(
            "PutRule",
            json!({"Name": "r1", "EventPattern": "{\"source\":[\"shop\"]}", "Description": "d"}),
        )
        .await;
    assert_eq!(
        out["RuleArn"],
        format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:rule/r1")
    );
    let (code, msg) = f
        .err(
            "PutRule",
            json!({"Name": "r2", "EventPattern": "{\"source\":\"shop\"}"}),
        )
        .await;
    assert_eq!(code, "InvalidEventPatternException");
    assert!(
        msg.starts_with("Event pattern is not valid. Reason: "),
        "{msg}"
    );
    assert_eq!(
        f.err("PutRule", json!({"Name": "r2"})).await,
        (
            "ValidationException".into(),
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into()
        )
    );
    assert_eq!(
        f.err(
            "PutRule",
            json!({"Name": "r2", "ScheduleExpression": "rate(1 minutes)"})
        )
        .await,
        (
            "ValidationException".into(),
            "Parameter ScheduleExpression is not valid.".into()
        )
    );
    f.ok("CreateEventBus", json!({"Name": "orders"})).await;
    assert_eq!(
        f.err(
            "PutRule",
            json!({"Name": "s", "ScheduleExpression": "rate(5 minutes)", "EventBusName": "orders"})
        )
        .await,
        (
            "ValidationException".into(),
            "ScheduleExpression is supported only on the default event bus.".into()
        )
    );
    assert_eq!(
        f.err(
            "PutRule",
            json!({"Name": "s", "EventPattern": "{\"a\":[1]}", "EventBusName": "nope"})
        )
        .await,
        (
            "ResourceNotFoundException".into(),
            "Event bus nope does not exist.".into()
        )
    );
    f.ok(
        "PutRule",
        json!({"Name": "tick", "ScheduleExpression": "cron(0 12 * * ? *)", "State": "DISABLED"}),
    )
    .await;
    f.ok(
        "PutRule",
        json!({"Name": "o1", "EventPattern": "{\"a\":[1]}", "EventBusName": bus_arn("orders")}),
    )
    .await;

    let d = f.ok("DescribeRule", json!({"Name": "r1"})).await;
    assert_eq!(d["State"], "ENABLED");
    assert_eq!(d["EventBusName"], "default");
    assert_eq!(d["CreatedBy"], TEST_ACCOUNT);
    assert_eq!(d["EventPattern"], "{\"source\":[\"shop\"]}");
    assert_eq!(
        f.err("DescribeRule", json!({"Name": "zz"})).await,
        (
            "ResourceNotFoundException".into(),
            "Rule zz does not exist on EventBus default.".into()
        )
    );
    let o = f
        .ok(
            "DescribeRule",
            json!({"Name": "o1", "EventBusName": "orders"}),
        )
        .await;
    assert_eq!(
        o["Arn"],
        format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:rule/orders/o1")
    );

    let list = f.ok("ListRules", json!({"Limit": 1})).await;
    assert_eq!(list["Rules"][0]["Name"], "r1");
    let rest = f
        .ok("ListRules", json!({"NextToken": list["NextToken"]}))
        .await;
    assert_eq!(rest["Rules"][0]["Name"], "tick");
    assert_eq!(rest["Rules"][0]["ScheduleExpression"], "cron(0 12 * * ? *)");
    assert_eq!(
        f.ok("ListRules", json!({"EventBusName": "orders"})).await["Rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        f.ok("ListRules", json!({"NamePrefix": "t"})).await["Rules"][0]["Name"],
        "tick"
    );

    f.ok("DisableRule", json!({"Name": "r1"})).await;
    assert_eq!(
        f.ok("DescribeRule", json!({"Name": "r1"})).await["State"],
        "DISABLED"
    );
    f.ok("EnableRule", json!({"Name": "r1"})).await;
    assert_eq!(
        f.ok("DescribeRule", json!({"Name": "r1"})).await["State"],
        "ENABLED"
    );
    assert_eq!(
        f.err("EnableRule", json!({"Name": "zz"})).await.0,
        "ResourceNotFoundException"
    );

    f.ok("DeleteRule", json!({"Name": "tick"})).await;
    f.ok("DeleteRule", json!({"Name": "tick"})).await;
    assert_eq!(
        f.err("DescribeRule", json!({"Name": "tick"})).await.0,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn target_operations() {
    let f = fixture();
    f.ok("CreateEventBus", json!({"Name": "orders"})).await;
    f.ok(
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\":[\"shop\"]}"}),
    )
    .await;
    let out = f
        .ok(
            "PutTargets",
            json!({"Rule": "r", "Targets": [
                {"Id": "bus", "Arn": bus_arn("orders"), "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600}},
                {"Id": "t2", "Arn": bus_arn("orders"), "InputTransformer": {"InputPathsMap": {"s": "$.source"}, "InputTemplate": "{\"source\": <s>, \"detail-type\": \"x\", \"detail\": {}}"}},
                {"Id": "lambda", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
            ]}),
        )
        .await;
    assert_eq!(out["FailedEntryCount"], 1);
    assert_eq!(out["FailedEntries"][0]["TargetId"], "lambda");
    assert_eq!(out["FailedEntries"][0]["ErrorCode"], "ValidationException");
    let list = f.ok("ListTargetsByRule", json!({"Rule": "r"})).await;
    let targets = list["Targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0]["RetryPolicy"]["MaximumRetryAttempts"], 3);
    assert_eq!(
        targets[1]["InputTransformer"]["InputPathsMap"]["s"],
        "$.source"
    );
    let by_target = f
        .ok(
            "ListRuleNamesByTarget",
            json!({"TargetArn": bus_arn("orders")}),
        )
        .await;
    assert_eq!(by_target["RuleNames"], json!(["r"]));
    assert_eq!(
        f.err("DeleteRule", json!({"Name": "r"})).await,
        (
            "ValidationException".into(),
            "Rule can't be deleted since it has targets.".into()
        )
    );
    let many: Vec<Value> = (0..4)
        .map(|i| json!({"Id": format!("x{i}"), "Arn": bus_arn("orders")}))
        .collect();
    assert_eq!(
        f.err("PutTargets", json!({"Rule": "r", "Targets": many}))
            .await,
        (
            "LimitExceededException".into(),
            "The requested resource exceeds the maximum number allowed.".into()
        )
    );
    assert_eq!(
        f.err(
            "PutTargets",
            json!({"Rule": "zz", "Targets": [{"Id": "a", "Arn": bus_arn("orders")}]})
        )
        .await,
        (
            "ResourceNotFoundException".into(),
            "Rule zz does not exist on EventBus default.".into()
        )
    );
    assert_eq!(
        f.err(
            "PutTargets",
            json!({"Rule": "r", "Targets": [{"Id": "a", "Arn": bus_arn("orders"), "Input": "{", }]})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(f.err("PutTargets", json!({"Rule": "r", "Targets": [{"Id": "a", "Arn": bus_arn("orders"), "RetryPolicy": {"MaximumEventAgeInSeconds": 10}}]})).await.0, "ValidationException");
    let removed = f
        .ok("RemoveTargets", json!({"Rule": "r", "Ids": ["bus", "t2"]}))
        .await;
    assert_eq!(removed["FailedEntryCount"], 0);
    assert!(
        f.ok("ListTargetsByRule", json!({"Rule": "r"})).await["Targets"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    f.ok("DeleteRule", json!({"Name": "r"})).await;
}

#[tokio::test]
async fn put_events_and_test_event_pattern() {
    let f = fixture();
    f.ok("CreateEventBus", json!({"Name": "orders"})).await;
    f.ok("PutRule", json!({"Name": "fwd", "EventPattern": "{\"detail\":{\"total\":[{\"numeric\":[\">\",100]}]}}"})).await;
    f.ok(
        "PutTargets",
        json!({"Rule": "fwd", "Targets": [{"Id": "b", "Arn": bus_arn("orders")}]}),
    )
    .await;
    f.ok("PutRule", json!({"Name": "sink", "EventBusName": "orders", "EventPattern": "{\"source\":[\"shop\"]}"})).await;
    f.ok("PutTargets", json!({"Rule": "sink", "EventBusName": "orders", "Targets": [{"Id": "back", "Arn": bus_arn("orders"), "Input": "{\"note\": 1}"}]})).await;
    let out = f
        .ok(
            "PutEvents",
            json!({"Entries": [
                {"Source": "shop", "DetailType": "Order", "Detail": "{\"total\": 150}", "Time": 1_700_000_000, "Resources": ["r1"]},
                {"Source": "shop", "DetailType": "Order", "Detail": "not json"},
                {"DetailType": "Order", "Detail": "{}"},
                {"Source": "shop", "DetailType": "Order", "Detail": "{}", "EventBusName": "nope"},
            ]}),
        )
        .await;
    assert_eq!(out["FailedEntryCount"], 3);
    assert_eq!(out["Entries"][0]["EventId"].as_str().unwrap().len(), 36);
    assert_eq!(out["Entries"][1]["ErrorCode"], "MalformedDetail");
    assert_eq!(out["Entries"][1]["ErrorMessage"], "Detail is malformed.");
    assert_eq!(out["Entries"][2]["ErrorCode"], "InvalidArgument");
    assert_eq!(
        out["Entries"][2]["ErrorMessage"],
        "Parameter Source is not valid. Reason: Source is a required argument."
    );
    assert_eq!(out["Entries"][3]["ErrorCode"], "ResourceNotFoundException");
    // The matched event was queued durably for the bus target, then forwarded onto `orders`.
    let pending = f.events.pending_deliveries();
    assert_eq!(pending.len(), 1);
    let event: Value = serde_json::from_str(&pending[0].payload).unwrap();
    assert_eq!(event["time"], "2023-11-14T22:13:20Z");
    assert_eq!(event["resources"], json!(["r1"]));
    assert_eq!(event["account"], TEST_ACCOUNT);
    assert_eq!(f.events.run_deliveries().unwrap().delivered, 1);
    let forwarded = f.events.pending_deliveries();
    assert_eq!(forwarded.len(), 1, "the orders bus matched it");
    assert_eq!(forwarded[0].payload, "{\"note\": 1}");
    // The constant input is not an event: the bus target refuses it, and it is retried.
    assert_eq!(f.events.run_deliveries().unwrap().retried, 1);
    f.clock.advance(Duration::from_secs(2));

    let too_many: Vec<Value> = (0..11)
        .map(|_| json!({"Source": "s", "DetailType": "t", "Detail": "{}"}))
        .collect();
    assert_eq!(
        f.err("PutEvents", json!({"Entries": too_many})).await.0,
        "ValidationException"
    );
    let big = "x".repeat(256 * 1024);
    assert_eq!(
        f.err("PutEvents", json!({"Entries": [{"Source": "s", "DetailType": "t", "Detail": format!("{{\"a\":\"{big}\"}}")}]})).await,
        ("ValidationException".into(), "Total size of the entries in the request is over the limit.".into())
    );

    let event = json!({"id": "1", "account": TEST_ACCOUNT, "source": "shop", "time": "2025-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail-type": "Order", "detail": {"total": 5}}).to_string();
    let yes = f
        .ok(
            "TestEventPattern",
            json!({"EventPattern": "{\"source\":[\"shop\"]}", "Event": event}),
        )
        .await;
    assert_eq!(yes["Result"], true);
    let no = f.ok("TestEventPattern", json!({"EventPattern": "{\"detail\":{\"total\":[{\"numeric\":[\">\",100]}]}}", "Event": event})).await;
    assert_eq!(no["Result"], false);
    assert_eq!(
        f.err(
            "TestEventPattern",
            json!({"EventPattern": "[1]", "Event": event})
        )
        .await
        .0,
        "InvalidEventPatternException"
    );
    assert_eq!(
        f.err(
            "TestEventPattern",
            json!({"EventPattern": "{\"a\":[1]}", "Event": "{}"})
        )
        .await,
        (
            "ValidationException".into(),
            "Parameter Event is not valid.".into()
        )
    );
}

#[tokio::test]
async fn tag_operations() {
    let f = fixture();
    let rule_arn = f.ok("PutRule", json!({"Name": "r", "EventPattern": "{\"a\":[1]}", "Tags": [{"Key": "a", "Value": "1"}]})).await["RuleArn"].as_str().unwrap().to_owned();
    f.ok(
        "TagResource",
        json!({"ResourceARN": rule_arn, "Tags": [{"Key": "b", "Value": "2"}]}),
    )
    .await;
    let tags = f
        .ok("ListTagsForResource", json!({"ResourceARN": rule_arn}))
        .await;
    assert_eq!(
        tags["Tags"],
        json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    );
    f.ok(
        "UntagResource",
        json!({"ResourceARN": rule_arn, "TagKeys": ["a"]}),
    )
    .await;
    assert_eq!(
        f.ok("ListTagsForResource", json!({"ResourceARN": rule_arn}))
            .await["Tags"],
        json!([{"Key": "b", "Value": "2"}])
    );
    f.ok(
        "CreateEventBus",
        json!({"Name": "orders", "Tags": [{"Key": "team", "Value": "x"}]}),
    )
    .await;
    assert_eq!(
        f.ok(
            "ListTagsForResource",
            json!({"ResourceARN": bus_arn("orders")})
        )
        .await["Tags"][0]["Key"],
        "team"
    );
    assert_eq!(
        f.err(
            "ListTagsForResource",
            json!({"ResourceARN": bus_arn("nope")})
        )
        .await,
        (
            "ResourceNotFoundException".into(),
            "Event bus nope does not exist.".into()
        )
    );
    assert_eq!(
        f.err("TagResource", json!({"ResourceARN": "bogus", "Tags": []}))
            .await
            .0,
        "ValidationException"
    );
}

#[tokio::test]
async fn every_registered_operation_is_listed() {
    let f = fixture();
    drop(f);
    let dir = tempfile::tempdir().unwrap();
    let catalog = Arc::new(Catalog::open(&dir.path().join("c.redb")).unwrap());
    let events = Arc::new(
        Events::open(
            catalog,
            &dir.path().join("e"),
            Arc::new(SimClock::new(START)),
        )
        .unwrap(),
    );
    let mut registry = Registry::new();
    openwatch_services::events::register(&mut registry, events);
    let names: Vec<&str> = registry.operations().iter().map(|o| o.name).collect();
    assert_eq!(
        names,
        [
            "CancelReplay",
            "CreateApiDestination",
            "CreateArchive",
            "CreateConnection",
            "CreateEventBus",
            "DeleteApiDestination",
            "DeleteArchive",
            "DeleteConnection",
            "DeleteEventBus",
            "DeleteRule",
            "DescribeApiDestination",
            "DescribeArchive",
            "DescribeConnection",
            "DescribeEventBus",
            "DescribeReplay",
            "DescribeRule",
            "DisableRule",
            "EnableRule",
            "ListApiDestinations",
            "ListArchives",
            "ListConnections",
            "ListEventBuses",
            "ListReplays",
            "ListRuleNamesByTarget",
            "ListRules",
            "ListTagsForResource",
            "ListTargetsByRule",
            "PutEvents",
            "PutPermission",
            "PutRule",
            "PutTargets",
            "RemovePermission",
            "RemoveTargets",
            "StartReplay",
            "TagResource",
            "TestEventPattern",
            "UntagResource",
            "UpdateArchive",
            "UpdateEventBus",
        ]
    );
}

#[tokio::test]
async fn permissions_gate_cross_account_put_events() {
    let f = fixture();
    let other = "210987654321";
    let other_bus = format!("arn:aws:events:us-east-1:{other}:event-bus/default");
    let entry = json!({"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{}", "EventBusName": other_bus}]});
    let denied = f.ok("PutEvents", entry.clone()).await;
    assert_eq!(denied["FailedEntryCount"], 1);
    assert_eq!(denied["Entries"][0]["ErrorCode"], "AccessDeniedException");
    // The other account allows ours (through the domain: the test client has one account).
    f.events
        .put_permission(
            other,
            "us-east-1",
            openwatch_events::PutPermissionInput {
                action: Some("events:PutEvents".into()),
                principal: Some(TEST_ACCOUNT.into()),
                statement_id: Some("ours".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let allowed = f.ok("PutEvents", entry).await;
    assert_eq!(allowed["FailedEntryCount"], 0, "{allowed}");

    // Our own bus: PutPermission, DescribeEventBus shows the policy, RemovePermission.
    f.ok(
        "PutPermission",
        json!({"Action": "events:PutEvents", "Principal": other, "StatementId": "s1"}),
    )
    .await;
    f.ok(
        "PutPermission",
        json!({"Action": "events:PutEvents", "Principal": "*", "StatementId": "org",
        "Condition": {"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-abc"}}),
    )
    .await;
    let d = f.ok("DescribeEventBus", json!({})).await;
    let policy: Value = serde_json::from_str(d["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Sid"], "s1");
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{other}:root")
    );
    assert_eq!(policy["Statement"][0]["Resource"], bus_arn("default"));
    assert_eq!(
        policy["Statement"][1]["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
        "o-abc"
    );
    let listed = f.ok("ListEventBuses", json!({})).await;
    assert_eq!(
        listed["EventBuses"][0]["Policy"], d["Policy"],
        "ListEventBuses shows policies too"
    );
    assert_eq!(
        f.err(
            "PutPermission",
            json!({"Action": "events:PutRule", "Principal": other, "StatementId": "x"})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        f.err(
            "PutPermission",
            json!({"Action": "events:PutEvents", "Principal": "12", "StatementId": "x"})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        f.err("PutPermission", json!({"Policy": "{}"})).await.0,
        "ValidationException"
    );
    let long = format!(
        "{{\"Statement\":[{{\"Effect\":\"Allow\",\"Sid\":\"{}\"}}]}}",
        "x".repeat(11_000)
    );
    assert_eq!(
        f.err("PutPermission", json!({"Policy": long})).await.0,
        "PolicyLengthExceededException"
    );
    f.ok("RemovePermission", json!({"StatementId": "s1"})).await;
    assert_eq!(
        f.err("RemovePermission", json!({"StatementId": "s1"}))
            .await,
        (
            "ResourceNotFoundException".into(),
            "Statement with the provided id does not exist.".into()
        )
    );
    f.ok("RemovePermission", json!({"RemoveAllPermissions": true}))
        .await;
    assert!(
        f.ok("DescribeEventBus", json!({}))
            .await
            .get("Policy")
            .is_none()
    );
    assert_eq!(f.err("PutPermission", json!({"EventBusName": "nope", "Action": "events:PutEvents", "Principal": "*", "StatementId": "a"})).await.0, "ResourceNotFoundException");
}

#[tokio::test]
async fn archive_and_replay_operations() {
    let f = fixture();
    let out = f
        .ok("CreateArchive", json!({"ArchiveName": "all", "EventSourceArn": bus_arn("default"), "Description": "d", "EventPattern": "{\"source\":[\"shop\"]}", "RetentionDays": 7}))
        .await;
    let archive_arn = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:archive/all");
    assert_eq!(out["ArchiveArn"], archive_arn);
    assert_eq!(out["State"], "ENABLED");
    assert_eq!(
        f.err(
            "CreateArchive",
            json!({"ArchiveName": "all", "EventSourceArn": bus_arn("default")})
        )
        .await,
        (
            "ResourceAlreadyExistsException".into(),
            "Archive all already exists.".into()
        )
    );
    assert_eq!(
        f.err(
            "CreateArchive",
            json!({"ArchiveName": "b", "EventSourceArn": bus_arn("nope")})
        )
        .await
        .0,
        "ResourceNotFoundException"
    );
    assert_eq!(
        f.err(
            "CreateArchive",
            json!({"ArchiveName": "b", "EventSourceArn": "bogus"})
        )
        .await
        .0,
        "ValidationException"
    );
    f.ok("PutEvents", json!({"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 1}"}, {"Source": "x", "DetailType": "Order", "Detail": "{}"}]})).await;
    let d = f.ok("DescribeArchive", json!({"ArchiveName": "all"})).await;
    assert_eq!(d["EventCount"], 1);
    assert_eq!(d["RetentionDays"], 7);
    assert_eq!(d["EventPattern"], "{\"source\":[\"shop\"]}");
    assert!(d["SizeBytes"].as_u64().unwrap() > 0);
    assert_eq!(
        f.ok("ListArchives", json!({"NamePrefix": "a"})).await["Archives"][0]["ArchiveName"],
        "all"
    );
    assert_eq!(
        f.ok(
            "UpdateArchive",
            json!({"ArchiveName": "all", "RetentionDays": 0})
        )
        .await["ArchiveArn"],
        archive_arn
    );
    assert_eq!(
        f.err("DescribeArchive", json!({"ArchiveName": "zz"})).await,
        (
            "ResourceNotFoundException".into(),
            "Archive zz does not exist.".into()
        )
    );

    // Replay the archived event to a rule created later.
    let rule_arn = f
        .ok(
            "PutRule",
            json!({"Name": "late", "EventPattern": "{\"source\":[\"shop\"]}"}),
        )
        .await["RuleArn"]
        .as_str()
        .unwrap()
        .to_owned();
    f.ok("CreateEventBus", json!({"Name": "sink"})).await;
    f.ok(
        "PutTargets",
        json!({"Rule": "late", "Targets": [{"Id": "s", "Arn": bus_arn("sink")}]}),
    )
    .await;
    let start = (START - 60_000) as f64 / 1000.0;
    let end = (START + 60_000) as f64 / 1000.0;
    let r = f
        .ok("StartReplay", json!({"ReplayName": "again", "EventSourceArn": archive_arn, "EventStartTime": start, "EventEndTime": end,
            "Destination": {"Arn": bus_arn("default"), "FilterArns": [rule_arn]}}))
        .await;
    assert_eq!(r["State"], "STARTING");
    assert_eq!(
        f.err("StartReplay", json!({"ReplayName": "x", "EventSourceArn": archive_arn, "EventStartTime": start, "EventEndTime": end, "Destination": {"Arn": bus_arn("sink")}})).await,
        ("ValidationException".into(), "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.".into())
    );
    assert_eq!(f.events.run_replays().unwrap(), 1);
    let d = f.ok("DescribeReplay", json!({"ReplayName": "again"})).await;
    assert_eq!(d["State"], "COMPLETED");
    assert_eq!(
        d["Destination"]["FilterArns"][0],
        format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:rule/late")
    );
    assert!(d["EventLastReplayedTime"].as_f64().is_some());
    let pending = f.events.pending_deliveries();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].payload.contains("\"replay-name\":\"again\""));
    assert_eq!(
        f.ok("ListReplays", json!({"State": "COMPLETED"})).await["Replays"][0]["ReplayName"],
        "again"
    );
    assert_eq!(
        f.err("CancelReplay", json!({"ReplayName": "again"}))
            .await
            .0,
        "IllegalStatusException"
    );
    f.ok("StartReplay", json!({"ReplayName": "stop-me", "EventSourceArn": archive_arn, "EventStartTime": start, "EventEndTime": end, "Destination": {"Arn": bus_arn("default")}})).await;
    let c = f.ok("CancelReplay", json!({"ReplayName": "stop-me"})).await;
    assert_eq!(c["State"], "CANCELLED");
    assert_eq!(
        f.err("DescribeReplay", json!({"ReplayName": "nope"}))
            .await
            .0,
        "ResourceNotFoundException"
    );
    f.ok("DeleteArchive", json!({"ArchiveName": "all"})).await;
    assert_eq!(
        f.err("DeleteArchive", json!({"ArchiveName": "all"}))
            .await
            .0,
        "ResourceNotFoundException"
    );
    f.clock.advance(Duration::from_secs(1));
}

#[tokio::test]
async fn connection_and_api_destination_operations() {
    use std::io::{BufRead, BufReader, Read, Write};
    let f = fixture();
    // A loopback receiver that fails once, then accepts.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut head, mut len) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let status = if i == 0 { 500 } else { 200 };
            let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
            let _ = tx.send((head, String::from_utf8(body).unwrap()));
        }
    });

    let c = f
        .ok(
            "CreateConnection",
            json!({"Name": "hook-auth", "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "eb", "Password": "hunter2"}}}),
        )
        .await;
    assert_eq!(c["ConnectionState"], "AUTHORIZED");
    let conn_arn = c["ConnectionArn"].as_str().unwrap().to_owned();
    {
        let audit = f.client.audit.0.lock();
        let recorded = serde_json::to_string(&audit.last().unwrap().request_parameters).unwrap();
        assert!(
            !recorded.contains("hunter2"),
            "the password never reaches the trail: {recorded}"
        );
    }
    let d = f
        .ok("DescribeConnection", json!({"Name": "hook-auth"}))
        .await;
    assert_eq!(d["AuthParameters"]["BasicAuthParameters"]["Username"], "eb");
    assert!(!d.to_string().contains("hunter2"));
    assert_eq!(f.err("CreateConnection", json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {}})).await.0, "ValidationException");
    assert_eq!(
        f.ok("ListConnections", json!({})).await["Connections"][0]["Name"],
        "hook-auth"
    );

    let a = f
        .ok("CreateApiDestination", json!({"Name": "hook", "ConnectionArn": conn_arn,
            "InvocationEndpoint": format!("http://127.0.0.1:{port}/in"), "HttpMethod": "POST", "InvocationRateLimitPerSecond": 10}))
        .await;
    assert_eq!(a["ApiDestinationState"], "ACTIVE");
    let dest_arn = a["ApiDestinationArn"].as_str().unwrap().to_owned();
    assert_eq!(
        f.ok("DescribeApiDestination", json!({"Name": "hook"}))
            .await["InvocationRateLimitPerSecond"],
        10
    );
    assert_eq!(
        f.ok("ListApiDestinations", json!({"ConnectionArn": conn_arn}))
            .await["ApiDestinations"][0]["Name"],
        "hook"
    );
    assert_eq!(
        f.err("DescribeApiDestination", json!({"Name": "nope"}))
            .await,
        (
            "ResourceNotFoundException".into(),
            "An api-destination 'nope' does not exist.".into()
        )
    );

    f.ok(
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\":[\"shop\"]}"}),
    )
    .await;
    let put = f.ok("PutTargets", json!({"Rule": "r", "Targets": [{"Id": "api", "Arn": dest_arn,
        "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": "{\"order\": <n>}"}}]})).await;
    assert_eq!(put["FailedEntryCount"], 0);
    f.ok(
        "PutEvents",
        json!({"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 7}"}]}),
    )
    .await;
    assert_eq!(f.events.run_deliveries().unwrap().retried, 1);
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(f.events.run_deliveries().unwrap().delivered, 1);
    let _first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let (head, body) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(head.starts_with("POST /in HTTP/1.1"), "{head}");
    assert!(
        head.contains("Authorization: Basic ZWI6aHVudGVyMg==\r\n"),
        "{head}"
    );
    assert_eq!(body, "{\"order\": 7}");

    f.ok("RemoveTargets", json!({"Rule": "r", "Ids": ["api"]}))
        .await;
    f.ok("DeleteApiDestination", json!({"Name": "hook"})).await;
    assert_eq!(
        f.ok("DeleteConnection", json!({"Name": "hook-auth"})).await["ConnectionState"],
        "DELETING"
    );
    assert_eq!(
        f.err("DescribeConnection", json!({"Name": "hook-auth"}))
            .await
            .0,
        "ResourceNotFoundException"
    );
}
