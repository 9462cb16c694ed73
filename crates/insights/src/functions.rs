//! Scalar functions: string, numeric, time, IP and JSON.

use std::net::IpAddr;

use crate::value::{Value, civil_from_days, days_from_civil};

/// `(name, min args, max args)` of every scalar function (names lower-case).
const SCALARS: &[(&str, usize, usize)] = &[
    ("strlen", 1, 1),
    ("toupper", 1, 1),
    ("tolower", 1, 1),
    ("trim", 1, 2),
    ("ltrim", 1, 2),
    ("rtrim", 1, 2),
    ("concat", 1, 64),
    ("substr", 2, 3),
    ("replace", 3, 3),
    ("strcontains", 2, 2),
    ("isempty", 1, 1),
    ("isblank", 1, 1),
    ("ispresent", 1, 1),
    ("coalesce", 1, 64),
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("floor", 1, 1),
    ("greatest", 1, 64),
    ("least", 1, 64),
    ("log", 1, 1),
    ("sqrt", 1, 1),
    ("bin", 1, 1),
    ("datefloor", 2, 2),
    ("dateceil", 2, 2),
    ("frommillis", 1, 1),
    ("tomillis", 1, 1),
    ("now", 0, 0),
    ("isvalidip", 1, 1),
    ("isvalidipv4", 1, 1),
    ("isvalidipv6", 1, 1),
    ("isipinsubnet", 2, 2),
    ("isipv4insubnet", 2, 2),
    ("isipv6insubnet", 2, 2),
    ("jsonparse", 1, 1),
    ("jsonstringify", 1, 1),
];

/// Whether `name` (lower-case) is a scalar function.
pub fn is_scalar(name: &str) -> bool {
    SCALARS.iter().any(|(n, ..)| *n == name)
}

/// Checks a call's argument count, with the message a query error carries.
pub fn check_arity(name: &str, n: usize) -> Result<(), String> {
    let (min, max) = SCALARS
        .iter()
        .find(|(f, ..)| *f == name)
        .map(|(_, a, b)| (*a, *b))
        .or_else(|| crate::agg::arity(name))
        .unwrap_or((0, usize::MAX));
    if n < min || n > max {
        let expect = if min == max {
            format!("{min}")
        } else if max > 32 {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "function {name} expects {expect} argument(s), got {n}"
        ));
    }
    Ok(())
}

fn num1(args: &[Value], f: impl Fn(f64) -> f64) -> Value {
    args.first()
        .and_then(Value::as_num)
        .map_or(Value::Null, |n| Value::Num(f(n)))
}

fn trim_with(s: &str, chars: Option<&str>, left: bool, right: bool) -> String {
    let pred = |c: char| chars.map_or(c.is_whitespace(), |set| set.contains(c));
    let mut t = s;
    if left {
        t = t.trim_start_matches(pred);
    }
    if right {
        t = t.trim_end_matches(pred);
    }
    t.to_owned()
}

/// Applies scalar function `name` to evaluated arguments. `now` is the query's start (ms).
/// (`bin`, `datefloor`, `dateceil` take their period from the syntax; see [`floor_time`].)
pub fn call(name: &str, args: &[Value], now: i64) -> Value {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let text = |i: usize| arg(i).text();
    match name {
        "strlen" => match arg(0) {
            Value::Null => Value::Null,
            v => Value::Num(v.text().chars().count() as f64),
        },
        "toupper" => str_map(&arg(0), |s| s.to_uppercase()),
        "tolower" => str_map(&arg(0), |s| s.to_lowercase()),
        "trim" | "ltrim" | "rtrim" => {
            let set = args.get(1).map(Value::text);
            let (l, r) = (name != "rtrim", name != "ltrim");
            str_map(&arg(0), |s| trim_with(s, set.as_deref(), l, r))
        }
        "concat" => Value::str(args.iter().map(Value::text).collect::<String>()),
        "substr" => {
            let v = arg(0);
            if v.is_null() {
                return Value::Null;
            }
            let chars: Vec<char> = v.text().chars().collect();
            let start = arg(1).as_num().unwrap_or(0.0).max(0.0) as usize;
            let len = args
                .get(2)
                .and_then(Value::as_num)
                .map_or(usize::MAX, |n| n.max(0.0) as usize);
            Value::str(chars.iter().skip(start).take(len).collect::<String>())
        }
        "replace" => {
            let v = arg(0);
            if v.is_null() {
                return Value::Null;
            }
            let (from, to) = (text(1), text(2));
            if from.is_empty() {
                return v;
            }
            Value::str(v.text().replace(&from, &to))
        }
        "strcontains" => {
            let v = arg(0);
            if v.is_null() {
                return Value::Bool(false);
            }
            Value::Bool(v.text().contains(&text(1)))
        }
        "isempty" => Value::Bool(arg(0).is_null() || text(0).is_empty()),
        "isblank" => Value::Bool(arg(0).is_null() || text(0).trim().is_empty()),
        "ispresent" => Value::Bool(!arg(0).is_null()),
        "coalesce" => args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        "abs" => num1(args, f64::abs),
        "ceil" => num1(args, f64::ceil),
        "floor" => num1(args, f64::floor),
        "log" => num1(args, f64::ln),
        "sqrt" => num1(args, f64::sqrt),
        "greatest" | "least" => {
            let mut best: Option<Value> = None;
            for v in args.iter().filter(|v| !v.is_null()) {
                let better = best.as_ref().is_none_or(|b| {
                    let o = v.compare(b);
                    if name == "greatest" {
                        o.is_gt()
                    } else {
                        o.is_lt()
                    }
                });
                if better {
                    best = Some(v.clone());
                }
            }
            best.unwrap_or(Value::Null)
        }
        "frommillis" => arg(0)
            .as_num()
            .map_or(Value::Null, |n| Value::Time(n as i64)),
        "tomillis" => arg(0)
            .as_time()
            .or_else(|| crate::value::parse_time(&text(0)))
            .map_or(Value::Null, |t| Value::Num(t as f64)),
        "now" => Value::Num((now / 1000) as f64),
        "isvalidip" => Value::Bool(text(0).parse::<IpAddr>().is_ok()),
        "isvalidipv4" => Value::Bool(matches!(text(0).parse::<IpAddr>(), Ok(IpAddr::V4(_)))),
        "isvalidipv6" => Value::Bool(matches!(text(0).parse::<IpAddr>(), Ok(IpAddr::V6(_)))),
        "isipinsubnet" | "isipv4insubnet" | "isipv6insubnet" => {
            let family = match name {
                "isipv4insubnet" => Some(true),
                "isipv6insubnet" => Some(false),
                _ => None,
            };
            Value::Bool(in_subnet(&text(0), &text(1), family))
        }
        "jsonparse" => {
            let t = text(0);
            match serde_json::from_str::<serde_json::Value>(&t) {
                Ok(j) => Value::str(serde_json::to_string(&j).unwrap_or(t)),
                Err(_) => Value::Null,
            }
        }
        "jsonstringify" => {
            let v = arg(0);
            match &v {
                Value::Null => Value::Null,
                Value::Str(s)
                    if serde_json::from_str::<serde_json::Value>(s)
                        .is_ok_and(|j| j.is_object() || j.is_array()) =>
                {
                    v
                }
                Value::Num(n) => Value::str(crate::value::format_num(*n)),
                other => Value::str(serde_json::Value::String(other.text()).to_string()),
            }
        }
        _ => Value::Null,
    }
}

fn str_map(v: &Value, f: impl Fn(&str) -> String) -> Value {
    match v {
        Value::Null => Value::Null,
        v => Value::str(f(&v.text())),
    }
}

/// Whether `ip` is in the CIDR block `cidr`; `v4` restricts the family (`Some(true)`: IPv4 only).
fn in_subnet(ip: &str, cidr: &str, v4: Option<bool>) -> bool {
    let Ok(addr) = ip.trim().parse::<IpAddr>() else {
        return false;
    };
    let Some((net, bits)) = cidr.trim().split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if v4 != Some(false) && bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if v4 != Some(true) && bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Rounds epoch milliseconds down to a multiple of `ms`, or to the start of a `months`-month
/// period (counted from January 1970) when `months` is set.
pub fn floor_time(t: i64, ms: i64, months: i64) -> i64 {
    if months > 0 {
        let (y, m, _) = civil_from_days(t.div_euclid(86_400_000));
        let idx = (y - 1970) * 12 + i64::from(m) - 1;
        let start = idx - idx.rem_euclid(months);
        let (yy, mm) = (1970 + start.div_euclid(12), start.rem_euclid(12) as u32 + 1);
        days_from_civil(yy, mm, 1) * 86_400_000
    } else if ms > 0 {
        t - t.rem_euclid(ms)
    } else {
        t
    }
}

/// Rounds epoch milliseconds up to the next period boundary (a boundary stays).
pub fn ceil_time(t: i64, ms: i64, months: i64) -> i64 {
    let f = floor_time(t, ms, months);
    if f == t {
        return t;
    }
    if months > 0 {
        let (y, m, _) = civil_from_days(f.div_euclid(86_400_000));
        let idx = (y - 1970) * 12 + i64::from(m) - 1 + months;
        days_from_civil(1970 + idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1, 1) * 86_400_000
    } else {
        f + ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_and_time_floors() {
        assert!(in_subnet("192.0.2.7", "192.0.2.0/24", Some(true)));
        assert!(!in_subnet("192.0.3.7", "192.0.2.0/24", None));
        assert!(in_subnet("2001:db8::1", "2001:db8::/32", Some(false)));
        assert!(!in_subnet("2001:db8::1", "2001:db8::/32", Some(true)));
        // 2024-02-15 → 2024-02-01 (month), 2024-01-01 (quarter)
        let t = days_from_civil(2024, 2, 15) * 86_400_000 + 5;
        assert_eq!(
            floor_time(t, 0, 1),
            days_from_civil(2024, 2, 1) * 86_400_000
        );
        assert_eq!(
            floor_time(t, 0, 3),
            days_from_civil(2024, 1, 1) * 86_400_000
        );
        assert_eq!(ceil_time(t, 0, 1), days_from_civil(2024, 3, 1) * 86_400_000);
        assert_eq!(ceil_time(7, 5, 0), 10);
    }
}
