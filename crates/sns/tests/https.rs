//! `https` subscriptions: the confirmation reaches a local TLS endpoint whose certificate is
//! trusted through the outbound client's extra CAs; an endpoint whose certificate is not
//! trusted fails like a network error and is retried.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use openwatch_sns::testing::{Receiver, options, signer, verify_message};
use openwatch_sns::{Sns, http};
use openwatch_storage::{Catalog, SimClock};
use parking_lot::Mutex;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const A: &str = "123456789012";
const R: &str = "us-east-1";

/// A TLS server on 127.0.0.1 answering 200 to every request; returns its port and the bodies.
fn tls_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    http::tls::add_extra_ca_der(vec![ck.cert.der().clone()]).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![ck.cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der())),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(sock) = sock else { continue };
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            let mut stream = BufReader::new(rustls::StreamOwned::new(conn, sock));
            let mut len = 0;
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).is_err() || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    let mut body = vec![0; len];
                    if stream.read_exact(&mut body).is_err() {
                        break;
                    }
                    seen.lock()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    let s = stream.get_mut();
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                    s.conn.send_close_notify();
                    let _ = s.flush();
                    break;
                }
            }
        }
    });
    (port, bodies)
}

#[test]
fn https_endpoints_get_signed_messages_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_764_000_000_000));
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    let sns = Sns::open(
        catalog,
        &dir.path().join("sns"),
        clock.clone(),
        options("http://127.0.0.1:4599"),
    )
    .unwrap();
    let topic = sns
        .create_topic(A, R, "t", &BTreeMap::new(), &BTreeMap::new())
        .unwrap();
    let (port, bodies) = tls_receiver();
    let endpoint = format!("https://127.0.0.1:{port}/hook");
    sns.subscribe(A, R, &topic, "https", &endpoint).unwrap();
    assert_eq!(sns.run_deliveries().unwrap().delivered, 1);
    let body: serde_json::Value = serde_json::from_str(&bodies.lock()[0]).unwrap();
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    verify_message(&body, &signer().cert_pem()).unwrap();

    // A plain-HTTP server behind an https:// URL: the handshake fails and the delivery waits
    // for its retry.
    let plain = Receiver::start().unwrap();
    let fake = plain.url.replace("http://", "https://");
    sns.subscribe(A, R, &topic, "https", &fake).unwrap();
    let r = sns.run_deliveries().unwrap();
    assert_eq!((r.delivered, r.retried), (0, 1), "{r:?}");
    clock.advance(Duration::from_secs(20));
    assert_eq!(sns.run_deliveries().unwrap().retried, 1);
}
