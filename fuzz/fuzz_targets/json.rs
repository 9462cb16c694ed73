//! The awsJson request decoder never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openwatch_wire::Protocol;

fuzz_target!(|data: &[u8]| {
    let _ = Protocol::AwsJson11.decode(data);
});
