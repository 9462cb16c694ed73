//! Connection and API destination shapes and their Create/Describe/List/Delete handlers.

use openwatch_events::{Events, PageRequest};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::{R, api_error, unsupported};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BasicAuthParameters {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiKeyAuthParameters {
    pub api_key_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_value: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth_parameters: Option<BasicAuthParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_auth_parameters: Option<ApiKeyAuthParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_auth_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_http_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity_parameters: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateConnectionInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub authorization_type: String,
    pub auth_parameters: AuthParameters,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_connectivity_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionStateOutput {
    pub connection_arn: String,
    pub connection_state: String,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameInput {
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionOut {
    pub connection_arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub connection_state: String,
    pub authorization_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<AuthParameters>,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
    pub last_authorized_time: Timestamp,
}

pub(super) fn connection_out(c: openwatch_events::Connection, full: bool) -> ConnectionOut {
    use openwatch_events::ConnectionAuth;
    let kind = c.auth.kind().to_owned();
    // Secrets are never returned: only the key name and the user name, as AWS does.
    let auth_parameters = full.then(|| match c.auth {
        ConnectionAuth::ApiKey { name, .. } => AuthParameters {
            api_key_auth_parameters: Some(ApiKeyAuthParameters {
                api_key_name: name,
                api_key_value: None,
            }),
            ..Default::default()
        },
        ConnectionAuth::Basic { username, .. } => AuthParameters {
            basic_auth_parameters: Some(BasicAuthParameters {
                username,
                password: None,
            }),
            ..Default::default()
        },
    });
    ConnectionOut {
        connection_arn: c.arn,
        name: c.name,
        description: c.description.filter(|_| full),
        connection_state: "AUTHORIZED".to_owned(),
        authorization_type: kind,
        auth_parameters,
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
        last_authorized_time: Timestamp::from_millis(c.modified_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListConnectionsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListConnectionsOutput {
    pub connections: Vec<ConnectionOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateApiDestinationInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_rate_limit_per_second: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiDestinationStateOutput {
    pub api_destination_arn: String,
    pub api_destination_state: String,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiDestinationOut {
    pub api_destination_arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub api_destination_state: String,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    pub invocation_rate_limit_per_second: u32,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
}

pub(super) fn destination_out(
    d: openwatch_events::ApiDestination,
    full: bool,
) -> ApiDestinationOut {
    ApiDestinationOut {
        api_destination_arn: d.arn,
        name: d.name,
        description: d.description.filter(|_| full),
        api_destination_state: "ACTIVE".to_owned(),
        connection_arn: d.connection_arn,
        invocation_endpoint: d.invocation_endpoint,
        http_method: d.http_method,
        invocation_rate_limit_per_second: d.invocation_rate_limit_per_second,
        creation_time: Timestamp::from_millis(d.created_millis),
        last_modified_time: Timestamp::from_millis(d.modified_millis),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListApiDestinationsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListApiDestinationsOutput {
    pub api_destinations: Vec<ApiDestinationOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn create_connection(
    e: &Events,
    ctx: &CallContext,
    i: CreateConnectionInput,
) -> R<ConnectionStateOutput> {
    use openwatch_events::ConnectionAuth;
    if i.kms_key_identifier.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if i.invocation_connectivity_parameters.is_some()
        || i.auth_parameters.connectivity_parameters.is_some()
    {
        return Err(unsupported(
            "Private connectivity (InvocationConnectivityParameters)",
        ));
    }
    if i.auth_parameters.invocation_http_parameters.is_some() {
        return Err(unsupported("InvocationHttpParameters"));
    }
    let a = i.auth_parameters;
    let auth = match i.authorization_type.as_str() {
        "API_KEY" => {
            let p = a.api_key_auth_parameters.ok_or_else(|| {
                ApiError::new(
                    400,
                    "ValidationException",
                    "ApiKeyAuthParameters are required for AuthorizationType API_KEY.",
                )
            })?;
            ConnectionAuth::ApiKey {
                name: p.api_key_name,
                value: p.api_key_value.unwrap_or_default(),
            }
        }
        "BASIC" => {
            let p = a.basic_auth_parameters.ok_or_else(|| {
                ApiError::new(
                    400,
                    "ValidationException",
                    "BasicAuthParameters are required for AuthorizationType BASIC.",
                )
            })?;
            ConnectionAuth::Basic {
                username: p.username,
                password: p.password.unwrap_or_default(),
            }
        }
        "OAUTH_CLIENT_CREDENTIALS" => {
            return Err(unsupported("AuthorizationType OAUTH_CLIENT_CREDENTIALS"));
        }
        other => {
            return Err(ApiError::new(
                400,
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{other}' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS]"
                ),
            ));
        }
    };
    let c = e
        .create_connection(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            auth,
        )
        .map_err(api_error)?;
    Ok(ConnectionStateOutput {
        connection_arn: c.arn,
        connection_state: "AUTHORIZED".to_owned(),
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
    })
}

pub(super) fn describe_connection(e: &Events, ctx: &CallContext, i: NameInput) -> R<ConnectionOut> {
    e.describe_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|c| connection_out(c, true))
        .map_err(api_error)
}

pub(super) fn list_connections(
    e: &Events,
    ctx: &CallContext,
    i: ListConnectionsInput,
) -> R<ListConnectionsOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_connections(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    // Every connection here is AUTHORIZED.
    let wanted = i
        .connection_state
        .as_deref()
        .is_none_or(|s| s == "AUTHORIZED");
    Ok(ListConnectionsOutput {
        connections: p
            .items
            .into_iter()
            .filter(|_| wanted)
            .map(|c| connection_out(c, false))
            .collect(),
        next_token: p.next_token.filter(|_| wanted),
    })
}

pub(super) fn delete_connection(
    e: &Events,
    ctx: &CallContext,
    i: NameInput,
) -> R<ConnectionStateOutput> {
    let c = e
        .delete_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map_err(api_error)?;
    Ok(ConnectionStateOutput {
        connection_arn: c.arn,
        connection_state: "DELETING".to_owned(),
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
    })
}

pub(super) fn create_api_destination(
    e: &Events,
    ctx: &CallContext,
    i: CreateApiDestinationInput,
) -> R<ApiDestinationStateOutput> {
    let d = e
        .create_api_destination(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            &i.connection_arn,
            &i.invocation_endpoint,
            &i.http_method,
            i.invocation_rate_limit_per_second,
        )
        .map_err(api_error)?;
    Ok(ApiDestinationStateOutput {
        api_destination_arn: d.arn,
        api_destination_state: "ACTIVE".to_owned(),
        creation_time: Timestamp::from_millis(d.created_millis),
        last_modified_time: Timestamp::from_millis(d.modified_millis),
    })
}

pub(super) fn describe_api_destination(
    e: &Events,
    ctx: &CallContext,
    i: NameInput,
) -> R<ApiDestinationOut> {
    e.describe_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|d| destination_out(d, true))
        .map_err(api_error)
}

pub(super) fn list_api_destinations(
    e: &Events,
    ctx: &CallContext,
    i: ListApiDestinationsInput,
) -> R<ListApiDestinationsOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_api_destinations(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            i.connection_arn.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListApiDestinationsOutput {
        api_destinations: p
            .items
            .into_iter()
            .map(|d| destination_out(d, false))
            .collect(),
        next_token: p.next_token,
    })
}

pub(super) fn delete_api_destination(e: &Events, ctx: &CallContext, i: NameInput) -> R<Empty> {
    e.delete_api_destination(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|()| Empty {})
        .map_err(api_error)
}
