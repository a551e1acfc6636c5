//! Three nodes — IN, RU, KZ — in one process against the real NATS server, each with its own
//! store (IN and RU on PostgreSQL when it answers, KZ on SQLite).

mod support;

use std::time::Duration;

use bytes::Bytes;
use support::*;
use vigil_federation::envelope::{seal, Body, Envelope, Keyring, VERSION};
use vigil_federation::generate_key;
use vigil_model::{Distribution, ListName, Schema};
use vigil_store::{AuditFilter, DesignationChange, FileRef, ImportBatch, Store};
use vigil_testkit::TestDb;

const WAIT: Duration = Duration::from_secs(20);

async fn audit_details(store: &Store, action: &str) -> Vec<String> {
    store
        .audit_log(&AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_sync_filter_query_and_recover() {
    let Some(url) = nats("three_nodes").await else {
        return;
    };
    let prefix = unique_prefix("three");
    let in_db = db(true, "fed_in").await;
    let ru_db = db(true, "fed_ru").await;
    let kz_db = TestDb::sqlite();
    let in_store = Store::open(&in_db.location).await.unwrap();
    let ru_store = Store::open(&ru_db.location).await.unwrap();
    let kz_store = Store::open(&kz_db.location).await.unwrap();
    eprintln!(
        "stores: IN {:?}, RU {:?}, KZ {:?}",
        in_store.backend(),
        ru_store.backend(),
        kz_store.backend()
    );
    keys(&[
        (&in_store, &["IN"]),
        (&ru_store, &["RU", "RU-FSB"]),
        (&kz_store, &["KZ"]),
    ])
    .await;
    // RU also holds the UN list, which never travels.
    let mut un = org("un:QDe.999", "Global Public Front", Distribution::Public);
    un.designations[0].authority = "UNSC".into();
    ru_store
        .import(
            vec![ImportBatch {
                list: ListName::new("un").unwrap(),
                authority: "UNSC".into(),
                title: "UN".into(),
                format: "un-xml".into(),
                published: None,
                files: vec![FileRef {
                    path: "un.xml".into(),
                    sha256: "un-sha".into(),
                    bytes: 1,
                }],
                entities: vec![un],
            }],
            &|_| {},
        )
        .await
        .unwrap();

    let in_node = start(&in_store, "IN", &url, &prefix).await;
    let ru_node = start(&ru_store, "RU", &url, &prefix).await;
    let kz_node = start(&kz_store, "KZ", &url, &prefix).await;

    // RU bans an organization for IN only, and another for all members.
    ru_bans(&ru_store, "ru:nlf", "Northern Liberation Front", in_only()).await;
    ru_bans(
        &ru_store,
        "ru:all",
        "Eastern Brotherhood",
        Distribution::AllMembers,
    )
    .await;
    ru_node.changed();
    assert!(
        wait_until(WAIT, || has(&in_store, "ru:nlf")).await,
        "IN got ru:nlf"
    );
    assert!(wait_until(WAIT, || has(&in_store, "ru:all")).await);
    assert!(
        wait_until(WAIT, || has(&kz_store, "ru:all")).await,
        "KZ got ru:all"
    );
    // KZ never receives the IN-only record: not in its store, not on its stream.
    assert!(!has(&kz_store, "ru:nlf").await);
    let kz_stream = stream_payloads(&url, &format!("{prefix}_KZ")).await;
    assert!(!kz_stream.is_empty());
    assert!(kz_stream
        .iter()
        .all(|(_, p)| !p.contains("ru:nlf") && !p.contains("Northern Liberation")));
    // The UN list is on no stream and in no other store.
    for n in ["IN", "KZ"] {
        let s = stream_payloads(&url, &format!("{prefix}_{n}")).await;
        assert!(
            s.iter().all(|(_, p)| !p.contains("un:QDe.999")),
            "UN record on {n}'s stream"
        );
    }
    assert!(!has(&in_store, "un:QDe.999").await);
    // The copy keeps its list, originator and distribution.
    let lists = in_store.lists().await.unwrap();
    let ru_list = lists.iter().find(|l| l.name == "ru").unwrap();
    assert_eq!(ru_list.authority, "RU-FSB");
    let copy = in_store
        .entity(&"ru:nlf".parse().unwrap(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(copy.entity.distribution, in_only());

    // Amend and withdraw travel too.
    let mut amended = org(
        "ru:all",
        "Eastern Brotherhood of the Steppe",
        Distribution::AllMembers,
    );
    amended.remarks.push("amended".into());
    ru_store
        .change_designation(
            &ListName::new("ru").unwrap(),
            "RU-FSB",
            DesignationChange::Amend(amended),
            &audit("designation.amend", "ru:all"),
        )
        .await
        .unwrap();
    ru_node.changed();
    assert!(
        wait_until(WAIT, || async {
            kz_store
                .entity(&"ru:all".parse().unwrap(), None)
                .await
                .unwrap()
                .is_some_and(|r| r.entity.remarks == vec!["amended".to_string()])
        })
        .await
    );

    // KZ screens the IN-only name: a restricted hit from RU's node, no hit from IN's (IN
    // answers for its own records only).
    let answers = kz_node
        .screen_remote(
            "KZ-KNB",
            "Northern Liberation Front",
            Some(Schema::Organization),
        )
        .await
        .unwrap();
    let ru_answer = answers.iter().find(|a| a.node == "RU").unwrap();
    assert_eq!(ru_answer.error, None);
    assert_eq!(ru_answer.hits.len(), 1, "{answers:?}");
    assert_eq!(ru_answer.hits[0].originator, "RU-FSB");
    let reference = ru_answer.hits[0].reference.clone();
    assert!(reference.starts_with("vr1-"));
    assert!(answers
        .iter()
        .find(|a| a.node == "IN")
        .unwrap()
        .hits
        .is_empty());
    let resolved = ru_store
        .resolve_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved.entity_id, "ru:nlf");
    // The answer names neither the record's id nor its name.
    let text = serde_json::to_string(&answers).unwrap();
    assert!(!text.contains("ru:nlf") && !text.contains("Northern"));
    // The record KZ may see is no restricted hit.
    let answers = kz_node
        .screen_remote("KZ-KNB", "Eastern Brotherhood of the Steppe", None)
        .await
        .unwrap();
    assert!(answers.iter().all(|a| a.hits.is_empty()), "{answers:?}");

    // Blinded mode: the same hit, by the same reference, another word order.
    let answers = kz_node
        .screen_remote_blinded(
            "KZ-KNB",
            "Liberation Front Northern",
            Some(Schema::Organization),
        )
        .await
        .unwrap();
    let ru_answer = answers.iter().find(|a| a.node == "RU").unwrap();
    assert_eq!(ru_answer.error, None);
    assert_eq!(ru_answer.hits.len(), 1, "{answers:?}");
    assert_eq!(ru_answer.hits[0].reference, reference);
    let answers = kz_node
        .screen_remote_blinded("KZ-KNB", "Southern Unknown Group", None)
        .await
        .unwrap();
    assert!(
        answers
            .iter()
            .all(|a| a.hits.is_empty() && a.error.is_none()),
        "{answers:?}"
    );
    // RU's log of the blinded queries never holds the queried names.
    let psi = audit_details(&ru_store, "federation.psi_answer").await;
    assert_eq!(psi.len(), 2, "{psi:?}");
    assert!(psi
        .iter()
        .all(|d| !d.contains("Southern") && !d.contains("Liberation")));
    assert_eq!(
        audit_details(&ru_store, "federation.psi_claim").await.len(),
        1
    );
    // A query for another state's authority is refused.
    assert!(kz_node.screen_remote("RU-FSB", "x", None).await.is_err());

    // IN stops mid-stream; RU goes on; IN restarts and catches up, nothing lost or doubled.
    let mut running = Some(in_node);
    for i in 0..40 {
        ru_bans(
            &ru_store,
            &format!("ru:bulk-{i}"),
            &format!("Bulk Group {i}"),
            in_only(),
        )
        .await;
        if i == 9 {
            ru_node.changed();
            assert!(wait_until(WAIT, || has(&in_store, "ru:bulk-9")).await);
        }
        if i == 15 {
            // Stopped while RU is exporting and publishing.
            ru_node.changed();
            if let Some(n) = running.take() {
                n.stop().await;
            }
        }
    }
    ru_node.changed();
    assert!(
        wait_until(WAIT, || async {
            ru_store
                .outbox_states()
                .await
                .unwrap()
                .iter()
                .all(|s| s.pending == 0)
        })
        .await
    );
    let in_node = start(&in_store, "IN", &url, &prefix).await;
    assert!(
        wait_until(WAIT, || has(&in_store, "ru:bulk-39")).await,
        "IN caught up"
    );
    for i in 0..40 {
        let id = format!("ru:bulk-{i}");
        assert!(has(&in_store, &id).await, "{id} lost");
        let history = in_store.history(&id.parse().unwrap()).await.unwrap();
        assert_eq!(history.len(), 1, "{id} applied {} times", history.len());
    }
    assert!(!has(&kz_store, "ru:bulk-0").await);

    // A gap: IN stops, RU sends three, the middle one vanishes from the stream; IN refuses
    // the third as out of order, asks RU again, and applies all three in order.
    in_node.stop().await;
    for g in ["ru:gap-1", "ru:gap-2", "ru:gap-3"] {
        ru_bans(&ru_store, g, &format!("Gap {g}"), in_only()).await;
    }
    ru_node.changed();
    assert!(
        wait_until(WAIT, || async {
            stream_payloads(&url, &format!("{prefix}_IN"))
                .await
                .iter()
                .any(|(_, p)| p.contains("ru:gap-3"))
        })
        .await
    );
    let (gap_seq, _) = stream_payloads(&url, &format!("{prefix}_IN"))
        .await
        .into_iter()
        .find(|(_, p)| p.contains("ru:gap-2"))
        .unwrap();
    {
        let client = async_nats::connect(url.as_str()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let stream = js.get_stream(format!("{prefix}_IN")).await.unwrap();
        assert!(stream.delete_message(gap_seq).await.unwrap());
    }
    let in_node = start(&in_store, "IN", &url, &prefix).await;
    assert!(
        wait_until(WAIT, || has(&in_store, "ru:gap-3")).await,
        "gap filled"
    );
    assert!(has(&in_store, "ru:gap-2").await);
    let refused = audit_details(&in_store, "federation.refused").await;
    assert!(
        refused.iter().any(|d| d.contains("out of order")),
        "{refused:?}"
    );
    assert!(!audit_details(&ru_store, "federation.resend")
        .await
        .is_empty());
    for g in ["ru:gap-1", "ru:gap-2", "ru:gap-3"] {
        assert_eq!(
            in_store.history(&g.parse().unwrap()).await.unwrap().len(),
            1
        );
    }

    // Forged, unknown-key and replayed envelopes are refused, audited, and change nothing.
    let before = audit_details(&in_store, "federation.refused").await.len();
    let next = in_store.inbox_next("RU").await.unwrap();
    let forged_entity = org("ru:forged", "Forged Front", in_only());
    let envelope = |authority: &str, seq: i64| Envelope {
        v: VERSION,
        origin: "RU".into(),
        authority: authority.into(),
        dest: "IN".into(),
        seq,
        sent_at: vigil_model::utc_now_rfc3339(),
        body: Body::Designation {
            list: "ru".into(),
            list_authority: "RU-FSB".into(),
            change: vigil_store::ChangeKind::Added,
            entity: Box::new(forged_entity.clone()),
        },
    };
    let forger = Keyring::new(&[generate_key("RU-FSB").unwrap()]).unwrap();
    let (_, forged_key) = forger.signer_for("RU-FSB").unwrap();
    let forged = seal(&envelope("RU-FSB", next), forged_key).unwrap();
    kz_node
        .publish_raw("IN", Bytes::from(forged))
        .await
        .unwrap();
    let stranger = Keyring::new(&[generate_key("RU-MVD").unwrap()]).unwrap();
    let (_, stranger_key) = stranger.signer_for("RU-MVD").unwrap();
    let unknown = seal(&envelope("RU-MVD", next), stranger_key).unwrap();
    kz_node
        .publish_raw("IN", Bytes::from(unknown))
        .await
        .unwrap();
    let (_, original) = stream_payloads(&url, &format!("{prefix}_IN"))
        .await
        .into_iter()
        .find(|(_, p)| p.contains("ru:nlf"))
        .unwrap();
    kz_node
        .publish_raw("IN", Bytes::from(original))
        .await
        .unwrap();
    assert!(
        wait_until(WAIT, || async {
            audit_details(&in_store, "federation.refused").await.len() >= before + 3
        })
        .await
    );
    let refused = audit_details(&in_store, "federation.refused").await;
    let new: Vec<&String> = refused.iter().skip(before).collect();
    assert!(new.iter().any(|d| d.contains("bad signature")), "{new:?}");
    assert!(
        new.iter()
            .any(|d| d.contains("unknown key") && d.contains("RU-MVD")),
        "{new:?}"
    );
    assert!(new.iter().any(|d| d.contains("replayed")), "{new:?}");
    assert!(!has(&in_store, "ru:forged").await);
    assert_eq!(in_store.inbox_next("RU").await.unwrap(), next);
    assert_eq!(
        in_store
            .history(&"ru:nlf".parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );

    // Status: what RU sent IN and what IN applied agree.
    let ru_status = ru_node.status().await.unwrap();
    let in_peer = ru_status.peers.iter().find(|p| p.node == "IN").unwrap();
    let in_status = in_node.status().await.unwrap();
    let ru_peer = in_status.peers.iter().find(|p| p.node == "RU").unwrap();
    assert_eq!(in_peer.sent_last_seq, ru_peer.received_last_seq);
    assert_eq!(in_peer.sent_pending, 0);
    assert!(ru_peer.refused >= 3);
    assert!(in_status
        .prometheus()
        .contains("vigil_federation_received_last_seq{peer=\"RU\"}"));

    // Every node's audit chain verifies.
    for (n, s) in [("IN", &in_store), ("RU", &ru_store), ("KZ", &kz_store)] {
        let report = s.verify_audit().await.unwrap();
        assert!(report.first_bad.is_none(), "{n}: {:?}", report.first_bad);
        assert!(report.entries > 0);
    }

    in_node.stop().await;
    ru_node.stop().await;
    kz_node.stop().await;
    delete_streams(&url, &prefix, &["IN", "RU", "KZ"]).await;
}
