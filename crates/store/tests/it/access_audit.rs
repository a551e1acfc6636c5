use vigil_model::{Entity, EntityId, ListName, Name, NameKind, Role, Schema};
use vigil_store::{
    AuditFilter, DesignationChange, NewAuditEntry, Outcome, Refusal, Store, StoreError,
};
use vigil_testkit::{store_test, Backend, TestDb};

fn entry(user: &str, authority: &str, action: &str, record: &str) -> NewAuditEntry {
    NewAuditEntry::new(user, authority, action, Outcome::Success)
        .records(vec![record.to_string()])
        .detail("test")
}

async fn store_with_entries(db: &TestDb, n: usize) -> Store {
    let store = Store::open(&db.location).await.unwrap();
    for i in 1..=n {
        store
            .audit(&entry("ivan", "RU-FSB", "entity.read", &format!("ru:{i}")))
            .await
            .unwrap();
    }
    store
}

/// Runs tampering SQL with the append-only triggers out of the way.
async fn tamper(db: &TestDb, store: &Store, statements: &[&str]) {
    let mut sql = String::new();
    match db.backend {
        Backend::Sqlite => sql.push_str(
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
        ),
        Backend::Postgres => sql.push_str("ALTER TABLE audit_log DISABLE TRIGGER ALL;"),
    }
    for s in statements {
        sql.push_str(s);
        sql.push(';');
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .unwrap();
}

store_test!(users_and_tokens, |db| {
    let store = Store::open(&db.location).await.unwrap();
    store
        .add_user("ivan", "RU-FSB", Role::Analyst)
        .await
        .unwrap();
    assert!(matches!(
        store.add_user("ivan", "RU", Role::Admin).await,
        Err(StoreError::UserExists(_))
    ));
    assert!(matches!(
        store.add_user("x", "XX-NOPE", Role::Admin).await,
        Err(StoreError::UnknownAuthority(_))
    ));
    assert!(matches!(
        store
            .add_user("'; DROP TABLE users; --", "RU", Role::Admin)
            .await,
        Err(StoreError::BadUserName(_))
    ));
    let token = store.create_token("ivan", None).await.unwrap();
    assert_eq!(token.token.len(), 43);
    let who = store.authenticate(&token.token).await.unwrap().unwrap();
    assert_eq!(who.caller.user, "ivan");
    assert_eq!(who.caller.member_state.as_deref(), Some("RU"));
    assert_eq!(who.caller.role, Role::Analyst);
    assert_eq!(
        store.authenticate("forged").await.unwrap(),
        Err(Refusal::Unknown)
    );
    let expired = store.create_token("ivan", Some(-10)).await.unwrap();
    assert_eq!(
        store.authenticate(&expired.token).await.unwrap(),
        Err(Refusal::Expired)
    );
    assert!(store.revoke_token(token.id).await.unwrap());
    assert!(!store.revoke_token(token.id).await.unwrap());
    assert_eq!(
        store.authenticate(&token.token).await.unwrap(),
        Err(Refusal::Revoked)
    );
    // Only the hash is stored.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tokens WHERE token_hash = $1")
        .bind(&token.token)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert!(matches!(
        store.create_token("nobody", None).await,
        Err(StoreError::UnknownUser(_))
    ));
});

store_test!(audit_chain_verifies_and_filters, |db| {
    let store = store_with_entries(&db, 3).await;
    store
        .audit(&entry("li", "CN", "designation.add", "cn:1").detail("'; DROP TABLE audit_log; --"))
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert_eq!((report.entries, report.first_bad), (4, None));
    let by_user = store
        .audit_log(&AuditFilter {
            user: Some("li".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_user.len(), 1);
    assert_eq!(by_user[0].detail, "'; DROP TABLE audit_log; --");
    let by_record = store
        .audit_log(&AuditFilter {
            record: Some("ru:2".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_record.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2]);
    let wildcard = store
        .audit_log(&AuditFilter {
            record: Some("%".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(wildcard.is_empty());
    let by_authority = store
        .audit_log(&AuditFilter {
            authority: Some("RU-FSB".into()),
            after: Some(1),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_authority.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2]
    );
    let future = store
        .audit_log(&AuditFilter {
            from: Some("2999-01-01".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
    let today = vigil_model::today().to_string();
    let until_today = store
        .audit_log(&AuditFilter {
            to: Some(today),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(until_today.len(), 4);
});

store_test!(audit_log_refuses_update_and_delete, |db| {
    let store = store_with_entries(&db, 2).await;
    for sql in [
        "UPDATE audit_log SET detail = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    if db.backend == Backend::Postgres {
        let err = sqlx::query("TRUNCATE audit_log")
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(tampering_with_the_audit_log_is_detected, |db| {
    // Changed content.
    let store = store_with_entries(&db, 5).await;
    tamper(
        &db,
        &store,
        &["UPDATE audit_log SET user_name = 'someone' WHERE seq = 3"],
    )
    .await;
    let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 3, "{bad}");
    assert!(bad.reason.contains("changed"), "{bad}");
});

store_test!(removed_audit_entry_is_detected, |db| {
    let store = store_with_entries(&db, 5).await;
    tamper(&db, &store, &["DELETE FROM audit_log WHERE seq = 2"]).await;
    let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 2, "{bad}");
    assert!(bad.reason.contains("missing"), "{bad}");
    // Renumbering the rest to close the gap breaks the chain at the same place.
    tamper(
        &db,
        &store,
        &[
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 3",
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 4",
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 5",
        ],
    )
    .await;
    let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 2, "{bad}");
});

store_test!(reordered_audit_entries_are_detected, |db| {
    let store = store_with_entries(&db, 5).await;
    tamper(
        &db,
        &store,
        &[
            "UPDATE audit_log SET seq = 100 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 4",
            "UPDATE audit_log SET seq = 4 WHERE seq = 100",
        ],
    )
    .await;
    let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 2, "{bad}");
});

store_test!(designations_change_as_revisions_with_audit, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let list = ListName::new("ru").unwrap();
    let org = |id: &str, name: &str| {
        let mut e = Entity::new(id.parse::<EntityId>().unwrap(), Schema::Organization);
        e.push_name(Name::new(name, NameKind::Primary));
        e
    };
    let audit = |action: &str, id: &str| entry("ivan", "RU-FSB", action, id);
    let r = store
        .change_designation(
            &list,
            "RU",
            DesignationChange::Add(org("ru:1", "Alpha")),
            &audit("designation.add", "ru:1"),
        )
        .await
        .unwrap();
    assert_eq!((r.revision, r.added), (1, 1));
    store
        .change_designation(
            &list,
            "RU",
            DesignationChange::Add(org("ru:2", "'; DROP TABLE entity_versions; --")),
            &audit("designation.add", "ru:2"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .change_designation(
                &list,
                "RU",
                DesignationChange::Add(org("ru:1", "Again")),
                &audit("designation.add", "ru:1")
            )
            .await,
        Err(StoreError::EntityExists(_))
    ));
    let r = store
        .change_designation(
            &list,
            "RU",
            DesignationChange::Amend(org("ru:1", "Alpha Group")),
            &audit("designation.amend", "ru:1"),
        )
        .await
        .unwrap();
    assert_eq!((r.revision, r.changed, r.delisted), (3, 1, 0));
    let r = store
        .change_designation(
            &list,
            "RU",
            DesignationChange::Withdraw("ru:1".parse().unwrap()),
            &audit("designation.withdraw", "ru:1"),
        )
        .await
        .unwrap();
    assert_eq!((r.revision, r.delisted), (4, 1));
    assert!(matches!(
        store
            .change_designation(
                &list,
                "RU",
                DesignationChange::Withdraw("ru:1".parse().unwrap()),
                &audit("designation.withdraw", "ru:1")
            )
            .await,
        Err(StoreError::NoSuchEntity(_))
    ));
    assert!(matches!(
        store
            .change_designation(
                &list,
                "RU",
                DesignationChange::Withdraw("kz:1".parse().unwrap()),
                &audit("designation.withdraw", "kz:1")
            )
            .await,
        Err(StoreError::ForeignEntity { .. })
    ));
    let history = store.history(&"ru:1".parse().unwrap()).await.unwrap();
    assert_eq!(history.len(), 3);
    let two = store
        .entity(&"ru:2".parse().unwrap(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(two.entity.caption(), "'; DROP TABLE entity_versions; --");
    let log = store.audit_log(&AuditFilter::default()).await.unwrap();
    assert_eq!(
        log.len(),
        4,
        "refused changes store no audit entry of their own"
    );
    assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(group_commit_keeps_the_chain_linear, |db| {
    let store = store_with_entries(&db, 3).await;
    let queue = vigil_store::AuditQueue::start(store.clone());
    // Group commits from the queue race plain appends and a designation write's own append.
    let mut tasks = Vec::new();
    for i in 0..400 {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            queue
                .append(entry("olga", "KZ", "screen", &format!("q:{i}")))
                .await
        }));
    }
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .audit(&entry("ivan", "RU", "entity.read", &format!("d:{i}")))
                .await
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap().seq);
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 420, "every append got its own sequence number");
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.first_bad, None);
    assert_eq!(report.entries, 423);
    for i in [0, 199, 399] {
        let found = store
            .audit_log(&AuditFilter {
                record: Some(format!("q:{i}")),
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "entry q:{i} was lost");
    }
});

store_test!(an_anchor_names_the_head_of_the_log, |db| {
    let store = Store::open(&db.location).await.unwrap();
    assert_eq!(store.audit_anchor().await.unwrap(), None);
    let store = store_with_entries(&db, 3).await;
    let anchor = store.audit_anchor().await.unwrap().unwrap();
    let head = store.audit_log(&AuditFilter::default()).await.unwrap();
    assert_eq!(anchor.seq, 3);
    assert_eq!(anchor.hash, head[2].hash);
    // Its JSON line reads back as itself, and holds while the log grows.
    let line = anchor.to_json_line();
    assert!(line.starts_with("{\"seq\":3,\"hash\":\""), "{line}");
    assert_eq!(
        vigil_store::parse_anchors(&line).unwrap(),
        vec![anchor.clone()]
    );
    store
        .audit(&entry("ivan", "RU-FSB", "entity.read", "ru:9"))
        .await
        .unwrap();
    assert!(store.check_anchors(&[anchor]).await.unwrap().is_empty());
});

store_test!(truncation_below_an_anchor_is_detected, |db| {
    let store = store_with_entries(&db, 5).await;
    let early = store.audit_anchor().await.unwrap().unwrap();
    store
        .audit(&entry("ivan", "RU-FSB", "entity.read", "ru:6"))
        .await
        .unwrap();
    let late = store.audit_anchor().await.unwrap().unwrap();
    assert_eq!((early.seq, late.seq), (5, 6));
    // Remove the newest entries: the chain that is left is still valid on its own…
    tamper(&db, &store, &["DELETE FROM audit_log WHERE seq >= 5"]).await;
    let report = store.verify_audit().await.unwrap();
    assert_eq!((report.entries, report.first_bad), (4, None));
    // …but both anchors name entries that are gone.
    let problems = store
        .check_anchors(&[early.clone(), late.clone()])
        .await
        .unwrap();
    assert_eq!(
        problems,
        vec![
            vigil_store::AnchorProblem::Truncated {
                ends_at: 4,
                anchor: early.clone()
            },
            vigil_store::AnchorProblem::Truncated {
                ends_at: 4,
                anchor: late.clone()
            },
        ]
    );
    let message = problems[0].to_string();
    assert!(
        message.contains("the log ends at seq 4 but an anchor from")
            && message.contains("names seq 5"),
        "{message}"
    );
    // Appending again to reach seq 6 makes a different chain: the anchors still catch it.
    for i in 0..2 {
        store
            .audit(&entry("ivan", "RU-FSB", "entity.read", &format!("x:{i}")))
            .await
            .unwrap();
    }
    assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
    let problems = store.check_anchors(&[early, late]).await.unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems
        .iter()
        .all(|p| matches!(p, vigil_store::AnchorProblem::HashMismatch { .. })));
});

store_test!(a_forged_anchor_is_detected, |db| {
    let store = store_with_entries(&db, 3).await;
    let genuine = store.audit_anchor().await.unwrap().unwrap();
    let forged = vigil_store::AuditAnchor {
        hash: "ab".repeat(32),
        ..genuine.clone()
    };
    let problems = store
        .check_anchors(&[genuine.clone(), forged.clone()])
        .await
        .unwrap();
    assert_eq!(
        problems,
        vec![vigil_store::AnchorProblem::HashMismatch {
            stored: genuine.hash.clone(),
            anchor: forged
        }]
    );
    assert!(problems[0].to_string().contains("forged"));
});

#[test]
fn malformed_anchor_files_are_refused_with_the_line() {
    let good = format!(
        r#"{{"seq":2,"hash":"{}","time":"2026-11-28T21:00:00Z"}}"#,
        "0a".repeat(32)
    );
    let cases = [
        (format!("{good}\nnot json"), 2, "expected"),
        (format!("{good}\n\n{{\"seq\":1}}"), 3, "expected"),
        (good.replace("\"seq\":2", "\"seq\":0"), 1, "seq 0"),
        (good.replace("\"seq\":2", "\"seq\":\"2\""), 1, "expected"),
        (good.replace("0a0a", "0A0A"), 1, "hash"),
        (good.replace(&"0a".repeat(32), "0a"), 1, "hash"),
        (good.replace("2026-11-28T21:00:00Z", ""), 1, "time"),
        (good.replace("}", ",\"extra\":1}"), 1, "unknown field"),
        ("\n  \n".to_string(), 0, "no anchor"),
    ];
    for (text, line, needle) in cases {
        let err = vigil_store::parse_anchors(&text).unwrap_err();
        assert_eq!(err.line, line, "{text}: {err}");
        assert!(err.to_string().contains(needle), "{text}: {err}");
    }
    let two = format!("{good}\n\n{good}\n");
    assert_eq!(vigil_store::parse_anchors(&two).unwrap().len(), 2);
}

store_test!(
    background_checkpoints_copy_the_wal_beside_the_writer,
    |db| {
        use std::sync::atomic::Ordering;
        let store = store_with_entries(&db, 3).await;
        let autocheckpoint = |store: Store| async move {
            let row = sqlx::query("PRAGMA wal_autocheckpoint")
                .fetch_one(store.pool())
                .await
                .unwrap();
            sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
        };
        let started = store
            .start_background_checkpoints(std::time::Duration::from_millis(20))
            .await
            .unwrap();
        let Some(checkpoints) = started else {
            assert_eq!(
                db.backend,
                Backend::Postgres,
                "SQLite runs background checkpoints"
            );
            return;
        };
        assert_eq!(
            autocheckpoint(store.clone()).await,
            0,
            "the writer leaves checkpoints to the task"
        );
        let queue = vigil_store::AuditQueue::start(store.clone());
        for i in 0..300 {
            queue
                .append(entry("olga", "KZ", "screen", &format!("q:{i}")))
                .await
                .unwrap();
        }
        // Wait for a checkpoint that found the appends in the WAL and copied every frame.
        let counts = checkpoints.counts();
        let mut copied = false;
        for _ in 0..200 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let wal = counts.last_wal_frames.load(Ordering::Relaxed);
            if wal > 0 && counts.last_checkpointed_frames.load(Ordering::Relaxed) == wal {
                copied = true;
                break;
            }
        }
        assert!(copied, "no checkpoint copied the WAL: {counts:?}");
        assert_eq!(counts.failures.load(Ordering::Relaxed), 0);
        checkpoints.stop().await;
        assert_eq!(
            autocheckpoint(store.clone()).await,
            1000,
            "automatic checkpoints are back"
        );
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
    }
);
