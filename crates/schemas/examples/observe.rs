//! The cost discovery adds to each accepted event: `Schemas::observe` per event with no
//! discoverer, with a started discoverer and one repeated shape, and with a new shape every 100
//! events. Run: `cargo run --release -p openwatch-schemas --example observe`.

use std::sync::Arc;
use std::time::Instant;

use openwatch_schemas::{Catalog, CreateDiscoverer, Schemas, SimClock};
use serde_json::json;

const N: usize = 200_000;
const A: &str = "111122223333";
const R: &str = "us-east-1";

fn event(i: usize, shape: usize) -> serde_json::Value {
    let mut detail = json!({
        "orderId": format!("o-{i}"), "amount": i, "currency": "EUR",
        "placedAt": "2026-11-29T12:00:00Z",
        "customer": {"id": "c-1", "tier": "gold", "address": {"city": "Lyon", "zip": "69001"}},
        "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]
    });
    detail[format!("f{shape}")] = json!(true);
    json!({"version": "0", "id": "e", "detail-type": "Order Placed", "source": "shop",
        "account": A, "time": "2026-11-29T12:00:00Z", "region": R, "resources": [],
        "detail": detail})
}

fn run(s: &Schemas, label: &str, shape_every: usize) {
    let events: Vec<_> = (0..N).map(|i| event(i, i / shape_every)).collect();
    let t = Instant::now();
    for e in &events {
        s.observe(A, R, "default", e);
    }
    let per = t.elapsed().as_nanos() as f64 / N as f64;
    s.flush_discovery();
    println!("{label:<40} {per:>8.0} ns/event on the request path");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let catalog = Arc::new(Catalog::open(&dir.path().join("c.redb"))?);
    let s = Schemas::open(catalog, Arc::new(SimClock::new(1_764_400_000_000)))?;
    run(&s, "no discoverer", usize::MAX);
    s.create_discoverer(
        A,
        R,
        CreateDiscoverer {
            source_arn: format!("arn:aws:events:{R}:{A}:event-bus/default"),
            ..CreateDiscoverer::default()
        },
    )?;
    run(&s, "discoverer, one shape", usize::MAX);
    run(&s, "discoverer, a new shape every 100 events", 100);
    let t = Instant::now();
    s.flush_discovery();
    let (schema, _) = s.describe_schema(A, R, "discovered-schemas", "shop@OrderPlaced", None)?;
    println!(
        "versions of shop@OrderPlaced: {} (flush {:?})",
        schema.versions.len(),
        t.elapsed()
    );
    Ok(())
}
