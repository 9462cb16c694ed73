//! Tags on CloudWatch alarms through the real pipeline: TagResource, UntagResource and
//! ListTagsForResource (JSON 1.0, rpc-v2-cbor and query), `Tags` on PutMetricAlarm /
//! PutCompositeAlarm, their errors, and a composite's ActionsSuppressedBy in DescribeAlarms.
#![allow(clippy::unwrap_used)]

use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Service, Value};
use serde_json::{Value as Json, json};

mod cloudwatch_support;
use cloudwatch_support::alarms_client as client;

fn alarm(name: &str, tags: Json) -> Json {
    json!({"AlarmName": name, "Namespace": "App", "MetricName": "Errors", "Statistic": "Sum",
           "Period": 60, "EvaluationPeriods": 1, "Threshold": 5.0,
           "ComparisonOperator": "GreaterThanThreshold", "Tags": tags})
}

fn arn(name: &str) -> String {
    format!("arn:aws:cloudwatch:us-east-1:{TEST_ACCOUNT}:alarm:{name}")
}

async fn list(c: &TestClient, arn: &str) -> openwatch_wire::testing::TestResponse {
    c.json(
        Service::CloudWatch,
        "ListTagsForResource",
        json!({"ResourceARN": arn}),
    )
    .await
}

#[tokio::test]
async fn json_tag_untag_and_list() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    let r = c
        .json(
            cw,
            "PutMetricAlarm",
            alarm("a", json!([{"Key": "team", "Value": "core"}])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = list(&c, &arn("a")).await;
    assert_eq!(
        r.json(),
        json!({"Tags": [{"Key": "team", "Value": "core"}]})
    );
    let r = c
        .json(
            cw,
            "TagResource",
            json!({"ResourceARN": arn("a"),
                   "Tags": [{"Key": "team", "Value": "edge"}, {"Key": "env", "Value": "prod"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({}));
    let r = list(&c, &arn("a")).await;
    assert_eq!(
        r.json()["Tags"],
        json!([{"Key": "team", "Value": "edge"}, {"Key": "env", "Value": "prod"}])
    );
    let r = c
        .json(
            cw,
            "UntagResource",
            json!({"ResourceARN": arn("a"), "TagKeys": ["team"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        list(&c, &arn("a")).await.json()["Tags"],
        json!([{"Key": "env", "Value": "prod"}])
    );

    // Composite alarms are taggable too; Tags given at creation are stored.
    let r = c
        .json(
            cw,
            "PutCompositeAlarm",
            json!({"AlarmName": "c", "AlarmRule": "ALARM(a)",
                   "Tags": [{"Key": "k", "Value": "v"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        list(&c, &arn("c")).await.json()["Tags"],
        json!([{"Key": "k", "Value": "v"}])
    );
}

#[tokio::test]
async fn json_tag_errors() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    c.json(cw, "PutMetricAlarm", alarm("a", json!([]))).await;
    // Unknown alarm, another region, a dashboard (not taggable through this API).
    for missing in [
        arn("nope"),
        format!("arn:aws:cloudwatch:eu-west-1:{TEST_ACCOUNT}:alarm:a"),
        format!("arn:aws:cloudwatch::{TEST_ACCOUNT}:dashboard/d"),
    ] {
        let r = c
            .json(cw, "ListTagsForResource", json!({"ResourceARN": missing}))
            .await;
        assert_eq!(r.status, 404, "{missing}: {}", r.text());
        assert_eq!(r.json()["__type"], "ResourceNotFoundException");
        assert_eq!(
            r.header("x-amzn-query-error"),
            Some("ResourceNotFoundException;Sender")
        );
    }
    let r = c
        .json(
            cw,
            "TagResource",
            json!({"ResourceARN": arn("a"), "Tags": [{"Key": "aws:reserved", "Value": "x"}]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "InvalidParameterValueException");
    let r = c
        .json(cw, "TagResource", json!({"ResourceARN": arn("a")}))
        .await;
    assert_eq!(r.json()["__type"], "MissingRequiredParameterException");
    let too_many: Vec<Json> = (0..51)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let r = c
        .json(cw, "PutMetricAlarm", alarm("b", Json::Array(too_many)))
        .await;
    assert_eq!(r.json()["__type"], "InvalidParameterValueException");
    let r = c
        .json(cw, "DescribeAlarms", json!({"AlarmNames": ["b"]}))
        .await;
    assert_eq!(r.json()["MetricAlarms"], json!([]));
    let r = c
        .json(cw, "ListTagsForResource", json!({"ResourceARN": arn("a")}))
        .await;
    assert_eq!(r.json()["Tags"], json!([]));
}

#[tokio::test]
async fn query_and_cbor_tags() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    c.json(cw, "PutMetricAlarm", alarm("q", json!([]))).await;
    let a = arn("q");
    let r = c
        .query(
            cw,
            "TagResource",
            &[
                ("ResourceARN", &a),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "core"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .query(cw, "ListTagsForResource", &[("ResourceARN", &a)])
        .await;
    assert!(
        r.text()
            .contains("<Tags><member><Key>team</Key><Value>core</Value></member></Tags>"),
        "{}",
        r.text()
    );
    let r = c
        .query(
            cw,
            "UntagResource",
            &[("ResourceARN", &a), ("TagKeys.member.1", "team")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .query(cw, "ListTagsForResource", &[("ResourceARN", &arn("x"))])
        .await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<Code>ResourceNotFoundException</Code>"));

    let body = Value::Struct(vec![
        ("ResourceARN".into(), Value::Str(a.clone())),
        (
            "Tags".into(),
            Value::List(vec![Value::Struct(vec![
                ("Key".into(), Value::Str("env".into())),
                ("Value".into(), Value::Str("dev".into())),
            ])]),
        ),
    ]);
    let r = c.cbor(cw, "TagResource", &body).await;
    assert_eq!(r.status, 200, "{:?}", r.cbor());
    let out = c
        .cbor(
            cw,
            "ListTagsForResource",
            &Value::Struct(vec![("ResourceARN".into(), Value::Str(a))]),
        )
        .await
        .cbor()
        .unwrap();
    let Some(Value::List(tags)) = out.get("Tags") else {
        panic!("{out:?}");
    };
    assert_eq!(tags[0].get("Key"), Some(&Value::Str("env".into())));
}
