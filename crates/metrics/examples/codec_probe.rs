//! Bytes per value of the value codec (one pco page per series, as blocks store them) against one
//! pco stream of all values, for 1 000 random-walk series of 1, 2 and 4 hours at 10 s.
//!
//! `cargo run --release -p openwatch-metrics --example codec_probe`
use openwatch_metrics::codec::bytes::Writer;
use openwatch_metrics::codec::values;

fn main() {
    let mut s = 0x5eedu64;
    let mut rnd = || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    };
    for (name, n) in [("1h", 360usize), ("2h", 720), ("4h", 1440)] {
        for decimals in [false, true] {
            let pages: Vec<Vec<f64>> = (0..1000)
                .map(|_| {
                    let mut w = 50.0f64;
                    (0..n)
                        .map(|_| {
                            w = (w + (rnd() - 0.5) * 4.0).clamp(0.0, 100.0);
                            if decimals {
                                (w * 100.0).round() / 100.0
                            } else {
                                w.round()
                            }
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[f64]> = pages.iter().map(Vec::as_slice).collect();
            let mut w = Writer::default();
            values::encode(&refs, &mut w).ok();
            let all: Vec<f64> = pages.iter().flatten().copied().collect();
            let one = pco::standalone::simple_compress(&all, &pco::ChunkConfig::default())
                .unwrap_or_default();
            println!(
                "{name} decimals={decimals}: paged {:.3} B/value, one stream {:.3} B/value",
                w.len() as f64 / (1000 * n) as f64,
                one.len() as f64 / (1000 * n) as f64
            );
        }
    }
}
