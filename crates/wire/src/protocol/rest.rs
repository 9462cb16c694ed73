//! restJson1 (the Schemas API): operations chosen by method and path template, members bound
//! from path labels, query parameters and the JSON body; errors named by `X-Amzn-ErrorType`.

use bytes::Bytes;

use super::Rendered;
use crate::error::ApiError;
use crate::value::Value;

/// Where a REST input member comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// A `{label}` in the path.
    Label(&'static str),
    /// A query-string parameter.
    Query(&'static str),
    /// A repeated query-string parameter bound to a list (`?tagKeys=a&tagKeys=b`).
    QueryList(&'static str),
}

/// One REST operation: method, path template (`/v1/registries/name/{registryName}`), bindings.
#[derive(Debug, Clone)]
pub struct RestRoute {
    pub method: &'static str,
    pub template: &'static str,
    pub operation: &'static str,
    /// (wire name, member name) pairs.
    pub bindings: &'static [(Binding, &'static str)],
    /// Status of a successful response (200, 201 or 204).
    pub success_status: u16,
}

impl RestRoute {
    /// Matches a request path; returns the label values, percent-decoded.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<(&'static str, String)>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let mut labels = Vec::new();
        let mut want = self.template.trim_start_matches('/').split('/');
        let mut got = path.trim_start_matches('/').split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return Some(labels),
                (Some(w), Some(g)) => {
                    if let Some(label) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                        if let Some(greedy) = label.strip_suffix('+') {
                            let rest: Vec<&str> = std::iter::once(g).chain(got.by_ref()).collect();
                            labels.push((
                                static_label(self, greedy)?,
                                percent_decode(&rest.join("/"))?,
                            ));
                            return Some(labels);
                        }
                        if g.is_empty() {
                            return None;
                        }
                        labels.push((static_label(self, label)?, percent_decode(g)?));
                    } else if w != g {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }

    /// Builds the input [`Value`]: body members, then labels and query parameters bound by name.
    pub fn bind(
        &self,
        labels: Vec<(&'static str, String)>,
        raw_query: Option<&str>,
        body: Value,
    ) -> Value {
        let mut members = match body {
            Value::Struct(m) => m,
            _ => Vec::new(),
        };
        for (binding, member) in self.bindings {
            let value = match binding {
                Binding::Label(name) => labels
                    .iter()
                    .find(|(l, _)| l == name)
                    .map(|(_, v)| Value::Str(v.clone())),
                Binding::Query(name) => raw_query.and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| Value::Str(v.into_owned()))
                }),
                Binding::QueryList(name) => raw_query
                    .map(|q| {
                        form_urlencoded::parse(q.as_bytes())
                            .filter(|(k, _)| k == name)
                            .map(|(_, v)| Value::Str(v.into_owned()))
                            .collect::<Vec<_>>()
                    })
                    .filter(|l| !l.is_empty())
                    .map(Value::List),
            };
            if let Some(v) = value {
                members.retain(|(k, _)| k != member);
                members.push(((*member).to_owned(), v));
            }
        }
        Value::Struct(members)
    }
}

fn static_label(route: &RestRoute, label: &str) -> Option<&'static str> {
    route.bindings.iter().find_map(|(b, _)| match b {
        Binding::Label(l) if *l == label => Some(*l),
        _ => None,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn render_error(err: &ApiError) -> Rendered {
    let mut body = serde_json::json!({ "Code": err.code, "Message": err.message });
    for (name, value) in &err.details {
        body[name.as_ref()] =
            serde_json::to_value(crate::value::WireJson(value)).unwrap_or_default();
    }
    Rendered {
        status: err.status,
        content_type: "application/json",
        headers: vec![("x-amzn-errortype", err.code.to_string())],
        body: Bytes::from(body.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: RestRoute = RestRoute {
        method: "GET",
        template: "/v1/registries/name/{registryName}/schemas/name/{schemaName}",
        operation: "DescribeSchema",
        bindings: &[
            (Binding::Label("registryName"), "RegistryName"),
            (Binding::Label("schemaName"), "SchemaName"),
            (Binding::Query("schemaVersion"), "SchemaVersion"),
        ],
        success_status: 200,
    };

    #[test]
    fn binds_labels_and_query() {
        let labels = ROUTE
            .matches("GET", "/v1/registries/name/r%40x/schemas/name/s")
            .expect("matches");
        let v = ROUTE.bind(labels, Some("schemaVersion=3"), Value::empty());
        assert_eq!(v.get("RegistryName"), Some(&Value::Str("r@x".into())));
        assert_eq!(v.get("SchemaName"), Some(&Value::Str("s".into())));
        assert_eq!(v.get("SchemaVersion"), Some(&Value::Str("3".into())));
        assert!(
            ROUTE
                .matches("POST", "/v1/registries/name/r/schemas/name/s")
                .is_none()
        );
        assert!(
            ROUTE
                .matches("GET", "/v1/registries/name/r/schemas")
                .is_none()
        );
        assert!(
            ROUTE
                .matches("GET", "/v1/registries/name//schemas/name/s")
                .is_none()
        );
    }

    #[test]
    fn binds_repeated_query_parameters_as_a_list() {
        const UNTAG: RestRoute = RestRoute {
            method: "DELETE",
            template: "/tags/{resource-arn}",
            operation: "UntagResource",
            bindings: &[
                (Binding::Label("resource-arn"), "ResourceArn"),
                (Binding::QueryList("tagKeys"), "TagKeys"),
            ],
            success_status: 204,
        };
        let labels = UNTAG
            .matches(
                "DELETE",
                "/tags/arn%3Aaws%3Aschemas%3Aus-east-1%3A1%3Aregistry%2Fr",
            )
            .expect("matches");
        let v = UNTAG.bind(labels, Some("tagKeys=a&tagKeys=b%20c"), Value::empty());
        assert_eq!(
            v.get("ResourceArn"),
            Some(&Value::Str("arn:aws:schemas:us-east-1:1:registry/r".into()))
        );
        assert_eq!(
            v.get("TagKeys"),
            Some(&Value::List(vec![
                Value::Str("a".into()),
                Value::Str("b c".into())
            ]))
        );
        let none = UNTAG.bind(Vec::new(), Some("other=1"), Value::empty());
        assert_eq!(none.get("TagKeys"), None);
    }
}
