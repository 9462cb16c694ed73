//! Composite-alarm evaluation to a [`Transition`], and the rule's canonical text form.
//!
//! Reason shapes (from AWS notifications, not a documented contract): StateReason
//! `arn:…:alarm:child transitioned to ALARM at Sunday 29 November, 2026 10:00:00 UTC`, and
//! StateReasonData `{"triggeringAlarms":[{"arn":…,"state":{"value":"ALARM","timestamp":…}}]}`.

use std::fmt;

use serde::Serialize;

use super::{AlarmRule, Expr, StateFn, child_name};
use crate::state::{AlarmState, Evaluation, Transition};
use crate::time::{iso_time, long_time};

/// What a composite alarm knows of one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildState {
    pub arn: String,
    pub state: AlarmState,
    /// When the child entered `state`, epoch milliseconds.
    pub changed_at_ms: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Triggering<'a> {
    triggering_alarms: Vec<TriggeringAlarm<'a>>,
}

#[derive(Serialize)]
struct TriggeringAlarm<'a> {
    arn: &'a str,
    state: TriggeringState,
}

#[derive(Serialize)]
struct TriggeringState {
    value: &'static str,
    timestamp: String,
}

/// Re-evaluates a composite alarm in state `current` (run whenever a child changes). The
/// triggering children are those whose state a term of the rule tests for and currently holds.
pub fn evaluate_composite(
    rule: &AlarmRule,
    current: AlarmState,
    child: &dyn Fn(&str) -> Option<ChildState>,
) -> Evaluation {
    let to = rule.state(&|name| child(name).map(|c| c.state));
    if to == current {
        return Evaluation::Unchanged;
    }
    let mut triggering: Vec<ChildState> = Vec::new();
    for reference in rule.children() {
        let Some(c) = child(child_name(reference)) else {
            continue;
        };
        if tests_for(&rule.expr, reference, c.state) && !triggering.iter().any(|t| t.arn == c.arn) {
            triggering.push(c);
        }
    }
    triggering.sort_by_key(|c| std::cmp::Reverse(c.changed_at_ms));
    let reason = match triggering.first() {
        Some(c) => format!(
            "{} transitioned to {} at {}",
            c.arn,
            c.state,
            long_time(c.changed_at_ms)
        ),
        None => format!("Alarm rule evaluated to {}", to == AlarmState::Alarm),
    };
    let data = Triggering {
        triggering_alarms: triggering
            .iter()
            .map(|c| TriggeringAlarm {
                arn: &c.arn,
                state: TriggeringState {
                    value: c.state.as_str(),
                    timestamp: iso_time(c.changed_at_ms),
                },
            })
            .collect(),
    };
    Evaluation::Transition(Transition {
        from: current,
        to,
        reason,
        reason_data: serde_json::to_string(&data).unwrap_or_default(),
    })
}

fn tests_for(expr: &Expr, reference: &str, state: AlarmState) -> bool {
    match expr {
        Expr::Const(_) => false,
        Expr::Test(f, r) => r == reference && f.state() == state,
        Expr::Not(e) => tests_for(e, reference, state),
        Expr::And(a, b) | Expr::Or(a, b) => {
            tests_for(a, reference, state) || tests_for(b, reference, state)
        }
    }
}

impl fmt::Display for StateFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.state().as_str())
    }
}

/// Canonical text: fully parenthesised binary operators, every name quoted. Parses back to an
/// equal expression.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Const(true) => f.write_str("TRUE"),
            Expr::Const(false) => f.write_str("FALSE"),
            Expr::Test(func, name) => write!(f, "{func}(\"{name}\")"),
            Expr::Not(e) => write!(f, "NOT {e}"),
            Expr::And(a, b) => write!(f, "({a} AND {b})"),
            Expr::Or(a, b) => write!(f, "({a} OR {b})"),
        }
    }
}
