//! HTTP/S delivery policies: the `DeliveryPolicy` attribute of topics (`{"http": {...}}`) and of
//! subscriptions, their validation, and the retry schedule they define.
//!
//! A policy has four phases after the first attempt: `numNoDelayRetries` immediate retries,
//! `numMinDelayRetries` retries `minDelayTarget` seconds apart, the backoff phase (the retries
//! left over, their delays growing from `minDelayTarget` to `maxDelayTarget` by the
//! `backoffFunction`), and `numMaxDelayRetries` retries `maxDelayTarget` apart. AWS's default is
//! 3 retries 20 s apart (linear backoff from 20 s to 20 s). AWS documents the backoff functions
//! only as a graph: here `linear` grows evenly, `arithmetic` quadratically, `geometric` fast
//! first then slowly (square root) and `exponential` by a constant factor.
//! Retries happen for any non-2xx answer or a failed connection; AWS's jitter is not applied.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::SnsError;

/// Longest a retry schedule may last (AWS's hard limit for HTTP/S).
pub const MAX_RETRY_SECONDS: u64 = 3600;
/// Content types `requestPolicy.headerContentType` may name.
const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/xml",
    "text/html",
    "text/plain",
    "text/xml",
];

/// How delays grow in the backoff phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backoff {
    Linear,
    Arithmetic,
    Geometric,
    Exponential,
}

/// The effective policy of one delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub min_delay_s: u32,
    pub max_delay_s: u32,
    pub num_retries: u32,
    pub num_no_delay_retries: u32,
    pub num_min_delay_retries: u32,
    pub num_max_delay_retries: u32,
    pub backoff: Backoff,
    /// `throttlePolicy.maxReceivesPerSecond`.
    #[serde(default)]
    pub max_receives_per_second: Option<u32>,
    /// `requestPolicy.headerContentType`.
    #[serde(default = "default_content_type")]
    pub content_type: String,
}

fn default_content_type() -> String {
    "text/plain; charset=UTF-8".to_owned()
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            min_delay_s: 20,
            max_delay_s: 20,
            num_retries: 3,
            num_no_delay_retries: 0,
            num_min_delay_retries: 0,
            num_max_delay_retries: 0,
            backoff: Backoff::Linear,
            max_receives_per_second: None,
            content_type: default_content_type(),
        }
    }
}

impl RetryPolicy {
    /// Seconds to wait before retry number `retry` (1-based); `None` past the last retry.
    pub fn delay_before(&self, retry: u32) -> Option<u64> {
        if retry == 0 || retry > self.num_retries {
            return None;
        }
        let (min, max) = (u64::from(self.min_delay_s), u64::from(self.max_delay_s));
        let mut n = retry;
        if n <= self.num_no_delay_retries {
            return Some(0);
        }
        n -= self.num_no_delay_retries;
        if n <= self.num_min_delay_retries {
            return Some(min);
        }
        n -= self.num_min_delay_retries;
        let backoff = self.num_retries.saturating_sub(
            self.num_no_delay_retries + self.num_min_delay_retries + self.num_max_delay_retries,
        );
        if n > backoff {
            return Some(max);
        }
        let t = f64::from(n) / f64::from(backoff.max(1));
        let (lo, hi) = (min as f64, max as f64);
        let d = match self.backoff {
            Backoff::Linear => lo + (hi - lo) * t,
            Backoff::Arithmetic => lo + (hi - lo) * t * t,
            Backoff::Geometric => lo + (hi - lo) * t.sqrt(),
            Backoff::Exponential => lo * (hi / lo).powf(t),
        };
        Some(d.round().clamp(lo, hi) as u64)
    }

    /// The whole schedule's length in seconds.
    pub fn total_seconds(&self) -> u64 {
        (1..=self.num_retries)
            .filter_map(|r| self.delay_before(r))
            .sum()
    }

    /// The JSON AWS reports as a subscription's `EffectiveDeliveryPolicy`.
    pub fn effective_json(&self) -> String {
        serde_json::json!({
            "healthyRetryPolicy": {
                "minDelayTarget": self.min_delay_s,
                "maxDelayTarget": self.max_delay_s,
                "numRetries": self.num_retries,
                "numMaxDelayRetries": self.num_max_delay_retries,
                "numNoDelayRetries": self.num_no_delay_retries,
                "numMinDelayRetries": self.num_min_delay_retries,
                "backoffFunction": self.backoff,
            },
            "sicklyRetryPolicy": null,
            "throttlePolicy": self.max_receives_per_second
                .map(|m| serde_json::json!({"maxReceivesPerSecond": m})),
            "requestPolicy": {"headerContentType": self.content_type},
            "guaranteed": false,
        })
        .to_string()
    }
}

fn invalid(m: impl std::fmt::Display) -> SnsError {
    SnsError::invalid(format!("Invalid parameter: DeliveryPolicy: {m}"))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, SnsError> {
    v.as_object()
        .ok_or_else(|| invalid(format!("{what} must be a JSON object")))
}

fn count(o: &Map<String, Value>, key: &str, lo: u64, hi: u64) -> Result<Option<u32>, SnsError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(Some(n as u32)),
            _ => Err(invalid(format!(
                "{key} must be an integer between {lo} and {hi}"
            ))),
        },
    }
}

/// Applies a `healthyRetryPolicy` object over `base` and checks the result.
fn retry_policy(base: &mut RetryPolicy, v: &Value) -> Result<(), SnsError> {
    let o = object(v, "healthyRetryPolicy")?;
    for k in o.keys() {
        if !matches!(
            k.as_str(),
            "minDelayTarget"
                | "maxDelayTarget"
                | "numRetries"
                | "numNoDelayRetries"
                | "numMinDelayRetries"
                | "numMaxDelayRetries"
                | "backoffFunction"
        ) {
            return Err(invalid(format!("Unrecognized property {k}")));
        }
    }
    if let Some(n) = count(o, "minDelayTarget", 1, MAX_RETRY_SECONDS)? {
        base.min_delay_s = n;
    }
    if let Some(n) = count(o, "maxDelayTarget", 1, MAX_RETRY_SECONDS)? {
        base.max_delay_s = n;
    }
    if let Some(n) = count(o, "numRetries", 0, 100)? {
        base.num_retries = n;
    }
    if let Some(n) = count(o, "numNoDelayRetries", 0, 100)? {
        base.num_no_delay_retries = n;
    }
    if let Some(n) = count(o, "numMinDelayRetries", 0, 100)? {
        base.num_min_delay_retries = n;
    }
    if let Some(n) = count(o, "numMaxDelayRetries", 0, 100)? {
        base.num_max_delay_retries = n;
    }
    if let Some(f) = o.get("backoffFunction") {
        base.backoff = serde_json::from_value(f.clone()).map_err(|_| {
            invalid("backoffFunction must be one of arithmetic, exponential, geometric, linear")
        })?;
    }
    if base.min_delay_s > base.max_delay_s {
        return Err(invalid(
            "minDelayTarget must be less than or equal to maxDelayTarget",
        ));
    }
    if base.num_no_delay_retries + base.num_min_delay_retries + base.num_max_delay_retries
        > base.num_retries
    {
        return Err(invalid(
            "numRetries must be at least the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries",
        ));
    }
    if base.total_seconds() > MAX_RETRY_SECONDS {
        return Err(invalid(format!(
            "the total retry time must not be greater than {MAX_RETRY_SECONDS} seconds"
        )));
    }
    Ok(())
}

fn throttle(base: &mut RetryPolicy, v: &Value) -> Result<(), SnsError> {
    let o = object(v, "throttlePolicy")?;
    base.max_receives_per_second = count(o, "maxReceivesPerSecond", 1, u64::from(u32::MAX))?;
    Ok(())
}

fn request(base: &mut RetryPolicy, v: &Value) -> Result<(), SnsError> {
    let o = object(v, "requestPolicy")?;
    if let Some(ct) = o.get("headerContentType") {
        let ct = ct
            .as_str()
            .ok_or_else(|| invalid("headerContentType must be a string"))?;
        let media = ct.split(';').next().unwrap_or("").trim();
        if !CONTENT_TYPES.contains(&media) {
            return Err(invalid(format!(
                "headerContentType {ct} is not one of {}",
                CONTENT_TYPES.join(", ")
            )));
        }
        base.content_type = ct.to_owned();
    }
    Ok(())
}

/// A subscription's DeliveryPolicy: `healthyRetryPolicy`, `throttlePolicy`, `requestPolicy`.
pub fn parse_subscription_policy(text: &str, base: &RetryPolicy) -> Result<RetryPolicy, SnsError> {
    let v: Value = serde_json::from_str(text).map_err(invalid)?;
    let o = object(&v, "DeliveryPolicy")?;
    let mut p = base.clone();
    for (k, v) in o {
        match k.as_str() {
            "healthyRetryPolicy" => retry_policy(&mut p, v)?,
            "throttlePolicy" => throttle(&mut p, v)?,
            "requestPolicy" => request(&mut p, v)?,
            "sicklyRetryPolicy" | "guaranteed" => {}
            other => return Err(invalid(format!("Unrecognized property {other}"))),
        }
    }
    Ok(p)
}

/// A topic's DeliveryPolicy (`{"http": {...}}`): its HTTP policy, and whether subscriptions
/// may override it.
pub fn parse_topic_policy(text: &str) -> Result<(RetryPolicy, bool), SnsError> {
    let v: Value = serde_json::from_str(text).map_err(invalid)?;
    let o = object(&v, "DeliveryPolicy")?;
    let mut p = RetryPolicy::default();
    let mut disable_overrides = false;
    for (k, v) in o {
        if k != "http" && k != "https" {
            return Err(invalid(format!(
                "delivery policies apply only to http and https, not {k}"
            )));
        }
        for (k, v) in object(v, k)? {
            match k.as_str() {
                "defaultHealthyRetryPolicy" => retry_policy(&mut p, v)?,
                "defaultThrottlePolicy" => throttle(&mut p, v)?,
                "defaultRequestPolicy" => request(&mut p, v)?,
                "disableSubscriptionOverrides" => {
                    disable_overrides = v.as_bool().ok_or_else(|| {
                        invalid("disableSubscriptionOverrides must be true or false")
                    })?;
                }
                "defaultSicklyRetryPolicy" => {}
                other => return Err(invalid(format!("Unrecognized property {other}"))),
            }
        }
    }
    Ok((p, disable_overrides))
}

/// The topic's `EffectiveDeliveryPolicy`.
pub fn topic_effective_json(p: &RetryPolicy, disable_overrides: bool) -> String {
    serde_json::json!({"http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": p.min_delay_s,
            "maxDelayTarget": p.max_delay_s,
            "numRetries": p.num_retries,
            "numMaxDelayRetries": p.num_max_delay_retries,
            "numNoDelayRetries": p.num_no_delay_retries,
            "numMinDelayRetries": p.num_min_delay_retries,
            "backoffFunction": p.backoff,
        },
        "disableSubscriptionOverrides": disable_overrides,
        "defaultRequestPolicy": {"headerContentType": p.content_type},
    }})
    .to_string()
}

/// The policy a subscription's deliveries follow: the topic's, overridden by the
/// subscription's own unless the topic disables overrides.
pub fn effective(topic_policy: Option<&str>, subscription_policy: Option<&str>) -> RetryPolicy {
    let (base, locked) = topic_policy
        .and_then(|t| parse_topic_policy(t).ok())
        .unwrap_or_default();
    match subscription_policy {
        Some(s) if !locked => parse_subscription_policy(s, &base).unwrap_or(base),
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_default_is_three_retries_twenty_seconds_apart() {
        let p = RetryPolicy::default();
        let delays: Vec<_> = (1..=4).map(|r| p.delay_before(r)).collect();
        assert_eq!(delays, vec![Some(20), Some(20), Some(20), None]);
        assert!(p.effective_json().contains("\"numRetries\":3"));
    }

    #[test]
    fn phases_in_order() {
        let p = parse_subscription_policy(
            r#"{"healthyRetryPolicy":{"numRetries":10,"numNoDelayRetries":2,"numMinDelayRetries":2,
                "numMaxDelayRetries":2,"minDelayTarget":5,"maxDelayTarget":45,"backoffFunction":"linear"}}"#,
            &RetryPolicy::default(),
        )
        .unwrap();
        let d: Vec<u64> = (1..=10).map(|r| p.delay_before(r).unwrap()).collect();
        assert_eq!(d, vec![0, 0, 5, 5, 15, 25, 35, 45, 45, 45]);
        assert_eq!(p.delay_before(11), None);
        let e = parse_subscription_policy(
            r#"{"healthyRetryPolicy":{"numRetries":4,"minDelayTarget":1,"maxDelayTarget":16,"backoffFunction":"exponential"}}"#,
            &RetryPolicy::default(),
        )
        .unwrap();
        let d: Vec<u64> = (1..=4).map(|r| e.delay_before(r).unwrap()).collect();
        assert_eq!(d, vec![2, 4, 8, 16]);
    }

    #[test]
    fn validation() {
        let base = RetryPolicy::default();
        for bad in [
            r#"{"healthyRetryPolicy":{"numRetries":101}}"#,
            r#"{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":10}}"#,
            r#"{"healthyRetryPolicy":{"maxDelayTarget":3601}}"#,
            r#"{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":3}}"#,
            r#"{"healthyRetryPolicy":{"backoffFunction":"cubic"}}"#,
            r#"{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":60,"maxDelayTarget":60}}"#,
            r#"{"throttlePolicy":{"maxReceivesPerSecond":0}}"#,
            r#"{"requestPolicy":{"headerContentType":"image/png"}}"#,
            r#"{"nope":{}}"#,
            "[]",
        ] {
            assert!(parse_subscription_policy(bad, &base).is_err(), "{bad}");
        }
        let (p, locked) = parse_topic_policy(
            r#"{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":1,"maxDelayTarget":1},"disableSubscriptionOverrides":true}}"#,
        )
        .unwrap();
        assert_eq!((p.num_retries, locked), (5, true));
        let topic = r#"{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":1,"maxDelayTarget":1}}}"#;
        let sub = r#"{"healthyRetryPolicy":{"numRetries":1}}"#;
        assert_eq!(effective(Some(topic), Some(sub)).num_retries, 1);
        assert_eq!(effective(Some(topic), None).num_retries, 5);
        assert!(parse_topic_policy(r#"{"sqs":{}}"#).is_err());
    }
}
