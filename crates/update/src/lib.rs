//! Official list updates: download each configured source, verify it, and import it as a new
//! revision when it changed.
//!
//! A source is all-or-nothing: if any of its files fails to download completely, fails to parse,
//! or looks implausibly small next to the list's current revision, nothing of it is imported and
//! the outcome says why. Sources are independent: one failing does not stop the others.
//!
//! The defaults are the official addresses; a TOML file overrides them:
//!
//! ```toml
//! timeout_seconds = 120
//! max_file_bytes = 268435456
//!
//! [[source]]
//! name = "un"
//! urls = ["https://scsanctions.un.org/resources/xml/en/consolidated.xml"]
//!
//! [[source]]
//! name = "ofac"
//! urls = ["https://www.treasury.gov/ofac/downloads/sdn.csv",
//!         "https://www.treasury.gov/ofac/downloads/alt.csv",
//!         "https://www.treasury.gov/ofac/downloads/add.csv",
//!         "https://www.treasury.gov/ofac/downloads/sdn_comments.csv"]
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vigil_formats::{Format, ParsedList, ReadOptions};
use vigil_model::ListName;
use vigil_store::{FileRef, ImportBatch, ImportReport, Store};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("cannot read the update configuration {path}: {detail}")]
    Config { path: String, detail: String },
    #[error("no source named {0:?} in the update configuration")]
    UnknownSource(String),
}

/// One official source: the files that together make one list version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The source's name, also the list it is imported into unless `list` says otherwise.
    pub name: String,
    #[serde(default)]
    pub list: Option<String>,
    /// `un-xml`, `ofac-csv`, `ftm` or `national-csv`; detected from content when absent.
    #[serde(default)]
    pub format: Option<String>,
    pub urls: Vec<String>,
    /// Refuse a version holding fewer than this share of the entities the list holds now
    /// (a truncated but well-formed file must not delist most of a list).
    #[serde(default = "default_min_ratio")]
    pub min_ratio: f64,
}

fn default_min_ratio() -> f64 {
    0.5
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateConfig {
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    #[serde(default = "default_max_bytes")]
    pub max_file_bytes: u64,
    #[serde(rename = "source", default = "official_sources")]
    pub sources: Vec<Source>,
}

fn default_timeout() -> u64 {
    120
}
fn default_max_bytes() -> u64 {
    256 * 1024 * 1024
}

/// The UN Security Council consolidated list and OFAC's SDN legacy CSV set, at their official
/// addresses.
pub fn official_sources() -> Vec<Source> {
    let ofac = |file: &str| format!("https://www.treasury.gov/ofac/downloads/{file}");
    vec![
        Source {
            name: "un".into(),
            list: None,
            format: Some("un-xml".into()),
            urls: vec!["https://scsanctions.un.org/resources/xml/en/consolidated.xml".into()],
            min_ratio: default_min_ratio(),
        },
        Source {
            name: "ofac".into(),
            list: None,
            format: Some("ofac-csv".into()),
            urls: ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
                .iter()
                .map(|f| ofac(f))
                .collect(),
            min_ratio: default_min_ratio(),
        },
    ]
}

impl Default for UpdateConfig {
    fn default() -> Self {
        Self {
            timeout_seconds: default_timeout(),
            max_file_bytes: default_max_bytes(),
            sources: official_sources(),
        }
    }
}

impl UpdateConfig {
    /// The configuration in `path`, or the official defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Self, UpdateError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let err = |detail: String| UpdateError::Config {
            path: path.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let config: UpdateConfig = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        for source in &config.sources {
            if source.urls.is_empty() {
                return Err(err(format!("source {:?} has no urls", source.name)));
            }
            if let Some(f) = &source.format {
                if Format::parse(f).is_none() {
                    return Err(err(format!(
                        "source {:?}: unknown format {f:?}",
                        source.name
                    )));
                }
            }
            ListName::new(source.list.as_deref().unwrap_or(&source.name))
                .map_err(|e| err(format!("source {:?}: {e}", source.name)))?;
        }
        Ok(config)
    }

    /// Only the named sources (all when `only` is empty).
    pub fn select(&self, only: &[String]) -> Result<Vec<Source>, UpdateError> {
        if only.is_empty() {
            return Ok(self.sources.clone());
        }
        only.iter()
            .map(|name| {
                self.sources
                    .iter()
                    .find(|s| &s.name == name)
                    .cloned()
                    .ok_or_else(|| UpdateError::UnknownSource(name.clone()))
            })
            .collect()
    }
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A new revision was stored (or the files were already the latest revision).
    Imported {
        reports: Vec<ImportReport>,
        warnings: usize,
    },
    /// Nothing of this source was imported.
    Failed { error: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOutcome {
    pub source: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The store batches for what a reader read: one per list in the input, each recording every
/// file of the import. The single way list files become an import, for the command line, the
/// server's uploads and the updater alike.
pub fn import_batches(parsed: &ParsedList) -> Vec<ImportBatch> {
    let files: Vec<FileRef> = parsed
        .files
        .iter()
        .map(|f| FileRef {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            bytes: f.bytes,
        })
        .collect();
    parsed
        .lists
        .iter()
        .map(|content| ImportBatch {
            list: content.list.clone(),
            authority: content.authority.clone(),
            title: content.title.clone(),
            format: parsed.format.as_str().to_string(),
            published: content.published.clone(),
            files: files.clone(),
            entities: content.entities.clone(),
        })
        .collect()
}

/// The import reports as JSON objects, each with the format, files and warning count of the
/// file set its list was read from (file names only) (`parsed` in the order [`import_batches`] made the batches).
pub fn reports_json(parsed: &[ParsedList], reports: &[ImportReport]) -> Vec<serde_json::Value> {
    let origins = parsed
        .iter()
        .flat_map(|p| std::iter::repeat_n(p, p.lists.len()));
    reports
        .iter()
        .zip(origins)
        .map(|(report, source)| {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            if let Some(obj) = value.as_object_mut() {
                obj.insert("format".into(), source.format.as_str().into());
                obj.insert("warnings".into(), source.warnings.len().into());
                // As the revision records them: the file names, not where they were read from.
                let files: Vec<String> = source
                    .files
                    .iter()
                    .map(|f| vigil_formats::source_file_name(Path::new(&f.path)))
                    .collect();
                obj.insert("files".into(), files.into());
            }
            value
        })
        .collect()
}

/// Downloads `url` into `dir`, refusing more than `max_bytes` and a body shorter than the
/// announced Content-Length (a connection cut mid-file).
fn download(agent: &ureq::Agent, url: &str, dir: &Path, max_bytes: u64) -> Result<PathBuf, String> {
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty() && !n.starts_with('.') && !n.contains(['\\', ':']))
        .unwrap_or("download");
    let path = dir.join(name);
    let mut response = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    let announced: Option<u64> = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    if let Some(n) = announced {
        if n > max_bytes {
            return Err(format!(
                "{url}: announces {n} bytes, over the limit of {max_bytes}"
            ));
        }
    }
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(max_bytes + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            format!(
                "{url}: download interrupted after {} bytes: {e}",
                body.len()
            )
        })?;
    if body.len() as u64 > max_bytes {
        return Err(format!("{url}: more than {max_bytes} bytes"));
    }
    if let Some(n) = announced {
        if body.len() as u64 != n {
            return Err(format!(
                "{url}: incomplete download, {} of {n} bytes",
                body.len()
            ));
        }
    }
    if body.is_empty() {
        return Err(format!("{url}: the server sent an empty file"));
    }
    std::fs::write(&path, &body).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

async fn update_source(store: &Store, config: &UpdateConfig, source: &Source) -> Outcome {
    let failed = |error: String| Outcome::Failed { error };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return failed(format!("cannot create a download folder: {e}")),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(config.timeout_seconds)))
        .http_status_as_error(true)
        .build()
        .into();
    let urls = source.urls.clone();
    let target = dir.path().to_path_buf();
    let max = config.max_file_bytes;
    let downloaded = tokio::task::spawn_blocking(move || {
        urls.iter()
            .map(|url| download(&agent, url, &target, max))
            .collect::<Result<Vec<PathBuf>, String>>()
    })
    .await;
    let paths = match downloaded {
        Ok(Ok(paths)) => paths,
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(format!("download task failed: {e}")),
    };
    let list = match ListName::new(source.list.as_deref().unwrap_or(&source.name)) {
        Ok(l) => l,
        Err(e) => return failed(e.to_string()),
    };
    let format = source.format.as_deref().and_then(Format::parse);
    let options = ReadOptions {
        list: Some(list),
        progress: None,
    };
    let parsed = match vigil_formats::read(&paths, format, &options) {
        Ok(p) => p,
        Err(e) => return failed(e.problems().join("; ")),
    };
    for content in &parsed.lists {
        let current = match store
            .entities(Some(content.list.as_str()), None, false)
            .await
        {
            Ok(c) => c.len(),
            Err(e) => return failed(e.to_string()),
        };
        let floor = (current as f64 * source.min_ratio).floor() as usize;
        if content.entities.len() < floor {
            return failed(format!(
                "list {} would shrink from {current} to {} entities (below {:.0} % of it); refused as implausible",
                content.list,
                content.entities.len(),
                source.min_ratio * 100.0
            ));
        }
    }
    let mut batches = import_batches(&parsed);
    for file in batches.iter_mut().flat_map(|b| b.files.iter_mut()) {
        file.path = source_url_for(&source.urls, &file.path);
    }
    match store.import(batches, &|_| {}).await {
        Ok(reports) => Outcome::Imported {
            reports,
            warnings: parsed.warnings.len(),
        },
        Err(e) => failed(e.to_string()),
    }
}

/// The URL a downloaded file came from, so a revision records where it was fetched.
fn source_url_for(urls: &[String], local: &str) -> String {
    let name = Path::new(local)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    urls.iter()
        .find(|u| {
            u.split(['?', '#'])
                .next()
                .is_some_and(|u| u.ends_with(&format!("/{name}")))
        })
        .cloned()
        .unwrap_or_else(|| local.to_string())
}

/// Updates each source in turn; one failing does not stop the others.
pub async fn update(
    store: &Store,
    config: &UpdateConfig,
    sources: &[Source],
) -> Vec<SourceOutcome> {
    let mut out = Vec::new();
    for source in sources {
        out.push(SourceOutcome {
            source: source.name.clone(),
            outcome: update_source(store, config, source).await,
        });
    }
    out
}
