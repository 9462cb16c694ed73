//! Message signing as SNS does it: an RSA-2048 key and a self-signed certificate (made on first
//! start, kept in the SNS directory, mode 0600), the string SNS signs for each message type, and
//! `SignatureVersion` 1 (SHA1withRSA) or 2 (SHA256withRSA), base64-encoded.

use std::io::Write as _;
use std::path::Path;

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::der;
use crate::error::internal;
use crate::{SnsError, http};

const KEY_FILE: &str = "signing-key.der";
const CERT_FILE: &str = "signing-cert.der";
/// How long a generated certificate is valid.
const CERT_VALIDITY_S: i64 = 10 * 365 * 86_400;

/// The server's signing key and certificate.
pub struct Signer {
    key: RsaPrivateKey,
    cert_der: Vec<u8>,
    key_id: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A new RSA-2048 key and a self-signed certificate valid from `now_s` for ten years.
    pub fn generate(now_s: i64) -> Result<Signer, SnsError> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(internal)?;
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(internal)?
            .into_vec();
        let serial: [u8; 16] = *uuid::Uuid::new_v4().as_bytes();
        let tbs = der::tbs_certificate(
            &serial,
            "OpenWatch SimpleNotificationService",
            now_s,
            now_s + CERT_VALIDITY_S,
            &spki,
        );
        let signature = key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs))
            .map_err(internal)?;
        Ok(Signer::from_parts(key, der::certificate(&tbs, &signature)))
    }

    fn from_parts(key: RsaPrivateKey, cert_der: Vec<u8>) -> Signer {
        let key_id = hex16(&Sha256::digest(&cert_der));
        Signer {
            key,
            cert_der,
            key_id,
        }
    }

    /// The key and certificate kept in `dir`, made and stored (0600) if there are none.
    pub fn load_or_create(dir: &Path, now_s: i64) -> Result<Signer, SnsError> {
        let (key_path, cert_path) = (dir.join(KEY_FILE), dir.join(CERT_FILE));
        if key_path.exists() && cert_path.exists() {
            let key_der = std::fs::read(&key_path).map_err(internal)?;
            let cert_der = std::fs::read(&cert_path).map_err(internal)?;
            let key = RsaPrivateKey::from_pkcs8_der(&key_der).map_err(|e| {
                SnsError::Internal(format!("unreadable SNS signing key {key_path:?}: {e}"))
            })?;
            let signer = Signer::from_parts(key, cert_der);
            if !signer.certificate_matches_key() {
                return Err(SnsError::Internal(format!(
                    "the SNS signing certificate {cert_path:?} does not match the key"
                )));
            }
            return Ok(signer);
        }
        let signer = Signer::generate(now_s)?;
        let key_der = signer.key.to_pkcs8_der().map_err(internal)?;
        write_private(&key_path, key_der.as_bytes())?;
        write_private(&cert_path, &signer.cert_der)?;
        Ok(signer)
    }

    fn certificate_matches_key(&self) -> bool {
        let Some(parsed) = der::parse_certificate(&self.cert_der) else {
            return false;
        };
        self.key
            .to_public_key()
            .to_public_key_der()
            .is_ok_and(|d| d.as_bytes() == parsed.spki.as_slice())
    }

    /// An identifier of the certificate (hex), part of its file name.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The certificate's file name: `SimpleNotificationService-<key id>.pem`.
    pub fn cert_file_name(&self) -> String {
        format!("SimpleNotificationService-{}.pem", self.key_id)
    }

    /// The certificate (DER).
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        let b64 = http::base64(&self.cert_der);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    /// The public key.
    pub fn public_key(&self) -> RsaPublicKey {
        self.key.to_public_key()
    }

    /// Signs `text` with SHA1withRSA (version 1) or SHA256withRSA (version 2); base64.
    pub fn sign(&self, version: u8, text: &str) -> Result<String, SnsError> {
        let signature = if version == 2 {
            self.key.sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(text.as_bytes()),
            )
        } else {
            self.key
                .sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(text.as_bytes()))
        }
        .map_err(internal)?;
        Ok(http::base64(&signature))
    }
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SnsError> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(internal)?;
    f.write_all(bytes).map_err(internal)?;
    f.sync_all().map_err(internal)?;
    std::fs::rename(&tmp, path).map_err(internal)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The string SNS signs: `Name\nvalue\n` for each signed member present, in this order.
/// Notifications sign Message, MessageId, Subject (when present), Timestamp, TopicArn, Type;
/// SubscriptionConfirmation and UnsubscribeConfirmation sign Message, MessageId, SubscribeURL,
/// Timestamp, Token, TopicArn, Type. `None` for another message type.
pub fn string_to_sign(body: &Map<String, Value>) -> Option<String> {
    let fields: &[&str] = match body.get("Type")?.as_str()? {
        "Notification" => &[
            "Message",
            "MessageId",
            "Subject",
            "Timestamp",
            "TopicArn",
            "Type",
        ],
        "SubscriptionConfirmation" | "UnsubscribeConfirmation" => &[
            "Message",
            "MessageId",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
        ],
        _ => return None,
    };
    let mut out = String::new();
    for f in fields {
        if let Some(v) = body.get(*f).and_then(Value::as_str) {
            out.push_str(f);
            out.push('\n');
            out.push_str(v);
            out.push('\n');
        }
    }
    Some(out)
}
