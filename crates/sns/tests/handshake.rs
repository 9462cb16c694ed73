//! Signatures a subscriber can check from the certificate alone, the key kept across restarts,
//! the subscribe/unsubscribe handshakes, filter policies, raw delivery, PublishBatch and
//! throttling.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use openwatch_sns::testing::{Receiver, options, verify_message};
use openwatch_sns::{
    BatchEntry, BatchResult, MessageAttribute, PublishRequest, Signer, Sns, SnsError,
    TOKEN_LIFETIME_MS,
};
use openwatch_storage::{Catalog, Clock, SimClock};
use serde_json::Value;

const A: &str = "123456789012";
const R: &str = "us-east-1";

struct World {
    _dir: tempfile::TempDir,
    clock: Arc<SimClock>,
    sns: Sns,
    rx: Receiver,
    topic: String,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let sns = Sns::open(
        catalog,
        &dir.path().join("sns"),
        clock.clone(),
        options("http://sns.local:4599/"),
    )
    .unwrap();
    let topic = sns
        .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
        .unwrap();
    World {
        _dir: dir,
        clock,
        sns,
        rx: Receiver::start().unwrap(),
        topic,
    }
}

fn attrs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Subscribes the receiver with `attributes` and confirms through the token it received.
fn confirmed(w: &World, attributes: &[(&str, &str)]) -> String {
    w.sns
        .subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &attrs(attributes))
        .unwrap();
    w.sns.run_deliveries().unwrap();
    let body = w.rx.bodies().pop().unwrap();
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    let token = body["Token"].as_str().unwrap();
    w.sns
        .confirm_subscription_as(A, R, &w.topic, token, true, false)
        .unwrap()
}

fn pem() -> String {
    openwatch_sns::testing::signer().cert_pem()
}

#[test]
fn messages_verify_with_the_certificate_alone() {
    let w = world();
    w.sns
        .subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &BTreeMap::new())
        .unwrap();
    w.sns.run_deliveries().unwrap();
    let confirmation = w.rx.bodies().pop().unwrap();
    verify_message(&confirmation, &pem()).unwrap();
    let token = confirmation["Token"].as_str().unwrap();
    let url = confirmation["SubscribeURL"].as_str().unwrap();
    assert_eq!(
        url,
        format!(
            "http://sns.local:4599/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3A{R}%3A{A}%3At&Token={token}"
        )
    );
    assert_eq!(
        confirmation["SigningCertURL"],
        format!("http://sns.local:4599{}", w.sns.signing_cert_path())
    );
    assert!(
        w.sns
            .signing_cert_path()
            .starts_with("/sns/SimpleNotificationService-")
    );
    assert_eq!(w.sns.signing_cert_pem(), pem());
    w.sns
        .confirm_subscription_as(A, R, &w.topic, token, false, false)
        .unwrap();

    for version in ["1", "2"] {
        w.sns
            .set_topic_attribute(A, R, &w.topic, "SignatureVersion", version)
            .unwrap();
        let req = PublishRequest {
            message: "line one\nline \"two\"".into(),
            subject: Some("Subject: \"quoted\" ascii".into()),
            ..Default::default()
        };
        w.sns.publish(A, R, &w.topic, &req).unwrap();
        w.sns.run_deliveries().unwrap();
        let mut body = w.rx.bodies().pop().unwrap();
        assert_eq!(body["SignatureVersion"], version);
        verify_message(&body, &pem()).unwrap();
        // Any change to a signed member breaks the signature.
        body["Message"] = Value::String("line one".into());
        assert!(verify_message(&body, &pem()).is_err());
    }
    assert!(matches!(
        w.sns
            .set_topic_attribute(A, R, &w.topic, "SignatureVersion", "3"),
        Err(SnsError::InvalidParameter(_))
    ));
    // Another key's certificate does not verify it.
    let other = Signer::generate(0).unwrap();
    let body = w.rx.bodies().pop().unwrap();
    assert!(verify_message(&body, &other.cert_pem()).is_err());
}

#[test]
fn the_signing_key_is_kept_private_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let a = Signer::load_or_create(dir.path(), 1_764_000_000).unwrap();
    let b = Signer::load_or_create(dir.path(), 1_800_000_000).unwrap();
    assert_eq!(a.key_id(), b.key_id());
    assert_eq!(a.cert_der(), b.cert_der());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("signing-key.der"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The certificate holds the key that signs.
    let parsed = openwatch_sns::parse_certificate(a.cert_der()).unwrap();
    use rsa::pkcs8::EncodePublicKey as _;
    assert_eq!(
        a.public_key().to_public_key_der().unwrap().as_bytes(),
        parsed.spki.as_slice()
    );
    // A certificate that does not match the key is refused.
    std::fs::write(
        dir.path().join("signing-cert.der"),
        openwatch_sns::testing::signer().cert_der(),
    )
    .unwrap();
    assert!(Signer::load_or_create(dir.path(), 0).is_err());
}

#[test]
fn tokens_expire_after_three_days_and_resubscribing_resends() {
    let w = world();
    let sub = w
        .sns
        .subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &BTreeMap::new())
        .unwrap();
    w.clock
        .advance(Duration::from_millis(TOKEN_LIFETIME_MS as u64 + 1));
    assert!(matches!(
        w.sns
            .confirm_subscription_as(A, R, &w.topic, &sub.token, true, false),
        Err(SnsError::InvalidParameter(m)) if m == "Invalid token"
    ));
    // Subscribing again sends a new confirmation, and the token is good again.
    let again = w
        .sns
        .subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &BTreeMap::new())
        .unwrap();
    assert_eq!(again.arn, sub.arn);
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 2);
    w.sns
        .confirm_subscription_as(A, R, &w.topic, &sub.token, true, false)
        .unwrap();
    // Different attributes for the same endpoint are refused.
    assert!(matches!(
        w.sns.subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &attrs(&[("RawMessageDelivery", "true")])),
        Err(SnsError::InvalidParameter(m)) if m.contains("different attributes")
    ));
}

#[test]
fn unsubscribe_confirms_and_can_be_undone() {
    let w = world();
    let arn = confirmed(&w, &[]);
    w.sns.unsubscribe_as(A, R, &arn, false).unwrap();
    let report = w.sns.run_deliveries().unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let got = w.rx.received.lock().last().cloned().unwrap();
    assert_eq!(
        got.headers["x-amz-sns-message-type"],
        "UnsubscribeConfirmation"
    );
    let body: Value = serde_json::from_str(&got.body).unwrap();
    verify_message(&body, &pem()).unwrap();
    assert!(
        w.sns
            .list_subscriptions(A, R, None, None)
            .unwrap()
            .items
            .is_empty()
    );
    // Its SubscribeURL's token restores the subscription.
    let token = body["Token"].as_str().unwrap();
    assert_eq!(
        w.sns
            .confirm_subscription_as(A, R, &w.topic, token, false, false)
            .unwrap(),
        arn
    );
    assert!(w.sns.subscription(A, R, &arn).unwrap().confirmed);
    assert!(
        w.sns
            .confirm_subscription_as(A, R, &w.topic, token, false, false)
            .is_err(),
        "used"
    );

    // AuthenticateOnUnsubscribe (honoured only for a signed confirmation).
    let w = world();
    w.sns
        .subscribe_with_attributes(A, R, &w.topic, "http", &w.rx.url, &BTreeMap::new())
        .unwrap();
    w.sns.run_deliveries().unwrap();
    let token = w.rx.bodies().pop().unwrap()["Token"]
        .as_str()
        .unwrap()
        .to_owned();
    let arn = w
        .sns
        .confirm_subscription_as(A, R, &w.topic, &token, true, true)
        .unwrap();
    let a = w.sns.subscription_attributes(A, R, &arn).unwrap();
    assert_eq!(a["ConfirmationWasAuthenticated"], "true");
    assert!(matches!(
        w.sns.unsubscribe_as(A, R, &arn, false),
        Err(SnsError::AuthorizationError(_))
    ));
    w.sns.unsubscribe_as(A, R, &arn, true).unwrap();
}

fn attr(t: &str, v: &str) -> MessageAttribute {
    MessageAttribute {
        data_type: t.into(),
        value: v.into(),
    }
}

#[test]
fn filter_policies_and_raw_delivery() {
    let w = world();
    let arn = confirmed(
        &w,
        &[
            (
                "FilterPolicy",
                r#"{"color":["red"],"size":[{"numeric":[">",3]}]}"#,
            ),
            ("RawMessageDelivery", "true"),
        ],
    );
    let publish = |color: &str, size: &str| {
        let req = PublishRequest {
            message: format!("{color}-{size}"),
            attributes: BTreeMap::from([
                ("color".to_owned(), attr("String", color)),
                ("size".to_owned(), attr("Number", size)),
            ]),
            ..Default::default()
        };
        w.sns.publish(A, R, &w.topic, &req).unwrap()
    };
    publish("blue", "5");
    publish("red", "2");
    let id = publish("red", "5");
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 1);
    let got = w.rx.received.lock().last().cloned().unwrap();
    assert_eq!(got.body, "red-5");
    assert_eq!(got.headers["x-amz-sns-rawdelivery"], "true");
    assert_eq!(got.headers["x-amz-sns-message-id"], id);
    assert_eq!(got.headers["x-amz-sns-subscription-arn"], arn);
    assert_eq!(got.headers["x-amz-sns-topic-arn"], w.topic);

    // Body-scoped policy; an invalid policy leaves the stored one.
    assert!(
        w.sns
            .set_subscription_attribute(A, R, &arn, "FilterPolicy", r#"{"a":{"b":["x"]}}"#)
            .is_err()
    );
    w.sns
        .set_subscription_attribute(A, R, &arn, "FilterPolicyScope", "MessageBody")
        .unwrap();
    w.sns
        .set_subscription_attribute(A, R, &arn, "FilterPolicy", r#"{"a":{"b":["x"]}}"#)
        .unwrap();
    w.sns
        .set_subscription_attribute(A, R, &arn, "RawMessageDelivery", "false")
        .unwrap();
    let a = w.sns.subscription_attributes(A, R, &arn).unwrap();
    assert_eq!(a["FilterPolicyScope"], "MessageBody");
    assert_eq!(a["RawMessageDelivery"], "false");
    for m in [r#"{"a":{"b":"y"}}"#, r#"{"a":{"b":"x"}}"#, "x"] {
        w.sns
            .publish(
                A,
                R,
                &w.topic,
                &PublishRequest {
                    message: m.into(),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 1);
    let body = w.rx.bodies().pop().unwrap();
    assert_eq!(body["Message"], r#"{"a":{"b":"x"}}"#);
    // A scope the stored policy does not fit is refused.
    assert!(
        w.sns
            .set_subscription_attribute(A, R, &arn, "FilterPolicyScope", "MessageAttributes")
            .is_err()
    );
    for (k, v) in [
        ("RawMessageDelivery", "yes"),
        ("Nope", "1"),
        (
            "DeliveryPolicy",
            r#"{"healthyRetryPolicy":{"numRetries":101}}"#,
        ),
    ] {
        assert!(
            w.sns.set_subscription_attribute(A, R, &arn, k, v).is_err(),
            "{k}"
        );
    }
}

#[test]
fn publish_batch() {
    let w = world();
    confirmed(&w, &[]);
    let entry = |id: &str, m: &str| BatchEntry {
        id: id.into(),
        request: PublishRequest {
            message: m.into(),
            ..Default::default()
        },
    };
    let code = |r: Result<Vec<BatchResult>, SnsError>| match r {
        Err(e) => e.code(),
        Ok(_) => "ok",
    };
    assert_eq!(
        code(w.sns.publish_batch(A, R, &w.topic, &[])),
        "EmptyBatchRequest"
    );
    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("e{i}"), "m")).collect();
    assert_eq!(
        code(w.sns.publish_batch(A, R, &w.topic, &eleven)),
        "TooManyEntriesInBatchRequest"
    );
    assert_eq!(
        code(
            w.sns
                .publish_batch(A, R, &w.topic, &[entry("a", "m"), entry("a", "n")])
        ),
        "BatchEntryIdsNotDistinct"
    );
    assert_eq!(
        code(w.sns.publish_batch(A, R, &w.topic, &[entry("a b", "m")])),
        "InvalidBatchEntryId"
    );
    let big = "x".repeat(200 * 1024);
    assert_eq!(
        code(
            w.sns
                .publish_batch(A, R, &w.topic, &[entry("a", &big), entry("b", &big)])
        ),
        "BatchRequestTooLong"
    );
    let before = w.rx.received.lock().len();
    let results = w
        .sns
        .publish_batch(
            A,
            R,
            &w.topic,
            &[entry("ok", "m1"), entry("bad", ""), entry("ok2", "m2")],
        )
        .unwrap();
    assert!(matches!(&results[0], BatchResult::Published { id, .. } if id == "ok"));
    assert!(
        matches!(&results[1], BatchResult::Failed { id, error: SnsError::InvalidParameter(_) } if id == "bad")
    );
    assert!(matches!(&results[2], BatchResult::Published { id, .. } if id == "ok2"));
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 2);
    assert_eq!(w.rx.received.lock().len(), before + 2);
}

#[test]
fn throttle_policy_spreads_deliveries() {
    let w = world();
    let arn = confirmed(&w, &[]);
    w.sns
        .set_subscription_attribute(
            A,
            R,
            &arn,
            "DeliveryPolicy",
            r#"{"throttlePolicy":{"maxReceivesPerSecond":2},"requestPolicy":{"headerContentType":"application/json"}}"#,
        )
        .unwrap();
    for i in 0..5 {
        w.sns
            .publish(
                A,
                R,
                &w.topic,
                &PublishRequest {
                    message: format!("m{i}"),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let r = w.sns.run_deliveries().unwrap();
    assert_eq!((r.delivered, r.throttled), (2, 3));
    w.clock.advance(Duration::from_secs(1));
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 2);
    w.clock.advance(Duration::from_secs(1));
    assert_eq!(w.sns.run_deliveries().unwrap().delivered, 1);
    let got = w.rx.received.lock().last().cloned().unwrap();
    assert_eq!(got.headers["content-type"], "application/json");
    let eff = w.sns.subscription_attributes(A, R, &arn).unwrap();
    assert!(eff["EffectiveDeliveryPolicy"].contains("\"maxReceivesPerSecond\":2"));
    let _ = w.clock.now_millis();
}
