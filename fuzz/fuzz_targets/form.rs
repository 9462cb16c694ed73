//! The awsquery form un-flattener never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = openwatch_wire::protocol::query::decode(data);
});
