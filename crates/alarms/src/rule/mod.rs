//! The composite-alarm `AlarmRule` language: `ALARM(x) AND NOT OK("y") OR INSUFFICIENT_DATA(z)`,
//! `TRUE`, `FALSE`, parentheses; parsed with AWS's limits, evaluated over child states.

mod composite;
mod graph;
mod parse;

pub use composite::{ChildState, evaluate_composite};
pub use graph::{child_name, find_cycle};

use crate::state::AlarmState;

/// `AlarmRule` length limit (PutCompositeAlarm: 1–10,240 characters).
pub const MAX_RULE_LENGTH: usize = 10_240;
/// At most 100 distinct alarms may be referenced by one rule.
pub const MAX_CHILDREN: usize = 100;
/// At most 150 composite alarms may monitor one alarm (checked by the API layer).
pub const MAX_PARENTS: usize = 150;
/// Nesting limit (parentheses and NOT) so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 256;

/// The state function of a rule term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateFn {
    Alarm,
    Ok,
    InsufficientData,
}

impl StateFn {
    /// The state the function tests for.
    pub fn state(self) -> AlarmState {
        match self {
            StateFn::Alarm => AlarmState::Alarm,
            StateFn::Ok => AlarmState::Ok,
            StateFn::InsufficientData => AlarmState::InsufficientData,
        }
    }
}

/// A rule expression. `AND` binds tighter than `OR`, `NOT` tighter than both.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(bool),
    /// `ALARM(name)` etc.; the reference is kept as written (name or ARN, quotes removed).
    Test(StateFn, String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// A rejected `AlarmRule`; the message is what PutCompositeAlarm returns as `ValidationError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("AlarmRule must not be empty.")]
    Empty,
    #[error(
        "1 validation error detected: Value at 'alarmRule' failed to satisfy constraint: \
         Member must have length less than or equal to 10240"
    )]
    TooLong,
    #[error("AlarmRule can reference at most 100 alarms, found {0}.")]
    TooManyChildren(usize),
    /// `Error in AlarmRule [Unsupported token ')' at char 1]` (AWS's shape).
    #[error("Error in AlarmRule [Unsupported token '{token}' at char {position}{}]", must_be_clause(*.must_be))]
    Syntax {
        token: String,
        position: usize,
        must_be: Option<&'static str>,
    },
    /// The rule ended where a token was required.
    #[error("Error in AlarmRule [Unexpected end of rule at char {position}{}]", must_be_clause(*.must_be))]
    UnexpectedEnd {
        position: usize,
        must_be: Option<&'static str>,
    },
    #[error("AlarmRule is nested too deeply.")]
    TooDeep,
}

fn must_be_clause(must_be: Option<&'static str>) -> String {
    must_be
        .map(|t| format!(", must be: '{t}'"))
        .unwrap_or_default()
}

/// A parsed, validated `AlarmRule`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmRule {
    pub expr: Expr,
    children: Vec<String>,
}

impl AlarmRule {
    /// Parses and validates a rule (length, syntax, child count).
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        if text.chars().count() > MAX_RULE_LENGTH {
            return Err(RuleError::TooLong);
        }
        if text.trim().is_empty() {
            return Err(RuleError::Empty);
        }
        let expr = parse::parse(text)?;
        let mut children = Vec::new();
        collect(&expr, &mut children);
        if children.len() > MAX_CHILDREN {
            return Err(RuleError::TooManyChildren(children.len()));
        }
        Ok(AlarmRule { expr, children })
    }

    /// The distinct alarm references of the rule, in order of first appearance, as written.
    pub fn children(&self) -> &[String] {
        &self.children
    }

    /// The child alarm names (ARNs reduced to their alarm name), for ChildrenOfAlarmName.
    pub fn child_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.children {
            let name = child_name(c);
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Evaluates the rule; `state_of` receives a child's alarm name (ARNs reduced) and an
    /// unknown child counts as INSUFFICIENT_DATA.
    pub fn holds(&self, state_of: &dyn Fn(&str) -> Option<AlarmState>) -> bool {
        eval(&self.expr, state_of)
    }

    /// The composite alarm's state: ALARM when the rule holds, otherwise OK.
    pub fn state(&self, state_of: &dyn Fn(&str) -> Option<AlarmState>) -> AlarmState {
        if self.holds(state_of) {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    }
}

fn collect(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Const(_) => {}
        Expr::Test(_, name) => {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        Expr::Not(e) => collect(e, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            collect(a, out);
            collect(b, out);
        }
    }
}

fn eval(expr: &Expr, state_of: &dyn Fn(&str) -> Option<AlarmState>) -> bool {
    match expr {
        Expr::Const(b) => *b,
        Expr::Test(f, name) => {
            state_of(child_name(name)).unwrap_or(AlarmState::InsufficientData) == f.state()
        }
        Expr::Not(e) => !eval(e, state_of),
        Expr::And(a, b) => eval(a, state_of) && eval(b, state_of),
        Expr::Or(a, b) => eval(a, state_of) || eval(b, state_of),
    }
}
