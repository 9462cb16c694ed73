//! Event buses, tagging, and the registered-operation listing.

use super::*;

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
            "ActivateEventSource",
            "CancelReplay",
            "CreateApiDestination",
            "CreateArchive",
            "CreateConnection",
            "CreateEventBus",
            "CreatePartnerEventSource",
            "DeactivateEventSource",
            "DeauthorizeConnection",
            "DeleteApiDestination",
            "DeleteArchive",
            "DeleteConnection",
            "DeleteEventBus",
            "DeletePartnerEventSource",
            "DeleteRule",
            "DescribeApiDestination",
            "DescribeArchive",
            "DescribeConnection",
            "DescribeEventBus",
            "DescribeEventSource",
            "DescribePartnerEventSource",
            "DescribeReplay",
            "DescribeRule",
            "DisableRule",
            "EnableRule",
            "ListApiDestinations",
            "ListArchives",
            "ListConnections",
            "ListEventBuses",
            "ListEventSources",
            "ListPartnerEventSourceAccounts",
            "ListPartnerEventSources",
            "ListReplays",
            "ListRuleNamesByTarget",
            "ListRules",
            "ListTagsForResource",
            "ListTargetsByRule",
            "PutEvents",
            "PutPartnerEvents",
            "PutPermission",
            "PutRule",
            "PutTargets",
            "RemovePermission",
            "RemoveTargets",
            "StartReplay",
            "TagResource",
            "TestEventPattern",
            "UntagResource",
            "UpdateApiDestination",
            "UpdateArchive",
            "UpdateConnection",
            "UpdateEventBus",
        ]
    );
}
