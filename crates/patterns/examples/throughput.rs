//! Micro-benchmark: GeoJSON-like events (~900 bytes) against 1,000 mixed rules, events/s on one core.
//! Run with `cargo run -p openwatch-patterns --release --example throughput`.

use std::time::Instant;

use openwatch_patterns::{Pattern, RuleSet};
use serde_json::{Value, json};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

const STREETS: &[&str] = &[
    "OCTAVIA", "MARKET", "MISSION", "VALENCIA", "GUERRERO", "DOLORES", "CHURCH", "SANCHEZ",
];

fn event(r: &mut Lcg) -> Value {
    let street = STREETS[(r.next() % STREETS.len() as u64) as usize];
    let coords: Vec<Value> = (0..12)
        .map(|_| {
            json!([
                -122.0 - (r.next() % 1000) as f64 / 1e4,
                37.0 + (r.next() % 1000) as f64 / 1e4
            ])
        })
        .collect();
    json!({
        "type": "Feature",
        "properties": {
            "MAPBLKLOT": format!("{:07}", r.next() % 10_000_000),
            "BLKLOT": format!("{:07}", r.next() % 10_000_000),
            "BLOCK_NUM": format!("{:04}", r.next() % 10_000),
            "LOT_NUM": format!("{:03}", r.next() % 1000),
            "FROM_ST": (r.next() % 5000).to_string(),
            "TO_ST": (r.next() % 5000).to_string(),
            "STREET": street,
            "ST_TYPE": if r.next().is_multiple_of(2) { "ST" } else { "AVE" },
            "ODD_EVEN": if r.next().is_multiple_of(2) { "O" } else { "E" },
            "AREA": (r.next() % 100_000) as f64 / 10.0,
        },
        "geometry": { "type": "Polygon", "coordinates": [coords] }
    })
}

fn rule(i: u64, r: &mut Lcg) -> Value {
    let street = STREETS[(r.next() % STREETS.len() as u64) as usize];
    match i % 6 {
        0 => {
            json!({"type": ["Feature"], "properties": {"STREET": [street], "FROM_ST": [(r.next() % 5000).to_string()]}})
        }
        1 => json!({"properties": {"MAPBLKLOT": [{"prefix": format!("{:03}", r.next() % 1000)}]}}),
        2 => {
            json!({"properties": {"BLKLOT": [{"suffix": format!("{:03}", r.next() % 1000)}], "ST_TYPE": ["ST"]}})
        }
        3 => {
            let lo = (r.next() % 10_000) as f64;
            json!({"properties": {"AREA": [{"numeric": [">=", lo, "<", lo + 5.0]}], "ODD_EVEN": ["O"]}})
        }
        4 => {
            json!({"properties": {"STREET": [{"wildcard": format!("{}*", &street[..2])}], "LOT_NUM": [format!("{:03}", r.next() % 1000)]}})
        }
        _ => {
            json!({"geometry": {"type": ["Polygon"]}, "properties": {"STREET": [{"anything-but": [street]}], "BLOCK_NUM": [format!("{:04}", r.next() % 10_000)]}})
        }
    }
}

fn main() {
    let mut r = Lcg(42);
    let mut set = RuleSet::new();
    for i in 0..1000u64 {
        let p = Pattern::from_value(&rule(i, &mut r)).unwrap_or_else(|e| panic!("rule {i}: {e}"));
        set.add(i, &p);
    }
    let events: Vec<Value> = (0..1000).map(|_| event(&mut r)).collect();
    let raw: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap_or_default())
        .collect();
    let avg = raw.iter().map(Vec::len).sum::<usize>() / raw.len();
    let rounds = 200;
    let mut matched = 0usize;
    let t = Instant::now();
    for _ in 0..rounds {
        for e in &events {
            set.for_each_match(e, |_| matched += 1);
        }
    }
    let value_rate = (rounds * events.len()) as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..rounds {
        for b in &raw {
            matched += set.matches_bytes(b).map_or(0, |v| v.len());
        }
    }
    let raw_rate = (rounds * raw.len()) as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..rounds / 10 {
        for b in &raw {
            let v: Value = serde_json::from_slice(b).unwrap_or(Value::Null);
            matched += usize::from(v.is_object());
        }
    }
    let parse_rate = (rounds / 10 * raw.len()) as f64 / t.elapsed().as_secs_f64();
    println!("1000 rules, events of ~{avg} bytes, {matched} matches counted");
    println!("parsed Value events: {value_rate:>12.0} events/s");
    println!("raw JSON bytes:      {raw_rate:>12.0} events/s (includes decoding)");
    println!("serde_json parse only (for scale): {parse_rate:>12.0} events/s");
}
