//! The Logs Insights parser never panics; an error's span lies inside the query; a query that
//! parses runs over a few events (JSON, text, a Lambda REPORT) without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openwatch_insights::{Event, parse, run_events};

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    match parse(q) {
        Err(e) => {
            assert!(
                e.start <= e.end && e.end <= q.len(),
                "span {e} outside {}",
                q.len()
            );
            let _ = e.aws_message(q);
        }
        Ok(_) => {
            let msgs = [
                r#"{"a":1,"b":"x","c":[{"d":2}],"ip":"10.0.0.1"}"#,
                "ERROR user=42 took 17ms [WARN] id=7;",
                "REPORT RequestId: 1\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
            ];
            let events: Vec<(Event<'_>, bool)> = msgs
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    (
                        Event {
                            timestamp: 1_704_067_200_000 + i as i64 * 61_000,
                            ingestion_time: 1_704_067_200_000,
                            message: m,
                            log_stream: "s",
                            log: "123456789012:g",
                            ptr: "p",
                        },
                        i == 2,
                    )
                })
                .collect();
            let _ = run_events(q, &events, 1_704_153_600_000, Some(100));
        }
    }
});
