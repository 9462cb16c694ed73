//! Name, ARN and paging-token rules: what EventBridge accepts for bus names, rule names, target ids
//! and the resource ARNs that name them.

use crate::error::EventsError;
use crate::limits::{MAX_BUS_NAME, MAX_LIST_LIMIT, MAX_RULE_NAME, MAX_TARGET_ID};
use crate::model::DEFAULT_BUS;

const NAME_PATTERN: &str = "[\\.\\-_A-Za-z0-9]+";
const BUS_NAME_PATTERN: &str = "[/\\.\\-_A-Za-z0-9]+";

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn check_name(
    value: &str,
    member: &str,
    max: usize,
    pattern: &str,
    slash: bool,
) -> Result<(), EventsError> {
    let len = value.chars().count();
    if len == 0 {
        return Err(EventsError::constraint(
            value,
            member,
            "Member must have length greater than or equal to 1",
        ));
    }
    if len > max {
        return Err(EventsError::constraint(
            value,
            member,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    if !value
        .chars()
        .all(|c| is_name_char(c) || (slash && c == '/'))
    {
        return Err(EventsError::constraint(
            value,
            member,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ));
    }
    Ok(())
}

/// A name of `[.\-_A-Za-z0-9]` of 1 to `max` characters, with the one-message length check
/// archives, replays, connections and API destinations use ("between 1 and {max}").
pub(crate) fn check_simple_name(name: &str, member: &str, max: usize) -> Result<(), EventsError> {
    let n = name.chars().count();
    if n == 0 || n > max {
        return Err(EventsError::constraint(
            name,
            member,
            &format!("Member must have length between 1 and {max}"),
        ));
    }
    if !name.chars().all(is_name_char) {
        return Err(EventsError::constraint(
            name,
            member,
            &format!("Member must satisfy regular expression pattern: {NAME_PATTERN}"),
        ));
    }
    Ok(())
}

/// A rule name: 1–64 of `[.\-_A-Za-z0-9]`.
pub fn check_rule_name(name: &str) -> Result<(), EventsError> {
    check_name(name, "name", MAX_RULE_NAME, NAME_PATTERN, false)
}

/// A target id: 1–64 of `[.\-_A-Za-z0-9]`.
pub fn check_target_id(id: &str, member: &str) -> Result<(), EventsError> {
    check_name(id, member, MAX_TARGET_ID, NAME_PATTERN, false)
}

/// The name of a bus to create: 1–256 of `[/.\-_A-Za-z0-9]`, without `/` (which only partner
/// event sources may use).
pub fn check_new_bus_name(name: &str) -> Result<(), EventsError> {
    check_name(name, "name", MAX_BUS_NAME, BUS_NAME_PATTERN, true)?;
    if name.contains('/') {
        return Err(EventsError::Validation(
            "Event bus name must not contain '/'.".to_owned(),
        ));
    }
    Ok(())
}

/// The ARN of a bus.
pub fn bus_arn(account: &str, region: &str, bus: &str) -> String {
    format!("arn:aws:events:{region}:{account}:event-bus/{bus}")
}

/// The ARN of a rule (`rule/name` on the default bus, `rule/bus/name` elsewhere).
pub fn rule_arn(account: &str, region: &str, bus: &str, rule: &str) -> String {
    if bus == DEFAULT_BUS {
        format!("arn:aws:events:{region}:{account}:rule/{rule}")
    } else {
        format!("arn:aws:events:{region}:{account}:rule/{bus}/{rule}")
    }
}

/// The parts of an `arn:aws:events:` ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsArn {
    pub region: String,
    pub account: String,
    pub resource: EventsResource,
}

/// What an events ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsResource {
    Bus(String),
    Rule { bus: String, name: String },
}

/// Parses an events bus or rule ARN.
pub fn parse_arn(arn: &str) -> Option<EventsArn> {
    let rest = arn.strip_prefix("arn:aws:events:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if region.is_empty() || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let resource = if let Some(bus) = resource.strip_prefix("event-bus/") {
        if bus.is_empty() {
            return None;
        }
        EventsResource::Bus(bus.to_owned())
    } else if let Some(rule) = resource.strip_prefix("rule/") {
        match rule.split_once('/') {
            Some((bus, name)) if !bus.is_empty() && !name.is_empty() => EventsResource::Rule {
                bus: bus.to_owned(),
                name: name.to_owned(),
            },
            Some(_) => return None,
            None if !rule.is_empty() => EventsResource::Rule {
                bus: DEFAULT_BUS.to_owned(),
                name: rule.to_owned(),
            },
            None => return None,
        }
    } else {
        return None;
    };
    Some(EventsArn {
        region: region.to_owned(),
        account: account.to_owned(),
        resource,
    })
}

/// Resolves an `EventBusName` member (a name or a bus ARN; absent means `default`) to a bus name
/// in the caller's account and region.
pub fn resolve_bus(
    account: &str,
    region: &str,
    given: Option<&str>,
) -> Result<String, EventsError> {
    let Some(given) = given else {
        return Ok(DEFAULT_BUS.to_owned());
    };
    if given.starts_with("arn:") {
        return match parse_arn(given) {
            Some(EventsArn {
                region: r,
                account: a,
                resource: EventsResource::Bus(name),
            }) => {
                if a != account || r != region {
                    Err(EventsError::Validation(format!(
                        "Event bus {given} is in another account or region; cross-account and cross-region access by ARN is not supported by this server."
                    )))
                } else {
                    Ok(name)
                }
            }
            _ => Err(EventsError::Validation(format!(
                "Parameter {given} is not valid. Reason: Provided Arn is not in correct format."
            ))),
        };
    }
    check_name(given, "eventBusName", MAX_BUS_NAME, BUS_NAME_PATTERN, true)?;
    Ok(given.to_owned())
}

/// Resolves PutEvents' `EventBusName`, which may name another account's bus by ARN (in the
/// request's region); returns `(owner account, bus name)`.
pub fn resolve_bus_anywhere(
    account: &str,
    region: &str,
    given: Option<&str>,
) -> Result<(String, String), EventsError> {
    if let Some(arn) = given.filter(|g| g.starts_with("arn:"))
        && let Some(EventsArn {
            region: r,
            account: a,
            resource: EventsResource::Bus(name),
        }) = parse_arn(arn)
        && r == region
    {
        return Ok((a, name));
    }
    resolve_bus(account, region, given).map(|b| (account.to_owned(), b))
}

/// Validates `Limit`; returns the page size.
pub fn page_size(limit: Option<i32>) -> Result<usize, EventsError> {
    match limit {
        None => Ok(MAX_LIST_LIMIT as usize),
        Some(n) if (1..=MAX_LIST_LIMIT).contains(&n) => Ok(n as usize),
        Some(n) if n < 1 => Err(EventsError::constraint(
            &n.to_string(),
            "limit",
            "Member must have value greater than or equal to 1",
        )),
        Some(n) => Err(EventsError::constraint(
            &n.to_string(),
            "limit",
            &format!("Member must have value less than or equal to {MAX_LIST_LIMIT}"),
        )),
    }
}

/// Encodes the key a next page starts at.
pub fn encode_token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a token from [`encode_token`].
pub fn decode_token(token: Option<&str>) -> Result<Option<String>, EventsError> {
    let Some(token) = token else { return Ok(None) };
    let invalid = || EventsError::Validation("The NextToken provided is invalid.".to_owned());
    if token.len() % 2 != 0 || token.is_empty() {
        return Err(invalid());
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let bytes = bytes.ok_or_else(invalid)?;
    String::from_utf8(bytes).map(Some).map_err(|_| invalid())
}

/// The entries of an `(account, region, name)`-keyed map in one account and region whose name
/// starts with `prefix` (when given), in name order: what a List operation pages through.
pub(crate) fn in_scope<'a, V>(
    map: &'a std::collections::BTreeMap<crate::store::NameKey, V>,
    account: &'a str,
    region: &'a str,
    prefix: Option<&'a str>,
) -> impl Iterator<Item = (&'a crate::store::NameKey, &'a V)> + 'a {
    map.iter().filter(move |(k, _)| {
        k.0 == account && k.1 == region && prefix.is_none_or(|p| k.2.starts_with(p))
    })
}

/// Slices `items` (sorted by `key`) into a page starting at the token's key.
pub fn paginate<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    limit: Option<i32>,
    token: Option<&str>,
) -> Result<crate::model::Page<T>, EventsError> {
    let size = page_size(limit)?;
    let start = decode_token(token)?;
    let mut rest: Vec<T> = match &start {
        Some(s) => items.into_iter().filter(|i| key(i) >= s.as_str()).collect(),
        None => items,
    };
    let next_token = if rest.len() > size {
        let next = rest.get(size).map(|i| encode_token(key(i)));
        rest.truncate(size);
        next
    } else {
        None
    };
    Ok(crate::model::Page {
        items: rest,
        next_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_arns_parse_back() {
        let a = rule_arn("123456789012", "us-east-1", "default", "r1");
        assert_eq!(a, "arn:aws:events:us-east-1:123456789012:rule/r1");
        let p = parse_arn(&a).expect("parses");
        assert_eq!(
            p.resource,
            EventsResource::Rule {
                bus: "default".into(),
                name: "r1".into()
            }
        );
        let b = rule_arn("123456789012", "us-east-1", "orders", "r1");
        assert_eq!(b, "arn:aws:events:us-east-1:123456789012:rule/orders/r1");
        assert!(matches!(
            parse_arn(&b).map(|p| p.resource),
            Some(EventsResource::Rule { bus, .. }) if bus == "orders"
        ));
        assert!(parse_arn("arn:aws:events:us-east-1:12:rule/x").is_none());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_rule_name("ok.name-1_x").is_ok());
        let e = check_rule_name("bad name").expect_err("space");
        assert!(e.to_string().contains("regular expression pattern"), "{e}");
        assert!(check_rule_name(&"a".repeat(65)).is_err());
        assert!(check_new_bus_name("a/b").is_err());
        assert!(check_new_bus_name("orders").is_ok());
    }

    #[test]
    fn tokens_round_trip() {
        let t = encode_token("rule-ä");
        assert_eq!(
            decode_token(Some(&t)).expect("ok").as_deref(),
            Some("rule-ä")
        );
        assert!(decode_token(Some("zz")).is_err());
    }
}
