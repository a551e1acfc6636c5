//! `vigil node keygen|trust|status`: this node's signing keys, the peers' pinned keys, and
//! the federation's figures (docs/FEDERATION.md).

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_federation::{generate_key, peer_key, NodeStatus};
use vigil_store::{NewAuditEntry, Outcome, Store};

use crate::admin::CLI_USER;

#[derive(Subcommand)]
pub enum NodeCommand {
    /// Generate an ed25519 key pair for an authority of this node (`RU`, `RU-FSB`); the
    /// secret stays in the store, the public key is printed for the peers to pin.
    Keygen {
        #[arg(long)]
        authority: String,
    },
    /// Pin a peer authority's public key (base64, as its `vigil node keygen` printed it).
    /// A pinned key is never replaced.
    Trust {
        /// The peer's public key.
        public_key: String,
        #[arg(long)]
        authority: String,
    },
    /// Peers, last sequence numbers sent and applied, what is pending; with --federation,
    /// also each stream's backlog as JetStream counts it.
    Status {
        /// This node's member state.
        #[arg(long, env = "VIGIL_NODE_ID")]
        node_id: String,
        /// NATS URL; without it the figures come from the store alone.
        #[arg(long, env = "VIGIL_FEDERATION")]
        federation: Option<String>,
        #[arg(long, default_value = "vigil")]
        prefix: String,
        #[arg(long)]
        json: bool,
    },
}

fn entry(action: &str, authority: &str, detail: String) -> NewAuditEntry {
    NewAuditEntry::new(CLI_USER, "local", action, Outcome::Success)
        .records(vec![format!("authority:{authority}")])
        .detail(detail)
}

pub async fn run(store: &Store, command: NodeCommand) -> Result<()> {
    match command {
        NodeCommand::Keygen { authority } => {
            let key = generate_key(&authority).map_err(|e| anyhow::anyhow!("--authority: {e}"))?;
            store
                .pin_federation_key(
                    &key,
                    &entry(
                        "node.keygen",
                        &authority,
                        format!("key of {authority}: {}", key.public_key),
                    ),
                )
                .await
                .with_context(|| format!("cannot store the key of {authority}"))?;
            eprintln!(
                "key of {authority} (node {}); give the peers this public key:",
                key.node
            );
            println!("{}", key.public_key);
        }
        NodeCommand::Trust {
            public_key,
            authority,
        } => {
            let key = peer_key(&authority, &public_key)?;
            let new = store
                .pin_federation_key(
                    &key,
                    &entry(
                        "node.trust",
                        &authority,
                        format!("pinned key of {authority}: {}", key.public_key),
                    ),
                )
                .await
                .with_context(|| format!("cannot pin the key of {authority}"))?;
            if new {
                eprintln!("pinned the key of {authority} (node {})", key.node);
            } else {
                eprintln!("the key of {authority} was pinned already");
            }
        }
        NodeCommand::Status {
            node_id,
            federation,
            prefix,
            json,
        } => {
            let status = match federation {
                Some(url) => {
                    vigil_federation::status_with_streams(store, &node_id, &url, &prefix).await?
                }
                None => vigil_federation::status(store, &node_id).await?,
            };
            print_status(&status, json)?;
        }
    }
    Ok(())
}

fn print_status(s: &NodeStatus, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(s)?);
        return Ok(());
    }
    println!("node {}  own keys: {}", s.node, s.own_keys.join(", "));
    println!("register changes not yet exported: {}", s.export_lag);
    if let Some(p) = s.inbound_pending {
        println!("envelopes waiting on this node's stream: {p}");
    }
    println!(
        "{:<6} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8}  authorities",
        "peer", "sent seq", "pending", "lag", "recv seq", "applied", "refused"
    );
    for p in &s.peers {
        println!(
            "{:<6} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8}  {}",
            p.node,
            p.sent_last_seq,
            p.sent_pending,
            p.stream_pending.map_or("-".to_string(), |v| v.to_string()),
            p.received_last_seq,
            p.applied,
            p.refused,
            p.authorities.join(", ")
        );
    }
    if let Some(e) = &s.last_error {
        println!("last error: {e}");
    }
    Ok(())
}
