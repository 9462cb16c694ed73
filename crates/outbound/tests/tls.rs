//! `https://` calls against a local TLS server whose self-signed certificate is made here.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use openwatch_outbound::{HttpUrl, base64, call, request, tls};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

struct Cert {
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

fn self_signed() -> Cert {
    let ck =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    Cert {
        der: ck.cert.der().clone(),
        key: ck.signing_key.serialize_der(),
    }
}

fn pem(der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = "-----BEGIN CERTIFICATE-----\n".to_owned();
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Serves `connections` TLS connections on 127.0.0.1; each request is answered with `reply`.
/// The thread returns the requests it read (head and body).
fn serve(cert: &Cert, connections: usize, reply: &'static str) -> (u16, JoinHandle<Vec<String>>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der.clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key.clone())),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..connections {
            let (sock, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut stream = BufReader::new(rustls::StreamOwned::new(conn, sock));
            let mut head = String::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).is_err() || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    let mut body = vec![0; len];
                    stream.read_exact(&mut body).unwrap();
                    head.push_str(&String::from_utf8(body).unwrap());
                    let s = stream.get_mut();
                    s.write_all(reply.as_bytes()).unwrap();
                    s.conn.send_close_notify();
                    s.flush().unwrap();
                    break;
                }
            }
            seen.push(head);
        }
        seen
    });
    (port, handle)
}

#[test]
fn https_call_through_an_extra_ca_file() {
    let cert = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("extra-ca.pem");
    std::fs::write(&bundle, pem(&cert.der)).unwrap();
    assert_eq!(tls::add_extra_ca_file(&bundle).unwrap(), 1);

    let (port, server) = serve(
        &cert,
        2,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
    );
    let url = HttpUrl::parse_https(&format!("https://127.0.0.1:{port}/hook?x=1")).unwrap();
    let headers = vec![("X-Test".to_owned(), "yes".to_owned())];
    assert_eq!(call("POST", &url, &headers, b"{\"k\":1}").unwrap(), 200);
    let r = request("POST", &url, &[], b"grant").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"{\"a\":1}");
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let seen = server.join().unwrap();
    assert!(
        seen[0].starts_with("POST /hook?x=1 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("X-Test: yes\r\n"));
    assert!(seen[0].ends_with("\r\n\r\n{\"k\":1}"));
    assert!(seen[1].ends_with("grant"));
}

#[test]
fn an_untrusted_certificate_fails_the_call() {
    let cert = self_signed();
    let (port, server) = serve(&cert, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let url = HttpUrl::parse_https(&format!("https://127.0.0.1:{port}/")).unwrap();
    let err = call("POST", &url, &[], b"{}").unwrap_err();
    assert!(err.contains("TLS handshake"), "{err}");
    assert!(
        err.to_lowercase().contains("certificate"),
        "the error names the certificate: {err}"
    );
    let seen = server.join().unwrap();
    assert_eq!(seen, vec![String::new()], "no request reached the server");
}

#[test]
fn bad_extra_ca_bundles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "nothing here\n").unwrap();
    assert!(tls::add_extra_ca_file(&empty).is_err());
    assert!(tls::add_extra_ca_file(&dir.path().join("missing.pem")).is_err());
}
