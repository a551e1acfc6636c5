//! STIX 2.1: the register and the exchange written as a bundle, and bundles read back as
//! designations and sightings.
//!
//! Ids are deterministic — UUIDv5 over the Vigil id under a fixed namespace — so a re-export
//! gives every object the same id. Mapping:
//! - an authority: `identity` (identity_class `organization`);
//! - a designated person: `identity` with identity_class `individual` (STIX has no person
//!   object); an organization or legal entity: `threat-actor` (threat_actor_types
//!   `terrorist`); a vessel or aircraft: `identity` with identity_class `unknown`;
//! - the designation: a `related-to` relationship from the designated object to the
//!   designating authority's identity;
//! - an alert: a `sighting` of its subject, where_sighted_refs the sending authority; any
//!   other message: a `report`;
//! - distribution and message labels: the standard TLP 2.0 `marking-definition`s, by their
//!   standard ids (Public → CLEAR, all members / members and partners → GREEN, named states →
//!   AMBER, originator only → AMBER+STRICT).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use sha1::Digest;
use vigil_model::{Authority, AuthorityKind, Distribution, Entity, NameKind, Schema};

use crate::message::{Kind, Message, Tlp};
use crate::ExchangeError;

/// Vigil's UUIDv5 namespace (itself UUIDv5 of "vigil" in the URL namespace's spirit; fixed).
const NAMESPACE: [u8; 16] = [
    0x6f, 0x1e, 0x54, 0x0c, 0x7a, 0x2b, 0x5d, 0x3e, 0x91, 0x44, 0x2c, 0x0b, 0x5a, 0x83, 0x1d, 0x27,
];

/// The TLP 2.0 extension definition's id.
pub const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The media type of a STIX 2.1 bundle.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// RFC 9562 UUIDv5 of `name` under Vigil's namespace.
pub fn uuid5(name: &str) -> String {
    uuid5_in(NAMESPACE, name)
}

/// RFC 9562 UUIDv5 of `name` under `namespace`.
pub fn uuid5_in(namespace: [u8; 16], name: &str) -> String {
    let mut hasher = sha1::Sha1::new();
    hasher.update(namespace);
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A deterministic STIX id: `type--uuid5(type:vigil_id)`.
pub fn stix_id(object_type: &str, vigil_id: &str) -> String {
    format!(
        "{object_type}--{}",
        uuid5(&format!("{object_type}:{vigil_id}"))
    )
}

/// The STIX object type a register entity becomes.
pub fn entity_type(schema: Schema) -> &'static str {
    match schema {
        Schema::Organization | Schema::LegalEntity => "threat-actor",
        Schema::Person | Schema::Vessel | Schema::Aircraft => "identity",
    }
}

pub fn entity_stix_id(entity: &Entity) -> String {
    stix_id(entity_type(entity.schema), entity.id.as_str())
}

pub fn authority_stix_id(code: &str) -> String {
    stix_id("identity", &format!("authority:{code}"))
}

/// The TLP label a distribution corresponds to.
pub fn tlp_of(distribution: &Distribution) -> Tlp {
    match distribution {
        Distribution::Public => Tlp::Clear,
        Distribution::MembersAndPartners | Distribution::AllMembers => Tlp::Green,
        Distribution::States(_) => Tlp::Amber,
        Distribution::Originator => Tlp::AmberStrict,
    }
}

/// A STIX timestamp (millisecond precision at least) from Vigil's RFC 3339 text or a date.
pub fn timestamp(text: &str) -> String {
    let t = text.trim();
    if t.len() == 10 {
        return format!("{t}T00:00:00.000Z");
    }
    if t.len() == 20 && t.ends_with('Z') {
        return format!("{}.000Z", &t[..19]);
    }
    t.to_string()
}

/// Whether `text` is a STIX timestamp: `YYYY-MM-DDTHH:MM:SS[.fff…]Z`.
pub fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[b.len() - 1] == b'Z';
    if !shape {
        return false;
    }
    let rest = &b[19..b.len() - 1];
    rest.is_empty()
        || (rest[0] == b'.' && rest.len() > 1 && rest[1..].iter().all(u8::is_ascii_digit))
}

/// Whether `id` is `type--uuid` with the given type (any type when `None`).
pub fn is_identifier(id: &str, object_type: Option<&str>) -> bool {
    let Some((t, uuid)) = id.split_once("--") else {
        return false;
    };
    if object_type.is_some_and(|want| want != t) || t.is_empty() {
        return false;
    }
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The five standard TLP 2.0 marking definitions, exactly as OASIS publishes them.
pub fn tlp_marking_definitions() -> Vec<Value> {
    Tlp::ALL
        .iter()
        .map(|tlp| {
            json!({
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": tlp.stix_id(),
                "created": "2022-10-01T00:00:00.000Z",
                "name": format!("TLP:{}", tlp.as_str()),
                "extensions": {
                    TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.stix_value()}
                }
            })
        })
        .collect()
}

/// An authority as an `identity`.
pub fn authority_identity(authority: &Authority) -> Value {
    let sectors = match authority.kind {
        AuthorityKind::InternationalBody | AuthorityKind::Partner => "non-profit",
        _ => "government",
    };
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": authority_stix_id(&authority.code),
        "created": "2020-01-01T00:00:00.000Z",
        "modified": "2020-01-01T00:00:00.000Z",
        "name": authority.name,
        "identity_class": "organization",
        "sectors": [sectors],
        "external_references": [{"source_name": "vigil", "external_id": authority.code}],
    })
}

/// A register entity as STIX objects: its SDO and, per designation by a known authority, a
/// relationship to that authority. `modified` is when its current version was imported.
pub fn entity_objects(
    entity: &Entity,
    originator: &str,
    listed: bool,
    modified: &str,
) -> Vec<Value> {
    let id = entity_stix_id(entity);
    let modified = timestamp(modified);
    let marking = tlp_of(&entity.distribution).stix_id();
    let aliases: Vec<&str> = entity
        .names
        .iter()
        .filter(|n| n.kind != NameKind::Primary)
        .map(|n| n.value.as_str())
        .filter(|n| *n != entity.caption())
        .collect();
    let mut description: Vec<String> = entity
        .designations
        .iter()
        .map(|d| {
            let mut line = format!("Designated by {} under {}", d.authority, d.regime);
            if let Some(on) = &d.listed_on {
                line.push_str(&format!(" on {on}"));
            }
            if let Some(basis) = &d.legal_basis {
                line.push_str(&format!(" ({basis})"));
            }
            line
        })
        .collect();
    description.extend(entity.remarks.iter().cloned());
    let mut references = vec![json!({"source_name": "vigil", "external_id": entity.id.as_str()})];
    for d in &entity.designations {
        if let Some(r) = &d.reference {
            references.push(
                json!({"source_name": d.authority, "description": d.regime, "external_id": r}),
            );
        }
    }
    let mut sdo = json!({
        "type": entity_type(entity.schema),
        "spec_version": "2.1",
        "id": id,
        "created": modified,
        "modified": modified,
        "name": entity.caption(),
        "created_by_ref": authority_stix_id(originator),
        "labels": [if listed { "designated" } else { "delisted" }],
        "external_references": references,
        "object_marking_refs": [marking],
        "x_vigil_schema": entity.schema.as_str(),
    });
    if !description.is_empty() {
        sdo["description"] = json!(description.join("\n"));
    }
    match entity.schema {
        Schema::Organization | Schema::LegalEntity => {
            sdo["threat_actor_types"] = json!(["terrorist"]);
            if !aliases.is_empty() {
                sdo["aliases"] = json!(aliases);
            }
        }
        Schema::Person => {
            sdo["identity_class"] = json!("individual");
            if !aliases.is_empty() {
                sdo["x_vigil_aliases"] = json!(aliases);
            }
        }
        Schema::Vessel | Schema::Aircraft => {
            sdo["identity_class"] = json!("unknown");
        }
    }
    let mut out = vec![sdo];
    let mut authorities: Vec<&str> = entity
        .designations
        .iter()
        .map(|d| d.authority.as_str())
        .collect();
    authorities.sort_unstable();
    authorities.dedup();
    for authority in authorities {
        out.push(json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": stix_id("relationship", &format!("{}>designated-by>{authority}", entity.id)),
            "created": modified,
            "modified": modified,
            "relationship_type": "related-to",
            "description": format!("designated by {authority}"),
            "source_ref": id,
            "target_ref": authority_stix_id(authority),
            "created_by_ref": authority_stix_id(originator),
            "object_marking_refs": [marking],
        }));
    }
    out
}

/// A message as STIX: an alert about a subject in the bundle becomes a sighting, anything else
/// a report. `present` says which subject ids have an object in the bundle (their STIX ids).
pub fn message_objects(message: &Message, present: &BTreeMap<String, String>) -> Vec<Value> {
    let created = timestamp(&message.created);
    let sender = authority_stix_id(&message.sender_authority);
    let vigil_id = format!("message:{}", message.id);
    let marking = message.markings.tlp.stix_id();
    let refs: Vec<&String> = message
        .subjects
        .iter()
        .filter_map(|s| present.get(s))
        .collect();
    let custom = |v: &mut Value| {
        v["x_vigil_kind"] = json!(message.kind.as_str());
        v["x_vigil_message"] = json!(message.id);
        v["x_vigil_thread"] = json!(message.thread);
        v["x_vigil_classification"] = json!(message.markings.classification.as_str());
        v["x_vigil_handling"] = json!(message.markings.handling.as_str());
    };
    if let (Kind::Alert, Some(subject), Some(enc)) = (
        message.kind,
        refs.first(),
        message.context.encounter.as_ref(),
    ) {
        let seen = if is_timestamp(&timestamp(&enc.at)) {
            timestamp(&enc.at)
        } else {
            created.clone()
        };
        let mut v = json!({
            "type": "sighting",
            "spec_version": "2.1",
            "id": stix_id("sighting", &vigil_id),
            "created": created,
            "modified": created,
            "created_by_ref": sender,
            "sighting_of_ref": subject,
            "where_sighted_refs": [sender],
            "first_seen": seen,
            "last_seen": seen,
            "count": 1,
            "description": format!("{} — at {} by {}: {}\n{}", message.title, enc.place, enc.by, enc.action, message.body),
            "object_marking_refs": [marking],
        });
        custom(&mut v);
        return vec![v];
    }
    let mut object_refs: Vec<&String> = refs.clone();
    object_refs.push(&sender);
    let mut v = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report", &vigil_id),
        "created": created,
        "modified": created,
        "created_by_ref": sender,
        "name": message.title,
        "report_types": ["threat-actor"],
        "published": created,
        "object_refs": object_refs,
        "object_marking_refs": [marking],
    });
    if !message.body.is_empty() {
        v["description"] = json!(message.body);
    }
    custom(&mut v);
    vec![v]
}

/// A bundle of `objects`, each id once (first wins), ordered by id; the bundle's id follows
/// from its content.
pub fn bundle(objects: Vec<Value>) -> Value {
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for o in objects {
        if let Some(id) = o["id"].as_str() {
            by_id.entry(id.to_string()).or_insert(o);
        }
    }
    let ids: Vec<&str> = by_id.keys().map(String::as_str).collect();
    let id = format!("bundle--{}", uuid5(&ids.join(",")));
    json!({"type": "bundle", "id": id, "objects": by_id.into_values().collect::<Vec<_>>()})
}

/// A designation read from a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDesignation {
    pub stix_id: String,
    pub schema: Schema,
    pub name: String,
    pub aliases: Vec<String>,
    pub description: Option<String>,
}

/// A sighting read from a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSighting {
    pub stix_id: String,
    /// The sighted object's STIX id.
    pub sighting_of_ref: String,
    /// The sighted object's Vigil id, when the bundle carries it (external reference `vigil`)
    /// or it is a Vigil export's id.
    pub first_seen: Option<String>,
    pub description: Option<String>,
    pub count: Option<i64>,
}

/// What a bundle holds that Vigil imports; other object types are counted and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub designations: Vec<ImportedDesignation>,
    pub sightings: Vec<ImportedSighting>,
    pub skipped: usize,
    /// STIX id → the Vigil id an object's `vigil` external reference names.
    pub vigil_ids: BTreeMap<String, String>,
}

const MAX_IMPORT_OBJECTS: usize = 10_000;

fn str_field<'a>(
    o: &'a Map<String, Value>,
    at: &str,
    field: &str,
    required: bool,
) -> Result<Option<&'a str>, ExchangeError> {
    match o.get(field) {
        None if required => Err(ExchangeError::Stix(format!("{at}.{field}: required"))),
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() || !required => Ok(Some(s.as_str())),
        Some(_) => Err(ExchangeError::Stix(format!(
            "{at}.{field}: a non-empty string"
        ))),
    }
}

/// Reads a STIX 2.1 bundle: checks each object's common properties (type, id, spec_version,
/// created, modified) and the ones Vigil uses, and names the first problem by its path
/// (`objects[3].created`). Nothing is returned unless the whole bundle is well formed.
pub fn read_bundle(text: &str) -> Result<Imported, ExchangeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ExchangeError::Stix(format!("not JSON: {e}")))?;
    let Value::Object(top) = value else {
        return Err(ExchangeError::Stix("a bundle is a JSON object".into()));
    };
    if top.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(ExchangeError::Stix("type: must be \"bundle\"".into()));
    }
    let id = str_field(&top, "bundle", "id", true)?.unwrap_or_default();
    if !is_identifier(id, Some("bundle")) {
        return Err(ExchangeError::Stix(format!(
            "id: {id:?} is not bundle--UUID"
        )));
    }
    let objects = match top.get("objects") {
        Some(Value::Array(a)) => a,
        None => return Ok(Imported::default()),
        Some(_) => return Err(ExchangeError::Stix("objects: must be an array".into())),
    };
    if objects.len() > MAX_IMPORT_OBJECTS {
        return Err(ExchangeError::Stix(format!(
            "objects: at most {MAX_IMPORT_OBJECTS}"
        )));
    }
    let mut out = Imported::default();
    for (i, object) in objects.iter().enumerate() {
        let at = format!("objects[{i}]");
        let Value::Object(o) = object else {
            return Err(ExchangeError::Stix(format!("{at}: must be an object")));
        };
        let t = str_field(o, &at, "type", true)?.unwrap_or_default();
        let oid = str_field(o, &at, "id", true)?.unwrap_or_default();
        if !is_identifier(oid, Some(t)) {
            return Err(ExchangeError::Stix(format!(
                "{at}.id: {oid:?} is not {t}--UUID"
            )));
        }
        let is_sco = o.get("spec_version").is_none()
            && !matches!(
                t,
                "marking-definition"
                    | "relationship"
                    | "sighting"
                    | "report"
                    | "identity"
                    | "threat-actor"
                    | "intrusion-set"
            );
        if !is_sco {
            if o.get("spec_version").and_then(Value::as_str) != Some("2.1") {
                return Err(ExchangeError::Stix(format!(
                    "{at}.spec_version: must be \"2.1\""
                )));
            }
            let created = str_field(o, &at, "created", true)?.unwrap_or_default();
            if !is_timestamp(created) {
                return Err(ExchangeError::Stix(format!(
                    "{at}.created: {created:?} is not a STIX timestamp"
                )));
            }
            if t != "marking-definition" {
                let modified = str_field(o, &at, "modified", true)?.unwrap_or_default();
                if !is_timestamp(modified) {
                    return Err(ExchangeError::Stix(format!(
                        "{at}.modified: {modified:?} is not a STIX timestamp"
                    )));
                }
                if modified < created {
                    return Err(ExchangeError::Stix(format!(
                        "{at}.modified: earlier than created"
                    )));
                }
            }
        }
        if let Some(Value::Array(refs)) = o.get("external_references") {
            for r in refs {
                if r.get("source_name").and_then(Value::as_str) == Some("vigil") {
                    if let Some(v) = r.get("external_id").and_then(Value::as_str) {
                        out.vigil_ids.insert(oid.to_string(), v.to_string());
                    }
                }
            }
        }
        let aliases = |field: &str| -> Result<Vec<String>, ExchangeError> {
            match o.get(field) {
                None => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            ExchangeError::Stix(format!("{at}.{field}: strings only"))
                        })
                    })
                    .collect(),
                Some(_) => Err(ExchangeError::Stix(format!(
                    "{at}.{field}: must be an array"
                ))),
            }
        };
        match t {
            "threat-actor" | "intrusion-set" => {
                let name = str_field(o, &at, "name", true)?.unwrap_or_default();
                out.designations.push(ImportedDesignation {
                    stix_id: oid.to_string(),
                    schema: Schema::Organization,
                    name: name.to_string(),
                    aliases: aliases("aliases")?,
                    description: str_field(o, &at, "description", false)?.map(str::to_string),
                });
            }
            "identity" if o.get("identity_class").and_then(Value::as_str) == Some("individual") => {
                let name = str_field(o, &at, "name", true)?.unwrap_or_default();
                out.designations.push(ImportedDesignation {
                    stix_id: oid.to_string(),
                    schema: Schema::Person,
                    name: name.to_string(),
                    aliases: aliases("x_vigil_aliases")?,
                    description: str_field(o, &at, "description", false)?.map(str::to_string),
                });
            }
            "sighting" => {
                let of = str_field(o, &at, "sighting_of_ref", true)?.unwrap_or_default();
                if !is_identifier(of, None) {
                    return Err(ExchangeError::Stix(format!(
                        "{at}.sighting_of_ref: {of:?} is not an identifier"
                    )));
                }
                let first_seen = str_field(o, &at, "first_seen", false)?;
                if let Some(fs) = first_seen {
                    if !is_timestamp(fs) {
                        return Err(ExchangeError::Stix(format!(
                            "{at}.first_seen: {fs:?} is not a STIX timestamp"
                        )));
                    }
                }
                let count = match o.get("count") {
                    None => None,
                    Some(c) => Some(
                        c.as_i64()
                            .filter(|n| (0..=999_999_999).contains(n))
                            .ok_or_else(|| {
                                ExchangeError::Stix(format!(
                                    "{at}.count: an integer from 0 to 999999999"
                                ))
                            })?,
                    ),
                };
                out.sightings.push(ImportedSighting {
                    stix_id: oid.to_string(),
                    sighting_of_ref: of.to_string(),
                    first_seen: first_seen.map(str::to_string),
                    description: str_field(o, &at, "description", false)?.map(str::to_string),
                    count,
                });
            }
            _ => out.skipped += 1,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_model::Name;

    #[test]
    fn uuid5_is_stable_and_versioned() {
        let a = uuid5("entity:un:1");
        assert_eq!(a, uuid5("entity:un:1"));
        assert_ne!(a, uuid5("entity:un:2"));
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(is_identifier(&format!("identity--{a}"), Some("identity")));
    }

    #[test]
    fn known_uuid5_vector() {
        // RFC 9562 appendix: UUIDv5 of "www.example.com" in the DNS namespace.
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid5_in(dns, "www.example.com"),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2"
        );
    }

    #[test]
    fn timestamps() {
        assert!(is_timestamp("2026-11-28T20:51:56.123456Z"));
        assert!(is_timestamp("2026-11-28T20:51:56Z"));
        assert!(!is_timestamp("2026-11-28"));
        assert!(!is_timestamp("2026-11-28T20:51:56.Z"));
        assert_eq!(timestamp("2026-11-28"), "2026-11-28T00:00:00.000Z");
        assert_eq!(
            timestamp("2026-11-28T20:51:56Z"),
            "2026-11-28T20:51:56.000Z"
        );
    }

    #[test]
    fn entities_round_trip_through_a_bundle() {
        let mut org = Entity::new("ru:7".parse().unwrap(), Schema::Organization);
        org.push_name(Name::new("Zorya Front", NameKind::Primary));
        org.push_name(Name::new("Zarya", NameKind::Alias));
        org.distribution = Distribution::States(vec!["KZ".into()]);
        let mut person = Entity::new("un:QDi.1".parse().unwrap(), Schema::Person);
        person.push_name(Name::new("Ivan Example", NameKind::Primary));
        let mut objects = tlp_marking_definitions();
        objects.extend(entity_objects(
            &org,
            "RU",
            true,
            "2026-01-01T00:00:00.000000Z",
        ));
        objects.extend(entity_objects(&person, "UNSC", true, "2026-01-01"));
        let b = bundle(objects);
        assert_eq!(
            b,
            bundle(b["objects"].as_array().unwrap().clone()),
            "stable"
        );
        let ta = b["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["type"] == "threat-actor")
            .unwrap();
        assert_eq!(ta["object_marking_refs"][0], Tlp::Amber.stix_id());
        assert_eq!(ta["aliases"][0], "Zarya");
        let read = read_bundle(&b.to_string()).unwrap();
        assert_eq!(read.designations.len(), 2);
        assert_eq!(
            read.vigil_ids
                .get(ta["id"].as_str().unwrap())
                .map(String::as_str),
            Some("ru:7")
        );
        let ind = read
            .designations
            .iter()
            .find(|d| d.schema == Schema::Person)
            .unwrap();
        assert_eq!(ind.name, "Ivan Example");
    }

    #[test]
    fn malformed_bundles_name_the_problem() {
        let err = |text: &str| read_bundle(text).unwrap_err().to_string();
        assert!(err("[").contains("not JSON"));
        assert!(err(r#"{"type":"report"}"#).contains("type"));
        assert!(err(r#"{"type":"bundle","id":"bundle--x"}"#).contains("id"));
        let b = |o: Value| {
            json!({"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[o]}).to_string()
        };
        let good = json!({"type":"threat-actor","spec_version":"2.1","id":"threat-actor--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","name":"X"});
        assert_eq!(read_bundle(&b(good.clone())).unwrap().designations.len(), 1);
        let mut o = good.clone();
        o["created"] = json!("yesterday");
        assert!(err(&b(o)).contains("objects[0].created"));
        let mut o = good.clone();
        o.as_object_mut().unwrap().remove("name");
        assert!(err(&b(o)).contains("objects[0].name"));
        let mut o = good.clone();
        o["id"] = json!("identity--5d0092c5-5f74-4287-9642-33f4c354e56d");
        assert!(err(&b(o)).contains("objects[0].id"));
        let mut o = good;
        o["spec_version"] = json!("2.0");
        assert!(err(&b(o)).contains("spec_version"));
        let s = json!({"type":"sighting","spec_version":"2.1","id":"sighting--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","sighting_of_ref":"nothing"});
        assert!(err(&b(s)).contains("sighting_of_ref"));
    }
}
