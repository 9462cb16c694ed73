//! The event-pattern parser never panics; a parsed pattern matches any JSON without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, event) = text.split_once('\u{0}').unwrap_or((text, "{}"));
    if let Ok(p) = openwatch_patterns::Pattern::parse(pattern)
        && let Ok(event) = serde_json::from_str::<serde_json::Value>(event)
    {
        let _ = p.matches(&event);
    }
});
