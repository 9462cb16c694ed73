//! CloudWatch dashboards through the real pipeline: PutDashboard, GetDashboard, ListDashboards
//! and DeleteDashboards in JSON 1.0, rpc-v2-cbor and query, with their errors.
#![allow(clippy::unwrap_used)]

use openwatch_wire::testing::TEST_ACCOUNT;
use openwatch_wire::{Service, Value};
use serde_json::json;

mod cloudwatch_support;
use cloudwatch_support::{NOW, dashboards_client as client};

fn body() -> String {
    json!({"widgets": [
        {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
         "properties": {"metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"], ["...", "i-2"]],
                        "region": "us-east-1", "stat": "Average", "period": 300}},
        {"type": "text", "x": 12, "y": 0, "width": 6, "height": 3, "properties": {"markdown": "# Ops"}}
    ]})
    .to_string()
}

#[tokio::test]
async fn json_put_get_list_delete() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    let r = c
        .json(
            cw,
            "PutDashboard",
            json!({"DashboardName": "ops", "DashboardBody": body()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"DashboardValidationMessages": []}));
    c.json(
        cw,
        "PutDashboard",
        json!({"DashboardName": "ops-2", "DashboardBody": "{\"widgets\":[]}"}),
    )
    .await;

    let r = c
        .json(cw, "GetDashboard", json!({"DashboardName": "ops"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = r.json();
    assert_eq!(got["DashboardName"], "ops");
    assert_eq!(got["DashboardBody"], body());
    assert_eq!(
        got["DashboardArn"],
        format!("arn:aws:cloudwatch::{TEST_ACCOUNT}:dashboard/ops")
    );

    let r = c.json(cw, "ListDashboards", json!({})).await;
    let list = r.json();
    let entries = list["DashboardEntries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["DashboardName"], "ops");
    assert_eq!(entries[0]["Size"], body().len());
    assert_eq!(entries[0]["LastModified"], json!(NOW / 1000));
    assert!(list.get("NextToken").is_none());
    let r = c
        .json(cw, "ListDashboards", json!({"DashboardNamePrefix": "ops-"}))
        .await;
    assert_eq!(r.json()["DashboardEntries"][0]["DashboardName"], "ops-2");

    // All or nothing: a missing name deletes nothing.
    let r = c
        .json(
            cw,
            "DeleteDashboards",
            json!({"DashboardNames": ["ops", "nope"]}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["__type"], "DashboardNotFoundError");
    assert_eq!(r.json()["message"], "Dashboard nope does not exist");
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("ResourceNotFound;Sender")
    );
    let r = c.json(cw, "ListDashboards", json!({})).await;
    assert_eq!(r.json()["DashboardEntries"].as_array().unwrap().len(), 2);
    let r = c
        .json(
            cw,
            "DeleteDashboards",
            json!({"DashboardNames": ["ops", "ops-2"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .json(cw, "GetDashboard", json!({"DashboardName": "ops"}))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "Dashboard ops does not exist");
}

#[tokio::test]
async fn json_validation_errors() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    let put = |name: &str, body: &str| json!({"DashboardName": name, "DashboardBody": body});
    let r = c.json(cw, "PutDashboard", put("ops", "not json")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "DashboardInvalidInputError");
    assert_eq!(
        r.json()["message"],
        "The field DashboardBody must be a valid JSON object"
    );
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("InvalidParameterInput;Sender")
    );
    let bad = json!({"widgets": [{"type": "metric", "width": 30,
        "properties": {"metrics": [["AWS/EC2", "CPUUtilization"]]}}]})
    .to_string();
    let r = c.json(cw, "PutDashboard", put("ops", &bad)).await;
    assert_eq!(r.status, 400);
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("The dashboard body is invalid, there are 2 validation errors:\n"),
        "{message}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(message.split_once(":\n").unwrap().1).unwrap();
    assert_eq!(
        listed,
        json!([{"dataPath": "/widgets/0/width", "message": "Should be <= 24"},
               {"dataPath": "/widgets/0/properties",
                "message": "Should have required property 'region'"}])
    );
    let r = c.json(cw, "PutDashboard", put("has space", &body())).await;
    assert_eq!(r.json()["__type"], "InvalidParameterValueException");
    let r = c
        .json(cw, "PutDashboard", json!({"DashboardName": "ops"}))
        .await;
    assert_eq!(r.json()["__type"], "MissingRequiredParameterException");
    // Nothing was stored.
    let r = c.json(cw, "ListDashboards", json!({})).await;
    assert_eq!(r.json()["DashboardEntries"], json!([]));
}

#[tokio::test]
async fn cbor_and_query_shapes() {
    let (c, _dir) = client();
    let cw = Service::CloudWatch;
    let put = Value::Struct(vec![
        ("DashboardName".into(), Value::Str("cbor".into())),
        ("DashboardBody".into(), Value::Str(body())),
    ]);
    let r = c.cbor(cw, "PutDashboard", &put).await;
    assert_eq!(r.status, 200, "{:?}", r.cbor());
    let get = Value::Struct(vec![("DashboardName".into(), Value::Str("cbor".into()))]);
    let out = c.cbor(cw, "GetDashboard", &get).await.cbor().unwrap();
    assert_eq!(out.get("DashboardBody"), Some(&Value::Str(body())));
    let out = c
        .cbor(cw, "ListDashboards", &Value::Struct(vec![]))
        .await
        .cbor()
        .unwrap();
    let Some(Value::List(entries)) = out.get("DashboardEntries") else {
        panic!("{out:?}");
    };
    assert_eq!(
        entries[0].get("LastModified"),
        Some(&Value::Timestamp((NOW / 1000) as f64))
    );
    let r = c
        .cbor(
            cw,
            "PutDashboard",
            &Value::Struct(vec![
                ("DashboardName".into(), Value::Str("x".into())),
                ("DashboardBody".into(), Value::Str("{}".into())),
            ]),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("InvalidParameterInput;Sender")
    );

    // Query (XML).
    let r = c
        .query(
            cw,
            "PutDashboard",
            &[("DashboardName", "q"), ("DashboardBody", &body())],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<PutDashboardResult>"), "{}", r.text());
    let r = c.query(cw, "ListDashboards", &[]).await;
    let xml = r.text();
    for needle in [
        "<DashboardEntries><member>",
        "<DashboardName>cbor</DashboardName>",
        &format!("<DashboardArn>arn:aws:cloudwatch::{TEST_ACCOUNT}:dashboard/q</DashboardArn>"),
        &format!("<Size>{}</Size>", body().len()),
    ] {
        assert!(xml.contains(needle), "{needle} not in {xml}");
    }
    let r = c
        .query(
            cw,
            "DeleteDashboards",
            &[
                ("DashboardNames.member.1", "q"),
                ("DashboardNames.member.2", "cbor"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.query(cw, "GetDashboard", &[("DashboardName", "q")]).await;
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("<Code>ResourceNotFound</Code>"),
        "{}",
        r.text()
    );
    let r = c
        .query(
            cw,
            "PutDashboard",
            &[
                ("DashboardName", "q"),
                ("DashboardBody", "{\"widgets\":{}}"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>InvalidParameterInput</Code>"),
        "{}",
        r.text()
    );
}
