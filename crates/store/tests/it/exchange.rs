//! The exchange's messages in the store, on SQLite and PostgreSQL.
use vigil_exchange::{check_message, AttachmentInput, MarkingsInput, MessageInput, Recipient};
use vigil_model::AuthorityKind;
use vigil_testkit::store_test;

use vigil_store::{NewAuditEntry, Outcome, Store};

fn known() -> Vec<(String, AuthorityKind)> {
    vigil_model::seed_authorities()
        .into_iter()
        .map(|a| (a.code, a.kind))
        .collect()
}

fn input() -> MessageInput {
    use base64::Engine;
    MessageInput {
        kind: "request".into(),
        recipients: vec!["RU".into()],
        subjects: vec!["ru:1".into()],
        title: "Who is this?".into(),
        body: "Seen at the border".into(),
        markings: MarkingsInput {
            classification: Some("restricted".into()),
            handling: Some("ask_before_forwarding".into()),
            tlp: Some("AMBER".into()),
        },
        priority: Some("urgent".into()),
        attachments: vec![AttachmentInput {
            name: "scan.pdf".into(),
            media_type: "application/pdf".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7 x"),
        }],
        ..Default::default()
    }
}

store_test!(messages_are_stored_whole_and_append_only, |db| {
    let store = Store::open(&db.location).await.unwrap();
    // A competent authority exists once a user of it does.
    store
        .add_user("ru", "RU-FSB", vigil_model::Role::Analyst)
        .await
        .unwrap();
    let new = check_message(&input(), &known(), None).unwrap();
    let audit = NewAuditEntry::new("kz", "KZ", "message.send", Outcome::Success);
    let (sent, entry) = store.send_message(&new, "KZ", "kz", &audit).await.unwrap();
    assert_eq!(entry.records[0], format!("message:{}", sent.id));
    assert_eq!(sent.thread, sent.id);
    let read = store.message(sent.id).await.unwrap().unwrap();
    assert_eq!(read.recipients, [Recipient::State("RU".into())]);
    assert_eq!(read.attachments.len(), 1);
    assert_eq!(read.attachments[0].size, 10);
    let (_, bytes) = store.attachment(sent.id, 0).await.unwrap().unwrap();
    assert_eq!(bytes, b"%PDF-1.7 x");
    // RU's inbox holds it, CN's does not, KZ sees it as sent.
    let ru = [
        Recipient::Authority("RU-FSB".into()),
        Recipient::State("RU".into()),
    ];
    assert_eq!(store.messages_for("RU-FSB", &ru).await.unwrap().len(), 1);
    let cn = [Recipient::State("CN".into())];
    assert!(store.messages_for("CN", &cn).await.unwrap().is_empty());
    assert_eq!(store.messages_for("KZ", &[]).await.unwrap().len(), 1);
    // Events are recorded once; a reply joins the thread.
    assert_eq!(
        store
            .record_event(&[sent.id], "RU-FSB", "ru", "read")
            .await
            .unwrap(),
        [sent.id]
    );
    assert!(store
        .record_event(&[sent.id], "RU-FSB", "ru", "read")
        .await
        .unwrap()
        .is_empty());
    let mut reply_input = input();
    reply_input.kind.clear();
    reply_input.recipients.clear();
    reply_input.attachments.clear();
    let reply = check_message(&reply_input, &known(), Some((sent.id, "KZ"))).unwrap();
    let (r, _) = store
        .send_message(&reply, "RU-FSB", "ru", &audit)
        .await
        .unwrap();
    assert_eq!(r.thread, sent.id);
    let status = store.message_status(&[sent.id]).await.unwrap();
    assert_eq!(status[&sent.id].replies, [r.id]);
    assert_eq!(status[&sent.id].events.len(), 2);
    // Messages cannot be changed or deleted.
    for sql in [
        "UPDATE messages SET title = 'x'",
        "DELETE FROM messages",
        "DELETE FROM message_events",
        "UPDATE message_attachments SET name = 'x'",
        "DELETE FROM message_recipients",
    ] {
        assert!(
            sqlx::query(sql).execute(store.pool()).await.is_err(),
            "{sql}"
        );
    }
    // A reply to a message that does not exist stores nothing, audit included.
    let before = store.verify_audit().await.unwrap().entries;
    let orphan = check_message(&reply_input, &known(), Some((999, "KZ"))).unwrap();
    assert!(store
        .send_message(&orphan, "RU-FSB", "ru", &audit)
        .await
        .is_err());
    assert_eq!(store.verify_audit().await.unwrap().entries, before);
    assert_eq!(store.all_messages().await.unwrap().len(), 2);
});

store_test!(auto_alert_policy_is_kept_per_authority, |db| {
    let store = Store::open(&db.location).await.unwrap();
    assert!(!store.auto_alert("KZ").await.unwrap());
    let audit = NewAuditEntry::new("kz", "KZ", "exchange.policy", Outcome::Success);
    store
        .set_auto_alert("KZ", true, "kz", &audit)
        .await
        .unwrap();
    assert!(store.auto_alert("KZ").await.unwrap());
    store
        .set_auto_alert("KZ", false, "kz", &audit)
        .await
        .unwrap();
    assert!(!store.auto_alert("KZ").await.unwrap());
    assert_eq!(store.verify_audit().await.unwrap().entries, 2);
});

store_test!(import_and_send_is_all_or_nothing, |db| {
    use vigil_model::{Entity, ListName, Name, NameKind, Schema};
    use vigil_store::{FileRef, ImportBatch};
    let store = Store::open(&db.location).await.unwrap();
    let batch = || {
        let mut e = Entity::new("kz:stix-1".parse().unwrap(), Schema::Organization);
        e.push_name(Name::new("Steppe Wolves", NameKind::Primary));
        ImportBatch {
            list: ListName::new("kz").unwrap(),
            authority: "KZ".into(),
            title: "National list of KZ".into(),
            format: "stix".into(),
            published: None,
            files: vec![FileRef {
                path: "stix-bundle.json".into(),
                sha256: "x".into(),
                bytes: 1,
            }],
            entities: vec![e],
        }
    };
    let audit = NewAuditEntry::new("kz", "KZ", "import.stix", Outcome::Success);
    let mut alert = input();
    alert.kind.clear();
    alert.recipients.clear();
    alert.attachments.clear();
    // A message that cannot be stored (its parent does not exist) undoes the import too.
    let orphan = check_message(&alert, &known(), Some((999, "RU"))).unwrap();
    let entry = NewAuditEntry::new("kz", "KZ", "message.alert", Outcome::Success);
    let result = store
        .import_and_send(
            vec![batch()],
            &audit,
            &[(orphan, entry.clone())],
            "KZ",
            "kz",
        )
        .await;
    assert!(result.is_err());
    assert!(store.lists().await.unwrap().is_empty());
    assert_eq!(store.verify_audit().await.unwrap().entries, 0);
    // Whole, it stores both.
    let good = check_message(&input(), &known(), None).unwrap();
    let (reports, sent) = store
        .import_and_send(vec![batch()], &audit, &[(good, entry)], "KZ", "kz")
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(sent.len(), 1);
    assert_eq!(store.verify_audit().await.unwrap().entries, 2);
});

store_test!(exchange_stats_count_the_period, |db| {
    let store = Store::open(&db.location).await.unwrap();
    store
        .add_user("ru", "RU-FSB", vigil_model::Role::Analyst)
        .await
        .unwrap();
    let audit = NewAuditEntry::new("kz", "KZ", "message.send", Outcome::Success);
    let urgent = check_message(&input(), &known(), None).unwrap();
    let (first, _) = store
        .send_message(&urgent, "KZ", "kz", &audit)
        .await
        .unwrap();
    let mut routine = input();
    routine.priority = None;
    let routine = check_message(&routine, &known(), None).unwrap();
    store
        .send_message(&routine, "KZ", "kz", &audit)
        .await
        .unwrap();
    let mut reply_input = input();
    reply_input.kind.clear();
    reply_input.recipients.clear();
    reply_input.attachments.clear();
    let reply = check_message(&reply_input, &known(), Some((first.id, "KZ"))).unwrap();
    store
        .send_message(&reply, "RU-FSB", "ru", &audit)
        .await
        .unwrap();
    let now = vigil_model::utc_now_rfc3339();
    let s = store
        .exchange_stats("2000-01-01", "2200-01-01", &now)
        .await
        .unwrap();
    assert_eq!(s.messages, 3);
    let kinds: Vec<(&str, i64)> = s.by_kind.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(
        kinds,
        [
            ("request", 2),
            ("alert", 0),
            ("notification", 0),
            ("reply", 1)
        ]
    );
    let priorities: Vec<(&str, i64)> = s
        .by_priority
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    assert_eq!(
        priorities,
        [("routine", 1), ("urgent", 2), ("immediate", 0)]
    );
    assert_eq!((s.answered, s.overdue), (1, 0));
    // Long after: the unanswered request is overdue, the answered one and the reply are not.
    let later = store
        .exchange_stats("2000-01-01", "2200-01-01", "2199-01-01T00:00:00Z")
        .await
        .unwrap();
    assert_eq!((later.answered, later.overdue), (1, 1));
    // Another period holds none of them, and still lists every kind.
    let none = store
        .exchange_stats("2001-01-01", "2002-01-01", &now)
        .await
        .unwrap();
    assert_eq!(none.messages, 0);
    assert_eq!(none.by_kind.len(), 4);
    assert!(none.by_kind.iter().all(|(_, n)| *n == 0));
});
