//! WAL replay's frame decoder never panics on arbitrary (torn, corrupt) segment bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = openwatch_storage::wal::decode_records(data);
    let _ = openwatch_storage::wal::decode_segment(data);
});
