use vigil_model::{
    BirthDate, Designation, DesignationKind, DesignationStatus, Entity, EntityId, ListName, Name,
    NameKind, PartialDate, Schema,
};
use vigil_store::{ChangeKind, FileRef, ImportBatch, Store, StoreError};
use vigil_testkit::store_test;

fn person(id: &str, name: &str) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), Schema::Person);
    e.push_name(Name::new(name, NameKind::Primary));
    e.birth_dates.push(BirthDate::parse_text("1970"));
    e.designations.push(Designation {
        authority: "UNSC".into(),
        regime: "1267".into(),
        kind: DesignationKind::Sanction,
        listed_on: PartialDate::parse_iso("2001-01-25").ok(),
        legal_basis: None,
        reference: Some(id.to_string()),
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec![],
    });
    e
}

fn batch(published: &str, sha: &str, entities: Vec<Entity>) -> ImportBatch {
    ImportBatch {
        list: ListName::new("un").unwrap(),
        authority: "UNSC".into(),
        title: "UN test list".into(),
        format: "un-xml".into(),
        published: Some(published.into()),
        files: vec![FileRef {
            path: "un.xml".into(),
            sha256: sha.into(),
            bytes: 1,
        }],
        entities,
    }
}

async fn count_versions(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM entity_versions")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

store_test!(opens_twice_and_seeds_authorities, |db| {
    let store = Store::open(&db.location).await.unwrap();
    store.close().await;
    let store = Store::open(&db.location).await.unwrap();
    let codes: Vec<String> = store
        .authorities()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.code)
        .collect();
    for code in [
        "CN", "IN", "IR", "KZ", "KG", "PK", "RU", "TJ", "UZ", "BY", "UNSC", "US-OFAC", "RATS-EC",
    ] {
        assert!(codes.contains(&code.to_string()), "{code} seeded");
    }
    assert_eq!(
        codes.iter().filter(|c| *c == "RU").count(),
        1,
        "seeding is idempotent"
    );
});

store_test!(revisions_record_additions_changes_delistings, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let noop = |_| {};
    let first = vec![
        person("un:QDi.1", "ALPHA ONE"),
        person("un:QDi.2", "BRAVO TWO"),
        person("un:QDi.3", "CHARLIE THREE"),
    ];
    let r1 = store
        .import(vec![batch("2025-04-19", "a", first.clone())], &noop)
        .await
        .unwrap();
    assert_eq!((r1[0].revision, r1[0].added, r1[0].delisted), (1, 3, 0));

    // The same files again: nothing stored.
    let again = store
        .import(vec![batch("2025-04-19", "a", first.clone())], &noop)
        .await
        .unwrap();
    assert!(again[0].already_imported);
    assert_eq!(count_versions(&store).await, 3);

    let mut changed = person("un:QDi.2", "BRAVO TWO");
    changed.push_name(Name::new("BRAVO 2", NameKind::Alias));
    let second = vec![
        person("un:QDi.1", "ALPHA ONE"),
        changed,
        person("un:QDi.4", "DELTA FOUR"),
    ];
    let r2 = store
        .import(vec![batch("2026-02-27", "b", second)], &noop)
        .await
        .unwrap();
    assert_eq!(
        (
            r2[0].revision,
            r2[0].added,
            r2[0].changed,
            r2[0].delisted,
            r2[0].unchanged
        ),
        (2, 1, 1, 1, 1)
    );

    // Now and in the past.
    let id: EntityId = "un:QDi.3".parse().unwrap();
    let now = store.entity(&id, None).await.unwrap().unwrap();
    assert!(!now.listed);
    assert_eq!(
        now.entity.designations[0].status,
        DesignationStatus::Delisted
    );
    assert_eq!(
        now.entity.designations[0].delisted_on.unwrap().to_string(),
        "2026-02-27"
    );
    let then = store
        .entity(&id, PartialDate::parse_iso("2025-06-01").ok())
        .await
        .unwrap()
        .unwrap();
    assert!(then.listed);
    assert!(store
        .entity(&id, PartialDate::parse_iso("2025-01-01").ok())
        .await
        .unwrap()
        .is_none());
    let listed_then = store
        .entities(Some("un"), PartialDate::parse_iso("2025-06-01").ok(), false)
        .await
        .unwrap();
    assert_eq!(listed_then.len(), 3);
    let listed_now = store.entities(None, None, false).await.unwrap();
    let ids: Vec<&str> = listed_now.iter().map(|r| r.entity.id.as_str()).collect();
    assert_eq!(ids, ["un:QDi.1", "un:QDi.2", "un:QDi.4"]);

    // History of one entity.
    let history = store.history(&"un:QDi.2".parse().unwrap()).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].change, ChangeKind::Changed);
    assert_eq!(history[1].fields, vec!["names".to_string()]);

    // Diff between the revisions, both ways.
    let diff = store.diff("un", 1, 2).await.unwrap();
    let summary: Vec<(&str, ChangeKind)> = diff.iter().map(|d| (d.id.as_str(), d.change)).collect();
    assert_eq!(
        summary,
        [
            ("un:QDi.2", ChangeKind::Changed),
            ("un:QDi.3", ChangeKind::Delisted),
            ("un:QDi.4", ChangeKind::Added)
        ]
    );
    assert!(matches!(
        store.diff("un", 1, 9).await,
        Err(StoreError::NoSuchRevision(_, 9))
    ));
    assert!(matches!(
        store.diff("nope", 1, 2).await,
        Err(StoreError::NoSuchList(_))
    ));

    // A delisted entity that comes back is relisted.
    let third = vec![
        person("un:QDi.1", "ALPHA ONE"),
        person("un:QDi.3", "CHARLIE THREE"),
    ];
    let r3 = store
        .import(vec![batch("2026-03-01", "c", third)], &noop)
        .await
        .unwrap();
    assert_eq!((r3[0].relisted, r3[0].delisted), (1, 2));
    let lists = store.lists().await.unwrap();
    assert_eq!(
        (
            lists[0].name.as_str(),
            lists[0].revisions,
            lists[0].listed,
            lists[0].delisted
        ),
        ("un", 3, 2, 2)
    );
});

store_test!(failed_import_changes_nothing, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let noop = |_| {};
    store
        .import(
            vec![batch(
                "2025-04-19",
                "a",
                vec![person("un:QDi.1", "ALPHA ONE")],
            )],
            &noop,
        )
        .await
        .unwrap();
    let before = count_versions(&store).await;

    // A duplicate id in the second of two batches: neither batch is stored.
    let mut other = batch(
        "2025-05-01",
        "x",
        vec![person("ofac:1", "X"), person("ofac:1", "X")],
    );
    other.list = ListName::new("ofac").unwrap();
    other.authority = "US-OFAC".into();
    let ok = batch(
        "2026-01-01",
        "b",
        vec![person("un:QDi.1", "ALPHA ONE"), person("un:QDi.9", "NEW")],
    );
    let err = store.import(vec![ok, other], &noop).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateEntity { .. }), "{err}");
    assert_eq!(count_versions(&store).await, before);
    assert_eq!(store.revisions("un").await.unwrap().len(), 1);
    assert!(store.revisions("ofac").await.unwrap().is_empty());

    // An older list version after a newer one is refused.
    let err = store
        .import(vec![batch("2024-01-01", "old", vec![])], &noop)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::OlderThanLatest { .. }), "{err}");
    // An entity of another list inside a batch is refused.
    let err = store
        .import(
            vec![batch("2026-01-01", "c", vec![person("ofac:5", "Y")])],
            &noop,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignEntity { .. }), "{err}");
    assert_eq!(count_versions(&store).await, before);
});

store_test!(authorities_are_checked, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let noop = |_| {};
    let mut b = batch("2025-01-01", "n", vec![person("ru:1", "HIZB UT-TAHRIR")]);
    b.list = ListName::new("ru").unwrap();
    b.authority = "XX".into();
    let err = store.import(vec![b.clone()], &noop).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownAuthority(_)), "{err}");
    b.authority = "RU-FSB".into();
    store.import(vec![b.clone()], &noop).await.unwrap();
    let fsb = store
        .authorities()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.code == "RU-FSB")
        .unwrap();
    assert_eq!(fsb.parent.as_deref(), Some("RU"));
    b.authority = "KZ".into();
    b.files[0].sha256 = "other".into();
    let err = store.import(vec![b], &noop).await.unwrap_err();
    assert!(matches!(err, StoreError::AuthorityMismatch { .. }), "{err}");
});

store_test!(history_tables_are_append_only, |db| {
    let store = Store::open(&db.location).await.unwrap();
    store
        .import(
            vec![batch(
                "2025-04-19",
                "a",
                vec![person("un:QDi.1", "ALPHA ONE")],
            )],
            &|_| {},
        )
        .await
        .unwrap();
    for sql in [
        "UPDATE entity_versions SET caption = 'forged'",
        "DELETE FROM entity_versions",
        "UPDATE revisions SET published = '1999-01-01'",
        "DELETE FROM revisions",
    ] {
        let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(count_versions(&store).await, 1);
});

store_test!(
    an_entity_the_list_itself_marks_delisted_is_not_listed,
    |db| {
        let store = Store::open(&db.location).await.unwrap();
        let mut lifted = person("un:QDi.8", "LIFTED BAN");
        lifted.designations[0].status = DesignationStatus::Delisted;
        let entities = vec![person("un:QDi.7", "STILL BANNED"), lifted];
        let report = store
            .import(vec![batch("2025-04-19", "a", entities)], &|_| {})
            .await
            .unwrap();
        assert_eq!(report[0].added, 2);
        let lists = store.lists().await.unwrap();
        assert_eq!((lists[0].listed, lists[0].delisted), (1, 1));
        let listed = store.entities(None, None, false).await.unwrap();
        assert_eq!(listed.len(), 1);
        let record = store
            .entity(&"un:QDi.8".parse().unwrap(), None)
            .await
            .unwrap()
            .unwrap();
        assert!(!record.listed);
        assert_eq!(store.entities(None, None, true).await.unwrap().len(), 2);
    }
);
