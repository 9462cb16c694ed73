//! The result of matching one event: what metric filters and `TestMetricFilter` read from it.

use std::collections::BTreeMap;

use super::json::Json;
use super::selector::Selector;

/// A successful match of a [`super::FilterPattern`] against one event message.
///
/// For space-delimited patterns it holds the fields (`$status`, `$1`, ...); for JSON patterns it holds
/// the parsed event, so a metric value or dimension such as `$.latency` can be read from it.
#[derive(Debug, Clone)]
pub struct Match<'m> {
    inner: Inner<'m>,
}

#[derive(Debug, Clone)]
enum Inner<'m> {
    Text,
    Json(Json<'m>),
    /// (name without `$`, value) in pattern order.
    Fields(Vec<(String, &'m str)>),
}

impl<'m> Match<'m> {
    pub(crate) fn text() -> Self {
        Self { inner: Inner::Text }
    }

    pub(crate) fn json(event: Json<'m>) -> Self {
        Self {
            inner: Inner::Json(event),
        }
    }

    pub(crate) fn fields(fields: Vec<(String, &'m str)>) -> Self {
        Self {
            inner: Inner::Fields(fields),
        }
    }

    /// Resolves a metric-value or dimension reference against the matched event:
    /// `$name` / `$3` for space-delimited patterns, `$.a.b` / `$.arr[0]` for JSON patterns. Returns the
    /// text of a string, number (as written) or boolean; `None` for null, arrays, objects, unknown names,
    /// and text patterns (which extract nothing). A wildcard selector yields its first value.
    pub fn value(&self, selector: &str) -> Option<String> {
        match &self.inner {
            Inner::Text => None,
            Inner::Fields(fields) => {
                let name = selector.strip_prefix('$')?;
                fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| (*v).to_string())
            }
            Inner::Json(event) => {
                let sel = Selector::parse_str(selector).ok()?;
                let mut nodes = Vec::new();
                sel.resolve(event, &mut nodes);
                nodes.first()?.scalar_text().map(|t| t.into_owned())
            }
        }
    }

    /// The extracted values in the shape `TestMetricFilter` returns them: `{"$status": "404", "$1":
    /// "127.0.0.1", ...}` for space-delimited patterns, empty for text and JSON patterns (AWS returns
    /// `{}` for those).
    pub fn extracted_values(&self) -> BTreeMap<String, String> {
        match &self.inner {
            Inner::Fields(fields) => fields
                .iter()
                .map(|(n, v)| (format!("${n}"), (*v).to_string()))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// The space-delimited fields as (name without `$`, value), in pattern order; empty otherwise.
    pub fn field_values(&self) -> impl Iterator<Item = (&str, &'m str)> + '_ {
        let fields: &[(String, &'m str)] = match &self.inner {
            Inner::Fields(f) => f,
            _ => &[],
        };
        fields.iter().map(|(n, v)| (n.as_str(), *v))
    }
}
