//! `vigil serve`: the HTTP API on the store, with its settings (file, environment, flags), the
//! screening index built before the first request, and the scheduled list update.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use vigil_model::{Role, EXECUTIVE_COMMITTEE};
use vigil_server::{AppState, FederationSettings, ServeSettings};
use vigil_store::{NewAuditEntry, Outcome, Store};
use vigil_update::UpdateConfig;

use crate::admin::audit_cli;

/// How often the server checks whether the store's lists changed under it (an import from the
/// command line) and rebuilds its snapshot if so.
const WATCH_INTERVAL: Duration = Duration::from_secs(30);

/// Who the audit log names for scheduled updates: the server itself, not an API user.
const UPDATE_USER: &str = "scheduler";
const UPDATE_AUTHORITY: &str = "local";

#[derive(Args)]
pub struct ServeOptions {
    /// TOML settings (listen, tls_cert, tls_key, upload_limit_bytes, batch_limit_bytes,
    /// request_timeout_seconds, rate_per_sec, burst, max_in_flight, update_interval_hours, update_config,
    /// audit_anchor_file, audit_anchor_minutes, audit_anchor_entries);
    /// `VIGIL_<KEY>` environment variables override it and flags override both.
    #[arg(long, env = "VIGIL_CONFIG")]
    config: Option<PathBuf>,
    /// PEM certificate chain; with --tls-key the server speaks HTTPS only.
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// Run `vigil lists update` every this many hours (0: never).
    #[arg(long)]
    update_interval_hours: Option<f64>,
    /// Requests per second a token may make on average.
    #[arg(long)]
    rate_per_sec: Option<f64>,
    #[arg(long)]
    burst: Option<f64>,
    /// Requests handled at once; more are answered 503 at once (load shedding).
    #[arg(long)]
    max_in_flight: Option<usize>,
    /// Append the audit log's head as a JSON line (as `vigil audit anchor` prints it) to this
    /// file at start, periodically and at shutdown, for `vigil audit verify --anchor FILE`.
    #[arg(long)]
    audit_anchor_file: Option<PathBuf>,
    /// Anchor every this many minutes (default 60)…
    #[arg(long)]
    audit_anchor_minutes: Option<f64>,
    /// …and also once this many entries were appended since the last anchor.
    #[arg(long)]
    audit_anchor_entries: Option<u64>,
    /// Run as the federation node of this member state (`IN`); with --federation.
    #[arg(long)]
    node_id: Option<String>,
    /// NATS with JetStream to federate over, `nats://127.0.0.1:4222` (docs/FEDERATION.md).
    #[arg(long)]
    federation: Option<String>,
}

pub fn settings(listen: Option<String>, o: ServeOptions) -> Result<ServeSettings> {
    let file = match &o.config {
        Some(path) => ServeSettings::load(path)?,
        None => ServeSettings::default(),
    };
    let env = ServeSettings::from_env(|k| std::env::var(k).ok())?;
    let flags = ServeSettings {
        listen,
        tls_cert: o.tls_cert,
        tls_key: o.tls_key,
        update_interval_hours: o.update_interval_hours,
        rate_per_sec: o.rate_per_sec,
        burst: o.burst,
        max_in_flight: o.max_in_flight,
        audit_anchor_file: o.audit_anchor_file,
        audit_anchor_minutes: o.audit_anchor_minutes,
        audit_anchor_entries: o.audit_anchor_entries,
        federation: (o.node_id.is_some() || o.federation.is_some()).then_some(FederationSettings {
            node_id: o.node_id,
            url: o.federation,
            prefix: None,
        }),
        ..ServeSettings::default()
    };
    let merged = file.overridden_by(env).overridden_by(flags);
    if let Some(m) = merged.audit_anchor_minutes {
        if !(m.is_finite() && m > 0.0 && m <= 1_000_000.0) {
            bail!("--audit-anchor-minutes: a positive number up to 1000000");
        }
    }
    if merged.audit_anchor_entries == Some(0) {
        bail!("--audit-anchor-entries: at least 1");
    }
    Ok(merged)
}

pub async fn run(db: &str, listen: Option<String>, options: ServeOptions) -> Result<()> {
    // Logs go to standard error; standard output carries only the first admin's token.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let settings = settings(listen, options)?;
    // Read before anything else, so that a bad certificate stops the start.
    let tls = match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => Some(vigil_server::tls_config(cert, key)?),
        (None, None) => None,
        _ => bail!("give both --tls-cert and --tls-key, or neither"),
    };
    // Read before serving, so that a broken update configuration stops the start.
    let update = match settings.update_interval() {
        Some(every) => Some((
            every,
            UpdateConfig::load(settings.update_config.as_deref())?,
        )),
        None => None,
    };
    let anchor = settings.audit_anchor();
    if let Some((path, _, _)) = &anchor {
        // Fail the start, not the first anchor an hour later, on an unwritable file.
        open_anchor_file(path)?;
    }
    let store = Store::open(db).await?;
    if store.users().await?.is_empty() {
        let user = store
            .add_user("admin", EXECUTIVE_COMMITTEE, Role::Admin)
            .await?;
        let token = store.create_token(&user.name, None).await?;
        audit_cli(
            &store,
            "user.add",
            vec![],
            format!(
                "first admin {} of {}, token {}",
                user.name, user.authority, token.id
            ),
        )
        .await?;
        eprintln!(
            "created the first admin {:?} of {}; its token (shown once) follows on standard output",
            user.name, user.authority
        );
        println!("{}", token.token);
    }
    // SQLite: the WAL is copied into the database file beside the writer, not inside one of
    // its commits (see vigil_store's checkpoint module): no request waits for a checkpoint.
    let checkpoints = store
        .start_background_checkpoints(Duration::from_millis(200))
        .await?;
    let listen = settings.listen().to_string();
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let state = AppState::new(store.clone(), settings.server_config());
    state
        .prepare()
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the screening index: {}", e.detail))?;
    tokio::spawn(watch(state.clone()));
    let _node = match &settings.federation {
        Some(f) => Some(start_node(&store, f, &state).await?),
        None => None,
    };
    if let Some((every, config)) = update {
        tokio::spawn(scheduled_update(state.clone(), every, config));
    }
    let mut anchoring = anchor.map(|(path, every, entries)| Anchoring {
        store: store.clone(),
        path,
        every,
        entries,
        last: None,
    });
    if let Some(a) = &mut anchoring {
        a.anchor_if_due(true).await;
    }
    let anchoring = anchoring.map(|a| std::sync::Arc::new(tokio::sync::Mutex::new(a)));
    if let Some(a) = &anchoring {
        tokio::spawn(anchor_periodically(a.clone()));
    }
    tracing::info!(address = %listener.local_addr()?, backend = store.backend().as_str(), tls = tls.is_some(), "serving");
    let app = vigil_server::router(state);
    match tls {
        Some(config) => {
            let listener = vigil_server::TlsListener::new(listener, config)?;
            vigil_server::serve_tls(listener, app).await
        }
        None => vigil_server::serve(listener, app).await,
    }
    .context("the server stopped")?;
    if let Some(a) = &anchoring {
        a.lock().await.anchor_if_due(true).await;
    }
    if let Some(c) = checkpoints {
        c.stop().await;
    }
    Ok(())
}

fn open_anchor_file(path: &std::path::Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| {
            format!(
                "--audit-anchor-file {}: cannot open for appending",
                path.display()
            )
        })
}

/// Appends the audit log's head to the anchor file when it is due.
struct Anchoring {
    store: Store,
    path: PathBuf,
    every: Duration,
    entries: Option<u64>,
    /// The last anchor written: its seq and when.
    last: Option<(i64, std::time::Instant)>,
}

impl Anchoring {
    /// Writes an anchor if the log has grown since the last one and the interval has passed,
    /// or enough entries were appended (or `now`: at start and at shutdown).
    async fn anchor_if_due(&mut self, now: bool) {
        let head = match self.store.audit_anchor().await {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the audit log's head to anchor it");
                return;
            }
        };
        let due = match self.last {
            None => true,
            Some((seq, _)) if head.seq < seq => {
                tracing::error!(
                    seq = head.seq,
                    anchored = seq,
                    "the audit log ends before the last anchor: it was cut short"
                );
                false
            }
            Some((seq, _)) if head.seq == seq => false,
            Some((seq, at)) => {
                now || at.elapsed() >= self.every
                    || self
                        .entries
                        .is_some_and(|n| u64::try_from(head.seq - seq).unwrap_or(0) >= n)
            }
        };
        if !due {
            return;
        }
        let path = self.path.clone();
        let line = format!("{}\n", head.to_json_line());
        let written = tokio::task::spawn_blocking(move || -> Result<()> {
            use std::io::Write;
            let mut file = open_anchor_file(&path)?;
            file.write_all(line.as_bytes())?;
            file.sync_data()?;
            Ok(())
        })
        .await;
        match written {
            Ok(Ok(())) => {
                tracing::info!(seq = head.seq, "audit log anchored");
                self.last = Some((head.seq, std::time::Instant::now()));
            }
            Ok(Err(e)) => tracing::error!(error = %e, "cannot write the audit anchor"),
            Err(e) => tracing::error!(error = %e, "cannot write the audit anchor"),
        }
    }
}

async fn anchor_periodically(anchoring: std::sync::Arc<tokio::sync::Mutex<Anchoring>>) {
    let poll = {
        let a = anchoring.lock().await;
        if a.entries.is_some() {
            a.every.min(Duration::from_secs(5))
        } else {
            a.every
        }
    };
    loop {
        tokio::time::sleep(poll).await;
        anchoring.lock().await.anchor_if_due(false).await;
    }
}

async fn watch(state: AppState) {
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        if let Err(e) = state.screening.refresh_if_changed(&state.store).await {
            tracing::warn!(error = %e.detail, "cannot check the register for changes");
        }
    }
}

/// Runs the official list update every `every`; each source's outcome is audited, a failed
/// source changes nothing, and the screening index is swapped after any import.
async fn scheduled_update(state: AppState, every: Duration, config: UpdateConfig) {
    loop {
        tokio::time::sleep(every).await;
        let sources = config.sources.clone();
        let outcomes = vigil_update::update(&state.store, &config, &sources).await;
        let mut changed = false;
        for o in outcomes {
            let entry = match &o.outcome {
                vigil_update::Outcome::Imported { reports, .. } => {
                    changed |= reports.iter().any(|r| !r.already_imported);
                    NewAuditEntry::new(
                        UPDATE_USER,
                        UPDATE_AUTHORITY,
                        "lists.update",
                        Outcome::Success,
                    )
                    .records(reports.iter().map(|r| r.list.clone()).collect())
                    .detail(format!("scheduled update of {}", o.source))
                }
                vigil_update::Outcome::Failed { error } => {
                    tracing::error!(source = %o.source, %error, "scheduled update failed; nothing imported");
                    NewAuditEntry::new(
                        UPDATE_USER,
                        UPDATE_AUTHORITY,
                        "lists.update",
                        Outcome::Failed,
                    )
                    .detail(format!("scheduled update of {}: {error}", o.source))
                }
            };
            if let Err(e) = state.audit(&entry).await {
                tracing::error!(error = %e, "cannot audit the scheduled update");
            }
        }
        if changed {
            state.register_changed().await;
        }
    }
}

/// Starts the federation node beside the server; its figures go to `/metrics`.
async fn start_node(
    store: &Store,
    f: &FederationSettings,
    state: &AppState,
) -> Result<std::sync::Arc<vigil_federation::Node>> {
    let (Some(node_id), Some(url)) = (&f.node_id, &f.url) else {
        bail!("federation: give both --node-id and --federation (node_id and url in [federation])");
    };
    let mut config = vigil_federation::NodeConfig::new(node_id, url);
    if let Some(p) = &f.prefix {
        config.prefix = p.clone();
    }
    let node = std::sync::Arc::new(
        vigil_federation::Node::start(store.clone(), config)
            .await
            .context("cannot start the federation node")?,
    );
    tracing::info!(node = %node_id, nats = %url, "federation node started");
    let (n, s) = (node.clone(), state.clone());
    tokio::spawn(async move {
        loop {
            if let Ok(status) = n.status().await {
                s.metrics.set_extra(status.prometheus());
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    Ok(node)
}
