//! Tests of the ofac reader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{entity, names};
use vigil_formats::ofac::read_ofac;
use vigil_formats::{FormatError, ParsedList, ReadOptions};
use vigil_model::{
    DesignationStatus, DocumentKind, Entity, Gender, NameKind, NamePartKind, Schema,
};

fn read(paths: &[PathBuf]) -> Result<ParsedList, FormatError> {
    read_ofac(paths, &ReadOptions::default())
}

#[test]
fn reads_the_2024_05_set() {
    let Some(dir) = crate::shared_data("lists/ofac/sdn_2024-05") else {
        return;
    };
    let started = std::time::Instant::now();
    let parsed = read(std::slice::from_ref(&dir)).expect("the 2024-05 set reads");
    eprintln!("2024-05 set read in {:?} (debug build)", started.elapsed());

    assert_eq!(parsed.lists.len(), 1);
    let content = &parsed.lists[0];
    assert_eq!(content.list.as_str(), "ofac");
    assert_eq!(content.authority, "US-OFAC");
    assert_eq!(
        content.title,
        "OFAC Specially Designated Nationals (SDN) List"
    );
    assert_eq!(content.published, None);
    assert_eq!(parsed.files.len(), 4);
    assert_eq!(content.entities.len(), 14_965);

    let mut by_schema: BTreeMap<Schema, usize> = BTreeMap::new();
    for e in &content.entities {
        *by_schema.entry(e.schema).or_default() += 1;
        assert!(!e.designations.is_empty(), "{} has no designation", e.id);
        assert_eq!(
            e.names
                .iter()
                .filter(|n| n.kind == NameKind::Primary)
                .count(),
            1
        );
    }
    assert_eq!(by_schema.get(&Schema::Person), Some(&6_854));
    assert_eq!(by_schema.get(&Schema::Organization), Some(&6_884));
    assert_eq!(by_schema.get(&Schema::Vessel), Some(&851));
    assert_eq!(by_schema.get(&Schema::Aircraft), Some(&376));
    let sdgt = content
        .entities
        .iter()
        .filter(|e| e.designations.iter().any(|d| d.regime == "SDGT"))
        .count();
    assert_eq!(sdgt, 2_386);

    // The alias, address and overflow files are from a later publication (SOURCES.md).
    let orphans = |file: &str| {
        parsed
            .warnings
            .iter()
            .filter(|w| w.file.ends_with(file) && w.message.contains("is not in sdn.csv"))
            .count()
    };
    assert_eq!(orphans("alt.csv"), 2_460);
    assert_eq!(orphans("add.csv"), 4_893);
    assert_eq!(orphans("sdn_comments.csv"), 6);
    let w = parsed
        .warnings
        .iter()
        .find(|w| w.file.ends_with("alt.csv"))
        .unwrap();
    assert!(
        w.line.is_some()
            && w.record
                .as_deref()
                .is_some_and(|r| r.starts_with("ent_num "))
    );
    let shown = w.to_string();
    assert!(
        shown.contains("alt.csv:") && shown.contains("ent_num"),
        "{shown}"
    );
    // Overflow rows whose sdn.csv remark was not cut belong to the other publication.
    let foreign_overflow: Vec<&str> = parsed
        .warnings
        .iter()
        .filter(|w| w.message.contains("belongs to another publication"))
        .filter_map(|w| w.record.as_deref())
        .collect();
    assert_eq!(
        foreign_overflow,
        [
            "ent_num 22985",
            "ent_num 34682",
            "ent_num 34741",
            "ent_num 35163",
            "ent_num 36025"
        ]
    );

    // ent_num 10743, field by field.
    let e = entity(&parsed, "ofac:10743");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption(), "Sirajuddin Haqqani Jalaluddin Khwasa MUHAMMAD");
    let primary = &e.names[0];
    assert_eq!(primary.kind, NameKind::Primary);
    assert_eq!(primary.script, "Latn");
    let parts: Vec<(NamePartKind, &str)> = primary
        .parts
        .iter()
        .map(|p| (p.kind, p.value.as_str()))
        .collect();
    assert_eq!(
        parts,
        [
            (NamePartKind::Given, "Sirajuddin Haqqani Jalaluddin Khwasa"),
            (NamePartKind::Family, "MUHAMMAD")
        ]
    );
    assert_eq!(
        names(e, NameKind::Alias),
        [
            "Sirajuddin HAQANI",
            "Siraj HAQQANI",
            "Siraj HAQANI",
            "Saraj HAQQANI",
            "Saraj HAQANI",
            "Sirajuddin HAQQANI"
        ]
    );
    let dobs: Vec<String> = e
        .birth_dates
        .iter()
        .map(|b| b.date.unwrap().to_string())
        .collect();
    assert_eq!(dobs, ["1977", "1978", "1970"]);
    let pobs: Vec<&str> = e.birth_places.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        pobs,
        [
            "Danda, Miramshah, Afghanistan",
            "Khowst Province, Afghanistan",
            "Neka District, Paktika, Afghanistan",
            "Srana Village, Garda Saray District, Paktya Province, Afghanistan"
        ]
    );
    assert!(e
        .birth_places
        .iter()
        .all(|p| p.country.as_ref().and_then(|c| c.code.as_deref()) == Some("AF")));
    assert_eq!(e.designations.len(), 1);
    let d = &e.designations[0];
    assert_eq!(
        (
            d.authority.as_str(),
            d.regime.as_str(),
            d.reference.as_deref(),
            d.status
        ),
        ("US-OFAC", "SDGT", Some("10743"), DesignationStatus::Listed)
    );
    assert_eq!(e.addresses.len(), 3);
    let a = &e.addresses[0];
    assert_eq!(a.street.as_deref(), Some("Manba'ul uloom Madrasa"));
    assert_eq!(
        a.city.as_deref(),
        Some("Miramshah, North Waziristan, FATA, NWFP")
    );
    let country = a.country.as_ref().unwrap();
    assert_eq!(
        (country.text.as_str(), country.code.as_deref()),
        ("Pakistan", Some("PK"))
    );
    assert_eq!(e.addresses[2].city, None);
    assert_eq!(e.remarks.len(), 1);
    assert!(e.remarks[0].starts_with("DOB 1977; alt. DOB 1978;"));
    assert!(e.documents.is_empty() && e.nationalities.is_empty());
    // sdn.csv line, 6 alt.csv lines, 3 add.csv lines.
    // One record per file: the sdn.csv line, 6 alt.csv lines, 3 add.csv lines.
    let sources: Vec<(&str, &str)> = e
        .sources
        .iter()
        .map(|s| (s.file.rsplit('/').next().unwrap(), s.record.as_str()))
        .collect();
    assert_eq!(sources.len(), 3);
    assert_eq!(sources[0].0, "sdn.csv");
    assert!(sources[0].1.starts_with("line "));
    assert_eq!(sources[1].0, "alt.csv");
    assert_eq!(sources[1].1.matches(", ").count(), 5, "{}", sources[1].1);
    assert!(sources[1].1.starts_with("lines "));
    assert_eq!(sources[2].0, "add.csv");
    assert!(e.sources.iter().all(|s| s.list == "ofac"));

    // Passport, national ID and nationality from the remarks; an alias in SDN form there too.
    let e = entity(&parsed, "ofac:6939");
    assert_eq!(e.caption(), "Mohammad Hamdi Mohammad Sadiq AL-AHDAL");
    let nat: Vec<&str> = e.nationalities.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(nat, ["Yemen"]);
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(e.documents.len(), 2);
    let p = &e.documents[0];
    assert_eq!(p.kind, DocumentKind::Passport);
    assert_eq!(p.number, "541939");
    assert_eq!(p.country.as_ref().unwrap().text, "Yemen");
    assert_eq!(p.issued_on.unwrap().to_string(), "2000-07-31");
    assert_eq!(e.documents[1].kind, DocumentKind::NationalId);
    assert_eq!(e.documents[1].number, "216040");
    assert!(names(e, NameKind::Alias).contains(&"Abu Asim AL-MAKKI"));
    assert_eq!(e.birth_dates[0].date.unwrap().to_string(), "1971-11-19");

    // Organizations keep their names; a remark alias and several programs.
    let e = entity(&parsed, "ofac:15484");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.caption(), "HAQQANI NETWORK");
    assert_eq!(names(e, NameKind::Alias), ["HQN"]);
    let regimes: Vec<&str> = e.designations.iter().map(|d| d.regime.as_str()).collect();
    assert_eq!(regimes, ["FTO", "SDGT"]);

    // A vessel: columns into VesselInfo, IMO number into a document.
    let vessel = content
        .entities
        .iter()
        .find(|e| {
            e.schema == Schema::Vessel
                && e.vessel
                    .as_ref()
                    .is_some_and(|v| v.call_sign.as_deref() == Some("T2EU4"))
        })
        .expect("vessel with call sign T2EU4");
    let info = vessel.vessel.as_ref().unwrap();
    assert_eq!(
        info.vessel_type.as_deref(),
        Some("Crude/Oil Products Tanker")
    );
    assert_eq!(info.tonnage.as_deref(), Some("99,144"));
    assert_eq!(info.flag.as_ref().unwrap().text, "Iran");
    assert!(vessel
        .documents
        .iter()
        .any(|d| d.number.starts_with("IMO ") && d.kind == DocumentKind::Other));

    // Aircraft details go to FtM properties.
    let aircraft: Vec<&Entity> = content
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Aircraft)
        .collect();
    assert!(
        aircraft
            .iter()
            .filter(|e| e.other.contains_key("model"))
            .count()
            > 300
    );
    assert!(aircraft
        .iter()
        .any(|e| e.other.contains_key("serialNumber")));

    // A remark continued in sdn_comments.csv is joined before parsing.
    let e = entity(&parsed, "ofac:28263");
    assert!(
        e.remarks[0].contains("'snowsjohn'; Linked To: LAZARUS GROUP"),
        "{}",
        e.remarks[0]
    );
    assert!(names(e, NameKind::Alias).contains(&"snowsjohn"));
    let e = entity(&parsed, "ofac:44718");
    assert!(e.remarks[0].contains("Controlled By U.S. Financial Institutions"));

    // Every parsed birth date is read (text kept when not understood, which is rare).
    let dobs: Vec<_> = content
        .entities
        .iter()
        .flat_map(|e| &e.birth_dates)
        .collect();
    let understood = dobs.iter().filter(|b| b.date.is_some()).count();
    assert!(dobs.len() > 7_000);
    assert!(
        understood * 100 >= dobs.len() * 99,
        "{understood} of {}",
        dobs.len()
    );
}

#[test]
fn reads_the_consistent_2021_07_set() {
    let Some(dir) = crate::shared_data("lists/ofac/sdn_2021-07") else {
        return;
    };
    // Given as files, in another order than the join.
    let files: Vec<PathBuf> = ["sdn_comments.csv", "add.csv", "sdn.csv", "alt.csv"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let parsed = read(&files).expect("the 2021-07 set reads");
    let content = &parsed.lists[0];
    assert_eq!(content.entities.len(), 8_976);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings.first());
    let count = |schema| {
        content
            .entities
            .iter()
            .filter(|e| e.schema == schema)
            .count()
    };
    assert_eq!(
        [
            count(Schema::Person),
            count(Schema::Organization),
            count(Schema::Vessel),
            count(Schema::Aircraft)
        ],
        [4_620, 3_673, 406, 277]
    );
    let aliases: usize = content
        .entities
        .iter()
        .flat_map(|e| &e.sources)
        .filter(|s| s.file.ends_with("alt.csv"))
        .map(|s| s.record.split(", ").count())
        .sum();
    assert_eq!(aliases, 11_910);
    // A person whose SDN name has no comma keeps it as written.
    let e = content
        .entities
        .iter()
        .find(|e| e.caption() == "ABU ZUBAYDAH")
        .expect("ABU ZUBAYDAH");
    assert!(e.names[0].parts.is_empty());
}

#[test]
fn the_list_name_can_be_overridden() {
    let Some(dir) = crate::shared_data("lists/ofac/sdn_2021-07") else {
        return;
    };
    let options = ReadOptions {
        list: Some(vigil_model::ListName::new("us-sdn").unwrap()),
        ..Default::default()
    };
    let parsed = read_ofac(&[dir.join("sdn.csv")], &options).unwrap();
    assert_eq!(parsed.lists[0].list.as_str(), "us-sdn");
    assert!(parsed.lists[0].entities[0]
        .id
        .as_str()
        .starts_with("us-sdn:"));
    assert_eq!(parsed.files.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

const GOOD_ROW: &str = "10743,\"MUHAMMAD, Sirajuddin\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1977.\"\r\n";
const ORG_ROW: &str = "15484,\"HAQQANI NETWORK\",-0- ,\"FTO] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'HQN'.\"\r\n";

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// The problems of a refused input, one string each (`file:line (record): message`).
fn refused(paths: &[PathBuf]) -> Vec<String> {
    match read(paths) {
        Ok(_) => panic!("input was accepted"),
        Err(e) => e.problems(),
    }
}

fn assert_names_file_and_line(problems: &[String], file_line: &str, words: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.contains(file_line) && p.contains(words)),
        "no problem with {file_line:?} and {words:?} in {problems:#?}"
    );
}

#[test]
fn a_small_set_joins_all_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut sdn = format!("{GOOD_ROW}{ORG_ROW}").into_bytes();
    sdn.push(0x1A);
    write(dir.path(), "sdn.csv", &sdn);
    write(
        dir.path(),
        "alt.csv",
        b"10743,1,\"aka\",\"HAQQANI, Siraj\",-0- \r\n10743,2,\"fka\",\"OLD, Name\",-0- \r\n10743,3,\"aka\",\"KHALIFA\",\"weak a.k.a.\"\r\n99999,4,\"aka\",\"NOBODY\",-0- \r\n",
    );
    write(
        dir.path(),
        "add.csv",
        b"10743,1,\"Street 1\",\"Miramshah\",\"Pakistan\",-0- \r\n15484,2,-0- ,-0- ,-0- ,-0- \r\n",
    );
    write(dir.path(), "SDN_COMMENTS.CSV", b"15484,\"x\"\r\n");
    let parsed = read(&[dir.path().to_path_buf()]).unwrap();
    let e = entity(&parsed, "ofac:10743");
    assert_eq!(names(e, NameKind::Alias), ["Siraj HAQQANI"]);
    assert_eq!(names(e, NameKind::FormerName), ["Name OLD"]);
    assert_eq!(names(e, NameKind::WeakAlias), ["KHALIFA"]);
    assert_eq!(e.addresses.len(), 1);
    assert_eq!(e.birth_dates[0].text, "1977");
    let org = entity(&parsed, "ofac:15484");
    assert!(
        org.addresses.is_empty(),
        "an all-null address row adds nothing"
    );
    assert_eq!(
        org.remarks,
        ["a.k.a. 'HQN'."],
        "a short remark takes no overflow"
    );
    let messages: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages[0].contains("alt.csv:4 (ent_num 99999)"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("SDN_COMMENTS.CSV:1 (ent_num 15484)"),
        "{}",
        messages[1]
    );
}

#[test]
fn refuses_a_truncated_row() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = write(
        dir.path(),
        "sdn.csv",
        format!("{GOOD_ROW}15484,\"HAQQANI NETWORK\",-0- ,\"SDGT\"\r\n").as_bytes(),
    );
    let problems = refused(&[sdn]);
    assert_names_file_and_line(&problems, "sdn.csv:2", "expected 12 columns");
}

#[test]
fn refuses_a_non_numeric_ent_num() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = write(
        dir.path(),
        "sdn.csv",
        format!("{GOOD_ROW}{}", ORG_ROW.replacen("15484", "15A84", 1)).as_bytes(),
    );
    let problems = refused(std::slice::from_ref(&sdn));
    assert_names_file_and_line(&problems, "sdn.csv:2", "not a number");

    let alt = write(
        dir.path(),
        "alt.csv",
        b"10743,1,\"aka\",\"X\",-0- \r\nabc,2,\"aka\",\"Y\",-0- \r\n",
    );
    let problems = refused(&[sdn.clone(), alt]);
    assert_names_file_and_line(&problems, "alt.csv:2", "\"abc\" is not a number");
    // Every problem of every file is reported at once.
    assert_names_file_and_line(&problems, "sdn.csv:2", "not a number");
}

#[test]
fn refuses_a_duplicate_ent_num() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = write(
        dir.path(),
        "sdn.csv",
        format!("{GOOD_ROW}{ORG_ROW}{GOOD_ROW}").as_bytes(),
    );
    let problems = refused(&[sdn]);
    assert_names_file_and_line(
        &problems,
        "sdn.csv:3",
        "duplicate ent_num 10743: already on line 1",
    );
}

#[test]
fn refuses_an_unbalanced_quote() {
    let dir = tempfile::tempdir().unwrap();
    // The quote opened before HAQQANI is never closed on its line.
    let bad = "15484,\"HAQQANI NETWORK,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let sdn = write(
        dir.path(),
        "sdn.csv",
        format!("{GOOD_ROW}{bad}{ORG_ROW}").as_bytes(),
    );
    let problems = refused(&[sdn]);
    assert_names_file_and_line(&problems, "sdn.csv:2", "unbalanced quote");
}

#[test]
fn tolerates_a_stray_quote_in_the_overflow_file() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("DOB 1977; {}", "x".repeat(1000));
    let row = GOOD_ROW.replace("DOB 1977.", &long[..1000]);
    write(dir.path(), "sdn.csv", row.as_bytes());
    write(
        dir.path(),
        "sdn_comments.csv",
        b"\"10743,\"xyz; Gender Male.\r\n",
    );
    let parsed = read(&[dir.path().to_path_buf()]).unwrap();
    let e = entity(&parsed, "ofac:10743");
    assert!(e.remarks[0].ends_with("xyz; Gender Male."));
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(parsed.warnings.len(), 1);
    assert!(parsed.warnings[0]
        .to_string()
        .contains("sdn_comments.csv:1 (ent_num 10743): unbalanced quote"));
}

#[test]
fn refuses_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = write(dir.path(), "sdn.csv", b"");
    let problems = refused(&[sdn]);
    // An empty file has no line to name.
    assert!(
        problems[0].contains("sdn.csv") && problems[0].contains("empty"),
        "{problems:?}"
    );

    let only_eof = write(dir.path(), "sdn.csv", &[0x1A]);
    let problems = refused(&[only_eof]);
    assert!(
        problems[0].contains("sdn.csv") && problems[0].contains("no entries"),
        "{problems:?}"
    );
}

#[test]
fn refuses_bytes_that_are_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!("{GOOD_ROW}{ORG_ROW}").into_bytes();
    bytes.extend_from_slice(
        b"1,\"CAF\xC9\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
    );
    let sdn = write(dir.path(), "sdn.csv", &bytes);
    let problems = refused(&[sdn]);
    assert_names_file_and_line(&problems, "sdn.csv:3", "not UTF-8");
}

#[test]
fn refuses_an_overlong_field() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "A".repeat(vigil_model::MAX_FIELD_BYTES + 1);
    let row = ORG_ROW.replace("HAQQANI NETWORK", &huge);
    let sdn = write(dir.path(), "sdn.csv", format!("{GOOD_ROW}{row}").as_bytes());
    let problems = refused(&[sdn]);
    assert_names_file_and_line(&problems, "sdn.csv:2", "field SDN_Name is");

    let comments = write(
        dir.path(),
        "sdn_comments.csv",
        format!("10743,\"{huge}\"\r\n").as_bytes(),
    );
    let sdn = write(dir.path(), "sdn.csv", GOOD_ROW.as_bytes());
    let problems = refused(&[sdn, comments]);
    assert_names_file_and_line(&problems, "sdn_comments.csv:1", "over the limit");
}

#[test]
fn refuses_sets_without_sdn_csv_or_with_unknown_files() {
    let dir = tempfile::tempdir().unwrap();
    let alt = write(dir.path(), "alt.csv", b"10743,1,\"aka\",\"X\",-0- \r\n");
    let problems = refused(std::slice::from_ref(&alt));
    assert!(
        problems.iter().any(|p| p.contains("no sdn.csv")),
        "{problems:?}"
    );

    let sdn = write(dir.path(), "sdn.csv", GOOD_ROW.as_bytes());
    let extra = write(dir.path(), "cons_prim.csv", GOOD_ROW.as_bytes());
    let problems = refused(&[sdn.clone(), alt.clone(), extra]);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cons_prim.csv") && p.contains("not a file of an OFAC SDN set")),
        "{problems:?}"
    );
    // The same folder read as a whole refuses the stray file too.
    let problems = refused(&[dir.path().to_path_buf()]);
    assert!(
        problems.iter().any(|p| p.contains("cons_prim.csv")),
        "{problems:?}"
    );

    let problems = refused(&[sdn.clone(), sdn]);
    assert!(
        problems.iter().any(|p| p.contains("a second sdn.csv")),
        "{problems:?}"
    );

    let empty = tempfile::tempdir().unwrap();
    let problems = refused(&[empty.path().to_path_buf()]);
    assert!(
        problems.iter().any(|p| p.contains("no sdn.csv")),
        "{problems:?}"
    );
}
