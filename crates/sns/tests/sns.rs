//! The SNS domain: catalog round trip across a reopen, delivery to a loopback receiver,
//! retries, and a queue that survives a restart.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use openwatch_sns::testing::Receiver;
use openwatch_sns::{PublishRequest, Sns, SnsError};
use openwatch_storage::{Catalog, SimClock};

const A: &str = "123456789012";
const R: &str = "us-east-1";

fn open(dir: &std::path::Path, clock: &Arc<SimClock>) -> Sns {
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    Sns::open(
        catalog,
        &dir.join("sns"),
        clock.clone(),
        openwatch_sns::testing::options("http://127.0.0.1:4599"),
    )
    .unwrap()
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn publish(sns: &Sns, arn: &str, message: &str) -> String {
    sns.publish(
        A,
        R,
        arn,
        &PublishRequest {
            message: message.into(),
            subject: Some("hello".into()),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn topics_survive_a_reopen_and_names_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let arn;
    {
        let sns = open(dir.path(), &clock);
        let attrs = BTreeMap::from([("DisplayName".to_owned(), "Ops".to_owned())]);
        arn = sns
            .create_topic(A, R, "alerts", &attrs, &BTreeMap::new())
            .unwrap();
        assert_eq!(arn, format!("arn:aws:sns:{R}:{A}:alerts"));
        // Idempotent for the same name and attributes; refused for different ones.
        assert_eq!(
            sns.create_topic(A, R, "alerts", &attrs, &BTreeMap::new())
                .unwrap(),
            arn
        );
        let other = BTreeMap::from([("DisplayName".to_owned(), "X".to_owned())]);
        assert!(matches!(
            sns.create_topic(A, R, "alerts", &other, &BTreeMap::new()),
            Err(SnsError::InvalidParameter(_))
        ));
        for bad in ["", "a b", "t.fifo", &"x".repeat(257)] {
            assert!(
                matches!(
                    sns.create_topic(A, R, bad, &BTreeMap::new(), &BTreeMap::new()),
                    Err(SnsError::InvalidParameter(_))
                ),
                "{bad}"
            );
        }
        sns.tag(
            A,
            R,
            &arn,
            &BTreeMap::from([("team".to_owned(), "a".to_owned())]),
        )
        .unwrap();
        sns.close().unwrap();
    }
    let sns = open(dir.path(), &clock);
    let attrs = sns.topic_attributes(A, R, &arn).unwrap();
    assert_eq!(attrs["DisplayName"], "Ops");
    assert_eq!(attrs["Owner"], A);
    assert_eq!(attrs["SubscriptionsConfirmed"], "0");
    assert!(attrs["Policy"].contains("__default_policy_ID"));
    assert_eq!(sns.tags(A, R, &arn).unwrap()["team"], "a");
    assert_eq!(
        sns.list_topics(A, R, None).unwrap().items,
        vec![arn.clone()]
    );
    // Other accounts and regions do not see it.
    assert!(
        sns.list_topics(A, "eu-west-1", None)
            .unwrap()
            .items
            .is_empty()
    );
    sns.delete_topic(A, R, &arn).unwrap();
    sns.delete_topic(A, R, &arn).unwrap();
    assert!(matches!(
        sns.topic_attributes(A, R, &arn),
        Err(SnsError::NotFound(_))
    ));
}

#[test]
fn list_topics_pages_by_100() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let sns = open(dir.path(), &clock);
    for i in 0..150 {
        sns.create_topic(
            A,
            R,
            &format!("t{i:03}"),
            &BTreeMap::new(),
            &BTreeMap::new(),
        )
        .unwrap();
    }
    let first = sns.list_topics(A, R, None).unwrap();
    assert_eq!(first.items.len(), 100);
    let second = sns.list_topics(A, R, first.next_token.as_deref()).unwrap();
    assert_eq!(second.items.len(), 50);
    assert!(second.next_token.is_none());
    assert!(second.items[0].ends_with(":t100"));
}

#[test]
fn confirmation_then_notification_with_retries() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let sns = open(dir.path(), &clock);
    let rx = Receiver::start().unwrap();
    let arn = sns
        .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
        .unwrap();
    assert!(matches!(
        sns.subscribe_with_attributes(A, R, &arn, "https", "http://example.com/", &none()),
        Err(SnsError::InvalidParameter(m)) if m.contains("https://")
    ));
    assert!(matches!(
        sns.subscribe_with_attributes(A, R, &arn, "http", "https://example.com/", &none()),
        Err(SnsError::InvalidParameter(m)) if m.contains("http://")
    ));
    assert!(matches!(
        sns.subscribe_with_attributes(A, R, &arn, "email", "a@example.com", &none()),
        Err(SnsError::InvalidParameter(_))
    ));
    let sub = sns
        .subscribe_with_attributes(A, R, &arn, "http", &rx.url, &none())
        .unwrap();
    assert!(!sub.confirmed);
    assert!(sub.arn.starts_with(&format!("{arn}:")));
    // Not confirmed: a publish reaches nobody.
    publish(&sns, &arn, "early");
    let report = sns.run_deliveries().unwrap();
    assert_eq!(report.delivered, 1);
    let got = rx.received.lock().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].headers["x-amz-sns-message-type"],
        "SubscriptionConfirmation"
    );
    let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    assert_eq!(body["TopicArn"], arn.as_str());
    let token = body["Token"].as_str().unwrap();
    assert!(matches!(
        sns.confirm_subscription_as(A, R, &arn, "nope", true, false),
        Err(SnsError::InvalidParameter(_))
    ));
    assert_eq!(
        sns.confirm_subscription_as(A, R, &arn, token, true, false)
            .unwrap(),
        sub.arn
    );
    assert_eq!(
        sns.topic_attributes(A, R, &arn).unwrap()["SubscriptionsConfirmed"],
        "1"
    );

    // The receiver fails twice, then accepts: two retries, 20 s apart (AWS's default policy).
    rx.statuses.lock().extend([500, 503]);
    let id = publish(&sns, &arn, "hi");
    assert_eq!(sns.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(19));
    assert_eq!(sns.run_deliveries().unwrap().retried, 0, "not due yet");
    clock.advance(Duration::from_secs(1));
    assert_eq!(sns.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(20));
    assert_eq!(sns.run_deliveries().unwrap().delivered, 1);
    assert_eq!(sns.pending_deliveries(), 0);
    let got = rx.received.lock().clone();
    assert_eq!(got.len(), 4);
    let last = &got[3];
    assert_eq!(last.headers["x-amz-sns-message-type"], "Notification");
    assert_eq!(last.headers["x-amz-sns-message-id"], id);
    assert_eq!(last.headers["x-amz-sns-topic-arn"], arn);
    assert_eq!(last.headers["x-amz-sns-subscription-arn"], sub.arn);
    let body: serde_json::Value = serde_json::from_str(&last.body).unwrap();
    assert_eq!(body["Message"], "hi");
    assert_eq!(body["Subject"], "hello");
    assert_eq!(body["MessageId"], id.as_str());
    assert_eq!(body["SignatureVersion"], "1");
    assert!(
        body["UnsubscribeURL"].as_str().unwrap().starts_with(
            "http://127.0.0.1:4599/?Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns"
        )
    );

    // A subscription's DeliveryPolicy: 2 retries 1 s apart; past the last one, dropped.
    sns.set_subscription_attribute(
        A,
        R,
        &sub.arn,
        "DeliveryPolicy",
        r#"{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1}}"#,
    )
    .unwrap();
    rx.statuses.lock().extend([500, 500, 500, 500]);
    publish(&sns, &arn, "lost");
    let mut attempts = 0;
    for _ in 0..3 {
        let r = sns.run_deliveries().unwrap();
        attempts += r.retried + r.dropped;
        clock.advance(Duration::from_secs(1));
    }
    assert_eq!(attempts, 3);
    assert_eq!(sns.pending_deliveries(), 0);

    sns.unsubscribe_as(A, R, &sub.arn, true).unwrap();
    assert!(matches!(
        sns.unsubscribe_as(A, R, &sub.arn, true),
        Err(SnsError::NotFound(_))
    ));
    assert_eq!(
        sns.topic_attributes(A, R, &arn).unwrap()["SubscriptionsDeleted"],
        "1"
    );
}

#[test]
fn queued_deliveries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let rx = Receiver::start().unwrap();
    {
        let sns = open(dir.path(), &clock);
        let arn = sns
            .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
            .unwrap();
        sns.subscribe_with_attributes(A, R, &arn, "http", &rx.url, &none())
            .unwrap();
        sns.close().unwrap();
    }
    let sns = open(dir.path(), &clock);
    assert_eq!(sns.pending_deliveries(), 1);
    assert_eq!(sns.run_deliveries().unwrap().delivered, 1);
    assert_eq!(rx.bodies()[0]["Type"], "SubscriptionConfirmation");
    drop(sns);
    let sns = open(dir.path(), &clock);
    assert_eq!(sns.pending_deliveries(), 0);
}

#[test]
fn json_message_structure() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let sns = open(dir.path(), &clock);
    let arn = sns
        .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
        .unwrap();
    let req = |m: &str| PublishRequest {
        message: m.into(),
        message_structure: Some("json".into()),
        ..Default::default()
    };
    assert!(matches!(
        sns.publish(A, R, &arn, &req("{\"http\":\"x\"}")),
        Err(SnsError::InvalidParameter(_))
    ));
    assert!(matches!(
        sns.publish(A, R, &arn, &req("nope")),
        Err(SnsError::InvalidParameter(_))
    ));
    sns.publish(A, R, &arn, &req("{\"default\":\"x\"}"))
        .unwrap();
    assert!(matches!(
        sns.publish(
            A,
            R,
            &format!("arn:aws:sns:{R}:{A}:missing"),
            &req("{\"default\":\"x\"}")
        ),
        Err(SnsError::NotFound(_))
    ));
}

#[test]
fn deliveries_of_a_removed_subscription_are_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let sns = open(dir.path(), &clock);
    let rx = Receiver::start().unwrap();
    let arn = sns
        .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
        .unwrap();
    let sub = sns
        .subscribe_with_attributes(A, R, &arn, "http", &rx.url, &none())
        .unwrap();
    sns.confirm_subscription_as(A, R, &arn, &sub.token, true, false)
        .unwrap();
    publish(&sns, &arn, "never");
    sns.delete_topic(A, R, &arn).unwrap();
    let report = sns.run_deliveries().unwrap();
    assert_eq!(report.discarded, 2, "{report:?}");
    assert!(rx.received.lock().is_empty());
    assert_eq!(sns.pending_deliveries(), 0);
}

#[test]
fn a_retry_schedule_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let rx = Receiver::start().unwrap();
    {
        let sns = open(dir.path(), &clock);
        let arn = sns
            .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
            .unwrap();
        sns.subscribe_with_attributes(A, R, &arn, "http", &rx.url, &none())
            .unwrap();
        rx.statuses.lock().push_back(500);
        assert_eq!(sns.run_deliveries().unwrap().retried, 1);
        sns.close().unwrap();
    }
    // Reopened 10 s later: the retry is still due 20 s after the failure, not at once.
    clock.advance(Duration::from_secs(10));
    let sns = open(dir.path(), &clock);
    assert_eq!(sns.pending_deliveries(), 1);
    assert_eq!(sns.run_deliveries().unwrap().delivered, 0);
    clock.advance(Duration::from_secs(10));
    assert_eq!(sns.run_deliveries().unwrap().delivered, 1);
}
