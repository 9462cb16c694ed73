//! Test support for delivery (here and in the crates that wire SNS in): a loopback HTTP
//! receiver, a signature verifier that uses nothing but the certificate's PEM (as a
//! subscriber would), and a signer made once per test process.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub target: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// An HTTP server on 127.0.0.1 that records every request and answers each with the next
/// queued status (200 once the queue is empty).
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub statuses: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub fn start() -> std::io::Result<Receiver> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let received = Arc::new(Mutex::new(Vec::new()));
        let statuses = Arc::new(Mutex::new(VecDeque::new()));
        let (r, s) = (Arc::clone(&received), Arc::clone(&statuses));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Ok(clone) = stream.try_clone() else {
                    continue;
                };
                let mut reader = BufReader::new(clone);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let mut headers = BTreeMap::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim_end().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.trim_end().split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                let len: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let status = s.lock().pop_front().unwrap_or(200);
                r.lock().push(Received {
                    target,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Ok(Receiver {
            url,
            received,
            statuses,
        })
    }

    /// The bodies received so far, parsed as JSON.
    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.received
            .lock()
            .iter()
            .filter_map(|r| serde_json::from_str(&r.body).ok())
            .collect()
    }
}

/// A signer made once per process (key generation is slow in debug builds).
pub fn signer() -> Arc<crate::Signer> {
    static SIGNER: OnceLock<Arc<crate::Signer>> = OnceLock::new();
    Arc::clone(SIGNER.get_or_init(|| {
        Arc::new(crate::Signer::generate(1_764_000_000).unwrap_or_else(|e| panic!("{e}")))
    }))
}

/// Options for tests: the shared [`signer`] and `public_url`.
pub fn options(public_url: &str) -> crate::SnsOptions {
    crate::SnsOptions {
        public_url: public_url.to_owned(),
        signer: Some(signer()),
    }
}

/// Decodes standard base64 (padding optional, whitespace skipped).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Verifies a message body as a subscriber does, using only `pem` (the certificate fetched
/// from `SigningCertURL`): the certificate's self-signature, then the message's signature
/// over the string SNS signs, with SHA1 or SHA256 as `SignatureVersion` says.
pub fn verify_message(body: &serde_json::Value, pem: &str) -> Result<(), String> {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    use rsa::pkcs8::DecodePublicKey;
    use sha2::Digest;

    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64_decode(&b64).ok_or("the PEM is not base64")?;
    let cert = crate::parse_certificate(&der).ok_or("not an X.509 certificate")?;
    let key = rsa::RsaPublicKey::from_public_key_der(&cert.spki).map_err(|e| e.to_string())?;
    key.verify(
        Pkcs1v15Sign::new::<sha2::Sha256>(),
        &sha2::Sha256::digest(&cert.tbs),
        &cert.signature,
    )
    .map_err(|e| format!("the certificate's signature: {e}"))?;
    let obj = body.as_object().ok_or("the body is not a JSON object")?;
    let text = crate::string_to_sign(obj).ok_or("not a signed message type")?;
    let signature = obj
        .get("Signature")
        .and_then(serde_json::Value::as_str)
        .and_then(base64_decode)
        .ok_or("no Signature")?;
    let outcome = match obj
        .get("SignatureVersion")
        .and_then(serde_json::Value::as_str)
    {
        Some("1") => key.verify(
            Pkcs1v15Sign::new::<sha1::Sha1>(),
            &sha1::Sha1::digest(text.as_bytes()),
            &signature,
        ),
        Some("2") => key.verify(
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(text.as_bytes()),
            &signature,
        ),
        other => return Err(format!("unknown SignatureVersion {other:?}")),
    };
    outcome.map_err(|e| format!("the message's signature: {e}"))
}
