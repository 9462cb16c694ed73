//! Index tests: validated datums resolve to their series, postings filters, key equality.

use super::*;

fn dims(pairs: &[(&str, &str)]) -> Vec<&'static Dimension> {
    let mut v: Vec<&'static Dimension> = pairs
        .iter()
        .map(|(n, v)| &*Box::leak(Box::new(Dimension::new(*n, *v))))
        .collect();
    v.sort();
    v
}

#[test]
fn validated_datums_resolve_to_the_same_series() {
    let mut ix = Index::default();
    let data = [crate::model::MetricDatum::value("Latency", 60_000, 1.0)
        .with_dimension("Host", "a")
        .with_dimension("Az", "x")];
    let validate = |ix: &Index, region: &str| {
        crate::validate::validate_put_with(Some("App"), &data, 60_000, |p| {
            ix.resolve("1", region, "App", p)
        })
        .expect("valid")
    };
    let valid = validate(&ix, "r");
    assert_eq!(valid[0].series, None);
    let id = ix.get_or_create_valid("1", "r", "App", &valid[0]);
    assert_eq!(
        ix.find(
            "1",
            "r",
            "App",
            "Latency",
            &dims(&[("Host", "a"), ("Az", "x")])
        ),
        Some(id)
    );
    assert_eq!(validate(&ix, "r")[0].series, Some(id));
    let valid = validate(&ix, "q");
    assert_eq!(valid[0].series, None, "another region is another series");
    assert_ne!(ix.get_or_create_valid("1", "q", "App", &valid[0]), id);
}

#[test]
fn str_eq_is_string_equality() {
    let words = [
        "",
        "a",
        "b",
        "ab",
        "abc",
        "abd",
        "abcd",
        "abce",
        "abcdefg",
        "abcdefgh",
        "abcdefgi",
        "abcdefghi",
        "abcdefghj",
        "bbcdefghi",
        "abcdefghijklmnop",
        "abcdefghijklmnoq",
        "xbcdefghijklmnopq",
        "abcdefghijklmnopq",
        "abcdefghijklmnopr",
    ];
    for a in words {
        for b in words {
            assert_eq!(str_eq(a, b), a == b, "{a:?} {b:?}");
        }
    }
}

#[test]
fn list_filters_by_every_term() {
    let mut ix = Index::default();
    let a = ix.get_or_create("1", "r", "App", "Latency", &dims(&[("Host", "a")]));
    let b = ix.get_or_create("1", "r", "App", "Latency", &dims(&[("Host", "b")]));
    let c = ix.get_or_create(
        "1",
        "r",
        "App",
        "Errors",
        &dims(&[("Host", "a"), ("Az", "x")]),
    );
    let _other_region = ix.get_or_create("1", "q", "App", "Latency", &[]);
    assert_eq!(
        ix.get_or_create("1", "r", "App", "Latency", &dims(&[("Host", "a")])),
        a
    );
    let f = |ns: Option<&str>, m: Option<&str>, d: &[(&str, Option<&str>)]| ListFilter {
        namespace: ns.map(str::to_owned),
        metric_name: m.map(str::to_owned),
        dimensions: d
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.map(str::to_owned)))
            .collect(),
        active_since: None,
    };
    assert_eq!(
        ix.list("1", "r", &f(None, None, &[]), None, 10),
        vec![a, b, c]
    );
    assert_eq!(
        ix.list("1", "r", &f(Some("App"), Some("Latency"), &[]), None, 10),
        vec![a, b]
    );
    assert_eq!(
        ix.list("1", "r", &f(None, None, &[("Host", Some("a"))]), None, 10),
        vec![a, c]
    );
    assert_eq!(
        ix.list("1", "r", &f(None, None, &[("Az", None)]), None, 10),
        vec![c]
    );
    assert_eq!(ix.list("1", "r", &f(None, None, &[]), Some(a), 1), vec![b]);
    assert!(
        ix.list("1", "r", &f(Some("Nope"), None, &[]), None, 10)
            .is_empty()
    );
    assert!(ix.list("2", "r", &f(None, None, &[]), None, 10).is_empty());
}
