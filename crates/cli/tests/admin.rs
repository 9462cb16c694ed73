//! `openwatch admin` on a data directory: accounts and root keys, as an operator uses them.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn admin(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_openwatch"))
        .arg("admin")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("OPENWATCH_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn value_of<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|rest| rest.trim().trim_start_matches('=').trim())
        .unwrap()
}

#[test]
fn accounts_and_keys_can_be_created_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = admin(dir.path(), &["create-account", "team-a"]);
    assert!(ok, "{err}");
    let account = value_of(&out, "account").to_owned();
    assert_eq!(account.len(), 12);
    let first_key = value_of(&out, "aws_access_key_id").to_owned();
    assert!(first_key.starts_with("AKIA"));
    assert_eq!(value_of(&out, "aws_secret_access_key").len(), 40);

    let (ok, out, _) = admin(dir.path(), &["list-accounts"]);
    assert!(ok);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&account) && l.contains("team-a")),
        "{out}"
    );

    let (ok, out, err) = admin(dir.path(), &["create-key", &account]);
    assert!(ok, "{err}");
    let second_key = value_of(&out, "aws_access_key_id").to_owned();
    let (_, out, _) = admin(dir.path(), &["list-keys", &account]);
    assert!(
        out.contains(&first_key) && out.contains(&second_key),
        "{out}"
    );
    // Secrets are never listed.
    assert!(!out.contains("secret"), "{out}");

    let (ok, _, err) = admin(dir.path(), &["revoke-key", &account, &first_key]);
    assert!(ok, "{err}");
    let (_, out, _) = admin(dir.path(), &["list-keys", &account]);
    assert!(
        !out.contains(&first_key) && out.contains(&second_key),
        "{out}"
    );

    // Errors are reported, not ignored.
    let (ok, _, err) = admin(
        dir.path(),
        &["revoke-key", &account, "AKIANOSUCHKEY0000000"],
    );
    assert!(!ok);
    assert!(err.contains("AKIANOSUCHKEY0000000"), "{err}");
    let (ok, _, err) = admin(dir.path(), &["create-key", "12345"]);
    assert!(!ok);
    assert!(err.contains("12 digits"), "{err}");
}

#[test]
fn admin_refuses_a_directory_a_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    let held = openwatch_storage::DataDir::open(dir.path()).unwrap();
    let (ok, _, err) = admin(dir.path(), &["list-accounts"]);
    assert!(!ok);
    assert!(err.contains("server stopped"), "{err}");
    drop(held);
    assert!(admin(dir.path(), &["list-accounts"]).0);
}
