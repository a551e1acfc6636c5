//! FollowTheMoney (FtM) JSON lines, the entity format of OpenSanctions and Aleph: one JSON
//! object per line, `{"id", "schema", "properties": {name: [strings]}}`.
//!
//! Export writes, per Vigil entity, a main line (Person, Organization, LegalEntity, Vessel or
//! Airplane) with the standard properties, then one `Sanction` line per designation
//! (`<id>-sanction-<n>`) and one `Passport` or `Identification` line per document
//! (`<id>-doc-<n>`). The main line also carries the complete Vigil entity under a top-level
//! `vigil` key: FtM tools ignore unknown top-level keys, and Vigil reads it back exactly, which
//! the FtM properties alone cannot express (approximate dates, the source text of every fact,
//! name parts by position, distribution).
//!
//! Import takes the `vigil` object when its `id` is the line's id; otherwise it maps the
//! standard properties, and the `Sanction`, `Identification`, `Passport` and `Address` entities
//! that point at a main entity (in any order in the file), onto the Vigil model. Properties
//! Vigil has no field for are kept in [`Entity::other`]. Ids already of the form
//! `<list>:<id>` keep their list; others get the `--list` name or `ftm`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};
use vigil_model::{
    country, Address, BirthDate, Country, DateSpec, Designation, DesignationKind,
    DesignationStatus, Document, DocumentKind, Entity, EntityId, Gender, ListName, Name, NameKind,
    NamePart, NamePartKind, PartialDate, Place, Schema, SourceRecord, VesselInfo,
};

use crate::{
    check_field_length, display_path, read_text, Format, FormatError, ListContent, ParsedList,
    Problem, ReadOptions, Warning,
};

/// The top-level key holding the complete Vigil entity.
const VIGIL_KEY: &str = "vigil";
const DEFAULT_LIST: &str = "ftm";
/// Longest line read. A main line with its `vigil` object is a few KB for the richest real
/// entries; OpenSanctions lines stay far below this.
const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;
/// A file that is not FtM at all would otherwise produce one problem per line.
const MAX_PROBLEMS: usize = 1000;

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

fn ftm_schema(schema: Schema) -> &'static str {
    match schema {
        Schema::Person => "Person",
        Schema::Organization => "Organization",
        Schema::LegalEntity => "LegalEntity",
        Schema::Vessel => "Vessel",
        Schema::Aircraft => "Airplane",
    }
}

/// FtM writes countries as lowercase ISO codes; a country Vigil could not identify has no
/// standard form and is left to the `vigil` object.
fn country_code(country: &Country) -> Option<String> {
    country.code.as_ref().map(|c| c.to_ascii_lowercase())
}

fn designation_kind_text(kind: DesignationKind) -> &'static str {
    match kind {
        DesignationKind::Sanction => "sanction",
        DesignationKind::OrganizationBan => "organization ban",
        DesignationKind::WantedPerson => "wanted person",
    }
}

fn designation_status_text(status: DesignationStatus) -> &'static str {
    match status {
        DesignationStatus::Listed => "listed",
        DesignationStatus::Amended => "amended",
        DesignationStatus::Delisted => "delisted",
    }
}

/// Regimes against terrorism, for the `crime.terror` topic: OFAC's SDGT and FTO programmes and
/// the UN 1267 ISIL/Al-Qaida regime.
fn is_terror_regime(regime: &str) -> bool {
    let lower = regime.to_ascii_lowercase();
    ["sdgt", "fto", "terror", "1267", "al-qaida", "isil"]
        .iter()
        .any(|k| lower.contains(k))
}

/// Property values in FtM's order of appearance, without duplicates.
#[derive(Default)]
struct Props(BTreeMap<String, Vec<String>>);

impl Props {
    fn add(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            return;
        }
        let values = self.0.entry(key.to_string()).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    fn into_json(self) -> Value {
        Value::Object(
            self.0
                .into_iter()
                .map(|(k, v)| (k, Value::Array(v.into_iter().map(Value::String).collect())))
                .collect(),
        )
    }
}

fn line(id: String, schema: &str, props: Props) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("id".to_string(), Value::String(id));
    object.insert("schema".to_string(), Value::String(schema.to_string()));
    object.insert("properties".to_string(), props.into_json());
    object
}

/// The FtM lines for one entity: the main entity, then its sanctions and documents.
pub fn entity_to_ftm(entity: &Entity) -> Vec<Value> {
    let id = entity.id.as_str();
    let person = entity.schema == Schema::Person;
    let mut props = Props::default();

    for name in &entity.names {
        let key = match name.kind {
            NameKind::Primary => "name",
            NameKind::Alias | NameKind::OriginalScript => "alias",
            NameKind::WeakAlias => "weakAlias",
            NameKind::FormerName => "previousName",
        };
        props.add(key, name.value.as_str());
    }
    if !entity.names.iter().any(|n| n.kind == NameKind::Primary) {
        props.add("name", entity.caption());
    }
    if person {
        let primary_parts = entity
            .names
            .iter()
            .filter(|n| n.kind == NameKind::Primary)
            .flat_map(|n| &n.parts);
        for part in primary_parts {
            let key = match part.kind {
                NamePartKind::First | NamePartKind::Given => "firstName",
                NamePartKind::Second => "secondName",
                NamePartKind::Third | NamePartKind::Fourth | NamePartKind::Middle => "middleName",
                NamePartKind::Family => "lastName",
                NamePartKind::Patronymic => "fatherName",
            };
            props.add(key, part.value.as_str());
        }
        for birth in &entity.birth_dates {
            match birth.date {
                Some(DateSpec::Exact(d)) => props.add("birthDate", d.to_string()),
                // FtM has no ranges: both ends are possible dates of birth.
                Some(DateSpec::Range { from, to }) => {
                    props.add("birthDate", from.to_string());
                    props.add("birthDate", to.to_string());
                }
                None => {}
            }
        }
        for place in &entity.birth_places {
            props.add("birthPlace", place.text.as_str());
        }
        for c in &entity.nationalities {
            props.add("nationality", country_code(c).unwrap_or_default());
        }
        for c in &entity.citizenships {
            props.add("citizenship", country_code(c).unwrap_or_default());
        }
        if let Some(gender) = entity.gender {
            let text = match gender {
                Gender::Male => "male",
                Gender::Female => "female",
                Gender::Other => "other",
            };
            props.add("gender", text);
        }
        for title in &entity.titles {
            props.add("title", title.as_str());
        }
        for position in &entity.positions {
            props.add("position", position.as_str());
        }
    } else {
        // Only persons have nationalities in FtM; for the others they are countries.
        for c in entity.nationalities.iter().chain(&entity.citizenships) {
            props.add("country", country_code(c).unwrap_or_default());
        }
    }
    for c in &entity.countries {
        props.add("country", country_code(c).unwrap_or_default());
    }
    for remark in &entity.remarks {
        props.add("notes", remark.as_str());
    }
    for address in &entity.addresses {
        props.add("address", address.full());
    }
    for doc in &entity.documents {
        let key = match (entity.schema, &doc.kind) {
            (Schema::Person, DocumentKind::Passport) => "passportNumber",
            (Schema::Vessel, _) if doc.number.starts_with("IMO") => "imoNumber",
            (Schema::Vessel | Schema::Aircraft, _) => "registrationNumber",
            _ => "idNumber",
        };
        props.add(key, doc.number.as_str());
    }
    if let Some(vessel) = &entity.vessel {
        if let Some(flag) = vessel.flag.as_ref().and_then(country_code) {
            props.add("flag", flag);
        }
        let fields = [
            ("callSign", &vessel.call_sign),
            ("type", &vessel.vessel_type),
            ("tonnage", &vessel.tonnage),
            ("grossRegisteredTonnage", &vessel.gross_registered_tonnage),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                props.add(key, value.as_str());
            }
        }
    }
    let mut topics = Vec::new();
    for d in &entity.designations {
        props.add("program", d.regime.as_str());
        match d.kind {
            DesignationKind::Sanction => topics.push("sanction"),
            DesignationKind::OrganizationBan => topics.push("crime.terror"),
            DesignationKind::WantedPerson => topics.extend(["wanted", "crime.terror"]),
        }
        if is_terror_regime(&d.regime) {
            topics.push("crime.terror");
        }
    }
    for topic in topics {
        props.add("topics", topic);
    }
    for (key, values) in &entity.other {
        for value in values {
            props.add(key, value.as_str());
        }
    }

    let mut main = line(id.to_string(), ftm_schema(entity.schema), props);
    // Serializing a plain-data struct cannot fail; a `null` would only make the importer fall
    // back to the standard properties.
    let full = serde_json::to_value(entity).unwrap_or(Value::Null);
    main.insert(VIGIL_KEY.to_string(), full);
    let mut lines = vec![Value::Object(main)];

    for (n, d) in entity.designations.iter().enumerate() {
        let mut props = Props::default();
        props.add("entity", id);
        props.add("authority", d.authority.as_str());
        props.add("program", d.regime.as_str());
        props.add("provisions", designation_kind_text(d.kind));
        props.add("status", designation_status_text(d.status));
        if let Some(date) = d.listed_on {
            props.add("listingDate", date.to_string());
            props.add("startDate", date.to_string());
        }
        if let Some(date) = d.delisted_on {
            props.add("endDate", date.to_string());
        }
        for date in &d.amended_on {
            props.add("modifiedAt", date.to_string());
        }
        if let Some(basis) = &d.legal_basis {
            props.add("reason", basis.as_str());
        }
        if let Some(reference) = &d.reference {
            props.add("authorityId", reference.as_str());
            if d.authority == "UNSC" {
                props.add("unscId", reference.as_str());
            }
        }
        for remark in &d.remarks {
            props.add("summary", remark.as_str());
        }
        lines.push(Value::Object(line(
            format!("{id}-sanction-{}", n + 1),
            "Sanction",
            props,
        )));
    }

    for (n, doc) in entity.documents.iter().enumerate() {
        let mut props = Props::default();
        props.add("holder", id);
        props.add("number", doc.number.as_str());
        let type_text = doc.kind_text.clone().unwrap_or_else(|| {
            match doc.kind {
                DocumentKind::Passport => "Passport",
                DocumentKind::NationalId => "National ID",
                DocumentKind::Other => "Identification",
            }
            .to_string()
        });
        props.add("type", type_text);
        if let Some(code) = doc.country.as_ref().and_then(country_code) {
            props.add("country", code);
        }
        if let Some(date) = doc.issued_on {
            props.add("startDate", date.to_string());
        }
        if let Some(note) = &doc.note {
            props.add("summary", note.as_str());
        }
        let schema = match doc.kind {
            DocumentKind::Passport => "Passport",
            _ => "Identification",
        };
        lines.push(Value::Object(line(
            format!("{id}-doc-{}", n + 1),
            schema,
            props,
        )));
    }
    lines
}

/// Writes the entities as FtM JSON lines; returns the number of lines written.
pub fn write_ftm<W: Write>(entities: &[Entity], mut out: W) -> std::io::Result<u64> {
    let mut written = 0u64;
    for entity in entities {
        for value in entity_to_ftm(entity) {
            serde_json::to_writer(&mut out, &value)?;
            out.write_all(b"\n")?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    dropped: usize,
}

impl Problems {
    fn push(&mut self, file: &str, line: u64, record: Option<&str>, message: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem {
                file: file.to_string(),
                line: Some(line),
                record: record.map(str::to_string),
                message,
            });
        } else {
            self.dropped += 1;
        }
    }
    fn into_result(mut self, file: &str) -> Result<(), FormatError> {
        if self.list.is_empty() {
            return Ok(());
        }
        if self.dropped > 0 {
            self.list.push(Problem {
                file: file.to_string(),
                line: None,
                record: None,
                message: format!("{} further problems not listed", self.dropped),
            });
        }
        Err(FormatError::Invalid(self.list))
    }
}

fn warn(file: &str, line: u64, record: &str, message: String) -> Warning {
    Problem {
        file: file.to_string(),
        line: Some(line),
        record: Some(record.to_string()),
        message,
    }
}

/// One checked line: its id, schema and properties.
struct Line {
    number: u64,
    id: String,
    schema: String,
    props: BTreeMap<String, Vec<String>>,
    vigil: Option<Value>,
}

impl Line {
    fn values(&self, key: &str) -> &[String] {
        self.props.get(key).map(Vec::as_slice).unwrap_or_default()
    }
    fn first(&self, key: &str) -> Option<&str> {
        self.values(key).first().map(String::as_str)
    }
}

/// What a line describes.
enum Kind {
    Main(Schema),
    Sanction,
    Document { passport: bool },
    Address,
}

fn line_kind(schema: &str) -> Option<Kind> {
    match schema {
        "Person" => Some(Kind::Main(Schema::Person)),
        "Organization" | "Company" | "PublicBody" => Some(Kind::Main(Schema::Organization)),
        "LegalEntity" => Some(Kind::Main(Schema::LegalEntity)),
        "Vessel" => Some(Kind::Main(Schema::Vessel)),
        "Airplane" => Some(Kind::Main(Schema::Aircraft)),
        "Sanction" => Some(Kind::Sanction),
        "Identification" => Some(Kind::Document { passport: false }),
        "Passport" => Some(Kind::Document { passport: true }),
        "Address" => Some(Kind::Address),
        _ => None,
    }
}

/// Parses and checks one line; `None` (with problems recorded) when it is unusable.
fn parse_line(file: &str, number: u64, text: &str, problems: &mut Problems) -> Option<Line> {
    if text.len() > MAX_LINE_BYTES {
        problems.push(
            file,
            number,
            None,
            format!(
                "line is {} bytes long, over the limit of {MAX_LINE_BYTES} bytes",
                text.len()
            ),
        );
        return None;
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(
                file,
                number,
                None,
                format!("malformed JSON at column {}: {e}", e.column()),
            );
            return None;
        }
    };
    let Value::Object(mut object) = value else {
        problems.push(
            file,
            number,
            None,
            "expected a JSON object with id, schema and properties".to_string(),
        );
        return None;
    };
    let id = match object.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            problems.push(
                file,
                number,
                None,
                "missing id (a non-empty string)".to_string(),
            );
            return None;
        }
    };
    let schema = match object.get("schema") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            problems.push(
                file,
                number,
                Some(&id),
                "missing schema (a non-empty string)".to_string(),
            );
            return None;
        }
    };
    let mut props = BTreeMap::new();
    let mut ok = true;
    match object.remove("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (key, values) in map {
                let Value::Array(items) = values else {
                    problems.push(
                        file,
                        number,
                        Some(&id),
                        format!("property {key} is not a list of strings"),
                    );
                    ok = false;
                    continue;
                };
                let mut strings = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => {
                            if let Err(p) =
                                check_field_length(file, Some(number), Some(&id), &key, &s)
                            {
                                problems.push(file, number, Some(&id), p.message);
                                ok = false;
                            }
                            strings.push(s);
                        }
                        _ => {
                            problems.push(
                                file,
                                number,
                                Some(&id),
                                format!("property {key} holds a value that is not a string"),
                            );
                            ok = false;
                        }
                    }
                }
                props.insert(key, strings);
            }
        }
        Some(_) => {
            problems.push(
                file,
                number,
                Some(&id),
                "properties is not an object".to_string(),
            );
            ok = false;
        }
    }
    let vigil = object.remove(VIGIL_KEY);
    if let Some(v) = &vigil {
        let longest = longest_string(v);
        if longest > vigil_model::MAX_FIELD_BYTES {
            problems.push(
                file,
                number,
                Some(&id),
                format!(
                    "a field of the vigil object is {longest} bytes long, over the limit of {} bytes",
                    vigil_model::MAX_FIELD_BYTES
                ),
            );
            ok = false;
        }
    }
    ok.then_some(Line {
        number,
        id,
        schema,
        props,
        vigil,
    })
}

/// The length of the longest string anywhere in a JSON value.
fn longest_string(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| k.len().max(longest_string(v)))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

/// The Vigil id for an FtM id: kept when it is already `<list>:<id>`, else put in `list`.
fn vigil_id(ftm_id: &str, list: &ListName) -> Result<EntityId, String> {
    if let Some((prefix, rest)) = ftm_id.split_once(':') {
        if let Ok(prefix) = ListName::new(prefix) {
            return EntityId::new(&prefix, rest).map_err(|e| e.to_string());
        }
    }
    EntityId::new(list, ftm_id).map_err(|e| e.to_string())
}

/// A country from an FtM value (a code, as FtM writes them, or a name).
/// FtM writes ISO codes, which are looked up as codes first: the country table leaves out the
/// codes that are also English words ("in", "no") when it reads names. The text stays as the
/// file wrote it.
fn country_from_ftm(value: &str) -> Country {
    let value = value.trim();
    let is_code = value.len() == 2 && country::name_of(value).is_some();
    if is_code {
        return Country {
            code: Some(value.to_ascii_uppercase()),
            text: value.to_string(),
        };
    }
    Country::from_text(value)
}

fn same_number(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// Properties the standard mapping turns into fields; every other property goes to `other`.
const MAPPED: &[&str] = &[
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "firstName",
    "secondName",
    "middleName",
    "lastName",
    "fatherName",
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "gender",
    "title",
    "position",
    "notes",
    "address",
    "addressEntity",
    "passportNumber",
    "idNumber",
    "taxNumber",
    "program",
];
/// Further properties mapped for vessels only (aircraft keep theirs in `other`).
const VESSEL_MAPPED: &[&str] = &[
    "flag",
    "callSign",
    "type",
    "tonnage",
    "grossRegisteredTonnage",
    "imoNumber",
    "registrationNumber",
];

/// An entity from the standard FtM properties of its main line.
fn entity_from_props(line: &Line, id: EntityId, schema: Schema) -> Entity {
    let mut entity = Entity::new(id, schema);
    let person = schema == Schema::Person;
    for (key, kind) in [
        ("name", NameKind::Primary),
        ("alias", NameKind::Alias),
        ("weakAlias", NameKind::WeakAlias),
        ("previousName", NameKind::FormerName),
    ] {
        for value in line.values(key) {
            entity.push_name(Name::new(value, kind));
        }
    }
    let mut parts = Vec::new();
    for (key, kind) in [
        ("firstName", NamePartKind::Given),
        ("secondName", NamePartKind::Second),
        ("middleName", NamePartKind::Middle),
        ("lastName", NamePartKind::Family),
        ("fatherName", NamePartKind::Patronymic),
    ] {
        for value in line.values(key) {
            parts.push(NamePart {
                kind,
                value: value.clone(),
            });
        }
    }
    if !parts.is_empty() {
        match entity
            .names
            .iter_mut()
            .find(|n| n.kind == NameKind::Primary)
        {
            Some(primary) => primary.parts = parts,
            None => {
                // A person given only by name parts: the parts make the name.
                let value = parts
                    .iter()
                    .map(|p| p.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                entity.push_name(Name::new(&value, NameKind::Primary).with_parts(parts));
            }
        }
    }
    for value in line.values("birthDate") {
        let birth = match PartialDate::parse_iso(value) {
            Ok(date) => BirthDate::exact(date, value.as_str()),
            Err(_) => BirthDate::parse_text(value),
        };
        if !entity.birth_dates.contains(&birth) {
            entity.birth_dates.push(birth);
        }
    }
    for value in line.values("birthPlace") {
        entity.birth_places.push(Place {
            text: value.clone(),
            country: None,
        });
    }
    for value in line.values("nationality") {
        entity.nationalities.push(country_from_ftm(value));
    }
    for value in line.values("citizenship") {
        entity.citizenships.push(country_from_ftm(value));
    }
    for value in line
        .values("country")
        .iter()
        .chain(line.values("jurisdiction"))
    {
        let c = country_from_ftm(value);
        if !entity.countries.contains(&c) {
            entity.countries.push(c);
        }
    }
    entity.gender = line
        .first("gender")
        .and_then(|g| match g.to_ascii_lowercase().as_str() {
            "male" | "m" => Some(Gender::Male),
            "female" | "f" => Some(Gender::Female),
            "other" => Some(Gender::Other),
            _ => None,
        });
    entity.titles = line.values("title").to_vec();
    entity.positions = line.values("position").to_vec();
    entity.remarks = line.values("notes").to_vec();
    for value in line.values("address") {
        entity.addresses.push(Address {
            street: Some(value.clone()),
            ..Address::default()
        });
    }
    let doc = |kind: DocumentKind, kind_text: &str, number: &String| Document {
        kind,
        kind_text: Some(kind_text.to_string()),
        number: number.clone(),
        country: None,
        issued_on: None,
        note: None,
    };
    for value in line.values("passportNumber") {
        entity
            .documents
            .push(doc(DocumentKind::Passport, "Passport", value));
    }
    let id_kind = if person {
        DocumentKind::NationalId
    } else {
        DocumentKind::Other
    };
    for value in line.values("idNumber") {
        entity
            .documents
            .push(doc(id_kind.clone(), "ID Number", value));
    }
    for value in line.values("taxNumber") {
        entity
            .documents
            .push(doc(DocumentKind::Other, "Tax Number", value));
    }
    let vessel = schema == Schema::Vessel;
    if vessel {
        for value in line.values("imoNumber") {
            entity
                .documents
                .push(doc(DocumentKind::Other, "IMO Number", value));
        }
        for value in line.values("registrationNumber") {
            entity
                .documents
                .push(doc(DocumentKind::Other, "Registration Number", value));
        }
        let info = VesselInfo {
            call_sign: line.first("callSign").map(str::to_string),
            vessel_type: line.first("type").map(str::to_string),
            tonnage: line.first("tonnage").map(str::to_string),
            gross_registered_tonnage: line.first("grossRegisteredTonnage").map(str::to_string),
            flag: line.first("flag").map(country_from_ftm),
            owner: None,
        };
        if !info.is_empty() {
            entity.vessel = Some(info);
        }
    }
    for (key, values) in &line.props {
        let mapped = MAPPED.contains(&key.as_str())
            || (vessel && VESSEL_MAPPED.contains(&key.as_str()))
            // `topics` is derived from the designations on export.
            || key == "topics";
        if !mapped && !values.is_empty() {
            entity.other.insert(key.clone(), values.clone());
        }
    }
    entity
}

fn designation_from_sanction(line: &Line, default_authority: &str) -> Designation {
    let date = |key: &str| line.first(key).and_then(|v| PartialDate::parse_iso(v).ok());
    let delisted_on = date("endDate");
    let status = match line.first("status").map(str::to_ascii_lowercase).as_deref() {
        Some("delisted") | Some("removed") | Some("inactive") => DesignationStatus::Delisted,
        Some("amended") => DesignationStatus::Amended,
        _ if delisted_on.is_some() => DesignationStatus::Delisted,
        _ => DesignationStatus::Listed,
    };
    let kind = match line
        .first("provisions")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("organization ban") => DesignationKind::OrganizationBan,
        Some("wanted person") => DesignationKind::WantedPerson,
        _ => DesignationKind::Sanction,
    };
    Designation {
        authority: line
            .first("authority")
            .unwrap_or(default_authority)
            .to_string(),
        regime: line
            .first("program")
            .or_else(|| line.first("programId"))
            .unwrap_or_default()
            .to_string(),
        kind,
        listed_on: date("listingDate").or_else(|| date("startDate")),
        legal_basis: line.first("reason").map(str::to_string),
        reference: line
            .first("authorityId")
            .or_else(|| line.first("unscId"))
            .map(str::to_string),
        status,
        amended_on: line
            .values("modifiedAt")
            .iter()
            .filter_map(|v| PartialDate::parse_iso(v).ok())
            .collect(),
        delisted_on,
        remarks: line.values("summary").to_vec(),
    }
}

fn document_from_line(line: &Line, passport: bool, person: bool) -> Option<Document> {
    let number = line
        .first("number")
        .or_else(|| line.first("passportNumber"))?
        .trim();
    if number.is_empty() {
        return None;
    }
    let kind_text = line.first("type").map(str::to_string);
    let lower = kind_text
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let kind = if passport || lower.contains("passport") {
        DocumentKind::Passport
    } else if person && (lower.contains("national") || lower.contains("identity")) {
        DocumentKind::NationalId
    } else {
        DocumentKind::Other
    };
    Some(Document {
        kind,
        kind_text,
        number: number.to_string(),
        country: line.first("country").map(country_from_ftm),
        issued_on: line
            .first("startDate")
            .and_then(|v| PartialDate::parse_iso(v).ok()),
        note: line.first("summary").map(str::to_string),
    })
}

fn address_from_line(line: &Line) -> Address {
    let text = |key: &str| line.first(key).map(str::to_string);
    let address = Address {
        street: text("street"),
        city: text("city"),
        region: text("region").or_else(|| text("state")),
        postal_code: text("postalCode"),
        country: line.first("country").map(country_from_ftm),
        note: None,
    };
    if address.street.is_none() && address.city.is_none() {
        // An address known only as one line of text.
        if let Some(full) = text("full") {
            return Address {
                street: Some(full),
                ..address
            };
        }
    }
    address
}

/// The publisher of a list, by the list's name.
fn list_authority(list: &str) -> String {
    match list {
        "un" => "UNSC".to_string(),
        "ofac" => "US-OFAC".to_string(),
        other => other.to_ascii_uppercase(),
    }
}

fn list_title(list: &str) -> String {
    match list {
        "un" => "UN Security Council Consolidated List".to_string(),
        "ofac" => "OFAC Specially Designated Nationals (SDN) List".to_string(),
        other => format!("{other} (FollowTheMoney import)"),
    }
}

/// A main entity being read: taken whole from its `vigil` object, or built from properties.
struct Main {
    entity: Entity,
    complete: bool,
    /// How many of the entity's documents came from number properties (`passportNumber`,
    /// `idNumber`...), and which of those a linked document entity has described since.
    property_docs: Vec<bool>,
    /// `addressEntity` ids, resolved once every Address line has been seen.
    address_ids: Vec<String>,
    /// `program` values, which become designations unless a Sanction entity covers them.
    programs: Vec<String>,
}

/// Reads a FollowTheMoney JSON lines file.
pub fn read_ftm(path: &Path, options: &ReadOptions<'_>) -> Result<ParsedList, FormatError> {
    let shown = display_path(path);
    let source_name = crate::source_file_name(path);
    let (text, digest) = read_text(path)?;
    if let Some(progress) = options.progress {
        progress(digest.bytes);
    }
    let default_list = match &options.list {
        Some(list) => list.clone(),
        None => ListName::new(DEFAULT_LIST)
            .map_err(|e| FormatError::invalid(&shown, None, None, e.to_string()))?,
    };

    let mut problems = Problems::default();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut vigil_first_line: HashMap<EntityId, u64> = HashMap::new();
    let mut mains: Vec<Main> = Vec::new();
    let mut main_index: HashMap<String, usize> = HashMap::new();
    let mut links: Vec<(Line, Kind)> = Vec::new();
    let mut addresses: HashMap<String, Address> = HashMap::new();

    for (i, raw) in text.split('\n').enumerate() {
        let number = i as u64 + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let Some(mut line) = parse_line(&shown, number, raw, &mut problems) else {
            continue;
        };
        if let Some(first) = first_line_of.get(&line.id) {
            problems.push(
                &shown,
                number,
                Some(&line.id),
                format!("duplicate id {:?}: already on line {first}", line.id),
            );
            continue;
        }
        first_line_of.insert(line.id.clone(), number);
        let Some(kind) = line_kind(&line.schema) else {
            warnings.push(warn(
                &shown,
                number,
                &line.id,
                format!(
                    "schema {} is not imported (Vigil reads Person, Organization, Company, PublicBody, LegalEntity, Vessel, Airplane and their Sanction, Identification, Passport and Address entities); skipped",
                    line.schema
                ),
            ));
            continue;
        };
        let schema = match kind {
            Kind::Main(schema) => schema,
            Kind::Address => {
                addresses.insert(line.id.clone(), address_from_line(&line));
                continue;
            }
            other => {
                links.push((line, other));
                continue;
            }
        };

        let vigil = line.vigil.take();
        let main = match read_main(&shown, &line, vigil, schema, &default_list, &mut warnings) {
            Ok(main) => main,
            Err(message) => {
                problems.push(&shown, number, Some(&line.id), message);
                continue;
            }
        };
        if let Some(first) = vigil_first_line.get(&main.entity.id) {
            problems.push(
                &shown,
                number,
                Some(&line.id),
                format!(
                    "duplicate entity id {}: line {first} has the same Vigil id",
                    main.entity.id
                ),
            );
            continue;
        }
        vigil_first_line.insert(main.entity.id.clone(), number);
        main_index.insert(line.id.clone(), mains.len());
        let mut main = main;
        if !main.complete {
            main.address_ids = line.values("addressEntity").to_vec();
            main.programs = line.values("program").to_vec();
            main.entity.sources.push(SourceRecord {
                list: main.entity.id.list().to_string(),
                file: source_name.clone(),
                record: format!("line {number}"),
            });
        }
        mains.push(main);
    }

    for (line, kind) in links {
        let (link_key, what) = match kind {
            Kind::Sanction => ("entity", "sanction"),
            _ => ("holder", "document"),
        };
        let Some(target) = line.first(link_key) else {
            warnings.push(warn(
                &shown,
                line.number,
                &line.id,
                format!("{} has no {link_key} property; skipped", line.schema),
            ));
            continue;
        };
        let Some(main) = main_index.get(target).and_then(|&i| mains.get_mut(i)) else {
            warnings.push(warn(
                &shown,
                line.number,
                &line.id,
                format!("{what} of {target:?}, which is not a Person, Organization, LegalEntity, Vessel or Airplane in the file; skipped"),
            ));
            continue;
        };
        if main.complete {
            // Derived from the `vigil` object on export; the object already holds it.
            continue;
        }
        let entity = &mut main.entity;
        let property_docs = &mut main.property_docs;
        match kind {
            Kind::Sanction => {
                let authority = list_authority(entity.id.list());
                entity
                    .designations
                    .push(designation_from_sanction(&line, &authority));
            }
            Kind::Document { passport } => {
                let person = entity.schema == Schema::Person;
                if let Some(doc) = document_from_line(&line, passport, person) {
                    // A number also given as a property of the main entity (FtM writes both):
                    // the linked entity says more about it and takes its place, once.
                    let same = entity
                        .documents
                        .iter_mut()
                        .zip(property_docs.iter_mut())
                        .find(|(d, claimed)| !**claimed && same_number(&d.number, &doc.number));
                    match same {
                        Some((existing, claimed)) => {
                            *existing = doc;
                            *claimed = true;
                        }
                        None => entity.documents.push(doc),
                    }
                }
            }
            _ => {}
        }
        entity.sources.push(SourceRecord {
            list: entity.id.list().to_string(),
            file: source_name.clone(),
            record: format!("line {}", line.number),
        });
    }

    for main in &mut mains {
        if main.complete {
            continue;
        }
        let entity = &mut main.entity;
        let ids = std::mem::take(&mut main.address_ids);
        if !ids.is_empty() {
            let mut unresolved = Vec::new();
            for id in ids {
                match addresses.get(&id) {
                    Some(address) => {
                        if !entity.addresses.contains(address) {
                            entity.addresses.push(address.clone());
                        }
                    }
                    None => unresolved.push(id),
                }
            }
            if !unresolved.is_empty() {
                entity.other.insert("addressEntity".to_string(), unresolved);
            }
        }
        // Programs without a Sanction entity still say the entity is designated under them.
        let authority = list_authority(entity.id.list());
        for program in std::mem::take(&mut main.programs) {
            if !entity.designations.iter().any(|d| d.regime == program) {
                entity.designations.push(Designation {
                    authority: authority.clone(),
                    regime: program,
                    kind: DesignationKind::Sanction,
                    listed_on: None,
                    legal_basis: None,
                    reference: None,
                    status: DesignationStatus::Listed,
                    amended_on: Vec::new(),
                    delisted_on: None,
                    remarks: Vec::new(),
                });
            }
        }
    }

    if mains.is_empty() && problems.list.is_empty() {
        problems.list.push(Problem {
            file: shown.clone(),
            line: None,
            record: None,
            message: "holds no Person, Organization, LegalEntity, Vessel or Airplane entity"
                .to_string(),
        });
    }
    problems.into_result(&shown)?;

    let mut lists: Vec<ListContent> = Vec::new();
    for main in mains {
        let entity = main.entity;
        let list_name = entity.id.list();
        let position = lists.iter().position(|l| l.list.as_str() == list_name);
        let index = match position {
            Some(i) => i,
            None => {
                let list = ListName::new(list_name)
                    .map_err(|e| FormatError::invalid(&shown, None, None, e.to_string()))?;
                lists.push(ListContent {
                    authority: list_authority(list.as_str()),
                    title: list_title(list.as_str()),
                    list,
                    published: None,
                    entities: Vec::new(),
                });
                lists.len() - 1
            }
        };
        if let Some(content) = lists.get_mut(index) {
            content.entities.push(entity);
        }
    }
    Ok(ParsedList {
        format: Format::Ftm,
        lists,
        files: vec![digest],
        warnings,
    })
}

/// The entity of a main line: its `vigil` object when that describes this line, else the
/// standard properties.
fn read_main(
    file: &str,
    line: &Line,
    vigil: Option<Value>,
    schema: Schema,
    default_list: &ListName,
    warnings: &mut Vec<Warning>,
) -> Result<Main, String> {
    if let Some(vigil) = vigil {
        let vigil_id = vigil.get("id").and_then(Value::as_str);
        if vigil_id == Some(line.id.as_str()) {
            let entity: Entity = serde_json::from_value(vigil)
                .map_err(|e| format!("the vigil object is not a valid Vigil entity: {e}"))?;
            return Ok(Main {
                entity,
                complete: true,
                property_docs: Vec::new(),
                address_ids: Vec::new(),
                programs: Vec::new(),
            });
        }
        warnings.push(warn(
            file,
            line.number,
            &line.id,
            format!(
                "the vigil object has id {:?}, not the line's id; the standard properties are read instead",
                vigil_id.unwrap_or("")
            ),
        ));
    }
    let id = vigil_id(&line.id, default_list)?;
    let entity = entity_from_props(line, id, schema);
    Ok(Main {
        property_docs: vec![false; entity.documents.len()],
        entity,
        complete: false,
        address_ids: Vec::new(),
        programs: Vec::new(),
    })
}
