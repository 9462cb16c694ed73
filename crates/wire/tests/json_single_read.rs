//! awsJson bodies are read once: straight into the input shape, and checked only when that read
//! fails. Which error a request gets, and whether it is audited, is what checking first gave: a
//! malformed body is the service's malformed-input error (before an unknown operation, and not
//! audited), even where the shape alone would have read it; a well-formed body the shape cannot
//! read is the shape's error, after authorization, audited.

use openwatch_wire::Service;
use openwatch_wire::protocol::json_de;
use openwatch_wire::testing::{TestClient, TestResponse};
use openwatch_wire::value::DecodeError;

mod echo;

use echo::EchoInput;

fn client() -> TestClient {
    echo::client(Service::Logs)
}

async fn call(client: &TestClient, operation: &str, body: &[u8]) -> TestResponse {
    client
        .send(
            Service::Logs,
            "/",
            &[
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                ("x-amz-target", format!("Logs_20140328.{operation}")),
            ],
            body.to_vec(),
        )
        .await
}

/// Bodies `validate` refuses although every member the shape reads is fine: the refusal hides
/// in a member the shape ignores, or the body is not an object at all.
const MALFORMED: &[&[u8]] = &[
    br#"{"Name":"a","Other":1e999}"#,
    br#"{"Name":"a","Other":"\ud800"}"#,
    b"{\"Name\":\"a\",\"Other\":\"\xff\"}",
    br#"{"Name":"a","Other":[1,{"x":-1e400}]}"#,
    b"null",
    b"[]",
    br#""a""#,
    br#"{"Name":"a"} {"#,
    b"{not json",
];

#[tokio::test]
async fn malformed_bodies_are_refused_as_malformed_and_not_audited() {
    let client = client();
    for body in MALFORMED {
        let text = String::from_utf8_lossy(body);
        let message = json_de::validate(body).expect_err("malformed");
        // The shape alone reads the first ones: the refusal must come from the check.
        if body.starts_with(b"{\"Name\":\"a\",\"Other\"") {
            assert!(
                json_de::from_json::<EchoInput>(body).is_err(),
                "{text}: a read must not accept what validate refuses"
            );
        }
        let resp = call(&client, "Echo", body).await;
        assert_eq!(resp.status, 400, "{text}");
        let json = resp.json();
        assert_eq!(json["__type"], "SerializationException", "{text}");
        assert_eq!(json["message"], message.as_str(), "{text}");
        // The malformed-body error comes before the unknown operation.
        let resp = call(&client, "NoSuchThing", body).await;
        assert_eq!(resp.json()["__type"], "SerializationException", "{text}");
    }
    assert!(client.audit.0.lock().is_empty());
}

#[tokio::test]
async fn well_formed_bodies_reach_the_shape_and_the_operation() {
    let client = client();
    let resp = call(
        &client,
        "Echo",
        br#" {"Name":"bob","Other":{"x":[1e300,"\u00e9"]}} "#,
    )
    .await;
    assert_eq!(resp.status, 200, "{:?}", resp.json());
    assert_eq!(resp.json()["Greeting"], "hello bob");
    // Empty and whitespace bodies are empty structures.
    for body in [&b""[..], b"  \n"] {
        let resp = call(&client, "Echo", body).await;
        assert_eq!(resp.status, 200, "{:?}", resp.json());
        assert_eq!(resp.json()["Greeting"], "hello ");
    }
    // Well-formed JSON the shape cannot read: the service's validation error, audited.
    let body = br#"{"Name":7}"#;
    assert_eq!(json_de::validate(body), Ok(()));
    let Err(DecodeError::Invalid(message)) = json_de::from_json::<EchoInput>(body) else {
        panic!("the shape reads a number as a name");
    };
    let resp = call(&client, "Echo", body).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["message"], message.as_str());
    // An unknown operation with a well-formed body.
    let resp = call(&client, "NoSuchThing", b"{}").await;
    assert_eq!(resp.json()["__type"], "UnknownOperationException");

    let events = client.audit.0.lock();
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[3].request_parameters,
        Some(serde_json::json!({"name": 7}))
    );
    assert!(events[3].error_code.is_some());
}
