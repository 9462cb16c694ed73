//! The property test of the fast PutMetricData read: random request bodies — every member
//! present or not, in any order, mostly of the right type, sometimes repeated, unknown (or
//! named one byte off a known member), `null`, escaped or out of range; JSON compact or spaced —
//! read fast and generically, in awsJson and in CBOR.

#![allow(clippy::unwrap_used)]

use openwatch_wire::protocol::cbor;
use openwatch_wire::{Protocol, Value};
use proptest::prelude::*;

use super::tests::same_as_generic;

/// A JSON value for the property test, possibly with repeated members and escaped text.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    /// A JSON number token; in CBOR an integer or a double.
    Num(&'static str),
    /// In CBOR a tag 1.
    Ts(f64),
    /// Text, and whether JSON spells it with `\u` escapes.
    Str(String, bool),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    /// The JSON text; `compact` without a space after the commas between members.
    fn json(&self, out: &mut String, compact: bool) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(n) => out.push_str(n),
            J::Ts(t) => out.push_str(&serde_json::to_string(t).unwrap()),
            J::Str(s, false) => out.push_str(&serde_json::to_string(s).unwrap()),
            J::Str(s, true) => {
                out.push('"');
                for u in s.encode_utf16() {
                    out.push_str(&format!("\\u{u:04x}"));
                }
                out.push('"');
            }
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.json(out, compact);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(if compact { "," } else { ", " });
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    v.json(out, compact);
                }
                out.push('}');
            }
        }
    }

    fn value(&self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Num(n) => n
                .parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::Float(n.parse().unwrap())),
            J::Ts(t) => Value::Timestamp(*t),
            J::Str(s, _) => Value::Str(s.clone()),
            J::Arr(items) => Value::List(items.iter().map(J::value).collect()),
            J::Obj(m) => Value::Struct(m.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
        }
    }
}

const NUMBERS: [&str; 16] = [
    "0",
    "-0",
    "1",
    "-1",
    "12.34",
    "1e3",
    "1767225600",
    "1767225600.5",
    "60",
    "1.0",
    "0.1",
    "5e-324",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1.5",
];

fn text() -> impl Strategy<Value = J> {
    (
        prop::sample::select(vec![
            "cpu", "", "héllo", "a\"b", "tab\t", "✓", "😀", "x\\y", "Count",
        ]),
        any::<bool>(),
        0..4usize,
    )
        .prop_map(|(s, escaped, repeat)| J::Str(s.repeat(repeat.max(1)), escaped && repeat == 3))
}

fn number() -> impl Strategy<Value = J> {
    prop_oneof![
        8 => prop::sample::select(NUMBERS.to_vec()).prop_map(J::Num),
        1 => prop::sample::select(vec![1_767_225_600.0, 1.5, -0.0, f64::NAN]).prop_map(J::Ts),
    ]
}

/// Something of any type (what a wrongly typed member holds).
fn anything() -> impl Strategy<Value = J> {
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        number(),
        text(),
        prop::collection::vec(number(), 0..3).prop_map(J::Arr),
        Just(J::Obj(Vec::new())),
    ]
}

/// `right` most of the time, anything otherwise.
fn mostly(right: BoxedStrategy<J>) -> BoxedStrategy<J> {
    prop_oneof![9 => right, 1 => anything()].boxed()
}

fn structure(members: Vec<(&'static str, BoxedStrategy<J>)>) -> BoxedStrategy<J> {
    let names: Vec<&'static str> = members.iter().map(|(n, _)| *n).collect();
    let values: Vec<BoxedStrategy<Option<J>>> = members
        .into_iter()
        .map(|(_, s)| prop::option::weighted(0.6, s).boxed())
        .collect();
    (values, 0..40usize)
        .prop_map(move |(values, twist)| {
            let mut m: Vec<(String, J)> = names
                .iter()
                .zip(values)
                .filter_map(|(n, v)| v.map(|v| ((*n).to_owned(), v)))
                .collect();
            match twist {
                0 if !m.is_empty() => m.push(m[0].clone()),
                1 => m.push(("Extra".into(), J::Num("1"))),
                2 => m.reverse(),
                // Another order: the reader's expectation (the last structure's order) misses.
                5 if m.len() > 2 => m.rotate_left(1),
                // A name one byte longer or shorter than a known member's.
                3 if !m.is_empty() => m[0].0.push('s'),
                4 if !m.is_empty() => {
                    m[0].0.pop();
                }
                _ => {}
            }
            J::Obj(m)
        })
        .boxed()
}

fn datum() -> BoxedStrategy<J> {
    let dimension = structure(vec![
        ("Name", mostly(text().boxed())),
        ("Value", mostly(text().boxed())),
    ]);
    let numbers = || {
        prop::collection::vec(mostly(number().boxed()), 0..4)
            .prop_map(J::Arr)
            .boxed()
    };
    let stats = structure(vec![
        ("SampleCount", mostly(number().boxed())),
        ("Sum", mostly(number().boxed())),
        ("Minimum", mostly(number().boxed())),
        ("Maximum", mostly(number().boxed())),
    ]);
    structure(vec![
        ("MetricName", mostly(text().boxed())),
        (
            "Dimensions",
            mostly(
                prop::collection::vec(mostly(dimension), 0..4)
                    .prop_map(J::Arr)
                    .boxed(),
            ),
        ),
        ("Timestamp", mostly(number().boxed())),
        ("Value", mostly(number().boxed())),
        ("StatisticValues", mostly(stats)),
        ("Values", mostly(numbers())),
        ("Counts", mostly(numbers())),
        ("Unit", mostly(text().boxed())),
        ("StorageResolution", mostly(number().boxed())),
    ])
}

fn request() -> BoxedStrategy<J> {
    structure(vec![
        ("Namespace", mostly(text().boxed())),
        (
            "MetricData",
            mostly(
                prop::collection::vec(mostly(datum()), 0..4)
                    .prop_map(J::Arr)
                    .boxed(),
            ),
        ),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Wherever the fast read takes a body, the generic read accepts it and reads the same
    /// datums; everywhere else the generic read answers, so the outcome is its own.
    #[test]
    fn the_fast_read_reads_what_the_generic_read_reads(body in request(), compact: bool) {
        let mut json = String::new();
        body.json(&mut json, compact);
        same_as_generic(Protocol::AwsJson10, json.as_bytes());
        let mut packed = Vec::new();
        cbor::encode(&body.value(), &mut packed);
        same_as_generic(Protocol::RpcV2Cbor, &packed);
    }
}
