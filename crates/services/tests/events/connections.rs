//! Connections and API destinations.

use super::*;

#[tokio::test]
async fn connection_and_api_destination_operations() {
    use std::io::{BufRead, BufReader, Read, Write};
    let f = fixture();
    // A loopback receiver that fails once, then accepts.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut head, mut len) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let status = if i == 0 { 500 } else { 200 };
            let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
            let _ = tx.send((head, String::from_utf8(body).unwrap()));
        }
    });

    let c = f
        .ok(
            "CreateConnection",
            json!({"Name": "hook-auth", "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "eb", "Password": "hunter2"}}}),
        )
        .await;
    assert_eq!(c["ConnectionState"], "AUTHORIZED");
    let conn_arn = c["ConnectionArn"].as_str().unwrap().to_owned();
    {
        let audit = f.client.audit.0.lock();
        let recorded = serde_json::to_string(&audit.last().unwrap().request_parameters).unwrap();
        assert!(
            !recorded.contains("hunter2"),
            "the password never reaches the trail: {recorded}"
        );
    }
    let d = f
        .ok("DescribeConnection", json!({"Name": "hook-auth"}))
        .await;
    assert_eq!(d["AuthParameters"]["BasicAuthParameters"]["Username"], "eb");
    assert!(!d.to_string().contains("hunter2"));
    assert_eq!(f.err("CreateConnection", json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {}})).await.0, "ValidationException");
    assert_eq!(
        f.ok("ListConnections", json!({})).await["Connections"][0]["Name"],
        "hook-auth"
    );

    let a = f
        .ok("CreateApiDestination", json!({"Name": "hook", "ConnectionArn": conn_arn,
            "InvocationEndpoint": format!("http://127.0.0.1:{port}/in"), "HttpMethod": "POST", "InvocationRateLimitPerSecond": 10}))
        .await;
    assert_eq!(a["ApiDestinationState"], "ACTIVE");
    let dest_arn = a["ApiDestinationArn"].as_str().unwrap().to_owned();
    assert_eq!(
        f.ok("DescribeApiDestination", json!({"Name": "hook"}))
            .await["InvocationRateLimitPerSecond"],
        10
    );
    assert_eq!(
        f.ok("ListApiDestinations", json!({"ConnectionArn": conn_arn}))
            .await["ApiDestinations"][0]["Name"],
        "hook"
    );
    assert_eq!(
        f.err("DescribeApiDestination", json!({"Name": "nope"}))
            .await,
        (
            "ResourceNotFoundException".into(),
            "An api-destination 'nope' does not exist.".into()
        )
    );

    f.ok(
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\":[\"shop\"]}"}),
    )
    .await;
    let put = f.ok("PutTargets", json!({"Rule": "r", "Targets": [{"Id": "api", "Arn": dest_arn,
        "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": "{\"order\": <n>}"}}]})).await;
    assert_eq!(put["FailedEntryCount"], 0);
    f.ok(
        "PutEvents",
        json!({"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 7}"}]}),
    )
    .await;
    assert_eq!(f.events.run_deliveries().unwrap().retried, 1);
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(f.events.run_deliveries().unwrap().delivered, 1);
    let _first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let (head, body) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(head.starts_with("POST /in HTTP/1.1"), "{head}");
    assert!(
        head.contains("Authorization: Basic ZWI6aHVudGVyMg==\r\n"),
        "{head}"
    );
    assert_eq!(body, "{\"order\": 7}");

    f.ok("RemoveTargets", json!({"Rule": "r", "Ids": ["api"]}))
        .await;
    f.ok("DeleteApiDestination", json!({"Name": "hook"})).await;
    assert_eq!(
        f.ok("DeleteConnection", json!({"Name": "hook-auth"})).await["ConnectionState"],
        "DELETING"
    );
    assert_eq!(
        f.err("DescribeConnection", json!({"Name": "hook-auth"}))
            .await
            .0,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn oauth_update_deauthorize_and_update_api_destination() {
    let f = fixture();
    let c = f
        .ok(
            "CreateConnection",
            json!({"Name": "oauth", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
            "AuthParameters": {"OAuthParameters": {
                "AuthorizationEndpoint": "https://auth.example.com/oauth2/token",
                "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "cid", "ClientSecret": "topsecret"},
                "OAuthHttpParameters": {
                    "BodyParameters": [{"Key": "audience", "Value": "api", "IsValueSecret": false}],
                    "HeaderParameters": [{"Key": "x-tenant", "Value": "hidden-tenant", "IsValueSecret": true}]}}}}),
        )
        .await;
    assert_eq!(c["ConnectionState"], "AUTHORIZING");
    let conn_arn = c["ConnectionArn"].as_str().unwrap().to_owned();
    {
        let audit = f.client.audit.0.lock();
        let recorded = serde_json::to_string(&audit.last().unwrap().request_parameters).unwrap();
        assert!(!recorded.contains("topsecret"), "{recorded}");
        assert!(!recorded.contains("hidden-tenant"), "{recorded}");
        assert!(recorded.contains("cid"), "{recorded}");
    }
    let d = f.ok("DescribeConnection", json!({"Name": "oauth"})).await;
    assert_eq!(d["AuthorizationType"], "OAUTH_CLIENT_CREDENTIALS");
    assert_eq!(d["ConnectionState"], "AUTHORIZING");
    let o = &d["AuthParameters"]["OAuthParameters"];
    assert_eq!(o["ClientParameters"]["ClientID"], "cid");
    assert_eq!(o["HttpMethod"], "POST");
    assert_eq!(
        o["OAuthHttpParameters"]["BodyParameters"][0]["Value"],
        "api"
    );
    let header = &o["OAuthHttpParameters"]["HeaderParameters"][0];
    assert_eq!(header["Key"], "x-tenant");
    assert_eq!(header["IsValueSecret"], true);
    assert!(header.get("Value").is_none(), "{header}");
    assert!(!d.to_string().contains("topsecret"));
    assert!(!d.to_string().contains("hidden-tenant"));

    for (bad, why) in [
        (
            json!({"AuthorizationEndpoint": "https://a/", "HttpMethod": "PATCH",
                "ClientParameters": {"ClientID": "c", "ClientSecret": "s"}}),
            "method",
        ),
        (
            json!({"AuthorizationEndpoint": "https://a/", "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "c"}}),
            "secret",
        ),
        (
            json!({"AuthorizationEndpoint": "not a url", "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "c", "ClientSecret": "s"}}),
            "endpoint",
        ),
    ] {
        let (code, _) = f
            .err(
                "CreateConnection",
                json!({"Name": "bad", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                       "AuthParameters": {"OAuthParameters": bad}}),
            )
            .await;
        assert_eq!(code, "ValidationException", "{why}");
    }

    // A key connection: deauthorized, listed by state, re-authorized by an update.
    f.ok(
        "CreateConnection",
        json!({"Name": "key", "AuthorizationType": "API_KEY",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-key", "ApiKeyValue": "v1"}}}),
    )
    .await;
    let r = f.ok("DeauthorizeConnection", json!({"Name": "key"})).await;
    assert_eq!(r["ConnectionState"], "DEAUTHORIZING");
    let d = f.ok("DescribeConnection", json!({"Name": "key"})).await;
    assert_eq!(d["ConnectionState"], "DEAUTHORIZED");
    let listed = f
        .ok(
            "ListConnections",
            json!({"ConnectionState": "DEAUTHORIZED"}),
        )
        .await;
    assert_eq!(listed["Connections"].as_array().unwrap().len(), 1);
    assert_eq!(listed["Connections"][0]["Name"], "key");
    assert_eq!(
        f.err("ListConnections", json!({"ConnectionState": "SLEEPING"}))
            .await
            .0,
        "ValidationException"
    );
    let r = f
        .ok(
            "UpdateConnection",
            json!({"Name": "key", "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyValue": "v2"}}}),
        )
        .await;
    assert_eq!(r["ConnectionState"], "AUTHORIZED");
    assert!(r["LastAuthorizedTime"].is_number(), "{r}");
    {
        let audit = f.client.audit.0.lock();
        let recorded = serde_json::to_string(&audit.last().unwrap().request_parameters).unwrap();
        assert!(!recorded.contains("v2"), "{recorded}");
    }
    assert_eq!(
        f.err(
            "UpdateConnection",
            json!({"Name": "key", "AuthParameters": {"BasicAuthParameters": {"Username": "u"}}})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        f.err(
            "UpdateConnection",
            json!({"Name": "nope", "Description": "x"})
        )
        .await
        .0,
        "ResourceNotFoundException"
    );
    assert_eq!(
        f.err("DeauthorizeConnection", json!({"Name": "nope"}))
            .await
            .0,
        "ResourceNotFoundException"
    );

    // https:// endpoints are accepted; UpdateApiDestination changes what it is given.
    f.ok(
        "CreateApiDestination",
        json!({"Name": "hook", "ConnectionArn": conn_arn,
               "InvocationEndpoint": "https://hooks.example.com/in", "HttpMethod": "POST"}),
    )
    .await;
    let u = f
        .ok(
            "UpdateApiDestination",
            json!({"Name": "hook", "HttpMethod": "PUT", "InvocationRateLimitPerSecond": 5}),
        )
        .await;
    assert_eq!(u["ApiDestinationState"], "ACTIVE");
    let d = f
        .ok("DescribeApiDestination", json!({"Name": "hook"}))
        .await;
    assert_eq!(d["HttpMethod"], "PUT");
    assert_eq!(d["InvocationRateLimitPerSecond"], 5);
    assert_eq!(d["InvocationEndpoint"], "https://hooks.example.com/in");
    assert_eq!(
        f.err(
            "UpdateApiDestination",
            json!({"Name": "hook", "InvocationEndpoint": "ftp://x/"})
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        f.err("UpdateApiDestination", json!({"Name": "gone"}))
            .await
            .0,
        "ResourceNotFoundException"
    );
}
