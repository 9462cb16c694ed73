//! LookupEvents, typed: the query, its validation with CloudTrail's errors, opaque pagination
//! tokens, and the page of events (newest first) read from the log through the index.
//!
//! Per the CloudTrail API reference: at most one lookup attribute, whose key is one of
//! `EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId`
//! and whose value is matched exactly; `MaxResults` 1–50, default 50; events of the last 90 days
//! only; `EventCategory` may only be `insight`.

use openwatch_storage::WalError;
use openwatch_storage::wal::Position;
use parking_lot::RwLock;

use crate::error::LookupError;
use crate::retention::retention_floor;
use crate::store::RecordLog;
use crate::store::codec;
use crate::store::index::{AttrKey, Filter, Index, hash_event_id};

/// Largest `MaxResults` LookupEvents accepts (and the default).
pub const LOOKUP_MAX_RESULTS: i32 = 50;
/// Longest `AttributeValue` (API reference: 1–2000 characters).
pub const LOOKUP_ATTRIBUTE_VALUE_MAX_LEN: usize = 2000;
/// Most lookup attributes per request.
pub const LOOKUP_MAX_ATTRIBUTES: usize = 1;
/// The only `EventCategory` value LookupEvents accepts.
pub const EVENT_CATEGORY_INSIGHT: &str = "insight";

/// A LookupEvents `AttributeKey`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupAttributeKey {
    EventId,
    EventName,
    ReadOnly,
    Username,
    ResourceType,
    ResourceName,
    EventSource,
    AccessKeyId,
}

impl LookupAttributeKey {
    /// Every key, in the API reference's order.
    pub const ALL: [LookupAttributeKey; 8] = [
        LookupAttributeKey::EventId,
        LookupAttributeKey::EventName,
        LookupAttributeKey::ReadOnly,
        LookupAttributeKey::Username,
        LookupAttributeKey::ResourceType,
        LookupAttributeKey::ResourceName,
        LookupAttributeKey::EventSource,
        LookupAttributeKey::AccessKeyId,
    ];

    /// The wire name (`EventName`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LookupAttributeKey::EventId => "EventId",
            LookupAttributeKey::EventName => "EventName",
            LookupAttributeKey::ReadOnly => "ReadOnly",
            LookupAttributeKey::Username => "Username",
            LookupAttributeKey::ResourceType => "ResourceType",
            LookupAttributeKey::ResourceName => "ResourceName",
            LookupAttributeKey::EventSource => "EventSource",
            LookupAttributeKey::AccessKeyId => "AccessKeyId",
        }
    }

    /// Parses a wire name (exact, case-sensitive, as the API's enum is).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn posting_key(self) -> Option<AttrKey> {
        Some(match self {
            LookupAttributeKey::EventId => return None,
            LookupAttributeKey::EventName => AttrKey::EventName,
            LookupAttributeKey::ReadOnly => AttrKey::ReadOnly,
            LookupAttributeKey::Username => AttrKey::Username,
            LookupAttributeKey::ResourceType => AttrKey::ResourceType,
            LookupAttributeKey::ResourceName => AttrKey::ResourceName,
            LookupAttributeKey::EventSource => AttrKey::EventSource,
            LookupAttributeKey::AccessKeyId => AttrKey::AccessKeyId,
        })
    }
}

/// A LookupEvents request, without the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupQuery {
    /// `(AttributeKey, AttributeValue)` pairs; at most one is allowed.
    pub lookup_attributes: Vec<(String, String)>,
    /// Epoch milliseconds, inclusive.
    pub start_time: Option<i64>,
    /// Epoch milliseconds, inclusive.
    pub end_time: Option<i64>,
    pub event_category: Option<String>,
    pub max_results: Option<i32>,
    pub next_token: Option<String>,
}

/// One event of a LookupEvents page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupEvent {
    pub event_id: String,
    pub event_name: String,
    /// `"true"` or `"false"`, as the API returns it.
    pub read_only: String,
    pub access_key_id: Option<String>,
    /// Epoch milliseconds, whole seconds (CloudTrail's precision).
    pub event_time_millis: i64,
    pub event_source: String,
    pub username: Option<String>,
    /// `(ResourceType, ResourceName)`; the name is the resource's ARN.
    pub resources: Vec<(String, String)>,
    /// The record as CloudTrail writes it (JSON).
    pub cloudtrail_event: String,
}

/// A page of events, newest first, and the token of the next page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupPage {
    pub events: Vec<LookupEvent>,
    pub next_token: Option<String>,
}

/// A validated query.
#[derive(Debug)]
pub(crate) struct Plan {
    attribute: Option<(LookupAttributeKey, String)>,
    start: i64,
    end: i64,
    limit: usize,
    before: Option<Position>,
    fingerprint: u64,
    insight: bool,
}

pub(crate) fn validate(
    account: &str,
    region: &str,
    q: &LookupQuery,
    now: i64,
) -> Result<Plan, LookupError> {
    if q.lookup_attributes.len() > LOOKUP_MAX_ATTRIBUTES {
        return Err(LookupError::InvalidLookupAttributes(format!(
            "You can specify only {LOOKUP_MAX_ATTRIBUTES} lookup attribute; {} were specified.",
            q.lookup_attributes.len()
        )));
    }
    let attribute = match q.lookup_attributes.first() {
        None => None,
        Some((key, value)) => {
            let k = LookupAttributeKey::parse(key).ok_or_else(|| {
                LookupError::InvalidLookupAttributes(format!(
                    "Invalid AttributeKey '{key}'. Valid keys are: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId."
                ))
            })?;
            if value.is_empty() || value.chars().count() > LOOKUP_ATTRIBUTE_VALUE_MAX_LEN {
                return Err(LookupError::InvalidLookupAttributes(format!(
                    "The AttributeValue for {key} must be 1 to {LOOKUP_ATTRIBUTE_VALUE_MAX_LEN} characters long."
                )));
            }
            Some((k, value.clone()))
        }
    };
    if let (Some(s), Some(e)) = (q.start_time, q.end_time)
        && s > e
    {
        return Err(LookupError::InvalidTimeRange(
            "Start time must be before end time.".into(),
        ));
    }
    let limit = match q.max_results {
        None => LOOKUP_MAX_RESULTS,
        Some(n) if (1..=LOOKUP_MAX_RESULTS).contains(&n) => n,
        Some(n) => {
            return Err(LookupError::InvalidMaxResults(format!(
                "MaxResults must be between 1 and {LOOKUP_MAX_RESULTS}; {n} was specified."
            )));
        }
    };
    let insight = match q.event_category.as_deref() {
        None => false,
        Some(EVENT_CATEGORY_INSIGHT) => true,
        Some(other) => {
            return Err(LookupError::InvalidEventCategory(format!(
                "Invalid EventCategory '{other}'. The only valid value is 'insight'."
            )));
        }
    };
    let fingerprint = fingerprint(account, region, q);
    let before = q
        .next_token
        .as_deref()
        .map(|t| decode_token(t, fingerprint))
        .transpose()?;
    let floor = retention_floor(now);
    Ok(Plan {
        attribute,
        start: q.start_time.unwrap_or(floor).max(floor),
        end: q.end_time.unwrap_or(i64::MAX),
        limit: usize::try_from(limit).unwrap_or(50),
        before,
        fingerprint,
        insight,
    })
}

/// Identifies the parameters a token belongs to (MaxResults may change between pages).
fn fingerprint(account: &str, region: &str, q: &LookupQuery) -> u64 {
    let mut s = String::with_capacity(128);
    for part in [account, region] {
        s.push_str(part);
        s.push('\u{0}');
    }
    for (k, v) in &q.lookup_attributes {
        s.push_str(k);
        s.push('\u{1}');
        s.push_str(v);
        s.push('\u{0}');
    }
    s.push_str(&format!(
        "{:?}\u{0}{:?}\u{0}{:?}",
        q.start_time, q.end_time, q.event_category
    ));
    hash_event_id(&s)
}

const TOKEN_VERSION: u8 = 1;
const TOKEN_BYTES: usize = 1 + 8 + 8 + 8;

/// A token naming the last record returned: version, segment, offset, query fingerprint (hex).
pub(crate) fn encode_token(pos: Position, fingerprint: u64) -> String {
    let mut bytes = Vec::with_capacity(TOKEN_BYTES);
    bytes.push(TOKEN_VERSION);
    bytes.extend_from_slice(&pos.segment.to_be_bytes());
    bytes.extend_from_slice(&pos.offset.to_be_bytes());
    bytes.extend_from_slice(&fingerprint.to_be_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn decode_token(token: &str, fingerprint: u64) -> Result<Position, LookupError> {
    let invalid = || LookupError::InvalidNextToken("Invalid NextToken.".into());
    if token.len() != TOKEN_BYTES * 2 || !token.is_ascii() {
        return Err(invalid());
    }
    let mut bytes = [0u8; TOKEN_BYTES];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&token[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
    }
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_be_bytes(w)
    };
    if bytes[0] != TOKEN_VERSION {
        return Err(invalid());
    }
    if word(17) != fingerprint {
        return Err(LookupError::InvalidNextToken(
            "The NextToken was issued for a request with different parameters.".into(),
        ));
    }
    Ok(Position {
        segment: word(1),
        offset: word(9),
    })
}

/// Runs LookupEvents for (account, region) at time `now`.
pub(crate) fn lookup(
    index: &RwLock<Index>,
    log: &dyn RecordLog,
    account: &str,
    region: &str,
    query: &LookupQuery,
    now: i64,
) -> Result<LookupPage, LookupError> {
    let plan = validate(account, region, query, now)?;
    if plan.insight || plan.start > plan.end {
        // Insights events are not produced yet; an all-expired range holds nothing.
        return Ok(LookupPage::default());
    }
    let (positions, more) = {
        let idx = index.read();
        let Some(part) = idx.partition(account, region) else {
            return Ok(LookupPage::default());
        };
        let filter = match &plan.attribute {
            None => Filter::All,
            Some((LookupAttributeKey::EventId, v)) => Filter::EventId(hash_event_id(v)),
            Some((k, v)) => match (k.posting_key(), idx.value_id(v)) {
                (Some(key), Some(id)) => Filter::Posting(key, id),
                _ => Filter::Nothing,
            },
        };
        part.scan(filter, plan.start, plan.end, plan.before, plan.limit)
    };
    let mut events = Vec::with_capacity(positions.len());
    for (pos, read) in positions.iter().zip(log.read_many(&positions)) {
        let bytes = match read {
            Ok(b) => b,
            // Deleted by retention since the index was read: expired, so not returned.
            Err(WalError::SegmentNotFound { .. }) => continue,
            Err(e) => return Err(LookupError::Internal(format!("reading the audit log: {e}"))),
        };
        let rec = match codec::decode(&bytes) {
            Ok(r) => r,
            Err(reason) => {
                tracing::warn!(position = %pos, reason, "skipping an undecodable audit record");
                continue;
            }
        };
        if let Some((LookupAttributeKey::EventId, id)) = &plan.attribute
            && rec.event_id != id
        {
            continue; // a 64-bit hash collision
        }
        events.push(LookupEvent {
            event_id: rec.event_id.to_owned(),
            event_name: rec.event_name.to_owned(),
            read_only: if rec.read_only { "true" } else { "false" }.to_owned(),
            access_key_id: rec.access_key_id.map(str::to_owned),
            event_time_millis: crate::store::index::index_time(rec.time_millis),
            event_source: rec.event_source.to_owned(),
            username: rec.username.map(str::to_owned),
            resources: rec
                .resources
                .iter()
                .map(|(t, n)| ((*t).to_owned(), (*n).to_owned()))
                .collect(),
            cloudtrail_event: rec.json.to_owned(),
        });
    }
    let next_token = match positions.last() {
        Some(last) if more => Some(encode_token(*last, plan.fingerprint)),
        _ => None,
    };
    Ok(LookupPage { events, next_token })
}
