//! Rule shapes and the PutRule, DescribeRule, ListRules, DeleteRule, Enable/DisableRule and
//! ListRuleNamesByTarget handlers.

use openwatch_events::{Events, PageRequest, PutRuleInput as DomainPutRule, Rule};
use openwatch_wire::CallContext;
use serde::{Deserialize, Serialize};

use super::Empty;
use super::errors::{R, api_error};
use super::tags::{Tag, tags_in};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleOutput {
    pub rule_arn: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleNameInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRuleInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleOut {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    pub event_bus_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

pub(super) fn rule_out(r: Rule, with_creator: bool) -> RuleOut {
    RuleOut {
        name: r.name,
        arn: r.arn,
        event_pattern: r.event_pattern,
        state: r.state.as_str().to_owned(),
        description: r.description,
        schedule_expression: r.schedule_expression,
        role_arn: r.role_arn,
        managed_by: r.managed_by,
        event_bus_name: r.bus,
        created_by: with_creator.then_some(r.created_by),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesOutput {
    pub rules: Vec<RuleOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetInput {
    pub target_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetOutput {
    pub rule_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn put_rule(e: &Events, ctx: &CallContext, i: PutRuleInput) -> R<PutRuleOutput> {
    let input = DomainPutRule {
        name: i.name,
        event_bus_name: i.event_bus_name,
        event_pattern: i.event_pattern,
        schedule_expression: i.schedule_expression,
        state: i.state,
        description: i.description,
        role_arn: i.role_arn,
        tags: tags_in(i.tags),
    };
    let rule_arn = e
        .put_rule(ctx.account.as_str(), &ctx.region, input)
        .map_err(api_error)?;
    Ok(PutRuleOutput { rule_arn })
}

pub(super) fn describe_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<RuleOut> {
    e.describe_rule(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
    )
    .map(|r| rule_out(r, true))
    .map_err(api_error)
}

pub(super) fn list_rules(e: &Events, ctx: &CallContext, i: ListRulesInput) -> R<ListRulesOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_rules(
            ctx.account.as_str(),
            &ctx.region,
            i.event_bus_name.as_deref(),
            i.name_prefix.as_deref(),
            &page,
        )
        .map_err(api_error)?;
    Ok(ListRulesOutput {
        rules: p.items.into_iter().map(|r| rule_out(r, false)).collect(),
        next_token: p.next_token,
    })
}

pub(super) fn delete_rule(e: &Events, ctx: &CallContext, i: DeleteRuleInput) -> R<Empty> {
    e.delete_rule(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        i.force.unwrap_or(false),
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

pub(super) fn enable_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<Empty> {
    e.set_rule_enabled(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        true,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

pub(super) fn disable_rule(e: &Events, ctx: &CallContext, i: RuleNameInput) -> R<Empty> {
    e.set_rule_enabled(
        ctx.account.as_str(),
        &ctx.region,
        i.event_bus_name.as_deref(),
        &i.name,
        false,
    )
    .map(|()| Empty {})
    .map_err(api_error)
}

pub(super) fn list_rule_names_by_target(
    e: &Events,
    ctx: &CallContext,
    i: ListRuleNamesByTargetInput,
) -> R<ListRuleNamesByTargetOutput> {
    let page = PageRequest {
        limit: i.limit,
        next_token: i.next_token,
    };
    let p = e
        .list_rule_names_by_target(
            ctx.account.as_str(),
            &ctx.region,
            i.event_bus_name.as_deref(),
            &i.target_arn,
            &page,
        )
        .map_err(api_error)?;
    Ok(ListRuleNamesByTargetOutput {
        rule_names: p.items,
        next_token: p.next_token,
    })
}
