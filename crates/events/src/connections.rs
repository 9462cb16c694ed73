//! Connections: CreateConnection, DescribeConnection, ListConnections, UpdateConnection,
//! DeauthorizeConnection and DeleteConnection.
//!
//! A connection authorizes with an API key header, Basic credentials or OAuth client credentials
//! (see [`crate::oauth`]). API-key and Basic connections are AUTHORIZED as soon as they are
//! stored; an OAuth connection is AUTHORIZING until a token has been fetched from its
//! authorization endpoint (at the first call through it), then AUTHORIZED, or DEAUTHORIZED if the
//! endpoint refuses the client. DeauthorizeConnection removes every secret (answering
//! DEAUTHORIZING; the stored state is DEAUTHORIZED) and calls through the connection fail until
//! UpdateConnection gives new credentials.

use crate::error::EventsError;
use crate::http::HttpUrl;
use crate::limits::{MAX_CONNECTIONS, MAX_DESTINATION_NAME};
use crate::model::{
    Connection, ConnectionAuth, ConnectionState, HttpParameters, OAuthParameters, Page, PageRequest,
};
use crate::names::{check_simple_name, in_scope, paginate};
use crate::store::Change;
use crate::{Events, key};

/// Methods an OAuth authorization endpoint may be called with.
pub const OAUTH_METHODS: [&str; 3] = ["GET", "POST", "PUT"];
/// Longest OAuth client id or secret.
pub const MAX_OAUTH_CLIENT_PARAMETER: usize = 512;
/// Longest OAuth authorization endpoint.
pub const MAX_AUTHORIZATION_ENDPOINT: usize = 2048;

/// What UpdateConnection changes; `None` keeps the stored value. Members of another
/// authorization type than the resulting one are refused.
#[derive(Debug, Clone, Default)]
pub struct ConnectionUpdate {
    pub description: Option<String>,
    /// `API_KEY`, `BASIC` or `OAUTH_CLIENT_CREDENTIALS`; changing it needs every member of the
    /// new type.
    pub authorization_type: Option<String>,
    pub api_key_name: Option<String>,
    pub api_key_value: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub oauth_http_method: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub oauth_http_parameters: Option<HttpParameters>,
}

impl ConnectionUpdate {
    fn kinds_given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.api_key_name.is_some() || self.api_key_value.is_some() {
            out.push("API_KEY");
        }
        if self.username.is_some() || self.password.is_some() {
            out.push("BASIC");
        }
        if self.authorization_endpoint.is_some()
            || self.oauth_http_method.is_some()
            || self.client_id.is_some()
            || self.client_secret.is_some()
            || self.oauth_http_parameters.is_some()
        {
            out.push("OAUTH_CLIENT_CREDENTIALS");
        }
        out
    }
}

/// A connection or API destination name: 1–64 of `[.\-_A-Za-z0-9]`.
pub(crate) fn check_name(name: &str, member: &str) -> Result<(), EventsError> {
    check_simple_name(name, member, MAX_DESTINATION_NAME)
}

fn incomplete() -> EventsError {
    EventsError::Validation(
        "AuthParameters must give every member of the chosen authorization type.".to_owned(),
    )
}

/// Validates complete authorization parameters.
fn check_auth(auth: &ConnectionAuth) -> Result<(), EventsError> {
    match auth {
        ConnectionAuth::ApiKey { name, value } if name.is_empty() || value.is_empty() => {
            Err(incomplete())
        }
        ConnectionAuth::Basic { username, password }
            if username.is_empty() || password.is_empty() =>
        {
            Err(incomplete())
        }
        ConnectionAuth::OAuth(p) => check_oauth(p),
        _ => Ok(()),
    }
}

fn check_oauth(p: &OAuthParameters) -> Result<(), EventsError> {
    if p.authorization_endpoint.is_empty() || p.client_id.is_empty() || p.client_secret.is_empty() {
        return Err(incomplete());
    }
    if p.authorization_endpoint.len() > MAX_AUTHORIZATION_ENDPOINT {
        return Err(EventsError::constraint(
            &p.authorization_endpoint,
            "authParameters.oAuthParameters.authorizationEndpoint",
            &format!("Member must have length between 1 and {MAX_AUTHORIZATION_ENDPOINT}"),
        ));
    }
    if HttpUrl::parse_any(&p.authorization_endpoint).is_none() {
        return Err(EventsError::Validation(format!(
            "AuthorizationEndpoint {} is not a valid http:// or https:// URL.",
            p.authorization_endpoint
        )));
    }
    if !OAUTH_METHODS.contains(&p.http_method.as_str()) {
        return Err(EventsError::constraint(
            &p.http_method,
            "authParameters.oAuthParameters.httpMethod",
            "Member must satisfy enum value set: [GET, POST, PUT]",
        ));
    }
    for (v, member) in [
        (&p.client_id, "clientID"),
        (&p.client_secret, "clientSecret"),
    ] {
        if v.chars().count() > MAX_OAUTH_CLIENT_PARAMETER || v.chars().any(|c| c.is_control()) {
            return Err(EventsError::constraint(
                "***",
                &format!("authParameters.oAuthParameters.clientParameters.{member}"),
                &format!(
                    "Member must have length between 1 and {MAX_OAUTH_CLIENT_PARAMETER} and no control characters"
                ),
            ));
        }
    }
    Ok(())
}

/// The state a connection with `auth` starts in.
fn initial_state(auth: &ConnectionAuth) -> ConnectionState {
    match auth {
        ConnectionAuth::OAuth(_) => ConnectionState::Authorizing,
        _ => ConnectionState::Authorized,
    }
}

fn not_found(name: &str) -> EventsError {
    EventsError::NotFound(format!("Connection '{name}' does not exist."))
}

/// `auth` with the members `u` gives laid over it (or over nothing, for a new type).
fn merged(existing: &ConnectionAuth, u: ConnectionUpdate) -> Result<ConnectionAuth, EventsError> {
    let kind = u
        .authorization_type
        .clone()
        .unwrap_or_else(|| existing.kind().to_owned());
    if !["API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"].contains(&kind.as_str()) {
        return Err(EventsError::constraint(
            &kind,
            "authorizationType",
            "Member must satisfy enum value set: [API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS]",
        ));
    }
    if u.kinds_given().iter().any(|k| *k != kind) {
        return Err(EventsError::Validation(format!(
            "AuthParameters must only give parameters of AuthorizationType {kind}."
        )));
    }
    let same = existing.kind() == kind;
    Ok(match kind.as_str() {
        "API_KEY" => {
            let (n, v) = match existing {
                ConnectionAuth::ApiKey { name, value } if same => (name.clone(), value.clone()),
                _ => Default::default(),
            };
            ConnectionAuth::ApiKey {
                name: u.api_key_name.unwrap_or(n),
                value: u.api_key_value.unwrap_or(v),
            }
        }
        "BASIC" => {
            let (n, p) = match existing {
                ConnectionAuth::Basic { username, password } if same => {
                    (username.clone(), password.clone())
                }
                _ => Default::default(),
            };
            ConnectionAuth::Basic {
                username: u.username.unwrap_or(n),
                password: u.password.unwrap_or(p),
            }
        }
        _ => {
            let base = match existing {
                ConnectionAuth::OAuth(p) if same => p.clone(),
                _ => OAuthParameters {
                    authorization_endpoint: String::new(),
                    http_method: String::new(),
                    client_id: String::new(),
                    client_secret: String::new(),
                    http_parameters: HttpParameters::default(),
                },
            };
            ConnectionAuth::OAuth(OAuthParameters {
                authorization_endpoint: u
                    .authorization_endpoint
                    .unwrap_or(base.authorization_endpoint),
                http_method: u.oauth_http_method.unwrap_or(base.http_method),
                client_id: u.client_id.unwrap_or(base.client_id),
                client_secret: u.client_secret.unwrap_or(base.client_secret),
                http_parameters: u.oauth_http_parameters.unwrap_or(base.http_parameters),
            })
        }
    })
}

impl Events {
    /// CreateConnection.
    pub fn create_connection(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<&str>,
        auth: ConnectionAuth,
    ) -> Result<Connection, EventsError> {
        check_name(name, "name")?;
        crate::buses::check_description(description)?;
        check_auth(&auth)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        if state.connections.contains_key(&k) {
            return Err(EventsError::AlreadyExists(format!(
                "Connection {name} already exists."
            )));
        }
        let count = state
            .connections
            .keys()
            .filter(|x| x.0 == account && x.1 == region)
            .count();
        if count >= MAX_CONNECTIONS {
            return Err(EventsError::limit());
        }
        let now = self.clock.now_millis();
        let conn_state = initial_state(&auth);
        let c = Connection {
            name: name.to_owned(),
            arn: format!(
                "arn:aws:events:{region}:{account}:connection/{name}/{}",
                uuid::Uuid::new_v4()
            ),
            description: description.map(str::to_owned),
            auth,
            state: conn_state,
            state_reason: None,
            created_millis: now,
            modified_millis: now,
            last_authorized_millis: (conn_state == ConnectionState::Authorized).then_some(now),
        };
        self.store.apply(&[Change::PutConnection(&k, &c)])?;
        state.connections.insert(k, c.clone());
        Ok(c)
    }

    /// DescribeConnection.
    pub fn describe_connection(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Connection, EventsError> {
        check_name(name, "name")?;
        self.state
            .read()
            .connections
            .get(&key(account, region, name))
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    /// ListConnections, sorted by name, optionally only those in `wanted` state.
    pub fn list_connections(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        wanted: Option<ConnectionState>,
        page: &PageRequest,
    ) -> Result<Page<Connection>, EventsError> {
        let items: Vec<Connection> =
            in_scope(&self.state.read().connections, account, region, prefix)
                .filter(|(_, c)| wanted.is_none_or(|s| c.state == s))
                .map(|(_, c)| c.clone())
                .collect();
        paginate(items, |c| &c.name, page.limit, page.next_token.as_deref())
    }

    /// UpdateConnection: changes the description and authorization parameters; new complete
    /// credentials authorize a deauthorized connection again.
    pub fn update_connection(
        &self,
        account: &str,
        region: &str,
        name: &str,
        update: ConnectionUpdate,
    ) -> Result<Connection, EventsError> {
        check_name(name, "name")?;
        crate::buses::check_description(update.description.as_deref())?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let old = state
            .connections
            .get(&k)
            .cloned()
            .ok_or_else(|| not_found(name))?;
        let description = update.description.clone();
        let auth_changed = update.authorization_type.is_some() || !update.kinds_given().is_empty();
        let auth = merged(&old.auth, update)?;
        let now = self.clock.now_millis();
        let mut c = Connection {
            description: description.or_else(|| old.description.clone()),
            modified_millis: now,
            ..old.clone()
        };
        if auth_changed {
            check_auth(&auth)?;
            c.state = initial_state(&auth);
            c.state_reason = None;
            if c.state == ConnectionState::Authorized {
                c.last_authorized_millis = Some(now);
            }
            c.auth = auth;
        }
        self.store.apply(&[Change::PutConnection(&k, &c)])?;
        state.connections.insert(k, c.clone());
        drop(state);
        if c.auth != old.auth {
            self.forget_token(&c.arn);
        }
        Ok(c)
    }

    /// DeauthorizeConnection: removes every secret; calls through the connection fail until it
    /// is updated with new credentials.
    pub fn deauthorize_connection(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Connection, EventsError> {
        check_name(name, "name")?;
        let k = key(account, region, name);
        let c = {
            let mut state = self.state.write();
            let old = state.connections.get(&k).ok_or_else(|| not_found(name))?;
            let c = Connection {
                auth: old.auth.without_secrets(),
                state: ConnectionState::Deauthorized,
                state_reason: Some("Connection deauthorized by DeauthorizeConnection.".to_owned()),
                modified_millis: self.clock.now_millis(),
                ..old.clone()
            };
            self.store.apply(&[Change::PutConnection(&k, &c)])?;
            state.connections.insert(k, c.clone());
            c
        };
        self.forget_token(&c.arn);
        Ok(c)
    }

    /// DeleteConnection.
    pub fn delete_connection(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Connection, EventsError> {
        check_name(name, "name")?;
        let k = key(account, region, name);
        let c = {
            let mut state = self.state.write();
            let c = state
                .connections
                .get(&k)
                .cloned()
                .ok_or_else(|| not_found(name))?;
            self.store.apply(&[Change::DeleteConnection(&k)])?;
            state.connections.remove(&k);
            c
        };
        self.forget_token(&c.arn);
        Ok(c)
    }

    /// Records an authorization outcome of an OAuth connection (unless it changed meanwhile).
    pub(crate) fn set_connection_state(
        &self,
        arn: &str,
        new: ConnectionState,
        reason: Option<String>,
    ) -> Result<(), EventsError> {
        let mut state = self.state.write();
        let Some((k, old)) = state
            .connections
            .iter()
            .find(|(_, c)| c.arn == arn)
            .map(|(k, c)| (k.clone(), c.clone()))
        else {
            return Ok(());
        };
        if old.state == new && old.state_reason == reason {
            return Ok(());
        }
        let now = self.clock.now_millis();
        let c = Connection {
            state: new,
            state_reason: reason,
            last_authorized_millis: if new == ConnectionState::Authorized {
                Some(now)
            } else {
                old.last_authorized_millis
            },
            ..old
        };
        self.store.apply(&[Change::PutConnection(&k, &c)])?;
        state.connections.insert(k, c);
        Ok(())
    }
}
