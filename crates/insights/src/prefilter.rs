//! Literal prefilters: text that every event matching a `filter` must contain in its message, so
//! a chunk whose messages lack it is skipped without evaluating anything.

use crate::ast::{BinOp, Expr};

/// Literals that `@message` must contain for `e` to hold (empty when nothing is certain).
pub fn required_literals(e: &Expr) -> Vec<String> {
    match e {
        Expr::Binary(BinOp::And, a, b) => {
            let mut v = required_literals(a);
            v.extend(required_literals(b));
            v
        }
        Expr::Like {
            expr,
            pattern,
            negated: false,
        } if matches!(&**expr, Expr::Field(f) if f == "@message") => match &**pattern {
            Expr::Lit(v) => {
                let t = v.text();
                if t.is_empty() { Vec::new() } else { vec![t] }
            }
            Expr::Regex(re) => regex_literal(re.as_str()).into_iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The regex as a plain literal, if it is one (no metacharacters, no flags).
fn regex_literal(re: &str) -> Option<String> {
    let meta = |c: char| "\\.+*?()|[]{}^$#&-~".contains(c) || c.is_whitespace() && c != ' ';
    if re.is_empty() || re.chars().any(meta) {
        return None;
    }
    Some(re.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Command;

    fn lits(q: &str) -> Vec<String> {
        match crate::parser::parse(q).map(|q| q.commands) {
            Ok(cmds) => match cmds.first() {
                Some(Command::Filter(e)) => required_literals(e),
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        }
    }

    #[test]
    fn literals_of_filters() {
        assert_eq!(lits("filter @message like /Exception/"), vec!["Exception"]);
        assert_eq!(
            lits("filter @message like \"a b\" and @message like /c/"),
            vec!["a b", "c"]
        );
        assert!(lits("filter @message like /Ex.*/").is_empty());
        assert!(lits("filter @message like /a/i").is_empty());
        assert!(lits("filter @message like /a/ or x = 1").is_empty());
        assert!(lits("filter @message not like /a/").is_empty());
    }
}
