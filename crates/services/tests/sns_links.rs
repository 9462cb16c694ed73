//! SNS's links through the pipeline: the certificate at SigningCertURL, the unsigned
//! SubscribeURL and UnsubscribeURL, subscription attributes and PublishBatch.
#![allow(clippy::unwrap_used)]

use openwatch_sns::testing::{Receiver, verify_message};
use openwatch_wire::Service;

mod sns_support;

use sns_support::{assert_contains, call, deliver, element, fixture, local, topic, unescape};

#[tokio::test]
async fn subscribe_url_certificate_and_unsubscribe_url() {
    let f = fixture();
    let c = &f.client;
    let rx = Receiver::start().unwrap();
    let arn = topic(c, "t").await;
    let sub = call(
        c,
        "Subscribe",
        &[
            ("TopicArn", &arn),
            ("Protocol", "http"),
            ("Endpoint", &rx.url),
            ("Attributes.entry.1.key", "FilterPolicy"),
            ("Attributes.entry.1.value", r#"{"kind":["alarm"]}"#),
            ("ReturnSubscriptionArn", "true"),
        ],
        200,
    )
    .await;
    let sub_arn = element(&sub.text(), "SubscriptionArn");
    deliver(&f).await;
    let confirmation = rx.bodies().remove(0);

    // The certificate is served unsigned at SigningCertURL and verifies the message.
    let cert = c
        .unsigned_get(local(confirmation["SigningCertURL"].as_str().unwrap()))
        .await;
    assert_eq!(cert.status, 200);
    let pem = cert.text();
    verify_message(&confirmation, &pem).unwrap();

    // A wrong token through the SubscribeURL form is refused; the real one confirms.
    let bad = c
        .unsigned_get(&format!(
            "/?Action=ConfirmSubscription&TopicArn={arn}&Token=nope"
        ))
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    let ok = c
        .unsigned_get(local(confirmation["SubscribeURL"].as_str().unwrap()))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(element(&ok.text(), "SubscriptionArn"), sub_arn);
    let event = f.client.audit.0.lock().last().cloned().unwrap();
    assert!(event.caller.is_anonymous());
    // Other operations still need a signature.
    let unsigned = c.unsigned_get("/?Action=ListTopics").await;
    assert_eq!(unsigned.status, 403, "{}", unsigned.text());

    // Attributes through the API.
    let sa = c
        .query(
            Service::Sns,
            "GetSubscriptionAttributes",
            &[("SubscriptionArn", &sub_arn)],
        )
        .await;
    let text = unescape(&sa.text());
    assert!(
        text.contains(r#"<key>FilterPolicy</key><value>{"kind":["alarm"]}</value>"#),
        "{text}"
    );
    assert!(
        text.contains("<key>ConfirmationWasAuthenticated</key><value>false</value>"),
        "{text}"
    );
    let set = call(
        c,
        "SetSubscriptionAttributes",
        &[
            ("SubscriptionArn", &sub_arn),
            ("AttributeName", "FilterPolicy"),
            ("AttributeValue", r#"{"a":{"b":["1"]}}"#),
        ],
        400,
    )
    .await;
    assert_contains(&set, "nested");

    // PublishBatch: one passes the filter, one does not, one fails.
    let batch = call(
        c,
        "PublishBatch",
        &[
            ("TopicArn", &arn),
            ("PublishBatchRequestEntries.member.1.Id", "one"),
            ("PublishBatchRequestEntries.member.1.Message", "m1"),
            (
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name",
                "kind",
            ),
            (
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType",
                "String",
            ),
            (
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue",
                "alarm",
            ),
            ("PublishBatchRequestEntries.member.2.Id", "two"),
            ("PublishBatchRequestEntries.member.2.Message", "m2"),
            ("PublishBatchRequestEntries.member.3.Id", "three"),
            ("PublishBatchRequestEntries.member.3.Message", "m3"),
            ("PublishBatchRequestEntries.member.3.Subject", ""),
        ],
        200,
    )
    .await;
    let text = batch.text();
    assert!(text.contains("<Successful><member><Id>one</Id>"), "{text}");
    assert!(text.contains("<Id>two</Id>"), "{text}");
    assert!(
        text.contains("<Failed><member><Id>three</Id><Code>InvalidParameter</Code>"),
        "{text}"
    );
    let dup = call(
        c,
        "PublishBatch",
        &[
            ("TopicArn", &arn),
            ("PublishBatchRequestEntries.member.1.Id", "a"),
            ("PublishBatchRequestEntries.member.1.Message", "m"),
            ("PublishBatchRequestEntries.member.2.Id", "a"),
            ("PublishBatchRequestEntries.member.2.Message", "m"),
        ],
        400,
    )
    .await;
    assert_contains(&dup, "<Code>BatchEntryIdsNotDistinct</Code>");
    deliver(&f).await;
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 2, "only the message that passes the filter");
    let n = &bodies[1];
    assert_eq!(n["Message"], "m1");
    verify_message(n, &pem).unwrap();

    // The UnsubscribeURL, unsigned.
    let un = c
        .unsigned_get(local(n["UnsubscribeURL"].as_str().unwrap()))
        .await;
    assert_eq!(un.status, 200, "{}", un.text());
    call(
        c,
        "GetSubscriptionAttributes",
        &[("SubscriptionArn", &sub_arn)],
        404,
    )
    .await;
    deliver(&f).await;
    assert_eq!(
        rx.bodies().last().unwrap()["Type"],
        "UnsubscribeConfirmation"
    );
}
