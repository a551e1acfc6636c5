//! The UN Security Council consolidated list XML (`CONSOLIDATED_LIST`, schema sc-sanctions.xsd).
//!
//! The file is streamed with quick-xml: each `INDIVIDUAL` or `ENTITY` is collected as a small
//! two-level tree of its fields (a field is text, or a group such as `INDIVIDUAL_ALIAS` whose
//! children are text) and turned into one [`Entity`] with the id `un:<REFERENCE_NUMBER>`.
//!
//! Fatal, reported together: malformed or truncated XML (naming the line), a root other than
//! `CONSOLIDATED_LIST`, a record without a reference number or with an invalid one, a reference
//! number used twice (naming both lines), a record without any name, and any field longer than
//! [`vigil_model::MAX_FIELD_BYTES`]. Everything else the reader does not understand (unknown
//! elements, unreadable dates, unknown alias qualities) is a warning and the value is kept as
//! text where the model has room for it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use vigil_model::{
    Address, BirthDate, Country, DateSpec, Designation, DesignationKind, DesignationStatus,
    Distribution, Document, DocumentKind, Entity, EntityId, Gender, ListName, Name, NameKind,
    NamePart, NamePartKind, PartialDate, Place, Schema, SourceRecord,
};

use crate::{
    check_field_length, display_path, read_text, Format, FormatError, ListContent, ParsedList,
    Problem, ReadOptions, Warning,
};

/// The authority code the UN list is filed under.
pub const AUTHORITY: &str = "UNSC";
/// The title of the list in the register.
pub const TITLE: &str = "UN Security Council Consolidated List";
const ROOT: &str = "CONSOLIDATED_LIST";
const DEFAULT_LIST: &str = "un";

/// How often (in bytes) progress is reported; each call may redraw a progress bar.
const PROGRESS_STEP: u64 = 256 * 1024;

/// `UN_LIST_TYPE` → (regime, the resolution that set up the sanctions committee). Types not in
/// the table become "UN <type>" without a legal basis.
const REGIMES: &[(&str, &str, &str)] = &[
    (
        "Al-Qaida",
        "1267 ISIL (Da'esh) and Al-Qaida",
        "Security Council resolutions 1267 (1999), 1989 (2011) and 2253 (2015)",
    ),
    (
        "Taliban",
        "1988 Taliban",
        "Security Council resolution 1988 (2011)",
    ),
    (
        "DPRK",
        "1718 DPRK",
        "Security Council resolution 1718 (2006)",
    ),
    (
        "Iran",
        "2231 Iran",
        "Security Council resolution 2231 (2015)",
    ),
    (
        "Iraq",
        "1518 Iraq",
        "Security Council resolution 1518 (2003)",
    ),
    (
        "DRC",
        "1533 Democratic Republic of the Congo",
        "Security Council resolution 1533 (2004)",
    ),
    (
        "Libya",
        "1970 Libya",
        "Security Council resolution 1970 (2011)",
    ),
    (
        "CAR",
        "2127 Central African Republic",
        "Security Council resolution 2127 (2013)",
    ),
    (
        "Yemen",
        "2140 Yemen",
        "Security Council resolution 2140 (2014)",
    ),
    (
        "Haiti",
        "2653 Haiti",
        "Security Council resolution 2653 (2022)",
    ),
    (
        "Sudan",
        "1591 Sudan",
        "Security Council resolution 1591 (2005)",
    ),
    (
        "SouthSudan",
        "2206 South Sudan",
        "Security Council resolution 2206 (2015)",
    ),
    (
        "GB",
        "2048 Guinea-Bissau",
        "Security Council resolution 2048 (2012)",
    ),
];

/// The regime name and legal basis for a `UN_LIST_TYPE` value.
pub fn regime_for(list_type: &str) -> (String, Option<String>) {
    let key = list_type.trim();
    REGIMES
        .iter()
        .find(|(t, _, _)| t.eq_ignore_ascii_case(key))
        .map(|(_, regime, basis)| (regime.to_string(), Some(basis.to_string())))
        .unwrap_or_else(|| (format!("UN {key}"), None))
}

/// Reads one UN consolidated list XML file.
pub fn read_un_xml(path: &Path, options: &ReadOptions<'_>) -> Result<ParsedList, FormatError> {
    let (text, digest) = read_text(path)?;
    let shown = display_path(path);
    let file_name = crate::source_file_name(path);
    let list = match &options.list {
        Some(list) => list.clone(),
        None => ListName::new(DEFAULT_LIST)
            .map_err(|e| FormatError::invalid(&shown, None, None, e.to_string()))?,
    };
    let mut parser = Parser::new(&text, &shown, &file_name, list.clone(), options);
    parser.run();
    if let Some(progress) = options.progress {
        progress(digest.bytes);
    }
    if !parser.problems.is_empty() {
        return Err(FormatError::Invalid(parser.problems));
    }
    Ok(ParsedList {
        format: Format::UnXml,
        lists: vec![ListContent {
            list,
            authority: AUTHORITY.to_string(),
            title: TITLE.to_string(),
            published: parser.published,
            entities: parser.entities,
        }],
        files: vec![digest],
        warnings: parser.warnings,
    })
}

/// Turns byte offsets into 1-based line numbers, counting forward from the last offset asked
/// about so a whole file costs one pass.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }
    fn at(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if offset < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let newlines = self
            .bytes
            .get(self.pos..offset)
            .map(|s| s.iter().filter(|b| **b == b'\n').count())
            .unwrap_or(0);
        self.line += newlines as u64;
        self.pos = offset;
        self.line
    }
}

/// A text child of a record or of a group.
#[derive(Debug, Default)]
struct Leaf {
    name: String,
    value: String,
}

/// A child element of a record: its text when it has no children, else its children.
#[derive(Debug, Default)]
struct Field {
    name: String,
    line: u64,
    text: String,
    children: Vec<Leaf>,
}

impl Field {
    fn child(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.trim())
            .filter(|v| !v.is_empty())
    }
    /// The `VALUE`s of a list field (`TITLE`, `NATIONALITY`...); a field written as plain text
    /// counts as one value.
    fn values(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .children
            .iter()
            .filter(|c| c.name == "VALUE")
            .map(|c| c.value.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if self.children.is_empty() && !self.text.trim().is_empty() {
            out.push(self.text.trim());
        }
        out
    }
}

/// One `INDIVIDUAL` or `ENTITY` as read, before interpretation.
#[derive(Debug)]
struct RawRecord {
    element: String,
    line: u64,
    fields: Vec<Field>,
}

impl RawRecord {
    fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.text.trim())
            .filter(|v| !v.is_empty())
    }
    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Field> + 's {
        self.fields.iter().filter(move |f| f.name == name)
    }
}

/// An element open below a record: depth 0 is the record's child, depth 1 a group's child.
#[derive(Debug)]
struct Open {
    name: String,
    line: u64,
    text: String,
    children: Vec<Leaf>,
}

const RECORD_FIELDS: &[&str] = &[
    "DATAID",
    "VERSIONNUM",
    "FIRST_NAME",
    "SECOND_NAME",
    "THIRD_NAME",
    "FOURTH_NAME",
    "UN_LIST_TYPE",
    "REFERENCE_NUMBER",
    "LISTED_ON",
    "NAME_ORIGINAL_SCRIPT",
    "GENDER",
    "COMMENTS1",
    "COMMENTS2",
    "COMMENTS3",
    "TITLE",
    "DESIGNATION",
    "NATIONALITY",
    "LIST_TYPE",
    "LAST_DAY_UPDATED",
    "INDIVIDUAL_ALIAS",
    "ENTITY_ALIAS",
    "INDIVIDUAL_ADDRESS",
    "ENTITY_ADDRESS",
    "INDIVIDUAL_DATE_OF_BIRTH",
    "INDIVIDUAL_PLACE_OF_BIRTH",
    "INDIVIDUAL_DOCUMENT",
    "SORT_KEY",
    "SORT_KEY_LAST_MOD",
    "SUBMITTED_BY",
    "DELISTED_ON",
];

const GROUP_CHILDREN: &[(&str, &[&str])] = &[
    ("TITLE", &["VALUE"]),
    ("DESIGNATION", &["VALUE"]),
    ("NATIONALITY", &["VALUE"]),
    ("LIST_TYPE", &["VALUE"]),
    ("LAST_DAY_UPDATED", &["VALUE"]),
    ("SUBMITTED_BY", &["VALUE"]),
    (
        "INDIVIDUAL_ALIAS",
        &[
            "QUALITY",
            "ALIAS_NAME",
            "NOTE",
            "DATE_OF_BIRTH",
            "CITY_OF_BIRTH",
            "COUNTRY_OF_BIRTH",
        ],
    ),
    ("ENTITY_ALIAS", &["QUALITY", "ALIAS_NAME", "NOTE"]),
    (
        "INDIVIDUAL_ADDRESS",
        &[
            "STREET",
            "CITY",
            "STATE_PROVINCE",
            "ZIP_CODE",
            "COUNTRY",
            "NOTE",
        ],
    ),
    (
        "ENTITY_ADDRESS",
        &[
            "STREET",
            "CITY",
            "STATE_PROVINCE",
            "ZIP_CODE",
            "COUNTRY",
            "NOTE",
        ],
    ),
    (
        "INDIVIDUAL_DATE_OF_BIRTH",
        &[
            "TYPE_OF_DATE",
            "DATE",
            "YEAR",
            "FROM_YEAR",
            "TO_YEAR",
            "NOTE",
        ],
    ),
    (
        "INDIVIDUAL_PLACE_OF_BIRTH",
        &["STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE"],
    ),
    (
        "INDIVIDUAL_DOCUMENT",
        &[
            "TYPE_OF_DOCUMENT",
            "TYPE_OF_DOCUMENT2",
            "NUMBER",
            "ISSUING_COUNTRY",
            "COUNTRY_OF_ISSUE",
            "DATE_OF_ISSUE",
            "CITY_OF_ISSUE",
            "NOTE",
        ],
    ),
];

struct Parser<'t, 'o> {
    text: &'t str,
    shown: &'t str,
    file_name: &'t str,
    list: ListName,
    options: &'o ReadOptions<'o>,
    lines: Lines<'t>,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
    entities: Vec<Entity>,
    published: Option<String>,
    /// Reference number → line of the record that used it first.
    seen: HashMap<String, u64>,
    /// Element names the reader does not know → (first line, count): one warning per name.
    unknown: BTreeMap<String, (u64, usize)>,
    next_progress: u64,
}

impl<'t, 'o> Parser<'t, 'o> {
    fn new(
        text: &'t str,
        shown: &'t str,
        file_name: &'t str,
        list: ListName,
        options: &'o ReadOptions<'o>,
    ) -> Self {
        Self {
            text,
            shown,
            file_name,
            list,
            options,
            lines: Lines::new(text),
            problems: Vec::new(),
            warnings: Vec::new(),
            entities: Vec::new(),
            published: None,
            seen: HashMap::new(),
            unknown: BTreeMap::new(),
            next_progress: PROGRESS_STEP,
        }
    }

    fn problem(&mut self, line: Option<u64>, record: Option<String>, message: impl Into<String>) {
        self.problems
            .push(Problem::new(self.shown, line, record, message));
    }

    fn warn(&mut self, line: Option<u64>, record: Option<String>, message: impl Into<String>) {
        self.warnings
            .push(Problem::new(self.shown, line, record, message));
    }

    fn note_unknown(&mut self, path: String, line: u64) {
        let entry = self.unknown.entry(path).or_insert((line, 0));
        entry.1 += 1;
    }

    fn run(&mut self) {
        let mut reader = Reader::from_str(self.text);
        // Whitespace is kept as its own event, so the position before a tag is the tag's start.
        reader.config_mut().trim_text(false);
        // Element names of the path from the root down to (not including) the open record.
        let mut outer: Vec<(String, u64)> = Vec::new();
        let mut root_seen = false;
        let mut record: Option<RawRecord> = None;
        let mut open: Vec<Open> = Vec::new();
        // Depth of elements nested too deeply to be meaningful, skipped with one warning each.
        let mut skipped_depth = 0usize;

        loop {
            let before = reader.buffer_position();
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let line = self.lines.at(reader.error_position());
                    self.problem(
                        Some(line),
                        None,
                        format!("malformed XML: {e}; nothing was imported"),
                    );
                    return;
                }
            };
            let line = self.lines.at(before);
            if reader.buffer_position() >= self.next_progress {
                if let Some(progress) = self.options.progress {
                    progress(reader.buffer_position());
                }
                self.next_progress = reader.buffer_position() + PROGRESS_STEP;
            }
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let is_empty = matches!(event, Event::Empty(_));
                    let name = element_name(start);
                    if skipped_depth > 0 {
                        if !is_empty {
                            skipped_depth += 1;
                        }
                        continue;
                    }
                    if let Some(rec) = record.as_mut() {
                        match open.len() {
                            0 | 1 => {
                                open.push(Open {
                                    name,
                                    line,
                                    text: String::new(),
                                    children: Vec::new(),
                                });
                                if is_empty {
                                    self.close_inner(rec, &mut open);
                                }
                            }
                            _ => {
                                let path = open
                                    .iter()
                                    .map(|o| o.name.as_str())
                                    .chain(std::iter::once(name.as_str()))
                                    .collect::<Vec<_>>()
                                    .join("/");
                                self.note_unknown(format!("{}/{path}", rec.element), line);
                                if !is_empty {
                                    skipped_depth = 1;
                                }
                            }
                        }
                        continue;
                    }
                    match outer.len() {
                        0 => {
                            if root_seen {
                                self.problem(
                                    Some(line),
                                    None,
                                    format!("element <{name}> after the end of the root element: the file has more than one root"),
                                );
                                return;
                            }
                            root_seen = true;
                            if name != ROOT {
                                self.problem(
                                    Some(line),
                                    None,
                                    format!("root element is <{name}>, not <{ROOT}>: this is not the UN Security Council consolidated list"),
                                );
                                return;
                            }
                            self.read_root_attributes(start, line);
                            if is_empty {
                                self.warn(Some(line), None, "the list is empty");
                            } else {
                                outer.push((name, line));
                            }
                        }
                        1 if name == "INDIVIDUALS" || name == "ENTITIES" => {
                            if !is_empty {
                                outer.push((name, line));
                            }
                        }
                        _ => {
                            // A record out of its container is still a designation: read it
                            // (with a warning) rather than drop it.
                            if name == "INDIVIDUAL" || name == "ENTITY" {
                                let container = outer.last().map(|(n, _)| n.as_str());
                                let expected = if name == "INDIVIDUAL" {
                                    "INDIVIDUALS"
                                } else {
                                    "ENTITIES"
                                };
                                if container != Some(expected) {
                                    self.warn(
                                        Some(line),
                                        None,
                                        format!("<{name}> inside <{}> instead of <{expected}>; read as {name}", container.unwrap_or("?")),
                                    );
                                }
                                let rec = RawRecord {
                                    element: name,
                                    line,
                                    fields: Vec::new(),
                                };
                                if is_empty {
                                    self.finish_record(rec);
                                } else {
                                    record = Some(rec);
                                }
                            } else {
                                let parent =
                                    outer.last().map(|(n, _)| n.clone()).unwrap_or_default();
                                self.note_unknown(format!("{parent}/{name}"), line);
                                if !is_empty {
                                    skipped_depth = 1;
                                }
                            }
                        }
                    }
                }
                Event::End(_) => {
                    if skipped_depth > 0 {
                        skipped_depth -= 1;
                        continue;
                    }
                    if let Some(rec) = record.as_mut() {
                        if open.is_empty() {
                            if let Some(rec) = record.take() {
                                self.finish_record(rec);
                            }
                        } else {
                            self.close_inner(rec, &mut open);
                        }
                        continue;
                    }
                    outer.pop();
                }
                Event::Text(text) => {
                    if let Some(o) = open.last_mut() {
                        o.text.push_str(&text.xml10_content());
                    } else if outer.is_empty() && skipped_depth == 0 {
                        let stray = text.xml10_content();
                        let stray = stray.trim();
                        if !stray.is_empty() {
                            let shown: String = stray.chars().take(40).collect();
                            self.problem(
                                Some(line),
                                None,
                                format!("text {shown:?} outside the root element: this is not an XML list file"),
                            );
                            return;
                        }
                    }
                }
                Event::CData(data) => {
                    if let Some(o) = open.last_mut() {
                        o.text.push_str(&data);
                    }
                }
                Event::GeneralRef(reference) => {
                    let Some(o) = open.last_mut() else { continue };
                    let name = reference.to_string();
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => o.text.push(c),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => o.text.push_str(s),
                            None => {
                                o.text.push('&');
                                o.text.push_str(&name);
                                o.text.push(';');
                                self.warn(
                                    Some(line),
                                    None,
                                    format!("unknown entity &{name}; kept as written"),
                                );
                            }
                        },
                        Err(e) => self.problem(
                            Some(line),
                            None,
                            format!("bad character reference &{name};: {e}"),
                        ),
                    }
                }
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding() {
                        let encoding = encoding.into_owned();
                        if !encoding.eq_ignore_ascii_case("utf-8")
                            && !encoding.eq_ignore_ascii_case("utf8")
                        {
                            self.warn(
                                Some(line),
                                None,
                                format!("the file declares encoding {encoding:?} but its bytes are valid UTF-8; read as UTF-8"),
                            );
                        }
                    }
                }
                Event::DocType(_) => {
                    self.warn(
                        Some(line),
                        None,
                        "document type declaration ignored (its entities are not expanded)",
                    );
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    let line = self.lines.at(reader.buffer_position());
                    if let Some(rec) = &record {
                        let inner = open
                            .last()
                            .map(|o| format!(" in <{}> opened at line {}", o.name, o.line))
                            .unwrap_or_default();
                        self.problem(
                            Some(line),
                            Some(format!("{} at line {}", rec.element, rec.line)),
                            format!("file ends inside the <{}> that starts at line {}{inner}: the file is truncated", rec.element, rec.line),
                        );
                    } else if let Some((name, opened)) = outer.last() {
                        self.problem(
                            Some(line),
                            None,
                            format!("file ends inside <{name}> opened at line {opened}: the file is truncated"),
                        );
                    } else if !root_seen {
                        self.problem(
                            Some(line),
                            None,
                            format!("no <{ROOT}> element: this is not the UN Security Council consolidated list"),
                        );
                    }
                    break;
                }
            }
        }
        let unknown = std::mem::take(&mut self.unknown);
        for (path, (line, count)) in unknown {
            self.warn(
                Some(line),
                None,
                format!("unknown element {path} ignored ({count} times; first here)"),
            );
        }
    }

    fn read_root_attributes(&mut self, start: &BytesStart<'_>, line: u64) {
        for attribute in start.attributes() {
            let attribute = match attribute {
                Ok(a) => a,
                Err(e) => {
                    self.problem(
                        Some(line),
                        None,
                        format!("malformed attribute on <{ROOT}>: {e}"),
                    );
                    continue;
                }
            };
            if attribute.key.as_ref() != "dateGenerated" {
                continue;
            }
            let value = match attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v.trim().to_string(),
                Err(e) => {
                    self.problem(Some(line), None, format!("dateGenerated not readable: {e}"));
                    continue;
                }
            };
            if PartialDate::parse_iso(&value).is_ok() && value.len() >= 10 {
                self.published = Some(value);
            } else {
                self.warn(
                    Some(line),
                    None,
                    format!("dateGenerated {value:?} is not an ISO date; the publication date is unknown"),
                );
            }
        }
    }

    /// Closes the innermost element open inside a record.
    fn close_inner(&mut self, rec: &mut RawRecord, open: &mut Vec<Open>) {
        let Some(done) = open.pop() else { return };
        // Names and labels are only built for the rare refusal: formatting them for every
        // element would cost more than the parsing.
        if done.text.len() > vigil_model::MAX_FIELD_BYTES {
            let field = match open.last() {
                Some(parent) => format!("{}/{}", parent.name, done.name),
                None => done.name.clone(),
            };
            let label = format!("{} at line {}", rec.element, rec.line);
            if let Err(p) = check_field_length(
                self.shown,
                Some(done.line),
                Some(&label),
                &field,
                &done.text,
            ) {
                self.problems.push(p);
                return;
            }
        }
        if let Some(parent) = open.last_mut() {
            parent.children.push(Leaf {
                name: done.name,
                value: done.text,
            });
        } else {
            let text = if done.children.is_empty() {
                done.text
            } else {
                String::new()
            };
            rec.fields.push(Field {
                name: done.name,
                line: done.line,
                text,
                children: done.children,
            });
        }
    }

    fn finish_record(&mut self, rec: RawRecord) {
        for field in &rec.fields {
            if !RECORD_FIELDS.contains(&field.name.as_str()) {
                self.note_unknown(format!("{}/{}", rec.element, field.name), field.line);
                continue;
            }
            if let Some((_, known)) = GROUP_CHILDREN.iter().find(|(g, _)| *g == field.name) {
                for child in &field.children {
                    if !known.contains(&child.name.as_str()) {
                        self.note_unknown(
                            format!("{}/{}/{}", rec.element, field.name, child.name),
                            field.line,
                        );
                    }
                }
            }
        }
        let record_label = |reference: Option<&str>| match reference {
            Some(r) => format!("{} {r}", rec.element),
            None => format!("{} at line {}", rec.element, rec.line),
        };
        let Some(reference) = rec.text("REFERENCE_NUMBER").map(str::to_string) else {
            self.problem(
                Some(rec.line),
                Some(record_label(None)),
                "record has no REFERENCE_NUMBER, so it cannot be identified",
            );
            return;
        };
        let label = record_label(Some(&reference));
        let id = match EntityId::new(&self.list, &reference) {
            Ok(id) => id,
            Err(e) => {
                self.problem(Some(rec.line), Some(label), e.to_string());
                return;
            }
        };
        if let Some(first) = self.seen.get(&reference) {
            let first = *first;
            self.problem(
                Some(rec.line),
                Some(label),
                format!("reference number {reference} at line {} is already used by the record at line {first}", rec.line),
            );
            return;
        }
        self.seen.insert(reference.clone(), rec.line);
        let mut build = Build {
            rec: &rec,
            warnings: Vec::new(),
        };
        let entity = build.entity(id, &reference, self.file_name, &self.list);
        for (line, message) in build.warnings {
            self.warn(Some(line), Some(label.clone()), message);
        }
        match entity {
            Some(entity) => self.entities.push(entity),
            None => self.problem(
                Some(rec.line),
                Some(label),
                "record has no name at all (no FIRST_NAME..FOURTH_NAME, original-script name or alias)",
            ),
        }
    }
}

fn element_name(start: &BytesStart<'_>) -> String {
    start.name().as_ref().to_string()
}

/// Interprets one record; warnings carry the line they are about.
struct Build<'r> {
    rec: &'r RawRecord,
    warnings: Vec<(u64, String)>,
}

impl Build<'_> {
    fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.warnings.push((line, message.into()));
    }

    fn entity(
        &mut self,
        id: EntityId,
        reference: &str,
        file_name: &str,
        list: &ListName,
    ) -> Option<Entity> {
        let rec = self.rec;
        let person = rec.element == "INDIVIDUAL";
        let schema = if person {
            Schema::Person
        } else {
            Schema::Organization
        };
        let mut entity = Entity::new(id, schema);
        entity.distribution = Distribution::Public;

        let part_kinds = [
            ("FIRST_NAME", NamePartKind::First),
            ("SECOND_NAME", NamePartKind::Second),
            ("THIRD_NAME", NamePartKind::Third),
            ("FOURTH_NAME", NamePartKind::Fourth),
        ];
        let parts: Vec<NamePart> = part_kinds
            .iter()
            .filter_map(|(field, kind)| {
                rec.text(field).map(|v| NamePart {
                    kind: *kind,
                    value: collapse(v),
                })
            })
            .collect();
        if !parts.is_empty() {
            let full = parts
                .iter()
                .map(|p| p.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            entity.push_name(Name::new(&full, NameKind::Primary).with_parts(parts));
        }
        for field in rec.all("NAME_ORIGINAL_SCRIPT") {
            if !field.text.trim().is_empty() {
                entity.push_name(Name::new(&field.text, NameKind::OriginalScript));
            }
        }
        for group in rec.all("INDIVIDUAL_ALIAS").chain(rec.all("ENTITY_ALIAS")) {
            self.alias(&mut entity, group);
        }
        if entity.names.is_empty() {
            return None;
        }

        for field in rec.all("TITLE") {
            entity
                .titles
                .extend(field.values().into_iter().map(collapse));
        }
        for field in rec.all("DESIGNATION") {
            entity
                .positions
                .extend(field.values().into_iter().map(collapse));
        }
        for field in rec.all("NATIONALITY") {
            for value in field.values() {
                push_unique(&mut entity.nationalities, Country::from_text(value));
            }
        }
        if let Some(field) = rec.all("GENDER").next() {
            let value = field.text.trim();
            match value.to_ascii_lowercase().as_str() {
                "" => {}
                "male" => entity.gender = Some(Gender::Male),
                "female" => entity.gender = Some(Gender::Female),
                _ => self.warn(
                    field.line,
                    format!("GENDER {value:?} is not Male or Female; ignored"),
                ),
            }
        }
        for name in ["COMMENTS1", "COMMENTS2", "COMMENTS3"] {
            if let Some(text) = rec.text(name) {
                entity.remarks.push(collapse(text));
            }
        }
        for group in rec.all("INDIVIDUAL_DATE_OF_BIRTH") {
            if let Some(date) = self.birth_date(group) {
                push_unique(&mut entity.birth_dates, date);
            }
        }
        for group in rec.all("INDIVIDUAL_PLACE_OF_BIRTH") {
            if let Some(place) = place(
                [
                    group.child("STREET"),
                    group.child("CITY"),
                    group.child("STATE_PROVINCE"),
                ],
                group.child("COUNTRY"),
                group.child("NOTE"),
            ) {
                push_unique(&mut entity.birth_places, place);
            }
        }
        // Alias-level dates and places of birth belong to the same person: screening needs them.
        for group in rec.all("INDIVIDUAL_ALIAS") {
            if let Some(text) = group.child("DATE_OF_BIRTH") {
                match un_date(text) {
                    Ok(date) => push_unique(&mut entity.birth_dates, BirthDate::exact(date, text)),
                    Err(_) => {
                        let parsed = BirthDate::parse_text(text);
                        if parsed.date.is_none() {
                            self.warn(
                                group.line,
                                format!(
                                    "alias DATE_OF_BIRTH {text:?} is not understood; kept as text"
                                ),
                            );
                        }
                        push_unique(&mut entity.birth_dates, parsed);
                    }
                }
            }
            if let Some(place) = place(
                [group.child("CITY_OF_BIRTH"), None, None],
                group.child("COUNTRY_OF_BIRTH"),
                None,
            ) {
                push_unique(&mut entity.birth_places, place);
            }
        }
        for group in rec.all("INDIVIDUAL_DOCUMENT") {
            self.document(&mut entity, group);
        }
        for group in rec
            .all("INDIVIDUAL_ADDRESS")
            .chain(rec.all("ENTITY_ADDRESS"))
        {
            let address = Address {
                street: group.child("STREET").map(collapse),
                city: group.child("CITY").map(collapse),
                region: group.child("STATE_PROVINCE").map(collapse),
                postal_code: group.child("ZIP_CODE").map(collapse),
                country: group.child("COUNTRY").map(Country::from_text),
                note: group.child("NOTE").map(collapse),
            };
            if address.is_empty() {
                continue;
            }
            if !person {
                if let Some(country) = &address.country {
                    push_unique(&mut entity.countries, country.clone());
                }
            }
            push_unique(&mut entity.addresses, address);
        }

        entity.designations.push(self.designation(reference));
        entity.sources.push(SourceRecord {
            list: list.to_string(),
            file: file_name.to_string(),
            record: format!("{} at line {}", rec.element, rec.line),
        });
        Some(entity)
    }

    fn alias(&mut self, entity: &mut Entity, group: &Field) {
        let Some(name) = group.child("ALIAS_NAME") else {
            return;
        };
        let quality = group.child("QUALITY").unwrap_or("");
        let q = quality.to_ascii_lowercase();
        let kind = match q.as_str() {
            "" | "good" | "a.k.a." | "aka" => NameKind::Alias,
            "low" | "weak" => NameKind::WeakAlias,
            _ if q.contains("f.k.a") || q.contains("fka") || q.contains("former") => {
                NameKind::FormerName
            }
            _ => {
                self.warn(
                    group.line,
                    format!("alias quality {quality:?} is not known; read as a good alias"),
                );
                NameKind::Alias
            }
        };
        let alias = Name::new(name, kind);
        let whole = alias.value.clone();
        entity.push_name(alias);
        let runs = non_latin_runs(name);
        if runs.is_empty() && whole.contains(';') {
            // Several spellings in one alias ("Abdul Rehman; Abd Ur-Rehman; Abdur Rahman"):
            // each is a name of its own.
            for part in whole.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                entity.push_name(Name::new(part, kind));
            }
        }
        if !runs.is_empty() {
            for run in &runs {
                if *run != whole {
                    entity.push_name(Name::new(run, NameKind::OriginalScript));
                }
            }
            // The Latin spellings packed around the original script ("X (original script: Y)",
            // "Y (A; B; C)") are names of their own; the packed string rarely matches anything.
            for part in latin_remainder(name, &runs) {
                if part != whole {
                    entity.push_name(Name::new(&part, kind));
                }
            }
        }
        if let Some(note) = group.child("NOTE") {
            for run in non_latin_runs(note) {
                entity.push_name(Name::new(&run, NameKind::OriginalScript));
            }
            entity
                .remarks
                .push(format!("Alias {whole}: {}", collapse(note)));
        }
    }

    fn birth_date(&mut self, group: &Field) -> Option<BirthDate> {
        let kind = group
            .child("TYPE_OF_DATE")
            .unwrap_or("")
            .to_ascii_uppercase();
        let note = group.child("NOTE").map(collapse);
        let note_says_approx = note
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("approximately"));
        let approximate = kind == "APPROXIMATELY" || note_says_approx;
        let extra_note = note.filter(|_| !note_says_approx);
        let line_warning = |this: &mut Self, what: &str, value: &str| {
            this.warn(
                group.line,
                format!("date of birth {what} {value:?} is not understood; kept as text"),
            );
        };
        let prefix = if approximate { "approximately " } else { "" };
        let with_note = |body: String, note: &Option<String>| match note {
            Some(n) => format!("{prefix}{body} ({n})"),
            None => format!("{prefix}{body}"),
        };

        if let Some(text) = group.child("DATE") {
            let date = match un_date(text) {
                Ok(d) => Some(DateSpec::Exact(d)),
                Err(_) => {
                    line_warning(self, "DATE", text);
                    None
                }
            };
            return Some(BirthDate {
                date,
                approximate,
                text: with_note(text.to_string(), &extra_note),
            });
        }
        if let Some(year) = group.child("YEAR") {
            let Ok(year_date) = PartialDate::parse_iso(year) else {
                line_warning(self, "YEAR", year);
                return Some(BirthDate {
                    date: None,
                    approximate,
                    text: with_note(year.to_string(), &extra_note),
                });
            };
            // A month given only in the note ("Sep.") narrows the year.
            if let Some(n) = &extra_note {
                if let Ok(d) = PartialDate::parse_english(&format!("{n} {year}")) {
                    return Some(BirthDate {
                        date: Some(DateSpec::Exact(d)),
                        approximate,
                        text: format!("{prefix}{n} {year}"),
                    });
                }
            }
            return Some(BirthDate {
                date: Some(DateSpec::Exact(year_date)),
                approximate,
                text: with_note(year.to_string(), &extra_note),
            });
        }
        match (group.child("FROM_YEAR"), group.child("TO_YEAR")) {
            (Some(from), Some(to)) => {
                let body = format!("{from} to {to}");
                let date = match (PartialDate::parse_iso(from), PartialDate::parse_iso(to)) {
                    (Ok(a), Ok(b)) => DateSpec::range(a, b).ok(),
                    _ => None,
                };
                if date.is_none() {
                    line_warning(self, "range", &body);
                }
                return Some(BirthDate {
                    date,
                    approximate,
                    text: with_note(body, &extra_note),
                });
            }
            (Some(one), None) | (None, Some(one)) => {
                self.warn(
                    group.line,
                    format!("date of birth range has only one end ({one}); read as that year"),
                );
                return Some(BirthDate {
                    date: PartialDate::parse_iso(one).ok().map(DateSpec::Exact),
                    approximate: true,
                    text: with_note(one.to_string(), &extra_note),
                });
            }
            (None, None) => {}
        }
        let note = extra_note?;
        let mut parsed = BirthDate::parse_text(&note);
        parsed.approximate |= approximate;
        if parsed.date.is_none() {
            line_warning(self, "note", &note);
        }
        if approximate && !note.to_ascii_lowercase().starts_with("approx") {
            parsed.text = format!("approximately {note}");
        }
        Some(parsed)
    }

    fn document(&mut self, entity: &mut Entity, group: &Field) {
        let type1 = group.child("TYPE_OF_DOCUMENT").map(collapse);
        let type2 = group.child("TYPE_OF_DOCUMENT2").map(collapse);
        let kind_text = match (&type1, &type2) {
            (Some(a), Some(b)) => Some(format!("{a} ({b})")),
            (Some(a), None) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
        let kind = document_kind(type1.as_deref(), type2.as_deref());
        let country_text = group
            .child("ISSUING_COUNTRY")
            .or_else(|| group.child("COUNTRY_OF_ISSUE"));
        let mut notes: Vec<String> = Vec::new();
        let issued_on = match group.child("DATE_OF_ISSUE") {
            Some(text) => match un_date(text) {
                Ok(d) => Some(d),
                Err(_) => {
                    notes.push(format!("issued on {text}"));
                    None
                }
            },
            None => None,
        };
        if let Some(city) = group.child("CITY_OF_ISSUE") {
            notes.push(format!("issued in {}", collapse(city)));
        }
        if let Some(note) = group.child("NOTE") {
            notes.push(collapse(note));
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let Some(number) = group.child("NUMBER").map(collapse) else {
            // Without a number the document cannot be matched, but what the list says about it
            // (often the number in prose) must not be lost.
            let said: Vec<String> = [kind_text.clone(), country_text.map(collapse), note]
                .into_iter()
                .flatten()
                .collect();
            if !said.is_empty() {
                entity
                    .remarks
                    .push(format!("Document: {}", said.join("; ")));
            }
            return;
        };
        push_unique(
            &mut entity.documents,
            Document {
                kind,
                kind_text,
                number,
                country: country_text.map(Country::from_text),
                issued_on,
                note,
            },
        );
    }

    fn designation(&mut self, reference: &str) -> Designation {
        let rec = self.rec;
        let list_type = rec.text("UN_LIST_TYPE");
        let (regime, legal_basis) = match list_type {
            Some(t) => regime_for(t),
            None => {
                self.warn(rec.line, "record has no UN_LIST_TYPE; regime unknown");
                ("UN Security Council".to_string(), None)
            }
        };
        let listed_on = match rec.all("LISTED_ON").next() {
            Some(field) if !field.text.trim().is_empty() => match un_date(&field.text) {
                Ok(d) => Some(d),
                Err(e) => {
                    let line = field.line;
                    self.warn(line, format!("LISTED_ON: {e}; listing date unknown"));
                    None
                }
            },
            _ => None,
        };
        let mut amended_on = Vec::new();
        for field in rec.all("LAST_DAY_UPDATED") {
            for value in field.values() {
                match un_date(value) {
                    Ok(d) => {
                        if !amended_on.contains(&d) {
                            amended_on.push(d);
                        }
                    }
                    Err(e) => self.warn(field.line, format!("LAST_DAY_UPDATED: {e}; ignored")),
                }
            }
        }
        amended_on.sort();
        let mut delisted_on = None;
        if let Some(field) = rec.all("DELISTED_ON").next() {
            let text = field.text.trim();
            if !text.is_empty() {
                match un_date(text) {
                    Ok(d) => delisted_on = Some(d),
                    Err(e) => self.warn(field.line, format!("DELISTED_ON: {e}")),
                }
            }
        }
        let status = if delisted_on.is_some() {
            DesignationStatus::Delisted
        } else if amended_on.is_empty() {
            DesignationStatus::Listed
        } else {
            DesignationStatus::Amended
        };
        let remarks = rec
            .all("LIST_TYPE")
            .flat_map(|f| f.values())
            .map(collapse)
            .collect();
        Designation {
            authority: AUTHORITY.to_string(),
            regime,
            kind: DesignationKind::Sanction,
            listed_on,
            legal_basis,
            reference: Some(reference.to_string()),
            status,
            amended_on,
            delisted_on,
            remarks,
        }
    }
}

/// The kind of a UN document. `TYPE_OF_DOCUMENT` is coarse ("National Identification Number"
/// also files birth certificates, voter cards and national passports); `TYPE_OF_DOCUMENT2`, when
/// given, says what the document really is.
fn document_kind(type1: Option<&str>, type2: Option<&str>) -> DocumentKind {
    const NOT_AN_ID: [&str; 12] = [
        "birth cert",
        "ration card",
        "driver",
        "voter",
        "student",
        "other id",
        "military",
        "serviceman",
        "residential",
        "fiscal code",
        "social security",
        "certificate of",
    ];
    let t1 = type1.unwrap_or("").to_lowercase();
    let t2 = type2.unwrap_or("").to_lowercase();
    let passport = |t: &str| {
        ["passport", "pasaporte", "passeport"]
            .iter()
            .any(|p| t.contains(p))
    };
    let id = |t: &str| {
        [
            "identif",
            "identity",
            "national number",
            "tazkira",
            "personalausweis",
        ]
        .iter()
        .any(|p| t.contains(p))
    };
    if passport(&t2) {
        DocumentKind::Passport
    } else if NOT_AN_ID.iter().any(|o| t2.contains(o)) {
        DocumentKind::Other
    } else if passport(&t1) {
        DocumentKind::Passport
    } else if id(&t1) || id(&t2) {
        DocumentKind::NationalId
    } else {
        DocumentKind::Other
    }
}

fn collapse(text: &str) -> String {
    let t = text.trim();
    // Most values are already clean; copying them saves the split-and-join on the hot path.
    if !t.contains(|c: char| c.is_whitespace() && c != ' ') && !t.contains("  ") {
        return t.to_string();
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// A place from its parts (most specific first) and country; `None` when all are empty.
fn place(parts: [Option<&str>; 3], country: Option<&str>, note: Option<&str>) -> Option<Place> {
    let mut text = parts
        .into_iter()
        .flatten()
        .chain(country)
        .map(collapse)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(note) = note.map(collapse).filter(|n| !n.is_empty()) {
        text = if text.is_empty() {
            note
        } else {
            format!("{text} ({note})")
        };
    }
    if text.is_empty() {
        return None;
    }
    Some(Place {
        text,
        country: country.map(Country::from_text),
    })
}

/// A UN date: `YYYY-MM-DD`, also with the time-zone suffix some records carry
/// (`2015-04-07-04:00`, xs:date with an offset).
fn un_date(text: &str) -> Result<PartialDate, vigil_model::DateError> {
    let t = text.trim();
    match PartialDate::parse_iso(t) {
        Ok(d) => Ok(d),
        Err(e) => {
            let zoned = t
                .get(..10)
                .filter(|_| {
                    t.get(10..)
                        .is_some_and(|rest| rest.starts_with(['-', '+', 'Z', 'T']))
                })
                .and_then(|d| PartialDate::parse_iso(d).ok());
            zoned.ok_or(e)
        }
    }
}

fn is_non_latin_letter(c: char) -> bool {
    if !c.is_alphabetic() || c.is_ascii() {
        return false;
    }
    let mut buf = [0u8; 4];
    !matches!(
        vigil_model::script::dominant_script(c.encode_utf8(&mut buf)),
        "Latn" | "Zyyy"
    )
}

/// The stretches of `text` written in a non-Latin script (Arabic, Cyrillic, Han...), each from
/// its first to its last non-Latin letter, with the spaces and punctuation between them.
fn non_latin_runs(text: &str) -> Vec<String> {
    if text.is_ascii() {
        return Vec::new();
    }
    let mut runs = Vec::new();
    // (start of the run, end of its last non-Latin letter)
    let mut current: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if is_non_latin_letter(c) {
            current = Some(match current {
                Some((start, _)) => (start, end),
                None => (i, end),
            });
        } else if c.is_alphabetic() {
            if let Some((start, stop)) = current.take() {
                push_run(&mut runs, text, start, stop);
            }
        }
    }
    if let Some((start, stop)) = current {
        push_run(&mut runs, text, start, stop);
    }
    runs
}

fn push_run(runs: &mut Vec<String>, text: &str, start: usize, stop: usize) {
    let Some(run) = text.get(start..stop) else {
        return;
    };
    let run = collapse(run);
    if !run.is_empty() && !runs.contains(&run) {
        runs.push(run);
    }
}

/// The Latin names around the original-script runs of an alias: the alias with the runs and the
/// "original script" markers taken out, split at `;` and parentheses. Fragments of fewer than
/// four letters (acronyms such as "HTS") are dropped: too short to screen on.
fn latin_remainder(alias: &str, runs: &[String]) -> Vec<String> {
    let mut rest = collapse(alias);
    for run in runs {
        rest = rest.replace(run.as_str(), " ");
    }
    for marker in ["(original script)", "original script:", "original script"] {
        rest = rest.replace(marker, " ");
    }
    rest = rest.replace(" - sub-unit name", " ");
    rest.split([';', '(', ')'])
        .map(|s| {
            collapse(
                s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ':' | '-')),
            )
        })
        .filter(|s| s.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_embedded_original_script() {
        assert_eq!(
            non_latin_runs("Amir Khazmat (original script: Амир Хазмат)"),
            vec!["Амир Хазмат"]
        );
        assert_eq!(
            non_latin_runs("Akhter Mohmad son of Noor Mohmad (اختر محمد ولد نور محمد ),"),
            vec!["اختر محمد ولد نور محمد"]
        );
        assert_eq!(
            non_latin_runs("華信船務(香港)有限公司"),
            vec!["華信船務(香港)有限公司"]
        );
        assert!(non_latin_runs("Hay’at Tahrir al-Sham").is_empty());
        let alias = "Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hayat Tahrir al-Sham; Tahrir al-Sham Hay’at)";
        let runs = non_latin_runs(alias);
        assert_eq!(runs, vec!["هيئة تحرير الشام"]);
        assert_eq!(
            latin_remainder(alias, &runs),
            vec![
                "Hay’at Tahrir al-Sham",
                "Hayat Tahrir al-Sham",
                "Tahrir al-Sham Hay’at"
            ]
        );
        assert_eq!(
            latin_remainder(
                "Abubakar (original script: Абубакар)",
                &["Абубакар".to_string()]
            ),
            vec!["Abubakar"]
        );
    }

    #[test]
    fn document_kinds() {
        let k = |a: &str, b: Option<&str>| document_kind(Some(a), b);
        let nid = "National Identification Number";
        assert_eq!(k("Passport", None), DocumentKind::Passport);
        assert_eq!(k("Número de pasaporte", None), DocumentKind::Passport);
        assert_eq!(k(nid, None), DocumentKind::NationalId);
        assert_eq!(
            k(nid, Some("national passport number")),
            DocumentKind::Passport
        );
        assert_eq!(k(nid, Some("Birth certificate")), DocumentKind::Other);
        assert_eq!(k(nid, Some("Voter ID")), DocumentKind::Other);
        assert_eq!(
            k(
                nid,
                Some("Afghan national identification card (tazkira) number")
            ),
            DocumentKind::NationalId
        );
        assert_eq!(k("Passport", Some("number:")), DocumentKind::Passport);
        assert_eq!(document_kind(None, None), DocumentKind::Other);
    }

    #[test]
    fn reads_zoned_dates_and_regimes() {
        assert_eq!(
            un_date("2015-04-07-04:00").unwrap().to_string(),
            "2015-04-07"
        );
        assert_eq!(un_date(" 2007-09-13 ").unwrap().to_string(), "2007-09-13");
        assert!(un_date("2015-13-07").is_err());
        assert!(un_date("yesterday").is_err());
        assert_eq!(regime_for("Taliban").0, "1988 Taliban");
        assert_eq!(regime_for("Mars").0, "UN Mars");
        assert!(regime_for("Mars").1.is_none());
    }

    #[test]
    fn counts_lines() {
        let mut lines = Lines::new("a\nb\nc\n");
        assert_eq!(lines.at(0), 1);
        assert_eq!(lines.at(2), 2);
        assert_eq!(lines.at(5), 3);
        assert_eq!(lines.at(1), 1);
        assert_eq!(lines.at(999), 4);
    }
}
