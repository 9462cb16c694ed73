//! Fields of non-JSON formats Insights discovers (Lambda `REPORT` lines, default-format VPC
//! flow log records), and a fast reading of small JSON integers.

use crate::eval::Row;
use crate::value::Value;

/// A JSON integer of at most 15 digits (so exact as an `f64`, as `str::parse` gives it),
/// read without the general float parser; `None` for anything else.
pub(super) fn small_int(b: &[u8]) -> Option<f64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut n = 0i64;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    let x = n as f64;
    Some(if neg { -x } else { x })
}

/// The fields of a VPC flow log record in the default format (version 2), in order.
pub(super) const VPC_FIELDS: [&str; 14] = [
    "version",
    "accountId",
    "interfaceId",
    "srcAddr",
    "dstAddr",
    "srcPort",
    "dstPort",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "logStatus",
];

/// A default-format VPC flow log record (`2 <account> eni-… <src> <dst> … ACCEPT OK`) becomes
/// its 14 named fields, as Insights discovers them in flow log groups.
pub(super) fn vpc_flow_log(msg: &str, row: &mut Row) {
    let parts: Vec<&str> = msg.split(' ').collect();
    if parts.len() != VPC_FIELDS.len()
        || parts[0] != "2"
        || !(parts[2].starts_with("eni-") || parts[2] == "-")
        || !matches!(parts[12], "ACCEPT" | "REJECT" | "-")
        || !matches!(parts[13], "OK" | "NODATA" | "SKIPDATA")
    {
        return;
    }
    for (name, v) in VPC_FIELDS.iter().zip(parts) {
        if v == "-" {
            continue;
        }
        let value = match v.parse::<f64>() {
            Ok(n) if !matches!(*name, "accountId" | "interfaceId") => Value::Num(n),
            _ => Value::str(v),
        };
        row.set(name, value);
    }
}

/// `REPORT RequestId: id\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax
/// Memory Used: 60 MB` → `@type`, `@requestId`, `@duration`, `@billedDuration`, `@memorySize`
/// and `@maxMemoryUsed` (memory in bytes, as Insights reports it).
pub(super) fn lambda_report(msg: &str, row: &mut Row) {
    row.set("@type", Value::str("REPORT"));
    for part in msg.split('\t') {
        let Some((k, v)) = part.split_once(':') else {
            continue;
        };
        let v = v.trim();
        let num = |s: &str| {
            s.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
        };
        let (name, value) = match k.trim() {
            "REPORT RequestId" => ("@requestId", Value::str(v)),
            "Duration" => ("@duration", num(v).map_or(Value::Null, Value::Num)),
            "Billed Duration" => ("@billedDuration", num(v).map_or(Value::Null, Value::Num)),
            "Memory Size" => (
                "@memorySize",
                num(v).map_or(Value::Null, |m| Value::Num(m * 1_000_000.0)),
            ),
            "Max Memory Used" => (
                "@maxMemoryUsed",
                num(v).map_or(Value::Null, |m| Value::Num(m * 1_000_000.0)),
            ),
            "Init Duration" => ("@initDuration", num(v).map_or(Value::Null, Value::Num)),
            _ => continue,
        };
        row.set(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_ints_read_as_the_float_parser_reads_them() {
        for t in [
            "0",
            "-0",
            "7",
            "-12",
            "200",
            "503",
            "999999999999999",
            "-999999999999999",
        ] {
            assert_eq!(
                small_int(t.as_bytes()).map(f64::to_bits),
                t.parse::<f64>().ok().map(f64::to_bits),
                "{t}"
            );
        }
        for t in ["", "-", "1.5", "1e3", "1234567890123456", "12a", "+1", " 1"] {
            assert_eq!(small_int(t.as_bytes()), None, "{t}");
        }
    }
}
