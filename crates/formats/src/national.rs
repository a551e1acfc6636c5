//! A member state's list of banned organizations and wanted persons, as CSV with a header line
//! (layout in `docs/national-csv.md`).
//!
//! The header names the columns, in any order and any case; a short table of synonyms
//! ([`SYNONYMS`]) accepts the names such files are often exported with. Every row becomes one
//! [`Entity`] `<list>:<id>` with one [`Designation`] by the row's authority. The list name is
//! `--list` if given, else the authority code in lowercase when all rows share one authority.
//!
//! Fatal, reported together and naming file, line and column: a missing required column, an
//! empty required field, a date, schema, kind, status, distribution, authority or document that
//! is not understood, a duplicate id, a row with more or fewer fields than the header, an
//! overlong field, and rows of several authorities without `--list`.

use std::collections::HashMap;
use std::path::Path;

use vigil_model::{
    seed_authorities, BirthDate, Country, Designation, DesignationKind, DesignationStatus,
    Distribution, Document, DocumentKind, Entity, EntityId, ListName, Name, NameKind, PartialDate,
    Place, Schema, SourceRecord,
};

use crate::{
    check_field_length, display_path, read_text, Format, FormatError, ListContent, ParsedList,
    Problem, ReadOptions, Warning,
};

/// Columns every file must have.
pub const REQUIRED: [&str; 6] = [
    "id",
    "schema",
    "name",
    "authority",
    "legal_basis",
    "listed_on",
];

/// Columns a file may have.
pub const OPTIONAL: [&str; 15] = [
    "aliases",
    "name_original",
    "name_lang",
    "birth_date",
    "birth_place",
    "nationality",
    "country",
    "kind",
    "regime",
    "reference",
    "status",
    "delisted_on",
    "remarks",
    "distribution",
    "document",
];

/// Other header names accepted for a column (after lowercasing and turning spaces and `-` into
/// `_`).
pub const SYNONYMS: [(&str, &str); 14] = [
    ("organization", "name"),
    ("organisation", "name"),
    ("full_name", "name"),
    ("type", "schema"),
    ("decision", "legal_basis"),
    ("basis", "legal_basis"),
    ("date", "listed_on"),
    ("alias", "aliases"),
    ("date_of_birth", "birth_date"),
    ("place_of_birth", "birth_place"),
    ("citizenship", "nationality"),
    ("case_number", "reference"),
    ("notes", "remarks"),
    ("passport", "document"),
];

/// Separator of several values in one field (aliases, nationalities, documents, birth dates).
const MULTI: char = '|';

/// The canonical column a header name stands for, if any.
pub fn canonical_column(header: &str) -> Option<&'static str> {
    let key: String = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    REQUIRED
        .iter()
        .chain(OPTIONAL.iter())
        .find(|c| **c == key)
        .copied()
        .or_else(|| {
            SYNONYMS
                .iter()
                .find(|(alias, _)| *alias == key)
                .map(|(_, c)| *c)
        })
}

/// Whether `line` is a national CSV header: it names at least `id`, `name` and `authority`.
pub fn looks_like_header(line: &str) -> bool {
    let delimiter = delimiter_of(line);
    let columns: Vec<&str> = line
        .split(char::from(delimiter))
        .filter_map(|h| canonical_column(h.trim().trim_matches('"')))
        .collect();
    ["id", "name", "authority"]
        .iter()
        .all(|c| columns.contains(c))
}

/// `,` unless the header uses `;` and no comma (spreadsheets in many locales export so).
fn delimiter_of(header: &str) -> u8 {
    if !header.contains(',') && header.contains(';') {
        b';'
    } else {
        b','
    }
}

/// Reads one national list CSV file.
pub fn read_national_csv(
    path: &Path,
    options: &ReadOptions<'_>,
) -> Result<ParsedList, FormatError> {
    let (text, digest) = read_text(path)?;
    let shown = display_path(path);
    let file_name = crate::source_file_name(path);
    let mut reader = Reader {
        shown: &shown,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let content = reader.read(&text, &file_name, options);
    if let Some(progress) = options.progress {
        progress(digest.bytes);
    }
    match content {
        Some(content) if reader.problems.is_empty() => Ok(ParsedList {
            format: Format::NationalCsv,
            lists: vec![content],
            files: vec![digest],
            warnings: reader.warnings,
        }),
        _ => {
            if reader.problems.is_empty() {
                reader.problem(None, None, "the file could not be read");
            }
            Err(FormatError::Invalid(reader.problems))
        }
    }
}

/// One data row, its values by canonical column.
struct Row {
    line: u64,
    values: HashMap<&'static str, String>,
    columns: HashMap<&'static str, usize>,
}

impl Row {
    fn get(&self, column: &str) -> Option<&str> {
        self.values
            .get(column)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
    /// `column 3 (listed_on)`: where a value is, for messages.
    fn at(&self, column: &str) -> String {
        match self.columns.get(column) {
            Some(i) => format!("column {} ({column})", i + 1),
            None => format!("column {column}"),
        }
    }
    fn multi(&self, column: &str) -> Vec<&str> {
        self.get(column)
            .map(|v| {
                v.split(MULTI)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A row checked and interpreted, waiting for the list name its id needs.
struct Checked {
    line: u64,
    id: String,
    /// Where the id is (`column 1 (id)`), for the message if the id proves invalid.
    id_at: String,
    authority: String,
    entity: Entity,
}

struct Reader<'a> {
    shown: &'a str,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    fn problem(&mut self, line: Option<u64>, record: Option<String>, message: impl Into<String>) {
        self.problems
            .push(Problem::new(self.shown, line, record, message));
    }
    fn warn(&mut self, line: Option<u64>, record: Option<String>, message: impl Into<String>) {
        self.warnings
            .push(Problem::new(self.shown, line, record, message));
    }

    fn read(
        &mut self,
        text: &str,
        file_name: &str,
        options: &ReadOptions<'_>,
    ) -> Option<ListContent> {
        let header_line = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .delimiter(delimiter_of(header_line))
            .from_reader(text.as_bytes());

        let mut header: Option<(u64, HashMap<&'static str, usize>, usize)> = None;
        let mut rows: Vec<Row> = Vec::new();
        for result in csv.records() {
            let record = match result {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line());
                    self.problem(line, None, format!("CSV not readable: {e}"));
                    continue;
                }
            };
            let line = record.position().map(|p| record_line(text, p)).unwrap_or(0);
            let Some((_, columns, width)) = &header else {
                header = Some(self.header(&record, line)?);
                continue;
            };
            if record.len() != *width {
                self.problem(
                    Some(line),
                    None,
                    format!(
                        "row has {} fields but the header has {width}: a separator or quote is missing or extra",
                        record.len()
                    ),
                );
                continue;
            }
            let mut values = HashMap::new();
            let mut too_long = false;
            for (column, index) in columns {
                let value = record.get(*index).unwrap_or("");
                let field = format!("column {} ({column})", index + 1);
                if let Err(p) = check_field_length(self.shown, Some(line), None, &field, value) {
                    self.problems.push(p);
                    too_long = true;
                    continue;
                }
                values.insert(*column, value.to_string());
            }
            if too_long {
                continue;
            }
            rows.push(Row {
                line,
                values,
                columns: columns.clone(),
            });
        }
        let Some((header_line, _, _)) = header else {
            self.problem(
                None,
                None,
                format!(
                    "no header line: the first line must name the columns ({})",
                    REQUIRED.join(", ")
                ),
            );
            return None;
        };
        if rows.is_empty() && self.problems.is_empty() {
            self.problem(
                Some(header_line),
                None,
                "the file has a header but no rows; an empty list is refused rather than read as \"everyone delisted\"",
            );
            return None;
        }

        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut checked = Vec::new();
        for row in &rows {
            if let Some(c) = self.check_row(row, &mut seen) {
                checked.push(c);
            }
        }
        if checked.is_empty() {
            return None;
        }

        let mut authorities: Vec<(String, u64, usize)> = Vec::new();
        for c in &checked {
            match authorities.iter_mut().find(|(a, _, _)| *a == c.authority) {
                Some(entry) => entry.2 += 1,
                None => authorities.push((c.authority.clone(), c.line, 1)),
            }
        }
        // The list's authority is the one most rows name (the first of equals).
        let authority = authorities
            .iter()
            .fold(None::<&(String, u64, usize)>, |best, a| match best {
                Some(b) if b.2 >= a.2 => Some(b),
                _ => Some(a),
            })
            .map(|(a, _, _)| a.clone())
            .unwrap_or_default();
        let list = match &options.list {
            Some(list) => list.clone(),
            None if authorities.len() > 1 => {
                let named = authorities
                    .iter()
                    .map(|(a, line, _)| format!("{a} (first at line {line})"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.problem(
                    None,
                    None,
                    format!("rows name several authorities: {named}; give the list name (--list) to read them as one list"),
                );
                return None;
            }
            None => match ListName::new(&authority.to_lowercase()) {
                Ok(list) => list,
                Err(e) => {
                    self.problem(
                        None,
                        None,
                        format!("no list name can be made from the authority {authority:?} ({e}); give --list"),
                    );
                    return None;
                }
            },
        };

        let mut entities = Vec::with_capacity(checked.len());
        for mut c in checked {
            match EntityId::new(&list, &c.id) {
                Ok(id) => {
                    c.entity.id = id;
                    c.entity.sources.push(SourceRecord {
                        list: list.to_string(),
                        file: file_name.to_string(),
                        record: format!("line {}", c.line),
                    });
                    entities.push(c.entity);
                }
                Err(e) => self.problem(
                    Some(c.line),
                    Some(format!("id {}", c.id)),
                    format!("{}: {e}", c.id_at),
                ),
            }
        }
        if !self.problems.is_empty() {
            return None;
        }
        let title = seed_authorities()
            .into_iter()
            .find(|a| a.code == authority)
            .map(|a| a.name)
            .unwrap_or_else(|| authority.clone());
        Some(ListContent {
            list,
            title: format!("{title}: banned organizations and wanted persons"),
            authority,
            published: None,
            entities,
        })
    }

    fn header(
        &mut self,
        record: &csv::StringRecord,
        line: u64,
    ) -> Option<(u64, HashMap<&'static str, usize>, usize)> {
        let mut columns: HashMap<&'static str, usize> = HashMap::new();
        let mut ok = true;
        for (index, name) in record.iter().enumerate() {
            match canonical_column(name) {
                Some(column) => {
                    if let Some(first) = columns.get(column) {
                        self.problem(
                            Some(line),
                            None,
                            format!(
                                "column {} ({name:?}) repeats column {} ({column})",
                                index + 1,
                                first + 1
                            ),
                        );
                        ok = false;
                    } else {
                        columns.insert(column, index);
                    }
                }
                None => self.warn(
                    Some(line),
                    None,
                    format!(
                        "column {} ({:?}) is not a known column; its values are ignored",
                        index + 1,
                        name.trim()
                    ),
                ),
            }
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|c| !columns.contains_key(*c))
            .copied()
            .collect();
        if !missing.is_empty() {
            let hint = if record.len() == 1 {
                " (the header has a single column: is the separator a comma?)"
            } else {
                ""
            };
            self.problem(
                Some(line),
                None,
                format!(
                    "header lacks the required column{} {}{hint}",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", ")
                ),
            );
            ok = false;
        }
        ok.then_some((line, columns, record.len()))
    }

    fn check_row(&mut self, row: &Row, seen: &mut HashMap<String, u64>) -> Option<Checked> {
        let problems_before = self.problems.len();
        let record = row.get("id").map(|id| format!("id {id}"));
        let bad = |this: &mut Self, column: &str, message: String| {
            this.problem(
                Some(row.line),
                record.clone(),
                format!("{}: {message}", row.at(column)),
            );
        };
        for column in REQUIRED {
            if row.get(column).is_none() {
                bad(self, column, "required value is empty".to_string());
            }
        }
        let id = row.get("id").unwrap_or("").to_string();
        if !id.is_empty() {
            if let Some(first) = seen.get(&id) {
                bad(
                    self,
                    "id",
                    format!("id {id:?} is already used at line {first}"),
                );
            } else {
                seen.insert(id.clone(), row.line);
            }
        }
        let schema = match row.get("schema") {
            Some(text) => match Schema::parse(text) {
                Some(s @ (Schema::Person | Schema::Organization)) => Some(s),
                _ => {
                    bad(
                        self,
                        "schema",
                        format!("{text:?} is not person or organization"),
                    );
                    None
                }
            },
            None => None,
        };
        let authority = row.get("authority").map(|a| a.to_ascii_uppercase());
        if let Some(a) = &authority {
            if !valid_authority(a) {
                bad(self, "authority", format!("{a:?} is not an authority code: use a two-letter ISO 3166 country code (RU, KZ), a known code (UNSC, INTERPOL, US-OFAC, RATS-EC) or a country's body as CC-NAME (RU-FSB)"));
            }
        }
        let listed_on = row
            .get("listed_on")
            .and_then(|t| self.date(row, "listed_on", t, &record));
        let delisted_on = row
            .get("delisted_on")
            .and_then(|t| self.date(row, "delisted_on", t, &record));
        let kind = match row.get("kind") {
            None => schema.map(|s| match s {
                Schema::Person => DesignationKind::WantedPerson,
                _ => DesignationKind::OrganizationBan,
            }),
            Some(text) => match normalize(text).as_str() {
                "organization_ban" => Some(DesignationKind::OrganizationBan),
                "wanted_person" => Some(DesignationKind::WantedPerson),
                "sanction" => Some(DesignationKind::Sanction),
                _ => {
                    bad(
                        self,
                        "kind",
                        format!("{text:?} is not organization_ban, wanted_person or sanction"),
                    );
                    None
                }
            },
        };
        match (schema, kind) {
            (Some(Schema::Organization), Some(DesignationKind::WantedPerson)) => bad(
                self,
                "kind",
                "wanted_person is for persons, but the schema is organization".to_string(),
            ),
            (Some(Schema::Person), Some(DesignationKind::OrganizationBan)) => bad(
                self,
                "kind",
                "organization_ban is for organizations, but the schema is person".to_string(),
            ),
            _ => {}
        }
        let status = match row.get("status") {
            None if delisted_on.is_some() => Some(DesignationStatus::Delisted),
            None => Some(DesignationStatus::Listed),
            Some(text) => match normalize(text).as_str() {
                "listed" => Some(DesignationStatus::Listed),
                "amended" => Some(DesignationStatus::Amended),
                "delisted" => Some(DesignationStatus::Delisted),
                _ => {
                    bad(
                        self,
                        "status",
                        format!("{text:?} is not listed, amended or delisted"),
                    );
                    None
                }
            },
        };
        if delisted_on.is_some()
            && matches!(
                status,
                Some(DesignationStatus::Listed | DesignationStatus::Amended)
            )
        {
            bad(
                self,
                "delisted_on",
                "a delisting date is given but the status is not delisted".to_string(),
            );
        }
        if let (Some(listed), Some(delisted)) = (listed_on, delisted_on) {
            if delisted.bounds().1 < listed.bounds().0 {
                bad(
                    self,
                    "delisted_on",
                    format!("{delisted} is before the listing date {listed}"),
                );
            }
        }
        let distribution = match row.get("distribution") {
            None => Some(Distribution::AllMembers),
            Some(text) => match parse_distribution(text) {
                Ok(d) => Some(d),
                Err(message) => {
                    bad(self, "distribution", message);
                    None
                }
            },
        };
        let name_lang = row.get("name_lang").map(str::to_ascii_lowercase);
        if let Some(lang) = &name_lang {
            if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
                bad(
                    self,
                    "name_lang",
                    format!("{lang:?} is not an ISO 639 language code (ru, kk, ar)"),
                );
            }
        }
        let mut documents = Vec::new();
        for text in row.multi("document") {
            match parse_document(text) {
                Ok(d) => documents.push(d),
                Err(message) => bad(self, "document", message),
            }
        }

        if self.problems.len() > problems_before {
            return None;
        }
        let (Some(schema), Some(authority), Some(kind), Some(status), Some(distribution)) =
            (schema, authority, kind, status, distribution)
        else {
            return None;
        };

        // The real id needs the list name, known only once every row is read.
        let placeholder = ListName::new("x")
            .ok()
            .and_then(|l| EntityId::new(&l, "x").ok())?;
        let mut entity = Entity::new(placeholder, schema);
        entity.distribution = distribution;
        if let Some(name) = row.get("name") {
            entity.push_name(Name::new(name, NameKind::Primary));
        }
        match row.get("name_original") {
            Some(original) => {
                let mut name = Name::new(original, NameKind::OriginalScript);
                name.lang = name_lang;
                entity.push_name(name);
            }
            None if name_lang.is_some() => self.warn(
                Some(row.line),
                record.clone(),
                format!(
                    "{}: given without name_original; ignored",
                    row.at("name_lang")
                ),
            ),
            None => {}
        }
        for alias in row.multi("aliases") {
            entity.push_name(Name::new(alias, NameKind::Alias));
        }
        let person_only = ["birth_date", "birth_place"];
        if schema == Schema::Person {
            for text in row.multi("birth_date") {
                let date = BirthDate::parse_text(text);
                if date.date.is_none() {
                    self.warn(
                        Some(row.line),
                        record.clone(),
                        format!(
                            "{}: {text:?} is not a date Vigil understands; kept as text",
                            row.at("birth_date")
                        ),
                    );
                }
                entity.birth_dates.push(date);
            }
            for text in row.multi("birth_place") {
                // "Tashkent, Uzbekistan": the country, when named last, is worth knowing.
                let country = text
                    .rsplit(',')
                    .next()
                    .map(Country::from_text)
                    .filter(|c| c.code.is_some());
                entity.birth_places.push(Place {
                    text: text.to_string(),
                    country,
                });
            }
        } else {
            for column in person_only {
                if row.get(column).is_some() {
                    self.warn(
                        Some(row.line),
                        record.clone(),
                        format!("{}: ignored for an organization", row.at(column)),
                    );
                }
            }
        }
        entity.nationalities = row
            .multi("nationality")
            .into_iter()
            .map(Country::from_text)
            .collect();
        entity.countries = row
            .multi("country")
            .into_iter()
            .map(Country::from_text)
            .collect();
        entity.documents = documents;
        if let Some(remarks) = row.get("remarks") {
            entity.remarks.push(remarks.to_string());
        }
        let regime = row.get("regime").map(str::to_string).unwrap_or_else(|| {
            match kind {
                DesignationKind::OrganizationBan => "banned organizations",
                DesignationKind::WantedPerson => "wanted persons",
                DesignationKind::Sanction => "sanctions",
            }
            .to_string()
        });
        entity.designations.push(Designation {
            authority: authority.clone(),
            regime,
            kind,
            listed_on,
            legal_basis: row.get("legal_basis").map(str::to_string),
            reference: row.get("reference").map(str::to_string),
            status,
            amended_on: Vec::new(),
            delisted_on,
            remarks: Vec::new(),
        });
        Some(Checked {
            line: row.line,
            id,
            id_at: row.at("id"),
            authority,
            entity,
        })
    }

    fn date(
        &mut self,
        row: &Row,
        column: &str,
        text: &str,
        record: &Option<String>,
    ) -> Option<PartialDate> {
        match parse_date(text) {
            Ok(d) => Some(d),
            Err(reason) => {
                self.problem(
                    Some(row.line),
                    record.clone(),
                    format!(
                        "{}: date {text:?} is not understood ({reason}); write YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY",
                        row.at(column)
                    ),
                );
                None
            }
        }
    }
}

/// The line a record starts on. The csv reader reports a record preceded by comment or blank
/// lines at the start of those lines, so they are stepped over here.
fn record_line(text: &str, position: &csv::Position) -> u64 {
    let mut line = position.line();
    let mut offset = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    while let Some(rest) = text.get(offset..) {
        let end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        let this = rest.get(..end).unwrap_or("");
        if end == 0 || !(this.trim().is_empty() || this.starts_with('#')) {
            break;
        }
        offset += end;
        line += 1;
    }
    line
}

fn normalize(text: &str) -> String {
    text.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// ISO dates (and the English forms lists use), or `DD.MM.YYYY` as written in CIS documents.
pub fn parse_date(text: &str) -> Result<PartialDate, String> {
    let t = text.trim();
    let dotted: Vec<&str> = t.split('.').collect();
    if let [d, m, y] = dotted.as_slice() {
        let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<i32>()) else {
            return Err("expected DD.MM.YYYY".to_string());
        };
        if y < 1000 {
            return Err("expected a four-digit year".to_string());
        }
        return PartialDate::new(y, Some(m), Some(d)).map_err(|e| e.reason.to_string());
    }
    PartialDate::parse_english(t).map_err(|e| e.reason.to_string())
}

/// Whether `code` (uppercase) names an authority: an ISO country code, a seeded body, or a
/// country's body written `CC-NAME`.
pub fn valid_authority(code: &str) -> bool {
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase());
    if code.len() == 2 && letters(code) {
        return true;
    }
    if seed_authorities().iter().any(|a| a.code == code) {
        return true;
    }
    let mut parts = code.split('-');
    let country = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    code.len() <= 32
        && country.len() == 2
        && letters(country)
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

fn parse_distribution(text: &str) -> Result<Distribution, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(states) = lower.strip_prefix("states:") {
        let codes: Vec<String> = states
            .split([',', ' ', '|'])
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_uppercase())
            .collect();
        if codes.is_empty() {
            return Err("states: needs at least one country code (states:KZ,UZ)".to_string());
        }
        if let Some(bad) = codes
            .iter()
            .find(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(format!("{bad:?} in {t:?} is not a two-letter country code"));
        }
        return Ok(Distribution::States(codes));
    }
    match normalize(t).as_str() {
        "public" => Ok(Distribution::Public),
        "all_members" => Ok(Distribution::AllMembers),
        "members_and_partners" => Ok(Distribution::MembersAndPartners),
        "originator" => Ok(Distribution::Originator),
        _ => Err(format!(
            "{t:?} is not public, all_members, members_and_partners, originator or states:CC,CC"
        )),
    }
}

/// `passport:NUMBER:CC`, `national_id:NUMBER` or `other:NUMBER:CC`.
fn parse_document(text: &str) -> Result<Document, String> {
    let mut parts = text.splitn(3, ':').map(str::trim);
    let kind_text = parts.next().unwrap_or("");
    let number = parts.next().unwrap_or("");
    let country = parts.next().filter(|c| !c.is_empty());
    let kind = match normalize(kind_text).as_str() {
        "passport" => DocumentKind::Passport,
        "national_id" | "id" => DocumentKind::NationalId,
        "other" => DocumentKind::Other,
        _ => {
            return Err(format!(
                "{text:?}: write kind:NUMBER[:CC] with kind passport, national_id or other"
            ))
        }
    };
    if number.is_empty() {
        return Err(format!("{text:?} has no document number"));
    }
    Ok(Document {
        kind,
        kind_text: Some(kind_text.to_string()),
        number: number.to_string(),
        country: country.map(Country::from_text),
        issued_on: None,
        note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_dates_and_codes() {
        assert_eq!(canonical_column(" Legal Basis "), Some("legal_basis"));
        assert_eq!(canonical_column("ORGANIZATION"), Some("name"));
        assert_eq!(canonical_column("decision"), Some("legal_basis"));
        assert_eq!(canonical_column("colour"), None);
        assert!(looks_like_header(
            "id,schema,name,authority,legal_basis,listed_on"
        ));
        assert!(looks_like_header("ID;Type;Organization;Authority"));
        assert!(!looks_like_header("36,\"AEROCARIBBEAN AIRLINES\",-0- "));
        assert_eq!(parse_date("14.02.2003").unwrap().to_string(), "2003-02-14");
        assert_eq!(parse_date("2003-02-14").unwrap().to_string(), "2003-02-14");
        assert!(parse_date("31.02.2003").is_err());
        assert!(parse_date("14.02.03").is_err());
        assert!(parse_date("yesterday").is_err());
        for ok in ["RU", "KZ", "UNSC", "RATS-EC", "US-OFAC", "RU-FSB", "KZ-KNB"] {
            assert!(valid_authority(ok), "{ok}");
        }
        for bad in ["RUS", "R", "-FSB", "RU-", "RU FSB", "ФСБ"] {
            assert!(!valid_authority(bad), "{bad}");
        }
        assert_eq!(
            parse_distribution("states:kz, uz").unwrap(),
            Distribution::States(vec!["KZ".into(), "UZ".into()])
        );
        assert!(parse_distribution("states:").is_err());
        assert!(parse_distribution("everyone").is_err());
        let d = parse_document("passport:N1234567:RU").unwrap();
        assert_eq!(
            (d.kind, d.number.as_str()),
            (DocumentKind::Passport, "N1234567")
        );
        assert!(parse_document("visa:1").is_err());
        assert!(parse_document("passport:").is_err());
    }
}
