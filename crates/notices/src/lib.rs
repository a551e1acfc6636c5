//! The unified search register: a member state's search notice for a person wanted for
//! terrorist, separatist or extremist crimes, the steps of its life and who may take each, and
//! its exchange formats (FtM, INTERPOL's public red-notice JSON, STIX 2.1).
//!
//! Pure rules, no I/O: the store keeps notices and their append-only history and calls
//! [`check_notice`] and [`next_status`] inside each write's transaction.

use base64::Engine;
use serde::{Deserialize, Serialize};
use vigil_model::{
    member_state_of, BirthDate, Country, Designation, DesignationKind, DesignationStatus,
    Distribution, Document, DocumentKind, Entity, EntityId, Gender, Name, NameKind, PartialDate,
    Place, Schema,
};

pub mod formats;

/// Largest photo accepted, decoded.
pub const MAX_PHOTO_BYTES: usize = 512 * 1024;
/// Most photos per notice.
pub const MAX_PHOTOS: usize = 5;
/// Longest free text (offence, instructions, reasons).
pub const MAX_TEXT_BYTES: usize = 4096;
/// Most names, documents, places per person.
const MAX_ITEMS: usize = 50;

/// A refusal, naming the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct NoticeError {
    pub field: String,
    pub message: String,
    /// The step is another authority's to take (a 403), not a malformed request.
    pub forbidden: bool,
}

fn refuse(field: &str, message: impl Into<String>) -> NoticeError {
    NoticeError {
        field: field.to_string(),
        message: message.into(),
        forbidden: false,
    }
}

fn forbid(message: impl Into<String>) -> NoticeError {
    NoticeError {
        forbidden: true,
        ..refuse("step", message)
    }
}

/// A search notice as the requesting authority submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    pub person: PersonInput,
    /// The offence, in words ("participation in a terrorist organization").
    pub offence: String,
    /// The article of the national criminal code ("Article 255(2) of the Criminal Code of the
    /// Republic of Kazakhstan"): the legal basis of the search.
    pub criminal_code_article: String,
    pub warrant: Warrant,
    /// The date the search was declared (YYYY-MM-DD).
    pub declared_on: String,
    pub scope: Scope,
    /// The INTERPOL notice that mirrors this search, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpol: Option<InterpolNotice>,
    #[serde(default)]
    pub extradition_requested: bool,
    /// Whom to call: a unit, a telephone, an address.
    pub contact_point: String,
    /// What an officer who finds the person does ("detain and inform the contact point").
    #[serde(default)]
    pub handling_instructions: String,
    /// The requesting state's rule: a screening hit on this notice sends an alert to it through
    /// the exchange.
    #[serde(default)]
    pub alert_on_hit: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// The primary name first, then other spellings and aliases, in any script.
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// `male`, `female` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentInput>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// `passport`, `national_id` or `other`.
    pub kind: String,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A photo: JPEG or PNG, checked by its first bytes, at most [`MAX_PHOTO_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    /// `image/jpeg` or `image/png`.
    pub media_type: String,
    pub content_base64: String,
}

/// The warrant or court decision the search rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warrant {
    pub number: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub court: String,
}

/// Where the search is circulated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    /// Within the requesting state only.
    National,
    /// To the named member states.
    Interstate { states: Vec<String> },
    /// To every member state.
    AllMembers,
}

impl Scope {
    /// Who may see the notice: the same rule as every record.
    pub fn distribution(&self) -> Distribution {
        match self {
            Scope::National => Distribution::Originator,
            Scope::Interstate { states } => Distribution::States(states.clone()),
            Scope::AllMembers => Distribution::AllMembers,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterpolColour {
    Red,
    Blue,
    Yellow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterpolNotice {
    pub colour: InterpolColour,
    /// INTERPOL's control number (`A-1234/5-2024`) or the public notice id (`2024/12345`).
    pub control_number: String,
}

/// Where a notice stands: the status of its latest step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Declared,
    Circulated,
    Located,
    Detained,
    HandedOver,
    Extradited,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Declared,
        Status::Circulated,
        Status::Located,
        Status::Detained,
        Status::HandedOver,
        Status::Extradited,
        Status::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Declared => "declared",
            Status::Circulated => "circulated",
            Status::Located => "located",
            Status::Detained => "detained",
            Status::HandedOver => "handed_over",
            Status::Extradited => "extradited",
            Status::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
    /// A notice whose person is still sought: it matches in screening.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Status::Declared | Status::Circulated | Status::Located
        )
    }
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::HandedOver | Status::Extradited | Status::Withdrawn
        )
    }
}

/// How a location became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    ScreeningHit,
    Manifest,
    Manual,
}

/// One step in a notice's life, with what the step records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// The requesting state sends the notice to the states of its scope.
    Circulate,
    /// A state reports where and when it found the person.
    Locate {
        place: String,
        /// RFC 3339 or YYYY-MM-DD.
        at: String,
        source: LocationSource,
        /// The screening's audit entry, the manifest's reference, a report number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The person is detained (or the requesting state records its request for detention).
    Detain {
        at: String,
        #[serde(default)]
        note: String,
    },
    /// The person is handed over to the requesting state.
    HandOver { at: String, to: String },
    /// The person is extradited to the requesting state.
    Extradite { at: String, decision: String },
    /// The requesting state ends the search.
    Withdraw { reason: String, decision: String },
    /// The requesting state confirms the search is still needed (periodic review).
    Review {
        #[serde(default)]
        note: String,
    },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Circulate => "circulate",
            Step::Locate { .. } => "locate",
            Step::Detain { .. } => "detain",
            Step::HandOver { .. } => "hand_over",
            Step::Extradite { .. } => "extradite",
            Step::Withdraw { .. } => "withdraw",
            Step::Review { .. } => "review",
        }
    }
}

/// What the store knows of a notice when a step is asked for.
pub struct StepContext<'a> {
    pub status: Status,
    /// The requesting authority's member state.
    pub requesting_state: &'a str,
    /// The member state that reported the latest location, if any.
    pub located_by: Option<&'a str>,
    /// The member state of the authority taking the step.
    pub actor_state: &'a str,
}

fn check_text(field: &str, value: &str, required: bool) -> Result<(), NoticeError> {
    if required && value.trim().is_empty() {
        return Err(refuse(field, "required"));
    }
    if value.len() > MAX_TEXT_BYTES {
        return Err(refuse(field, format!("at most {MAX_TEXT_BYTES} bytes")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(refuse(field, "no control characters"));
    }
    Ok(())
}

fn check_date(field: &str, value: &str) -> Result<PartialDate, NoticeError> {
    PartialDate::parse_iso(value.trim())
        .map_err(|e| refuse(field, format!("{value:?} is not a date (YYYY-MM-DD): {e}")))
}

fn check_step_time(field: &str, value: &str) -> Result<(), NoticeError> {
    check_text(field, value, true)?;
    let date_part = value.get(..10).unwrap_or(value);
    check_date(field, date_part).map(|_| ())
}

/// The status a step leads to, or why the actor may not take it now.
pub fn next_status(step: &Step, cx: &StepContext<'_>) -> Result<Status, NoticeError> {
    let requesting = cx.actor_state == cx.requesting_state;
    let locating = cx.located_by == Some(cx.actor_state);
    if cx.status.is_final() {
        return Err(refuse(
            "step",
            format!(
                "the notice is {}: no further step is possible",
                cx.status.as_str()
            ),
        ));
    }
    match step {
        Step::Circulate => {
            if !requesting {
                return Err(forbid("only the requesting state circulates its notice"));
            }
            if cx.status != Status::Declared {
                return Err(refuse("step", "the notice is circulated already"));
            }
            Ok(Status::Circulated)
        }
        Step::Locate {
            place,
            at,
            reference,
            ..
        } => {
            check_text("place", place, true)?;
            check_step_time("at", at)?;
            if let Some(r) = reference {
                check_text("reference", r, false)?;
            }
            if cx.status == Status::Detained {
                return Err(refuse("step", "the person is detained already"));
            }
            Ok(Status::Located)
        }
        Step::Detain { at, note } => {
            check_step_time("at", at)?;
            check_text("note", note, false)?;
            if cx.status != Status::Located {
                return Err(refuse("step", "a detention follows a reported location"));
            }
            if !(requesting || locating) {
                return Err(forbid("only the requesting state or the state that located the person records a detention"));
            }
            Ok(Status::Detained)
        }
        Step::HandOver { at, to } | Step::Extradite { at, decision: to } => {
            check_step_time("at", at)?;
            check_text(
                if matches!(step, Step::HandOver { .. }) {
                    "to"
                } else {
                    "decision"
                },
                to,
                true,
            )?;
            if cx.status != Status::Detained {
                return Err(refuse(
                    "step",
                    "a hand-over or extradition follows a detention",
                ));
            }
            if !(requesting || locating) {
                return Err(forbid(
                    "only the requesting state or the state that detained the person records it",
                ));
            }
            Ok(if matches!(step, Step::HandOver { .. }) {
                Status::HandedOver
            } else {
                Status::Extradited
            })
        }
        Step::Withdraw { reason, decision } => {
            check_text("reason", reason, true)?;
            check_text("decision", decision, true)?;
            if !requesting {
                return Err(forbid("only the requesting state withdraws its notice"));
            }
            Ok(Status::Withdrawn)
        }
        Step::Review { note } => {
            check_text("note", note, false)?;
            if !requesting {
                return Err(forbid("only the requesting state reviews its notice"));
            }
            Ok(cx.status)
        }
    }
}

/// Decodes and checks a photo: JPEG or PNG by its first bytes, matching its stated type, at
/// most [`MAX_PHOTO_BYTES`].
pub fn check_photo(index: usize, photo: &Photo) -> Result<Vec<u8>, NoticeError> {
    let field = format!("person.photos[{index}]");
    if photo.content_base64.len() > MAX_PHOTO_BYTES / 3 * 4 + 8 {
        return Err(refuse(
            &field,
            format!("larger than {MAX_PHOTO_BYTES} bytes"),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(photo.content_base64.trim())
        .map_err(|e| refuse(&field, format!("content_base64 is not base64: {e}")))?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(refuse(
            &field,
            format!("larger than {MAX_PHOTO_BYTES} bytes"),
        ));
    }
    let actual = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        return Err(refuse(&field, "not a JPEG or PNG image"));
    };
    if photo.media_type != actual {
        return Err(refuse(
            &field,
            format!(
                "stated as {:?} but the content is {actual}",
                photo.media_type
            ),
        ));
    }
    Ok(bytes)
}

fn country(field: &str, code: &str) -> Result<Country, NoticeError> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(refuse(
            field,
            format!("{code:?} is not an ISO 3166-1 alpha-2 code"),
        ));
    }
    Ok(Country {
        code: Some(code.clone()),
        text: code,
    })
}

/// Checks a notice submitted by an authority of `requesting_state`; the error names the field.
pub fn check_notice(input: &NoticeInput, requesting_state: &str) -> Result<(), NoticeError> {
    let p = &input.person;
    if p.names.iter().all(|n| n.trim().is_empty()) {
        return Err(refuse("person.names", "give at least one name"));
    }
    for (field, len) in [
        ("person.names", p.names.len()),
        ("person.birth_dates", p.birth_dates.len()),
        ("person.birth_places", p.birth_places.len()),
        ("person.nationalities", p.nationalities.len()),
        ("person.documents", p.documents.len()),
        ("person.remarks", p.remarks.len()),
    ] {
        if len > MAX_ITEMS {
            return Err(refuse(field, format!("at most {MAX_ITEMS}")));
        }
    }
    for (i, n) in p.names.iter().enumerate() {
        check_text(&format!("person.names[{i}]"), n, false)?;
    }
    for (i, d) in p.birth_dates.iter().enumerate() {
        check_date(&format!("person.birth_dates[{i}]"), d)?;
    }
    for (i, n) in p.nationalities.iter().enumerate() {
        country(&format!("person.nationalities[{i}]"), n)?;
    }
    if let Some(g) = &p.gender {
        if !matches!(g.as_str(), "male" | "female" | "other") {
            return Err(refuse("person.gender", "male, female or other"));
        }
    }
    for (i, d) in p.documents.iter().enumerate() {
        let field = format!("person.documents[{i}]");
        if !matches!(d.kind.as_str(), "passport" | "national_id" | "other") {
            return Err(refuse(&field, "kind: passport, national_id or other"));
        }
        check_text(&format!("{field}.number"), &d.number, true)?;
        if let Some(c) = &d.country {
            country(&format!("{field}.country"), c)?;
        }
    }
    if p.photos.len() > MAX_PHOTOS {
        return Err(refuse("person.photos", format!("at most {MAX_PHOTOS}")));
    }
    for (i, photo) in p.photos.iter().enumerate() {
        check_photo(i, photo)?;
    }
    for (i, r) in p.remarks.iter().chain(&p.birth_places).enumerate() {
        check_text(&format!("person.remarks[{i}]"), r, false)?;
    }
    check_text("offence", &input.offence, true)?;
    check_text("criminal_code_article", &input.criminal_code_article, true)?;
    check_text("warrant.number", &input.warrant.number, true)?;
    check_date("warrant.date", &input.warrant.date)?;
    check_text("warrant.court", &input.warrant.court, true)?;
    check_date("declared_on", &input.declared_on)?;
    check_text("contact_point", &input.contact_point, true)?;
    check_text("handling_instructions", &input.handling_instructions, false)?;
    if let Some(i) = &input.interpol {
        check_text("interpol.control_number", &i.control_number, true)?;
    }
    if let Scope::Interstate { states } = &input.scope {
        if states.is_empty() {
            return Err(refuse("scope.states", "name at least one member state"));
        }
        for s in states {
            if member_state_of(s).as_deref() != Some(s.as_str()) {
                return Err(refuse(
                    "scope.states",
                    format!("{s:?} is not a member state (ISO code of a member, e.g. KZ)"),
                ));
            }
            if s == requesting_state {
                return Err(refuse(
                    "scope.states",
                    format!("{s} is the requesting state; name the other states"),
                ));
            }
        }
    }
    Ok(())
}

/// The key that makes two notices "for the same person": the primary name folded (case,
/// spaces), the first birth date and the first document number.
pub fn person_key(person: &PersonInput) -> String {
    let name: String = person
        .names
        .iter()
        .find(|n| !n.trim().is_empty())
        .map(|n| {
            n.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .unwrap_or_default();
    let born = person.birth_dates.first().map(|d| d.trim()).unwrap_or("");
    let document = person
        .documents
        .first()
        .map(|d| d.number.trim().to_uppercase())
        .unwrap_or_default();
    format!("{name}|{born}|{document}")
}

/// The register entity a notice puts in the screening index: a person with a `wanted_person`
/// designation by the requesting state, distributed by the notice's scope. `id` is in the
/// requesting state's own list (`kz:notice-7`).
pub fn register_entity(
    id: EntityId,
    input: &NoticeInput,
    requesting_authority: &str,
) -> Result<Entity, NoticeError> {
    let p = &input.person;
    let mut names = Vec::new();
    for (i, n) in p.names.iter().filter(|n| !n.trim().is_empty()).enumerate() {
        let kind = if i == 0 {
            NameKind::Primary
        } else {
            NameKind::Alias
        };
        names.push(Name::new(n, kind));
    }
    let mut birth_dates = Vec::new();
    for (i, d) in p.birth_dates.iter().enumerate() {
        check_date(&format!("person.birth_dates[{i}]"), d)?;
        birth_dates.push(BirthDate::parse_text(d.trim()));
    }
    let nationalities = p
        .nationalities
        .iter()
        .enumerate()
        .map(|(i, c)| country(&format!("person.nationalities[{i}]"), c))
        .collect::<Result<Vec<_>, _>>()?;
    let documents = p
        .documents
        .iter()
        .map(|d| Document {
            kind: match d.kind.as_str() {
                "passport" => DocumentKind::Passport,
                "national_id" => DocumentKind::NationalId,
                _ => DocumentKind::Other,
            },
            kind_text: Some(d.kind.clone()),
            number: d.number.trim().to_string(),
            country: d.country.as_deref().and_then(|c| country("", c).ok()),
            issued_on: None,
            note: None,
        })
        .collect();
    let declared = check_date("declared_on", &input.declared_on)?;
    let mut remarks = p.remarks.clone();
    if !input.handling_instructions.trim().is_empty() {
        remarks.push(format!(
            "Handling instructions: {}",
            input.handling_instructions.trim()
        ));
    }
    let mut entity = Entity::new(id, Schema::Person);
    entity.names = names;
    entity.birth_dates = birth_dates;
    entity.birth_places = p
        .birth_places
        .iter()
        .map(|b| Place {
            text: b.trim().to_string(),
            country: None,
        })
        .collect();
    entity.nationalities = nationalities;
    entity.documents = documents;
    entity.gender = p.gender.as_deref().map(|g| match g {
        "male" => Gender::Male,
        "female" => Gender::Female,
        _ => Gender::Other,
    });
    entity.remarks = remarks;
    entity.designations = vec![Designation {
        authority: requesting_authority.to_string(),
        regime: "Unified search register".into(),
        kind: DesignationKind::WantedPerson,
        listed_on: Some(declared),
        legal_basis: Some(format!(
            "{}; {}",
            input.criminal_code_article.trim(),
            input.offence.trim()
        )),
        reference: Some(format!(
            "warrant {} of {} ({})",
            input.warrant.number.trim(),
            input.warrant.date.trim(),
            input.warrant.court.trim()
        )),
        status: DesignationStatus::Listed,
        amended_on: Vec::new(),
        delisted_on: None,
        remarks: Vec::new(),
    }];
    entity.distribution = input.scope.distribution();
    Ok(entity)
}
