//! Rows and expression evaluation.

use std::sync::Arc;

use crate::ast::{BinOp, Expr};
use crate::functions::{self, ceil_time, floor_time};
use crate::value::Value;

/// One row: named values in first-set order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub fields: Vec<(Arc<str>, Value)>,
}

impl Row {
    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v)
    }

    /// Sets a field (replacing its value, keeping its place).
    pub fn set(&mut self, name: &str, v: Value) {
        if let Some(slot) = self.fields.iter_mut().find(|(k, _)| &**k == name) {
            slot.1 = v;
        } else {
            self.fields.push((Arc::from(name), v));
        }
    }

    /// Appends a field known not to be present yet.
    pub fn push(&mut self, name: Arc<str>, v: Value) {
        self.fields.push((name, v));
    }

    /// The event time (`@timestamp`) in epoch milliseconds.
    pub fn timestamp(&self) -> i64 {
        self.get("@timestamp").and_then(Value::as_time).unwrap_or(0)
    }
}

/// What evaluation needs besides the row.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// When the query started (epoch ms), for `now()`.
    pub now: i64,
}

fn period(e: Option<&Expr>) -> (i64, i64) {
    match e {
        Some(Expr::Duration { ms, months }) => (*ms, *months),
        Some(Expr::Lit(v)) => (v.as_num().unwrap_or(0.0) as i64, 0),
        _ => (0, 0),
    }
}

/// Evaluates an expression against a row. Aggregate calls (outside `stats`) read the column
/// that a previous `stats` named after them.
pub fn eval(e: &Expr, row: &Row, ctx: &Ctx) -> Value {
    match e {
        Expr::Field(f) => row.get(f).cloned().unwrap_or(Value::Null),
        Expr::Lit(v) => v.clone(),
        Expr::Duration { ms, .. } => Value::Num(*ms as f64),
        Expr::Regex(re) => Value::str(re.as_str()),
        Expr::Star => Value::Bool(true),
        Expr::Neg(x) => eval(x, row, ctx)
            .as_num()
            .map_or(Value::Null, |n| Value::Num(-n)),
        Expr::Not(x) => Value::Bool(!eval(x, row, ctx).truthy()),
        Expr::Binary(BinOp::And, a, b) => {
            Value::Bool(eval(a, row, ctx).truthy() && eval(b, row, ctx).truthy())
        }
        Expr::Binary(BinOp::Or, a, b) => {
            Value::Bool(eval(a, row, ctx).truthy() || eval(b, row, ctx).truthy())
        }
        Expr::Binary(op, a, b) => binary(*op, &eval(a, row, ctx), &eval(b, row, ctx)),
        Expr::Like {
            expr,
            pattern,
            negated,
        } => {
            let v = eval(expr, row, ctx);
            if v.is_null() {
                return Value::Bool(false);
            }
            let text = v.text();
            let hit = match &**pattern {
                Expr::Regex(re) => re.is_match(&text),
                p => text.contains(eval(p, row, ctx).text().as_str()),
            };
            Value::Bool(hit != *negated)
        }
        Expr::In {
            expr,
            list,
            negated,
        } => {
            let v = eval(expr, row, ctx);
            if v.is_null() {
                return Value::Bool(false);
            }
            let hit = list.iter().any(|x| v.loose_eq(&eval(x, row, ctx)));
            Value::Bool(hit != *negated)
        }
        Expr::Call { name, args, text } => {
            if crate::agg::is_aggregate(name) {
                return row.get(text).cloned().unwrap_or(Value::Null);
            }
            match name.as_str() {
                "bin" => {
                    let (ms, months) = period(args.first());
                    Value::Time(floor_time(row.timestamp(), ms, months))
                }
                "datefloor" | "dateceil" => {
                    let Some(t) = time_of(&eval(&args[0], row, ctx)) else {
                        return Value::Null;
                    };
                    let (ms, months) = period(args.get(1));
                    Value::Time(if name == "datefloor" {
                        floor_time(t, ms, months)
                    } else {
                        ceil_time(t, ms, months)
                    })
                }
                "ispresent" => Value::Bool(!eval(&args[0], row, ctx).is_null()),
                _ => {
                    let vals: Vec<Value> = args.iter().map(|a| eval(a, row, ctx)).collect();
                    functions::call(name, &vals, ctx.now)
                }
            }
        }
    }
}

fn time_of(v: &Value) -> Option<i64> {
    match v {
        Value::Str(s) => crate::value::parse_time(s).or_else(|| v.as_time()),
        other => other.as_time(),
    }
}

fn binary(op: BinOp, a: &Value, b: &Value) -> Value {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
            let (Some(x), Some(y)) = (a.as_num(), b.as_num()) else {
                return Value::Null;
            };
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div if y == 0.0 => return Value::Null,
                BinOp::Div => x / y,
                BinOp::Mod if y == 0.0 => return Value::Null,
                BinOp::Mod => x % y,
                _ => x.powf(y),
            };
            if r.is_finite() {
                Value::Num(r)
            } else {
                Value::Null
            }
        }
        BinOp::Eq => Value::Bool(a.loose_eq(b)),
        BinOp::Ne => Value::Bool(!a.is_null() && !b.is_null() && !a.loose_eq(b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if a.is_null() || b.is_null() {
                return Value::Bool(false);
            }
            let o = a.compare(b);
            Value::Bool(match op {
                BinOp::Lt => o.is_lt(),
                BinOp::Le => o.is_le(),
                BinOp::Gt => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        BinOp::And | BinOp::Or => Value::Null,
    }
}
