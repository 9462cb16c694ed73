//! Rule and target operations: PutRule, DescribeRule, ListRules, DeleteRule, Enable/DisableRule,
//! ListRuleNamesByTarget, PutTargets, RemoveTargets, ListTargetsByRule.

use openwatch_patterns::Pattern;

use crate::buses::check_description;
use crate::error::EventsError;
use crate::limits::{
    MAX_EVENT_AGE_SECONDS, MAX_INPUT, MAX_INPUT_PATH, MAX_RETRY_ATTEMPTS, MAX_ROLE_ARN,
    MAX_RULES_PER_BUS, MAX_SCHEDULE_EXPRESSION, MAX_TARGET_ARN, MAX_TARGETS_PER_REQUEST,
    MAX_TARGETS_PER_RULE, MIN_EVENT_AGE_SECONDS,
};
use crate::model::{DEFAULT_BUS, Page, PageRequest, Rule, RuleState, Tag, Target};
use crate::names::{
    EventsResource, check_rule_name, check_target_id, paginate, parse_arn, resolve_bus, rule_arn,
};
use crate::schedule::Schedule;
use crate::store::Change;
use crate::tags::check_tags;
use crate::transform::{check_input_path, check_transformer};
use crate::{Events, key};

/// PutRule's input.
#[derive(Debug, Clone, Default)]
pub struct PutRuleInput {
    pub name: String,
    pub event_bus_name: Option<String>,
    pub event_pattern: Option<String>,
    pub schedule_expression: Option<String>,
    pub state: Option<String>,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub tags: Vec<Tag>,
}

/// A PutTargets / RemoveTargets entry that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedTarget {
    pub target_id: String,
    pub code: String,
    pub message: String,
}

fn parse_state(s: Option<&str>) -> Result<RuleState, EventsError> {
    match s {
        None => Ok(RuleState::Enabled),
        Some(s) => RuleState::parse(s).ok_or_else(|| {
            EventsError::constraint(
                s,
                "state",
                "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
            )
        }),
    }
}

fn check_len(v: Option<&str>, member: &str, max: usize) -> Result<(), EventsError> {
    match v {
        Some(s) if s.chars().count() > max => Err(EventsError::constraint(
            s,
            member,
            &format!("Member must have length less than or equal to {max}"),
        )),
        Some("") => Err(EventsError::constraint(
            "",
            member,
            "Member must have length greater than or equal to 1",
        )),
        _ => Ok(()),
    }
}

fn check_target(t: &Target, i: usize) -> Result<(), EventsError> {
    check_target_id(&t.id, &format!("targets.{}.member.id", i + 1))?;
    check_len(
        Some(&t.arn),
        &format!("targets.{}.member.arn", i + 1),
        MAX_TARGET_ARN,
    )?;
    check_len(
        t.role_arn.as_deref(),
        &format!("targets.{}.member.roleArn", i + 1),
        MAX_ROLE_ARN,
    )?;
    let given = [
        t.input.is_some(),
        t.input_path.is_some(),
        t.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(EventsError::Validation(format!(
            "Target {}: only one of Input, InputPath and InputTransformer can be specified.",
            t.id
        )));
    }
    if let Some(input) = &t.input {
        check_len(
            Some(input),
            &format!("targets.{}.member.input", i + 1),
            MAX_INPUT,
        )?;
        if serde_json::from_str::<serde_json::Value>(input).is_err() {
            return Err(EventsError::Validation(format!(
                "Target {}: Input is not valid JSON text.",
                t.id
            )));
        }
    }
    if let Some(path) = &t.input_path {
        check_len(
            Some(path),
            &format!("targets.{}.member.inputPath", i + 1),
            MAX_INPUT_PATH,
        )?;
        check_input_path(path)?;
    }
    if let Some(tr) = &t.input_transformer {
        check_transformer(tr)?;
    }
    if let Some(p) = &t.retry_policy {
        if let Some(n) = p.maximum_retry_attempts
            && i64::from(n) > MAX_RETRY_ATTEMPTS
        {
            return Err(EventsError::constraint(
                &n.to_string(),
                &format!("targets.{}.member.retryPolicy.maximumRetryAttempts", i + 1),
                &format!("Member must have value less than or equal to {MAX_RETRY_ATTEMPTS}"),
            ));
        }
        if let Some(n) = p.maximum_event_age_in_seconds
            && !(MIN_EVENT_AGE_SECONDS..=MAX_EVENT_AGE_SECONDS).contains(&i64::from(n))
        {
            return Err(EventsError::constraint(
                &n.to_string(),
                &format!(
                    "targets.{}.member.retryPolicy.maximumEventAgeInSeconds",
                    i + 1
                ),
                &format!(
                    "Member must have value between {MIN_EVENT_AGE_SECONDS} and {MAX_EVENT_AGE_SECONDS}"
                ),
            ));
        }
    }
    if let Some(dlq) = &t.dead_letter_arn
        && !dlq.starts_with("arn:aws:sqs:")
    {
        return Err(EventsError::Validation(format!(
            "Target {}: DeadLetterConfig Arn {dlq} is not a valid SQS queue ARN.",
            t.id
        )));
    }
    Ok(())
}

impl Events {
    /// PutRule: creates or replaces a rule; returns its ARN.
    pub fn put_rule(
        &self,
        account: &str,
        region: &str,
        input: PutRuleInput,
    ) -> Result<String, EventsError> {
        check_rule_name(&input.name)?;
        let bus = resolve_bus(account, region, input.event_bus_name.as_deref())?;
        let state_value = parse_state(input.state.as_deref())?;
        check_description(input.description.as_deref())?;
        check_len(input.role_arn.as_deref(), "roleArn", MAX_ROLE_ARN)?;
        check_len(
            input.schedule_expression.as_deref(),
            "scheduleExpression",
            MAX_SCHEDULE_EXPRESSION,
        )?;
        check_tags(&input.tags)?;
        if input.event_pattern.is_none() && input.schedule_expression.is_none() {
            return Err(EventsError::Validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.".to_owned(),
            ));
        }
        if let Some(p) = &input.event_pattern {
            Pattern::parse(p).map_err(|e| EventsError::InvalidEventPattern(e.to_string()))?;
        }
        if let Some(s) = &input.schedule_expression {
            if bus != DEFAULT_BUS {
                return Err(EventsError::Validation(
                    "ScheduleExpression is supported only on the default event bus.".to_owned(),
                ));
            }
            Schedule::parse(s).map_err(|e| EventsError::Validation(e.to_string()))?;
        }
        let k = key(account, region, &bus);
        let now = self.clock.now_millis();
        let mut state = self.state.write();
        let b = state.bus_mut(&k)?;
        let existing = b.rules.get(&input.name);
        if existing.is_none() && b.rules.len() >= MAX_RULES_PER_BUS {
            return Err(EventsError::limit());
        }
        if let Some(r) = existing
            && let Some(by) = &r.managed_by
        {
            return Err(EventsError::ManagedRule(format!(
                "Rule {} is managed by {by} and cannot be changed.",
                r.name
            )));
        }
        let rule = Rule {
            arn: rule_arn(account, region, &bus, &input.name),
            name: input.name,
            bus: bus.clone(),
            event_pattern: input.event_pattern,
            schedule_expression: input.schedule_expression,
            state: state_value,
            description: input.description,
            role_arn: input.role_arn,
            managed_by: None,
            created_by: account.to_owned(),
            created_millis: existing.map_or(now, |r| r.created_millis),
            // Tags are applied only when the rule is created, as AWS does.
            tags: existing.map_or(input.tags, |r| r.tags.clone()),
            targets: existing.map(|r| r.targets.clone()).unwrap_or_default(),
        };
        self.store.apply(&[Change::PutRule(&k, &rule)])?;
        b.index(&rule, now, true);
        let arn = rule.arn.clone();
        b.rules.insert(rule.name.clone(), rule);
        Ok(arn)
    }

    fn with_rule<T>(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        name: &str,
        f: impl FnOnce(&Rule) -> T,
    ) -> Result<T, EventsError> {
        check_rule_name(name)?;
        let bus = resolve_bus(account, region, bus)?;
        let k = key(account, region, &bus);
        let state = self.state.read();
        if !state.exists(&k) {
            return Err(EventsError::bus_not_found(&bus));
        }
        state
            .bus(&k)
            .and_then(|b| b.rules.get(name))
            .map(f)
            .ok_or_else(|| EventsError::rule_not_found(name, &bus))
    }

    /// Changes a rule under the write lock and stores it.
    fn update_rule(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        name: &str,
        f: impl FnOnce(&mut Rule) -> Result<(), EventsError>,
    ) -> Result<(), EventsError> {
        check_rule_name(name)?;
        let bus = resolve_bus(account, region, bus)?;
        let k = key(account, region, &bus);
        let now = self.clock.now_millis();
        let mut state = self.state.write();
        let b = state.bus_mut(&k)?;
        let mut rule = b
            .rules
            .get(name)
            .cloned()
            .ok_or_else(|| EventsError::rule_not_found(name, &bus))?;
        f(&mut rule)?;
        self.store.apply(&[Change::PutRule(&k, &rule)])?;
        b.index(&rule, now, false);
        b.rules.insert(rule.name.clone(), rule);
        Ok(())
    }

    /// DescribeRule.
    pub fn describe_rule(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        name: &str,
    ) -> Result<Rule, EventsError> {
        self.with_rule(account, region, bus, name, Rule::clone)
    }

    /// ListRules, sorted by name.
    pub fn list_rules(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Rule>, EventsError> {
        let bus = resolve_bus(account, region, bus)?;
        let k = key(account, region, &bus);
        let state = self.state.read();
        if !state.exists(&k) {
            return Err(EventsError::bus_not_found(&bus));
        }
        let rules: Vec<Rule> = state
            .bus(&k)
            .map(|b| {
                b.rules
                    .values()
                    .filter(|r| prefix.is_none_or(|p| r.name.starts_with(p)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        drop(state);
        paginate(rules, |r| &r.name, page.limit, page.next_token.as_deref())
    }

    /// DeleteRule: refused while the rule has targets; deleting a missing rule succeeds.
    pub fn delete_rule(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        name: &str,
        force: bool,
    ) -> Result<(), EventsError> {
        check_rule_name(name)?;
        let bus = resolve_bus(account, region, bus)?;
        let k = key(account, region, &bus);
        let mut state = self.state.write();
        let b = state.bus_mut(&k)?;
        let Some(rule) = b.rules.get(name) else {
            return Ok(());
        };
        if rule.managed_by.is_some() && !force {
            return Err(EventsError::ManagedRule(format!(
                "Rule {name} is managed by an AWS service and can only be deleted with Force."
            )));
        }
        if !rule.targets.is_empty() {
            return Err(EventsError::Validation(
                "Rule can't be deleted since it has targets.".to_owned(),
            ));
        }
        self.store.apply(&[Change::DeleteRule(&k, name)])?;
        b.unindex(name);
        b.rules.remove(name);
        Ok(())
    }

    /// EnableRule / DisableRule.
    pub fn set_rule_enabled(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        name: &str,
        enabled: bool,
    ) -> Result<(), EventsError> {
        self.update_rule(account, region, bus, name, |r| {
            r.state = if enabled {
                match r.state {
                    RuleState::Disabled => RuleState::Enabled,
                    s => s,
                }
            } else {
                RuleState::Disabled
            };
            Ok(())
        })
    }

    /// ListRuleNamesByTarget.
    pub fn list_rule_names_by_target(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        target_arn: &str,
        page: &PageRequest,
    ) -> Result<Page<String>, EventsError> {
        check_len(Some(target_arn), "targetArn", MAX_TARGET_ARN)?;
        let bus = resolve_bus(account, region, bus)?;
        let k = key(account, region, &bus);
        let state = self.state.read();
        if !state.exists(&k) {
            return Err(EventsError::bus_not_found(&bus));
        }
        let names: Vec<String> = state
            .bus(&k)
            .map(|b| {
                b.rules
                    .values()
                    .filter(|r| r.targets.iter().any(|t| t.arn == target_arn))
                    .map(|r| r.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        drop(state);
        paginate(names, |n| n, page.limit, page.next_token.as_deref())
    }

    /// Why this server cannot deliver to `arn`, if it cannot.
    fn unsupported_target(&self, arn: &str) -> Option<String> {
        // Event buses in any account and region of this server; another account's bus policy is
        // checked at delivery, as AWS does.
        if let Some(a) = parse_arn(arn)
            && let EventsResource::Bus(_) = a.resource
        {
            return None;
        }
        if crate::destinations::is_api_destination(arn) {
            return None;
        }
        if self.sinks.read().iter().any(|s| s.accepts(arn)) {
            return None;
        }
        Some(format!(
            "Target {arn} is not a supported target type on this server (supported: event buses, API destinations)."
        ))
    }

    /// PutTargets: adds or replaces targets; entries this server cannot deliver to fail alone.
    pub fn put_targets(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        rule: &str,
        targets: Vec<Target>,
    ) -> Result<Vec<FailedTarget>, EventsError> {
        if targets.is_empty() || targets.len() > MAX_TARGETS_PER_REQUEST {
            return Err(EventsError::constraint(
                "[...]",
                "targets",
                &format!("Member must have length between 1 and {MAX_TARGETS_PER_REQUEST}"),
            ));
        }
        for (i, t) in targets.iter().enumerate() {
            check_target(t, i)?;
        }
        let mut failed = Vec::new();
        let mut accepted = Vec::new();
        for t in targets {
            match self.unsupported_target(&t.arn) {
                Some(message) => failed.push(FailedTarget {
                    target_id: t.id,
                    code: "ValidationException".to_owned(),
                    message,
                }),
                None => accepted.push(t),
            }
        }
        if accepted.is_empty() {
            // Still report a missing rule before per-entry failures.
            self.with_rule(account, region, bus, rule, |_| ())?;
            return Ok(failed);
        }
        self.update_rule(account, region, bus, rule, |r| {
            let mut merged = r.targets.clone();
            for t in accepted {
                match merged.iter_mut().find(|m| m.id == t.id) {
                    Some(m) => *m = t,
                    None => merged.push(t),
                }
            }
            if merged.len() > MAX_TARGETS_PER_RULE {
                return Err(EventsError::limit());
            }
            merged.sort_by(|a, b| a.id.cmp(&b.id));
            r.targets = merged;
            Ok(())
        })?;
        Ok(failed)
    }

    /// RemoveTargets: ids the rule does not have are ignored, as in AWS.
    pub fn remove_targets(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        rule: &str,
        ids: &[String],
        force: bool,
    ) -> Result<Vec<FailedTarget>, EventsError> {
        if ids.is_empty() || ids.len() > MAX_TARGETS_PER_REQUEST {
            return Err(EventsError::constraint(
                "[...]",
                "ids",
                &format!("Member must have length between 1 and {MAX_TARGETS_PER_REQUEST}"),
            ));
        }
        for (i, id) in ids.iter().enumerate() {
            check_target_id(id, &format!("ids.{}.member", i + 1))?;
        }
        self.update_rule(account, region, bus, rule, |r| {
            if r.managed_by.is_some() && !force {
                return Err(EventsError::ManagedRule(format!(
                    "Rule {} is managed by an AWS service; use Force to remove its targets.",
                    r.name
                )));
            }
            r.targets.retain(|t| !ids.contains(&t.id));
            Ok(())
        })?;
        Ok(Vec::new())
    }

    /// ListTargetsByRule, sorted by target id.
    pub fn list_targets_by_rule(
        &self,
        account: &str,
        region: &str,
        bus: Option<&str>,
        rule: &str,
        page: &PageRequest,
    ) -> Result<Page<Target>, EventsError> {
        let targets = self.with_rule(account, region, bus, rule, |r| r.targets.clone())?;
        paginate(targets, |t| &t.id, page.limit, page.next_token.as_deref())
    }
}
