//! `vigil user`, `vigil token` and `vigil audit`: identity and the audit log from the command
//! line. Changes made here are audited as user `cli`.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use vigil_model::Role;
use vigil_store::{AuditFilter, NewAuditEntry, Outcome, Store};

/// The audit log's name for whoever runs the command line on the server's machine.
pub const CLI_USER: &str = "cli";
const CLI_AUTHORITY: &str = "local";

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user of an authority (a member state's code such as RU, its body RU-FSB, RATS-EC…).
    Add {
        name: String,
        #[arg(long)]
        authority: String,
        /// admin, analyst, officer, secretariat or auditor.
        #[arg(long)]
        role: String,
    },
    /// The users.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints the token alone (it cannot be shown again).
    Create {
        user: String,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// Revoke one token by its id, or every token of a user by the user's name.
    Revoke { token: String },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; fails naming the first changed, removed or reordered entry.
    Verify {
        /// Also check anchors (lines printed by `vigil audit anchor`, or written by
        /// `vigil serve --audit-anchor-file`): fails if an anchored entry is gone (the log was
        /// cut short) or has another hash.
        #[arg(long)]
        anchor: Option<std::path::PathBuf>,
    },
    /// Print the log's head as one JSON line ({"seq","hash","time"}) to keep outside the store;
    /// `vigil audit verify --anchor FILE` later proves the log was not cut short below it.
    Anchor,
    /// Print audit entries, oldest first.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        authority: Option<String>,
        #[arg(long)]
        user: Option<String>,
        /// An entity id the entries concern.
        #[arg(long)]
        record: Option<String>,
        #[arg(long)]
        action: Option<String>,
        /// From this time or date (RFC 3339 or YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Before this time; a date counts whole.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
}

pub async fn audit_cli(
    store: &Store,
    action: &str,
    records: Vec<String>,
    detail: String,
) -> Result<()> {
    let entry = NewAuditEntry::new(CLI_USER, CLI_AUTHORITY, action, Outcome::Success)
        .records(records)
        .detail(detail);
    store
        .audit(&entry)
        .await
        .context("cannot write the audit log")?;
    Ok(())
}

pub async fn user(store: &Store, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            authority,
            role,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!("--role {role:?}: use admin, analyst, officer, secretariat or auditor");
            };
            let user = store.add_user(&name, &authority, role).await?;
            audit_cli(
                store,
                "user.add",
                vec![],
                format!("{} of {} as {}", user.name, user.authority, user.role),
            )
            .await?;
            eprintln!("added {} of {} as {}", user.name, user.authority, user.role);
        }
        UserCommand::List { json } => {
            for u in store.users().await? {
                if json {
                    println!("{}", serde_json::to_string(&u)?);
                } else {
                    println!("{}\t{}\t{}\t{}", u.name, u.authority, u.role, u.created);
                }
            }
        }
    }
    Ok(())
}

pub async fn token(store: &Store, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { user, expires_days } => {
            let secs = expires_days.map(|d| i64::from(d) * 86_400);
            let token = store.create_token(&user, secs).await?;
            audit_cli(
                store,
                "token.create",
                vec![],
                format!("token {} for {}", token.id, token.user),
            )
            .await?;
            eprintln!(
                "token {} for {}{}",
                token.id,
                token.user,
                token
                    .expires
                    .as_deref()
                    .map(|e| format!(", expires {e}"))
                    .unwrap_or_default()
            );
            println!("{}", token.token);
        }
        TokenCommand::Revoke { token } => {
            let revoked = match token.parse::<i64>() {
                Ok(id) => u64::from(store.revoke_token(id).await?),
                Err(_) => store.revoke_user_tokens(&token).await?,
            };
            if revoked == 0 {
                bail!("{token:?}: no live token with this id, and no user of this name with one");
            }
            audit_cli(
                store,
                "token.revoke",
                vec![],
                format!("{token}: {revoked} revoked"),
            )
            .await?;
            eprintln!("revoked {revoked} token(s)");
        }
    }
    Ok(())
}

pub async fn audit(store: &Store, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify { anchor } => {
            // Read the anchors first: a malformed file stops before anything is claimed.
            let anchors = match &anchor {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    vigil_store::parse_anchors(&text)
                        .with_context(|| format!("{} is not an anchor file", path.display()))?
                }
                None => Vec::new(),
            };
            let report = store.verify_audit().await?;
            if let Some(bad) = report.first_bad {
                bail!(
                    "audit log tampered: {bad} ({} entries verified before it)",
                    report.entries
                );
            }
            let problems = store.check_anchors(&anchors).await?;
            if let Some(first) = problems.first() {
                for p in &problems {
                    eprintln!("{p}");
                }
                bail!(
                    "audit log tampered: {first} ({} of {} anchors fail)",
                    problems.len(),
                    anchors.len()
                );
            }
            if anchors.is_empty() {
                println!("audit log intact: {} entries", report.entries);
            } else {
                println!(
                    "audit log intact: {} entries; {} anchors hold",
                    report.entries,
                    anchors.len()
                );
            }
        }
        AuditCommand::Anchor => match store.audit_anchor().await? {
            Some(anchor) => println!("{}", anchor.to_json_line()),
            None => bail!("the audit log is empty: nothing to anchor yet"),
        },
        AuditCommand::List {
            json,
            authority,
            user,
            record,
            action,
            from,
            to,
            limit,
        } => {
            let filter = AuditFilter {
                authority,
                user,
                record,
                action,
                from,
                to,
                after: None,
                limit: Some(limit),
            };
            for e in store.audit_log(&filter).await? {
                if json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        e.seq,
                        e.at,
                        e.user,
                        e.authority,
                        e.action,
                        e.outcome,
                        e.records.join(","),
                        e.detail
                    );
                }
            }
        }
    }
    Ok(())
}
