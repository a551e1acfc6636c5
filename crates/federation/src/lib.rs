//! Federation: every member state runs its own Vigil node; nodes exchange national
//! designations and hit/no-hit queries over NATS JetStream (docs/FEDERATION.md).
//!
//! - [`envelope`]: what travels, signed by the originating authority's ed25519 key and verified
//!   against the key pinned for it.
//! - [`node`]: a running node — exporter (register changes → outbox, filtered at the sender by
//!   the records' distribution), publisher (outbox → JetStream), consumer (ordered, idempotent
//!   apply per origin, gaps re-requested), responder (hit/no-hit, plain and blinded).
//! - [`psi`]: the blinded mode's oblivious PRF over ristretto255.

pub mod bench;
pub mod envelope;
pub mod node;
pub mod psi;

use serde::Serialize;
use vigil_store::{Store, StoreError};

pub use envelope::{generate_key, peer_key, Body, Envelope, Keyring, RemoteHit};
pub use node::{Node, NodeConfig, PeerAnswer, Subjects};

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("NATS: {0}")]
    Nats(String),
    #[error("key: {0}")]
    Key(String),
    #[error("cannot encode an envelope: {0}")]
    Encode(String),
    #[error("federation settings: {0}")]
    Config(String),
}

/// One peer as this node sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerStatus {
    pub node: String,
    /// Its authorities whose keys are pinned.
    pub authorities: Vec<String>,
    /// Last sequence number this node enqueued for it, and how many wait to be published.
    pub sent_last_seq: i64,
    pub sent_pending: i64,
    /// Envelopes on the peer's stream it has not acknowledged yet (known when connected).
    pub stream_pending: Option<u64>,
    /// Last sequence number applied from it, and counts.
    pub received_last_seq: i64,
    pub applied: i64,
    pub refused: i64,
    pub last_applied_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeStatus {
    pub node: String,
    pub own_keys: Vec<String>,
    pub peers: Vec<PeerStatus>,
    /// Register changes not yet looked at by the exporter.
    pub export_lag: i64,
    /// Envelopes on this node's stream not yet acknowledged (known when connected).
    pub inbound_pending: Option<u64>,
    pub last_error: Option<String>,
}

/// The node's status as its store records it.
pub async fn status(store: &Store, node: &str) -> Result<NodeStatus, FederationError> {
    let keys = store.federation_keys().await?;
    let outbox = store.outbox_states().await?;
    let inbox = store.inbox_states().await?;
    let watermark = store.federation_counter("export_watermark").await?;
    let export_lag = store.versions_after(watermark, 100_000).await?.len() as i64;
    let mut nodes: Vec<String> = keys
        .iter()
        .map(|k| k.node.clone())
        .chain(outbox.iter().map(|o| o.dest.clone()))
        .chain(inbox.iter().map(|i| i.origin.clone()))
        .filter(|n| n != node)
        .collect();
    nodes.sort();
    nodes.dedup();
    let peers = nodes
        .into_iter()
        .map(|n| {
            let out = outbox.iter().find(|o| o.dest == n);
            let inb = inbox.iter().find(|i| i.origin == n);
            PeerStatus {
                authorities: keys
                    .iter()
                    .filter(|k| k.node == n)
                    .map(|k| k.authority.clone())
                    .collect(),
                sent_last_seq: out.map_or(0, |o| o.last_seq),
                sent_pending: out.map_or(0, |o| o.pending),
                stream_pending: None,
                received_last_seq: inb.map_or(0, |i| i.next_seq - 1),
                applied: inb.map_or(0, |i| i.applied),
                refused: inb.map_or(0, |i| i.refused),
                last_applied_at: inb.and_then(|i| i.last_applied_at.clone()),
                node: n,
            }
        })
        .collect();
    Ok(NodeStatus {
        node: node.to_string(),
        own_keys: keys
            .iter()
            .filter(|k| k.secret_key.is_some())
            .map(|k| k.authority.clone())
            .collect(),
        peers,
        export_lag,
        inbound_pending: None,
        last_error: None,
    })
}

/// [`status`] with the streams' backlogs read from NATS at `url`, without starting a node (a
/// running node's consumer is left alone).
pub async fn status_with_streams(
    store: &Store,
    node: &str,
    url: &str,
    prefix: &str,
) -> Result<NodeStatus, FederationError> {
    let mut s = status(store, node).await?;
    let client = async_nats::connect(url)
        .await
        .map_err(|e| FederationError::Nats(format!("cannot connect to {url}: {e}")))?;
    let js = async_nats::jetstream::new(client);
    let subjects = Subjects {
        prefix: prefix.to_string(),
    };
    node::add_stream_figures(&mut s, &js, &subjects).await;
    Ok(s)
}

impl NodeStatus {
    /// The same figures as Prometheus text, for `/metrics`.
    pub fn prometheus(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, help: &str, rows: Vec<(String, f64)>| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
            for (labels, v) in rows {
                out.push_str(&format!("{name}{labels} {v}\n"));
            }
        };
        let per_peer = |f: &dyn Fn(&PeerStatus) -> Option<f64>| -> Vec<(String, f64)> {
            self.peers
                .iter()
                .filter_map(|p| f(p).map(|v| (format!("{{peer=\"{}\"}}", p.node), v)))
                .collect()
        };
        metric(
            "vigil_federation_sent_last_seq",
            "Last sequence number enqueued for the peer.",
            per_peer(&|p| Some(p.sent_last_seq as f64)),
        );
        metric(
            "vigil_federation_sent_pending",
            "Envelopes for the peer not yet published.",
            per_peer(&|p| Some(p.sent_pending as f64)),
        );
        metric(
            "vigil_federation_peer_stream_pending",
            "Envelopes on the peer's stream it has not acknowledged.",
            per_peer(&|p| p.stream_pending.map(|v| v as f64)),
        );
        metric(
            "vigil_federation_received_last_seq",
            "Last sequence number applied from the peer.",
            per_peer(&|p| Some(p.received_last_seq as f64)),
        );
        metric(
            "vigil_federation_applied_total",
            "Envelopes applied from the peer.",
            per_peer(&|p| Some(p.applied as f64)),
        );
        metric(
            "vigil_federation_refused_total",
            "Envelopes from the peer refused (bad signature, unknown key, replay, gap).",
            per_peer(&|p| Some(p.refused as f64)),
        );
        metric(
            "vigil_federation_export_lag",
            "Register changes the exporter has not looked at yet.",
            vec![(String::new(), self.export_lag as f64)],
        );
        if let Some(p) = self.inbound_pending {
            metric(
                "vigil_federation_inbound_pending",
                "Envelopes on this node's stream not yet acknowledged.",
                vec![(String::new(), p as f64)],
            );
        }
        out
    }
}
