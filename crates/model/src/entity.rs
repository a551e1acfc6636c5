use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{BirthDate, EntityId, PartialDate};

/// What kind of thing an entity is. Persons never match organizations in screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Person,
    Organization,
    /// FollowTheMoney's catch-all for an entity not known to be a person or an organization.
    LegalEntity,
    Vessel,
    Aircraft,
}

impl Schema {
    pub const ALL: [Schema; 5] = [
        Schema::Person,
        Schema::Organization,
        Schema::LegalEntity,
        Schema::Vessel,
        Schema::Aircraft,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::LegalEntity => "LegalEntity",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
        }
    }
    /// Accepts Vigil's names and FollowTheMoney's (`Company` and `PublicBody` are
    /// organizations, `Airplane` is an aircraft), case-insensitively.
    pub fn parse(text: &str) -> Option<Schema> {
        match text.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Some(Schema::Person),
            "organization" | "organisation" | "company" | "publicbody" | "entity" => {
                Some(Schema::Organization)
            }
            "legalentity" => Some(Schema::LegalEntity),
            "vessel" | "ship" => Some(Schema::Vessel),
            "aircraft" | "airplane" => Some(Schema::Aircraft),
            _ => None,
        }
    }
}

impl std::fmt::Display for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name the list files the entity under.
    Primary,
    /// A good-quality alias ("a.k.a.", UN quality "Good").
    Alias,
    /// A low-quality alias (UN quality "Low", OFAC "weak a.k.a."): too vague to alert on alone.
    WeakAlias,
    /// A name no longer used ("f.k.a.", "formerly known as").
    FormerName,
    /// The name as written in its original (usually non-Latin) script.
    OriginalScript,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamePartKind {
    /// UN's FIRST_NAME .. FOURTH_NAME keep their order; meaning varies by culture.
    First,
    Second,
    Third,
    Fourth,
    Given,
    Middle,
    Family,
    Patronymic,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamePart {
    pub kind: NamePartKind,
    pub value: String,
}

/// One name of an entity, with its kind, script (ISO 15924, detected from the text) and, where
/// the source says, its language (ISO 639).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name {
    pub value: String,
    pub kind: NameKind,
    pub script: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lang: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub parts: Vec<NamePart>,
}

impl Name {
    /// A name whose script is detected from its text; surrounding whitespace is trimmed and
    /// runs of whitespace collapsed.
    pub fn new(value: &str, kind: NameKind) -> Self {
        let value = collapse_whitespace(value);
        let script = crate::script::dominant_script(&value).to_string();
        Self {
            value,
            kind,
            script,
            lang: None,
            parts: Vec::new(),
        }
    }
    pub fn with_parts(mut self, parts: Vec<NamePart>) -> Self {
        self.parts = parts;
        self
    }
}

pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A country as the source wrote it, and its ISO 3166-1 alpha-2 code when Vigil recognised it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Country {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    pub text: String,
}

impl Country {
    /// Looks the text up in the built-in country table (names, common variants and codes).
    pub fn from_text(text: &str) -> Self {
        let text = collapse_whitespace(text);
        Self {
            code: crate::country::lookup(&text).map(str::to_string),
            text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    NationalId,
    /// Any other identifier (tax number, registration number, seaman's book...); the source's
    /// own words are in `Document::kind_text`.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    /// The document type as the source names it ("Passport", "National Identification Number").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kind_text: Option<String>,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<Country>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issued_on: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<Country>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.city.is_none()
            && self.region.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
            && self.note.is_none()
    }
    /// One line, as FollowTheMoney's `address` property and screens show it.
    pub fn full(&self) -> String {
        [
            self.street.as_deref(),
            self.city.as_deref(),
            self.region.as_deref(),
            self.postal_code.as_deref(),
            self.country.as_ref().map(|c| c.text.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// A place of birth: the source text, and its country when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VesselInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub call_sign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vessel_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tonnage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gross_registered_tonnage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flag: Option<Country>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub owner: Option<String>,
}

impl VesselInfo {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationKind {
    /// A sanction: asset freeze, travel ban, arms embargo (UN, OFAC).
    Sanction,
    /// A member state's ban of a terrorist, separatist or extremist organization (the unified
    /// register of banned organizations).
    OrganizationBan,
    /// A person put on (international) search for terrorist crimes (the unified search register).
    WantedPerson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationStatus {
    Listed,
    Amended,
    Delisted,
}

/// Who may see a record. Every read path filters on it (issue "The server").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "scope", content = "states")]
pub enum Distribution {
    /// Only the originating authority.
    Originator,
    /// The originator and the named member states (ISO codes).
    States(Vec<String>),
    AllMembers,
    MembersAndPartners,
    /// Anyone, e.g. the UN and OFAC lists.
    #[default]
    Public,
}

/// A legal act that lists an entity: who listed it, under which regime, on what basis, and
/// where it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Designation {
    /// Code of the designating authority (`UNSC`, `US-OFAC`, `RU`, ...).
    pub authority: String,
    /// Regime or programme: "1267 ISIL (Da'esh) and Al-Qaida", "SDGT", a national list.
    pub regime: String,
    pub kind: DesignationKind,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub listed_on: Option<PartialDate>,
    /// Court decision, decree or resolution the listing rests on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub legal_basis: Option<String>,
    /// The source's own reference (UN reference number, court case number).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reference: Option<String>,
    pub status: DesignationStatus,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub amended_on: Vec<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delisted_on: Option<PartialDate>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub remarks: Vec<String>,
}

/// Where an entity's facts were read: the list, the file and the record in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRecord {
    pub list: String,
    pub file: String,
    /// Position in the file: "line 1355", "INDIVIDUAL at line 35590".
    pub record: String,
}

/// A designated person, organization, vessel or aircraft as one list describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: EntityId,
    pub schema: Schema,
    pub names: Vec<Name>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub birth_dates: Vec<BirthDate>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub birth_places: Vec<Place>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub nationalities: Vec<Country>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub citizenships: Vec<Country>,
    /// Countries an organization is based in or tied to (FtM `country`/`jurisdiction`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub countries: Vec<Country>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub documents: Vec<Document>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub addresses: Vec<Address>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gender: Option<Gender>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub titles: Vec<String>,
    /// Positions held ("Minister of Frontier Affairs under the Taliban regime").
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub positions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub remarks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vessel: Option<VesselInfo>,
    pub designations: Vec<Designation>,
    #[serde(default)]
    pub distribution: Distribution,
    /// FollowTheMoney properties Vigil has no field for, kept so an FtM round trip loses nothing.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub other: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sources: Vec<SourceRecord>,
}

impl Entity {
    pub fn new(id: EntityId, schema: Schema) -> Self {
        Self {
            id,
            schema,
            names: Vec::new(),
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            citizenships: Vec::new(),
            countries: Vec::new(),
            documents: Vec::new(),
            addresses: Vec::new(),
            gender: None,
            titles: Vec::new(),
            positions: Vec::new(),
            remarks: Vec::new(),
            vessel: None,
            designations: Vec::new(),
            distribution: Distribution::Public,
            other: BTreeMap::new(),
            sources: Vec::new(),
        }
    }

    /// The name to show: the first primary name, else the first name, else the id.
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.value.as_str())
            .unwrap_or(self.id.as_str())
    }

    /// Adds a name unless the same value of the same kind is already there.
    pub fn push_name(&mut self, name: Name) {
        if !name.value.is_empty()
            && !self
                .names
                .iter()
                .any(|n| n.value == name.value && n.kind == name.kind)
        {
            self.names.push(name);
        }
    }

    /// SHA-256 of everything the source says about the entity, leaving out where in the file it
    /// was found: a re-import that only moved a record is not a change.
    pub fn content_hash(&self) -> String {
        let mut copy = self.clone();
        copy.sources.clear();
        // Serializing a struct of plain data cannot fail; an empty hash would only make every
        // re-import look like a change, never lose data.
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether any designation is still in force.
    pub fn is_listed(&self) -> bool {
        self.designations
            .iter()
            .any(|d| d.status != DesignationStatus::Delisted)
    }
}
