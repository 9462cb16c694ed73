//! The Logs filter-pattern parser and matcher never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    openwatch_logs::filter_pattern::fuzz_parse_and_match(data);
});
