//! OAuth client credentials for connections: the access token is fetched from the connection's
//! authorization endpoint, cached in memory until 60 s before it expires (`expires_in`; an hour
//! when the endpoint does not say), and forgotten when a call through it answers 401 or 407, so
//! the retry fetches a new one, as AWS documents.
//!
//! The token request: the connection's HttpMethod to the AuthorizationEndpoint, with the client
//! id and secret as `Authorization: Basic`, the OAuthHttpParameters headers and query string,
//! and the body parameters form-encoded (`grant_type=client_credentials` unless the body
//! parameters name a grant type; for GET they go into the query string). A 2xx answer with a
//! JSON `access_token` authorizes the connection; a 4xx other than 429 deauthorizes it (the
//! client is refused); anything else (5xx, network, TLS) is retried with the delivery.

use std::collections::HashMap;

use crate::Events;
use crate::destinations::CallFailure;
use crate::http::{self, HttpUrl, base64};
use crate::model::{Connection, ConnectionAuth, ConnectionState, HttpParameter, OAuthParameters};

/// Lifetime assumed for a token whose response has no `expires_in`.
pub const DEFAULT_TOKEN_SECONDS: i64 = 3600;
/// A token this close to expiry is refreshed before a call.
pub const REFRESH_BEFORE_MS: i64 = 60_000;

/// Cached tokens by connection ARN: `(token, expires at)`.
pub(crate) type TokenCache = parking_lot::Mutex<HashMap<String, (String, i64)>>;

/// `application/x-www-form-urlencoded` / query-string escaping.
pub(crate) fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `k=v&k=v`.
pub(crate) fn form(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `url` with `params` appended to its query string.
pub(crate) fn with_query(url: &HttpUrl, params: &[(String, String)]) -> HttpUrl {
    if params.is_empty() {
        return url.clone();
    }
    let sep = if url.target.contains('?') { '&' } else { '?' };
    HttpUrl {
        target: format!("{}{sep}{}", url.target, form(params)),
        ..url.clone()
    }
}

fn pairs(v: &[HttpParameter]) -> Vec<(String, String)> {
    v.iter().map(|p| (p.key.clone(), p.value.clone())).collect()
}

/// What a token request came to.
enum TokenOutcome {
    Token(String, i64),
    /// The endpoint refused the client: the connection is deauthorized.
    Refused(String),
    /// Worth trying again later.
    Failed(String),
}

fn fetch_token(p: &OAuthParameters, now: i64) -> TokenOutcome {
    let Some(url) = HttpUrl::parse_any(&p.authorization_endpoint) else {
        return TokenOutcome::Refused(format!(
            "bad authorization endpoint {}",
            p.authorization_endpoint
        ));
    };
    let mut body = pairs(&p.http_parameters.body);
    if !body.iter().any(|(k, _)| k == "grant_type") {
        body.insert(
            0,
            ("grant_type".to_owned(), "client_credentials".to_owned()),
        );
    }
    let mut query = pairs(&p.http_parameters.query);
    let mut headers = vec![
        (
            "Authorization".to_owned(),
            format!(
                "Basic {}",
                base64(format!("{}:{}", p.client_id, p.client_secret).as_bytes())
            ),
        ),
        ("Accept".to_owned(), "application/json".to_owned()),
        (
            "User-Agent".to_owned(),
            "Amazon/EventBridge/ApiDestinations".to_owned(),
        ),
    ];
    headers.extend(pairs(&p.http_parameters.headers));
    let payload = if p.http_method == "GET" {
        query.extend(body);
        String::new()
    } else {
        headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        form(&body)
    };
    let url = with_query(&url, &query);
    let response = match http::request(&p.http_method, &url, &headers, payload.as_bytes()) {
        Ok(r) => r,
        Err(e) => return TokenOutcome::Failed(format!("authorization endpoint: {e}")),
    };
    match response.status {
        200..=299 => {}
        s @ 400..=499 if s != 429 => {
            return TokenOutcome::Refused(format!("the authorization endpoint answered HTTP {s}"));
        }
        s => return TokenOutcome::Failed(format!("the authorization endpoint answered HTTP {s}")),
    }
    let json: serde_json::Value = match serde_json::from_slice(&response.body) {
        Ok(v) => v,
        Err(e) => {
            return TokenOutcome::Failed(format!("the token response is not JSON: {e}"));
        }
    };
    let Some(token) = json.get("access_token").and_then(|t| t.as_str()) else {
        return TokenOutcome::Failed("the token response has no access_token".to_owned());
    };
    let seconds = json
        .get("expires_in")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(DEFAULT_TOKEN_SECONDS);
    TokenOutcome::Token(
        token.to_owned(),
        now.saturating_add(seconds.saturating_mul(1000)),
    )
}

impl Events {
    /// Forgets a connection's cached token.
    pub(crate) fn forget_token(&self, connection_arn: &str) {
        self.tokens.lock().remove(connection_arn);
    }

    /// The headers that authorize a call through `conn`.
    pub(crate) fn auth_headers(
        &self,
        conn: &Connection,
    ) -> Result<Vec<(String, String)>, CallFailure> {
        if matches!(
            conn.state,
            ConnectionState::Deauthorized | ConnectionState::Deauthorizing
        ) {
            return Err(CallFailure::Retry(format!(
                "connection {} is {}{}",
                conn.arn,
                conn.state.as_str(),
                conn.state_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )));
        }
        Ok(match &conn.auth {
            ConnectionAuth::ApiKey { name, value } => vec![(name.clone(), value.clone())],
            ConnectionAuth::Basic { username, password } => vec![(
                "Authorization".to_owned(),
                format!(
                    "Basic {}",
                    base64(format!("{username}:{password}").as_bytes())
                ),
            )],
            ConnectionAuth::OAuth(p) => {
                vec![(
                    "Authorization".to_owned(),
                    format!("Bearer {}", self.token(conn, p)?),
                )]
            }
        })
    }

    /// The connection's access token, cached or fetched.
    fn token(&self, conn: &Connection, p: &OAuthParameters) -> Result<String, CallFailure> {
        let now = self.clock.now_millis();
        if let Some((token, expires)) = self.tokens.lock().get(&conn.arn)
            && *expires - REFRESH_BEFORE_MS > now
        {
            return Ok(token.clone());
        }
        match fetch_token(p, now) {
            TokenOutcome::Token(token, expires) => {
                self.tokens
                    .lock()
                    .insert(conn.arn.clone(), (token.clone(), expires));
                if conn.state != ConnectionState::Authorized {
                    self.set_connection_state(&conn.arn, ConnectionState::Authorized, None)
                        .map_err(|e| CallFailure::Retry(e.to_string()))?;
                }
                Ok(token)
            }
            TokenOutcome::Refused(reason) => {
                tracing::warn!(connection = %conn.arn, %reason, "OAuth client refused; connection deauthorized");
                self.set_connection_state(
                    &conn.arn,
                    ConnectionState::Deauthorized,
                    Some(reason.clone()),
                )
                .map_err(|e| CallFailure::Retry(e.to_string()))?;
                Err(CallFailure::Retry(format!(
                    "connection {} could not be authorized: {reason}",
                    conn.arn
                )))
            }
            TokenOutcome::Failed(reason) => Err(CallFailure::Retry(reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_queries() {
        assert_eq!(form_escape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        let u = HttpUrl::parse("http://h/p?x=1").unwrap_or_else(|| unreachable!());
        let q = with_query(&u, &[("scope".into(), "read write".into())]);
        assert_eq!(q.target, "/p?x=1&scope=read%20write");
    }
}
