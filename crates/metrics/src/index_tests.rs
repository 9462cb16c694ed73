//! Index tests: validated datums resolve to their series, postings filters, key equality.

use super::*;
use crate::model::MetricDatum;

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
        crate::validate::validate_put_with(Some("App"), &data, 60_000, |d, p| {
            ix.resolve("1", region, "App", d, p)
        })
        .expect("valid")
    };
    let valid = validate(&ix, "r");
    assert_eq!(valid[0].series(), None);
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
    assert_eq!(validate(&ix, "r")[0].series(), Some(id));
    let valid = validate(&ix, "q");
    assert_eq!(valid[0].series(), None, "another region is another series");
    assert_ne!(ix.get_or_create_valid("1", "q", "App", &valid[0]), id);
}

/// Validates `data` against `ix` (resolving first) and applies it; returns the series ids and
/// whether validation found each by the request's order (`Target::Known`).
fn put(ix: &mut Index, region: &str, data: &[MetricDatum]) -> Vec<(SeriesId, bool)> {
    let valid = crate::validate::validate_put_with(Some("App"), data, 60_000, |d, p| {
        ix.resolve("1", region, "App", d, p)
    })
    .expect("valid");
    valid
        .iter()
        .map(|d| {
            let known = matches!(d.target, crate::validate::Target::Known(_));
            (ix.get_or_create_valid("1", region, "App", d), known)
        })
        .collect()
}

fn host(h: &str, az: &str, az_first: bool) -> MetricDatum {
    let d = MetricDatum::value("Latency", 60_000, 1.0);
    if az_first {
        d.with_dimension("Az", az).with_dimension("Host", h)
    } else {
        d.with_dimension("Host", h).with_dimension("Az", az)
    }
}

#[test]
fn the_request_order_is_learned_and_any_order_is_the_same_series() {
    let mut ix = Index::default();
    let a = put(&mut ix, "r", &[host("a", "x", false)]);
    assert_eq!(a, vec![(0, false)], "created");
    assert_eq!(put(&mut ix, "r", &[host("a", "x", false)]), vec![(0, true)]);
    // Another order: found by the sorted key, then learned.
    assert_eq!(put(&mut ix, "r", &[host("a", "x", true)]), vec![(0, false)]);
    assert_eq!(put(&mut ix, "r", &[host("a", "x", true)]), vec![(0, true)]);
    // Other values, names, metric, region: other series.
    let b = put(&mut ix, "r", &[host("b", "x", false), host("a", "y", true)]);
    assert_eq!(b, vec![(1, false), (2, false)]);
    let mut renamed = host("a", "x", false);
    renamed.dimensions[1].name = "Zone".into();
    assert_eq!(put(&mut ix, "r", &[renamed]), vec![(3, false)]);
    assert_eq!(
        put(&mut ix, "q", &[host("a", "x", false)]),
        vec![(4, false)]
    );
    assert_eq!(put(&mut ix, "q", &[host("a", "x", false)]), vec![(4, true)]);
    assert_eq!(put(&mut ix, "r", &[host("a", "x", false)]), vec![(0, true)]);
    assert_eq!(ix.len(), 5);
}

#[test]
fn a_hash_collision_never_merges_two_series() {
    let mut ix = Index::default();
    put(&mut ix, "r", &[host("a", "x", false)]);
    // Make series 0's learned order the slot of another key's hash, as a collision would.
    let order_hash = |d: &MetricDatum| {
        let dims: Vec<DimensionRef<'_>> = d.dimensions.iter().map(DimensionRef::from).collect();
        mix(
            tenant_hash("1", "r", "App"),
            datum_hash("Latency", dims.iter().map(|x| (x.name, x.value))),
        )
    };
    let slot = *ix
        .order
        .slots
        .get(&order_hash(&host("a", "x", false)))
        .expect("learned");
    let other = host("b", "x", false);
    ix.order.slots.insert(order_hash(&other), slot);
    let got = put(&mut ix, "r", std::slice::from_ref(&other));
    assert_eq!(got, vec![(1, false)], "verified by key, not by hash");
    assert_eq!(
        put(&mut ix, "r", &[other]),
        vec![(1, false)],
        "its slot stays taken"
    );
    assert_eq!(put(&mut ix, "r", &[host("a", "x", false)]), vec![(0, true)]);
}

#[test]
fn learned_keys_compare_exactly() {
    let mut c = order::OrderCache::default();
    let d = |n: &'static str, v: &'static str| DimensionRef { name: n, value: v };
    let slot = |chunk, offset| order::Slot {
        series: 7,
        tenant: 1,
        chunk,
        offset,
    };
    let key = [d("Host", "a"), d("Az", "x")];
    c.insert(42, slot, "Latency", &key);
    assert_eq!(c.get(1, 42, "Latency", &key), Some(7));
    assert_eq!(c.get(2, 42, "Latency", &key), None, "another tenant");
    assert_eq!(c.get(1, 43, "Latency", &key), None, "another hash");
    for (m, k) in [
        ("Latenc", &key[..]),
        ("Latency", &key[..1]),
        ("Latency", &[d("Az", "x"), d("Host", "a")][..]),
        ("Latency", &[d("Host", "a"), d("Az", "y")][..]),
        ("Latency", &[d("Host", "a"), d("Az", "x"), d("B", "c")][..]),
        ("Latency", &[d("Host", "aAz"), d("", "x")][..]),
    ] {
        assert_eq!(c.get(1, 42, m, k), None, "{m} {k:?}");
    }
}

#[test]
fn datum_hashes_differ_by_order_split_and_every_byte() {
    let h = |name: &str, dims: &[(&str, &str)]| datum_hash(name, dims.iter().copied());
    assert_ne!(
        h("M", &[("a", "1"), ("b", "2")]),
        h("M", &[("b", "2"), ("a", "1")])
    );
    assert_ne!(h("M", &[("ab", "c")]), h("M", &[("a", "bc")]));
    assert_ne!(h("M", &[("a", "")]), h("M", &[("", "a")]));
    assert_ne!(h("M", &[]), h("M", &[("", "")]));
    // Every byte of strings of every length class counts (1–3, 4–7, 8–16, longer).
    let mut seen = std::collections::HashSet::new();
    for len in 0..40 {
        for at in 0..len {
            let mut s = vec![b'x'; len];
            s[at] = b'y';
            let s = String::from_utf8(s).expect("ascii");
            assert!(seen.insert(h(&s, &[])), "name {s}");
            assert!(seen.insert(h("M", &[("n", &s)])), "value {s}");
        }
    }
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
    let _other_region = ix.get_or_create("1", "q", "App", "Latency", &[] as &[Dimension]);
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

mod props {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// (second region, metric, dimensions sorted by name).
    type Key = (bool, u8, Vec<(u8, u8)>);

    /// A datum of metric `m` with dimensions `dims` (name index, value) in the given order.
    fn datum(m: u8, dims: &[(u8, u8)]) -> MetricDatum {
        let mut d = MetricDatum::value(format!("M{m}"), 60_000, 1.0);
        for (n, v) in dims {
            d = d.with_dimension(format!("d{n}"), format!("v{v}"));
        }
        d
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any batches of keys, in any dimension order, in two regions: a datum gets the id of
        /// the first datum with the same sorted key, and distinct keys get distinct ids.
        #[test]
        fn ids_follow_the_sorted_key(
            batches in prop::collection::vec(
                prop::collection::vec(
                    (0u8..3, prop::collection::btree_map(0u8..5, 0u8..3, 0..4), any::<u64>(), any::<bool>()),
                    1..12,
                ),
                1..8,
            )
        ) {
            let mut ix = Index::default();
            let mut want: HashMap<Key, SeriesId> = HashMap::new();
            for batch in batches {
                let mut keys = Vec::new();
                let data: Vec<MetricDatum> = batch
                    .iter()
                    .map(|(m, dims, shuffle, q)| {
                        let sorted: Vec<(u8, u8)> = dims.iter().map(|(n, v)| (*n, *v)).collect();
                        let mut order = sorted.clone();
                        if !order.is_empty() {
                            let by = (*shuffle as usize) % order.len();
                            order.rotate_left(by);
                            if shuffle & 1 == 1 {
                                order.reverse();
                            }
                        }
                        keys.push((*q, *m, sorted));
                        datum(*m, &order)
                    })
                    .collect();
                for q in [false, true] {
                    let region = if q { "q" } else { "r" };
                    let idx: Vec<usize> = (0..data.len()).filter(|i| keys[*i].0 == q).collect();
                    if idx.is_empty() {
                        continue;
                    }
                    let part: Vec<MetricDatum> = idx.iter().map(|i| data[*i].clone()).collect();
                    let got = put(&mut ix, region, &part);
                    for (i, (id, _)) in idx.iter().zip(got) {
                        let next = SeriesId::try_from(want.len()).expect("few");
                        let expected = *want.entry(keys[*i].clone()).or_insert(next);
                        prop_assert_eq!(id, expected, "{:?}", keys[*i]);
                    }
                }
            }
            prop_assert_eq!(ix.len(), want.len());
        }
    }
}
