//! `vigil notice`: the unified search register from the command line. Writes act as a named
//! user (`--as USER`: its authority and role decide, as in the API, and the audit log names it);
//! reads without `--as` are the local operator's and see every notice.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use vigil_model::Caller;
use vigil_notices::{NoticeInput, Step};
use vigil_server::notices::{export_document, may_declare, may_take, visible};
use vigil_store::{NewAuditEntry, Outcome, Store, StoredNotice};

#[derive(Subcommand)]
pub enum NoticeCommand {
    /// Declare a search from a JSON file (the body of `POST /api/v1/notices`, docs/SEARCH.md).
    Declare {
        #[arg(long = "as")]
        user: String,
        file: PathBuf,
    },
    /// Record a step: JSON such as '{"step": "locate", "place": "…", "at": "2026-01-02", "source": "manual"}'.
    Step {
        id: i64,
        #[arg(long = "as")]
        user: String,
        step: String,
    },
    /// The notices, one JSON line each (photos left out); with --as, those the user may see.
    List {
        #[arg(long = "as")]
        user: Option<String>,
        /// Only the user's own open notices not reviewed for this many days.
        #[arg(long, requires = "user")]
        review_due_days: Option<i64>,
    },
    /// One notice with its history, as JSON.
    Show {
        id: i64,
        #[arg(long = "as")]
        user: Option<String>,
    },
    /// The notice as `ftm`, `interpol` or `stix`.
    Export {
        id: i64,
        #[arg(long)]
        format: String,
        #[arg(long = "as")]
        user: Option<String>,
    },
}

async fn notice_for(store: &Store, id: i64, caller: Option<&Caller>) -> Result<StoredNotice> {
    match store.notice(id).await? {
        Some(n) if caller.is_none_or(|c| visible(c, &n)) => Ok(n),
        _ => bail!("no search notice {id} is visible to you"),
    }
}

async fn optional_caller(store: &Store, user: Option<&str>) -> Result<Option<Caller>> {
    match user {
        Some(u) => Ok(Some(crate::message::caller(store, u).await?)),
        None => Ok(None),
    }
}

fn line(n: &StoredNotice) -> Result<String> {
    let mut v = serde_json::to_value(n)?;
    if let Some(p) = v.pointer_mut("/notice/person/photos") {
        *p = serde_json::json!([]);
    }
    Ok(v.to_string())
}

pub async fn run(store: &Store, command: NoticeCommand) -> Result<()> {
    match command {
        NoticeCommand::Declare { user, file } => {
            let caller = crate::message::caller(store, &user).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let input: NoticeInput = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a search notice", file.display()))?;
            if !may_declare(&caller) {
                bail!("{user}: only a member state's analysts and admins declare searches");
            }
            let entry = NewAuditEntry::new(
                &caller.user,
                &caller.authority,
                "notice.declare",
                Outcome::Success,
            )
            .detail("search declared from the command line");
            let n = store
                .declare_notice(&caller.user, &caller.authority, input, &entry)
                .await
                .with_context(|| format!("{}: not declared", file.display()))?;
            println!("{}", line(&n)?);
        }
        NoticeCommand::Step { id, user, step } => {
            let caller = crate::message::caller(store, &user).await?;
            let step: Step = serde_json::from_str(&step).context("step: not a step's JSON")?;
            notice_for(store, id, Some(&caller)).await?;
            if !may_take(&caller, &step) {
                bail!("a {} may not record a {} step", caller.role, step.name());
            }
            let action = format!("notice.{}", step.name());
            let entry =
                NewAuditEntry::new(&caller.user, &caller.authority, &action, Outcome::Success)
                    .detail(format!(
                        "step {} on notice {id} from the command line",
                        step.name()
                    ));
            let n = store
                .notice_step(id, &caller.user, &caller.authority, step, &entry)
                .await?;
            println!("{}", line(&n)?);
        }
        NoticeCommand::List {
            user,
            review_due_days,
        } => {
            let caller = optional_caller(store, user.as_deref()).await?;
            let cutoff = review_due_days
                .map(|d| vigil_model::utc_rfc3339_from_now(d.saturating_mul(-86_400)));
            for n in store.notices().await? {
                if caller.as_ref().is_some_and(|c| !visible(c, &n)) {
                    continue;
                }
                if let (Some(cutoff), Some(c)) = (&cutoff, &caller) {
                    let due = n.requesting_authority == c.authority
                        && !n.status.is_final()
                        && n.last_reviewed.as_str() < cutoff.as_str();
                    if !due {
                        continue;
                    }
                }
                println!("{}", line(&n)?);
            }
        }
        NoticeCommand::Show { id, user } => {
            let caller = optional_caller(store, user.as_deref()).await?;
            let n = notice_for(store, id, caller.as_ref()).await?;
            println!("{}", serde_json::to_string_pretty(&n)?);
        }
        NoticeCommand::Export { id, format, user } => {
            let caller = optional_caller(store, user.as_deref()).await?;
            let n = notice_for(store, id, caller.as_ref()).await?;
            let (_, text) = export_document(&n, &format).map_err(|e| anyhow::anyhow!(e.detail))?;
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
        }
    }
    Ok(())
}
