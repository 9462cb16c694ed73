//! IAM over awsquery (global; recorded in us-east-1): users, access keys and inline user policies.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_iam::{AccessKeyMetadata, Iam, IamError, Page, PageRequest, User};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp, Value};

/// Maps an IAM domain error to the IAM API's error.
pub fn api_error(e: IamError) -> ApiError {
    if e.status() >= 500 {
        ApiError::internal(e.message())
    } else {
        ApiError::new(e.status(), e.code(), e.message())
    }
}

// --- shapes ----------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserShape {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub user_id: String,
    pub arn: String,
    pub create_date: Timestamp,
}

impl From<User> for UserShape {
    fn from(u: User) -> Self {
        UserShape {
            path: Some(u.path),
            user_name: Some(u.user_name),
            user_id: u.user_id,
            arn: u.arn,
            create_date: Timestamp::from_millis(u.create_date),
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub user_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserOutput {
    pub user: UserShape,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserNameInput {
    pub user_name: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OptionalUserNameInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Empty {}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersOutput {
    pub users: Vec<UserShape>,
    pub is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyShape {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub access_key_id: String,
    pub status: String,
    pub secret_access_key: String,
    pub create_date: Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAccessKeyOutput {
    pub access_key: AccessKeyShape,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAccessKeyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub access_key_id: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccessKeysInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyMetadataShape {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub access_key_id: String,
    pub status: String,
    pub create_date: Timestamp,
}

impl From<AccessKeyMetadata> for AccessKeyMetadataShape {
    fn from(k: AccessKeyMetadata) -> Self {
        AccessKeyMetadataShape {
            user_name: k.user_name,
            access_key_id: k.access_key_id,
            status: k.status.as_str().to_owned(),
            create_date: Timestamp::from_millis(k.create_date),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccessKeysOutput {
    pub access_key_metadata: Vec<AccessKeyMetadataShape>,
    pub is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutUserPolicyInput {
    pub user_name: String,
    pub policy_name: String,
    pub policy_document: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPolicyInput {
    pub user_name: String,
    pub policy_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserPolicyOutput {
    pub user_name: String,
    pub policy_name: String,
    /// URL-encoded (RFC 3986), as IAM returns policy documents; the SDKs and the CLI decode it.
    pub policy_document: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoliciesInput {
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoliciesOutput {
    pub policy_names: Vec<String>,
    pub is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

// --- registration ----------------------------------------------------------------------------

/// The ARN of the user an input names (or, without `UserName`, the caller), which IAM evaluates
/// user-scoped actions against. Users are addressed without their path here.
fn user_resource(ctx: &CallContext, input: &Value) -> String {
    match input.get("UserName").and_then(Value::as_str) {
        Some(name) => openwatch_iam::user_arn(ctx.account, "/", name),
        None => ctx.caller.arn.clone(),
    }
}

fn account_users(ctx: &CallContext, _: &Value) -> String {
    format!("arn:aws:iam::{}:user/", ctx.account) + "*"
}

macro_rules! handler {
    ($iam:expr, $f:ident) => {{
        let iam = Arc::clone(&$iam);
        move |ctx, input| {
            let iam = Arc::clone(&iam);
            async move { $f(&iam, &ctx, input).map_err(api_error) }
        }
    }};
}

pub fn register(registry: &mut Registry, iam: Arc<Iam>) {
    let s = Service::Iam;
    registry
        .add(Operation::new(s, "CreateUser", handler!(iam, create_user)).resource(user_resource));
    registry
        .add(Operation::new(s, "DeleteUser", handler!(iam, delete_user)).resource(user_resource));
    registry.add(
        Operation::new(s, "GetUser", handler!(iam, get_user))
            .read_only()
            .resource(user_resource),
    );
    registry.add(
        Operation::new(s, "ListUsers", handler!(iam, list_users))
            .read_only()
            .resource(account_users),
    );
    registry.add(
        Operation::new(s, "CreateAccessKey", handler!(iam, create_access_key))
            .resource(user_resource)
            .sensitive(&["SecretAccessKey"]),
    );
    registry.add(
        Operation::new(s, "DeleteAccessKey", handler!(iam, delete_access_key))
            .resource(user_resource),
    );
    registry.add(
        Operation::new(s, "ListAccessKeys", handler!(iam, list_access_keys))
            .read_only()
            .resource(user_resource),
    );
    registry.add(
        Operation::new(s, "PutUserPolicy", handler!(iam, put_user_policy)).resource(user_resource),
    );
    registry.add(
        Operation::new(s, "GetUserPolicy", handler!(iam, get_user_policy))
            .read_only()
            .resource(user_resource),
    );
    registry.add(
        Operation::new(s, "DeleteUserPolicy", handler!(iam, delete_user_policy))
            .resource(user_resource),
    );
    registry.add(
        Operation::new(s, "ListUserPolicies", handler!(iam, list_user_policies))
            .read_only()
            .resource(user_resource),
    );
}

// --- handlers --------------------------------------------------------------------------------

/// The user an optional `UserName` designates: the named one, else the calling IAM user, else
/// the account root (`None`).
fn target_user(ctx: &CallContext, named: Option<String>) -> Option<String> {
    named.or_else(|| ctx.caller.user_name.clone())
}

fn page(marker: Option<String>, max_items: Option<i64>) -> PageRequest {
    PageRequest { marker, max_items }
}

fn create_user(
    iam: &Iam,
    ctx: &CallContext,
    input: CreateUserInput,
) -> Result<UserOutput, IamError> {
    let user = iam.create_user(ctx.account, &input.user_name, input.path.as_deref())?;
    Ok(UserOutput { user: user.into() })
}

fn delete_user(iam: &Iam, ctx: &CallContext, input: UserNameInput) -> Result<Empty, IamError> {
    iam.delete_user(ctx.account, &input.user_name)?;
    Ok(Empty {})
}

fn get_user(
    iam: &Iam,
    ctx: &CallContext,
    input: OptionalUserNameInput,
) -> Result<UserOutput, IamError> {
    match target_user(ctx, input.user_name) {
        Some(name) => Ok(UserOutput {
            user: iam.get_user(ctx.account, &name)?.into(),
        }),
        // The root: IAM answers with the account's own identity.
        None => {
            let account = iam.get_account(ctx.account)?;
            Ok(UserOutput {
                user: UserShape {
                    path: None,
                    user_name: None,
                    user_id: ctx.account.as_str().to_owned(),
                    arn: ctx.caller.arn.clone(),
                    create_date: Timestamp::from_millis(account.map_or(0, |a| a.create_date)),
                },
            })
        }
    }
}

fn list_users(
    iam: &Iam,
    ctx: &CallContext,
    input: ListUsersInput,
) -> Result<ListUsersOutput, IamError> {
    let Page {
        items,
        is_truncated,
        marker,
    } = iam.list_users(
        ctx.account,
        input.path_prefix.as_deref(),
        &page(input.marker, input.max_items),
    )?;
    Ok(ListUsersOutput {
        users: items.into_iter().map(UserShape::from).collect(),
        is_truncated,
        marker,
    })
}

fn create_access_key(
    iam: &Iam,
    ctx: &CallContext,
    input: OptionalUserNameInput,
) -> Result<CreateAccessKeyOutput, IamError> {
    let user = target_user(ctx, input.user_name);
    let key = iam.create_access_key(ctx.account, user.as_deref())?;
    Ok(CreateAccessKeyOutput {
        access_key: AccessKeyShape {
            user_name: key.user_name,
            access_key_id: key.access_key_id,
            status: key.status.as_str().to_owned(),
            secret_access_key: key.secret_access_key.expose().to_owned(),
            create_date: Timestamp::from_millis(key.create_date),
        },
    })
}

fn delete_access_key(
    iam: &Iam,
    ctx: &CallContext,
    input: DeleteAccessKeyInput,
) -> Result<Empty, IamError> {
    let user = target_user(ctx, input.user_name);
    iam.delete_access_key(ctx.account, user.as_deref(), &input.access_key_id)?;
    Ok(Empty {})
}

fn list_access_keys(
    iam: &Iam,
    ctx: &CallContext,
    input: ListAccessKeysInput,
) -> Result<ListAccessKeysOutput, IamError> {
    let user = target_user(ctx, input.user_name);
    let Page {
        items,
        is_truncated,
        marker,
    } = iam.list_access_keys(
        ctx.account,
        user.as_deref(),
        &page(input.marker, input.max_items),
    )?;
    Ok(ListAccessKeysOutput {
        access_key_metadata: items
            .into_iter()
            .map(AccessKeyMetadataShape::from)
            .collect(),
        is_truncated,
        marker,
    })
}

fn put_user_policy(
    iam: &Iam,
    ctx: &CallContext,
    input: PutUserPolicyInput,
) -> Result<Empty, IamError> {
    iam.put_user_policy(
        ctx.account,
        &input.user_name,
        &input.policy_name,
        &input.policy_document,
    )?;
    Ok(Empty {})
}

fn get_user_policy(
    iam: &Iam,
    ctx: &CallContext,
    input: UserPolicyInput,
) -> Result<GetUserPolicyOutput, IamError> {
    let p = iam.get_user_policy(ctx.account, &input.user_name, &input.policy_name)?;
    Ok(GetUserPolicyOutput {
        user_name: p.user_name,
        policy_name: p.policy_name,
        policy_document: uri_encode(&p.policy_document),
    })
}

fn delete_user_policy(
    iam: &Iam,
    ctx: &CallContext,
    input: UserPolicyInput,
) -> Result<Empty, IamError> {
    iam.delete_user_policy(ctx.account, &input.user_name, &input.policy_name)?;
    Ok(Empty {})
}

fn list_user_policies(
    iam: &Iam,
    ctx: &CallContext,
    input: ListUserPoliciesInput,
) -> Result<ListUserPoliciesOutput, IamError> {
    let Page {
        items,
        is_truncated,
        marker,
    } = iam.list_user_policies(
        ctx.account,
        &input.user_name,
        &page(input.marker, input.max_items),
    )?;
    Ok(ListUserPoliciesOutput {
        policy_names: items,
        is_truncated,
        marker,
    })
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri_encode;

    #[test]
    fn policy_documents_are_percent_encoded_as_iam_returns_them() {
        assert_eq!(
            uri_encode(r#"{"A": "b*"}"#),
            "%7B%22A%22%3A%20%22b%2A%22%7D"
        );
        assert_eq!(uri_encode("a-b_c.d~"), "a-b_c.d~");
    }
}
