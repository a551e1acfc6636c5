//! Search notices in other systems' shapes.
//!
//! - **FtM**: the person as `vigil_formats::ftm` writes any register person (a `Person` with the
//!   topic `wanted`), and one `Sanction` for the search: `authority` the requesting authority,
//!   `program` "Unified search register", `reason` the offence, `provisions` the criminal code
//!   article, `authorityId` the warrant number, `date` the warrant's date, `summary` the court,
//!   `startDate` the date the search was declared, `status` the notice's status. Import reads the
//!   same pair back.
//! - **INTERPOL red notice**, the public JSON of its notices API (`entity_id`, `forename`, `name`,
//!   `date_of_birth` as `YYYY/MM/DD`, `nationalities`, `sex_id`, `place_of_birth`,
//!   `country_of_birth_id`, `arrest_warrants` with `charge` and `issuing_country_id`). The public
//!   shape has no warrant number or court: an imported red notice cites the INTERPOL notice as
//!   its warrant.
//! - **STIX 2.1**: the person as an `identity` (as every register person) and a `report` for the
//!   notice, both under the TLP marking of the notice's scope.

use serde_json::{json, Map, Value};
use vigil_model::{EntityId, Schema};

use crate::{
    refuse, register_entity, DocumentInput, InterpolColour, InterpolNotice, NoticeError,
    NoticeInput, PersonInput, Scope, Status, Warrant,
};

/// A stored notice as the formats need it.
pub struct NoticeView<'a> {
    pub id: i64,
    pub entity_id: &'a EntityId,
    pub requesting_authority: &'a str,
    pub status: Status,
    pub input: &'a NoticeInput,
}

fn strings(props: &Map<String, Value>, key: &str) -> Vec<String> {
    match props.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn first(props: &Map<String, Value>, key: &str) -> String {
    strings(props, key).into_iter().next().unwrap_or_default()
}

/// The notice as FtM lines: the person (and its documents), then the search as a `Sanction`.
pub fn to_ftm(notice: &NoticeView<'_>) -> Result<Vec<Value>, NoticeError> {
    let entity = register_entity(
        notice.entity_id.clone(),
        notice.input,
        notice.requesting_authority,
    )?;
    // The register's own sanction line is replaced by the notice's, which says more.
    let mut lines: Vec<Value> = vigil_formats::ftm::entity_to_ftm(&entity)
        .into_iter()
        .filter(|l| l["schema"] != "Sanction")
        .collect();
    if let Some(props) = lines
        .first_mut()
        .and_then(|l| l.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        props.insert("topics".into(), json!(["wanted", "crime.terror"]));
    }
    let input = notice.input;
    lines.push(json!({
        "id": format!("{}-notice", notice.entity_id.as_str()),
        "schema": "Sanction",
        "properties": {
            "entity": [notice.entity_id.as_str()],
            "authority": [notice.requesting_authority],
            "program": ["Unified search register"],
            "reason": [input.offence],
            "provisions": [input.criminal_code_article],
            "authorityId": [input.warrant.number],
            "date": [input.warrant.date],
            "summary": [input.warrant.court],
            "startDate": [input.declared_on],
            "status": [notice.status.as_str()],
        }
    }));
    Ok(lines)
}

/// Reads FtM lines holding one `Person` and its `Sanction` (as [`to_ftm`] writes them) into a
/// notice with the given scope and contact point; errors name the line and property.
pub fn from_ftm(text: &str, scope: Scope, contact_point: &str) -> Result<NoticeInput, NoticeError> {
    let mut person: Option<Map<String, Value>> = None;
    let mut sanction: Option<Map<String, Value>> = None;
    let mut documents = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let field = format!("line {}", i + 1);
        let value: Value =
            serde_json::from_str(line).map_err(|e| refuse(&field, format!("not JSON: {e}")))?;
        let props = value
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| refuse(&field, "no properties"))?;
        match value.get("schema").and_then(Value::as_str) {
            Some("Person") if person.is_none() => person = Some(props),
            Some("Person") => return Err(refuse(&field, "a second Person: one notice per file")),
            Some("Sanction") if sanction.is_none() => sanction = Some(props),
            Some("Sanction") => {
                return Err(refuse(&field, "a second Sanction: one notice per file"))
            }
            Some("Passport") | Some("Identification") => documents.push(DocumentInput {
                kind: if value["schema"] == "Passport" {
                    "passport".into()
                } else {
                    "national_id".into()
                },
                number: first(&props, "number"),
                country: Some(first(&props, "country").to_uppercase()).filter(|c| !c.is_empty()),
            }),
            other => {
                return Err(refuse(
                    &field,
                    format!("schema {other:?}: a notice is a Person, its Sanction and documents"),
                ))
            }
        }
    }
    let person = person.ok_or_else(|| refuse("Person", "no Person entity in the file"))?;
    let sanction = sanction.ok_or_else(|| refuse("Sanction", "no Sanction entity in the file"))?;
    let mut names = strings(&person, "name");
    names.extend(strings(&person, "alias"));
    let nationalities = strings(&person, "nationality")
        .into_iter()
        .map(|c| c.to_uppercase())
        .collect();
    for number in strings(&person, "passportNumber") {
        if !documents.iter().any(|d| d.number == number) {
            documents.push(DocumentInput {
                kind: "passport".into(),
                number,
                country: None,
            });
        }
    }
    Ok(NoticeInput {
        person: PersonInput {
            names,
            birth_dates: strings(&person, "birthDate"),
            birth_places: strings(&person, "birthPlace"),
            nationalities,
            gender: Some(first(&person, "gender")).filter(|g| !g.is_empty()),
            documents,
            photos: Vec::new(),
            remarks: strings(&person, "notes"),
        },
        offence: first(&sanction, "reason"),
        criminal_code_article: first(&sanction, "provisions"),
        warrant: Warrant {
            number: first(&sanction, "authorityId"),
            date: first(&sanction, "date"),
            court: first(&sanction, "summary"),
        },
        declared_on: first(&sanction, "startDate"),
        scope,
        interpol: None,
        extradition_requested: false,
        contact_point: contact_point.to_string(),
        handling_instructions: String::new(),
        alert_on_hit: false,
    })
}

/// INTERPOL writes dates as `YYYY/MM/DD` (or `YYYY`, `YYYY/MM`).
fn interpol_date(text: &str) -> String {
    text.trim().replace('/', "-")
}

/// The notice in the public JSON shape of an INTERPOL red notice.
pub fn to_interpol(notice: &NoticeView<'_>) -> Value {
    let input = notice.input;
    let primary = input
        .person
        .names
        .iter()
        .find(|n| !n.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    let mut words: Vec<&str> = primary.split_whitespace().collect();
    let family = words.pop().unwrap_or_default().to_string();
    let state = vigil_model::member_state_of(notice.requesting_authority)
        .unwrap_or_else(|| notice.requesting_authority.to_string());
    json!({
        "entity_id": input
            .interpol
            .as_ref()
            .map(|i| i.control_number.clone())
            .unwrap_or_else(|| format!("vigil/{}", notice.id)),
        "forename": words.join(" ").to_uppercase(),
        "name": family.to_uppercase(),
        "date_of_birth": input.person.birth_dates.first().map(|d| d.replace('-', "/")),
        "nationalities": input.person.nationalities,
        "sex_id": match input.person.gender.as_deref() {
            Some("male") => "M",
            Some("female") => "F",
            _ => "U",
        },
        "place_of_birth": input.person.birth_places.first(),
        "arrest_warrants": [{
            "charge": format!("{} ({})", input.offence, input.criminal_code_article),
            "issuing_country_id": state,
            "charge_translation": Value::Null,
        }],
    })
}

/// Reads one red notice in INTERPOL's public JSON shape into a notice of `requesting_state`
/// (which must be the warrant's issuing country), declared on `declared_on`.
pub fn from_interpol(
    text: &str,
    requesting_state: &str,
    declared_on: &str,
    contact_point: &str,
) -> Result<NoticeInput, NoticeError> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| refuse("red notice", format!("not JSON: {e}")))?;
    let s = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let entity_id = s("entity_id");
    if entity_id.is_empty() {
        return Err(refuse("entity_id", "required: the red notice's id"));
    }
    let names: Vec<String> = [format!("{} {}", s("forename"), s("name"))]
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(refuse("name", "the red notice names no one"));
    }
    let warrants = v
        .get("arrest_warrants")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let warrant = warrants
        .iter()
        .find(|w| w["issuing_country_id"].as_str() == Some(requesting_state))
        .ok_or_else(|| {
            refuse(
                "arrest_warrants",
                format!("no arrest warrant issued by {requesting_state}: a state imports its own red notices"),
            )
        })?;
    let charge = warrant["charge"].as_str().unwrap_or("").trim().to_string();
    if charge.is_empty() {
        return Err(refuse("arrest_warrants[].charge", "required"));
    }
    let strings_of = |key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(NoticeInput {
        person: PersonInput {
            names,
            birth_dates: v
                .get("date_of_birth")
                .and_then(Value::as_str)
                .map(interpol_date)
                .into_iter()
                .collect(),
            birth_places: v
                .get("place_of_birth")
                .and_then(Value::as_str)
                .map(str::to_string)
                .into_iter()
                .collect(),
            nationalities: strings_of("nationalities"),
            gender: match s("sex_id").as_str() {
                "M" => Some("male".into()),
                "F" => Some("female".into()),
                _ => None,
            },
            documents: Vec::new(),
            photos: Vec::new(),
            remarks: Vec::new(),
        },
        offence: charge.clone(),
        criminal_code_article: format!("as charged in INTERPOL red notice {entity_id}: {charge}"),
        warrant: Warrant {
            number: format!("INTERPOL red notice {entity_id}"),
            date: declared_on.to_string(),
            court: format!("arrest warrant issued in {requesting_state}, cited by INTERPOL"),
        },
        declared_on: declared_on.to_string(),
        scope: Scope::AllMembers,
        interpol: Some(InterpolNotice {
            colour: InterpolColour::Red,
            control_number: entity_id,
        }),
        extradition_requested: true,
        contact_point: contact_point.to_string(),
        handling_instructions: String::new(),
        alert_on_hit: true,
    })
}

/// The notice as STIX 2.1 objects: the person's `identity` and a `report` on the search, both
/// under the TLP marking of its scope.
pub fn to_stix(notice: &NoticeView<'_>, modified: &str) -> Result<Vec<Value>, NoticeError> {
    let entity = register_entity(
        notice.entity_id.clone(),
        notice.input,
        notice.requesting_authority,
    )?;
    debug_assert_eq!(entity.schema, Schema::Person);
    let mut objects = vigil_exchange::stix::entity_objects(
        &entity,
        notice.requesting_authority,
        notice.status.is_active(),
        modified,
    );
    let identity = vigil_exchange::stix::entity_stix_id(&entity);
    let marking = vigil_exchange::stix::tlp_of(&entity.distribution).stix_id();
    let at = vigil_exchange::stix::timestamp(modified);
    let input = notice.input;
    objects.push(json!({
        "type": "report",
        "spec_version": "2.1",
        "id": vigil_exchange::stix::stix_id("report", &format!("notice:{}", notice.id)),
        "created": at,
        "modified": at,
        "published": vigil_exchange::stix::timestamp(&input.declared_on),
        "name": format!("Search notice {} by {}", notice.id, notice.requesting_authority),
        "description": format!(
            "Wanted for {} ({}); warrant {} of {} ({}). Status: {}.{}",
            input.offence,
            input.criminal_code_article,
            input.warrant.number,
            input.warrant.date,
            input.warrant.court,
            notice.status.as_str(),
            if input.handling_instructions.is_empty() {
                String::new()
            } else {
                format!(" Handling: {}", input.handling_instructions)
            }
        ),
        "report_types": ["threat-actor"],
        "object_refs": [identity],
        "created_by_ref": vigil_exchange::stix::authority_stix_id(notice.requesting_authority),
        "object_marking_refs": [marking],
        "labels": ["wanted-person", notice.status.as_str()],
        "x_vigil_notice": notice.id,
    }));
    Ok(objects)
}
