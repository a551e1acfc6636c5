//! Readers and writers for the list formats Vigil exchanges.
//!
//! Every reader streams its input (no document tree is built), checks every record, and either
//! returns all entities of the file with non-fatal [`Warning`]s, or fails with a [`FormatError`]
//! that lists every problem found, each naming the file and the line or record. A caller that
//! gets an error imports nothing.
//!
//! | format | files | list name (default) |
//! |---|---|---|
//! | [`Format::UnXml`] | the UN Security Council consolidated list XML | `un` |
//! | [`Format::OfacCsv`] | OFAC legacy `sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv` | `ofac` |
//! | [`Format::Ftm`] | FollowTheMoney JSON lines | from each id (`un:TAi.144`), else `--list` |
//! | [`Format::NationalCsv`] | a member state's list in the layout of `docs/national-csv.md` | the authority code, lowercase |

use std::fmt;
use std::path::{Path, PathBuf};

use vigil_model::{Entity, ListName};

pub use inputs::{group_inputs, read_all, InputGroup};

pub mod ftm;
mod inputs;
pub mod national;
pub mod ofac;
pub mod un;

/// Largest list file Vigil reads (the real lists are 2-4 MB).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    UnXml,
    OfacCsv,
    Ftm,
    NationalCsv,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::UnXml,
        Format::OfacCsv,
        Format::Ftm,
        Format::NationalCsv,
    ];
    /// The name used on the command line (`--format un-xml`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::UnXml => "un-xml",
            Format::OfacCsv => "ofac-csv",
            Format::Ftm => "ftm",
            Format::NationalCsv => "national-csv",
        }
    }
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in an input file. `line` is 1-based; `record` names the record when known
/// (`INDIVIDUAL TAi.144`, `ent_num 10743`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<u64>,
    pub record: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(
        file: &str,
        line: Option<u64>,
        record: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_string(),
            line,
            record,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(record) = &self.record {
            write!(f, " ({record})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A record that was skipped or a value that was not understood; the import goes on.
pub type Warning = Problem;

/// The file could not be read as a whole: nothing from it may be imported.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", summarize(.0))]
    Invalid(Vec<Problem>),
}

impl FormatError {
    pub fn invalid(
        file: &str,
        line: Option<u64>,
        record: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        FormatError::Invalid(vec![Problem::new(file, line, record, message)])
    }
    /// Every problem found, for a caller that reports them one per line.
    pub fn problems(&self) -> Vec<String> {
        match self {
            FormatError::Io { .. } => vec![self.to_string()],
            FormatError::Invalid(problems) => problems.iter().map(|p| p.to_string()).collect(),
        }
    }
}

fn summarize(problems: &[Problem]) -> String {
    match problems {
        [] => "invalid input".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more problems)", rest.len()),
    }
}

/// A file that was read, identified by its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Everything read from one import: the entities of each list it holds.
#[derive(Debug, Clone)]
pub struct ParsedList {
    pub format: Format,
    /// One entry per list in the input (an FtM file may hold several).
    pub lists: Vec<ListContent>,
    pub files: Vec<FileDigest>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone)]
pub struct ListContent {
    pub list: ListName,
    /// Code of the authority that publishes the list (`UNSC`, `US-OFAC`, `RU`).
    pub authority: String,
    pub title: String,
    /// The publication date or time the file states about itself (UN `dateGenerated`), RFC 3339
    /// or ISO date; `None` when the format has none.
    pub published: Option<String>,
    pub entities: Vec<Entity>,
}

#[derive(Default)]
pub struct ReadOptions<'a> {
    /// Overrides the list name the format would choose.
    pub list: Option<ListName>,
    /// Called with the number of bytes read so far (across all files), for a progress bar.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// The file names of an OFAC legacy CSV set.
const OFAC_FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

/// How much of a file detection looks at: enough for an XML prolog and a CSV header.
const SNIFF_BYTES: usize = 8 * 1024;

/// The format of the given files: by content (XML root element, CSV shape, JSON lines).
///
/// A folder, or several files, can only be an OFAC set. A single file is recognised by its
/// first bytes: `<CONSOLIDATED_LIST` (UN XML), a JSON object per line (FtM), a header naming the
/// national CSV columns, or OFAC's headerless rows (`36,"NAME",-0- ,...`).
pub fn detect(paths: &[PathBuf]) -> Result<Format, FormatError> {
    let first = match paths {
        [] => {
            return Err(FormatError::invalid(
                "(no input)",
                None,
                None,
                "no input file given",
            ))
        }
        [one] => one,
        several => {
            if several.iter().all(|p| is_ofac_file_name(p)) {
                return Ok(Format::OfacCsv);
            }
            let shown: Vec<String> = several.iter().map(|p| display_path(p)).collect();
            return Err(FormatError::invalid(
                &shown.join(", "),
                None,
                None,
                "several files given: only an OFAC set (sdn.csv, alt.csv, add.csv, sdn_comments.csv) spans files; read the others one at a time",
            ));
        }
    };
    detect_one(first)
}

/// The format of one file or folder, by its first bytes (a folder can only be an OFAC set).
fn detect_one(first: &Path) -> Result<Format, FormatError> {
    let shown = display_path(first);
    let meta = std::fs::metadata(first).map_err(|source| FormatError::Io {
        path: shown.clone(),
        source,
    })?;
    if meta.is_dir() {
        if OFAC_FILES.iter().any(|f| first.join(f).is_file()) {
            return Ok(Format::OfacCsv);
        }
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            "is a folder without sdn.csv: only an OFAC set is read from a folder",
        ));
    }
    let head = sniff(first)?;
    if head.is_empty() {
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            "file is empty (0 bytes)",
        ));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(FormatError::invalid(
            &shown,
            Some(1),
            None,
            "file is UTF-16 encoded; Vigil reads UTF-8 (convert it, e.g. with iconv -f UTF-16 -t UTF-8)",
        ));
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        if text.contains("<CONSOLIDATED_LIST") {
            return Ok(Format::UnXml);
        }
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            "is XML but not the UN Security Council consolidated list (no <CONSOLIDATED_LIST> root); give --format if you are sure",
        ));
    }
    if text.starts_with('{') {
        return Ok(Format::Ftm);
    }
    // National CSV files may open with `#` comment lines (provenance notes).
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if national::looks_like_header(first_line) {
        return Ok(Format::NationalCsv);
    }
    let first_field = first_line.split(',').next().unwrap_or("").trim();
    if is_ofac_file_name(first)
        || (!first_field.is_empty()
            && first_field.bytes().all(|b| b.is_ascii_digit())
            && first_line.contains("-0-"))
    {
        return Ok(Format::OfacCsv);
    }
    Err(FormatError::invalid(
        &shown,
        Some(1),
        None,
        format!(
            "cannot tell the format from the content; give it with --format ({})",
            Format::ALL.map(Format::as_str).join(", ")
        ),
    ))
}

fn is_ofac_file_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| OFAC_FILES.iter().any(|f| f.eq_ignore_ascii_case(n)))
}

fn sniff(path: &Path) -> Result<Vec<u8>, FormatError> {
    use std::io::Read;
    let io = |source| FormatError::Io {
        path: display_path(path),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    Ok(head)
}

/// The one file of a single-file format; several files are refused, naming them.
fn single(paths: &[PathBuf], format: Format) -> Result<&Path, FormatError> {
    match paths {
        [one] => Ok(one),
        [] => Err(FormatError::invalid(
            "(no input)",
            None,
            None,
            "no input file given",
        )),
        several => {
            let shown: Vec<String> = several.iter().map(|p| display_path(p)).collect();
            Err(FormatError::invalid(
                &shown.join(", "),
                None,
                None,
                format!(
                    "{format} reads one file at a time, but {} were given",
                    several.len()
                ),
            ))
        }
    }
}

/// Reads the files as `format` (or the detected format). An OFAC set is given as its files or
/// as the folder that holds them.
pub fn read(
    paths: &[PathBuf],
    format: Option<Format>,
    options: &ReadOptions<'_>,
) -> Result<ParsedList, FormatError> {
    let format = match format {
        Some(f) => f,
        None => detect(paths)?,
    };
    match format {
        Format::UnXml => un::read_un_xml(single(paths, format)?, options),
        Format::OfacCsv => ofac::read_ofac(paths, options),
        Format::Ftm => ftm::read_ftm(single(paths, format)?, options),
        Format::NationalCsv => national::read_national_csv(single(paths, format)?, options),
    }
}

/// The path as shown in messages.
pub fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// The file's name without its folder, as source records keep it: where a file was read from
/// differs between machines, what it was does not.
pub fn source_file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| display_path(path))
}

/// A whole input file as checked UTF-8 text, with its digest.
///
/// Refuses, naming the file: a missing or unreadable file, a folder, an empty file, a file over
/// [`MAX_FILE_BYTES`], UTF-16 or any bytes that are not UTF-8 (naming the line of the first bad
/// byte). Strips a UTF-8 byte-order mark and the DOS end-of-file byte (0x1A) OFAC files end with.
pub fn read_text(path: &Path) -> Result<(String, FileDigest), FormatError> {
    use sha2::{Digest, Sha256};
    let shown = display_path(path);
    let io = |source| FormatError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            "is a folder, not a file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            format!(
                "file is {} bytes, over the limit of {MAX_FILE_BYTES}",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.is_empty() {
        return Err(FormatError::invalid(
            &shown,
            None,
            None,
            "file is empty (0 bytes)",
        ));
    }
    let digest = FileDigest {
        path: shown.clone(),
        sha256: Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        bytes: bytes.len() as u64,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FormatError::invalid(
            &shown,
            Some(1),
            None,
            "file is UTF-16 encoded; Vigil reads UTF-8 (convert it, e.g. with iconv -f UTF-16 -t UTF-8)",
        ));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() as u64 + 1;
            return Err(FormatError::invalid(
                &shown,
                Some(line),
                None,
                format!(
                    "byte 0x{:02X} at offset {valid} is not UTF-8; Vigil reads UTF-8 (convert the file, e.g. with iconv -f WINDOWS-1251 -t UTF-8)",
                    bytes[valid]
                ),
            ));
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    while text.ends_with('\u{1a}') {
        text.pop();
    }
    Ok((text, digest))
}

/// Refuses a value longer than [`vigil_model::MAX_FIELD_BYTES`], naming the field.
pub fn check_field_length(
    file: &str,
    line: Option<u64>,
    record: Option<&str>,
    field: &str,
    value: &str,
) -> Result<(), Problem> {
    if value.len() > vigil_model::MAX_FIELD_BYTES {
        return Err(Problem {
            file: file.to_string(),
            line,
            record: record.map(str::to_string),
            message: format!(
                "field {field} is {} bytes long, over the limit of {} bytes",
                value.len(),
                vigil_model::MAX_FIELD_BYTES
            ),
        });
    }
    Ok(())
}
