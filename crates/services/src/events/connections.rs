//! Connection shapes and their Create/Describe/List/Update/Deauthorize/Delete handlers (the
//! authorization parameters are in `connection_auth`).

use openwatch_events::{ConnectionState, ConnectionUpdate, Events, PageRequest};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

pub use super::connection_auth::*;
use super::errors::{R, api_error, unsupported};

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

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateConnectionInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<AuthParameters>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authorized_time: Option<Timestamp>,
}

impl ConnectionStateOutput {
    fn of(c: &openwatch_events::Connection, state: &str) -> ConnectionStateOutput {
        ConnectionStateOutput {
            connection_arn: c.arn.clone(),
            connection_state: state.to_owned(),
            creation_time: Timestamp::from_millis(c.created_millis),
            last_modified_time: Timestamp::from_millis(c.modified_millis),
            last_authorized_time: c.last_authorized_millis.map(Timestamp::from_millis),
        }
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    pub authorization_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<AuthParameters>,
    pub creation_time: Timestamp,
    pub last_modified_time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authorized_time: Option<Timestamp>,
}

pub(super) fn connection_out(c: openwatch_events::Connection, full: bool) -> ConnectionOut {
    ConnectionOut {
        authorization_type: c.auth.kind().to_owned(),
        // Secrets are never returned: names and non-secret values only, as AWS does.
        auth_parameters: full.then(|| auth_out(&c.auth)),
        connection_arn: c.arn,
        name: c.name,
        description: c.description.filter(|_| full),
        connection_state: c.state.as_str().to_owned(),
        state_reason: c.state_reason.filter(|_| full),
        creation_time: Timestamp::from_millis(c.created_millis),
        last_modified_time: Timestamp::from_millis(c.modified_millis),
        last_authorized_time: c.last_authorized_millis.map(Timestamp::from_millis),
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

fn refuse_private_and_kms(connectivity: Option<&serde_json::Value>, kms: Option<&String>) -> R<()> {
    if kms.is_some() {
        return Err(unsupported("KmsKeyIdentifier"));
    }
    if connectivity.is_some() {
        return Err(unsupported(
            "Private connectivity (InvocationConnectivityParameters)",
        ));
    }
    Ok(())
}

pub(super) fn create_connection(
    e: &Events,
    ctx: &CallContext,
    i: CreateConnectionInput,
) -> R<ConnectionStateOutput> {
    refuse_private_and_kms(
        i.invocation_connectivity_parameters.as_ref(),
        i.kms_key_identifier.as_ref(),
    )?;
    let auth = auth_in(&i.authorization_type, i.auth_parameters)?;
    let c = e
        .create_connection(
            ctx.account.as_str(),
            &ctx.region,
            &i.name,
            i.description.as_deref(),
            auth,
        )
        .map_err(api_error)?;
    // CreateConnection's answer has no LastAuthorizedTime.
    Ok(ConnectionStateOutput {
        last_authorized_time: None,
        ..ConnectionStateOutput::of(&c, c.state.as_str())
    })
}

pub(super) fn describe_connection(e: &Events, ctx: &CallContext, i: NameInput) -> R<ConnectionOut> {
    e.describe_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map(|c| connection_out(c, true))
        .map_err(api_error)
}

fn parse_state(s: &str) -> R<ConnectionState> {
    use ConnectionState::*;
    Ok(match s {
        "CREATING" => Creating,
        "UPDATING" => Updating,
        "DELETING" => Deleting,
        "AUTHORIZED" => Authorized,
        "DEAUTHORIZED" => Deauthorized,
        "AUTHORIZING" => Authorizing,
        "DEAUTHORIZING" => Deauthorizing,
        other => {
            return Err(ApiError::new(
                400,
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{other}' at 'connectionState' failed to satisfy constraint: Member must satisfy enum value set: [CREATING, UPDATING, DELETING, AUTHORIZED, DEAUTHORIZED, AUTHORIZING, DEAUTHORIZING, ACTIVE, FAILED_CONNECTIVITY]"
                ),
            ));
        }
    })
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
    // ACTIVE and FAILED_CONNECTIVITY are states of private connectivity, which no connection
    // here has.
    let wanted = match i.connection_state.as_deref() {
        None => None,
        Some("ACTIVE" | "FAILED_CONNECTIVITY") => {
            return Ok(ListConnectionsOutput {
                connections: Vec::new(),
                next_token: None,
            });
        }
        Some(s) => Some(parse_state(s)?),
    };
    let p = e
        .list_connections(
            ctx.account.as_str(),
            &ctx.region,
            i.name_prefix.as_deref(),
            wanted,
            &page,
        )
        .map_err(api_error)?;
    Ok(ListConnectionsOutput {
        connections: p
            .items
            .into_iter()
            .map(|c| connection_out(c, false))
            .collect(),
        next_token: p.next_token,
    })
}

pub(super) fn update_connection(
    e: &Events,
    ctx: &CallContext,
    i: UpdateConnectionInput,
) -> R<ConnectionStateOutput> {
    refuse_private_and_kms(
        i.invocation_connectivity_parameters.as_ref(),
        i.kms_key_identifier.as_ref(),
    )?;
    let mut u = ConnectionUpdate {
        description: i.description,
        ..ConnectionUpdate::default()
    };
    update_in(i.authorization_type, i.auth_parameters, &mut u)?;
    let c = e
        .update_connection(ctx.account.as_str(), &ctx.region, &i.name, u)
        .map_err(api_error)?;
    Ok(ConnectionStateOutput::of(&c, c.state.as_str()))
}

pub(super) fn deauthorize_connection(
    e: &Events,
    ctx: &CallContext,
    i: NameInput,
) -> R<ConnectionStateOutput> {
    let c = e
        .deauthorize_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map_err(api_error)?;
    // The call answers while the secret is being removed, as AWS does.
    Ok(ConnectionStateOutput::of(&c, "DEAUTHORIZING"))
}

pub(super) fn delete_connection(
    e: &Events,
    ctx: &CallContext,
    i: NameInput,
) -> R<ConnectionStateOutput> {
    let c = e
        .delete_connection(ctx.account.as_str(), &ctx.region, &i.name)
        .map_err(api_error)?;
    Ok(ConnectionStateOutput::of(&c, "DELETING"))
}
