//! API destinations (CreateApiDestination, DescribeApiDestination, ListApiDestinations,
//! UpdateApiDestination, DeleteApiDestination) and the HTTP call a delivery to an API destination
//! makes (connections are in [`crate::connections`]).
//!
//! Endpoints are `http://` or `https://` (TLS through the outbound client). Calls are
//! rate-limited per destination (InvocationRateLimitPerSecond; over the limit a delivery waits a
//! second without using up a retry) and authorized by the destination's connection; a call
//! through a deauthorized connection fails (and is retried, so new credentials given in time
//! still deliver). 2xx succeeds; 401, 407, 409, 429, 5xx and network or TLS errors are retried
//! (401 and 407 also drop a cached OAuth token); other statuses are not, as AWS documents.

use crate::connections::check_name;
use crate::error::EventsError;
use crate::http::{HttpUrl, call};
use crate::limits::{DEFAULT_INVOCATION_RATE_LIMIT, MAX_API_DESTINATIONS, MAX_INVOCATION_ENDPOINT};
use crate::model::{ApiDestination, Page, PageRequest};
use crate::names::{in_scope, paginate};
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

fn check_endpoint(endpoint: &str) -> Result<(), EventsError> {
    if endpoint.is_empty() || endpoint.len() > MAX_INVOCATION_ENDPOINT {
        return Err(EventsError::constraint(
            endpoint,
            "invocationEndpoint",
            &format!("Member must have length between 1 and {MAX_INVOCATION_ENDPOINT}"),
        ));
    }
    if HttpUrl::parse_any(endpoint).is_none() || endpoint.contains('*') {
        return Err(EventsError::Validation(format!(
            "InvocationEndpoint {endpoint} is not a valid http:// or https:// URL (path parameters are not supported)."
        )));
    }
    Ok(())
}

fn check_method(method: &str) -> Result<(), EventsError> {
    if !HTTP_METHODS.contains(&method) {
        return Err(EventsError::constraint(
            method,
            "httpMethod",
            "Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE]",
        ));
    }
    Ok(())
}

fn check_rate(n: i64) -> Result<u32, EventsError> {
    if n < 1 {
        return Err(EventsError::constraint(
            &n.to_string(),
            "invocationRateLimitPerSecond",
            "Member must have value greater than or equal to 1",
        ));
    }
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The name of the connection `arn` names, if it is one of this account and region.
fn connection_name(account: &str, region: &str, arn: &str) -> Result<String, EventsError> {
    parse_named_arn(arn, "connection")
        .filter(|(a, r, _)| a == account && r == region)
        .map(|(_, _, n)| n)
        .ok_or_else(|| {
            EventsError::Validation(format!(
                "ConnectionArn {arn} is not a connection ARN of this account and region."
            ))
        })
}

fn check_connection(
    state: &crate::State,
    account: &str,
    region: &str,
    name: &str,
    arn: &str,
) -> Result<(), EventsError> {
    match state.connections.get(&key(account, region, name)) {
        Some(c) if c.arn == arn => Ok(()),
        _ => Err(EventsError::NotFound(format!(
            "Connection '{name}' does not exist."
        ))),
    }
}

/// What UpdateApiDestination changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct ApiDestinationUpdate {
    pub description: Option<String>,
    pub connection_arn: Option<String>,
    pub invocation_endpoint: Option<String>,
    pub http_method: Option<String>,
    pub invocation_rate_limit_per_second: Option<i64>,
}

impl Events {
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
        check_endpoint(endpoint)?;
        check_method(method)?;
        let rate = match rate_limit {
            None => DEFAULT_INVOCATION_RATE_LIMIT,
            Some(n) => check_rate(n)?,
        };
        let connection = connection_name(account, region, connection_arn)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        check_connection(&state, account, region, &connection, connection_arn)?;
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

    /// UpdateApiDestination.
    pub fn update_api_destination(
        &self,
        account: &str,
        region: &str,
        name: &str,
        u: ApiDestinationUpdate,
    ) -> Result<ApiDestination, EventsError> {
        check_name(name, "name")?;
        crate::buses::check_description(u.description.as_deref())?;
        if let Some(e) = &u.invocation_endpoint {
            check_endpoint(e)?;
        }
        if let Some(m) = &u.http_method {
            check_method(m)?;
        }
        let rate = u
            .invocation_rate_limit_per_second
            .map(check_rate)
            .transpose()?;
        let connection = u
            .connection_arn
            .as_deref()
            .map(|arn| connection_name(account, region, arn).map(|n| (n, arn)))
            .transpose()?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let old = state.destinations.get(&k).cloned().ok_or_else(|| {
            EventsError::NotFound(format!("An api-destination '{name}' does not exist."))
        })?;
        if let Some((conn, arn)) = &connection {
            check_connection(&state, account, region, conn, arn)?;
        }
        let d = ApiDestination {
            description: u.description.or(old.description),
            connection_arn: u.connection_arn.unwrap_or(old.connection_arn),
            invocation_endpoint: u.invocation_endpoint.unwrap_or(old.invocation_endpoint),
            http_method: u.http_method.unwrap_or(old.http_method),
            invocation_rate_limit_per_second: rate.unwrap_or(old.invocation_rate_limit_per_second),
            modified_millis: self.clock.now_millis(),
            ..old
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
        let items: Vec<ApiDestination> =
            in_scope(&self.state.read().destinations, account, region, prefix)
                .filter(|(_, d)| connection_arn.is_none_or(|c| d.connection_arn == c))
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
        let url = HttpUrl::parse_any(&dest.invocation_endpoint).ok_or_else(|| {
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
        headers.extend(self.auth_headers(&conn)?);
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
            Ok(status @ (401 | 407)) => {
                self.forget_token(&conn.arn);
                Err(CallFailure::Retry(format!("{arn} answered HTTP {status}")))
            }
            Ok(status) if matches!(status, 409 | 429) || status >= 500 => {
                Err(CallFailure::Retry(format!("{arn} answered HTTP {status}")))
            }
            Ok(status) => Err(CallFailure::Final(format!("{arn} answered HTTP {status}"))),
            Err(e) => Err(CallFailure::Retry(e)),
        }
    }
}
