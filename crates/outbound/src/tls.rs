//! The TLS client for `https://` deliveries: rustls with the `ring` provider, trusting the
//! operator's certificate store (`rustls-native-certs`, read once) plus any extra CA bundles the
//! server was given ([`add_extra_ca_file`], from `OPENWATCH_EXTRA_CA_FILE`).
//!
//! Why the native store rather than a compiled-in root list: a self-hosted server delivers to
//! endpoints its operator chose, often behind an internal CA the machine already trusts, and the
//! store follows the distribution's updates instead of this binary's release date.

use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

/// The environment variable naming an extra PEM CA bundle to trust (besides the system store).
pub const EXTRA_CA_FILE_ENV: &str = "OPENWATCH_EXTRA_CA_FILE";

/// Extra trust anchors and the client config built from them (rebuilt after each addition).
#[derive(Clone, Default)]
struct Trust {
    extra: Vec<CertificateDer<'static>>,
    config: Option<Arc<ClientConfig>>,
}

static TRUST: RwLock<Trust> = RwLock::new(Trust {
    extra: Vec::new(),
    config: None,
});

/// The trust state; a panicked writer cannot leave it half-written (writes replace whole
/// values), so poisoning is ignored.
fn trust() -> Trust {
    TRUST.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn update_trust(f: impl FnOnce(&mut Trust)) {
    f(&mut TRUST.write().unwrap_or_else(|e| e.into_inner()));
}
static NATIVE: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();

/// Trusts every certificate of the PEM bundle at `path` for `https://` deliveries, in addition
/// to the system store; returns how many certificates it held. Additions accumulate.
pub fn add_extra_ca_file(path: &Path) -> Result<usize, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read CA bundle {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("invalid CA bundle {}: {e}", path.display()))?;
    add_extra_ca_der(certs)
}

/// As [`add_extra_ca_file`], with DER certificates.
pub fn add_extra_ca_der(certs: Vec<CertificateDer<'static>>) -> Result<usize, String> {
    if certs.is_empty() {
        return Err("the CA bundle holds no certificate".to_owned());
    }
    // Each must be usable as a trust anchor.
    let mut probe = RootCertStore::empty();
    for c in &certs {
        probe
            .add(c.clone())
            .map_err(|e| format!("unusable CA certificate: {e}"))?;
    }
    let n = certs.len();
    update_trust(|t| {
        t.extra.extend(certs);
        t.config = None;
    });
    Ok(n)
}

/// Reads [`EXTRA_CA_FILE_ENV`] if it is set; returns the number of certificates added.
pub fn add_extra_ca_from_env() -> Result<usize, String> {
    match std::env::var_os(EXTRA_CA_FILE_ENV) {
        Some(p) if !p.is_empty() => add_extra_ca_file(Path::new(&p)),
        _ => Ok(0),
    }
}

fn native_roots() -> &'static [CertificateDer<'static>] {
    NATIVE.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            tracing::warn!(errors = ?found.errors, "some system CA certificates could not be read");
        }
        found.certs
    })
}

fn client_config() -> Result<Arc<ClientConfig>, String> {
    let trust = trust();
    if let Some(c) = trust.config {
        return Ok(c);
    }
    let mut roots = RootCertStore::empty();
    // Unparseable system certificates are skipped, as every TLS client does.
    roots.add_parsable_certificates(native_roots().iter().cloned());
    for c in &trust.extra {
        roots
            .add(c.clone())
            .map_err(|e| format!("unusable CA certificate: {e}"))?;
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    let config = Arc::new(config);
    update_trust(|t| {
        if t.extra.len() == trust.extra.len() {
            t.config = Some(Arc::clone(&config));
        }
    });
    Ok(config)
}

/// Starts a TLS client session for `host` (a DNS name or an IP address, brackets allowed).
pub(crate) fn connect(host: &str) -> Result<ClientConnection, String> {
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
        .map_err(|e| format!("{host} is not a valid TLS server name: {e}"))?;
    ClientConnection::new(client_config()?, name).map_err(|e| format!("TLS: {e}"))
}
