//! OFAC's legacy SDN CSV set: `sdn.csv` (one row per entry) with the optional `alt.csv`
//! (aliases), `add.csv` (addresses) and `sdn_comments.csv` (the part of a remark beyond the
//! 1,000 characters `sdn.csv` holds), joined on `ent_num`.
//!
//! Choices a reader of the result should know:
//! - Person names are written `LAST, First` by OFAC. Vigil stores them in display order,
//!   `First LAST`, with [`NamePartKind::Given`] and [`NamePartKind::Family`] parts, so screens show
//!   the name as people write it and matching can compare parts with other lists (the UN list
//!   writes the given name first). The SDN form is `Family, Given` and can be rebuilt from the
//!   parts. Suffixes (`Jr.`) follow the family name. Names without a comma, and every name of an
//!   organization, vessel or aircraft, are kept as written.
//! - Remarks are parsed into fields (dates and places of birth, nationality, documents, gender,
//!   aliases, aircraft and vessel details); the whole remark text is kept in
//!   [`Entity::remarks`], so nothing that was not understood is lost.
//! - The four files are published separately, and a set may mix publications (a newer `alt.csv`
//!   next to an older `sdn.csv`). Alias, address and overflow rows for an `ent_num` that is not
//!   in `sdn.csv` are skipped with a warning. An overflow row is appended only when the entry's
//!   remark in `sdn.csv` was cut at OFAC's 1,000-character limit; otherwise it belongs to another
//!   publication and is skipped with a warning.
//! - The `Title` column mixes honorifics ("Doctor", "Haji") with positions ("Director of ..."):
//!   it is stored in [`Entity::titles`] as the source calls it a title.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use csv::StringRecord;
use vigil_model::{
    Address, BirthDate, Country, Designation, DesignationKind, DesignationStatus, Document,
    DocumentKind, Entity, EntityId, Gender, ListName, Name, NameKind, NamePart, NamePartKind,
    PartialDate, Place, Schema, SourceRecord, VesselInfo,
};

use crate::{
    check_field_length, display_path, read_text, FileDigest, Format, FormatError, ListContent,
    ParsedList, Problem, ReadOptions, Warning,
};

const AUTHORITY: &str = "US-OFAC";
const TITLE: &str = "OFAC Specially Designated Nationals (SDN) List";
const DEFAULT_LIST: &str = "ofac";
/// `sdn.csv` cuts remarks at this many characters and continues them in `sdn_comments.csv`.
const REMARKS_LIMIT: usize = 1000;
/// A file that is not an OFAC file at all would otherwise produce one problem per line.
const MAX_PROBLEMS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Sdn,
    Alt,
    Add,
    Comments,
}

impl FileKind {
    const ALL: [FileKind; 4] = [
        FileKind::Sdn,
        FileKind::Alt,
        FileKind::Add,
        FileKind::Comments,
    ];
    fn file_name(self) -> &'static str {
        match self {
            FileKind::Sdn => "sdn.csv",
            FileKind::Alt => "alt.csv",
            FileKind::Add => "add.csv",
            FileKind::Comments => "sdn_comments.csv",
        }
    }
    fn columns(self) -> &'static [&'static str] {
        match self {
            FileKind::Sdn => &[
                "ent_num",
                "SDN_Name",
                "SDN_Type",
                "Program",
                "Title",
                "Call_Sign",
                "Vess_type",
                "Tonnage",
                "GRT",
                "Vess_flag",
                "Vess_owner",
                "Remarks",
            ],
            FileKind::Alt => &["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"],
            FileKind::Add => &[
                "ent_num",
                "add_num",
                "address",
                "city/state/postal",
                "country",
                "add_remarks",
            ],
            FileKind::Comments => &["ent_num", "remarks"],
        }
    }
    fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        FileKind::ALL
            .into_iter()
            .find(|k| k.file_name().eq_ignore_ascii_case(name))
    }
}

/// One input file, read and checked as UTF-8.
struct Input {
    shown: String,
    /// The file name alone, for source records.
    name: String,
    text: String,
}

#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    dropped: usize,
}

impl Problems {
    fn push(&mut self, file: &str, line: Option<u64>, record: Option<String>, message: String) {
        self.push_problem(Problem {
            file: file.to_string(),
            line,
            record,
            message,
        });
    }
    fn push_problem(&mut self, problem: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(problem);
        } else {
            self.dropped += 1;
        }
    }
    fn into_result(mut self) -> Result<(), FormatError> {
        if self.list.is_empty() {
            return Ok(());
        }
        if self.dropped > 0 {
            let file = self.list.last().map(|p| p.file.clone()).unwrap_or_default();
            self.list.push(Problem {
                file,
                line: None,
                record: None,
                message: format!("{} further problems not listed", self.dropped),
            });
        }
        Err(FormatError::Invalid(self.list))
    }
}

fn warning(file: &str, line: u64, ent_num: Option<u64>, message: String) -> Warning {
    Problem {
        file: file.to_string(),
        line: Some(line),
        record: ent_num.map(|n| format!("ent_num {n}")),
        message,
    }
}

/// Reads an OFAC legacy CSV set, given as its files (recognised by name, in any order) or as
/// the folder that holds them. `sdn.csv` is required; `alt.csv`, `add.csv` and
/// `sdn_comments.csv` are optional.
pub fn read_ofac(paths: &[PathBuf], options: &ReadOptions<'_>) -> Result<ParsedList, FormatError> {
    let inputs = resolve_inputs(paths)?;
    let list = match &options.list {
        Some(list) => list.clone(),
        None => ListName::new(DEFAULT_LIST)
            .map_err(|e| FormatError::invalid(DEFAULT_LIST, None, None, e.to_string()))?,
    };

    let mut digests: Vec<FileDigest> = Vec::new();
    let mut loaded: Vec<(FileKind, Input)> = Vec::new();
    let mut bytes_read = 0u64;
    for (kind, path) in inputs {
        let (text, digest) = read_text(&path)?;
        bytes_read += digest.bytes;
        if let Some(progress) = options.progress {
            progress(bytes_read);
        }
        digests.push(digest);
        loaded.push((
            kind,
            Input {
                shown: display_path(&path),
                name: crate::source_file_name(&path),
                text,
            },
        ));
    }

    let mut problems = Problems::default();
    let mut warnings: Vec<Warning> = Vec::new();
    let find = |kind: FileKind| loaded.iter().find(|(k, _)| *k == kind).map(|(_, i)| i);

    let Some(sdn) = find(FileKind::Sdn) else {
        // resolve_inputs refuses a set without sdn.csv; kept as an error, not a panic.
        return Err(FormatError::invalid(
            "sdn.csv",
            None,
            None,
            "no sdn.csv among the inputs",
        ));
    };
    let mut drafts = read_sdn(sdn, &list, &mut problems, &mut warnings);
    if let Some(alt) = find(FileKind::Alt) {
        read_alt(alt, &list, &mut drafts, &mut problems, &mut warnings);
    }
    if let Some(add) = find(FileKind::Add) {
        read_add(add, &list, &mut drafts, &mut problems, &mut warnings);
    }
    if let Some(comments) = find(FileKind::Comments) {
        read_comments(comments, &list, &mut drafts, &mut problems, &mut warnings);
    }
    problems.into_result()?;

    // Collected into a new vector: an in-place collect would shrink (and so copy) the larger
    // buffer of drafts.
    let mut entities = Vec::with_capacity(drafts.entries.len());
    entities.extend(drafts.entries.into_iter().map(Draft::finish));
    Ok(ParsedList {
        format: Format::OfacCsv,
        lists: vec![ListContent {
            list,
            authority: AUTHORITY.to_string(),
            title: TITLE.to_string(),
            published: None,
            entities,
        }],
        files: digests,
        warnings,
    })
}

/// The files of the set, each recognised by its name, in the order they are joined.
fn resolve_inputs(paths: &[PathBuf]) -> Result<Vec<(FileKind, PathBuf)>, FormatError> {
    let files: Vec<PathBuf> = match paths {
        [one] if one.is_dir() => {
            let shown = display_path(one);
            let entries = std::fs::read_dir(one).map_err(|source| FormatError::Io {
                path: shown.clone(),
                source,
            })?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| FormatError::Io {
                    path: shown.clone(),
                    source,
                })?;
                let name = entry.file_name();
                // Hidden files (.DS_Store, editor swap files) are not part of a publication.
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                files.push(entry.path());
            }
            files.sort();
            files
        }
        _ => paths.to_vec(),
    };

    let mut problems = Vec::new();
    let mut found: Vec<(FileKind, PathBuf)> = Vec::new();
    for path in files {
        let shown = display_path(&path);
        match FileKind::from_path(&path) {
            Some(kind) => {
                if let Some((_, first)) = found.iter().find(|(k, _)| *k == kind) {
                    problems.push(Problem {
                        file: shown,
                        line: None,
                        record: None,
                        message: format!(
                            "a second {} in the set (the first is {})",
                            kind.file_name(),
                            display_path(first)
                        ),
                    });
                } else {
                    found.push((kind, path));
                }
            }
            None => problems.push(Problem {
                file: shown,
                line: None,
                record: None,
                message: "not a file of an OFAC SDN set: expected sdn.csv, alt.csv, add.csv or sdn_comments.csv".to_string(),
            }),
        }
    }
    if !found.iter().any(|(k, _)| *k == FileKind::Sdn) {
        let shown = match paths {
            [one] => display_path(one),
            _ => "OFAC input".to_string(),
        };
        problems.push(Problem {
            file: shown,
            line: None,
            record: None,
            message: "no sdn.csv among the inputs (an OFAC set needs sdn.csv; alt.csv, add.csv and sdn_comments.csv are optional)".to_string(),
        });
    }
    if !problems.is_empty() {
        return Err(FormatError::Invalid(problems));
    }
    found.sort_by_key(|(k, _)| FileKind::ALL.iter().position(|x| x == k));
    Ok(found)
}

/// A CSV row with the expected number of columns; fields are as in the file (not trimmed).
struct Row<'r> {
    line: u64,
    record: &'r StringRecord,
}

impl Row<'_> {
    fn raw(&self, i: usize) -> &str {
        self.record.get(i).unwrap_or_default()
    }
    /// The field without surrounding spaces; `None` for OFAC's null marker `-0-` and blanks.
    fn value(&self, i: usize) -> Option<&str> {
        clean(self.raw(i))
    }
}

fn clean(field: &str) -> Option<&str> {
    let v = field.trim();
    (!v.is_empty() && v != "-0-").then_some(v)
}

/// The well-formed rows of a file, one at a time into a reused record; malformed rows become
/// problems.
struct Rows<'a> {
    input: &'a Input,
    columns: &'static [&'static str],
    reader: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    record: StringRecord,
}

impl<'a> Rows<'a> {
    fn new(input: &'a Input, kind: FileKind) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            // The column count is fixed per file and checked below with a message naming the
            // columns, rather than learnt from the first row as `flexible(false)` would.
            .flexible(true)
            .from_reader(input.text.as_bytes());
        Self {
            input,
            columns: kind.columns(),
            reader,
            lines: LineCounter::new(&input.text),
            record: StringRecord::new(),
        }
    }

    fn next(&mut self, problems: &mut Problems) -> Option<Row<'_>> {
        let shown = &self.input.shown;
        let columns = self.columns;
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| self.lines.record_line(p.byte()));
                    problems.push(shown, line, None, format!("malformed CSV: {e}"));
                    if problems.list.len() >= MAX_PROBLEMS {
                        return None;
                    }
                    continue;
                }
            }
            let record = &self.record;
            let line = self
                .lines
                .record_line(record.position().map(|p| p.byte()).unwrap_or_default());
            // OFAC fields never span lines, so a line break inside a field means a quote that
            // was opened and never closed: the reader has swallowed the following lines.
            if record.iter().any(|f| f.as_bytes().contains(&b'\n')) {
                let end = self.lines.line_of(self.reader.position().byte());
                problems.push(
                    shown,
                    Some(line),
                    None,
                    format!(
                        "unbalanced quote: a quoted field opened on line {line} is not closed before line {end}"
                    ),
                );
                continue;
            }
            if record.len() != columns.len() {
                let is_blank =
                    record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty());
                if !is_blank {
                    problems.push(
                        shown,
                        Some(line),
                        record.get(0).map(|f| format!("ent_num {}", f.trim())),
                        format!(
                            "expected {} columns ({}), found {}",
                            columns.len(),
                            columns.join(", "),
                            record.len()
                        ),
                    );
                }
                continue;
            }
            let mut too_long = false;
            for (field, name) in record.iter().zip(columns) {
                if let Err(p) = check_field_length(shown, Some(line), None, name, field) {
                    problems.push_problem(p);
                    too_long = true;
                }
            }
            if too_long {
                continue;
            }
            return Some(Row {
                line,
                record: &self.record,
            });
        }
    }
}

/// 1-based line numbers from byte offsets. The csv crate's own line count is one short for
/// CRLF files: it reports a record at the `\n` that ends the previous one.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }
    /// The line of the byte at `offset`; offsets must not decrease between calls.
    fn line_of(&mut self, offset: u64) -> u64 {
        let target = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if target > self.offset {
            let skipped = self.bytes.get(self.offset..target).unwrap_or_default();
            self.line += skipped.iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = target;
        }
        self.line
    }
    /// The line a record starts on, given the offset the csv crate reports for it (which may
    /// point at the line break before the record).
    fn record_line(&mut self, offset: u64) -> u64 {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let skip = self
            .bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.line_of((start + skip) as u64)
    }
}

fn parse_ent_num(field: &str) -> Option<u64> {
    let v = field.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn ent_num_or_problem(
    input: &Input,
    line: u64,
    field: &str,
    problems: &mut Problems,
) -> Option<u64> {
    let n = parse_ent_num(field);
    if n.is_none() {
        problems.push(
            &input.shown,
            Some(line),
            None,
            format!("ent_num {:?} is not a number", field.trim()),
        );
    }
    n
}

/// Hashes an `ent_num` with one multiplication: the keys are OFAC's own sequence numbers, not
/// attacker-chosen, and the join looks up 60,000 of them.
#[derive(Default)]
struct EntNumHasher(u64);

impl Hasher for EntNumHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type EntNumMap<V> = HashMap<u64, V, BuildHasherDefault<EntNumHasher>>;

/// An entry of `sdn.csv` being assembled from the four files.
struct Draft {
    entity: Entity,
    /// The remark as `sdn.csv` has it, untrimmed: a remark cut at the limit may end in a space
    /// that separates it from its overflow.
    remarks: String,
    remarks_cut: bool,
}

impl Draft {
    fn finish(mut self) -> Entity {
        let mut remarks = std::mem::take(&mut self.remarks);
        let Some(text) = clean(&remarks) else {
            return self.entity;
        };
        let facts = parse_remarks(text, self.entity.schema);
        facts.apply(&mut self.entity);
        // The remark is kept in its own buffer, only trimmed.
        let end = remarks.trim_end().len();
        remarks.truncate(end);
        let start = remarks.len() - remarks.trim_start().len();
        remarks.drain(..start);
        self.entity.remarks.push(remarks);
        self.entity
    }
}

struct Drafts {
    entries: Vec<Draft>,
    by_ent_num: EntNumMap<usize>,
}

impl Drafts {
    /// The draft for a row of a secondary file, or a warning when `sdn.csv` has no such entry.
    fn lookup(
        &mut self,
        input: &Input,
        line: u64,
        ent_num: u64,
        what: &str,
        warnings: &mut Vec<Warning>,
    ) -> Option<&mut Draft> {
        match self.by_ent_num.get(&ent_num) {
            Some(&i) => self.entries.get_mut(i),
            None => {
                warnings.push(warning(
                    &input.shown,
                    line,
                    Some(ent_num),
                    format!("ent_num {ent_num} is not in sdn.csv; {what} skipped (the files may come from different publications)"),
                ));
                None
            }
        }
    }
}

/// Records that `line` of the file was used for the entity. The files are read one after the
/// other, so an entity's lines of one file share one record ("lines 10797, 10798"), which spares
/// a full import some 40,000 records.
fn add_source(sources: &mut Vec<SourceRecord>, list: &ListName, input: &Input, line: u64) {
    use std::fmt::Write as _;
    if let Some(last) = sources.last_mut() {
        if last.file == input.name {
            if let Some(first) = last.record.strip_prefix("line ") {
                last.record = format!("lines {first}");
            }
            // Writing to a String cannot fail.
            let _ = write!(last.record, ", {line}");
            return;
        }
    }
    sources.push(SourceRecord {
        list: list.to_string(),
        file: input.name.clone(),
        record: format!("line {line}"),
    });
}

fn read_sdn(
    input: &Input,
    list: &ListName,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) -> Drafts {
    let capacity = input.text.bytes().filter(|b| *b == b'\n').count() + 1;
    let mut drafts = Drafts {
        entries: Vec::with_capacity(capacity),
        by_ent_num: EntNumMap::with_capacity_and_hasher(capacity, Default::default()),
    };
    let mut first_line: EntNumMap<u64> =
        EntNumMap::with_capacity_and_hasher(capacity, Default::default());
    let mut rows = Rows::new(input, FileKind::Sdn);
    let mut any_row = false;
    while let Some(row) = rows.next(problems) {
        any_row = true;
        let Some(ent_num) = ent_num_or_problem(input, row.line, row.raw(0), problems) else {
            continue;
        };
        let record = || Some(format!("ent_num {ent_num}"));
        if let Some(first) = first_line.get(&ent_num) {
            problems.push(
                &input.shown,
                Some(row.line),
                record(),
                format!("duplicate ent_num {ent_num}: already on line {first}"),
            );
            continue;
        }
        first_line.insert(ent_num, row.line);
        let id = match EntityId::new(list, &ent_num.to_string()) {
            Ok(id) => id,
            Err(e) => {
                problems.push(&input.shown, Some(row.line), record(), e.to_string());
                continue;
            }
        };
        let Some(name) = row.value(1) else {
            problems.push(
                &input.shown,
                Some(row.line),
                record(),
                "SDN_Name is empty".to_string(),
            );
            continue;
        };
        let sdn_type = row.value(2);
        let is = |t: &str| sdn_type.is_some_and(|v| v.eq_ignore_ascii_case(t));
        let schema = match sdn_type {
            None => Schema::Organization,
            Some(_) if is("individual") => Schema::Person,
            Some(_) if is("vessel") => Schema::Vessel,
            Some(_) if is("aircraft") => Schema::Aircraft,
            Some(other) => {
                warnings.push(warning(
                    &input.shown,
                    row.line,
                    Some(ent_num),
                    format!("unknown SDN_Type {other:?}; read as a legal entity"),
                ));
                Schema::LegalEntity
            }
        };

        let mut entity = Entity::new(id, schema);
        entity.push_name(list_name(name, NameKind::Primary, schema));
        let programs = split_programs(row.raw(3));
        if programs.is_empty() {
            warnings.push(warning(
                &input.shown,
                row.line,
                Some(ent_num),
                "no Program: the entry has no designation".to_string(),
            ));
        }
        for program in programs {
            entity.designations.push(Designation {
                authority: AUTHORITY.to_string(),
                regime: program,
                kind: DesignationKind::Sanction,
                listed_on: None,
                legal_basis: None,
                reference: Some(ent_num.to_string()),
                status: DesignationStatus::Listed,
                amended_on: Vec::new(),
                delisted_on: None,
                remarks: Vec::new(),
            });
        }
        if let Some(title) = row.value(4) {
            entity.titles.extend(
                title
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            );
        }
        let vessel = VesselInfo {
            call_sign: row.value(5).map(str::to_string),
            vessel_type: row.value(6).map(str::to_string),
            tonnage: row.value(7).map(str::to_string),
            gross_registered_tonnage: row.value(8).map(str::to_string),
            flag: row.value(9).map(country),
            owner: row.value(10).map(str::to_string),
        };
        if !vessel.is_empty() {
            entity.vessel = Some(vessel);
        }
        add_source(&mut entity.sources, list, input, row.line);

        let remarks = row.raw(11).to_string();
        let remarks_cut = remarks.chars().count() >= REMARKS_LIMIT;
        drafts.by_ent_num.insert(ent_num, drafts.entries.len());
        drafts.entries.push(Draft {
            entity,
            remarks,
            remarks_cut,
        });
    }
    if !any_row && problems.list.is_empty() {
        problems.push(&input.shown, None, None, "holds no entries".to_string());
    }
    drafts
}

fn read_alt(
    input: &Input,
    list: &ListName,
    drafts: &mut Drafts,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) {
    let mut rows = Rows::new(input, FileKind::Alt);
    while let Some(row) = rows.next(problems) {
        let Some(ent_num) = ent_num_or_problem(input, row.line, row.raw(0), problems) else {
            continue;
        };
        let Some(draft) = drafts.lookup(input, row.line, ent_num, "alias", warnings) else {
            continue;
        };
        let Some(value) = row.value(3) else {
            warnings.push(warning(
                &input.shown,
                row.line,
                Some(ent_num),
                "alt_name is empty; row skipped".to_string(),
            ));
            continue;
        };
        let remark = row.value(4);
        // The legacy files carry no quality flag of their own; OFAC's other formats call
        // low-quality aliases "weak", so a remark saying so is honoured.
        let weak = remark.is_some_and(|r| r.to_ascii_lowercase().contains("weak"));
        let alt_type = row.value(2).unwrap_or_default();
        let is = |t: &str| alt_type.eq_ignore_ascii_case(t);
        let kind = match alt_type {
            _ if is("fka") => NameKind::FormerName,
            _ if (is("aka") || is("nka")) && weak => NameKind::WeakAlias,
            _ if is("aka") || is("nka") => NameKind::Alias,
            other => {
                warnings.push(warning(
                    &input.shown,
                    row.line,
                    Some(ent_num),
                    format!("unknown alt_type {other:?}; read as an alias"),
                ));
                if weak {
                    NameKind::WeakAlias
                } else {
                    NameKind::Alias
                }
            }
        };
        let schema = draft.entity.schema;
        draft.entity.push_name(list_name(value, kind, schema));
        if let Some(remark) = remark {
            draft.entity.remarks.push(format!("{value}: {remark}"));
        }
        add_source(&mut draft.entity.sources, list, input, row.line);
    }
}

fn read_add(
    input: &Input,
    list: &ListName,
    drafts: &mut Drafts,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) {
    let mut rows = Rows::new(input, FileKind::Add);
    while let Some(row) = rows.next(problems) {
        let Some(ent_num) = ent_num_or_problem(input, row.line, row.raw(0), problems) else {
            continue;
        };
        let Some(draft) = drafts.lookup(input, row.line, ent_num, "address", warnings) else {
            continue;
        };
        // The second text column mixes city, state and postal code in no fixed order
        // ("London EC3N 1DY", "Miramshah, North Waziristan, FATA"); it is kept whole as the city.
        let address = Address {
            street: row.value(2).map(str::to_string),
            city: row.value(3).map(str::to_string),
            region: None,
            postal_code: None,
            country: row.value(4).map(country),
            note: row.value(5).map(str::to_string),
        };
        if !address.is_empty() && !draft.entity.addresses.contains(&address) {
            draft.entity.addresses.push(address);
        }
        add_source(&mut draft.entity.sources, list, input, row.line);
    }
}

/// `sdn_comments.csv` is read line by line rather than as CSV: its text is a remark cut at an
/// arbitrary character, so a stray quote in it must not swallow the rest of the file.
fn read_comments(
    input: &Input,
    list: &ListName,
    drafts: &mut Drafts,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) {
    for (i, line) in input.text.split('\n').enumerate() {
        let n = i as u64 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        if let Err(p) = check_field_length(&input.shown, Some(n), None, "remarks", line) {
            problems.push_problem(p);
            continue;
        }
        let Some((first, rest)) = line.split_once(',') else {
            problems.push(
                &input.shown,
                Some(n),
                None,
                "expected 2 columns (ent_num, remarks), found 1".to_string(),
            );
            continue;
        };
        let (first, first_ok) = unquote(first.trim());
        let (text, text_ok) = unquote(rest);
        let Some(ent_num) = ent_num_or_problem(input, n, &first, problems) else {
            continue;
        };
        if !first_ok || !text_ok {
            warnings.push(warning(
                &input.shown,
                n,
                Some(ent_num),
                "unbalanced quote; the row is read without the stray quote".to_string(),
            ));
        }
        let Some(draft) = drafts.lookup(input, n, ent_num, "remarks overflow", warnings) else {
            continue;
        };
        if !draft.remarks_cut {
            warnings.push(warning(
                &input.shown,
                n,
                Some(ent_num),
                format!(
                    "the entry's remark in sdn.csv is complete ({} characters, under the {REMARKS_LIMIT}-character cut), so this overflow belongs to another publication; skipped",
                    draft.remarks.trim().chars().count()
                ),
            ));
            continue;
        }
        draft.remarks.push_str(&text);
        add_source(&mut draft.entity.sources, list, input, n);
    }
}

/// Strips one pair of CSV quotes and undoubles inner quotes; `false` when the quotes do not pair.
fn unquote(field: &str) -> (String, bool) {
    let opens = field.starts_with('"');
    let closes = field.len() >= 2 && field.ends_with('"');
    match (opens, closes) {
        (true, true) => (
            field
                .get(1..field.len() - 1)
                .unwrap_or_default()
                .replace("\"\"", "\""),
            true,
        ),
        (false, false) if !field.contains('"') => (field.to_string(), true),
        _ => (field.trim_matches('"').replace("\"\"", "\""), false),
    }
}

/// `SDGT] [IRGC` (the CSV keeps the inner brackets of `[SDGT] [IRGC]`) → `["SDGT", "IRGC"]`.
fn split_programs(field: &str) -> Vec<String> {
    let Some(v) = clean(field) else {
        return Vec::new();
    };
    v.split("] [")
        .map(|p| p.trim().trim_matches(['[', ']']).trim())
        .filter(|p| !p.is_empty() && *p != "-0-")
        .map(str::to_string)
        .collect()
}

const NAME_SUFFIXES: [&str; 8] = ["jr.", "jr", "sr.", "sr", "ii", "iii", "iv", "v"];

/// [`Name::new`] with a shortcut for ASCII text, which is all the legacy CSV files hold: ASCII
/// letters are Latin script, so the per-character script look-up (the costliest step of a full
/// import) can be skipped with the same result.
fn new_name(value: &str, kind: NameKind) -> Name {
    if !value.is_ascii() {
        return Name::new(value, kind);
    }
    let mut collapsed = String::with_capacity(value.len());
    for word in value.split_ascii_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    let latin = collapsed.bytes().any(|b| b.is_ascii_alphabetic());
    Name {
        value: collapsed,
        kind,
        script: if latin { "Latn" } else { "Zyyy" }.to_string(),
        lang: None,
        parts: Vec::new(),
    }
}

/// A name of the list: persons' `LAST, First` becomes `First LAST` with parts; other names are
/// kept as written.
fn list_name(raw: &str, kind: NameKind, schema: Schema) -> Name {
    if schema != Schema::Person || !raw.contains(',') {
        return new_name(raw, kind);
    }
    let mut pieces = raw.split(',').map(str::trim).filter(|p| !p.is_empty());
    let Some(family) = pieces.next() else {
        return new_name(raw, kind);
    };
    let is_suffix = |p: &&str| NAME_SUFFIXES.iter().any(|s| s.eq_ignore_ascii_case(p));
    let mut given = String::with_capacity(raw.len());
    for piece in pieces.clone().filter(|p| !is_suffix(p)) {
        if !given.is_empty() {
            given.push(' ');
        }
        given.push_str(piece);
    }
    let mut display = String::with_capacity(raw.len() + 1);
    display.push_str(&given);
    if !display.is_empty() {
        display.push(' ');
    }
    display.push_str(family);
    for suffix in pieces.filter(is_suffix) {
        display.push(' ');
        display.push_str(suffix);
    }
    let mut parts = Vec::with_capacity(2);
    if !given.is_empty() {
        parts.push(NamePart {
            kind: NamePartKind::Given,
            value: given,
        });
    }
    parts.push(NamePart {
        kind: NamePartKind::Family,
        value: family.to_string(),
    });
    new_name(&display, kind).with_parts(parts)
}

// ---------------------------------------------------------------------------------------------
// Remarks
// ---------------------------------------------------------------------------------------------

/// What a remark says, ready to be put on the entity.
#[derive(Debug, Default, PartialEq)]
struct RemarkFacts {
    birth_dates: Vec<BirthDate>,
    birth_places: Vec<Place>,
    nationalities: Vec<Country>,
    citizenships: Vec<Country>,
    countries: Vec<Country>,
    documents: Vec<Document>,
    gender: Option<Gender>,
    names: Vec<Name>,
    /// FollowTheMoney property name and value.
    other: Vec<(&'static str, String)>,
}

impl RemarkFacts {
    fn apply(self, entity: &mut Entity) {
        fn extend_unique<T: PartialEq>(into: &mut Vec<T>, mut items: Vec<T>) {
            if into.is_empty() {
                // Usual case: the field was empty, so the parsed vector is taken as it is.
                let mut i = 0;
                while i < items.len() {
                    if items.iter().take(i).any(|seen| Some(seen) == items.get(i)) {
                        items.remove(i);
                    } else {
                        i += 1;
                    }
                }
                *into = items;
                return;
            }
            for item in items {
                if !into.contains(&item) {
                    into.push(item);
                }
            }
        }
        extend_unique(&mut entity.birth_dates, self.birth_dates);
        extend_unique(&mut entity.birth_places, self.birth_places);
        extend_unique(&mut entity.nationalities, self.nationalities);
        extend_unique(&mut entity.citizenships, self.citizenships);
        extend_unique(&mut entity.countries, self.countries);
        extend_unique(&mut entity.documents, self.documents);
        if entity.gender.is_none() {
            entity.gender = self.gender;
        }
        for name in self.names {
            entity.push_name(name);
        }
        for (key, value) in self.other {
            let values = entity.other.entry(key.to_string()).or_default();
            if !values.contains(&value) {
                values.push(value);
            }
        }
    }
}

/// How a remark value becomes an FtM property value.
#[derive(Clone, Copy)]
enum Conv {
    Text,
    /// An English date ("01 Mar 1978") as an ISO prefix; kept as written when not understood.
    Date,
}

/// Remark labels whose value has no field in Vigil's model but a FollowTheMoney property.
const OTHER_LABELS: &[(&str, &str, Conv)] = &[
    ("Aircraft Model", "model", Conv::Text),
    (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "serialNumber",
        Conv::Text,
    ),
    (
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        "serialNumber",
        Conv::Text,
    ),
    ("Aircraft Serial Identification", "serialNumber", Conv::Text),
    ("Aircraft Tail Number", "registrationNumber", Conv::Text),
    ("Aircraft Manufacture Date", "buildDate", Conv::Date),
    ("Aircraft Operator", "operator", Conv::Text),
    ("Vessel Year of Build", "buildDate", Conv::Date),
    ("Former Vessel Flag", "pastFlags", Conv::Text),
    ("Other Vessel Call Sign", "callSign", Conv::Text),
    ("MMSI", "mmsi", Conv::Text),
    (
        "Organization Established Date",
        "incorporationDate",
        Conv::Date,
    ),
    ("Organization Type", "sector", Conv::Text),
    ("Target Type", "classification", Conv::Text),
    ("Email Address", "email", Conv::Text),
    ("Email", "email", Conv::Text),
    ("Website", "website", Conv::Text),
    ("Phone Number", "phone", Conv::Text),
    ("Telephone Number", "phone", Conv::Text),
    ("Telephone No.", "phone", Conv::Text),
    ("Telephone", "phone", Conv::Text),
    ("Phone", "phone", Conv::Text),
    ("SWIFT/BIC", "swiftBic", Conv::Text),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum DocHint {
    Passport,
    /// A national identity document; only a person has one (an organization's
    /// "Identification Number" is a registration number).
    NationalId,
    Other,
}

/// Identifier labels as OFAC writes them. Labels not listed here are still read when they end
/// in a word such as `No.` or `Number` (see [`generic_document_label`]).
const DOC_LABELS: &[(&str, DocHint)] = &[
    ("Passport", DocHint::Passport),
    ("Passport No.", DocHint::Passport),
    ("Diplomatic Passport", DocHint::Passport),
    ("British National Overseas Passport", DocHint::Passport),
    ("Stateless Person Passport", DocHint::Passport),
    ("National ID No.", DocHint::NationalId),
    ("National ID Number", DocHint::NationalId),
    ("Cedula No.", DocHint::NationalId),
    ("Identification Number", DocHint::NationalId),
    ("D.N.I.", DocHint::NationalId),
    ("C.U.R.P.", DocHint::NationalId),
    ("C.U.R.P. #", DocHint::NationalId),
    ("Personal ID Card", DocHint::NationalId),
    ("Citizen's Card Number", DocHint::NationalId),
    ("Turkish Identification Number", DocHint::NationalId),
    ("Numero de Identidad", DocHint::NationalId),
    ("Kenyan ID No.", DocHint::NationalId),
    ("Tazkira National ID Card", DocHint::NationalId),
    ("Bosnian Personal ID No.", DocHint::NationalId),
    ("Moroccan Personal ID No.", DocHint::NationalId),
    ("National Foreign ID Number", DocHint::NationalId),
    ("C.U.I.", DocHint::NationalId),
    ("CNP (Personal Numerical Code)", DocHint::NationalId),
    ("UAE Identification", DocHint::NationalId),
    ("Stateless Person ID Card", DocHint::NationalId),
    ("SSN", DocHint::NationalId),
    ("Tax ID No.", DocHint::Other),
    ("Registration Number", DocHint::Other),
    ("Registration ID", DocHint::Other),
    ("Business Registration Number", DocHint::Other),
    ("Business Registration Document #", DocHint::Other),
    ("Business Number", DocHint::Other),
    ("Company Number", DocHint::Other),
    ("UK Company Number", DocHint::Other),
    ("Commercial Registry Number", DocHint::Other),
    ("NIT #", DocHint::Other),
    ("RUC #", DocHint::Other),
    ("R.F.C.", DocHint::Other),
    ("R.F.C. #", DocHint::Other),
    ("RFC", DocHint::Other),
    ("RIF #", DocHint::Other),
    ("RTN", DocHint::Other),
    ("Government Gazette Number", DocHint::Other),
    ("Legal Entity Number", DocHint::Other),
    ("V.A.T. Number", DocHint::Other),
    ("C.R. No.", DocHint::Other),
    ("Romanian C.R.", DocHint::Other),
    ("Unified Social Credit Code (USCC)", DocHint::Other),
    (
        "United Social Credit Code Certificate (USCCC)",
        DocHint::Other,
    ),
    ("Economic Register Number (CBLS)", DocHint::Other),
    ("Folio Mercantil No.", DocHint::Other),
    ("Matricula Mercantil No", DocHint::Other),
    ("Trade License No.", DocHint::Other),
    ("Chamber of Commerce Number", DocHint::Other),
    ("Istanbul Chamber of Comm. No.", DocHint::Other),
    ("Dubai Chamber of Commerce Membership No.", DocHint::Other),
    ("D-U-N-S Number", DocHint::Other),
    ("Central Registration System Number", DocHint::Other),
    ("Birth Certificate Number", DocHint::Other),
    ("Driver's License No.", DocHint::Other),
    ("Electoral Registry No.", DocHint::Other),
    ("Enterprise Number", DocHint::Other),
    ("Italian Fiscal Code", DocHint::Other),
    ("Fiscal Code", DocHint::Other),
    ("Public Registration Number", DocHint::Other),
    ("Cartilla de Servicio Militar Nacional", DocHint::Other),
    ("US FEIN", DocHint::Other),
    ("Residency Number", DocHint::Other),
    ("I.F.E.", DocHint::Other),
    ("Credencial electoral", DocHint::Other),
    ("Permit Number", DocHint::Other),
    ("SRE Permit No.", DocHint::Other),
    ("Registered Charity No.", DocHint::Other),
    ("Branch Unit Number", DocHint::Other),
    ("Certificate of Incorporation Number", DocHint::Other),
    ("C.U.I.T.", DocHint::Other),
    ("C.U.I.P.", DocHint::Other),
    ("LE Number", DocHint::Other),
    ("Travel Document Number", DocHint::Other),
    ("VisaNumberID", DocHint::Other),
    ("File Number", DocHint::Other),
    ("Refugee ID Card", DocHint::Other),
    ("Organization Code", DocHint::Other),
    ("Immigration No.", DocHint::Other),
    (
        "Numero Unico de Identificacao Tributaria (NUIT)",
        DocHint::Other,
    ),
    ("C.I.F.", DocHint::Other),
    ("N.I.F.", DocHint::Other),
    ("N.I.E.", DocHint::Other),
    ("C.I.N.", DocHint::Other),
    ("Pilot License Number", DocHint::Other),
    ("Military Registration Number", DocHint::Other),
    ("Paraguayan tax identification number", DocHint::Other),
    ("MSB Registration Number", DocHint::Other),
    ("Tourism License No.", DocHint::Other),
    ("Seafarer's Identification Document", DocHint::Other),
    ("Registration Certificate Number (Dubai)", DocHint::Other),
    ("Trademark number", DocHint::Other),
    ("License", DocHint::Other),
    ("Romanian Tax Registration", DocHint::Other),
    ("Romanian Permanent Resident CAN", DocHint::Other),
    ("Public Security and Immigration No.", DocHint::Other),
    ("BIK (RU)", DocHint::Other),
    ("ISIN", DocHint::Other),
    ("Vessel Registration Identification", DocHint::Other),
    ("International Maritime Organization No.", DocHint::Other),
];

/// Labels that look like identifiers but are not documents of the entity.
const NOT_DOCUMENTS: &[&str] = &["Chinese Commercial Code", "Fax", "Fax No.", "Telex"];

/// Words that end an identifier label ("Tax ID No.", "Company Number").
const DOC_LABEL_ENDINGS: &[&str] = &[
    "No.",
    "No",
    "Number",
    "ID",
    "#",
    "Code",
    "Card",
    "Identification",
    "License",
    "Document",
    "Certificate",
];

#[derive(Clone, Copy)]
enum LabelUse {
    Property(&'static str, Conv),
    Document(DocHint),
    Ignore,
}

/// The longest known label the clause starts with. The tables are indexed by first letter once,
/// as most of the 60,000 clauses of a full list reach this look-up.
fn find_label(clause: &str) -> Option<(&'static str, LabelUse, &str)> {
    type Index = Vec<Vec<(&'static str, LabelUse)>>;
    static INDEX: OnceLock<Index> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut buckets: Index = vec![Vec::new(); 128];
        let all = OTHER_LABELS
            .iter()
            .map(|(label, prop, conv)| (*label, LabelUse::Property(prop, *conv)))
            .chain(
                DOC_LABELS
                    .iter()
                    .map(|(label, hint)| (*label, LabelUse::Document(*hint))),
            )
            .chain(NOT_DOCUMENTS.iter().map(|label| (*label, LabelUse::Ignore)));
        for (label, used) in all {
            let first = label.bytes().next().map(|b| b.to_ascii_lowercase());
            if let Some(bucket) = first.and_then(|b| buckets.get_mut(usize::from(b))) {
                bucket.push((label, used));
            }
        }
        for bucket in &mut buckets {
            bucket.sort_by_key(|(label, _)| std::cmp::Reverse(label.len()));
        }
        buckets
    });
    let first = clause.bytes().next()?.to_ascii_lowercase();
    index
        .get(usize::from(first))?
        .iter()
        .find_map(|(label, used)| after_key(clause, label).map(|rest| (*label, *used, rest)))
}

/// Parses the `;`-separated clauses of an SDN remark.
fn parse_remarks(text: &str, schema: Schema) -> RemarkFacts {
    let mut facts = RemarkFacts::default();
    let body = text.trim();
    // The final full stop ends the remark, not its last value.
    let body = body.strip_suffix('.').unwrap_or(body);
    for clause in body.split(';') {
        let clause = clause.trim();
        let clause = match clause.get(..5) {
            Some(head) if head.eq_ignore_ascii_case("alt. ") => clause.get(5..).unwrap_or_default(),
            _ => clause,
        };
        let clause = clause.trim();
        if !clause.is_empty() {
            parse_clause(clause, schema, &mut facts);
        }
    }
    facts
}

/// The text after `key` when the clause starts with it as a whole word (`citizen` does not
/// match `Citizen's Card Number`), without the `:` OFAC sometimes puts after a key.
fn after_key<'a>(clause: &'a str, key: &str) -> Option<&'a str> {
    let head = clause.get(..key.len())?;
    if !head.eq_ignore_ascii_case(key) {
        return None;
    }
    let rest = clause.get(key.len()..)?;
    match rest.chars().next() {
        None => Some(""),
        Some(' ' | ':') => Some(rest.trim_start_matches([' ', ':']).trim()),
        _ => None,
    }
}

fn parse_clause(clause: &str, schema: Schema, facts: &mut RemarkFacts) {
    let person = schema == Schema::Person;
    if let Some(rest) = after_key(clause, "DOB") {
        if !rest.is_empty() {
            facts.birth_dates.push(BirthDate::parse_text(rest));
        }
        return;
    }
    if let Some(rest) = after_key(clause, "POB") {
        if !rest.is_empty() {
            facts.birth_places.push(Place {
                text: rest.to_string(),
                country: place_country(rest),
            });
        }
        return;
    }
    if let Some(rest) = after_key(clause, "Nationality of Registration") {
        if !rest.is_empty() {
            facts.countries.push(country(rest));
        }
        return;
    }
    for (key, citizen) in [("nationality", false), ("citizen", true)] {
        if let Some(rest) = after_key(clause, key) {
            let rest = rest.strip_prefix("possibly ").unwrap_or(rest).trim();
            if !rest.is_empty() {
                let found = country(rest);
                match (person, citizen) {
                    (true, false) => facts.nationalities.push(found),
                    (true, true) => facts.citizenships.push(found),
                    (false, _) => facts.countries.push(found),
                }
            }
            return;
        }
    }
    if let Some(rest) = after_key(clause, "Gender") {
        if rest.eq_ignore_ascii_case("male") {
            facts.gender = Some(Gender::Male);
        } else if rest.eq_ignore_ascii_case("female") {
            facts.gender = Some(Gender::Female);
        }
        return;
    }
    for (key, kind) in [
        ("a.k.a.", NameKind::Alias),
        ("n.k.a.", NameKind::Alias),
        ("f.k.a.", NameKind::FormerName),
    ] {
        if let Some(rest) = after_key(clause, key) {
            let rest = rest.strip_prefix('\'').unwrap_or(rest);
            let rest = rest.strip_suffix('\'').unwrap_or(rest).trim();
            if !rest.is_empty() {
                // Persons' aliases in remarks use the SDN form too ("AL-MAKKI, Abu Asim").
                facts.names.push(list_name(rest, kind, schema));
            }
            return;
        }
    }
    if after_key(clause, "Linked To").is_some() {
        return;
    }
    let (label, hint, rest) = match find_label(clause) {
        Some((_, LabelUse::Ignore, _)) => return,
        Some((_, LabelUse::Property(prop, conv), rest)) => {
            if !rest.is_empty() {
                let value = match conv {
                    Conv::Text => rest.to_string(),
                    Conv::Date => PartialDate::parse_english(rest)
                        .map(|d| d.to_string())
                        .unwrap_or_else(|_| rest.to_string()),
                };
                facts.other.push((prop, value));
            }
            return;
        }
        Some((label, LabelUse::Document(hint), rest)) => (label, hint, rest),
        None => match generic_document_label(clause) {
            Some(found) => found,
            None => return,
        },
    };
    if let Some(document) = parse_document(label, hint, rest, person) {
        facts.documents.push(document);
    }
}

/// An identifier label OFAC uses rarely ("Afghan Money Service Provider License Number 044"):
/// the words before the first word with a digit, when the last of them names an identifier.
fn generic_document_label(clause: &str) -> Option<(&str, DocHint, &str)> {
    let digit_at = clause
        .split(' ')
        .scan(0usize, |offset, word| {
            let start = *offset;
            *offset += word.len() + 1;
            Some((start, word))
        })
        .find(|(_, word)| word.bytes().any(|b| b.is_ascii_digit()))
        .map(|(start, _)| start)?;
    let label = clause.get(..digit_at)?.trim();
    let rest = clause.get(digit_at..)?.trim();
    let word_count = label.split_whitespace().count();
    let last = label.split_whitespace().next_back()?.trim_end_matches(':');
    let plain = label
        .chars()
        .all(|c| c.is_alphanumeric() || " .'#/-():".contains(c))
        && !label.trim_end_matches(':').contains(':');
    let first_upper = label.chars().next().is_some_and(|c| c.is_uppercase());
    if !(plain && first_upper && word_count <= 6 && DOC_LABEL_ENDINGS.contains(&last)) {
        return None;
    }
    let lower = label.to_ascii_lowercase();
    let hint = if lower.contains("passport") {
        DocHint::Passport
    } else if lower.contains("national id") || lower.contains("identity") {
        DocHint::NationalId
    } else {
        DocHint::Other
    };
    Some((label.trim_end_matches(':').trim(), hint, rest))
}

/// `N (Country) issued 01 Jan 2000 expires 01 Jan 2010` after a document label.
fn parse_document(label: &str, hint: DocHint, rest: &str, person: bool) -> Option<Document> {
    let rest = rest.trim_start_matches([':', '#', ' ']).trim();
    let (head, issued, expires) = split_dates(rest);
    let head = head.trim().trim_end_matches(',').trim();
    let (number, country) = match head.strip_suffix(')').and_then(|h| h.rsplit_once('(')) {
        Some((number, country_text)) if !number.trim().is_empty() => {
            (number.trim(), clean(country_text).map(country))
        }
        _ => (head, None),
    };
    let number = number.trim_end_matches(',').trim();
    // A longer "number" is a sentence about documents ("OR801168 and Kuwaiti National ID No.
    // 281020505755"), which stays in the remark only.
    let words = number.split_whitespace().count();
    if words > 4 || !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match hint {
        // An IMO number is the identifier of a ship or of its owning company.
        _ if number.starts_with("IMO") => DocumentKind::Other,
        DocHint::Passport => DocumentKind::Passport,
        DocHint::NationalId if person => DocumentKind::NationalId,
        _ => DocumentKind::Other,
    };
    let mut notes = Vec::new();
    let issued_on = match issued {
        Some(text) => match PartialDate::parse_english(text) {
            Ok(date) => Some(date),
            Err(_) => {
                notes.push(format!("issued {text}"));
                None
            }
        },
        None => None,
    };
    if let Some(text) = expires {
        notes.push(format!("expires {text}"));
    }
    Some(Document {
        kind,
        kind_text: Some(label.to_string()),
        number: number.to_string(),
        country,
        issued_on,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

/// Splits `X issued D1 expires D2` into `X`, `D1`, `D2` (each date part optional).
fn split_dates(text: &str) -> (&str, Option<&str>, Option<&str>) {
    let issued_at = text.find(" issued ");
    let expires_at = text.find(" expires ");
    let head_end = [issued_at, expires_at]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(text.len());
    let head = text.get(..head_end).unwrap_or(text);
    let part = |at: Option<usize>, key_len: usize| {
        let start = at? + key_len;
        let tail = text.get(start..)?;
        // A date part ends where the other one starts.
        let end = [" issued ", " expires "]
            .iter()
            .filter_map(|k| tail.find(k))
            .min()
            .unwrap_or(tail.len());
        tail.get(..end).map(str::trim).filter(|s| !s.is_empty())
    };
    (head, part(issued_at, 8), part(expires_at, 9))
}

/// [`Country::from_text`], remembered per thread: a full list names the same few hundred
/// countries some 40,000 times, and each fresh look-up folds the text anew.
fn country(text: &str) -> Country {
    thread_local! {
        static SEEN: RefCell<HashMap<String, Country>> = RefCell::new(HashMap::new());
    }
    SEEN.with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else {
            return Country::from_text(text);
        };
        if let Some(found) = seen.get(text) {
            return found.clone();
        }
        let found = Country::from_text(text);
        // Distinct texts are few in real lists; a hostile file must not grow the cache forever.
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(text.to_string(), found.clone());
        found
    })
}

/// OFAC writes some country names inverted ("Korea, North", "Congo, Democratic Republic of
/// the"); such a trailing part, or one ending in "of" or "of the", is joined with the part
/// before it.
const INVERTED_COUNTRY_TAILS: &[&str] = &["north", "south", "the", "british", "u.s."];

/// The country of a place of birth: its last comma-separated part ("Danda, Miramshah,
/// Afghanistan"). A place of one part is taken as a country only when it is a known one.
fn place_country(text: &str) -> Option<Country> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [] => None,
        [only] => {
            let found = country(only);
            found.code.is_some().then_some(found)
        }
        [.., before, last] => {
            let inverted = INVERTED_COUNTRY_TAILS
                .iter()
                .any(|tail| tail.eq_ignore_ascii_case(last))
                || [" of", " of the"].iter().any(|end| {
                    last.len()
                        .checked_sub(end.len())
                        .and_then(|at| last.get(at..))
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(end))
                });
            if inverted {
                Some(country(&format!("{before}, {last}")))
            } else {
                Some(country(last))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(b: &BirthDate) -> String {
        b.date.map(|d| d.to_string()).unwrap_or_default()
    }

    #[test]
    fn person_names_are_put_in_display_order() {
        let n = list_name(
            "MUHAMMAD, Sirajuddin Haqqani Jalaluddin Khwasa",
            NameKind::Primary,
            Schema::Person,
        );
        assert_eq!(n.value, "Sirajuddin Haqqani Jalaluddin Khwasa MUHAMMAD");
        assert_eq!(n.parts.len(), 2);
        assert_eq!(n.parts[0].kind, NamePartKind::Given);
        assert_eq!(n.parts[0].value, "Sirajuddin Haqqani Jalaluddin Khwasa");
        assert_eq!(n.parts[1].kind, NamePartKind::Family);
        assert_eq!(n.parts[1].value, "MUHAMMAD");

        let jr = list_name(
            "DELOS REYES, Feliciano Semborio, Jr.",
            NameKind::Primary,
            Schema::Person,
        );
        assert_eq!(jr.value, "Feliciano Semborio DELOS REYES Jr.");
        let jr2 = list_name("KNOWLES, JR., Samuel", NameKind::Alias, Schema::Person);
        assert_eq!(jr2.value, "Samuel KNOWLES JR.");
        let three = list_name("MARUF, Taha, Muhyi al-Din", NameKind::Alias, Schema::Person);
        assert_eq!(three.value, "Taha Muhyi al-Din MARUF");

        assert_eq!(
            list_name("KHUN SA", NameKind::Alias, Schema::Person).value,
            "KHUN SA"
        );
        let org = list_name(
            "ANGLO-CARIBBEAN CO., LTD.",
            NameKind::Primary,
            Schema::Organization,
        );
        assert_eq!(org.value, "ANGLO-CARIBBEAN CO., LTD.");
        assert!(org.parts.is_empty());
    }

    #[test]
    fn programs_are_split() {
        assert_eq!(split_programs("SDGT] [IRGC"), ["SDGT", "IRGC"]);
        assert_eq!(split_programs("\"SDGT\""), ["\"SDGT\""]);
        assert_eq!(split_programs("[NPWMD] [IFSR]"), ["NPWMD", "IFSR"]);
        assert!(split_programs("-0- ").is_empty());
    }

    #[test]
    fn birth_facts_from_a_person_remark() {
        let f = parse_remarks(
            "DOB 1977; alt. DOB 1978; alt. DOB 1970; POB Danda, Miramshah, Afghanistan; alt. POB Khowst Province, Afghanistan; alt. POB Neka District, Paktika, Afghanistan.",
            Schema::Person,
        );
        let dates: Vec<String> = f.birth_dates.iter().map(date).collect();
        assert_eq!(dates, ["1977", "1978", "1970"]);
        assert_eq!(f.birth_places.len(), 3);
        assert_eq!(f.birth_places[0].text, "Danda, Miramshah, Afghanistan");
        let c = f.birth_places[0].country.as_ref().unwrap();
        assert_eq!(
            (c.text.as_str(), c.code.as_deref()),
            ("Afghanistan", Some("AF"))
        );
        assert_eq!(
            f.birth_places[2].text,
            "Neka District, Paktika, Afghanistan"
        );
    }

    #[test]
    fn date_forms() {
        let f = parse_remarks(
            "DOB 01 Jan 1970; alt. DOB circa 1965; DOB 1960 to 1962; DOB Jan 1970; DOB 01 Jan 1977 to 31 Dec 1985; DOB sometime",
            Schema::Person,
        );
        let dates: Vec<String> = f.birth_dates.iter().map(date).collect();
        assert_eq!(
            dates,
            [
                "1970-01-01",
                "1965",
                "1960/1962",
                "1970-01",
                "1977-01-01/1985-12-31",
                ""
            ]
        );
        assert!(f.birth_dates[1].approximate);
        assert_eq!(f.birth_dates[5].text, "sometime");
    }

    #[test]
    fn nationality_passport_and_gender() {
        let f = parse_remarks(
            "DOB 10 Dec 1948; POB Cairo, Egypt; nationality Egypt; alt. nationality Pakistan; citizen Russia; Passport 1084010 (Egypt) issued 06 May 2013 expires 06 May 2023; alt. Passport AB321592 (Tanzania); National ID No. 216040 (Yemen); Gender Male.",
            Schema::Person,
        );
        let texts = |v: &[Country]| v.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&f.nationalities), ["Egypt", "Pakistan"]);
        assert_eq!(f.nationalities[1].code.as_deref(), Some("PK"));
        assert_eq!(texts(&f.citizenships), ["Russia"]);
        assert_eq!(f.gender, Some(Gender::Male));
        assert_eq!(f.documents.len(), 3);
        let p = &f.documents[0];
        assert_eq!(p.kind, DocumentKind::Passport);
        assert_eq!(p.kind_text.as_deref(), Some("Passport"));
        assert_eq!(p.number, "1084010");
        assert_eq!(p.country.as_ref().unwrap().text, "Egypt");
        assert_eq!(p.issued_on.unwrap().to_string(), "2013-05-06");
        assert_eq!(p.note.as_deref(), Some("expires 06 May 2023"));
        assert_eq!(f.documents[1].number, "AB321592");
        let id = &f.documents[2];
        assert_eq!(id.kind, DocumentKind::NationalId);
        assert_eq!(
            (id.number.as_str(), id.kind_text.as_deref()),
            ("216040", Some("National ID No."))
        );
    }

    #[test]
    fn organization_identifiers_and_aliases() {
        let f = parse_remarks(
            "Tax ID No. 7744001497 (Russia); Registration Number HRA 738077 (Stuttgart) (Germany); Identification Number IMO 5342883; NIT # 800018928-0 (Colombia); SSN 523-33-8386 (United States); Cedula No. 6068015 (Colombia); Afghan Money Service Provider License Number 044 (Afghanistan); Chinese Commercial Code 1728 4320; a.k.a. 'ISLAMIC GAMA'AT'; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'; Linked To: LAZARUS GROUP; nationality Iran; Organization Established Date 19 Nov 1991; Website http://example.ir; Email Address a@b.ir.",
            Schema::Organization,
        );
        let docs: Vec<(&str, &str, DocumentKind)> = f
            .documents
            .iter()
            .map(|d| {
                (
                    d.kind_text.as_deref().unwrap_or(""),
                    d.number.as_str(),
                    d.kind.clone(),
                )
            })
            .collect();
        assert_eq!(
            docs,
            [
                ("Tax ID No.", "7744001497", DocumentKind::Other),
                (
                    "Registration Number",
                    "HRA 738077 (Stuttgart)",
                    DocumentKind::Other
                ),
                ("Identification Number", "IMO 5342883", DocumentKind::Other),
                ("NIT #", "800018928-0", DocumentKind::Other),
                ("SSN", "523-33-8386", DocumentKind::Other),
                ("Cedula No.", "6068015", DocumentKind::Other),
                (
                    "Afghan Money Service Provider License Number",
                    "044",
                    DocumentKind::Other
                ),
            ]
        );
        assert_eq!(f.documents[1].country.as_ref().unwrap().text, "Germany");
        let names: Vec<(&str, NameKind)> =
            f.names.iter().map(|n| (n.value.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                ("ISLAMIC GAMA'AT", NameKind::Alias),
                ("OLD NAME", NameKind::FormerName),
                ("NEW NAME", NameKind::Alias),
            ]
        );
        assert!(f.nationalities.is_empty());
        assert_eq!(f.countries[0].text, "Iran");
        assert_eq!(
            f.other,
            [
                ("incorporationDate", "1991-11-19".to_string()),
                ("website", "http://example.ir".to_string()),
                ("email", "a@b.ir".to_string()),
            ]
        );
    }

    #[test]
    fn person_aliases_in_remarks_are_reordered() {
        let f = parse_remarks(
            "a.k.a. 'AL-MAKKI, Abu Asim'; a.k.a. ''ABD AL-RAHMAN'.",
            Schema::Person,
        );
        let names: Vec<&str> = f.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(names, ["Abu Asim AL-MAKKI", "'ABD AL-RAHMAN"]);
    }

    #[test]
    fn vessel_and_aircraft_details() {
        let v = parse_remarks(
            "Vessel Registration Identification IMO 7406784; MMSI 572469210; Former Vessel Flag Malta; Vessel Year of Build 1999; Linked To: NATIONAL IRANIAN TANKER COMPANY.",
            Schema::Vessel,
        );
        assert_eq!(v.documents.len(), 1);
        assert_eq!(v.documents[0].kind, DocumentKind::Other);
        assert_eq!(
            v.documents[0].kind_text.as_deref(),
            Some("Vessel Registration Identification")
        );
        assert_eq!(v.documents[0].number, "IMO 7406784");
        assert_eq!(
            v.other,
            [
                ("mmsi", "572469210".to_string()),
                ("pastFlags", "Malta".to_string()),
                ("buildDate", "1999".to_string()),
            ]
        );
        let a = parse_remarks(
            "Aircraft Construction Number (also called L/N or S/N or F/N) 8401; Aircraft Manufacture Date 01 Mar 1978; Aircraft Model IL-76TD; Aircraft Operator YAS AIR; Aircraft Manufacturer's Serial Number (MSN) 1023409321; Aircraft Tail Number EP-MNZ.",
            Schema::Aircraft,
        );
        assert_eq!(
            a.other,
            [
                ("serialNumber", "8401".to_string()),
                ("buildDate", "1978-03-01".to_string()),
                ("model", "IL-76TD".to_string()),
                ("operator", "YAS AIR".to_string()),
                ("serialNumber", "1023409321".to_string()),
                ("registrationNumber", "EP-MNZ".to_string()),
            ]
        );
        assert!(a.documents.is_empty());
    }

    #[test]
    fn inverted_country_names_in_places() {
        let c = place_country("Pyongyang, Korea, North").unwrap();
        assert_eq!(c.text, "Korea, North");
        let c = place_country("Kinshasa, Congo, Democratic Republic of the").unwrap();
        assert_eq!(c.text, "Congo, Democratic Republic of the");
        assert_eq!(
            place_country("Kabul, Afghanistan").unwrap().text,
            "Afghanistan"
        );
        assert_eq!(
            place_country("Afghanistan").unwrap().code.as_deref(),
            Some("AF")
        );
        assert!(place_country("Veracruz").is_none());
    }

    #[test]
    fn unparsed_clauses_are_ignored_without_panic() {
        for text in [
            "",
            ";;;",
            "alt.",
            "DOB",
            "Passport",
            "Passport (Egypt)",
            "Passport 123 (",
            "Passport 123 issued",
            "U.S.A. Passport issued 21 Jun 1992 in Amman, Jordan",
            "Interpol: Red Notice. File No. 2009/3599. March 24, 2009",
            "a.k.a. '",
            "é; ü a.k.a. 'Ж'; DOB 日本",
        ] {
            let _ = parse_remarks(text, Schema::Person);
        }
        let f = parse_remarks(
            "U.S.A. Passport issued 21 Jun 1992 in Amman, Jordan",
            Schema::Person,
        );
        assert!(f.documents.is_empty());
    }

    #[test]
    fn unquote_handles_stray_quotes() {
        assert_eq!(unquote("\"abc\""), ("abc".to_string(), true));
        assert_eq!(unquote("\"a \"\"b\"\"\""), ("a \"b\"".to_string(), true));
        assert_eq!(unquote("\"abc"), ("abc".to_string(), false));
        assert_eq!(unquote("17016\""), ("17016".to_string(), false));
        assert_eq!(unquote("abc"), ("abc".to_string(), true));
        assert_eq!(unquote("\""), ("".to_string(), false));
    }
}
