//! Connection states, UpdateConnection / DeauthorizeConnection / UpdateApiDestination, and OAuth
//! client credentials against a loopback token endpoint.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::json;

use super::*;
use crate::*;

/// What the loopback server answers and what it saw.
#[derive(Default)]
struct Script {
    /// Status of the token endpoint (`/token`).
    token_status: u16,
    tokens_issued: u32,
    /// Statuses `/api` answers in turn (200 once empty).
    api: VecDeque<u16>,
    /// `(path, authorization header, body)` of each request.
    seen: Vec<(String, String, String)>,
}

fn server() -> (u16, Arc<Mutex<Script>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = Arc::new(Mutex::new(Script {
        token_status: 200,
        ..Script::default()
    }));
    let s = Arc::clone(&script);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
            let (mut len, mut auth) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("authorization:") {
                    auth = line["authorization:".len()..].trim().to_owned();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let mut sc = s.lock();
            sc.seen.push((
                path.clone(),
                auth,
                String::from_utf8_lossy(&body).into_owned(),
            ));
            let (status, reply) = if path.starts_with("/token") {
                if sc.token_status == 200 {
                    sc.tokens_issued += 1;
                    let t = json!({"access_token": format!("tok-{}", sc.tokens_issued),
                                   "token_type": "Bearer", "expires_in": 120});
                    (200, t.to_string())
                } else {
                    (sc.token_status, "{\"error\":\"invalid_client\"}".to_owned())
                }
            } else {
                (sc.api.pop_front().unwrap_or(200), String::new())
            };
            drop(sc);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (port, script)
}

fn oauth(port: u16, secret: &str) -> ConnectionAuth {
    ConnectionAuth::OAuth(OAuthParameters {
        authorization_endpoint: format!("http://127.0.0.1:{port}/token?aud=api"),
        http_method: "POST".into(),
        client_id: "client-1".into(),
        client_secret: secret.into(),
        http_parameters: HttpParameters {
            body: vec![HttpParameter {
                key: "scope".into(),
                value: "events write".into(),
                secret: false,
            }],
            ..HttpParameters::default()
        },
    })
}

async fn put(e: &Events) {
    e.put_events(A, R, &[entry("shop", json!({}))])
        .await
        .unwrap();
}

fn requests(script: &Arc<Mutex<Script>>, prefix: &str) -> Vec<(String, String, String)> {
    script
        .lock()
        .seen
        .iter()
        .filter(|r| r.0.starts_with(prefix))
        .cloned()
        .collect()
}

#[tokio::test]
async fn oauth_tokens_are_fetched_cached_and_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, clock, ..
    } = env(dir.path());
    let (port, script) = server();
    let c = e
        .create_connection(A, R, "oauth", None, oauth(port, "shh"))
        .unwrap();
    assert_eq!(c.state, ConnectionState::Authorizing);
    assert!(!format!("{c:?}").contains("shh"));
    let d = e
        .create_api_destination(
            A,
            R,
            "api",
            None,
            &c.arn,
            &format!("http://127.0.0.1:{port}/api"),
            "POST",
            None,
        )
        .unwrap();
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "r", vec![target("api", &d.arn)])
        .unwrap();

    put(&e).await;
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    let tokens = requests(&script, "/token");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].0, "/token?aud=api");
    assert_eq!(
        tokens[0].1,
        format!("Basic {}", crate::http::base64(b"client-1:shh"))
    );
    assert_eq!(
        tokens[0].2,
        "grant_type=client_credentials&scope=events%20write"
    );
    assert_eq!(requests(&script, "/api")[0].1, "Bearer tok-1");
    let c = e.describe_connection(A, R, "oauth").unwrap();
    assert_eq!(c.state, ConnectionState::Authorized);
    assert!(c.last_authorized_millis.is_some());

    // Cached while more than 60 s of its 120 s remain.
    clock.advance(Duration::from_secs(30));
    put(&e).await;
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    assert_eq!(requests(&script, "/token").len(), 1);
    // Refreshed once it is about to expire.
    clock.advance(Duration::from_secs(31));
    put(&e).await;
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    assert_eq!(requests(&script, "/api").last().unwrap().1, "Bearer tok-2");

    // A 401 drops the token: the retry fetches a new one.
    script.lock().api.push_back(401);
    put(&e).await;
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    assert_eq!(requests(&script, "/api").last().unwrap().1, "Bearer tok-3");

    // The endpoint refusing the client deauthorizes the connection.
    e.update_connection(
        A,
        R,
        "oauth",
        ConnectionUpdate {
            client_secret: Some("rotated".into()),
            ..ConnectionUpdate::default()
        },
    )
    .unwrap();
    script.lock().token_status = 401;
    put(&e).await;
    assert_eq!(e.run_deliveries().unwrap().retried, 1);
    let c = e.describe_connection(A, R, "oauth").unwrap();
    assert_eq!(c.state, ConnectionState::Deauthorized);
    assert!(c.state_reason.unwrap().contains("HTTP 401"));
    let calls = requests(&script, "/api").len();
    clock.advance(Duration::from_secs(2));
    script.lock().token_status = 200;
    assert_eq!(e.run_deliveries().unwrap().retried, 1, "still deauthorized");
    assert_eq!(requests(&script, "/api").len(), calls);

    // New credentials authorize it again.
    let c = e
        .update_connection(
            A,
            R,
            "oauth",
            ConnectionUpdate {
                client_secret: Some("fresh".into()),
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(c.state, ConnectionState::Authorizing);
    clock.advance(Duration::from_secs(5));
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    assert_eq!(
        requests(&script, "/token").last().unwrap().1,
        format!("Basic {}", crate::http::base64(b"client-1:fresh"))
    );
}

#[tokio::test]
async fn deauthorized_connections_fail_deliveries_until_updated() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e, clock, ..
    } = env(dir.path());
    let (port, script) = server();
    let c = e
        .create_connection(
            A,
            R,
            "key",
            Some("before"),
            ConnectionAuth::ApiKey {
                name: "x-key".into(),
                value: "v1".into(),
            },
        )
        .unwrap();
    assert_eq!(c.state, ConnectionState::Authorized);
    let d = e
        .create_api_destination(
            A,
            R,
            "api",
            None,
            &c.arn,
            &format!("http://127.0.0.1:{port}/api"),
            "POST",
            None,
        )
        .unwrap();
    e.put_rule(A, R, rule("r", r#"{"source":["shop"]}"#))
        .unwrap();
    e.put_targets(A, R, None, "r", vec![target("api", &d.arn)])
        .unwrap();

    let c = e.deauthorize_connection(A, R, "key").unwrap();
    assert_eq!(c.state, ConnectionState::Deauthorized);
    assert_eq!(
        c.auth,
        ConnectionAuth::ApiKey {
            name: "x-key".into(),
            value: String::new()
        },
        "the secret is gone"
    );
    let listed = e
        .list_connections(
            A,
            R,
            None,
            Some(ConnectionState::Deauthorized),
            &PageRequest::default(),
        )
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    put(&e).await;
    let r = e.run_deliveries().unwrap();
    assert_eq!(r.retried, 1);
    assert!(script.lock().seen.is_empty(), "no call went out");
    assert!(
        e.pending_deliveries()[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("DEAUTHORIZED")
    );

    // A description-only update keeps it deauthorized; an incomplete one is refused.
    let c = e
        .update_connection(
            A,
            R,
            "key",
            ConnectionUpdate {
                description: Some("after".into()),
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(
        (c.state, c.description.as_deref()),
        (ConnectionState::Deauthorized, Some("after"))
    );
    let partial = ConnectionUpdate {
        api_key_name: Some("x-other".into()),
        ..ConnectionUpdate::default()
    };
    assert_eq!(
        e.update_connection(A, R, "key", partial)
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    let mixed = ConnectionUpdate {
        username: Some("u".into()),
        ..ConnectionUpdate::default()
    };
    assert_eq!(
        e.update_connection(A, R, "key", mixed).unwrap_err().code(),
        "ValidationException",
        "Basic members on an API_KEY connection"
    );
    let c = e
        .update_connection(
            A,
            R,
            "key",
            ConnectionUpdate {
                api_key_value: Some("v2".into()),
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(c.state, ConnectionState::Authorized);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);

    // Switching to Basic needs both members.
    let to_basic = ConnectionUpdate {
        authorization_type: Some("BASIC".into()),
        username: Some("u".into()),
        ..ConnectionUpdate::default()
    };
    assert!(e.update_connection(A, R, "key", to_basic).is_err());
    let c = e.describe_connection(A, R, "key").unwrap();
    assert_eq!(c.auth.kind(), "API_KEY", "nothing changed");

    // UpdateApiDestination.
    let moved = e
        .update_api_destination(
            A,
            R,
            "api",
            ApiDestinationUpdate {
                invocation_endpoint: Some("https://example.com/v2".into()),
                invocation_rate_limit_per_second: Some(7),
                ..ApiDestinationUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(
        (
            moved.invocation_endpoint.as_str(),
            moved.invocation_rate_limit_per_second,
            moved.http_method.as_str()
        ),
        ("https://example.com/v2", 7, "POST")
    );
    let bad = ApiDestinationUpdate {
        http_method: Some("FETCH".into()),
        ..ApiDestinationUpdate::default()
    };
    assert_eq!(
        e.update_api_destination(A, R, "api", bad)
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    let missing = ApiDestinationUpdate {
        connection_arn: Some(format!("arn:aws:events:{R}:{A}:connection/nope/1")),
        ..ApiDestinationUpdate::default()
    };
    assert_eq!(
        e.update_api_destination(A, R, "api", missing)
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    assert_eq!(
        e.update_api_destination(A, R, "nope", ApiDestinationUpdate::default())
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    // States survive a reopen.
    drop(e);
    let e = open(dir.path(), clock).events;
    assert_eq!(
        e.describe_api_destination(A, R, "api")
            .unwrap()
            .invocation_rate_limit_per_second,
        7
    );
}
