//! Federation's tables: pinned keys, the outbox, ordered idempotent apply.

use vigil_model::{
    Designation, DesignationKind, DesignationStatus, Entity, ListName, Name, NameKind, Schema,
};
use vigil_store::{
    AuditFilter, ChangeKind, FederatedChange, FederationKey, NewAuditEntry, OutboxRow, Outcome,
    Store, StoreError,
};
use vigil_testkit::store_test;

fn audit(action: &str) -> NewAuditEntry {
    NewAuditEntry::new("federation", "IN", action, Outcome::Success)
}

fn key(authority: &str, public: &str) -> FederationKey {
    FederationKey {
        authority: authority.into(),
        node: authority.split('-').next().unwrap_or("").into(),
        public_key: public.into(),
        secret_key: None,
        pinned_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn org(id: &str, name: &str) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), Schema::Organization);
    e.push_name(Name::new(name, NameKind::Primary));
    e.designations.push(Designation {
        authority: "RU-FSB".into(),
        regime: "national ban".into(),
        kind: DesignationKind::OrganizationBan,
        listed_on: None,
        legal_basis: None,
        reference: None,
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec![],
    });
    e
}

fn change(kind: ChangeKind, id: &str, name: &str) -> FederatedChange {
    FederatedChange {
        list: ListName::new("ru").unwrap(),
        authority: "RU-FSB".into(),
        change: kind,
        entity: org(id, name),
    }
}

async fn listed(store: &Store) -> Vec<String> {
    store
        .entities(Some("ru"), None, false)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {}", r.entity.id, r.entity.names[0].value))
        .collect()
}

store_test!(keys_are_pinned_once, |db| {
    let store = Store::open(&db.location).await.unwrap();
    assert!(store
        .pin_federation_key(&key("RU-FSB", "k1"), &audit("node.trust"))
        .await
        .unwrap());
    // The same key again changes nothing; another one is refused and names the authority.
    assert!(!store
        .pin_federation_key(&key("RU-FSB", "k1"), &audit("node.trust"))
        .await
        .unwrap());
    let err = store
        .pin_federation_key(&key("RU-FSB", "k2"), &audit("node.trust"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyPinned(_)));
    assert!(err.to_string().contains("RU-FSB"), "{err}");
    let keys = store.federation_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].public_key, "k1");
    assert_eq!(keys[0].node, "RU");
    // One audit entry for the one key pinned.
    let entries = store
        .audit_log(&AuditFilter {
            action: Some("node.trust".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
});

store_test!(outbox_enqueue_publish_requeue, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let rows: Vec<OutboxRow> = (1..=3)
        .map(|seq| OutboxRow {
            dest: "IN".into(),
            seq,
            kind: "designation".into(),
            wire: format!("w{seq}"),
        })
        .collect();
    store.enqueue_outbox(0, 7, &rows).await.unwrap();
    assert_eq!(
        store.federation_counter("export_watermark").await.unwrap(),
        7
    );
    // A stale watermark is refused and stores nothing.
    let err = store.enqueue_outbox(0, 9, &rows[..1]).await.unwrap_err();
    assert!(err.to_string().contains("export_watermark"), "{err}");
    assert_eq!(store.pending_outbox(10).await.unwrap().len(), 3);
    store.mark_published("IN", 1, 2).await.unwrap();
    let pending = store.pending_outbox(10).await.unwrap();
    assert_eq!(pending.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3]);
    let states = store.outbox_states().await.unwrap();
    assert_eq!((states[0].last_seq, states[0].pending), (3, 1));
    assert_eq!(store.requeue_outbox("IN", 2).await.unwrap(), 2);
    assert_eq!(store.pending_outbox(10).await.unwrap().len(), 2);
});

store_test!(apply_is_ordered_and_idempotent, |db| {
    let store = Store::open(&db.location).await.unwrap();
    assert_eq!(store.inbox_next("RU").await.unwrap(), 1);
    // Out of order: nothing applied, nothing audited.
    let err = store
        .apply_federated(
            "RU",
            2,
            2,
            vec![change(ChangeKind::Added, "ru:1", "Alpha")],
            &[audit("federation.apply")],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::OutOfOrder {
                expected: 1,
                got: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("node RU"), "{err}");
    assert!(listed(&store).await.is_empty());
    assert_eq!(
        store
            .audit_log(&AuditFilter::default())
            .await
            .unwrap()
            .len(),
        0
    );
    store
        .apply_federated(
            "RU",
            1,
            2,
            vec![
                change(ChangeKind::Added, "ru:1", "Alpha"),
                change(ChangeKind::Added, "ru:2", "Beta"),
            ],
            &[audit("federation.apply")],
        )
        .await
        .unwrap();
    assert_eq!(listed(&store).await, vec!["ru:1 Alpha", "ru:2 Beta"]);
    // The same envelopes again are refused: applied once.
    assert!(store
        .apply_federated(
            "RU",
            1,
            2,
            vec![change(ChangeKind::Added, "ru:1", "Alpha")],
            &[]
        )
        .await
        .is_err());
    // An add of a listed entity replaces it; a withdrawal of an absent one changes nothing.
    store
        .apply_federated(
            "RU",
            3,
            5,
            vec![
                change(ChangeKind::Added, "ru:1", "Alpha Group"),
                change(ChangeKind::Delisted, "ru:2", "Beta"),
                change(ChangeKind::Delisted, "ru:9", "Never"),
            ],
            &[audit("federation.apply")],
        )
        .await
        .unwrap();
    assert_eq!(listed(&store).await, vec!["ru:1 Alpha Group"]);
    let lists = store.lists().await.unwrap();
    assert_eq!(lists[0].authority, "RU-FSB");
    let inbox = store.inbox_states().await.unwrap();
    assert_eq!(
        (inbox[0].next_seq, inbox[0].applied, inbox[0].refused),
        (6, 5, 0)
    );
    store
        .inbox_refused("RU", &audit("federation.refused"))
        .await
        .unwrap();
    assert_eq!(store.inbox_states().await.unwrap()[0].refused, 1);
    // A change naming another list's entity is refused whole.
    let mut bad = change(ChangeKind::Added, "ru:3", "Gamma");
    bad.entity = org("kz:3", "Gamma");
    let err = store
        .apply_federated("RU", 6, 6, vec![bad], &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("kz:3"), "{err}");
    assert_eq!(store.inbox_next("RU").await.unwrap(), 6);
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
});
