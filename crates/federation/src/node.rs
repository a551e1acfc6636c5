//! A running node: the exporter (register changes → signed envelopes in the outbox), the
//! publisher (outbox → JetStream), the consumer (own stream → verified, ordered, idempotent
//! apply) and the responder (hit/no-hit queries, plain and blinded).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use tokio::sync::{Notify, RwLock};
use tokio::task::JoinHandle;
use vigil_model::{
    may_see, member_state_of, AuthorityKind, Caller, Entity, ListName, Role, Schema,
};
use vigil_screen::{Index, Query};
use vigil_store::{FederatedChange, NewAuditEntry, OutboxRow, Outcome, Store, StoreError};

use crate::envelope::{open, seal, Body, Envelope, Keyring, RemoteHit, VERSION};
use crate::psi;
use crate::FederationError;

/// The exporter's watermark over `entity_versions.id`.
const WATERMARK: &str = "export_watermark";
/// Most envelopes applied in one transaction.
const MAX_BATCH: usize = 5000;
/// The user the audit log names for what the federation does.
const FEDERATION_USER: &str = "federation";

#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// This node's member state (`IN`).
    pub node_id: String,
    /// `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// First token of every subject and stream name, so that deployments (and test runs)
    /// sharing a NATS server do not meet: `vigil` by default.
    pub prefix: String,
    /// How often the exporter and publisher look for work when not woken.
    pub poll: Duration,
    /// Unacknowledged envelopes are redelivered after this.
    pub ack_wait: Duration,
    /// How long a hit/no-hit query waits for each peer.
    pub query_timeout: Duration,
    /// Screening threshold of plain hit/no-hit queries.
    pub threshold: f32,
}

impl NodeConfig {
    pub fn new(node_id: &str, nats_url: &str) -> NodeConfig {
        NodeConfig {
            node_id: node_id.to_string(),
            nats_url: nats_url.to_string(),
            prefix: "vigil".into(),
            poll: Duration::from_millis(20),
            ack_wait: Duration::from_secs(5),
            query_timeout: Duration::from_secs(2),
            threshold: vigil_screen::DEFAULT_THRESHOLD,
        }
    }
}

/// Subject and stream names of a deployment (docs/FEDERATION.md).
#[derive(Debug, Clone)]
pub struct Subjects {
    pub prefix: String,
}

impl Subjects {
    /// The durable stream holding everything addressed to `dest`.
    pub fn stream(&self, dest: &str) -> String {
        format!("{}_{}", self.prefix, dest)
    }
    /// What `origin` publishes to `dest` on.
    pub fn to(&self, dest: &str, origin: &str) -> String {
        format!("{}.fed.{}.{}", self.prefix, dest, origin)
    }
    pub fn stream_subjects(&self, dest: &str) -> String {
        format!("{}.fed.{}.*", self.prefix, dest)
    }
    /// Request/reply subject of hit/no-hit queries to `dest`.
    pub fn queries(&self, dest: &str) -> String {
        format!("{}.hit.{}", self.prefix, dest)
    }
}

/// Counters since the node started.
#[derive(Debug, Default)]
pub struct Counters {
    pub enqueued: AtomicU64,
    pub published: AtomicU64,
    pub applied: AtomicU64,
    pub refused: AtomicU64,
    pub resend_requests: AtomicU64,
    pub queries_answered: AtomicU64,
}

/// This node's own records, for answering queries.
struct OwnIndex {
    fingerprint: Vec<(String, i64)>,
    entities: Vec<(Entity, String)>,
    index: Index,
    /// PSI token → indexes into `entities`.
    tokens: HashMap<String, Vec<usize>>,
}

struct Inner {
    cfg: NodeConfig,
    subjects: Subjects,
    store: Store,
    client: async_nats::Client,
    js: jetstream::Context,
    ring: RwLock<Keyring>,
    wake_export: Notify,
    wake_publish: Notify,
    streams: tokio::sync::Mutex<HashSet<String>>,
    counters: Counters,
    last_error: StdMutex<Option<String>>,
    own: tokio::sync::Mutex<Option<Arc<OwnIndex>>>,
    psi_key: curve25519_dalek::Scalar,
    reference_secret: Vec<u8>,
}

/// A started node; dropping it (or [`Node::stop`]) ends its tasks.
pub struct Node {
    inner: Arc<Inner>,
    tasks: Vec<JoinHandle<()>>,
}

/// What one peer answered to a hit/no-hit query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerAnswer {
    pub node: String,
    pub hits: Vec<RemoteHit>,
    /// Set when the peer did not answer (in time) or answered something unusable.
    pub error: Option<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn caller_for(authority: &str) -> Caller {
    let kind = if authority.contains('-') {
        AuthorityKind::CompetentAuthority
    } else {
        AuthorityKind::MemberState
    };
    Caller::new(FEDERATION_USER, authority, kind, Role::Officer)
}

impl Node {
    /// Connects to NATS, makes sure this node's stream and durable consumer exist, and starts
    /// the node's tasks.
    pub async fn start(store: Store, cfg: NodeConfig) -> Result<Node, FederationError> {
        if member_state_of(&cfg.node_id).as_deref() != Some(cfg.node_id.as_str()) {
            return Err(FederationError::Config(format!(
                "--node-id {:?} is not a member state's code",
                cfg.node_id
            )));
        }
        if cfg.prefix.is_empty()
            || !cfg
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(FederationError::Config(format!(
                "prefix {:?}: use ASCII letters, digits, `_` or `-`",
                cfg.prefix
            )));
        }
        let ring = Keyring::new(&store.federation_keys().await?)?;
        let client = async_nats::connect(cfg.nats_url.as_str())
            .await
            .map_err(|e| {
                FederationError::Nats(format!("cannot connect to {}: {e}", cfg.nats_url))
            })?;
        let js = jetstream::new(client.clone());
        let secret = store.reference_secret().await?;
        let inner = Arc::new(Inner {
            subjects: Subjects {
                prefix: cfg.prefix.clone(),
            },
            psi_key: psi::node_scalar(&secret),
            reference_secret: secret,
            cfg,
            store,
            client,
            js,
            ring: RwLock::new(ring),
            wake_export: Notify::new(),
            wake_publish: Notify::new(),
            streams: tokio::sync::Mutex::new(HashSet::new()),
            counters: Counters::default(),
            last_error: StdMutex::new(None),
            own: tokio::sync::Mutex::new(None),
        });
        let own = inner.cfg.node_id.clone();
        inner.ensure_stream(&own).await?;
        let consumer = inner.consumer().await?;
        let subscriber = inner
            .client
            .subscribe(inner.subjects.queries(&own))
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?;
        let mut tasks = Vec::new();
        let i = inner.clone();
        tasks.push(tokio::spawn(async move { i.export_loop().await }));
        let i = inner.clone();
        tasks.push(tokio::spawn(async move { i.publish_loop().await }));
        let i = inner.clone();
        tasks.push(tokio::spawn(async move { i.consume_loop(consumer).await }));
        let i = inner.clone();
        tasks.push(tokio::spawn(
            async move { i.respond_loop(subscriber).await },
        ));
        Ok(Node { inner, tasks })
    }

    /// Ends the node's tasks at once, as a crash would: what was not acknowledged is
    /// redelivered to the next start.
    pub async fn stop(mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
            let _ = t.await;
        }
        let _ = self.inner.client.flush().await;
    }

    pub fn node_id(&self) -> &str {
        &self.inner.cfg.node_id
    }

    /// Wakes the exporter (after a local write; it also polls).
    pub fn changed(&self) {
        self.inner.wake_export.notify_one();
    }

    pub fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    pub fn last_error(&self) -> Option<String> {
        self.inner.last_error.lock().ok().and_then(|e| e.clone())
    }

    /// Reloads the keys from the store (after `vigil node trust`).
    pub async fn reload_keys(&self) -> Result<(), FederationError> {
        self.inner.reload_keys().await
    }

    /// The node's status, with each peer's backlog on its stream as JetStream counts it.
    pub async fn status(&self) -> Result<crate::NodeStatus, FederationError> {
        let mut status = crate::status(&self.inner.store, &self.inner.cfg.node_id).await?;
        add_stream_figures(&mut status, &self.inner.js, &self.inner.subjects).await;
        status.last_error = self.last_error();
        Ok(status)
    }

    /// Plain hit/no-hit: asks every peer whether `name` matches a record of theirs that
    /// `requester` (an authority of this node's state) may not see. The name travels.
    pub async fn screen_remote(
        &self,
        requester: &str,
        name: &str,
        schema: Option<Schema>,
    ) -> Result<Vec<PeerAnswer>, FederationError> {
        self.inner.check_requester(requester)?;
        let query_id = new_query_id()?;
        let peers = self
            .inner
            .ring
            .read()
            .await
            .peer_nodes(&self.inner.cfg.node_id);
        let mut answers = Vec::new();
        let asks = peers.iter().map(|peer| {
            let body = Body::HitQuery {
                query_id: query_id.clone(),
                requester: requester.to_string(),
                name: name.to_string(),
                schema: schema.map(|s| format!("{s:?}")),
            };
            self.inner.ask(peer, body, query_id.clone())
        });
        for (peer, result) in peers.iter().zip(futures_util::future::join_all(asks).await) {
            answers.push(match result {
                Ok(Body::HitAnswer { hits, .. }) => PeerAnswer {
                    node: peer.clone(),
                    hits,
                    error: None,
                },
                Ok(other) => peer_error(peer, format!("answered {}", other.kind())),
                Err(e) => peer_error(peer, e),
            });
        }
        self.inner
            .audit_query(requester, "federation.hit_query", &answers)
            .await?;
        Ok(answers)
    }

    /// Blinded hit/no-hit (PSI mode): the peers never see the name's keys; a peer learns of a
    /// hit only when this node claims it.
    pub async fn screen_remote_blinded(
        &self,
        requester: &str,
        name: &str,
        schema: Option<Schema>,
    ) -> Result<Vec<PeerAnswer>, FederationError> {
        self.inner.check_requester(requester)?;
        let keys = psi::name_keys(name, schema);
        let peers = self
            .inner
            .ring
            .read()
            .await
            .peer_nodes(&self.inner.cfg.node_id);
        let mut answers = Vec::new();
        for peer in &peers {
            answers.push(match self.inner.psi_ask(peer, requester, &keys).await {
                Ok(hits) => PeerAnswer {
                    node: peer.clone(),
                    hits,
                    error: None,
                },
                Err(e) => peer_error(peer, e),
            });
        }
        self.inner
            .audit_query(requester, "federation.psi_query", &answers)
            .await?;
        Ok(answers)
    }

    /// Sends `wire` as it is to `dest`'s stream (tests: forged and replayed envelopes).
    pub async fn publish_raw(&self, dest: &str, wire: Bytes) -> Result<(), FederationError> {
        self.inner.ensure_stream(dest).await?;
        let subject = self.inner.subjects.to(dest, &self.inner.cfg.node_id);
        self.inner
            .js
            .publish(subject, wire)
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?;
        Ok(())
    }
}

/// Adds the streams' backlogs (each durable consumer's pending and unacknowledged counts).
pub(crate) async fn add_stream_figures(
    status: &mut crate::NodeStatus,
    js: &jetstream::Context,
    subjects: &Subjects,
) {
    for peer in &mut status.peers {
        if let Ok(s) = js.get_stream(subjects.stream(&peer.node)).await {
            if let Ok(info) = s.consumer_info(&peer.node).await {
                peer.stream_pending = Some(info.num_pending + info.num_ack_pending as u64);
            }
        }
    }
    if let Ok(s) = js.get_stream(subjects.stream(&status.node)).await {
        if let Ok(info) = s.consumer_info(&status.node).await {
            status.inbound_pending = Some(info.num_pending + info.num_ack_pending as u64);
        }
    }
}

fn peer_error(peer: &str, e: impl std::fmt::Display) -> PeerAnswer {
    PeerAnswer {
        node: peer.to_string(),
        hits: Vec::new(),
        error: Some(e.to_string()),
    }
}

fn new_query_id() -> Result<String, FederationError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| FederationError::Key(e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn parse_schema(s: Option<&str>) -> Option<Schema> {
    match s? {
        "Person" => Some(Schema::Person),
        "Organization" => Some(Schema::Organization),
        "LegalEntity" => Some(Schema::LegalEntity),
        "Vessel" => Some(Schema::Vessel),
        "Aircraft" => Some(Schema::Aircraft),
        _ => None,
    }
}

impl Inner {
    fn note_error(&self, e: impl std::fmt::Display) {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(format!("{}: {e}", vigil_model::utc_now_rfc3339()));
        }
    }

    async fn reload_keys(&self) -> Result<(), FederationError> {
        let ring = Keyring::new(&self.store.federation_keys().await?)?;
        *self.ring.write().await = ring;
        Ok(())
    }

    fn check_requester(&self, requester: &str) -> Result<(), FederationError> {
        if member_state_of(requester).as_deref() != Some(self.cfg.node_id.as_str()) {
            return Err(FederationError::Config(format!(
                "requester {requester:?} is not an authority of node {}",
                self.cfg.node_id
            )));
        }
        Ok(())
    }

    async fn ensure_stream(&self, dest: &str) -> Result<(), FederationError> {
        let mut known = self.streams.lock().await;
        if known.contains(dest) {
            return Ok(());
        }
        self.js
            .get_or_create_stream(stream::Config {
                name: self.subjects.stream(dest),
                subjects: vec![self.subjects.stream_subjects(dest)],
                storage: stream::StorageType::File,
                max_age: Duration::from_secs(30 * 24 * 3600),
                ..Default::default()
            })
            .await
            .map_err(|e| {
                FederationError::Nats(format!("stream {}: {e}", self.subjects.stream(dest)))
            })?;
        known.insert(dest.to_string());
        Ok(())
    }

    async fn consumer(&self) -> Result<consumer::PullConsumer, FederationError> {
        let own = &self.cfg.node_id;
        let stream = self
            .js
            .get_stream(self.subjects.stream(own))
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?;
        stream
            .get_or_create_consumer(
                own,
                consumer::pull::Config {
                    durable_name: Some(own.clone()),
                    ack_policy: consumer::AckPolicy::All,
                    ack_wait: self.cfg.ack_wait,
                    max_ack_pending: 100_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| FederationError::Nats(format!("consumer {own}: {e}")))
    }

    async fn idle(&self, wake: &Notify) {
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(self.cfg.poll) => {}
        }
    }

    // ---- exporter -------------------------------------------------------------------------

    async fn export_loop(self: Arc<Self>) {
        loop {
            match self.export_once().await {
                Ok(true) => continue,
                Ok(false) => self.idle(&self.wake_export).await,
                Err(e) => {
                    self.note_error(format!("export: {e}"));
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    /// Turns the next register changes into envelopes, one per destination the record's
    /// distribution reaches; returns whether there was anything to look at.
    async fn export_once(&self) -> Result<bool, FederationError> {
        let from = self.store.federation_counter(WATERMARK).await?;
        let versions = self.store.versions_after(from, 2000).await?;
        let Some(last) = versions.last().map(|v| v.id) else {
            return Ok(false);
        };
        let own = self.cfg.node_id.as_str();
        let ring = self.ring.read().await;
        let peers = ring.peer_nodes(own);
        let mut heads: BTreeMap<String, i64> = self
            .store
            .outbox_states()
            .await?
            .into_iter()
            .map(|s| (s.dest, s.last_seq))
            .collect();
        let mut rows = Vec::new();
        let now = vigil_model::utc_now_rfc3339();
        for v in versions {
            // Only this state's own national lists travel; the UN and OFAC lists (and
            // other states' records this node holds) never do.
            if member_state_of(&v.authority).as_deref() != Some(own) {
                continue;
            }
            let Some((signer, key)) = ring.signer_for(&v.authority) else {
                self.note_error(format!(
                    "no own key for authority {} (vigil node keygen --authority {}): {} not sent",
                    v.authority, v.authority, v.entity.id
                ));
                continue;
            };
            for dest in &peers {
                // The one distribution rule, applied at the sender: the record goes only to
                // states that may see it.
                if !may_see(&caller_for(dest), &v.entity.distribution, &v.authority) {
                    continue;
                }
                let seq = heads.entry(dest.clone()).or_insert(0);
                *seq += 1;
                let envelope = Envelope {
                    v: VERSION,
                    origin: own.to_string(),
                    authority: signer.to_string(),
                    dest: dest.clone(),
                    seq: *seq,
                    sent_at: now.clone(),
                    body: Body::Designation {
                        list: v.list.clone(),
                        list_authority: v.authority.clone(),
                        change: v.change,
                        entity: Box::new(v.entity.clone()),
                    },
                };
                rows.push(OutboxRow {
                    dest: dest.clone(),
                    seq: *seq,
                    kind: "designation".into(),
                    wire: seal(&envelope, key)?,
                });
            }
        }
        drop(ring);
        let n = rows.len() as u64;
        self.store.enqueue_outbox(from, last, &rows).await?;
        self.counters.enqueued.fetch_add(n, Ordering::Relaxed);
        if n > 0 {
            self.wake_publish.notify_one();
        }
        Ok(true)
    }

    // ---- publisher ------------------------------------------------------------------------

    async fn publish_loop(self: Arc<Self>) {
        loop {
            match self.publish_once().await {
                Ok(true) => continue,
                Ok(false) => self.idle(&self.wake_publish).await,
                Err(e) => {
                    self.note_error(format!("publish: {e}"));
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    async fn publish_once(&self) -> Result<bool, FederationError> {
        let rows = self.store.pending_outbox(1000).await?;
        if rows.is_empty() {
            return Ok(false);
        }
        let own = self.cfg.node_id.clone();
        // Published in order, acknowledgements awaited together, then marked per destination.
        let mut acks = Vec::with_capacity(rows.len());
        for row in &rows {
            self.ensure_stream(&row.dest).await?;
            let ack = self
                .js
                .publish(
                    self.subjects.to(&row.dest, &own),
                    Bytes::from(row.wire.clone()),
                )
                .await
                .map_err(|e| FederationError::Nats(e.to_string()))?;
            acks.push(ack);
        }
        let mut ranges: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (row, ack) in rows.iter().zip(acks) {
            ack.await
                .map_err(|e| FederationError::Nats(e.to_string()))?;
            let r = ranges.entry(row.dest.clone()).or_insert((row.seq, row.seq));
            r.0 = r.0.min(row.seq);
            r.1 = r.1.max(row.seq);
        }
        for (dest, (from, to)) in ranges {
            self.store.mark_published(&dest, from, to).await?;
        }
        self.counters
            .published
            .fetch_add(rows.len() as u64, Ordering::Relaxed);
        Ok(true)
    }

    // ---- consumer -------------------------------------------------------------------------

    async fn consume_loop(self: Arc<Self>, consumer: consumer::PullConsumer) {
        let mut resent: HashMap<String, (i64, Instant)> = HashMap::new();
        loop {
            let mut messages = match consumer
                .stream()
                .max_messages_per_batch(1000)
                .messages()
                .await
            {
                Ok(m) => m,
                Err(e) => {
                    self.note_error(format!("consume: {e}"));
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            loop {
                let Some(first) = messages.next().await else {
                    break;
                };
                let mut batch = Vec::new();
                match first {
                    Ok(m) => batch.push(m),
                    Err(e) => {
                        self.note_error(format!("consume: {e}"));
                        continue;
                    }
                }
                // Whatever is ready joins the batch; during a burst, a few more milliseconds
                // gather more, so that a bulk sync applies in large transactions. A lone
                // envelope waits for nothing.
                let mut rounds = 0;
                loop {
                    let before = batch.len();
                    while batch.len() < MAX_BATCH {
                        match messages.next().now_or_never() {
                            Some(Some(Ok(m))) => batch.push(m),
                            Some(Some(Err(e))) => {
                                self.note_error(format!("consume: {e}"));
                                break;
                            }
                            _ => break,
                        }
                    }
                    rounds += 1;
                    if batch.len() == 1
                        || batch.len() == before
                        || batch.len() >= MAX_BATCH
                        || rounds > 20
                    {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
                match self.process(&batch, &mut resent).await {
                    Ok(()) => {
                        // AckPolicy::All: the last acknowledges the batch.
                        if let Some(last) = batch.last() {
                            if let Err(e) = last.ack().await {
                                self.note_error(format!("ack: {e}"));
                            }
                        }
                    }
                    Err(e) => {
                        // Nothing acknowledged: JetStream redelivers after ack_wait; what
                        // was applied meanwhile is then refused as already applied.
                        self.note_error(format!("apply: {e}"));
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }
    }

    async fn refuse(
        &self,
        origin: Option<&str>,
        authority: Option<&str>,
        reason: &str,
        records: Vec<String>,
    ) -> Result<(), FederationError> {
        self.counters.refused.fetch_add(1, Ordering::Relaxed);
        let entry = NewAuditEntry::new(
            FEDERATION_USER,
            &self.cfg.node_id,
            "federation.refused",
            Outcome::Denied,
        )
        .records(records)
        .detail(format!(
            "envelope from node {} (authority {}) refused, nothing applied: {reason}",
            origin.unwrap_or("?"),
            authority.unwrap_or("?")
        ));
        self.store
            .inbox_refused(origin.unwrap_or("?"), &entry)
            .await?;
        Ok(())
    }

    async fn process(
        &self,
        batch: &[jetstream::Message],
        resent: &mut HashMap<String, (i64, Instant)>,
    ) -> Result<(), FederationError> {
        let own = self.cfg.node_id.clone();
        let mut expected: HashMap<String, i64> = HashMap::new();
        // The current run of consecutive designation envelopes from one origin.
        let mut run: Option<Run> = None;
        for m in batch {
            let mut opened = open(&m.payload, &*self.ring.read().await, &own);
            if let Err(r) = &opened {
                if r.reason.starts_with("unknown key") {
                    // A key pinned since the node started.
                    self.reload_keys().await?;
                    opened = open(&m.payload, &*self.ring.read().await, &own);
                }
            }
            let env = match opened {
                Ok(env) => env,
                Err(r) => {
                    self.refuse(
                        r.claimed_origin.as_deref(),
                        r.claimed_authority.as_deref(),
                        &r.reason,
                        Vec::new(),
                    )
                    .await?;
                    continue;
                }
            };
            match env.body {
                Body::Designation {
                    list,
                    list_authority,
                    change,
                    entity,
                } => {
                    let next = match expected.get(&env.origin) {
                        Some(n) => *n,
                        None => {
                            let n = self.store.inbox_next(&env.origin).await?;
                            // Envelopes of this origin already in the run come first.
                            let n = match &run {
                                Some(r) if r.origin == env.origin => r.last + 1,
                                _ => n,
                            };
                            expected.insert(env.origin.clone(), n);
                            n
                        }
                    };
                    if env.seq < next {
                        self.refuse(
                            Some(&env.origin),
                            Some(&env.authority),
                            &format!(
                                "replayed: sequence {} was applied already (next expected {next})",
                                env.seq
                            ),
                            vec![entity.id.to_string()],
                        )
                        .await?;
                        continue;
                    }
                    if env.seq > next {
                        self.refuse(
                            Some(&env.origin),
                            Some(&env.authority),
                            &format!(
                                "out of order: sequence {} while {next} is expected; \
                                 asked node {} to send again from {next}",
                                env.seq, env.origin
                            ),
                            Vec::new(),
                        )
                        .await?;
                        let recent = resent.get(&env.origin).is_some_and(|(s, at)| {
                            *s == next && at.elapsed() < Duration::from_secs(2)
                        });
                        if !recent {
                            self.request_resend(&env.origin, next).await?;
                            resent.insert(env.origin.clone(), (next, Instant::now()));
                        }
                        continue;
                    }
                    expected.insert(env.origin.clone(), next + 1);
                    let Ok(list_name) = ListName::new(&list) else {
                        self.refuse(
                            Some(&env.origin),
                            Some(&env.authority),
                            &format!("list name {list:?} is invalid"),
                            Vec::new(),
                        )
                        .await?;
                        continue;
                    };
                    if member_state_of(&list_authority).as_deref() != Some(env.origin.as_str()) {
                        self.refuse(
                            Some(&env.origin),
                            Some(&env.authority),
                            &format!(
                                "list {list} of authority {list_authority} is not node {}'s",
                                env.origin
                            ),
                            Vec::new(),
                        )
                        .await?;
                        continue;
                    }
                    if run.as_ref().is_some_and(|r| r.origin != env.origin) {
                        if let Some(r) = run.take() {
                            self.apply(r).await?;
                        }
                    }
                    let r = run.get_or_insert_with(|| Run {
                        origin: env.origin.clone(),
                        authority: env.authority.clone(),
                        first: env.seq,
                        last: env.seq - 1,
                        changes: Vec::new(),
                    });
                    r.last = env.seq;
                    r.changes.push(FederatedChange {
                        list: list_name,
                        authority: list_authority,
                        change,
                        entity: *entity,
                    });
                }
                Body::Resend { from_seq } => {
                    let n = self.store.requeue_outbox(&env.origin, from_seq).await?;
                    self.store
                        .audit(
                            &NewAuditEntry::new(
                                FEDERATION_USER,
                                &env.authority,
                                "federation.resend",
                                Outcome::Success,
                            )
                            .detail(format!(
                                "node {} asked for envelopes from {from_seq} again: {n} queued",
                                env.origin
                            )),
                        )
                        .await?;
                    self.wake_publish.notify_one();
                }
                other => {
                    self.refuse(
                        Some(&env.origin),
                        Some(&env.authority),
                        &format!("{} does not travel on the stream", other.kind()),
                        Vec::new(),
                    )
                    .await?;
                }
            }
        }
        if let Some(r) = run.take() {
            self.apply(r).await?;
        }
        Ok(())
    }

    async fn apply(&self, run: Run) -> Result<(), FederationError> {
        let mut ids: Vec<String> = run
            .changes
            .iter()
            .map(|c| c.entity.id.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        let audit = NewAuditEntry::new(
            &format!("{FEDERATION_USER}:{}", run.origin),
            &run.authority,
            "federation.apply",
            Outcome::Success,
        )
        .records(ids)
        .detail(format!(
            "envelopes {}..={} from node {}: {} designation changes applied",
            run.first,
            run.last,
            run.origin,
            run.changes.len()
        ));
        let n = run.last - run.first + 1;
        match self
            .store
            .apply_federated(&run.origin, run.first, run.last, run.changes, &[audit])
            .await
        {
            Ok(()) => {
                self.counters.applied.fetch_add(n as u64, Ordering::Relaxed);
                Ok(())
            }
            Err(StoreError::OutOfOrder { .. }) => {
                // Another consumer of the same store got there first: nothing to do.
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn request_resend(&self, origin: &str, from_seq: i64) -> Result<(), FederationError> {
        self.counters
            .resend_requests
            .fetch_add(1, Ordering::Relaxed);
        let wire = self.sign(origin, Body::Resend { from_seq }).await?;
        self.ensure_stream(origin).await?;
        self.js
            .publish(
                self.subjects.to(origin, &self.cfg.node_id),
                Bytes::from(wire),
            )
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?
            .await
            .map_err(|e| FederationError::Nats(e.to_string()))?;
        Ok(())
    }

    /// An unsequenced envelope to `dest`, signed with this node's state key (or another own).
    async fn sign(&self, dest: &str, body: Body) -> Result<String, FederationError> {
        let ring = self.ring.read().await;
        let (authority, key) = ring.signer_for(&self.cfg.node_id).ok_or_else(|| {
            FederationError::Key(format!(
                "node {} has no key of its own: run vigil node keygen",
                self.cfg.node_id
            ))
        })?;
        seal(
            &Envelope {
                v: VERSION,
                origin: self.cfg.node_id.clone(),
                authority: authority.to_string(),
                dest: dest.to_string(),
                seq: 0,
                sent_at: vigil_model::utc_now_rfc3339(),
                body,
            },
            key,
        )
    }

    // ---- queries --------------------------------------------------------------------------

    /// Sends `body` to `peer` and returns its verified answer's body.
    async fn ask(&self, peer: &str, body: Body, query_id: String) -> Result<Body, String> {
        let wire = self.sign(peer, body).await.map_err(|e| e.to_string())?;
        let reply = tokio::time::timeout(
            self.cfg.query_timeout,
            self.client
                .request(self.subjects.queries(peer), Bytes::from(wire)),
        )
        .await
        .map_err(|_| format!("no answer within {:?}", self.cfg.query_timeout))?
        .map_err(|e| e.to_string())?;
        let env = open(&reply.payload, &*self.ring.read().await, &self.cfg.node_id)
            .map_err(|r| format!("answer refused: {}", r.reason))?;
        if env.origin != peer {
            return Err(format!("answer from node {}, asked {peer}", env.origin));
        }
        let id = match &env.body {
            Body::HitAnswer { query_id, .. } | Body::PsiAnswer { query_id, .. } => query_id,
            other => return Err(format!("answered {}", other.kind())),
        };
        if *id != query_id {
            return Err("answer to another query".into());
        }
        Ok(env.body)
    }

    async fn psi_ask(
        &self,
        peer: &str,
        requester: &str,
        keys: &[String],
    ) -> Result<Vec<RemoteHit>, String> {
        let blinded = psi::blind(keys).map_err(|e| e.to_string())?;
        let query_id = new_query_id().map_err(|e| e.to_string())?;
        let body = Body::PsiQuery {
            query_id: query_id.clone(),
            requester: requester.to_string(),
            points: blinded.points.clone(),
        };
        let Body::PsiAnswer { points, tokens, .. } = self.ask(peer, body, query_id.clone()).await?
        else {
            return Err("answered something else".into());
        };
        let mine = psi::unblind(&blinded, &points)?;
        let held: HashSet<&String> = tokens.iter().collect();
        let found: Vec<String> = mine.into_iter().filter(|t| held.contains(t)).collect();
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let body = Body::PsiClaim {
            query_id: query_id.clone(),
            requester: requester.to_string(),
            tokens: found,
        };
        match self.ask(peer, body, query_id).await? {
            Body::HitAnswer { hits, .. } => Ok(hits),
            other => Err(format!("answered {}", other.kind())),
        }
    }

    async fn audit_query(
        &self,
        requester: &str,
        action: &str,
        answers: &[PeerAnswer],
    ) -> Result<(), FederationError> {
        let refs: Vec<String> = answers
            .iter()
            .flat_map(|a| a.hits.iter().map(|h| format!("ref:{}", h.reference)))
            .collect();
        let summary: Vec<String> = answers
            .iter()
            .map(|a| match &a.error {
                Some(e) => format!("{}: no answer ({e})", a.node),
                None if a.hits.is_empty() => format!("{}: no hit", a.node),
                None => format!("{}: {} hit(s)", a.node, a.hits.len()),
            })
            .collect();
        self.store
            .audit(
                &NewAuditEntry::new(FEDERATION_USER, requester, action, Outcome::Success)
                    .records(refs)
                    .detail(summary.join("; ")),
            )
            .await?;
        Ok(())
    }

    async fn respond_loop(self: Arc<Self>, mut subscriber: async_nats::Subscriber) {
        while let Some(msg) = subscriber.next().await {
            let Some(reply) = msg.reply.clone() else {
                continue;
            };
            let this = self.clone();
            tokio::spawn(async move {
                match this.answer(&msg.payload).await {
                    Ok(Some(wire)) => {
                        let _ = this.client.publish(reply, Bytes::from(wire)).await;
                    }
                    Ok(None) => {}
                    Err(e) => this.note_error(format!("query: {e}")),
                }
            });
        }
    }

    /// This node's own records (its state's lists), indexed; rebuilt when they change.
    async fn own_index(&self) -> Result<Arc<OwnIndex>, FederationError> {
        let own = self.cfg.node_id.as_str();
        let fingerprint: Vec<(String, i64)> = self
            .store
            .lists()
            .await?
            .into_iter()
            .filter(|l| member_state_of(&l.authority).as_deref() == Some(own))
            .map(|l| (l.name, l.revisions))
            .collect();
        let mut slot = self.own.lock().await;
        if let Some(index) = slot.as_ref() {
            if index.fingerprint == fingerprint {
                return Ok(index.clone());
            }
        }
        let lists = self.store.lists().await?;
        let mut entities = Vec::new();
        for (name, _) in &fingerprint {
            let authority = lists
                .iter()
                .find(|l| &l.name == name)
                .map(|l| l.authority.clone())
                .unwrap_or_default();
            for r in self.store.entities(Some(name), None, false).await? {
                entities.push((r.entity, authority.clone()));
            }
        }
        let plain: Vec<Entity> = entities.iter().map(|(e, _)| e.clone()).collect();
        let index = Index::build(&plain);
        let mut tokens: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (e, _)) in entities.iter().enumerate() {
            for name in &e.names {
                for key in psi::name_keys(&name.value, Some(e.schema)) {
                    let t = psi::token_of(&self.psi_key, &key);
                    let slot = tokens.entry(t).or_default();
                    if !slot.contains(&i) {
                        slot.push(i);
                    }
                }
            }
        }
        let built = Arc::new(OwnIndex {
            fingerprint,
            entities,
            index,
            tokens,
        });
        *slot = Some(built.clone());
        Ok(built)
    }

    /// Restricted hits for `requester` among `candidates` (indexes into the own records, with
    /// scores): those it may see are left out, since it holds them already.
    async fn restricted(
        &self,
        own: &OwnIndex,
        requester: &str,
        candidates: Vec<(usize, f32)>,
    ) -> Result<Vec<RemoteHit>, FederationError> {
        let caller = caller_for(requester);
        let mut hits = Vec::new();
        let mut issued = Vec::new();
        for (i, score) in candidates {
            let Some((e, authority)) = own.entities.get(i) else {
                continue;
            };
            if may_see(&caller, &e.distribution, authority) {
                continue;
            }
            let reference = vigil_server::reference(&self.reference_secret, &e.id.to_string());
            issued.push((reference.clone(), e.id.to_string(), authority.clone()));
            hits.push(RemoteHit {
                originator: authority.clone(),
                reference,
                score,
            });
        }
        self.store.issue_references(&issued).await?;
        Ok(hits)
    }

    async fn answer(&self, payload: &[u8]) -> Result<Option<String>, FederationError> {
        let own_id = self.cfg.node_id.clone();
        let env = match open(payload, &*self.ring.read().await, &own_id) {
            Ok(env) => env,
            Err(r) => {
                self.refuse(
                    r.claimed_origin.as_deref(),
                    r.claimed_authority.as_deref(),
                    &format!("query: {}", r.reason),
                    Vec::new(),
                )
                .await?;
                return Ok(None);
            }
        };
        let requester = match &env.body {
            Body::HitQuery { requester, .. }
            | Body::PsiQuery { requester, .. }
            | Body::PsiClaim { requester, .. } => requester.clone(),
            other => {
                self.refuse(
                    Some(&env.origin),
                    Some(&env.authority),
                    &format!("{} is not a query", other.kind()),
                    Vec::new(),
                )
                .await?;
                return Ok(None);
            }
        };
        if member_state_of(&requester).as_deref() != Some(env.origin.as_str()) {
            self.refuse(
                Some(&env.origin),
                Some(&env.authority),
                &format!("query for {requester}, who is not of node {}", env.origin),
                Vec::new(),
            )
            .await?;
            return Ok(None);
        }
        self.counters
            .queries_answered
            .fetch_add(1, Ordering::Relaxed);
        let own = self.own_index().await?;
        let (body, action, detail, refs) = match env.body {
            Body::HitQuery {
                query_id,
                name,
                schema,
                ..
            } => {
                let q = Query {
                    schema: parse_schema(schema.as_deref()),
                    name: name.clone(),
                    ..Default::default()
                };
                let by_id: HashMap<String, usize> = own
                    .entities
                    .iter()
                    .enumerate()
                    .map(|(i, (e, _))| (e.id.to_string(), i))
                    .collect();
                let candidates = own
                    .index
                    .screen(&q, self.cfg.threshold, 20)
                    .into_iter()
                    .filter_map(|m| by_id.get(&m.id).map(|i| (*i, m.score)))
                    .collect();
                let hits = self.restricted(&own, &requester, candidates).await?;
                let detail = format!(
                    "plain query from {requester} (node {}) for {name:?}: {} restricted hit(s)",
                    env.origin,
                    hits.len()
                );
                let refs = hits
                    .iter()
                    .map(|h| format!("ref:{}", h.reference))
                    .collect();
                (
                    Body::HitAnswer { query_id, hits },
                    "federation.hit_answer",
                    detail,
                    refs,
                )
            }
            Body::PsiQuery {
                query_id, points, ..
            } => {
                let evaluated = match psi::evaluate(&self.psi_key, &points) {
                    Ok(p) => p,
                    Err(e) => {
                        self.refuse(Some(&env.origin), Some(&env.authority), &e, Vec::new())
                            .await?;
                        return Ok(None);
                    }
                };
                let caller = caller_for(&requester);
                let mut tokens: Vec<String> = own
                    .tokens
                    .iter()
                    .filter(|(_, idx)| {
                        idx.iter().any(|i| {
                            own.entities
                                .get(*i)
                                .is_some_and(|(e, a)| !may_see(&caller, &e.distribution, a))
                        })
                    })
                    .map(|(t, _)| t.clone())
                    .collect();
                tokens.sort();
                let detail = format!(
                    "blinded query from {requester} (node {}): {} key(s) evaluated, {} token(s) sent",
                    env.origin,
                    points.len(),
                    tokens.len()
                );
                (
                    Body::PsiAnswer {
                        query_id,
                        points: evaluated,
                        tokens,
                    },
                    "federation.psi_answer",
                    detail,
                    Vec::new(),
                )
            }
            Body::PsiClaim {
                query_id, tokens, ..
            } => {
                let mut candidates: Vec<(usize, f32)> = tokens
                    .iter()
                    .filter_map(|t| own.tokens.get(t))
                    .flatten()
                    .map(|i| (*i, 1.0))
                    .collect();
                candidates.sort_by_key(|c| c.0);
                candidates.dedup_by_key(|c| c.0);
                let hits = self.restricted(&own, &requester, candidates).await?;
                let detail = format!(
                    "blinded hit claimed by {requester} (node {}): {} restricted hit(s)",
                    env.origin,
                    hits.len()
                );
                let refs = hits
                    .iter()
                    .map(|h| format!("ref:{}", h.reference))
                    .collect();
                (
                    Body::HitAnswer { query_id, hits },
                    "federation.psi_claim",
                    detail,
                    refs,
                )
            }
            _ => return Ok(None),
        };
        self.store
            .audit(
                &NewAuditEntry::new(
                    &format!("{FEDERATION_USER}:{}", env.origin),
                    &requester,
                    action,
                    Outcome::Success,
                )
                .records(refs)
                .detail(detail),
            )
            .await?;
        Ok(Some(self.sign(&env.origin, body).await?))
    }
}

struct Run {
    origin: String,
    authority: String,
    first: i64,
    last: i64,
    changes: Vec<FederatedChange>,
}
