//! SNS through the pipeline, in the query protocol as the CLI and SDKs send it.
#![allow(clippy::unwrap_used)]

use openwatch_sns::testing::Receiver;
use openwatch_wire::Service;
use openwatch_wire::testing::TEST_ACCOUNT;

mod sns_support;

use sns_support::{assert_contains, call, deliver, element, fixture, topic, unescape};

#[tokio::test]
async fn topics_attributes_and_tags() {
    let f = fixture();
    let c = &f.client;
    let resp = call(
        c,
        "CreateTopic",
        &[
            ("Name", "alerts"),
            ("Attributes.entry.1.key", "DisplayName"),
            ("Attributes.entry.1.value", "Ops"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "a"),
        ],
        200,
    )
    .await;
    let arn = element(&resp.text(), "TopicArn");
    assert_eq!(arn, format!("arn:aws:sns:us-east-1:{TEST_ACCOUNT}:alerts"));
    assert_contains(&resp, "<CreateTopicResult>");
    // Idempotent.
    let again = c
        .query(Service::Sns, "CreateTopic", &[("Name", "alerts")])
        .await;
    assert_eq!(element(&again.text(), "TopicArn"), arn);

    let bad = call(c, "CreateTopic", &[("Name", "a.fifo")], 400).await;
    assert_contains(&bad, "<Code>InvalidParameter</Code>");
    assert_contains(&bad, "FIFO");
    call(c, "CreateTopic", &[("Name", "a b")], 400).await;

    let list = c.query(Service::Sns, "ListTopics", &[]).await;
    assert_contains(
        &list,
        &format!("<member><TopicArn>{arn}</TopicArn></member>"),
    );

    call(
        c,
        "SetTopicAttributes",
        &[
            ("TopicArn", &arn),
            ("AttributeName", "DisplayName"),
            ("AttributeValue", "New"),
        ],
        200,
    )
    .await;
    call(
        c,
        "SetTopicAttributes",
        &[
            ("TopicArn", &arn),
            ("AttributeName", "Nope"),
            ("AttributeValue", "x"),
        ],
        400,
    )
    .await;
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
    assert_contains(&tags, "<Key>team</Key><Value>a</Value>");
    let r = call(
        c,
        "TagResource",
        &[
            ("ResourceArn", &arn),
            ("Tags.member.1.Key", "env"),
            ("Tags.member.1.Value", "prod"),
        ],
        200,
    )
    .await;
    // botocore requires the (empty) result element.
    assert_contains(&r, "<TagResourceResult></TagResourceResult>");
    call(
        c,
        "UntagResource",
        &[("ResourceArn", &arn), ("TagKeys.member.1", "team")],
        200,
    )
    .await;
    let tags = c
        .query(
            Service::Sns,
            "ListTagsForResource",
            &[("ResourceArn", &arn)],
        )
        .await;
    assert_contains(&tags, "<Key>env</Key>");
    assert!(!tags.text().contains("team"), "{}", tags.text());

    let missing = format!("arn:aws:sns:us-east-1:{TEST_ACCOUNT}:missing");
    let nf = call(c, "GetTopicAttributes", &[("TopicArn", &missing)], 404).await;
    assert_contains(&nf, "<Code>NotFound</Code>");
    call(
        c,
        "Publish",
        &[("TopicArn", &missing), ("Message", "x")],
        404,
    )
    .await;

    let foreign = call(
        c,
        "Publish",
        &[
            ("TopicArn", "arn:aws:sns:us-east-1:999999999999:t"),
            ("Message", "x"),
        ],
        403,
    )
    .await;
    assert_contains(&foreign, "<Code>AuthorizationError</Code>");
    call(c, "DeleteTopic", &[("TopicArn", &arn)], 200).await;
    let list = c.query(Service::Sns, "ListTopics", &[]).await;
    assert!(!list.text().contains(&arn), "{}", list.text());
}

#[tokio::test]
async fn subscribe_confirm_publish_deliver() {
    let f = fixture();
    let c = &f.client;
    let rx = Receiver::start().unwrap();
    let arn = topic(c, "t").await;

    let https = call(
        c,
        "Subscribe",
        &[
            ("TopicArn", &arn),
            ("Protocol", "https"),
            ("Endpoint", "http://127.0.0.1:9/"),
        ],
        400,
    )
    .await;
    assert_contains(&https, "InvalidParameter");

    let sub = call(
        c,
        "Subscribe",
        &[
            ("TopicArn", &arn),
            ("Protocol", "http"),
            ("Endpoint", &rx.url),
        ],
        200,
    )
    .await;
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
    assert_contains(
        &listed,
        "<SubscriptionArn>PendingConfirmation</SubscriptionArn>",
    );

    deliver(&f).await;
    let body = rx.bodies().remove(0);
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    let token = body["Token"].as_str().unwrap().to_owned();

    call(
        c,
        "ConfirmSubscription",
        &[("TopicArn", &arn), ("Token", "x")],
        400,
    )
    .await;
    let ok = call(
        c,
        "ConfirmSubscription",
        &[("TopicArn", &arn), ("Token", &token)],
        200,
    )
    .await;
    let sub_arn = element(&ok.text(), "SubscriptionArn");
    assert!(sub_arn.starts_with(&format!("{arn}:")));
    let all = c.query(Service::Sns, "ListSubscriptions", &[]).await;
    assert_contains(
        &all,
        &format!("<SubscriptionArn>{sub_arn}</SubscriptionArn>"),
    );
    assert_contains(&all, "<Protocol>http</Protocol>");

    call(c, "Publish", &[("TopicArn", &arn), ("Message", "")], 400).await;
    let published = call(
        c,
        "Publish",
        &[
            ("TopicArn", &arn),
            ("Message", "hello"),
            ("Subject", "greeting"),
            ("MessageAttributes.entry.1.Name", "color"),
            ("MessageAttributes.entry.1.Value.DataType", "String"),
            ("MessageAttributes.entry.1.Value.StringValue", "blue"),
        ],
        200,
    )
    .await;
    let message_id = element(&published.text(), "MessageId");
    deliver(&f).await;
    let got = rx.received.lock().clone();
    let n = &got[1];
    assert_eq!(n.headers["x-amz-sns-message-type"], "Notification");
    assert_eq!(n.headers["x-amz-sns-subscription-arn"], sub_arn);
    let body: serde_json::Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(body["MessageId"], message_id.as_str());
    assert_eq!(body["Message"], "hello");
    assert_eq!(body["Subject"], "greeting");
    assert_eq!(body["MessageAttributes"]["color"]["Value"], "blue");

    let sa = call(
        c,
        "GetSubscriptionAttributes",
        &[("SubscriptionArn", &sub_arn)],
        200,
    )
    .await;
    assert_contains(
        &sa,
        "<entry><key>PendingConfirmation</key><value>false</value></entry>",
    );
    assert_contains(
        &sa,
        &format!(
            "<entry><key>Endpoint</key><value>{}</value></entry>",
            rx.url
        ),
    );
    call(c, "Unsubscribe", &[("SubscriptionArn", &sub_arn)], 200).await;
    call(c, "Unsubscribe", &[("SubscriptionArn", &sub_arn)], 404).await;
    let sa = call(
        c,
        "GetSubscriptionAttributes",
        &[("SubscriptionArn", &sub_arn)],
        404,
    )
    .await;
    assert_contains(&sa, "<Code>NotFound</Code>");
    let attrs = c
        .query(Service::Sns, "GetTopicAttributes", &[("TopicArn", &arn)])
        .await;
    assert!(
        unescape(&attrs.text()).contains("<key>SubscriptionsDeleted</key><value>1</value>"),
        "{}",
        attrs.text()
    );
}
