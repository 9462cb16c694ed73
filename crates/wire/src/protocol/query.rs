//! awsquery requests: `Action=…&Version=…` form bodies whose keys flatten nested shapes
//! (`MetricData.member.1.Dimensions.member.2.Name`, `Attributes.entry.1.key`). This module
//! un-flattens them into a [`Value`] tree without knowing the operation's shape: numbered
//! segments become lists; the value layer reads the leaf text as whatever the shape asks for.

use crate::value::Value;

/// Most parameters a query request may carry (CloudWatch's 1,000 datums × a few members fit).
pub const MAX_PARAMS: usize = 100_000;
/// Deepest key path accepted.
const MAX_PATH_SEGMENTS: usize = 16;

/// A decoded query request.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryForm {
    pub action: Option<String>,
    pub version: Option<String>,
    pub params: Value,
}

#[derive(Debug)]
enum Node {
    Leaf(String),
    Branch(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Name(String),
    Index(u64),
}

/// Parses a form body (or URL query string).
pub fn decode(body: &[u8]) -> Result<QueryForm, String> {
    let mut root: Vec<(Key, Node)> = Vec::new();
    let (mut action, mut version) = (None, None);
    for (count, (k, v)) in form_urlencoded::parse(body).enumerate() {
        if count >= MAX_PARAMS {
            return Err(format!("more than {MAX_PARAMS} parameters"));
        }
        match k.as_ref() {
            "Action" => action = Some(v.into_owned()),
            "Version" => version = Some(v.into_owned()),
            k if k.starts_with("X-Amz-") => {}
            k => insert(&mut root, &path(k)?, v.into_owned())?,
        }
    }
    Ok(QueryForm {
        action,
        version,
        params: to_value(Node::Branch(root)),
    })
}

fn path(key: &str) -> Result<Vec<Key>, String> {
    let mut out = Vec::new();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        if part.is_empty() {
            return Err(format!("malformed parameter name {key:?}"));
        }
        let next_is_index = parts.peek().is_some_and(|p| p.parse::<u64>().is_ok());
        if (part == "member" || part == "entry") && next_is_index {
            continue; // the index that follows carries the position
        }
        match part.parse::<u64>() {
            Ok(i) => out.push(Key::Index(i)),
            Err(_) => out.push(Key::Name(part.to_owned())),
        }
        if out.len() > MAX_PATH_SEGMENTS {
            return Err(format!("parameter name {key:?} is nested too deeply"));
        }
    }
    Ok(out)
}

fn insert(branch: &mut Vec<(Key, Node)>, path: &[Key], value: String) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    let pos = branch.iter().position(|(k, _)| k == first);
    if rest.is_empty() {
        match pos {
            // A repeated key: the last one wins, as in most form readers.
            Some(i) => branch[i].1 = Node::Leaf(value),
            None => branch.push((first.clone(), Node::Leaf(value))),
        }
        return Ok(());
    }
    let i = match pos {
        Some(i) => i,
        None => {
            branch.push((first.clone(), Node::Branch(Vec::new())));
            branch.len() - 1
        }
    };
    match &mut branch[i].1 {
        Node::Branch(children) => insert(children, rest, value),
        node @ Node::Leaf(_) => {
            // `X=` (an empty list) followed by `X.member.1=…`: the members win.
            let mut children = Vec::new();
            insert(&mut children, rest, value)?;
            *node = Node::Branch(children);
            Ok(())
        }
    }
}

fn to_value(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::Str(s),
        Node::Branch(children) => {
            if !children.is_empty() && children.iter().all(|(k, _)| matches!(k, Key::Index(_))) {
                let mut items: Vec<(u64, Node)> = children
                    .into_iter()
                    .filter_map(|(k, n)| match k {
                        Key::Index(i) => Some((i, n)),
                        Key::Name(_) => None,
                    })
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                Value::List(items.into_iter().map(|(_, n)| to_value(n)).collect())
            } else {
                Value::Struct(
                    children
                        .into_iter()
                        .map(|(k, n)| {
                            let name = match k {
                                Key::Name(s) => s,
                                Key::Index(i) => i.to_string(),
                            };
                            (name, to_value(n))
                        })
                        .collect(),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn unflattens_cloudwatch_put_metric_data() {
        let body = b"Action=PutMetricData&Version=2010-08-01&Namespace=MyApp&MetricData.member.1.MetricName=Latency&MetricData.member.1.Value=12.5&MetricData.member.1.Dimensions.member.2.Name=B&MetricData.member.1.Dimensions.member.1.Name=Host&MetricData.member.1.Dimensions.member.1.Value=a&MetricData.member.1.Timestamp=2024-01-01T00%3A00%3A00Z";
        let form = decode(body).expect("parses");
        assert_eq!(form.action.as_deref(), Some("PutMetricData"));
        assert_eq!(form.version.as_deref(), Some("2010-08-01"));
        let datum = Value::Struct(vec![
            ("MetricName".into(), s("Latency")),
            ("Value".into(), s("12.5")),
            (
                "Dimensions".into(),
                Value::List(vec![
                    Value::Struct(vec![("Name".into(), s("Host")), ("Value".into(), s("a"))]),
                    Value::Struct(vec![("Name".into(), s("B"))]),
                ]),
            ),
            ("Timestamp".into(), s("2024-01-01T00:00:00Z")),
        ]);
        assert_eq!(
            form.params,
            Value::Struct(vec![
                ("Namespace".into(), s("MyApp")),
                ("MetricData".into(), Value::List(vec![datum])),
            ])
        );
    }

    #[test]
    fn map_entries_and_empty_lists() {
        let form = decode(b"Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x&Tags=")
            .expect("parses");
        assert_eq!(
            form.params.get("Attributes"),
            Some(&Value::List(vec![Value::Struct(vec![
                ("key".into(), s("DisplayName")),
                ("value".into(), s("x"))
            ])]))
        );
        assert_eq!(form.params.get("Tags"), Some(&s("")));
    }

    #[test]
    fn rejects_malformed_names() {
        assert!(decode(b"A..b=1").is_err());
        assert!(decode(b"Action=X&.=1").is_err());
    }
}
