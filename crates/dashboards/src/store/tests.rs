#![allow(clippy::unwrap_used)]

use openwatch_storage::SimClock;

use super::*;

const BODY: &str = r#"{"widgets":[{"type":"text","properties":{"markdown":"hi"}}]}"#;

fn store(dir: &tempfile::TempDir, clock: Arc<SimClock>) -> DashboardStore {
    let catalog = Arc::new(Catalog::open(&dir.path().join("catalog.redb")).unwrap());
    DashboardStore::open(catalog, clock).unwrap()
}

#[test]
fn put_get_list_delete_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(1_000_000));
    {
        let s = store(&dir, Arc::clone(&clock));
        s.put("111122223333", "ops-main", BODY).unwrap();
        clock.advance(std::time::Duration::from_secs(5));
        s.put("111122223333", "ops_2", BODY).unwrap();
        s.put("444455556666", "ops-other", BODY).unwrap();
        let d = s.get("111122223333", "ops-main").unwrap();
        assert_eq!(d.body, BODY);
        assert_eq!(d.last_modified_ms, 1_000_000);
        assert_eq!(
            dashboard_arn("111122223333", "ops-main"),
            "arn:aws:cloudwatch::111122223333:dashboard/ops-main"
        );
    }
    // Survives a reopen.
    let s = store(&dir, Arc::clone(&clock));
    let (all, next) = s.list("111122223333", None, None).unwrap();
    assert_eq!(next, None);
    let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ops-main", "ops_2"]);
    assert_eq!(all[0].size, BODY.len() as u64);
    assert_eq!(all[1].last_modified_ms, 1_005_000);
    let (some, _) = s.list("111122223333", Some("ops_"), None).unwrap();
    assert_eq!(some.len(), 1);
    let (none, _) = s.list("111122223333", Some("x"), None).unwrap();
    assert!(none.is_empty());
    assert!(matches!(
        s.list("111122223333", Some("has space"), None),
        Err(DashboardsError::InvalidParameterValue(_))
    ));

    // All or nothing.
    let e = s
        .delete("111122223333", &["ops-main".into(), "missing".into()])
        .unwrap_err();
    assert_eq!(
        e,
        DashboardsError::NotFound("Dashboard missing does not exist".into())
    );
    assert!(s.get("111122223333", "ops-main").is_ok());
    s.delete("111122223333", &["ops-main".into(), "ops_2".into()])
        .unwrap();
    assert!(matches!(
        s.get("111122223333", "ops-main"),
        Err(DashboardsError::NotFound(_))
    ));
    assert!(s.get("444455556666", "ops-other").is_ok());
}

#[test]
fn invalid_names_and_bodies_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir, Arc::new(SimClock::new(0)));
    assert!(matches!(
        s.put("111122223333", "", BODY),
        Err(DashboardsError::MissingParameter(_))
    ));
    assert!(matches!(
        s.put("111122223333", "has space", BODY),
        Err(DashboardsError::InvalidParameterValue(_))
    ));
    assert!(matches!(
        s.put("111122223333", &"a".repeat(256), BODY),
        Err(DashboardsError::InvalidParameterValue(_))
    ));
    s.put("111122223333", &"a".repeat(255), BODY).unwrap();
    assert!(matches!(
        s.put("111122223333", "bad", "{}"),
        Err(DashboardsError::InvalidInput { .. })
    ));
    assert!(matches!(
        s.get("111122223333", "bad"),
        Err(DashboardsError::NotFound(_))
    ));
}

#[test]
fn pages_of_a_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir, Arc::new(SimClock::new(0)));
    for i in 0..1005 {
        s.put("111122223333", &format!("d{i:04}"), BODY).unwrap();
    }
    let (first, next) = s.list("111122223333", None, None).unwrap();
    assert_eq!(first.len(), LIST_PAGE);
    let token = next.unwrap();
    let (rest, next) = s.list("111122223333", None, Some(&token)).unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].name, "d1000");
    assert_eq!(next, None);
    assert!(matches!(
        s.list("111122223333", None, Some("zz")),
        Err(DashboardsError::InvalidNextToken(_))
    ));
}
