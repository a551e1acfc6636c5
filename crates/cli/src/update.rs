//! `vigil lists update`: fetch the official lists and import the versions that changed.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use vigil_store::Store;
use vigil_update::{Outcome, UpdateConfig};

#[derive(Subcommand)]
pub enum ListsAction {
    /// Download the configured official sources (UN consolidated XML, OFAC SDN CSV set),
    /// verify them and import each as a new revision when it changed. A source that fails to
    /// download completely or to verify changes nothing; the others go on.
    Update {
        /// TOML file overriding the official addresses (see `vigil_update` docs).
        #[arg(long, env = "VIGIL_UPDATE_CONFIG")]
        config: Option<PathBuf>,
        /// Only these sources (by name, e.g. `un`); all when absent.
        #[arg(long = "source")]
        sources: Vec<String>,
        /// Print one JSON line per source.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(store: &Store, action: ListsAction) -> Result<()> {
    let ListsAction::Update {
        config,
        sources,
        json,
    } = action;
    let config = UpdateConfig::load(config.as_deref())?;
    let selected = config.select(&sources)?;
    let outcomes = vigil_update::update(store, &config, &selected).await;
    let mut failed = 0;
    for o in &outcomes {
        if json {
            println!("{}", serde_json::to_string(o)?);
        }
        match &o.outcome {
            Outcome::Imported { reports, warnings } => {
                if !json {
                    for r in reports {
                        let what = if r.already_imported {
                            format!("unchanged (still revision {})", r.revision)
                        } else {
                            format!(
                                "revision {}: {} added, {} changed, {} delisted, {} relisted",
                                r.revision, r.added, r.changed, r.delisted, r.relisted
                            )
                        };
                        println!("{}: {what}; {warnings} warnings", o.source);
                    }
                }
            }
            Outcome::Failed { error } => {
                failed += 1;
                eprintln!("error: {}: nothing imported: {error}", o.source);
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} sources failed", outcomes.len());
    }
    Ok(())
}
