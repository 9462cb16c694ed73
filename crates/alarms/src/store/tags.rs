//! Tags on alarms (metric and composite): TagResource, UntagResource, ListTagsForResource, and
//! the tag rules PutMetricAlarm / PutCompositeAlarm apply to their `Tags`.
//!
//! Of CloudWatch's taggable resources (alarms and Contributor Insights rules) only alarms exist
//! here; any other ARN is a `ResourceNotFoundException`. Tags are kept in the alarm's record, so
//! a change is one transaction.

use super::*;

/// Most tags on one resource.
pub const MAX_TAGS: usize = 50;

fn invalid(m: impl Into<String>) -> AlarmsError {
    AlarmsError::InvalidParameterValue(m.into())
}

/// The characters AWS allows in tag keys and values: letters, spaces, digits and `_ . : / = + - @`.
fn tag_chars_ok(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

/// Checks tags as given to TagResource or a Put*Alarm call.
pub fn check_tags(tags: &[(String, String)]) -> Result<(), AlarmsError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "The collection Tags must not have more than {MAX_TAGS} members."
        )));
    }
    for (k, v) in tags {
        check_key(k)?;
        if v.chars().count() > 256 {
            return Err(invalid(
                "The parameter Tags.member.Value must be between 0 and 256 characters long.",
            ));
        }
        if !tag_chars_ok(v) {
            return Err(invalid(format!(
                "The tag value {v} contains characters that are not allowed."
            )));
        }
    }
    Ok(())
}

fn check_key(k: &str) -> Result<(), AlarmsError> {
    if k.is_empty() || k.chars().count() > 128 {
        return Err(invalid(
            "The parameter Tags.member.Key must be between 1 and 128 characters long.",
        ));
    }
    if !tag_chars_ok(k) {
        return Err(invalid(format!(
            "The tag key {k} contains characters that are not allowed."
        )));
    }
    if k.to_ascii_lowercase().starts_with("aws:") {
        return Err(invalid(format!(
            "The tag key {k} uses the reserved prefix aws:."
        )));
    }
    Ok(())
}

/// The alarm an ARN names in the caller's `(account, region)`.
fn alarm_of(account: &str, region: &str, arn: &str) -> Result<Key, AlarmsError> {
    if arn.is_empty() || arn.len() > 1024 {
        return Err(invalid(
            "The parameter ResourceARN must be between 1 and 1024 characters long.",
        ));
    }
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let not_found =
        || AlarmsError::ResourceNotFoundException(format!("The resource {arn} does not exist."));
    match parts[..] {
        ["arn", "aws", "cloudwatch", r, a, "alarm", name]
            if r == region && a == account && !name.is_empty() =>
        {
            Ok((account.into(), region.into(), name.into()))
        }
        ["arn", _, _, _, _, ..] => Err(not_found()),
        _ => Err(invalid(format!("Invalid ARN: {arn}"))),
    }
}

impl AlarmStore {
    /// The tags of the alarm `arn` names.
    pub fn list_tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Vec<(String, String)>, AlarmsError> {
        let key = alarm_of(account, region, arn)?;
        let inner = self.inner.read();
        if let Some(a) = inner.0.alarms.get(&key) {
            return Ok(a.tags.clone());
        }
        if let Some(a) = inner.0.composites.get(&key) {
            return Ok(a.tags.clone());
        }
        Err(AlarmsError::ResourceNotFoundException(format!(
            "The resource {arn} does not exist."
        )))
    }

    /// Applies `f` to the tags of the alarm `arn` names and stores the result (at most 50).
    fn retag(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        f: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Result<(), AlarmsError> {
        let key = alarm_of(account, region, arn)?;
        let _w = self.write.lock();
        let (metric, composite) = {
            let inner = self.inner.read();
            (
                inner.0.alarms.get(&key).cloned(),
                inner.0.composites.get(&key).cloned(),
            )
        };
        let too_many = || invalid(format!("A resource can have at most {MAX_TAGS} tags."));
        if let Some(mut a) = metric {
            f(&mut a.tags);
            if a.tags.len() > MAX_TAGS {
                return Err(too_many());
            }
            return self.store_alarm(&key, a);
        }
        if let Some(mut a) = composite {
            f(&mut a.tags);
            if a.tags.len() > MAX_TAGS {
                return Err(too_many());
            }
            return self.store_composite(&key, a);
        }
        Err(AlarmsError::ResourceNotFoundException(format!(
            "The resource {arn} does not exist."
        )))
    }

    /// TagResource: adds tags, replacing the value of keys the alarm already has.
    pub fn tag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        tags: &[(String, String)],
    ) -> Result<(), AlarmsError> {
        check_tags(tags)?;
        self.retag(account, region, arn, |current| {
            for (k, v) in tags {
                match current.iter_mut().find(|(ck, _)| ck == k) {
                    Some(slot) => slot.1.clone_from(v),
                    None => current.push((k.clone(), v.clone())),
                }
            }
        })
    }

    /// UntagResource: removes the keys (keys the alarm does not have are ignored).
    pub fn untag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<(), AlarmsError> {
        for k in keys {
            check_key(k)?;
        }
        self.retag(account, region, arn, |current| {
            current.retain(|(k, _)| !keys.contains(k));
        })
    }
}
