//! SNS through the pipeline, in the query protocol as the CLI and SDKs send it.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_sns::testing::Receiver;
use openwatch_wire::Service;
use openwatch_wire::testing::TEST_ACCOUNT;

mod sns_support;

use sns_support::{element, fixture, unescape};

#[tokio::test]
async fn topics_attributes_and_tags() {
    let f = fixture();
    let c = &f.client;
    let resp = c
        .query(
            Service::Sns,
            "CreateTopic",
            &[
                ("Name", "alerts"),
                ("Attributes.entry.1.key", "DisplayName"),
                ("Attributes.entry.1.value", "Ops"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "a"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let arn = element(&resp.text(), "TopicArn");
    assert_eq!(arn, format!("arn:aws:sns:us-east-1:{TEST_ACCOUNT}:alerts"));
    assert!(
        resp.text().contains("<CreateTopicResult>"),
        "{}",
        resp.text()
    );
    // Idempotent.
    let again = c
        .query(Service::Sns, "CreateTopic", &[("Name", "alerts")])
        .await;
    assert_eq!(element(&again.text(), "TopicArn"), arn);

    let bad = c
        .query(Service::Sns, "CreateTopic", &[("Name", "a.fifo")])
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("<Code>InvalidParameter</Code>"),
        "{}",
        bad.text()
    );
    assert!(bad.text().contains("FIFO"), "{}", bad.text());
    let bad = c
        .query(Service::Sns, "CreateTopic", &[("Name", "a b")])
        .await;
    assert_eq!(bad.status, 400);

    let list = c.query(Service::Sns, "ListTopics", &[]).await;
    assert!(
        list.text()
            .contains(&format!("<member><TopicArn>{arn}</TopicArn></member>")),
        "{}",
        list.text()
    );

    let set = c
        .query(
            Service::Sns,
            "SetTopicAttributes",
            &[
                ("TopicArn", &arn),
                ("AttributeName", "DisplayName"),
                ("AttributeValue", "New"),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text());
    let bad = c
        .query(
            Service::Sns,
            "SetTopicAttributes",
            &[
                ("TopicArn", &arn),
                ("AttributeName", "Nope"),
                ("AttributeValue", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    let attrs = c
        .query(Service::Sns, "GetTopicAttributes", &[("TopicArn", &arn)])
        .await;
    let text = attrs.text();
    assert!(
        text.contains("<entry><key>DisplayName</key><value>New</value></entry>"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "<entry><key>Owner</key><value>{TEST_ACCOUNT}</value></entry>"
        )),
        "{text}"
    );
    assert!(
        text.contains("<key>SubscriptionsPending</key><value>0</value>"),
        "{text}"
    );

    let tags = c
        .query(
            Service::Sns,
            "ListTagsForResource",
            &[("ResourceArn", &arn)],
        )
        .await;
    assert!(
        tags.text().contains("<Key>team</Key><Value>a</Value>"),
        "{}",
        tags.text()
    );
    let r = c
        .query(
            Service::Sns,
            "TagResource",
            &[
                ("ResourceArn", &arn),
                ("Tags.member.1.Key", "env"),
                ("Tags.member.1.Value", "prod"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // botocore requires the (empty) result element.
    assert!(
        r.text().contains("<TagResourceResult></TagResourceResult>"),
        "{}",
        r.text()
    );
    let r = c
        .query(
            Service::Sns,
            "UntagResource",
            &[("ResourceArn", &arn), ("TagKeys.member.1", "team")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let tags = c
        .query(
            Service::Sns,
            "ListTagsForResource",
            &[("ResourceArn", &arn)],
        )
        .await;
    assert!(
        tags.text().contains("<Key>env</Key>") && !tags.text().contains("team"),
        "{}",
        tags.text()
    );

    let missing = format!("arn:aws:sns:us-east-1:{TEST_ACCOUNT}:missing");
    let nf = c
        .query(
            Service::Sns,
            "GetTopicAttributes",
            &[("TopicArn", &missing)],
        )
        .await;
    assert_eq!(nf.status, 404, "{}", nf.text());
    assert!(nf.text().contains("<Code>NotFound</Code>"), "{}", nf.text());
    let nf = c
        .query(
            Service::Sns,
            "Publish",
            &[("TopicArn", &missing), ("Message", "x")],
        )
        .await;
    assert_eq!(nf.status, 404);

    let foreign = c
        .query(
            Service::Sns,
            "Publish",
            &[
                ("TopicArn", "arn:aws:sns:us-east-1:999999999999:t"),
                ("Message", "x"),
            ],
        )
        .await;
    assert_eq!(foreign.status, 403, "{}", foreign.text());
    assert!(
        foreign.text().contains("<Code>AuthorizationError</Code>"),
        "{}",
        foreign.text()
    );
    let del = c
        .query(Service::Sns, "DeleteTopic", &[("TopicArn", &arn)])
        .await;
    assert_eq!(del.status, 200);
    let list = c.query(Service::Sns, "ListTopics", &[]).await;
    assert!(!list.text().contains(&arn), "{}", list.text());
}

#[tokio::test]
async fn subscribe_confirm_publish_deliver() {
    let f = fixture();
    let c = &f.client;
    let rx = Receiver::start().unwrap();
    let arn = element(
        &c.query(Service::Sns, "CreateTopic", &[("Name", "t")])
            .await
            .text(),
        "TopicArn",
    );

    let https = c
        .query(
            Service::Sns,
            "Subscribe",
            &[
                ("TopicArn", &arn),
                ("Protocol", "https"),
                ("Endpoint", "http://127.0.0.1:9/"),
            ],
        )
        .await;
    assert_eq!(https.status, 400);
    assert!(
        https.text().contains("InvalidParameter"),
        "{}",
        https.text()
    );

    let sub = c
        .query(
            Service::Sns,
            "Subscribe",
            &[
                ("TopicArn", &arn),
                ("Protocol", "http"),
                ("Endpoint", &rx.url),
            ],
        )
        .await;
    assert_eq!(sub.status, 200, "{}", sub.text());
    assert_eq!(
        element(&sub.text(), "SubscriptionArn"),
        "pending confirmation"
    );
    let listed = c
        .query(
            Service::Sns,
            "ListSubscriptionsByTopic",
            &[("TopicArn", &arn)],
        )
        .await;
    assert!(
        listed
            .text()
            .contains("<SubscriptionArn>PendingConfirmation</SubscriptionArn>"),
        "{}",
        listed.text()
    );

    let sns = Arc::clone(&f.sns);
    tokio::task::spawn_blocking(move || sns.run_deliveries().unwrap())
        .await
        .unwrap();
    let body = rx.bodies().remove(0);
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    let token = body["Token"].as_str().unwrap().to_owned();

    let bad = c
        .query(
            Service::Sns,
            "ConfirmSubscription",
            &[("TopicArn", &arn), ("Token", "x")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let ok = c
        .query(
            Service::Sns,
            "ConfirmSubscription",
            &[("TopicArn", &arn), ("Token", &token)],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let sub_arn = element(&ok.text(), "SubscriptionArn");
    assert!(sub_arn.starts_with(&format!("{arn}:")));
    let all = c.query(Service::Sns, "ListSubscriptions", &[]).await;
    assert!(
        all.text()
            .contains(&format!("<SubscriptionArn>{sub_arn}</SubscriptionArn>")),
        "{}",
        all.text()
    );
    assert!(
        all.text().contains("<Protocol>http</Protocol>"),
        "{}",
        all.text()
    );

    let empty = c
        .query(
            Service::Sns,
            "Publish",
            &[("TopicArn", &arn), ("Message", "")],
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.text());
    let published = c
        .query(
            Service::Sns,
            "Publish",
            &[
                ("TopicArn", &arn),
                ("Message", "hello"),
                ("Subject", "greeting"),
                ("MessageAttributes.entry.1.Name", "color"),
                ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "blue"),
            ],
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let message_id = element(&published.text(), "MessageId");
    let sns = Arc::clone(&f.sns);
    tokio::task::spawn_blocking(move || sns.run_deliveries().unwrap())
        .await
        .unwrap();
    let got = rx.received.lock().clone();
    let n = &got[1];
    assert_eq!(n.headers["x-amz-sns-message-type"], "Notification");
    assert_eq!(n.headers["x-amz-sns-subscription-arn"], sub_arn);
    let body: serde_json::Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(body["MessageId"], message_id.as_str());
    assert_eq!(body["Message"], "hello");
    assert_eq!(body["Subject"], "greeting");
    assert_eq!(body["MessageAttributes"]["color"]["Value"], "blue");

    let sa = c
        .query(
            Service::Sns,
            "GetSubscriptionAttributes",
            &[("SubscriptionArn", &sub_arn)],
        )
        .await;
    assert_eq!(sa.status, 200, "{}", sa.text());
    assert!(
        sa.text()
            .contains("<entry><key>PendingConfirmation</key><value>false</value></entry>"),
        "{}",
        sa.text()
    );
    assert!(
        sa.text().contains(&format!(
            "<entry><key>Endpoint</key><value>{}</value></entry>",
            rx.url
        )),
        "{}",
        sa.text()
    );
    let un = c
        .query(
            Service::Sns,
            "Unsubscribe",
            &[("SubscriptionArn", &sub_arn)],
        )
        .await;
    assert_eq!(un.status, 200, "{}", un.text());
    let un = c
        .query(
            Service::Sns,
            "Unsubscribe",
            &[("SubscriptionArn", &sub_arn)],
        )
        .await;
    assert_eq!(un.status, 404, "{}", un.text());
    let sa = c
        .query(
            Service::Sns,
            "GetSubscriptionAttributes",
            &[("SubscriptionArn", &sub_arn)],
        )
        .await;
    assert_eq!(sa.status, 404, "{}", sa.text());
    assert!(sa.text().contains("<Code>NotFound</Code>"), "{}", sa.text());
    let attrs = c
        .query(Service::Sns, "GetTopicAttributes", &[("TopicArn", &arn)])
        .await;
    assert!(
        unescape(&attrs.text()).contains("<key>SubscriptionsDeleted</key><value>1</value>"),
        "{}",
        attrs.text()
    );
}
