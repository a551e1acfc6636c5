//! `vigil message send|list|show|reply|forward` and `vigil export --format stix`: the exchange from the
//! command line. These act directly on the store as a named user (`--as USER`): the user's
//! authority and role decide what they may do and see, exactly as through the API (the same
//! checks run), and every action is audited as that user.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::Value;
use vigil_exchange::{AttachmentInput, Encounter, MarkingsInput, MessageInput};
use vigil_model::{AuthorityKind, Caller, Role};
use vigil_server::exchange::{self as ops, ListQuery};
use vigil_server::{ApiError, AppState, Config};
use vigil_store::Store;

const AS_HELP: &str = "The user to act as: the command acts on the store directly, as this user \
                       of the API would (its authority and role decide what it may do and see), \
                       and is audited as this user";

#[derive(Args)]
pub struct AsUser {
    #[arg(long = "as", value_name = "USER", help = AS_HELP)]
    user: String,
}

#[derive(Args)]
pub struct MarkingArgs {
    /// unclassified, restricted, confidential or secret.
    #[arg(long)]
    classification: String,
    /// free, intelligence_only, ask_before_forwarding or ask_before_evidence.
    #[arg(long)]
    handling: String,
    /// TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.
    #[arg(long)]
    tlp: String,
}

#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub who: AsUser,
    /// request, alert or notification.
    #[arg(long)]
    kind: String,
    /// A recipient: an authority's code (KZ-KNB), a member state's code (KZ: every
    /// authority of it), all_members or partners. Repeat for several.
    #[arg(long = "to", required = true)]
    to: Vec<String>,
    /// An entity id (ru:17) or restricted-hit reference (ref:vr1-…) the message is about.
    #[arg(long = "subject")]
    subjects: Vec<String>,
    #[arg(long)]
    title: String,
    /// The free text.
    #[arg(long, default_value = "")]
    body: String,
    #[command(flatten)]
    markings: MarkingArgs,
    /// routine (7 days), urgent (24 hours) or immediate (4 hours).
    #[arg(long, default_value = "routine")]
    priority: String,
    /// Requests: entity, document or travel.
    #[arg(long)]
    about: Option<String>,
    #[arg(long)]
    document_number: Option<String>,
    #[arg(long)]
    travel: Option<String>,
    /// Alerts: where, when, by whom and what was done (all four).
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    at: Option<String>,
    #[arg(long)]
    by: Option<String>,
    #[arg(long)]
    action: Option<String>,
    /// A file to attach (PDF, JPEG, PNG, text or JSON; at most 512 KiB). Repeat for several.
    #[arg(long = "attach")]
    attach: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum MessageCommand {
    /// Send a request, alert or notification; prints the message as JSON.
    Send(Box<SendArgs>),
    /// Your authority's messages; marks the inbox's delivered.
    List {
        #[command(flatten)]
        who: AsUser,
        /// inbox, sent or all.
        #[arg(long = "box", default_value = "all")]
        which: String,
        #[arg(long)]
        unread: bool,
        #[arg(long)]
        overdue: bool,
        /// Only messages about this entity id.
        #[arg(long)]
        entity: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One message you sent or received (marks it read when received); with `--attachment N
    /// --output FILE`, writes that attachment's bytes to FILE instead.
    Show {
        #[command(flatten)]
        who: AsUser,
        id: String,
        #[arg(long)]
        json: bool,
        /// The attachment's index (0, 1…) to save; needs --output.
        #[arg(long, requires = "output")]
        attachment: Option<String>,
        /// Where to write the attachment (an existing file is not overwritten).
        #[arg(long, short, requires = "attachment")]
        output: Option<PathBuf>,
    },
    /// Forward a message you sent or received, as its handling code and TLP label allow;
    /// prints the new message as JSON.
    Forward {
        #[command(flatten)]
        who: AsUser,
        id: String,
        /// A recipient (as for `send --to`). Repeat for several.
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// A note put before the forwarded text.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reply to a message you received; the reply goes to its sender.
    Reply {
        #[command(flatten)]
        who: AsUser,
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        body: String,
        #[command(flatten)]
        markings: MarkingArgs,
        #[arg(long = "subject")]
        subjects: Vec<String>,
    },
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow!("{}: {}", e.code.code(), e.detail)
}

/// The caller `user` stands for, from the store's users and authorities.
pub async fn caller(store: &Store, user: &str) -> Result<Caller> {
    let found = store
        .users()
        .await?
        .into_iter()
        .find(|u| u.name == user)
        .with_context(|| format!("--as {user:?}: no such user (see `vigil user list`)"))?;
    let kind = store
        .authorities()
        .await?
        .into_iter()
        .find(|a| a.code == found.authority)
        .map(|a| a.kind)
        .with_context(|| format!("user {user:?}: unknown authority {}", found.authority))?;
    Ok(Caller::new(&found.name, &found.authority, kind, found.role))
}

fn media_type(path: &Path) -> Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "txt" | "text" => "text/plain",
        "json" => "application/json",
        _ => bail!(
            "--attach {}: attach .pdf, .jpg, .png, .txt or .json files",
            path.display()
        ),
    })
}

fn attachment(path: &Path) -> Result<AttachmentInput> {
    let media_type = media_type(path)?;
    let meta = std::fs::metadata(path).with_context(|| format!("--attach {}", path.display()))?;
    if meta.len() > vigil_exchange::message::MAX_ATTACHMENT_BYTES as u64 {
        bail!(
            "--attach {}: {} bytes; attachments hold at most {} bytes",
            path.display(),
            meta.len(),
            vigil_exchange::message::MAX_ATTACHMENT_BYTES
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("--attach {}", path.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("attachment")
        .to_string();
    Ok(AttachmentInput::from_bytes(&name, media_type, &bytes))
}

fn markings(m: &MarkingArgs) -> MarkingsInput {
    MarkingsInput {
        classification: Some(m.classification.clone()),
        handling: Some(m.handling.clone()),
        tlp: Some(m.tlp.clone()),
    }
}

fn print_json(v: &Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{v}")?;
    Ok(())
}

fn print_message(v: &Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    writeln!(
        out,
        "message {}  ({}, thread {})",
        v["id"],
        s("kind"),
        v["thread"]
    )?;
    writeln!(
        out,
        "from:      {} ({})",
        s("sender_authority"),
        s("sender_user")
    )?;
    let to: Vec<&str> = v["recipients"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    writeln!(out, "to:        {}", to.join(", "))?;
    writeln!(
        out,
        "markings:  {} / {} / TLP:{}",
        v["markings"]["classification"].as_str().unwrap_or(""),
        v["markings"]["handling"].as_str().unwrap_or(""),
        v["markings"]["tlp"].as_str().unwrap_or("")
    )?;
    writeln!(out, "priority:  {} (due {})", s("priority"), s("due"))?;
    writeln!(out, "state:     {}", s("state"))?;
    if let Some(subjects) = v["subjects"].as_array().filter(|a| !a.is_empty()) {
        let list: Vec<&str> = subjects.iter().filter_map(Value::as_str).collect();
        writeln!(out, "subjects:  {}", list.join(", "))?;
    }
    if let Some(id) = v["resolved"]["entity_id"].as_str() {
        writeln!(out, "resolved:  the reference stands for your record {id}")?;
    }
    if !v["context"].as_object().is_none_or(|c| c.is_empty()) {
        writeln!(out, "context:   {}", v["context"])?;
    }
    for a in v["attachments"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "attached:  [{}] {} ({}, {} bytes)",
            a["index"],
            a["name"].as_str().unwrap_or(""),
            a["media_type"].as_str().unwrap_or(""),
            a["size"]
        )?;
    }
    writeln!(out, "title:     {}\n\n{}", s("title"), s("body"))?;
    Ok(())
}

pub async fn run(store: Store, command: MessageCommand) -> Result<()> {
    let state = AppState::new(store.clone(), Config::default());
    match command {
        MessageCommand::Send(args) => {
            let SendArgs {
                who,
                kind,
                to,
                subjects,
                title,
                body,
                markings: m,
                priority,
                about,
                document_number,
                travel,
                place,
                at,
                by,
                action,
                attach,
            } = *args;
            let caller = caller(&store, &who.user).await?;
            let encounter = match (place, at, by, action) {
                (None, None, None, None) => None,
                (Some(place), Some(at), Some(by), Some(action)) => Some(Encounter {
                    place,
                    at,
                    by,
                    action,
                }),
                _ => bail!("--place, --at, --by and --action go together (an alert's encounter)"),
            };
            let attachments = attach
                .iter()
                .map(|p| attachment(p))
                .collect::<Result<Vec<_>>>()?;
            let input = MessageInput {
                kind,
                recipients: to,
                subjects,
                title,
                body,
                markings: markings(&m),
                priority: Some(priority),
                context: vigil_exchange::Context {
                    about,
                    document_number,
                    travel,
                    encounter,
                    ..Default::default()
                },
                attachments,
            };
            let v = ops::send_message(&state, &caller, input)
                .await
                .map_err(api)?;
            print_json(&v)
        }
        MessageCommand::List {
            who,
            which,
            unread,
            overdue,
            entity,
            kind,
            json,
        } => {
            let caller = caller(&store, &who.user).await?;
            let query = ListQuery {
                r#box: Some(which),
                unread,
                overdue,
                entity,
                thread: None,
                kind,
            };
            let items = ops::list_messages(&state, &caller, &query)
                .await
                .map_err(api)?;
            if json {
                for v in &items {
                    print_json(v)?;
                }
                return Ok(());
            }
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:>6}  {:<12} {:<9} {:<14} {:<12} TITLE",
                "ID", "KIND", "STATE", "FROM", "TLP"
            )?;
            for v in &items {
                writeln!(
                    out,
                    "{:>6}  {:<12} {:<9} {:<14} {:<12} {}",
                    v["id"],
                    v["kind"].as_str().unwrap_or(""),
                    v["state"].as_str().unwrap_or(""),
                    v["sender_authority"].as_str().unwrap_or(""),
                    v["markings"]["tlp"].as_str().unwrap_or(""),
                    v["title"].as_str().unwrap_or("")
                )?;
            }
            Ok(())
        }
        MessageCommand::Show {
            who,
            id,
            attachment: Some(index),
            output: Some(path),
            ..
        } => {
            let caller = caller(&store, &who.user).await?;
            if path.exists() {
                bail!("--output {}: the file exists already", path.display());
            }
            let (info, bytes) = ops::message_attachment(&state, &caller, &id, &index)
                .await
                .map_err(api)?;
            std::fs::write(&path, &bytes)
                .with_context(|| format!("--output {}: cannot write", path.display()))?;
            eprintln!(
                "wrote {} ({}, {} bytes, sha256 {}) to {}",
                info.name,
                info.media_type,
                bytes.len(),
                info.sha256,
                path.display()
            );
            Ok(())
        }
        MessageCommand::Forward { who, id, to, note } => {
            let caller = caller(&store, &who.user).await?;
            let input = ops::ForwardInput {
                recipients: to,
                note,
            };
            let v = ops::forward_message(&state, &caller, &id, input)
                .await
                .map_err(api)?;
            print_json(&v)
        }
        MessageCommand::Show { who, id, json, .. } => {
            let caller = caller(&store, &who.user).await?;
            let v = ops::show_message(&state, &caller, &id).await.map_err(api)?;
            if json {
                print_json(&v)
            } else {
                print_message(&v)
            }
        }
        MessageCommand::Reply {
            who,
            id,
            title,
            body,
            markings: m,
            subjects,
        } => {
            let caller = caller(&store, &who.user).await?;
            let input = MessageInput {
                title,
                body,
                subjects,
                markings: markings(&m),
                ..Default::default()
            };
            let v = ops::reply_message(&state, &caller, &id, input)
                .await
                .map_err(api)?;
            print_json(&v)
        }
    }
}

/// `vigil export --format stix`: as `--as USER`, everything that user may see of the register
/// and the exchange; without it, the public records only (audited as the command line).
pub async fn export_stix(store: Store, user: Option<&str>, output: Option<&Path>) -> Result<()> {
    let caller = match user {
        Some(u) => caller(&store, u).await?,
        None => Caller::new(
            crate::admin::CLI_USER,
            "local",
            AuthorityKind::ForeignAuthority,
            Role::Analyst,
        ),
    };
    let state = AppState::new(store, Config::default());
    let bundle = ops::stix_bundle(&state, &caller).await.map_err(api)?;
    let text = serde_json::to_string(&bundle)?;
    match output {
        Some(path) => std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}")?;
        }
    }
    Ok(())
}
