//! CBOR bodies are read once: straight into the input shape, and checked only when that read
//! fails (as awsJson bodies are, `json_single_read.rs`). Which error a request gets, and whether
//! it is audited, is what checking first gave: a malformed body is the service's malformed-input
//! error (before an unknown operation, and not audited), even where the shape alone would have
//! read it; a well-formed body the shape cannot read is the shape's error, audited.

use openwatch_wire::protocol::{cbor, cbor_de};
use openwatch_wire::testing::{TestClient, TestResponse};
use openwatch_wire::value::DecodeError;
use openwatch_wire::{Service, Value};

mod echo;

use echo::EchoInput;

fn client() -> TestClient {
    echo::client(Service::CloudWatch)
}

async fn call(client: &TestClient, operation: &str, body: &[u8]) -> TestResponse {
    client
        .send(
            Service::CloudWatch,
            &format!("/service/GraniteServiceVersion20100801/operation/{operation}"),
            &[
                ("content-type", "application/cbor".to_owned()),
                ("smithy-protocol", "rpc-v2-cbor".to_owned()),
            ],
            body.to_vec(),
        )
        .await
}

/// `{"Name": "a", <key>: <rest>` as CBOR: a two-member map whose second member is `rest`.
fn named(key: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut body = vec![0xa2, 0x64];
    body.extend_from_slice(b"Name");
    body.extend_from_slice(&[0x61, b'a']);
    body.extend_from_slice(key);
    body.extend_from_slice(rest);
    body
}

/// Bodies `validate` refuses although the shape reads what it asks for: the refusal hides in a
/// member the shape ignores or streams, after the map, or in the body's top-level item.
fn malformed() -> Vec<Vec<u8>> {
    let other = [0x65, b'O', b't', b'h', b'e', b'r'];
    let document = [0x68, b'D', b'o', b'c', b'u', b'm', b'e', b'n', b't'];
    let mut deep = vec![0x81; 70];
    deep.push(0x01);
    let mut deep_maps = Vec::new();
    for _ in 0..70 {
        deep_maps.extend_from_slice(&[0xa1, 0x61, b'k']);
    }
    deep_maps.push(0x01);
    vec![
        // Text that is not UTF-8, in an ignored member and in a streamed document.
        named(&other, &[0x61, 0xff]),
        named(&document, &[0xa1, 0x61, b'k', 0x61, 0xff]),
        // A map key that is not text, in a streamed document.
        named(&document, &[0xa1, 0x01, 0x02]),
        // Nested too deeply, in an ignored member and in a streamed document.
        named(&other, &deep),
        named(&document, &deep),
        named(&document, &deep_maps),
        // Trailing bytes after the map.
        [named(&other, &[0x01]), vec![0x00]].concat(),
        // Not a map: a list the shape would read as a structure, a string.
        vec![0x81, 0x61, b'a'],
        vec![0x61, b'a'],
        // Cut short.
        named(&other, &[0x82, 0x01]),
    ]
}

#[tokio::test]
async fn malformed_bodies_are_refused_as_malformed_and_not_audited() {
    let client = client();
    for body in malformed() {
        let message = cbor::validate(&body).expect_err("malformed");
        assert!(
            cbor_de::from_cbor::<EchoInput>(&body).is_err(),
            "{body:x?}: a read must not accept what validate refuses"
        );
        let resp = call(&client, "Echo", &body).await;
        assert_eq!(resp.status, 400, "{body:x?}");
        let err = resp.cbor().expect("a CBOR error");
        assert_eq!(
            err.get("message"),
            Some(&Value::Str(message.clone())),
            "{body:x?}"
        );
        // The malformed-body error comes before the unknown operation.
        let resp = call(&client, "NoSuchThing", &body).await;
        let err = resp.cbor().expect("a CBOR error");
        assert_eq!(err.get("message"), Some(&Value::Str(message)), "{body:x?}");
    }
    assert!(client.audit.0.lock().is_empty());
}

#[tokio::test]
async fn well_formed_bodies_reach_the_shape_and_the_operation() {
    let client = client();
    // Ignored and streamed members at the deepest nesting `validate` accepts, a tagged map at
    // the top (tags are transparent), an empty body.
    let mut deep = vec![0x81; 62];
    deep.push(0x01);
    let body = named(&[0x65, b'O', b't', b'h', b'e', b'r'], &deep);
    let documented = named(
        &[0x68, b'D', b'o', b'c', b'u', b'm', b'e', b'n', b't'],
        &deep,
    );
    let tagged = [vec![0xd8, 0x20], named(&[0x61, b'x'], &[0x01])].concat();
    for body in [body, documented, tagged] {
        assert_eq!(cbor::validate(&body), Ok(()), "{body:x?}");
        let resp = call(&client, "Echo", &body).await;
        assert_eq!(resp.status, 200, "{body:x?}: {:?}", resp.cbor());
        let out = resp.cbor().expect("CBOR");
        assert_eq!(out.get("Greeting"), Some(&Value::Str("hello a".into())));
    }
    let resp = call(&client, "Echo", b"").await;
    assert_eq!(resp.status, 200, "{:?}", resp.cbor());

    // Well-formed CBOR the shape cannot read: the service's validation error, audited.
    let body = [0xa1, 0x64, b'N', b'a', b'm', b'e', 0x07];
    assert_eq!(cbor::validate(&body), Ok(()));
    let Err(DecodeError::Invalid(message)) = cbor_de::from_cbor::<EchoInput>(&body) else {
        panic!("the shape reads a number as a name");
    };
    let resp = call(&client, "Echo", &body).await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.cbor().expect("CBOR").get("message"),
        Some(&Value::Str(message))
    );
    // An unknown operation with a well-formed body.
    let resp = call(&client, "NoSuchThing", &[0xa0]).await;
    assert_eq!(resp.status, 400);

    let events = client.audit.0.lock();
    assert_eq!(events.len(), 5);
    assert_eq!(
        events[4].request_parameters,
        Some(serde_json::json!({"name": 7}))
    );
    assert!(events[4].error_code.is_some());
}
