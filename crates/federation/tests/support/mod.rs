//! Test support: the real NATS server (or a loud SKIPPED line), nodes with their own stores,
//! records of RU's national list.

#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use vigil_federation::{generate_key, Node, NodeConfig};
use vigil_model::{
    Designation, DesignationKind, DesignationStatus, Distribution, Entity, ListName, Name,
    NameKind, Schema,
};
use vigil_store::{DesignationChange, FederationKey, NewAuditEntry, Outcome, Store};
use vigil_testkit::TestDb;

pub fn nats_url() -> String {
    std::env::var("VIGIL_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_string())
}

/// The NATS URL when the server answers; else `None` after a SKIPPED line, or a panic when
/// `VIGIL_REQUIRE_NATS=1` (CI).
pub async fn nats(test: &str) -> Option<String> {
    let url = nats_url();
    match async_nats::connect(url.as_str()).await {
        Ok(c) => {
            let _ = c.flush().await;
            Some(url)
        }
        Err(e) => {
            if std::env::var("VIGIL_REQUIRE_NATS").as_deref() == Ok("1") {
                panic!("NATS is required (VIGIL_REQUIRE_NATS=1) but {url} is unreachable: {e}");
            }
            eprintln!("SKIPPED: {test}: NATS at {url} is unreachable ({e})");
            None
        }
    }
}

/// A subject/stream prefix no other test run uses.
pub fn unique_prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("vt_{test}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

pub fn config(node: &str, url: &str, prefix: &str) -> NodeConfig {
    let mut c = NodeConfig::new(node, url);
    c.prefix = prefix.to_string();
    c.ack_wait = Duration::from_secs(2);
    c.poll = Duration::from_millis(10);
    c
}

/// A node's store: PostgreSQL when `postgres` and it answers, else SQLite.
pub async fn db(postgres: bool, name: &str) -> TestDb {
    if postgres {
        if let Some(db) = TestDb::postgres(name).await {
            return db;
        }
    }
    TestDb::sqlite()
}

/// Generates each node's own keys and pins every other node's public keys.
pub async fn keys(stores: &[(&Store, &[&str])]) -> Vec<FederationKey> {
    let mut all = Vec::new();
    for (store, authorities) in stores {
        for a in *authorities {
            let k = generate_key(a).unwrap();
            store
                .pin_federation_key(&k, &audit("node.keygen", a))
                .await
                .unwrap();
            all.push((*store, k));
        }
    }
    for (store, _) in stores {
        for (owner, k) in &all {
            if std::ptr::eq(*owner, *store) {
                continue;
            }
            let mut public = k.clone();
            public.secret_key = None;
            store
                .pin_federation_key(&public, &audit("node.trust", &k.authority))
                .await
                .unwrap();
        }
    }
    all.into_iter().map(|(_, k)| k).collect()
}

pub fn audit(action: &str, record: &str) -> NewAuditEntry {
    NewAuditEntry::new("test", "RU-FSB", action, Outcome::Success).records(vec![record.into()])
}

pub fn org(id: &str, name: &str, distribution: Distribution) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), Schema::Organization);
    e.push_name(Name::new(name, NameKind::Primary));
    e.distribution = distribution;
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

/// RU bans an organization on its national list `ru` (authority RU-FSB).
pub async fn ru_bans(store: &Store, id: &str, name: &str, distribution: Distribution) {
    store
        .change_designation(
            &ListName::new("ru").unwrap(),
            "RU-FSB",
            DesignationChange::Add(org(id, name, distribution)),
            &audit("designation.add", id),
        )
        .await
        .unwrap();
}

pub fn in_only() -> Distribution {
    Distribution::States(vec!["IN".into()])
}

/// Polls `check` until it holds or `timeout` passes; false then.
pub async fn wait_until<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check().await
}

pub async fn has(store: &Store, id: &str) -> bool {
    store
        .entity(&id.parse().unwrap(), None)
        .await
        .unwrap()
        .is_some_and(|r| r.listed)
}

/// Every payload on `stream`, by stream sequence.
pub async fn stream_payloads(url: &str, stream: &str) -> Vec<(u64, String)> {
    let client = async_nats::connect(url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let Ok(mut s) = js.get_stream(stream).await else {
        return Vec::new();
    };
    let state = s.info().await.unwrap().state.clone();
    let mut out = Vec::new();
    if state.messages == 0 {
        return out;
    }
    for seq in state.first_sequence..=state.last_sequence {
        if let Ok(m) = s.get_raw_message(seq).await {
            out.push((seq, String::from_utf8_lossy(&m.payload).to_string()));
        }
    }
    out
}

pub async fn delete_streams(url: &str, prefix: &str, nodes: &[&str]) {
    let client = async_nats::connect(url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    for n in nodes {
        let _ = js.delete_stream(format!("{prefix}_{n}")).await;
    }
}

pub async fn start(store: &Store, node: &str, url: &str, prefix: &str) -> Node {
    Node::start(store.clone(), config(node, url, prefix))
        .await
        .unwrap()
}
