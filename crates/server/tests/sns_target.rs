//! SNS topics as EventBridge targets, in process: PutTargets accepts a topic ARN once the sink is
//! registered, a matched event is published to the topic (JSON message) and delivered to its
//! confirmed subscription; a topic that does not exist fails the delivery until it is
//! dead-lettered.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_server::sns_target::SnsTopicTarget;
use openwatch_sns::SnsOptions;
use openwatch_sns::testing::Receiver;
use openwatch_storage::Clock;
use openwatch_wire::testing::TEST_ACCOUNT;
use openwatch_wire::{Registry, Service};
use serde_json::{Value, json};

mod common;

use common::{World, ok};

#[tokio::test]
async fn matched_events_are_published_to_the_topic() {
    let w = World::open();
    let sns = w.sns(SnsOptions::default());
    let mut registry = Registry::new();
    openwatch_services::events::register(&mut registry, Arc::clone(&w.events));
    let c = w.client(registry);
    let topic = common::topic(&sns, "orders");
    let World { sim, events, .. } = w;
    let ev = Service::Events;
    ok(
        &c,
        ev,
        "PutRule",
        json!({"Name": "orders", "EventPattern": r#"{"source":["shop"]}"#}),
    )
    .await;
    let targets = json!({"Rule": "orders", "Targets": [{"Id": "t", "Arn": topic}]});
    // Without the sink, no deliverer accepts a topic ARN.
    let refused = c.json(ev, "PutTargets", targets.clone()).await.json();
    assert_eq!(refused["FailedEntryCount"], 1, "{refused}");

    events.add_sink(Arc::new(SnsTopicTarget {
        sns: Arc::clone(&sns),
    }));
    let put = ok(&c, ev, "PutTargets", targets).await;
    assert_eq!(put["FailedEntryCount"], 0, "{put}");

    let rx = Receiver::start().unwrap();
    let sub = sns
        .subscribe(TEST_ACCOUNT, "us-east-1", &topic, "http", &rx.url)
        .unwrap();
    sns.confirm_subscription(TEST_ACCOUNT, "us-east-1", &topic, &sub.token)
        .unwrap();

    ok(
        &c,
        ev,
        "PutEvents",
        json!({"Entries": [{"Source": "shop", "DetailType": "Order Placed",
                            "Detail": "{\"order\":42}"}]}),
    )
    .await;
    let e2 = Arc::clone(&events);
    let report = tokio::task::spawn_blocking(move || e2.run_deliveries().unwrap())
        .await
        .unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let s2 = Arc::clone(&sns);
    let report = tokio::task::spawn_blocking(move || s2.run_deliveries().unwrap())
        .await
        .unwrap();
    assert_eq!(
        report.delivered, 2,
        "confirmation and notification: {report:?}"
    );
    let got = rx.received.lock().clone();
    let body: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(body["Type"], "Notification");
    assert_eq!(body["TopicArn"], topic.as_str());
    let event: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
    assert_eq!(event["source"], "shop");
    assert_eq!(event["detail-type"], "Order Placed");
    assert_eq!(event["detail"]["order"], 42);
    assert_eq!(event["account"], TEST_ACCOUNT);

    // A topic that does not exist (or belongs to another account) fails the delivery: retried
    // per the RetryPolicy, then given up.
    let missing = format!("arn:aws:sns:us-east-1:{TEST_ACCOUNT}:gone");
    let other = "arn:aws:sns:us-east-1:210987654321:theirs";
    ok(
        &c,
        ev,
        "PutTargets",
        json!({"Rule": "orders", "Targets": [
            {"Id": "gone", "Arn": missing, "RetryPolicy": {"MaximumRetryAttempts": 1}},
            {"Id": "theirs", "Arn": other, "RetryPolicy": {"MaximumRetryAttempts": 0}}]}),
    )
    .await;
    ok(
        &c,
        ev,
        "PutEvents",
        json!({"Entries": [{"Source": "shop", "DetailType": "Order Placed", "Detail": "{}"}]}),
    )
    .await;
    let e2 = Arc::clone(&events);
    let report = tokio::task::spawn_blocking(move || e2.run_deliveries().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (report.delivered, report.retried, report.dropped),
        (1, 1, 1),
        "{report:?}"
    );
    sim.advance(Duration::from_secs(2));
    let e2 = Arc::clone(&events);
    let report = tokio::task::spawn_blocking(move || e2.run_deliveries().unwrap())
        .await
        .unwrap();
    assert_eq!(report.dropped, 1, "{report:?}");
    let dead = events.dead_letters();
    assert_eq!(dead.len(), 2);
    assert!(
        dead.iter().any(|d| d.reason.contains("another account")),
        "{dead:?}"
    );
    assert!(
        dead.iter()
            .any(|d| d.delivery.target_arn == missing && d.reason.contains("publish")),
        "{dead:?}"
    );
    let _ = sim.now_millis();
}
