//! `openwatch admin`: operator commands on a stopped server's data directory (the server holds
//! the directory's lock while it runs).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Subcommand;

use openwatch_iam::Iam;
use openwatch_storage::{Catalog, DataDir, SystemClock};
use openwatch_types::AccountId;

#[derive(clap::Args)]
pub struct AdminArgs {
    /// Data directory [default: ./openwatch-data].
    #[arg(long, env = "OPENWATCH_DATA_DIR", default_value = openwatch_server::config::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// List accounts.
    ListAccounts,
    /// Create an account with a root access key (printed once).
    CreateAccount {
        /// A name for the account.
        name: String,
    },
    /// Create a root access key for an account (printed once).
    CreateKey {
        /// The 12-digit account id.
        account: String,
    },
    /// List an account's root access keys.
    ListKeys { account: String },
    /// Delete (revoke) a root access key.
    RevokeKey {
        account: String,
        access_key_id: String,
    },
}

pub fn run(args: AdminArgs) -> anyhow::Result<()> {
    let dir = DataDir::open(&args.data_dir).with_context(|| {
        format!(
            "cannot open {} (admin commands need the server stopped: it holds the directory's lock)",
            args.data_dir.display()
        )
    })?;
    let catalog = Arc::new(Catalog::open(&dir.catalog_path())?);
    let iam = Iam::open(catalog, Arc::new(SystemClock))?;
    match args.command {
        AdminCommand::ListAccounts => {
            println!("{:<14} {:<24} CREATED", "ACCOUNT", "NAME");
            for a in iam.list_accounts()? {
                println!(
                    "{:<14} {:<24} {}",
                    a.id,
                    a.name,
                    format_millis(a.create_date)
                );
            }
        }
        AdminCommand::CreateAccount { name } => {
            let (account, key) = iam.create_account(&name)?;
            println!("account               {}", account.id);
            print_key(&key.access_key_id, key.secret_access_key.expose());
        }
        AdminCommand::CreateKey { account } => {
            let key = iam.create_access_key(parse_account(&account)?, None)?;
            print_key(&key.access_key_id, key.secret_access_key.expose());
        }
        AdminCommand::ListKeys { account } => {
            let page = openwatch_iam::PageRequest::first(1000);
            for k in iam
                .list_access_keys(parse_account(&account)?, None, &page)?
                .items
            {
                println!(
                    "{} {} {}",
                    k.access_key_id,
                    k.status,
                    format_millis(k.create_date)
                );
            }
        }
        AdminCommand::RevokeKey {
            account,
            access_key_id,
        } => {
            iam.delete_access_key(parse_account(&account)?, None, &access_key_id)?;
            println!("revoked {access_key_id}");
        }
    }
    Ok(())
}

fn parse_account(s: &str) -> anyhow::Result<AccountId> {
    AccountId::parse(s).map_err(|e| anyhow::anyhow!("{e}"))
}

fn print_key(akid: &str, secret: &str) {
    println!("aws_access_key_id     = {akid}");
    println!("aws_secret_access_key = {secret}");
    println!("(the secret is shown only now)");
}

fn format_millis(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}
