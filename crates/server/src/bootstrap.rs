//! First start: create an account and its root access key, and write them where the AWS tools
//! look (`<data-dir>/credentials` in the shared-credentials format, `<data-dir>/config`).

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use openwatch_iam::Iam;
use openwatch_types::AccountId;

/// The conventional emulator key `--dev` accepts.
pub const DEV_ACCESS_KEY_ID: &str = "test";
pub const DEV_SECRET_ACCESS_KEY: &str = "test";
/// The name of the account created on first start.
pub const FIRST_ACCOUNT_NAME: &str = "default";
/// Files written on first start, in the data directory.
pub const CREDENTIALS_FILE: &str = "credentials";
pub const AWS_CONFIG_FILE: &str = "config";

pub fn dev_account() -> AccountId {
    AccountId::ZERO
}

/// What first start created. `Debug` hides the secret; [`Bootstrap::announcement`] shows it once.
pub struct Bootstrap {
    pub account: AccountId,
    pub access_key_id: String,
    secret_access_key: String,
    pub credentials_file: PathBuf,
    pub config_file: PathBuf,
}

impl fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bootstrap")
            .field("account", &self.account)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Bootstrap {
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The text printed once on first start.
    pub fn announcement(&self, endpoint: &str) -> String {
        format!(
            "Created account {account} with a root access key (shown once; also written to {creds}):\n\
             \n    aws_access_key_id     = {akid}\n    aws_secret_access_key = {secret}\n\n\
             Use it with:\n    export AWS_SHARED_CREDENTIALS_FILE={creds} AWS_CONFIG_FILE={config}\n    aws --endpoint-url {endpoint} sts get-caller-identity\n",
            account = self.account,
            creds = self.credentials_file.display(),
            config = self.config_file.display(),
            akid = self.access_key_id,
            secret = self.secret_access_key,
        )
    }
}

/// Creates the first account if there is none. Returns what it created.
pub fn first_start(iam: &Iam, data_dir: &Path) -> anyhow::Result<Option<Bootstrap>> {
    if !iam
        .list_accounts()
        .context("cannot list accounts")?
        .is_empty()
    {
        return Ok(None);
    }
    let (account, key) = iam
        .create_account(FIRST_ACCOUNT_NAME)
        .context("cannot create the first account")?;
    let credentials_file = data_dir.join(CREDENTIALS_FILE);
    let config_file = data_dir.join(AWS_CONFIG_FILE);
    write_private(
        &credentials_file,
        &format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            key.access_key_id,
            key.secret_access_key.expose()
        ),
    )?;
    write_private(
        &config_file,
        &format!("[default]\nregion = {}\n", openwatch_types::DEFAULT_REGION),
    )?;
    Ok(Some(Bootstrap {
        account: account.id,
        access_key_id: key.access_key_id.clone(),
        secret_access_key: key.secret_access_key.expose().to_owned(),
        credentials_file,
        config_file,
    }))
}

/// Writes a file only its owner can read (0600), durably.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}
