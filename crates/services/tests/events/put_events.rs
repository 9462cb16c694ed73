//! PutEvents, TestEventPattern, and the cross-account permission gate.

use super::*;

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
