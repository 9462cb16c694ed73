//! The CloudTrail record: what the request pipeline hands in (`RecordInput`) and the stored record
//! (`CloudTrailRecord`) serialized exactly as CloudTrail writes it.
//!
//! Field names and order follow "CloudTrail record contents for management, data, and network
//! activity events" (AWS CloudTrail User Guide), whose current `eventVersion` is 1.11. Optional
//! fields are omitted when they do not apply, as CloudTrail does; `requestParameters` and
//! `responseElements` are always present and `null` when there are none.

use serde::Serialize;
use serde_json::Value;

/// The `eventVersion` this build writes (current version per the CloudTrail User Guide).
pub const EVENT_VERSION: &str = "1.11";
/// `eventType` of a record of an API call.
pub const EVENT_TYPE_API_CALL: &str = "AwsApiCall";
/// `eventCategory` of management events (the only category recorded today).
pub const EVENT_CATEGORY_MANAGEMENT: &str = "Management";
/// `userIdentity.type` of the account's root user.
pub const IDENTITY_TYPE_ROOT: &str = "Root";
/// The LookupEvents `Username` CloudTrail shows for calls made by the root user.
pub const ROOT_USERNAME: &str = "root";

/// Who made the call (`userIdentity`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserIdentity {
    /// `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSAccount`, `AWSService`…
    pub type_: String,
    pub principal_id: String,
    pub arn: String,
    pub account_id: String,
    /// Empty when no access key was used (the field is then omitted).
    pub access_key_id: String,
    /// The IAM user name (`IAMUser` identities).
    pub user_name: Option<String>,
    /// `sessionContext` for temporary credentials, written verbatim when present.
    pub session_context: Option<Value>,
}

impl UserIdentity {
    /// The LookupEvents `Username` of this identity: `root` for the root user, the IAM user name
    /// for IAM users, the role session name for assumed roles, else the user name if any.
    pub fn lookup_username(&self) -> Option<&str> {
        if self.type_ == IDENTITY_TYPE_ROOT {
            return Some(ROOT_USERNAME);
        }
        if let Some(name) = self.user_name.as_deref().filter(|n| !n.is_empty()) {
            return Some(name);
        }
        match self.type_.as_str() {
            // arn:aws:sts::123456789012:assumed-role/RoleName/session-name
            "IAMUser" | "AssumedRole" | "FederatedUser" => {
                self.arn.rsplit(['/', ':']).next().filter(|s| !s.is_empty())
            }
            _ => None,
        }
    }
}

/// One resource the call touched (`resources[]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub arn: String,
    /// Empty when unknown (the field is then omitted).
    pub account_id: String,
    /// CloudFormation-style type, e.g. `AWS::Logs::LogGroup`.
    pub type_: String,
}

impl Resource {
    /// The short name of the resource: the ARN's resource part after its type prefix
    /// (`arn:aws:logs:…:log-group:app` → `app`, `arn:aws:iam::…:user/bob` → `bob`).
    /// LookupEvents matches `ResourceName` against the full ARN and against this name.
    pub fn short_name(&self) -> &str {
        resource_short_name(&self.arn)
    }
}

/// The short name of the resource an ARN names (see [`Resource::short_name`]).
pub fn resource_short_name(arn: &str) -> &str {
    // The resource part is everything after the fifth ':'.
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    match resource.split_once(['/', ':']) {
        Some((_, rest)) if !rest.is_empty() => rest,
        _ => resource,
    }
}

/// `tlsDetails` (CloudTrail omits it for calls that did not use TLS).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TlsDetails {
    pub tls_version: String,
    pub cipher_suite: String,
    pub client_provided_host_header: String,
}

/// Everything the request pipeline knows about one API call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordInput {
    /// When the request completed, in milliseconds since the Unix epoch.
    pub event_time_millis: i64,
    /// `monitoring.amazonaws.com`, `logs.amazonaws.com`, `sts.amazonaws.com`, …
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    pub source_ip: String,
    pub user_agent: String,
    pub identity: UserIdentity,
    /// `None` is written as `null`, as CloudTrail does.
    pub request_parameters: Option<Value>,
    pub response_elements: Option<Value>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: String,
    pub read_only: bool,
    pub resources: Vec<Resource>,
    /// The account whose event history holds the record.
    pub recipient_account_id: String,
    pub api_version: Option<String>,
    pub tls_details: Option<TlsDetails>,
}

/// A stored record: the input plus the `eventID` the trail assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailRecord {
    pub event_id: String,
    pub input: RecordInput,
}

impl CloudTrailRecord {
    /// A record with a fresh UUID v4 event id.
    pub fn new(input: RecordInput) -> Self {
        CloudTrailRecord {
            event_id: new_event_id(),
            input,
        }
    }

    /// The record as CloudTrail writes it: the `CloudTrailEvent` string LookupEvents returns.
    pub fn to_cloudtrail_json(&self) -> String {
        let mut out = Vec::with_capacity(768);
        self.write_cloudtrail_json(&mut out);
        // serde_json writes only valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the CloudTrail JSON to `out`.
    pub fn write_cloudtrail_json(&self, out: &mut Vec<u8>) {
        let i = &self.input;
        let time = format_event_time(i.event_time_millis);
        let resources: Vec<ResourceJson<'_>> = i
            .resources
            .iter()
            .map(|r| ResourceJson {
                arn: &r.arn,
                account_id: non_empty(&r.account_id),
                type_: non_empty(&r.type_),
            })
            .collect();
        let json = EventJson {
            event_version: EVENT_VERSION,
            user_identity: IdentityJson {
                type_: &i.identity.type_,
                principal_id: &i.identity.principal_id,
                arn: &i.identity.arn,
                account_id: &i.identity.account_id,
                access_key_id: non_empty(&i.identity.access_key_id),
                user_name: i.identity.user_name.as_deref(),
                session_context: i.identity.session_context.as_ref(),
            },
            event_time: &time,
            event_source: &i.event_source,
            event_name: &i.event_name,
            aws_region: &i.aws_region,
            source_ip_address: &i.source_ip,
            user_agent: &i.user_agent,
            error_code: i.error_code.as_deref(),
            error_message: i.error_message.as_deref(),
            request_parameters: i.request_parameters.as_ref(),
            response_elements: i.response_elements.as_ref(),
            request_id: &i.request_id,
            event_id: &self.event_id,
            read_only: i.read_only,
            resources,
            event_type: EVENT_TYPE_API_CALL,
            api_version: i.api_version.as_deref(),
            management_event: true,
            recipient_account_id: &i.recipient_account_id,
            event_category: EVENT_CATEGORY_MANAGEMENT,
            tls_details: i.tls_details.as_ref().map(|t| TlsJson {
                tls_version: &t.tls_version,
                cipher_suite: &t.cipher_suite,
                client_provided_host_header: &t.client_provided_host_header,
            }),
        };
        // Serializing borrowed strings and `Value`s into a Vec cannot fail.
        if let Err(e) = serde_json::to_writer(&mut *out, &json) {
            tracing::error!(error = %e, "serializing a CloudTrail record failed");
        }
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A new `eventID`: a random (version 4) UUID, lower-case and hyphenated.
pub fn new_event_id() -> String {
    let bytes: [u8; 16] = rand::random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Formats epoch milliseconds as CloudTrail's `eventTime`: ISO 8601 UTC, second precision
/// (`2026-11-28T12:00:00Z`). Times before 1970 or after 9999 are clamped to those bounds.
pub fn format_event_time(millis: i64) -> String {
    const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let secs = millis.div_euclid(1000).clamp(0, MAX_SECS);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[derive(Serialize)]
struct EventJson<'a> {
    #[serde(rename = "eventVersion")]
    event_version: &'static str,
    #[serde(rename = "userIdentity")]
    user_identity: IdentityJson<'a>,
    #[serde(rename = "eventTime")]
    event_time: &'a str,
    #[serde(rename = "eventSource")]
    event_source: &'a str,
    #[serde(rename = "eventName")]
    event_name: &'a str,
    #[serde(rename = "awsRegion")]
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    #[serde(rename = "userAgent")]
    user_agent: &'a str,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(rename = "errorMessage", skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    #[serde(rename = "requestParameters")]
    request_parameters: Option<&'a Value>,
    #[serde(rename = "responseElements")]
    response_elements: Option<&'a Value>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    #[serde(rename = "readOnly")]
    read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<ResourceJson<'a>>,
    #[serde(rename = "eventType")]
    event_type: &'static str,
    #[serde(rename = "apiVersion", skip_serializing_if = "Option::is_none")]
    api_version: Option<&'a str>,
    #[serde(rename = "managementEvent")]
    management_event: bool,
    #[serde(rename = "recipientAccountId")]
    recipient_account_id: &'a str,
    #[serde(rename = "eventCategory")]
    event_category: &'static str,
    #[serde(rename = "tlsDetails", skip_serializing_if = "Option::is_none")]
    tls_details: Option<TlsJson<'a>>,
}

#[derive(Serialize)]
struct IdentityJson<'a> {
    #[serde(rename = "type")]
    type_: &'a str,
    #[serde(rename = "principalId")]
    principal_id: &'a str,
    arn: &'a str,
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "accessKeyId", skip_serializing_if = "Option::is_none")]
    access_key_id: Option<&'a str>,
    #[serde(rename = "userName", skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(rename = "sessionContext", skip_serializing_if = "Option::is_none")]
    session_context: Option<&'a Value>,
}

#[derive(Serialize)]
struct ResourceJson<'a> {
    #[serde(rename = "ARN")]
    arn: &'a str,
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    type_: Option<&'a str>,
}

#[derive(Serialize)]
struct TlsJson<'a> {
    #[serde(rename = "tlsVersion")]
    tls_version: &'a str,
    #[serde(rename = "cipherSuite")]
    cipher_suite: &'a str,
    #[serde(rename = "clientProvidedHostHeader")]
    client_provided_host_header: &'a str,
}
