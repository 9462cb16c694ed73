//! The stored shapes: event buses, rules and targets (as kept in the catalog, JSON-encoded).

use serde::{Deserialize, Serialize};

/// The bus every account and region has without creating it.
pub const DEFAULT_BUS: &str = "default";

/// A tag on a bus or rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An event bus. The default bus has a record only once something about it is stored (tags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bus {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    pub created_millis: i64,
    pub modified_millis: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The resource policy (PutPermission), as JSON text.
    #[serde(default)]
    pub policy: Option<String>,
}

/// Whether a rule routes events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleState {
    Enabled,
    Disabled,
    /// Enabled, and also matches read-only CloudTrail management events (AWS's opt-in state).
    EnabledWithAllCloudTrailManagementEvents,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Enabled => "ENABLED",
            RuleState::Disabled => "DISABLED",
            RuleState::EnabledWithAllCloudTrailManagementEvents => {
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
            }
        }
    }

    pub fn parse(s: &str) -> Option<RuleState> {
        match s {
            "ENABLED" => Some(RuleState::Enabled),
            "DISABLED" => Some(RuleState::Disabled),
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => {
                Some(RuleState::EnabledWithAllCloudTrailManagementEvents)
            }
            _ => None,
        }
    }

    pub fn is_enabled(self) -> bool {
        self != RuleState::Disabled
    }
}

/// A rule on a bus, with its targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub bus: String,
    pub arn: String,
    #[serde(default)]
    pub event_pattern: Option<String>,
    #[serde(default)]
    pub schedule_expression: Option<String>,
    pub state: RuleState,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub managed_by: Option<String>,
    /// The account that created the rule.
    pub created_by: String,
    pub created_millis: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// How a target's input is derived from the matched event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTransformer {
    /// (variable, JSON path), in the order given.
    pub input_paths_map: Vec<(String, String)>,
    pub input_template: String,
}

/// A target's delivery retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub maximum_retry_attempts: Option<u32>,
    pub maximum_event_age_in_seconds: Option<u32>,
}

/// A target of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub arn: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub input: Option<String>,
    #[serde(default)]
    pub input_path: Option<String>,
    #[serde(default)]
    pub input_transformer: Option<InputTransformer>,
    #[serde(default)]
    pub retry_policy: Option<RetryPolicy>,
    /// The dead-letter queue's ARN.
    #[serde(default)]
    pub dead_letter_arn: Option<String>,
}

/// A page of a List operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Paging parameters of a List operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// An archive of a bus's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    pub name: String,
    pub arn: String,
    /// The ARN of the bus whose events are archived.
    pub event_source_arn: String,
    /// The bus's name (same account and region as the archive).
    pub bus: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub event_pattern: Option<String>,
    /// Days events are kept; 0 keeps them indefinitely.
    pub retention_days: u32,
    pub created_millis: i64,
}

/// Where a replay is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplayState {
    Starting,
    Running,
    Cancelling,
    Completed,
    Cancelled,
    Failed,
}

impl ReplayState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayState::Starting => "STARTING",
            ReplayState::Running => "RUNNING",
            ReplayState::Cancelling => "CANCELLING",
            ReplayState::Completed => "COMPLETED",
            ReplayState::Cancelled => "CANCELLED",
            ReplayState::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<ReplayState> {
        [
            ReplayState::Starting,
            ReplayState::Running,
            ReplayState::Cancelling,
            ReplayState::Completed,
            ReplayState::Cancelled,
            ReplayState::Failed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A replay of archived events onto their bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The archive's ARN.
    pub event_source_arn: String,
    pub archive: String,
    /// The destination bus's ARN and the rules (ARNs) to replay to; empty means every rule.
    pub destination_arn: String,
    pub filter_arns: Vec<String>,
    pub event_start_millis: i64,
    pub event_end_millis: i64,
    pub state: ReplayState,
    #[serde(default)]
    pub state_reason: Option<String>,
    pub replay_start_millis: i64,
    #[serde(default)]
    pub replay_end_millis: Option<i64>,
    #[serde(default)]
    pub event_last_replayed_millis: Option<i64>,
}

/// One key/value of a connection's HTTP parameters; a secret value is never described.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpParameter {
    pub key: String,
    pub value: String,
    pub secret: bool,
}

impl std::fmt::Debug for HttpParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("HttpParameter");
        d.field("key", &self.key);
        if !self.secret {
            d.field("value", &self.value);
        }
        d.finish_non_exhaustive()
    }
}

/// ConnectionHttpParameters: headers, query-string and body parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpParameters {
    #[serde(default)]
    pub headers: Vec<HttpParameter>,
    #[serde(default)]
    pub query: Vec<HttpParameter>,
    #[serde(default)]
    pub body: Vec<HttpParameter>,
}

impl HttpParameters {
    /// The same parameters with secret values blanked (what DeauthorizeConnection keeps).
    pub fn without_secrets(&self) -> HttpParameters {
        let strip = |v: &[HttpParameter]| {
            v.iter()
                .map(|p| HttpParameter {
                    value: if p.secret {
                        String::new()
                    } else {
                        p.value.clone()
                    },
                    ..p.clone()
                })
                .collect()
        };
        HttpParameters {
            headers: strip(&self.headers),
            query: strip(&self.query),
            body: strip(&self.body),
        }
    }
}

/// OAuth client-credentials parameters of a connection.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthParameters {
    /// The token endpoint (`http://` or `https://`).
    pub authorization_endpoint: String,
    /// GET, POST or PUT.
    pub http_method: String,
    pub client_id: String,
    pub client_secret: String,
    /// Extra parameters sent to the authorization endpoint.
    #[serde(default)]
    pub http_parameters: HttpParameters,
}

impl std::fmt::Debug for OAuthParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthParameters")
            .field("authorization_endpoint", &self.authorization_endpoint)
            .field("http_method", &self.http_method)
            .field("client_id", &self.client_id)
            .field("http_parameters", &self.http_parameters)
            .finish_non_exhaustive()
    }
}

/// How a connection authorizes calls to its API destinations. `Debug` omits the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionAuth {
    /// A header `name: value` on every call.
    ApiKey { name: String, value: String },
    /// `Authorization: Basic …`.
    Basic { username: String, password: String },
    /// `Authorization: Bearer <token>`, the token fetched with the client-credentials grant.
    OAuth(OAuthParameters),
}

impl std::fmt::Debug for ConnectionAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectionAuth::ApiKey { name, .. } => f
                .debug_struct("ApiKey")
                .field("name", name)
                .finish_non_exhaustive(),
            ConnectionAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
            ConnectionAuth::OAuth(p) => p.fmt(f),
        }
    }
}

impl ConnectionAuth {
    /// AWS's AuthorizationType.
    pub fn kind(&self) -> &'static str {
        match self {
            ConnectionAuth::ApiKey { .. } => "API_KEY",
            ConnectionAuth::Basic { .. } => "BASIC",
            ConnectionAuth::OAuth(_) => "OAUTH_CLIENT_CREDENTIALS",
        }
    }

    /// The same parameters with every secret removed (DeauthorizeConnection).
    pub fn without_secrets(&self) -> ConnectionAuth {
        match self {
            ConnectionAuth::ApiKey { name, .. } => ConnectionAuth::ApiKey {
                name: name.clone(),
                value: String::new(),
            },
            ConnectionAuth::Basic { username, .. } => ConnectionAuth::Basic {
                username: username.clone(),
                password: String::new(),
            },
            ConnectionAuth::OAuth(p) => ConnectionAuth::OAuth(OAuthParameters {
                client_secret: String::new(),
                http_parameters: p.http_parameters.without_secrets(),
                ..p.clone()
            }),
        }
    }
}

/// A connection's state, as AWS names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectionState {
    Creating,
    Updating,
    Deleting,
    #[default]
    Authorized,
    Deauthorized,
    Authorizing,
    Deauthorizing,
}

impl ConnectionState {
    /// AWS's ConnectionState value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Creating => "CREATING",
            ConnectionState::Updating => "UPDATING",
            ConnectionState::Deleting => "DELETING",
            ConnectionState::Authorized => "AUTHORIZED",
            ConnectionState::Deauthorized => "DEAUTHORIZED",
            ConnectionState::Authorizing => "AUTHORIZING",
            ConnectionState::Deauthorizing => "DEAUTHORIZING",
        }
    }
}

/// A connection: the credentials API destinations call with. Secrets never leave the domain
/// except in the calls themselves.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    pub auth: ConnectionAuth,
    /// Records written before states existed were all authorized.
    #[serde(default)]
    pub state: ConnectionState,
    #[serde(default)]
    pub state_reason: Option<String>,
    pub created_millis: i64,
    pub modified_millis: i64,
    #[serde(default)]
    pub last_authorized_millis: Option<i64>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("arn", &self.arn)
            .field("authorization_type", &self.auth.kind())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// An API destination: an HTTP endpoint rules can target through a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiDestination {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    pub invocation_rate_limit_per_second: u32,
    pub created_millis: i64,
    pub modified_millis: i64,
}

/// The state of a partner event source, as AWS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventSourceState {
    /// Created by the partner; no partner bus receives it (or it was deactivated).
    Pending,
    /// A partner bus of the customer account receives its events.
    Active,
}

impl EventSourceState {
    /// AWS's EventSourceState value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventSourceState::Pending => "PENDING",
            EventSourceState::Active => "ACTIVE",
        }
    }
}

/// A partner event source: created by a partner account for one customer account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSource {
    /// `aws.partner/<partner>/<...>`.
    pub name: String,
    pub arn: String,
    /// The customer account the source is for.
    pub account: String,
    /// The partner account that created it.
    pub partner_account: String,
    pub state: EventSourceState,
    pub created_millis: i64,
}

impl PartnerSource {
    /// The partner's name: the segment after `aws.partner/` (AWS's CreatedBy).
    pub fn created_by(&self) -> &str {
        self.name
            .strip_prefix("aws.partner/")
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
    }
}
