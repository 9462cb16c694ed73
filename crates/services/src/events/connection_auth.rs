//! The authorization-parameter shapes of connections (Create/Update requests, Describe
//! responses) and their mapping to `openwatch_events::ConnectionAuth`. Secrets (password, API
//! key value, client secret, secret HTTP parameter values) are never put into a response.

use openwatch_events::{
    ConnectionAuth, ConnectionUpdate, HttpParameter, HttpParameters, OAuthParameters,
};
use openwatch_wire::ApiError;
use serde::{Deserialize, Serialize};

use super::errors::{R, unsupported};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BasicAuthParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiKeyAuthParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_value: Option<String>,
}

/// ConnectionHeaderParameter / ConnectionQueryStringParameter / ConnectionBodyParameter.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionParameter {
    #[serde(default)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default)]
    pub is_value_secret: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionHttpParameters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_parameters: Vec<ConnectionParameter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_string_parameters: Vec<ConnectionParameter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_parameters: Vec<ConnectionParameter>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct OAuthClientParameters {
    #[serde(rename = "ClientID", default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(
        rename = "ClientSecret",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OAuthParametersShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_parameters: Option<OAuthClientParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    #[serde(
        rename = "OAuthHttpParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub o_auth_http_parameters: Option<ConnectionHttpParameters>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth_parameters: Option<BasicAuthParameters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_auth_parameters: Option<ApiKeyAuthParameters>,
    #[serde(
        rename = "OAuthParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub o_auth_parameters: Option<OAuthParametersShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_http_parameters: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity_parameters: Option<serde_json::Value>,
}

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "ValidationException", message)
}

fn params_in(v: Vec<ConnectionParameter>, member: &str) -> R<Vec<HttpParameter>> {
    v.into_iter()
        .map(|p| {
            if p.key.is_empty() || p.key.len() > 512 {
                return Err(validation(format!(
                    "{member}: Key must have length between 1 and 512."
                )));
            }
            let value = p.value.unwrap_or_default();
            if value.len() > 512 {
                return Err(validation(format!(
                    "{member}: Value must have length at most 512."
                )));
            }
            Ok(HttpParameter {
                key: p.key,
                value,
                secret: p.is_value_secret,
            })
        })
        .collect()
}

fn http_in(p: ConnectionHttpParameters) -> R<HttpParameters> {
    Ok(HttpParameters {
        headers: params_in(p.header_parameters, "HeaderParameters")?,
        query: params_in(p.query_string_parameters, "QueryStringParameters")?,
        body: params_in(p.body_parameters, "BodyParameters")?,
    })
}

fn params_out(v: &[HttpParameter]) -> Vec<ConnectionParameter> {
    v.iter()
        .map(|p| ConnectionParameter {
            key: p.key.clone(),
            value: (!p.secret).then(|| p.value.clone()),
            is_value_secret: p.secret,
        })
        .collect()
}

fn http_out(p: &HttpParameters) -> ConnectionHttpParameters {
    ConnectionHttpParameters {
        header_parameters: params_out(&p.headers),
        query_string_parameters: params_out(&p.query),
        body_parameters: params_out(&p.body),
    }
}

/// Refuses the members this server does not implement.
fn refuse_unsupported(a: &AuthParameters) -> R<()> {
    if a.connectivity_parameters.is_some() {
        return Err(unsupported("Private connectivity (ConnectivityParameters)"));
    }
    if a.invocation_http_parameters.is_some() {
        return Err(unsupported("InvocationHttpParameters"));
    }
    Ok(())
}

fn enum_error(other: &str) -> ApiError {
    validation(format!(
        "1 validation error detected: Value '{other}' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS]"
    ))
}

/// The complete authorization of a CreateConnection.
pub(super) fn auth_in(kind: &str, a: AuthParameters) -> R<ConnectionAuth> {
    refuse_unsupported(&a)?;
    let required =
        |what: &str| validation(format!("{what} are required for AuthorizationType {kind}."));
    match kind {
        "API_KEY" => {
            let p = a
                .api_key_auth_parameters
                .ok_or_else(|| required("ApiKeyAuthParameters"))?;
            Ok(ConnectionAuth::ApiKey {
                name: p.api_key_name.unwrap_or_default(),
                value: p.api_key_value.unwrap_or_default(),
            })
        }
        "BASIC" => {
            let p = a
                .basic_auth_parameters
                .ok_or_else(|| required("BasicAuthParameters"))?;
            Ok(ConnectionAuth::Basic {
                username: p.username.unwrap_or_default(),
                password: p.password.unwrap_or_default(),
            })
        }
        "OAUTH_CLIENT_CREDENTIALS" => {
            let p = a
                .o_auth_parameters
                .ok_or_else(|| required("OAuthParameters"))?;
            let client = p.client_parameters.unwrap_or_default();
            Ok(ConnectionAuth::OAuth(OAuthParameters {
                authorization_endpoint: p.authorization_endpoint.unwrap_or_default(),
                http_method: p.http_method.unwrap_or_default(),
                client_id: client.client_id.unwrap_or_default(),
                client_secret: client.client_secret.unwrap_or_default(),
                http_parameters: p
                    .o_auth_http_parameters
                    .map(http_in)
                    .transpose()?
                    .unwrap_or_default(),
            }))
        }
        other => Err(enum_error(other)),
    }
}

/// The authorization part of an UpdateConnection.
pub(super) fn update_in(
    kind: Option<String>,
    a: Option<AuthParameters>,
    u: &mut ConnectionUpdate,
) -> R<()> {
    if let Some(k) = &kind
        && !["API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"].contains(&k.as_str())
    {
        return Err(enum_error(k));
    }
    u.authorization_type = kind;
    let Some(a) = a else { return Ok(()) };
    refuse_unsupported(&a)?;
    if let Some(p) = a.api_key_auth_parameters {
        u.api_key_name = p.api_key_name;
        u.api_key_value = p.api_key_value;
    }
    if let Some(p) = a.basic_auth_parameters {
        u.username = p.username;
        u.password = p.password;
    }
    if let Some(p) = a.o_auth_parameters {
        u.authorization_endpoint = p.authorization_endpoint;
        u.oauth_http_method = p.http_method;
        if let Some(c) = p.client_parameters {
            u.client_id = c.client_id;
            u.client_secret = c.client_secret;
        }
        u.oauth_http_parameters = p.o_auth_http_parameters.map(http_in).transpose()?;
    }
    Ok(())
}

/// What DescribeConnection shows: names and non-secret values only.
pub(super) fn auth_out(auth: &ConnectionAuth) -> AuthParameters {
    match auth {
        ConnectionAuth::ApiKey { name, .. } => AuthParameters {
            api_key_auth_parameters: Some(ApiKeyAuthParameters {
                api_key_name: Some(name.clone()),
                api_key_value: None,
            }),
            ..Default::default()
        },
        ConnectionAuth::Basic { username, .. } => AuthParameters {
            basic_auth_parameters: Some(BasicAuthParameters {
                username: Some(username.clone()),
                password: None,
            }),
            ..Default::default()
        },
        ConnectionAuth::OAuth(p) => AuthParameters {
            o_auth_parameters: Some(OAuthParametersShape {
                authorization_endpoint: Some(p.authorization_endpoint.clone()),
                client_parameters: Some(OAuthClientParameters {
                    client_id: Some(p.client_id.clone()),
                    client_secret: None,
                }),
                http_method: Some(p.http_method.clone()),
                o_auth_http_parameters: Some(http_out(&p.http_parameters)),
            }),
            ..Default::default()
        },
    }
}
