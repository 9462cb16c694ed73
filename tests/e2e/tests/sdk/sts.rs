//! STS `GetCallerIdentity` (awsquery/XML) and SigV4 authentication as the SDK sees it.

use aws_config::meta::region::ProvideRegion as _;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_sts::operation::RequestId as _;

use openwatch_e2e::{
    Clients, Keys, TestServer, expect_err, http_client, ok, sdk_config_with, service_error,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_root_key_is_the_accounts_root() {
    let server = TestServer::start().await;
    let account = server.account().to_owned();
    assert!(
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        "account id {account:?} is not 12 digits"
    );
    assert_ne!(
        account, "000000000000",
        "the bootstrap account is not the --dev account"
    );

    let out = ok(
        server.root_clients().sts.get_caller_identity().send().await,
        "GetCallerIdentity",
    );
    assert_eq!(out.account(), Some(account.as_str()));
    assert_eq!(
        out.arn(),
        Some(format!("arn:aws:iam::{account}:root").as_str())
    );
    // AWS gives the account id as the root's UserId.
    assert_eq!(out.user_id(), Some(account.as_str()));
    assert!(
        out.request_id().is_some_and(|id| !id.is_empty()),
        "the response carries a request id"
    );
    server.shutdown().await;
}

/// The files written on first start are what the SDK's own profile providers read: a user
/// exporting `AWS_SHARED_CREDENTIALS_FILE`/`AWS_CONFIG_FILE` gets a working client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_credentials_and_config_files_work_with_the_sdk_profile_providers() {
    let server = TestServer::start().await;
    let bootstrap = server.bootstrap().expect("first start");
    assert_eq!(
        bootstrap.credentials_file,
        server.data_dir().join("credentials")
    );
    assert_eq!(bootstrap.config_file, server.data_dir().join("config"));
    #[cfg(unix)]
    for file in [&bootstrap.credentials_file, &bootstrap.config_file] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", file.display());
    }

    let files = EnvConfigFiles::builder()
        .with_file(EnvConfigFileKind::Credentials, &bootstrap.credentials_file)
        .with_file(EnvConfigFileKind::Config, &bootstrap.config_file)
        .build();
    let region = ProfileFileRegionProvider::builder()
        .profile_files(files.clone())
        .profile_name("default")
        .build()
        .region()
        .await
        .expect("the config file names a region");
    assert_eq!(region.as_ref(), "us-east-1");
    // The provider builds (but here never uses) its IMDS fallback, which needs an HTTP client.
    let provider_config = ProviderConfig::without_region().with_http_client(http_client());
    let credentials = ProfileFileCredentialsProvider::builder()
        .configure(&provider_config)
        .profile_files(files)
        .profile_name("default")
        .build();
    let config = sdk_config_with(
        &server.endpoint(),
        SharedCredentialsProvider::new(credentials),
        region,
    );
    let out = ok(
        Clients::from_config(&config)
            .sts
            .get_caller_identity()
            .send()
            .await,
        "GetCallerIdentity with the profile files",
    );
    assert_eq!(out.account(), Some(server.account()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_mode_also_accepts_test_test_for_account_000000000000() {
    let server = TestServer::start_dev().await;
    let out = ok(
        server
            .clients(&Keys::dev())
            .sts
            .get_caller_identity()
            .send()
            .await,
        "GetCallerIdentity with test/test",
    );
    assert_eq!(out.account(), Some("000000000000"));
    assert_eq!(out.arn(), Some("arn:aws:iam::000000000000:root"));
    // The bootstrap key still names its own account.
    let out = ok(
        server.root_clients().sts.get_caller_identity().send().await,
        "GetCallerIdentity with the root key",
    );
    assert_eq!(out.account(), Some(server.account()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_dev_mode_test_test_is_an_unknown_key() {
    let server = TestServer::start().await;
    let err = expect_err(
        server
            .clients(&Keys::dev())
            .sts
            .get_caller_identity()
            .send()
            .await,
        "GetCallerIdentity with test/test and no --dev",
    );
    let info = service_error(&err, "GetCallerIdentity with test/test");
    assert_eq!(info.code, "InvalidClientTokenId", "{info:?}");
    assert_eq!(info.status, 403, "{info:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_signature_does_not_match() {
    let server = TestServer::start().await;
    let keys = Keys::new(
        server.root_keys().access_key_id,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let err = expect_err(
        server.clients(&keys).sts.get_caller_identity().send().await,
        "GetCallerIdentity with a wrong secret",
    );
    let info = service_error(&err, "GetCallerIdentity with a wrong secret");
    assert_eq!(info.code, "SignatureDoesNotMatch", "{info:?}");
    assert_eq!(info.status, 403, "{info:?}");
    assert!(
        info.message.as_deref().is_some_and(|m| !m.is_empty()),
        "{info:?}"
    );
    assert!(
        info.content_type
            .as_deref()
            .is_some_and(|c| c.contains("xml")),
        "STS errors are XML: {info:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_invalid_client_token_id() {
    let server = TestServer::start().await;
    let keys = Keys::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let err = expect_err(
        server.clients(&keys).sts.get_caller_identity().send().await,
        "GetCallerIdentity with an unknown key",
    );
    let info = service_error(&err, "GetCallerIdentity with an unknown key");
    assert_eq!(info.code, "InvalidClientTokenId", "{info:?}");
    assert_eq!(info.status, 403, "{info:?}");
    server.shutdown().await;
}
