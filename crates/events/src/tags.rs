//! Tags on buses and rules: TagResource, UntagResource, ListTagsForResource.

use crate::error::EventsError;
use crate::limits::{MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS};
use crate::model::{Bus, DEFAULT_BUS, Tag};
use crate::names::{EventsResource, bus_arn, parse_arn};
use crate::store::Change;
use crate::{Events, key};

/// Validates a tag list.
pub(crate) fn check_tags(tags: &[Tag]) -> Result<(), EventsError> {
    if tags.len() > MAX_TAGS {
        return Err(EventsError::constraint(
            "[...]",
            "tags",
            &format!("Member must have length less than or equal to {MAX_TAGS}"),
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        let n = t.key.chars().count();
        if n == 0 || n > MAX_TAG_KEY {
            return Err(EventsError::constraint(
                &t.key,
                &format!("tags.{}.member.key", i + 1),
                &format!("Member must have length between 1 and {MAX_TAG_KEY}"),
            ));
        }
        if t.value.chars().count() > MAX_TAG_VALUE {
            return Err(EventsError::constraint(
                &t.value,
                &format!("tags.{}.member.value", i + 1),
                &format!("Member must have length less than or equal to {MAX_TAG_VALUE}"),
            ));
        }
    }
    Ok(())
}

fn merge(into: &mut Vec<Tag>, tags: Vec<Tag>) -> Result<(), EventsError> {
    for t in tags {
        match into.iter_mut().find(|x| x.key == t.key) {
            Some(x) => x.value = t.value,
            None => into.push(t),
        }
    }
    if into.len() > MAX_TAGS {
        return Err(EventsError::limit());
    }
    into.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(())
}

impl Events {
    /// Applies `f` to the tags of the bus or rule `arn` names, storing the change.
    fn change_tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        f: impl FnOnce(&mut Vec<Tag>) -> Result<(), EventsError>,
    ) -> Result<(), EventsError> {
        let a = self.own_arn(account, region, arn)?;
        let mut state = self.state.write();
        match a {
            EventsResource::Bus(name) => {
                let k = key(account, region, &name);
                let b = state.bus_mut(&k)?;
                let now = self.clock.now_millis();
                let mut bus = b.record.clone().unwrap_or_else(|| Bus {
                    name: DEFAULT_BUS.to_owned(),
                    arn: bus_arn(account, region, DEFAULT_BUS),
                    description: None,
                    created_millis: now,
                    modified_millis: now,
                    tags: Vec::new(),
                    policy: None,
                });
                f(&mut bus.tags)?;
                self.store.apply(&[Change::PutBus(&k, &bus)])?;
                b.record = Some(bus);
            }
            EventsResource::Rule { bus, name } => {
                let k = key(account, region, &bus);
                let b = state.bus_mut(&k)?;
                let mut rule = b
                    .rules
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| EventsError::rule_not_found(&name, &bus))?;
                f(&mut rule.tags)?;
                self.store.apply(&[Change::PutRule(&k, &rule)])?;
                b.rules.insert(name, rule);
            }
        }
        Ok(())
    }

    fn own_arn(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<EventsResource, EventsError> {
        match parse_arn(arn) {
            Some(a) if a.account == account && a.region == region => Ok(a.resource),
            Some(_) => Err(EventsError::NotFound(format!(
                "Resource {arn} does not exist."
            ))),
            None => Err(EventsError::Validation(format!(
                "Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
            ))),
        }
    }

    /// TagResource.
    pub fn tag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        tags: Vec<Tag>,
    ) -> Result<(), EventsError> {
        check_tags(&tags)?;
        self.change_tags(account, region, arn, |t| merge(t, tags))
    }

    /// UntagResource.
    pub fn untag_resource(
        &self,
        account: &str,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<(), EventsError> {
        self.change_tags(account, region, arn, |t| {
            t.retain(|x| !keys.contains(&x.key));
            Ok(())
        })
    }

    /// ListTagsForResource.
    pub fn list_tags(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Vec<Tag>, EventsError> {
        match self.own_arn(account, region, arn)? {
            EventsResource::Bus(name) => {
                Ok(self.describe_event_bus(account, region, Some(&name))?.tags)
            }
            EventsResource::Rule { bus, name } => {
                Ok(self.describe_rule(account, region, Some(&bus), &name)?.tags)
            }
        }
    }
}
