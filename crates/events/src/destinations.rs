//! Connections and API destinations (CreateConnection, DescribeConnection, ListConnections,
//! DeleteConnection, CreateApiDestination, DescribeApiDestination, ListApiDestinations,
//! DeleteApiDestination) and the HTTP call a delivery to an API destination makes.
//!
//! Connections authorize with an API key header or Basic credentials (OAuth client credentials
//! are not supported yet and are refused). Endpoints must be `http://`: this server has no TLS
//! client yet, so `https://` endpoints are refused rather than accepted and never reached.
//! Calls are rate-limited per destination (InvocationRateLimitPerSecond; over the limit a delivery
//! waits a second without using up a retry). 2xx succeeds; 401, 407, 409, 429, 5xx and network
//! errors are retried; other statuses are not, as AWS documents.

use crate::error::EventsError;
use crate::http::{HttpUrl, base64, call};
use crate::limits::{
    DEFAULT_INVOCATION_RATE_LIMIT, MAX_API_DESTINATIONS, MAX_CONNECTIONS, MAX_DESTINATION_NAME,
    MAX_INVOCATION_ENDPOINT,
};
use crate::model::{ApiDestination, Connection, ConnectionAuth, Page, PageRequest};
use crate::names::paginate;
use crate::queue::Delivery;
use crate::store::Change;
use crate::{Events, key};

/// HTTP methods an API destination may use.
pub const HTTP_METHODS: [&str; 7] = ["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"];

/// Why a call failed, and whether to try again.
#[derive(Debug)]
pub(crate) enum CallFailure {
    Retry(String),
    Final(String),
    /// Over the rate limit: try again later without counting an attempt.
    Throttled,
}

fn check_name(name: &str, member: &str) -> Result<(), EventsError> {
    let n = name.chars().count();
    if n == 0 || n > MAX_DESTINATION_NAME {
        return Err(EventsError::constraint(
            name,
            member,
            &format!("Member must have length between 1 and {MAX_DESTINATION_NAME}"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(EventsError::constraint(
            name,
            member,
            "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        ));
    }
    Ok(())
}

/// `(account, region, name)` of `arn:aws:events:<region>:<account>:<kind>/<name>/<id>`.
fn parse_named_arn(arn: &str, kind: &str) -> Option<(String, String, String)> {
    let rest = arn.strip_prefix("arn:aws:events:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?.strip_prefix(kind)?.strip_prefix('/')?;
    let name = resource.split('/').next()?;
    (!name.is_empty()).then(|| (account.to_owned(), region.to_owned(), name.to_owned()))
}

/// Whether `arn` names an API destination.
pub(crate) fn is_api_destination(arn: &str) -> bool {
    parse_named_arn(arn, "api-destination").is_some()
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
        let empty = match &auth {
            ConnectionAuth::ApiKey { name, value } => name.is_empty() || value.is_empty(),
            ConnectionAuth::Basic { username, password } => {
                username.is_empty() || password.is_empty()
            }
        };
        if empty {
            return Err(EventsError::Validation(
                "AuthParameters must give every member of the chosen authorization type."
                    .to_owned(),
            ));
        }
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
        let c = Connection {
            name: name.to_owned(),
            arn: format!(
                "arn:aws:events:{region}:{account}:connection/{name}/{}",
                uuid::Uuid::new_v4()
            ),
            description: description.map(str::to_owned),
            auth,
            created_millis: now,
            modified_millis: now,
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
            .ok_or_else(|| EventsError::NotFound(format!("Connection '{name}' does not exist.")))
    }

    /// ListConnections, sorted by name.
    pub fn list_connections(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Connection>, EventsError> {
        let items: Vec<Connection> = self
            .state
            .read()
            .connections
            .iter()
            .filter(|(k, _)| {
                k.0 == account && k.1 == region && prefix.is_none_or(|p| k.2.starts_with(p))
            })
            .map(|(_, c)| c.clone())
            .collect();
        paginate(items, |c| &c.name, page.limit, page.next_token.as_deref())
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
        let mut state = self.state.write();
        let c =
            state.connections.get(&k).cloned().ok_or_else(|| {
                EventsError::NotFound(format!("Connection '{name}' does not exist."))
            })?;
        self.store.apply(&[Change::DeleteConnection(&k)])?;
        state.connections.remove(&k);
        Ok(c)
    }

    /// CreateApiDestination.
    #[allow(clippy::too_many_arguments)]
    pub fn create_api_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<&str>,
        connection_arn: &str,
        endpoint: &str,
        method: &str,
        rate_limit: Option<i64>,
    ) -> Result<ApiDestination, EventsError> {
        check_name(name, "name")?;
        crate::buses::check_description(description)?;
        if endpoint.is_empty() || endpoint.len() > MAX_INVOCATION_ENDPOINT {
            return Err(EventsError::constraint(
                endpoint,
                "invocationEndpoint",
                &format!("Member must have length between 1 and {MAX_INVOCATION_ENDPOINT}"),
            ));
        }
        if endpoint.starts_with("https://") {
            return Err(EventsError::Validation(
                "InvocationEndpoint: https:// endpoints are not supported by this server yet (it has no TLS client); use http://.".to_owned(),
            ));
        }
        if HttpUrl::parse(endpoint).is_none() || endpoint.contains('*') {
            return Err(EventsError::Validation(format!(
                "InvocationEndpoint {endpoint} is not a valid http:// URL (path parameters are not supported)."
            )));
        }
        if !HTTP_METHODS.contains(&method) {
            return Err(EventsError::constraint(
                method,
                "httpMethod",
                "Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE]",
            ));
        }
        let rate = match rate_limit {
            None => DEFAULT_INVOCATION_RATE_LIMIT,
            Some(n) if n >= 1 => u32::try_from(n).unwrap_or(u32::MAX),
            Some(n) => {
                return Err(EventsError::constraint(
                    &n.to_string(),
                    "invocationRateLimitPerSecond",
                    "Member must have value greater than or equal to 1",
                ));
            }
        };
        let connection = parse_named_arn(connection_arn, "connection")
            .filter(|(a, r, _)| a == account && r == region)
            .ok_or_else(|| EventsError::Validation(format!("ConnectionArn {connection_arn} is not a connection ARN of this account and region.")))?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        match state.connections.get(&key(account, region, &connection.2)) {
            Some(c) if c.arn == connection_arn => {}
            _ => {
                return Err(EventsError::NotFound(format!(
                    "Connection '{}' does not exist.",
                    connection.2
                )));
            }
        }
        if state.destinations.contains_key(&k) {
            return Err(EventsError::AlreadyExists(format!(
                "An api-destination '{name}' already exists."
            )));
        }
        let count = state
            .destinations
            .keys()
            .filter(|x| x.0 == account && x.1 == region)
            .count();
        if count >= MAX_API_DESTINATIONS {
            return Err(EventsError::limit());
        }
        let now = self.clock.now_millis();
        let d = ApiDestination {
            name: name.to_owned(),
            arn: format!(
                "arn:aws:events:{region}:{account}:api-destination/{name}/{}",
                uuid::Uuid::new_v4()
            ),
            description: description.map(str::to_owned),
            connection_arn: connection_arn.to_owned(),
            invocation_endpoint: endpoint.to_owned(),
            http_method: method.to_owned(),
            invocation_rate_limit_per_second: rate,
            created_millis: now,
            modified_millis: now,
        };
        self.store.apply(&[Change::PutDestination(&k, &d)])?;
        state.destinations.insert(k, d.clone());
        Ok(d)
    }

    /// DescribeApiDestination.
    pub fn describe_api_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<ApiDestination, EventsError> {
        check_name(name, "name")?;
        self.state
            .read()
            .destinations
            .get(&key(account, region, name))
            .cloned()
            .ok_or_else(|| {
                EventsError::NotFound(format!("An api-destination '{name}' does not exist."))
            })
    }

    /// ListApiDestinations, sorted by name.
    pub fn list_api_destinations(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        connection_arn: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<ApiDestination>, EventsError> {
        let items: Vec<ApiDestination> = self
            .state
            .read()
            .destinations
            .iter()
            .filter(|(k, d)| {
                k.0 == account
                    && k.1 == region
                    && prefix.is_none_or(|p| k.2.starts_with(p))
                    && connection_arn.is_none_or(|c| d.connection_arn == c)
            })
            .map(|(_, d)| d.clone())
            .collect();
        paginate(items, |d| &d.name, page.limit, page.next_token.as_deref())
    }

    /// DeleteApiDestination.
    pub fn delete_api_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), EventsError> {
        check_name(name, "name")?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        if !state.destinations.contains_key(&k) {
            return Err(EventsError::NotFound(format!(
                "An api-destination '{name}' does not exist."
            )));
        }
        self.store.apply(&[Change::DeleteDestination(&k)])?;
        state.destinations.remove(&k);
        Ok(())
    }

    /// Calls the API destination `arn` with a delivery's payload.
    pub(crate) fn call_api_destination(&self, d: &Delivery, arn: &str) -> Result<(), CallFailure> {
        let (account, region, name) = parse_named_arn(arn, "api-destination")
            .ok_or_else(|| CallFailure::Final(format!("{arn} is not an API destination ARN")))?;
        if account != d.account {
            return Err(CallFailure::Final(format!(
                "API destination {arn} belongs to another account"
            )));
        }
        let (dest, conn) = {
            let state = self.state.read();
            let dest = state
                .destinations
                .get(&key(&account, &region, &name))
                .filter(|x| x.arn == arn)
                .cloned()
                .ok_or_else(|| {
                    CallFailure::Retry(format!("API destination {arn} does not exist"))
                })?;
            let conn = parse_named_arn(&dest.connection_arn, "connection")
                .and_then(|(a, r, n)| state.connections.get(&key(&a, &r, &n)).cloned())
                .ok_or_else(|| {
                    CallFailure::Retry(format!("the connection of {arn} does not exist"))
                })?;
            (dest, conn)
        };
        {
            let second = self.clock.now_millis().div_euclid(1000);
            let mut rate = self.rate.lock();
            let slot = rate.entry(dest.arn.clone()).or_insert((second, 0));
            if slot.0 != second {
                *slot = (second, 0);
            }
            if slot.1 >= dest.invocation_rate_limit_per_second {
                return Err(CallFailure::Throttled);
            }
            slot.1 += 1;
        }
        let url = HttpUrl::parse(&dest.invocation_endpoint).ok_or_else(|| {
            CallFailure::Final(format!("bad endpoint {}", dest.invocation_endpoint))
        })?;
        let mut headers = vec![
            (
                "Content-Type".to_owned(),
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                "User-Agent".to_owned(),
                "Amazon/EventBridge/ApiDestinations".to_owned(),
            ),
        ];
        match &conn.auth {
            ConnectionAuth::ApiKey { name, value } => headers.push((name.clone(), value.clone())),
            ConnectionAuth::Basic { username, password } => headers.push((
                "Authorization".to_owned(),
                format!(
                    "Basic {}",
                    base64(format!("{username}:{password}").as_bytes())
                ),
            )),
        }
        let body: &[u8] = if matches!(
            dest.http_method.as_str(),
            "GET" | "HEAD" | "OPTIONS" | "DELETE"
        ) {
            &[]
        } else {
            d.payload.as_bytes()
        };
        match call(&dest.http_method, &url, &headers, body) {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) if matches!(status, 401 | 407 | 409 | 429) || status >= 500 => {
                Err(CallFailure::Retry(format!("{arn} answered HTTP {status}")))
            }
            Ok(status) => Err(CallFailure::Final(format!("{arn} answered HTTP {status}"))),
            Err(e) => Err(CallFailure::Retry(e)),
        }
    }
}
