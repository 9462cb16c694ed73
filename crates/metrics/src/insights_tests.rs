//! Unit tests of the Metrics Insights parser and helpers.

use super::*;

#[test]
fn queries_parse() {
    let q = parse(
        "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\", InstanceId) WHERE InstanceId != 'i-1' AND (Env = 'prod' OR Env LIKE 'st%') GROUP BY InstanceId ORDER BY AVG() DESC LIMIT 10",
    );
    let q = q.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.func, Func::Avg);
    assert_eq!(q.namespace, "AWS/EC2");
    assert_eq!(q.schema, Some(vec!["InstanceId".to_owned()]));
    assert_eq!(q.group_by, vec!["InstanceId".to_owned()]);
    assert_eq!(q.order_by, Some((Func::Avg, true)));
    assert_eq!(q.limit, Some(10));
    assert!(parse("SELECT SUM(Requests) FROM MyApp WHERE Host NOT IN ('a', 'b')").is_ok());
    assert!(parse("SELECT MEDIAN(x) FROM y").is_err());
    assert!(parse("SELECT AVG(x) FROM y LIMIT 0").is_err());
    assert!(parse("SELECT AVG(x) FROM y LIMIT 501").is_err());
    assert!(parse("SELECT AVG(x) FROM y LIMIT 500").is_ok());
    assert!(like("st%", "staging"));
    assert!(like("%a_e", "make"));
    assert!(!like("st%", "prod"));
    assert!(is_insights("  select avg(x) from y"));
    assert!(is_insights("SELECT\n  AVG(x)\nFROM y"));
    assert!(!is_insights("SELECTED"));
    assert!(!is_insights("SELECT"));
    let q =
        parse(r#"SELECT MAX("Bytes\"In\"") FROM "My.NS" WHERE k = 'it\'s' ORDER BY count() asc"#)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.metric, "Bytes\"In\"");
    assert_eq!(q.namespace, "My.NS");
    assert_eq!(q.filter, Some(Cond::Eq("k".into(), "it's".into())));
    assert_eq!(q.order_by, Some((Func::Count, false)));
    assert!(parse("SELECT AVG(x) FROM 'unterminated").is_err());
    assert_eq!(Func::Max.over_points(&[1.0, 7.0, 3.0]), Some(7.0));
    assert_eq!(Func::Avg.over_points(&[1.0, 2.0]), Some(1.5));
    assert_eq!(Func::Count.over_points(&[5.0, 5.0, 5.0]), Some(3.0));
    assert_eq!(Func::Min.over_points(&[]), None);
}
