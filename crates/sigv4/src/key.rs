//! Signing-key derivation and a bounded, thread-safe cache of derived keys.

use std::collections::HashMap;

use hmac::digest::{Key, KeyInit};
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use crate::header::TERMINATOR;

/// HMAC-SHA256.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 instance keyed with `key`. HMAC zero-pads keys up to the
/// 64-byte block size and hashes longer ones first; doing that here lets us use
/// the infallible fixed-size constructor.
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    let mut block = [0u8; 64];
    if key.len() <= block.len() {
        block[..key.len()].copy_from_slice(key);
    } else {
        block[..32].copy_from_slice(&Sha256::digest(key));
    }
    <HmacSha256 as KeyInit>::new(&Key::<HmacSha256>::from(block))
}

/// HMAC-SHA256 of `data` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Derives `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub(crate) fn derive_signing_key(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
) -> [u8; 32] {
    let mut k_secret = Vec::with_capacity(4 + secret.len());
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.as_bytes());
    let k_date = hmac_sha256(&k_secret, date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

/// Default number of derived keys kept by [`SigningKeyCache::new`].
pub const DEFAULT_SIGNING_KEY_CACHE_CAPACITY: usize = 4096;

/// Cache lookup key: SHA-256 over the length-prefixed secret, date, region and
/// service, so secrets are never stored and distinct inputs cannot collide.
type CacheKey = [u8; 32];

fn cache_key(secret: &str, date: &str, region: &str, service: &str) -> CacheKey {
    let mut h = Sha256::new();
    for part in [secret, date, region, service] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

#[derive(Default)]
struct Generations {
    current: HashMap<CacheKey, HmacSha256>,
    previous: HashMap<CacheKey, HmacSha256>,
}

/// A thread-safe cache of derived SigV4 signing keys, keyed by
/// (secret, date, region, service).
///
/// Deriving a key costs four HMACs; a request under a cached key costs one. The
/// cache stores the HMAC state already keyed with `kSigning` (so the per-request
/// HMAC also skips its key-block compressions), never the secret itself: entries are
/// looked up by a SHA-256 of the inputs.
///
/// Bounded: entries live in two generations of at most `capacity / 2` each; when
/// the current one fills it becomes the previous one and the old previous one is
/// dropped. Hits in the previous generation are promoted, so keys in steady use
/// stay cached (an approximate LRU with O(1) operations and no per-hit bookkeeping).
pub struct SigningKeyCache {
    inner: Mutex<Generations>,
    half_capacity: usize,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .field("capacity", &(self.half_capacity * 2))
            .finish()
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl SigningKeyCache {
    /// A cache holding up to [`DEFAULT_SIGNING_KEY_CACHE_CAPACITY`] keys.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_SIGNING_KEY_CACHE_CAPACITY)
    }

    /// A cache holding up to `capacity` keys (at least 2).
    pub fn with_capacity(capacity: usize) -> Self {
        SigningKeyCache {
            inner: Mutex::new(Generations::default()),
            half_capacity: (capacity / 2).max(1),
        }
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        let g = self.inner.lock();
        g.current.len() + g.previous.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every cached key (e.g. after a credential is rotated or deleted).
    pub fn clear(&self) {
        let mut g = self.inner.lock();
        g.current.clear();
        g.previous.clear();
    }

    /// An HMAC instance keyed with the signing key for this scope, from the cache
    /// or freshly derived (and then cached).
    pub(crate) fn signer(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> HmacSha256 {
        let key = cache_key(secret, date, region, service);
        {
            let mut g = self.inner.lock();
            if let Some(mac) = g.current.get(&key) {
                return mac.clone();
            }
            if let Some(mac) = g.previous.remove(&key) {
                let out = mac.clone();
                self.insert_locked(&mut g, key, mac);
                return out;
            }
        }
        // Derive outside the lock.
        let mac = keyed_hmac(&derive_signing_key(secret, date, region, service));
        let out = mac.clone();
        let mut g = self.inner.lock();
        self.insert_locked(&mut g, key, mac);
        out
    }

    fn insert_locked(&self, g: &mut Generations, key: CacheKey, mac: HmacSha256) {
        if g.current.len() >= self.half_capacity {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(key, mac);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn derives_the_documented_key() {
        // From AWS's "Examples of how to derive a signing key for Signature Version 4".
        let k = derive_signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(k),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn hmac_matches_crate_for_long_keys() {
        let long = [7u8; 100];
        let mut reference = <HmacSha256 as Mac>::new_from_slice(&long).unwrap();
        reference.update(b"data");
        let want: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(hmac_sha256(&long, b"data"), want);
    }

    #[test]
    fn cache_is_bounded_and_consistent() {
        let cache = SigningKeyCache::with_capacity(8);
        for i in 0..100 {
            let secret = format!("secret{i}");
            let mut a = cache.signer(&secret, "20150830", "us-east-1", "svc");
            let mut b = keyed_hmac(&derive_signing_key(&secret, "20150830", "us-east-1", "svc"));
            a.update(b"x");
            b.update(b"x");
            assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
            assert!(cache.len() <= 8);
        }
        // A key in steady use survives churn.
        for i in 0..100 {
            let _ = cache.signer("hot", "20150830", "us-east-1", "svc");
            let _ = cache.signer(&format!("cold{i}"), "20150830", "us-east-1", "svc");
        }
        let hot = cache_key("hot", "20150830", "us-east-1", "svc");
        let g = cache.inner.lock();
        assert!(g.current.contains_key(&hot) || g.previous.contains_key(&hot));
        drop(g);
        cache.clear();
        assert!(cache.is_empty());
    }
}
