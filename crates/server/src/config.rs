//! Server configuration: defaults, then `openwatch.toml`, then `OPENWATCH_*` variables and flags
//! (the binary passes those as [`Overrides`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where the server listens unless told otherwise (4599: no clash with common emulators' 4566).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4599";
/// Where data lives unless told otherwise, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./openwatch-data";
/// The config file read from the working directory when present and not named explicitly.
pub const DEFAULT_CONFIG_FILE: &str = "openwatch.toml";

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Also accept the conventional emulator credentials `test`/`test` (account 000000000000).
    pub dev: bool,
    /// The base URL clients reach the server at (`http[s]://host[:port]`), used in links the
    /// server hands out (SNS's SubscribeURL, UnsubscribeURL, SigningCertURL). `None`:
    /// `http://<the address the server listens on>`.
    pub public_url: Option<String>,
    /// Where export tasks write: an S3-compatible store (`[export-s3]` in the config file), or
    /// `None` for the local buckets under `<data-dir>/buckets`.
    pub export_s3: Option<crate::s3_export::S3Options>,
}

/// The file format (`openwatch.toml`). Unknown keys are errors, so typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    dev: Option<bool>,
    public_url: Option<String>,
    export_s3: Option<crate::s3_export::S3Options>,
}

/// Values from flags or the environment, which win over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub dev: bool,
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid listen address {0:?}: expected host:port such as 127.0.0.1:4599")]
    Listen(String),
    #[error(
        "--dev accepts well-known test credentials and is for local testing only; it needs a loopback listen address, not {0}"
    )]
    DevNotLoopback(SocketAddr),
    #[error(
        "invalid public URL {0:?}: expected http://host[:port] or https://host[:port], without a path"
    )]
    PublicUrl(String),
    #[error(
        "invalid [export-s3] endpoint {0:?}: expected http://host[:port] or https://host[:port], without a path"
    )]
    ExportS3Endpoint(String),
}

impl Config {
    /// Resolves the configuration. A config file named explicitly must exist; the default one is
    /// read only if present.
    pub fn resolve(o: Overrides) -> Result<Config, ConfigError> {
        let file = match &o.config {
            Some(path) => read_file(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                read_file(Path::new(DEFAULT_CONFIG_FILE))?
            }
            None => FileConfig::default(),
        };
        let listen_text = o
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| ConfigError::Listen(listen_text.clone()))?;
        let dev = o.dev || file.dev.unwrap_or(false);
        if dev && !listen.ip().is_loopback() {
            return Err(ConfigError::DevNotLoopback(listen));
        }
        let public_url = match o.public_url.or(file.public_url) {
            None => None,
            Some(u) => Some(check_public_url(&u).ok_or(ConfigError::PublicUrl(u))?),
        };
        if let Some(s3) = &file.export_s3
            && !s3.valid_endpoint()
        {
            return Err(ConfigError::ExportS3Endpoint(s3.endpoint.clone()));
        }
        Ok(Config {
            listen,
            public_url,
            export_s3: file.export_s3,
            data_dir: o
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            dev,
        })
    }
}

/// `scheme://authority` with nothing after it but an optional `/`.
fn check_public_url(url: &str) -> Option<String> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))?;
    let ok = !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && !rest.contains(|c: char| c.is_whitespace() || c.is_control());
    ok.then(|| trimmed.to_owned())
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn with_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openwatch.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let (_d, path) = with_file("listen = \"127.0.0.1:5000\"\ndata-dir = \"/srv/ow\"\n");
        let c = Config::resolve(Overrides {
            config: Some(path.clone()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:5000".parse().unwrap());
        assert_eq!(c.data_dir, PathBuf::from("/srv/ow"));
        let c = Config::resolve(Overrides {
            config: Some(path),
            listen: Some("127.0.0.1:6000".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:6000".parse().unwrap());
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_errors() {
        let (_d, path) = with_file("lisen = \"127.0.0.1:5000\"\n");
        let err = Config::resolve(Overrides {
            config: Some(path),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        assert!(matches!(
            Config::resolve(Overrides {
                listen: Some("nowhere".into()),
                ..Default::default()
            }),
            Err(ConfigError::Listen(_))
        ));
    }

    #[test]
    fn dev_mode_refuses_non_loopback_addresses() {
        let err = Config::resolve(Overrides {
            listen: Some("0.0.0.0:4599".into()),
            dev: true,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(err, ConfigError::DevNotLoopback(_)));
        assert!(
            Config::resolve(Overrides {
                listen: Some("[::1]:4599".into()),
                dev: true,
                ..Default::default()
            })
            .unwrap()
            .dev
        );
    }

    #[test]
    fn public_url_from_flags_or_file_checked() {
        assert_eq!(
            Config::resolve(Overrides::default()).unwrap().public_url,
            None
        );
        let (_d, path) = with_file("public-url = \"https://ow.example.com/\"\n");
        let c = Config::resolve(Overrides {
            config: Some(path.clone()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://ow.example.com"));
        let c = Config::resolve(Overrides {
            config: Some(path),
            public_url: Some("http://10.1.2.3:4599".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.public_url.as_deref(), Some("http://10.1.2.3:4599"));
        for bad in ["ftp://x", "http://", "http://h/path", "h:1", "http://u@h"] {
            assert!(
                matches!(
                    Config::resolve(Overrides {
                        public_url: Some(bad.into()),
                        ..Default::default()
                    }),
                    Err(ConfigError::PublicUrl(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn export_s3_section_is_read_and_checked() {
        let (_d, path) = with_file(
            "[export-s3]\nendpoint = \"http://127.0.0.1:9000\"\naccess-key-id = \"k\"\nsecret-access-key = \"s\"\n",
        );
        let c = Config::resolve(Overrides {
            config: Some(path),
            ..Default::default()
        })
        .unwrap();
        let s3 = c.export_s3.expect("the section");
        assert_eq!(s3.endpoint, "http://127.0.0.1:9000");
        assert_eq!(s3.region, "us-east-1");
        let (_d, path) = with_file(
            "[export-s3]\nendpoint = \"http://h/bucket\"\naccess-key-id = \"k\"\nsecret-access-key = \"s\"\n",
        );
        assert!(matches!(
            Config::resolve(Overrides {
                config: Some(path),
                ..Default::default()
            }),
            Err(ConfigError::ExportS3Endpoint(_))
        ));
        let (_d, path) = with_file("[export-s3]\nendpoint = \"http://h\"\n");
        assert!(matches!(
            Config::resolve(Overrides {
                config: Some(path),
                ..Default::default()
            }),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn a_named_config_file_must_exist() {
        let err = Config::resolve(Overrides {
            config: Some(PathBuf::from("/nonexistent/openwatch.toml")),
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
    }
}
