//! Tests of the ftm reader and writer.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vigil_formats::ftm::{entity_to_ftm, read_ftm, write_ftm};
use vigil_formats::{Format, FormatError, ParsedList, ReadOptions};
use vigil_model::{
    Address, BirthDate, Country, DateSpec, Designation, DesignationKind, DesignationStatus,
    Distribution, Document, DocumentKind, Entity, Gender, ListName, Name, NameKind, NamePart,
    NamePartKind, PartialDate, Place, Schema, SourceRecord, VesselInfo,
};

fn date(text: &str) -> PartialDate {
    PartialDate::parse_iso(text).unwrap()
}

fn country(text: &str) -> Country {
    Country::from_text(text)
}

fn designation(authority: &str, regime: &str, reference: &str) -> Designation {
    Designation {
        authority: authority.to_string(),
        regime: regime.to_string(),
        kind: DesignationKind::Sanction,
        listed_on: None,
        legal_basis: None,
        reference: Some(reference.to_string()),
        status: DesignationStatus::Listed,
        amended_on: Vec::new(),
        delisted_on: None,
        remarks: Vec::new(),
    }
}

/// A few entities using every field of the model.
fn rich_entities() -> Vec<Entity> {
    let mut person = Entity::new("un:TAi.144".parse().unwrap(), Schema::Person);
    person.names = vec![
        Name::new("SIRAJUDDIN JALLALOUDINE HAQQANI", NameKind::Primary).with_parts(vec![
            NamePart {
                kind: NamePartKind::First,
                value: "SIRAJUDDIN".into(),
            },
            NamePart {
                kind: NamePartKind::Second,
                value: "JALLALOUDINE".into(),
            },
            NamePart {
                kind: NamePartKind::Third,
                value: "HAQQANI".into(),
            },
        ]),
        Name::new("سراج الدين جلال الدين حقانى", NameKind::OriginalScript),
        Name::new("Siraj Haqqani", NameKind::Alias),
        Name::new("Khalifa", NameKind::WeakAlias),
        Name::new("Old Name", NameKind::FormerName),
    ];
    person.names[1].lang = Some("ar".into());
    person.birth_dates = vec![
        BirthDate::exact(date("1977-03-01"), "1 Mar 1977"),
        BirthDate::parse_text("circa 1970 to 1973"),
        BirthDate::parse_text("the year of the flood"),
    ];
    person.birth_places = vec![
        Place {
            text: "Danda, Miramshah, Pakistan".into(),
            country: Some(country("Pakistan")),
        },
        Place {
            text: "Khost".into(),
            country: None,
        },
    ];
    person.nationalities = vec![country("Afghanistan"), country("Nowhere Land")];
    person.citizenships = vec![country("Pakistan")];
    person.countries = vec![country("Russia")];
    person.documents = vec![
        Document {
            kind: DocumentKind::Passport,
            kind_text: Some("Passport".into()),
            number: "D 000974".into(),
            country: Some(country("Afghanistan")),
            issued_on: Some(date("2000-01")),
            note: Some("expires 2010".into()),
        },
        Document {
            kind: DocumentKind::NationalId,
            kind_text: None,
            number: "216040".into(),
            country: None,
            issued_on: None,
            note: None,
        },
    ];
    person.addresses = vec![Address {
        street: Some("Manba'ul uloom Madrasa".into()),
        city: Some("Miramshah".into()),
        region: Some("North Waziristan".into()),
        postal_code: None,
        country: Some(country("Pakistan")),
        note: Some("as of 2008".into()),
    }];
    person.gender = Some(Gender::Male);
    person.titles = vec!["Maulavi".into()];
    person.positions = vec!["Deputy leader".into()];
    person.remarks = vec!["Believed to be in the Afghanistan/Pakistan border area.".into()];
    person.designations = vec![Designation {
        authority: "UNSC".into(),
        regime: "1988 Taliban".into(),
        kind: DesignationKind::Sanction,
        listed_on: Some(date("2007-07-13")),
        legal_basis: Some("Resolution 1988 (2011)".into()),
        reference: Some("TAi.144".into()),
        status: DesignationStatus::Amended,
        amended_on: vec![date("2012-04-01"), date("2019-01-02")],
        delisted_on: None,
        remarks: vec!["Review pursuant to resolution 2082 (2012)".into()],
    }];
    person.distribution = Distribution::States(vec!["RU".into(), "KZ".into()]);
    person
        .other
        .insert("wikidataId".into(), vec!["Q123".into()]);
    person.sources = vec![SourceRecord {
        list: "un".into(),
        file: "un.xml".into(),
        record: "INDIVIDUAL at line 35590".into(),
    }];

    let mut org = Entity::new("ofac:15484".parse().unwrap(), Schema::Organization);
    org.names = vec![
        Name::new("HAQQANI NETWORK", NameKind::Primary),
        Name::new("HQN", NameKind::Alias),
    ];
    org.countries = vec![country("Afghanistan")];
    org.documents = vec![Document {
        kind: DocumentKind::Other,
        kind_text: Some("Tax ID No.".into()),
        number: "7744001497".into(),
        country: Some(country("Russia")),
        issued_on: None,
        note: None,
    }];
    org.designations = vec![
        designation("US-OFAC", "FTO", "15484"),
        Designation {
            status: DesignationStatus::Delisted,
            delisted_on: Some(date("2020-05")),
            ..designation("US-OFAC", "SDGT", "15484")
        },
    ];
    org.other
        .insert("incorporationDate".into(), vec!["1991-11-19".into()]);

    let mut vessel = Entity::new("ofac:9702".parse().unwrap(), Schema::Vessel);
    vessel.names = vec![Name::new("DENA", NameKind::Primary)];
    vessel.vessel = Some(VesselInfo {
        call_sign: Some("T2EU4".into()),
        vessel_type: Some("Crude/Oil Products Tanker".into()),
        tonnage: Some("99,144".into()),
        gross_registered_tonnage: Some("56,068".into()),
        flag: Some(country("Russia")),
        owner: Some("NITC".into()),
    });
    vessel.documents = vec![Document {
        kind: DocumentKind::Other,
        kind_text: Some("Vessel Registration Identification".into()),
        number: "IMO 9357183".into(),
        country: None,
        issued_on: None,
        note: None,
    }];
    vessel.designations = vec![designation("US-OFAC", "IRAN", "9702")];

    let mut plane = Entity::new("ru-fsb:A-1".parse().unwrap(), Schema::Aircraft);
    plane.names = vec![Name::new("EP-MNZ", NameKind::Primary)];
    plane.other.insert("model".into(), vec!["IL-76TD".into()]);
    plane.designations = vec![Designation {
        kind: DesignationKind::OrganizationBan,
        ..designation("RU-FSB", "Federal list", "A-1")
    }];
    plane.distribution = Distribution::Originator;

    let mut legal = Entity::new("ftm:NK-x1".parse().unwrap(), Schema::LegalEntity);
    legal.names = vec![Name::new("Some holder", NameKind::Primary)];
    legal.designations = vec![Designation {
        kind: DesignationKind::WantedPerson,
        ..designation("KZ", "Wanted", "W-1")
    }];

    vec![person, org, vessel, plane, legal]
}

fn write_file(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn export(entities: &[Entity]) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let lines = write_ftm(entities, &mut out).unwrap();
    (out, lines)
}

fn read(path: &Path) -> Result<ParsedList, FormatError> {
    read_ftm(path, &ReadOptions::default())
}

fn all_entities(parsed: &ParsedList) -> Vec<Entity> {
    parsed
        .lists
        .iter()
        .flat_map(|l| l.entities.iter().cloned())
        .collect()
}

/// The exported lines without the `vigil` objects: what a standard FtM tool writes.
fn strip_vigil(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in String::from_utf8(bytes.to_vec()).unwrap().lines() {
        let mut value: Value = serde_json::from_str(line).unwrap();
        value.as_object_mut().unwrap().remove("vigil");
        out.extend(serde_json::to_vec(&value).unwrap());
        out.push(b'\n');
    }
    out
}

#[test]
fn export_writes_standard_lines() {
    let entities = rich_entities();
    let lines = entity_to_ftm(&entities[0]);
    // Main line, one sanction, two documents.
    assert_eq!(lines.len(), 4);
    let main = &lines[0];
    assert_eq!(main["id"], "un:TAi.144");
    assert_eq!(main["schema"], "Person");
    let props = &main["properties"];
    let strings = |key: &str| -> Vec<String> {
        props[key]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(strings("name"), ["SIRAJUDDIN JALLALOUDINE HAQQANI"]);
    assert_eq!(
        strings("alias"),
        ["سراج الدين جلال الدين حقانى", "Siraj Haqqani"]
    );
    assert_eq!(strings("weakAlias"), ["Khalifa"]);
    assert_eq!(strings("previousName"), ["Old Name"]);
    assert_eq!(strings("firstName"), ["SIRAJUDDIN"]);
    assert_eq!(strings("secondName"), ["JALLALOUDINE"]);
    assert_eq!(strings("middleName"), ["HAQQANI"]);
    assert_eq!(strings("birthDate"), ["1977-03-01", "1970", "1973"]);
    assert_eq!(
        strings("nationality"),
        ["af"],
        "an unknown country has no code"
    );
    assert_eq!(strings("citizenship"), ["pk"]);
    assert_eq!(strings("country"), ["ru"]);
    assert_eq!(strings("gender"), ["male"]);
    assert_eq!(strings("passportNumber"), ["D 000974"]);
    assert_eq!(strings("idNumber"), ["216040"]);
    assert_eq!(strings("topics"), ["sanction"]);
    assert_eq!(strings("program"), ["1988 Taliban"]);
    assert_eq!(
        strings("address"),
        ["Manba'ul uloom Madrasa, Miramshah, North Waziristan, Pakistan"]
    );
    assert_eq!(strings("wikidataId"), ["Q123"]);
    assert_eq!(main["vigil"]["id"], "un:TAi.144");

    let sanction = &lines[1];
    assert_eq!(sanction["id"], "un:TAi.144-sanction-1");
    assert_eq!(sanction["schema"], "Sanction");
    assert_eq!(sanction["properties"]["entity"][0], "un:TAi.144");
    assert_eq!(sanction["properties"]["authority"][0], "UNSC");
    assert_eq!(sanction["properties"]["unscId"][0], "TAi.144");
    assert_eq!(sanction["properties"]["listingDate"][0], "2007-07-13");
    assert!(sanction.get("vigil").is_none());
    assert_eq!(lines[2]["schema"], "Passport");
    assert_eq!(lines[2]["id"], "un:TAi.144-doc-1");
    assert_eq!(lines[2]["properties"]["holder"][0], "un:TAi.144");
    assert_eq!(lines[2]["properties"]["country"][0], "af");
    assert_eq!(lines[3]["schema"], "Identification");

    assert_eq!(entity_to_ftm(&entities[3])[0]["schema"], "Airplane");
    let topics = &entity_to_ftm(&entities[1])[0]["properties"]["topics"];
    assert_eq!(topics, &serde_json::json!(["sanction", "crime.terror"]));
    let topics = &entity_to_ftm(&entities[4])[0]["properties"]["topics"];
    assert_eq!(topics, &serde_json::json!(["wanted", "crime.terror"]));

    let (bytes, count) = export(&entities);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count() as u64, count);
    assert_eq!(count, 4 + 4 + 3 + 2 + 2);
}

#[test]
fn round_trip_keeps_every_field() {
    let entities = rich_entities();
    let dir = tempfile::tempdir().unwrap();
    let (bytes, _) = export(&entities);
    let path = write_file(dir.path(), "out.ftm.json", &bytes);
    let parsed = read(&path).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.format, Format::Ftm);
    assert_eq!(all_entities(&parsed), entities);
    let lists: Vec<(&str, &str, usize)> = parsed
        .lists
        .iter()
        .map(|l| (l.list.as_str(), l.authority.as_str(), l.entities.len()))
        .collect();
    assert_eq!(
        lists,
        [
            ("un", "UNSC", 1),
            ("ofac", "US-OFAC", 2),
            ("ru-fsb", "RU-FSB", 1),
            ("ftm", "FTM", 1)
        ]
    );
    assert_eq!(parsed.files.len(), 1);
}

#[test]
fn standard_properties_alone_keep_the_essentials() {
    let entities = rich_entities();
    let (bytes, _) = export(&entities);
    let standard = strip_vigil(&bytes);
    // Linked entities may come before the entity they point at.
    let mut lines: Vec<&str> = std::str::from_utf8(&standard).unwrap().lines().collect();
    lines.reverse();
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "std.ftm.json", lines.join("\n").as_bytes());
    let parsed = read(&path).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let got = all_entities(&parsed);
    assert_eq!(got.len(), entities.len());
    let find = |id: &str| got.iter().find(|e| e.id.as_str() == id).unwrap();

    let p = find("un:TAi.144");
    assert_eq!(p.schema, Schema::Person);
    assert_eq!(p.caption(), "SIRAJUDDIN JALLALOUDINE HAQQANI");
    let names = |kind| -> Vec<&str> {
        p.names
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.value.as_str())
            .collect()
    };
    assert_eq!(
        names(NameKind::Alias),
        ["سراج الدين جلال الدين حقانى", "Siraj Haqqani"]
    );
    assert_eq!(names(NameKind::WeakAlias), ["Khalifa"]);
    assert_eq!(names(NameKind::FormerName), ["Old Name"]);
    assert_eq!(p.names[1].script, "Arab");
    assert_eq!(p.names[0].parts.len(), 3);
    let dobs: Vec<String> = p
        .birth_dates
        .iter()
        .map(|b| b.date.unwrap().to_string())
        .collect();
    assert_eq!(dobs, ["1977-03-01", "1970", "1973"]);
    assert_eq!(p.nationalities.len(), 1);
    assert_eq!(p.nationalities[0].code.as_deref(), Some("AF"));
    assert_eq!(p.nationalities[0].text, "af");
    assert_eq!(p.citizenships[0].code.as_deref(), Some("PK"));
    assert_eq!(p.gender, Some(Gender::Male));
    assert_eq!(p.titles, ["Maulavi"]);
    assert_eq!(p.positions, ["Deputy leader"]);
    assert_eq!(p.remarks, entities[0].remarks);
    assert_eq!(p.birth_places[0].text, "Danda, Miramshah, Pakistan");
    assert_eq!(
        p.addresses[0].full(),
        "Manba'ul uloom Madrasa, Miramshah, North Waziristan, Pakistan"
    );
    assert_eq!(p.documents.len(), 2);
    let passport = &p.documents[0];
    assert_eq!(passport.kind, DocumentKind::Passport);
    assert_eq!(passport.number, "D 000974");
    assert_eq!(
        passport.country.as_ref().unwrap().code.as_deref(),
        Some("AF")
    );
    assert_eq!(passport.issued_on, Some(date("2000-01")));
    assert_eq!(passport.note.as_deref(), Some("expires 2010"));
    assert_eq!(p.documents[1].kind, DocumentKind::NationalId);
    assert_eq!(p.designations.len(), 1);
    let d = &p.designations[0];
    assert_eq!(d, &entities[0].designations[0]);
    assert_eq!(p.other.get("wikidataId").unwrap(), &["Q123"]);
    assert!(!p.other.contains_key("topics"));
    assert!(p.sources.iter().all(|s| s.file.ends_with("std.ftm.json")));

    let org = find("ofac:15484");
    // The reversed file gives the designations in reverse order.
    let mut designations = org.designations.clone();
    designations.reverse();
    assert_eq!(designations, entities[1].designations);
    assert_eq!(org.documents[0].kind_text.as_deref(), Some("Tax ID No."));
    assert_eq!(org.countries[0].code.as_deref(), Some("AF"));
    assert_eq!(org.other.get("incorporationDate").unwrap(), &["1991-11-19"]);

    let vessel = find("ofac:9702");
    let info = vessel.vessel.as_ref().unwrap();
    assert_eq!(info.call_sign.as_deref(), Some("T2EU4"));
    assert_eq!(info.flag.as_ref().unwrap().code.as_deref(), Some("RU"));
    assert_eq!(
        vessel.documents.len(),
        1,
        "imoNumber and its Identification are one document"
    );
    assert_eq!(vessel.documents[0].number, "IMO 9357183");

    let plane = find("ru-fsb:A-1");
    assert_eq!(plane.schema, Schema::Aircraft);
    assert_eq!(plane.other.get("model").unwrap(), &["IL-76TD"]);
    assert_eq!(plane.designations[0].kind, DesignationKind::OrganizationBan);
    assert_eq!(
        find("ftm:NK-x1").designations[0].kind,
        DesignationKind::WantedPerson
    );
}

#[test]
fn reads_a_third_party_ftm_file() {
    let lines = [
        r#"{"id":"NK-abc","schema":"Person","properties":{"name":["Doku Umarov"],"firstName":["Doku"],"lastName":["Umarov"],"birthDate":["1964-04-13"],"nationality":["ru"],"addressEntity":["addr-1"],"program":["SDGT"],"topics":["sanction"],"sourceUrl":["https://example.org/x"]},"datasets":["us_ofac_sdn"],"referents":["ofac-12110"],"first_seen":"2024-01-01T00:00:00"}"#,
        r#"{"id":"addr-1","schema":"Address","properties":{"full":["Grozny, Chechnya"],"country":["ru"]}}"#,
        r#"{"id":"NK-san","schema":"Sanction","properties":{"entity":["NK-abc"],"authority":["US-OFAC"],"program":["SDGT"],"startDate":["2010-06-23"]}}"#,
        r#"{"id":"NK-pass","schema":"Passport","properties":{"holder":["NK-abc"],"passportNumber":["1234"],"country":["ru"]}}"#,
        r#"{"id":"own-1","schema":"Ownership","properties":{"owner":["NK-abc"],"asset":["NK-org"]}}"#,
        r#"{"id":"t-1","schema":"Thing","properties":{"name":["x"]}}"#,
        r#"{"id":"NK-orphan","schema":"Sanction","properties":{"entity":["NK-missing"]}}"#,
        r#"{"id":"NK-org","schema":"Company","properties":{"name":["Caucasus Emirate Ltd"],"jurisdiction":["ru"],"innCode":["7701"]}}"#,
        r#"{"id":"NK-bad-vigil","schema":"Organization","properties":{"name":["Z"]},"vigil":{"id":"other:1"}}"#,
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "os.json", lines.join("\r\n").as_bytes());
    let options = ReadOptions {
        list: Some(ListName::new("os").unwrap()),
        ..Default::default()
    };
    let parsed = read_ftm(&path, &options).unwrap();
    assert_eq!(parsed.lists.len(), 1);
    assert_eq!(parsed.lists[0].list.as_str(), "os");
    assert_eq!(parsed.lists[0].authority, "OS");
    let got = &parsed.lists[0].entities;
    assert_eq!(got.len(), 3);
    let p = &got[0];
    assert_eq!(p.id.as_str(), "os:NK-abc");
    let parts: Vec<(NamePartKind, &str)> = p.names[0]
        .parts
        .iter()
        .map(|x| (x.kind, x.value.as_str()))
        .collect();
    assert_eq!(
        parts,
        [
            (NamePartKind::Given, "Doku"),
            (NamePartKind::Family, "Umarov")
        ]
    );
    assert_eq!(
        p.birth_dates[0].date,
        Some(DateSpec::Exact(date("1964-04-13")))
    );
    assert_eq!(p.addresses[0].street.as_deref(), Some("Grozny, Chechnya"));
    assert_eq!(
        p.addresses[0].country.as_ref().unwrap().code.as_deref(),
        Some("RU")
    );
    assert_eq!(
        p.designations.len(),
        1,
        "program SDGT is covered by the Sanction"
    );
    assert_eq!(p.designations[0].authority, "US-OFAC");
    assert_eq!(p.designations[0].listed_on, Some(date("2010-06-23")));
    assert_eq!(p.documents[0].kind, DocumentKind::Passport);
    assert_eq!(p.documents[0].number, "1234");
    assert_eq!(
        p.other.get("sourceUrl").unwrap(),
        &["https://example.org/x"]
    );
    assert_eq!(p.sources.len(), 3, "main, sanction and passport lines");
    let org = &got[1];
    assert_eq!(org.schema, Schema::Organization);
    assert_eq!(org.countries[0].code.as_deref(), Some("RU"));
    assert_eq!(org.other.get("innCode").unwrap(), &["7701"]);
    assert_eq!(got[2].id.as_str(), "os:NK-bad-vigil");

    let warned: Vec<(u64, &str)> = parsed
        .warnings
        .iter()
        .map(|w| (w.line.unwrap(), w.record.as_deref().unwrap()))
        .collect();
    assert_eq!(
        warned,
        [
            (5, "own-1"),
            (6, "t-1"),
            (9, "NK-bad-vigil"),
            (7, "NK-orphan")
        ]
    );
    assert!(parsed.warnings[0]
        .message
        .contains("schema Ownership is not imported"));
}

// ---------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------

const GOOD: &str = r#"{"id":"x1","schema":"Person","properties":{"name":["A B"]}}"#;

fn refused_with(content: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "in.json", content);
    match read(&path) {
        Ok(_) => panic!("accepted: {}", String::from_utf8_lossy(content)),
        Err(e) => e.problems(),
    }
}

fn assert_problem(problems: &[String], at: &str, words: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("in.json{at}")) && p.contains(words)),
        "no problem at {at:?} with {words:?} in {problems:#?}"
    );
}

#[test]
fn rejects_malformed_json() {
    let problems = refused_with(format!("{GOOD}\n{{\"id\": \"x2\", \"schema\": \n").as_bytes());
    assert_problem(&problems, ":2", "malformed JSON");
    let problems = refused_with(format!("{GOOD}\n[1, 2]\n").as_bytes());
    assert_problem(&problems, ":2", "expected a JSON object");
}

#[test]
fn rejects_missing_id_or_schema() {
    let problems = refused_with(
        format!("{GOOD}\n{{\"schema\":\"Person\",\"properties\":{{}}}}\n{{\"id\":\"x3\",\"properties\":{{}}}}\n{{\"id\":\"\",\"schema\":\"Person\"}}")
            .as_bytes(),
    );
    assert_problem(&problems, ":2", "missing id");
    assert_problem(&problems, ":3 (x3)", "missing schema");
    assert_problem(&problems, ":4", "missing id");
}

#[test]
fn rejects_properties_that_are_not_lists_of_strings() {
    let problems = refused_with(
        format!(
            "{GOOD}\n{}\n{}\n{}",
            r#"{"id":"x2","schema":"Person","properties":{"name":"A"}}"#,
            r#"{"id":"x3","schema":"Person","properties":{"name":["A", 1]}}"#,
            r#"{"id":"x4","schema":"Person","properties":["name"]}"#
        )
        .as_bytes(),
    );
    assert_problem(
        &problems,
        ":2 (x2)",
        "property name is not a list of strings",
    );
    assert_problem(&problems, ":3 (x3)", "not a string");
    assert_problem(&problems, ":4 (x4)", "properties is not an object");
}

#[test]
fn rejects_duplicate_ids() {
    let problems = refused_with(format!("{GOOD}\n\n{GOOD}\n").as_bytes());
    assert_problem(
        &problems,
        ":3 (x1)",
        "duplicate id \"x1\": already on line 1",
    );
    // Two FtM ids that make the same Vigil id.
    let other = GOOD.replace("\"x1\"", "\"ftm:x1\"");
    let problems = refused_with(format!("{GOOD}\n{other}\n").as_bytes());
    assert_problem(&problems, ":2 (ftm:x1)", "line 1 has the same Vigil id");
}

#[test]
fn rejects_overlong_lines_and_fields() {
    let field = "A".repeat(vigil_model::MAX_FIELD_BYTES + 1);
    let long_field = GOOD.replace("A B", &field).replace("x1", "x9");
    let problems = refused_with(format!("{GOOD}\n{long_field}").as_bytes());
    assert_problem(&problems, ":2 (x9)", "field name is");

    let names: Vec<String> = (0..100)
        .map(|_| format!("\"{}\"", "B".repeat(60_000)))
        .collect();
    let long_line = format!(
        r#"{{"id":"x2","schema":"Person","properties":{{"name":[{}]}}}}"#,
        names.join(",")
    );
    let problems = refused_with(format!("{GOOD}\n{long_line}\n").as_bytes());
    assert_problem(&problems, ":2", "line is");
    assert!(problems.iter().any(|p| p.contains("over the limit")));
}

#[test]
fn rejects_invalid_vigil_objects() {
    let line = r#"{"id":"un:X.1","schema":"Person","properties":{},"vigil":{"id":"un:X.1","schema":"Martian"}}"#;
    let problems = refused_with(line.as_bytes());
    assert_problem(&problems, ":1 (un:X.1)", "not a valid Vigil entity");
}

#[test]
fn rejects_bad_ids_empty_and_non_utf8_files() {
    let problems = refused_with(GOOD.replace("\"x1\"", "\"a b\"").as_bytes());
    assert_problem(&problems, ":1 (a b)", "source id");

    let problems = refused_with(b"");
    assert!(problems[0].contains("in.json") && problems[0].contains("empty"));

    let problems = refused_with(b"\n\n  \n");
    assert!(problems[0].contains("holds no Person"), "{problems:?}");

    let mut bytes = format!("{GOOD}\n").into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"x\xFF\"}\n");
    let problems = refused_with(&bytes);
    assert_problem(&problems, ":2", "not UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Real lists
// ---------------------------------------------------------------------------------------------

fn round_trip_real(parsed: ParsedList, name: &str) {
    let entities = all_entities(&parsed);
    assert!(!entities.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let (bytes, _) = export(&entities);
    let path = write_file(dir.path(), name, &bytes);
    let back = read(&path).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings.first());
    let got = all_entities(&back);
    assert_eq!(got.len(), entities.len());
    for (a, b) in got.iter().zip(&entities) {
        assert_eq!(a, b, "{} changed in the round trip", b.id);
    }

    // Without the vigil objects every entity still comes back with its names and designations.
    let standard = strip_vigil(&bytes);
    let path = write_file(dir.path(), "std.json", &standard);
    let back = read(&path).unwrap();
    let got = all_entities(&back);
    assert_eq!(got.len(), entities.len());
    for (a, b) in got.iter().zip(&entities) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.caption(), b.caption());
        assert_eq!(a.designations.len(), b.designations.len(), "{}", b.id);
        assert_eq!(a.documents.len(), b.documents.len(), "{}", b.id);
    }
}

#[test]
fn round_trips_the_ofac_2024_05_set() {
    let Some(dir) = crate::shared_data("lists/ofac/sdn_2024-05") else {
        return;
    };
    let parsed = vigil_formats::read(&[dir], Some(Format::OfacCsv), &ReadOptions::default())
        .expect("the OFAC set reads");
    round_trip_real(parsed, "ofac.ftm.json");
}

#[test]
fn round_trips_the_un_2026_list() {
    let Some(path) = crate::shared_data("lists/un/un_consolidated_2026-02-27.xml") else {
        return;
    };
    let parsed = vigil_formats::read(&[path], Some(Format::UnXml), &ReadOptions::default())
        .expect("the UN list reads");
    assert_eq!(all_entities(&parsed).len(), 1_003);
    round_trip_real(parsed, "un.ftm.json");
}
