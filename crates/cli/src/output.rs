//! What the read commands print: plain text for people, JSON (lines) with `--json`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use vigil_model::{EntityId, PartialDate};
use vigil_store::{EntityRecord, Store};

/// Prints an error and its causes to standard error; a parse error lists every problem.
pub fn report_error(error: &anyhow::Error) {
    if let Some(format_error) = error.downcast_ref::<vigil_formats::FormatError>() {
        let problems = format_error.problems();
        for p in problems.iter().take(50) {
            eprintln!("error: {p}");
        }
        if problems.len() > 50 {
            eprintln!("error: … and {} more problems", problems.len() - 50);
        }
        eprintln!("error: nothing was imported");
        return;
    }
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

pub async fn lists(store: &Store, json: bool) -> Result<()> {
    let lists = store.lists().await?;
    if json {
        for l in &lists {
            print_json(l)?;
        }
        return Ok(());
    }
    if lists.is_empty() {
        println!("The register holds no lists yet: import one with `vigil import FILE`.");
    }
    for l in lists {
        let latest = l
            .latest
            .as_ref()
            .map(|r| {
                format!(
                    "revision {} effective {} (imported {})",
                    r.number, r.effective, r.imported_at
                )
            })
            .unwrap_or_else(|| "no revision".into());
        println!(
            "{:<12} {:<10} {:>6} listed {:>5} delisted  {}  — {}",
            l.name, l.authority, l.listed, l.delisted, latest, l.title
        );
    }
    Ok(())
}

pub async fn show(
    store: &Store,
    id: &EntityId,
    as_of: Option<PartialDate>,
    json: bool,
) -> Result<()> {
    let record = store
        .entity(id, as_of)
        .await?
        .with_context(|| match as_of {
            Some(d) => format!("{id} is not in the register as of {d}"),
            None => format!("{id} is not in the register"),
        })?;
    if json {
        return print_json(&record);
    }
    print!("{}", render_entity(&record));
    Ok(())
}

fn line(out: &mut String, label: &str, values: impl IntoIterator<Item = String>) {
    let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
    if !values.is_empty() {
        out.push_str(&format!("{label:<14} {}\n", values.join("; ")));
    }
}

fn country(c: &vigil_model::Country) -> String {
    match &c.code {
        Some(code) => format!("{} ({code})", c.text),
        None => c.text.clone(),
    }
}

pub fn render_entity(record: &EntityRecord) -> String {
    let e = &record.entity;
    let mut out = String::new();
    out.push_str(&format!(
        "{}  {}  [{}]{}\n",
        e.id,
        e.caption(),
        e.schema,
        if record.listed { "" } else { "  DELISTED" }
    ));
    for n in &e.names {
        let lang = n
            .lang
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  name         {} ({:?}, {}{lang})\n",
            n.value, n.kind, n.script
        ));
    }
    line(
        &mut out,
        "  born",
        e.birth_dates.iter().map(|b| {
            let approx = if b.approximate { "approx. " } else { "" };
            match &b.date {
                Some(d) => format!("{approx}{d}"),
                None => format!("{:?} (not understood)", b.text),
            }
        }),
    );
    line(
        &mut out,
        "  birthplace",
        e.birth_places.iter().map(|p| p.text.clone()),
    );
    line(
        &mut out,
        "  nationality",
        e.nationalities.iter().map(country),
    );
    line(
        &mut out,
        "  citizenship",
        e.citizenships.iter().map(country),
    );
    line(&mut out, "  country", e.countries.iter().map(country));
    line(
        &mut out,
        "  gender",
        e.gender.iter().map(|g| format!("{g:?}")),
    );
    line(&mut out, "  title", e.titles.iter().cloned());
    line(&mut out, "  position", e.positions.iter().cloned());
    for d in &e.documents {
        let kind = d
            .kind_text
            .clone()
            .unwrap_or_else(|| format!("{:?}", d.kind));
        let issuer = d
            .country
            .as_ref()
            .map(|c| format!(" ({})", country(c)))
            .unwrap_or_default();
        out.push_str(&format!("  document     {kind} {}{issuer}\n", d.number));
    }
    line(&mut out, "  address", e.addresses.iter().map(|a| a.full()));
    for d in &e.designations {
        out.push_str(&format!(
            "  designation  {} {} {:?} {:?}{}{}{}\n",
            d.authority,
            d.regime,
            d.kind,
            d.status,
            d.listed_on
                .map(|l| format!(", listed {l}"))
                .unwrap_or_default(),
            d.delisted_on
                .map(|l| format!(", delisted {l}"))
                .unwrap_or_default(),
            d.legal_basis
                .as_deref()
                .map(|b| format!(", basis: {b}"))
                .unwrap_or_default(),
        ));
    }
    line(&mut out, "  remarks", e.remarks.iter().cloned());
    line(
        &mut out,
        "  source",
        e.sources.iter().map(|s| format!("{} {}", s.file, s.record)),
    );
    out.push_str(&format!(
        "  revision     {} ({:?})\n",
        record.revision, record.change
    ));
    out
}

pub async fn history(store: &Store, id: &EntityId, json: bool) -> Result<()> {
    let versions = store.history(id).await?;
    if versions.is_empty() {
        anyhow::bail!("{id} is not in the register");
    }
    for v in &versions {
        if json {
            print_json(v)?;
        } else {
            let fields = if v.fields.is_empty() {
                String::new()
            } else {
                format!(" ({})", v.fields.join(", "))
            };
            println!(
                "revision {:>3}  effective {}  imported {}  {}{}  {}",
                v.revision,
                v.effective,
                v.imported_at,
                v.change.as_str(),
                fields,
                v.entity.caption()
            );
        }
    }
    Ok(())
}

pub async fn diff(store: &Store, list: &str, from: i64, to: i64, json: bool) -> Result<()> {
    let entries = store.diff(list, from, to).await?;
    let mut counts = std::collections::BTreeMap::new();
    for e in &entries {
        *counts.entry(e.change.as_str()).or_insert(0) += 1;
        if json {
            print_json(e)?;
        } else {
            let fields = if e.fields.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.fields.join(", "))
            };
            println!("{:<9} {}  {}{}", e.change.as_str(), e.id, e.caption, fields);
        }
    }
    if !json {
        let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        println!(
            "{list} revision {from} → {to}: {}",
            if summary.is_empty() {
                "no changes".into()
            } else {
                summary.join(", ")
            }
        );
    }
    Ok(())
}

pub async fn export_ftm(
    store: &Store,
    output: Option<&Path>,
    list: Option<&str>,
    as_of: Option<PartialDate>,
    include_delisted: bool,
) -> Result<()> {
    let records = store.entities(list, as_of, include_delisted).await?;
    let entities: Vec<vigil_model::Entity> = records.into_iter().map(|r| r.entity).collect();
    let lines = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut writer = std::io::BufWriter::new(file);
            let n = vigil_formats::ftm::write_ftm(&entities, &mut writer)?;
            writer.flush()?;
            n
        }
        None => {
            let stdout = std::io::stdout();
            let mut writer = std::io::BufWriter::new(stdout.lock());
            let n = vigil_formats::ftm::write_ftm(&entities, &mut writer)?;
            writer.flush()?;
            n
        }
    };
    eprintln!(
        "exported {} entities ({lines} FollowTheMoney lines)",
        entities.len()
    );
    Ok(())
}

pub async fn authorities(store: &Store, json: bool) -> Result<()> {
    for a in store.authorities().await? {
        if json {
            print_json(&a)?;
        } else {
            println!("{:<10} {:<20} {}", a.code, format!("{:?}", a.kind), a.name);
        }
    }
    Ok(())
}
