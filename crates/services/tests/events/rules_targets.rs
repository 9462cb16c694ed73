//! Rules and their targets.

use super::*;

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
