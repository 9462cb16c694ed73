//! Archives and replays.

use super::*;

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
