//! Tests of the national reader: the example files, and every rejection naming file, line and
//! column.

use std::path::{Path, PathBuf};

use vigil_formats::{detect, national, read, Format, FormatError, ParsedList, ReadOptions};
use vigil_model::{
    DateSpec, DesignationKind, DesignationStatus, Distribution, DocumentKind, ListName, NameKind,
    PartialDate, Schema,
};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn date(s: &str) -> PartialDate {
    PartialDate::parse_iso(s).unwrap()
}

const HEADER: &str = "id,schema,name,authority,legal_basis,listed_on";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ok(path: &Path) -> ParsedList {
    national::read_national_csv(path, &ReadOptions::default()).unwrap_or_else(|e| {
        panic!(
            "{} should read: {}",
            path.display(),
            e.problems().join("\n")
        )
    })
}

fn fails(path: &Path) -> FormatError {
    match national::read_national_csv(path, &ReadOptions::default()) {
        Ok(_) => panic!("{} should be refused", path.display()),
        Err(e) => e,
    }
}

/// The only problem names the file at `line`, and its message contains every `needle`.
fn assert_problem(err: &FormatError, path: &Path, line: u64, needles: &[&str]) {
    let problems = err.problems();
    let at = format!("{}:{line}", path.display());
    let found = problems
        .iter()
        .any(|p| p.starts_with(&at) && needles.iter().all(|n| p.contains(n)));
    assert!(
        found,
        "expected {at} with {needles:?} in:\n{}",
        problems.join("\n")
    );
}

#[test]
fn reads_the_russian_example() {
    let path = example("national_banned_organizations.csv");
    assert_eq!(
        detect(std::slice::from_ref(&path)).unwrap(),
        Format::NationalCsv
    );
    let parsed = read(std::slice::from_ref(&path), None, &ReadOptions::default()).unwrap();
    assert_eq!(parsed.format, Format::NationalCsv);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let list = &parsed.lists[0];
    assert_eq!(list.list.as_str(), "ru");
    assert_eq!(list.authority, "RU");
    assert_eq!(
        list.title,
        "Russia: banned organizations and wanted persons"
    );
    assert_eq!(list.published, None);
    assert_eq!(list.entities.len(), 17);
    assert!(list
        .entities
        .iter()
        .all(|e| e.schema == Schema::Organization && e.distribution == Distribution::Public));

    let first = &list.entities[0];
    assert_eq!(first.id.as_str(), "ru:1");
    assert_eq!(
        first.caption(),
        "Higher Military Majlis ul-Shura of the United Forces of the Mujahedin of the Caucasus"
    );
    assert_eq!(first.sources[0].record, "line 5");
    assert_eq!(first.sources[0].file, "national_banned_organizations.csv");

    let hizb = list
        .entities
        .iter()
        .find(|e| e.id.as_str() == "ru:8")
        .unwrap();
    assert_eq!(hizb.caption(), "Hizb ut-Tahrir al-Islami");
    let original = hizb
        .names
        .iter()
        .find(|n| n.kind == NameKind::OriginalScript)
        .unwrap();
    assert_eq!(original.value, "Партия исламского освобождения");
    assert_eq!(original.script, "Cyrl");
    assert_eq!(original.lang.as_deref(), Some("ru"));
    let aliases: Vec<&str> = hizb
        .names
        .iter()
        .filter(|n| n.kind == NameKind::Alias)
        .map(|n| n.value.as_str())
        .collect();
    assert_eq!(
        aliases,
        vec![
            "Hizb ut-Tahrir",
            "Islamic Liberation Party",
            "Хизб ут-Тахрир аль-Ислами"
        ]
    );
    let d = &hizb.designations[0];
    assert_eq!(d.authority, "RU");
    assert_eq!(d.kind, DesignationKind::OrganizationBan);
    assert_eq!(d.regime, "terrorist organizations");
    assert_eq!(d.listed_on, Some(date("2003-02-14")));
    assert_eq!(d.reference.as_deref(), Some("ГКПИ 03-116"));
    assert!(d
        .legal_basis
        .as_deref()
        .unwrap()
        .contains("Supreme Court of the Russian Federation of 14 February 2003"));
    assert_eq!(d.status, DesignationStatus::Listed);

    let taliban = list
        .entities
        .iter()
        .find(|e| e.caption() == "Taliban")
        .unwrap();
    assert_eq!(taliban.designations[0].status, DesignationStatus::Delisted);
    assert_eq!(
        taliban.designations[0].delisted_on,
        Some(date("2025-04-17"))
    );
    assert!(!taliban.is_listed());
    let from_2003 = list
        .entities
        .iter()
        .filter(|e| e.designations[0].listed_on == Some(date("2003-02-14")))
        .count();
    assert_eq!(from_2003, 15);
}

#[test]
fn reads_the_kazakh_example_with_a_dotted_date() {
    let parsed = ok(&example("national_banned_organizations_kz.csv"));
    let list = &parsed.lists[0];
    assert_eq!((list.list.as_str(), list.authority.as_str()), ("kz", "KZ"));
    let e = &list.entities[0];
    assert_eq!(e.id.as_str(), "kz:1");
    assert_eq!(e.designations[0].listed_on, Some(date("2005-03-28")));
    assert_eq!(e.designations[0].regime, "banned organizations");
}

#[test]
fn reads_persons_synonyms_semicolons_and_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}# a test list\n\
ID;Type;Full Name;Authority;Decision;Date;Date of Birth;Place of Birth;Citizenship;Passport;Distribution;Alias;Colour\n\
p-1;Person;Test Person One;ru-fsb;Order 1;01.02.2020;circa 1980|1981;Tashkent, Uzbekistan;UZ|RU;passport:AB123:UZ|national_id:777;states:kz, uz;Tester|Тестер;blue\n\
o-1;Organization;Test Front;RU-FSB;Order 2;2020;;;;;;;\n";
    let path = write(&dir, "persons.csv", text);
    let parsed = ok(&path);
    let list = &parsed.lists[0];
    assert_eq!(list.list.as_str(), "ru-fsb");
    assert_eq!(list.authority, "RU-FSB");
    // The unknown column is named once, as a warning.
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0]
        .to_string()
        .contains("column 13 (\"Colour\")"));
    let p = &list.entities[0];
    assert_eq!(p.id.as_str(), "ru-fsb:p-1");
    assert_eq!(p.schema, Schema::Person);
    assert_eq!(p.designations[0].kind, DesignationKind::WantedPerson);
    assert_eq!(p.designations[0].regime, "wanted persons");
    assert_eq!(p.designations[0].listed_on, Some(date("2020-02-01")));
    assert_eq!(p.birth_dates.len(), 2);
    assert!(p.birth_dates[0].approximate);
    assert_eq!(p.birth_dates[0].date, Some(DateSpec::Exact(date("1980"))));
    assert_eq!(p.birth_places[0].text, "Tashkent, Uzbekistan");
    assert_eq!(p.nationalities.len(), 2);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[0].kind, DocumentKind::Passport);
    assert_eq!(p.documents[0].number, "AB123");
    assert_eq!(p.documents[1].kind, DocumentKind::NationalId);
    assert_eq!(
        p.distribution,
        Distribution::States(vec!["KZ".to_string(), "UZ".to_string()])
    );
    assert_eq!(p.names.len(), 3);
    let o = &list.entities[1];
    assert_eq!(o.designations[0].kind, DesignationKind::OrganizationBan);
    assert_eq!(o.distribution, Distribution::AllMembers);
    assert_eq!(o.designations[0].status, DesignationStatus::Listed);
    assert_eq!(o.sources[0].record, "line 4");
}

#[test]
fn refuses_a_missing_required_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "no-basis.csv",
        "# note\nid,schema,name,authority\n1,organization,X,RU\n",
    );
    let err = fails(&path);
    assert_problem(&err, &path, 2, &["legal_basis, listed_on", "required"]);
}

#[test]
fn refuses_empty_required_fields_naming_each_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\n1,organization,,RU,Decision,2003-02-14\n2,organization,Y,RU,,\n");
    let path = write(&dir, "empty-field.csv", &text);
    let err = fails(&path);
    assert_eq!(err.problems().len(), 3, "{:?}", err.problems());
    assert_problem(&err, &path, 2, &["(id 1)", "column 3 (name)", "empty"]);
    assert_problem(&err, &path, 3, &["column 5 (legal_basis)", "empty"]);
    assert_problem(&err, &path, 3, &["column 6 (listed_on)", "empty"]);
}

#[test]
fn refuses_bad_dates() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER},delisted_on,status\n\
1,organization,X,RU,D,31.02.2003,,\n\
2,organization,Y,RU,D,yesterday,,\n\
3,organization,Z,RU,D,2010-01-01,2009-01-01,delisted\n\
4,organization,W,RU,D,2010-01-01,2011-01-01,listed\n"
    );
    let path = write(&dir, "dates.csv", &text);
    let err = fails(&path);
    assert_eq!(err.problems().len(), 4, "{:?}", err.problems());
    assert_problem(
        &err,
        &path,
        2,
        &["column 6 (listed_on)", "\"31.02.2003\"", "day out of range"],
    );
    assert_problem(&err, &path, 3, &["column 6 (listed_on)", "\"yesterday\""]);
    assert_problem(
        &err,
        &path,
        4,
        &["column 7 (delisted_on)", "before the listing date"],
    );
    assert_problem(
        &err,
        &path,
        5,
        &["column 7 (delisted_on)", "status is not delisted"],
    );
}

#[test]
fn refuses_unknown_schema_kind_status_and_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER},kind,status,distribution\n\
1,vessel,X,RU,D,2003,,,\n\
2,organization,Y,RU,D,2003,embargo,,\n\
3,organization,Z,RU,D,2003,,suspended,\n\
4,organization,W,RU,D,2003,,,secret\n\
5,organization,V,RU,D,2003,wanted_person,,\n\
6,organization,U,RU,D,2003,,,states:\n"
    );
    let path = write(&dir, "enums.csv", &text);
    let err = fails(&path);
    assert_eq!(err.problems().len(), 6, "{:?}", err.problems());
    assert_problem(&err, &path, 2, &["column 2 (schema)", "\"vessel\""]);
    assert_problem(&err, &path, 3, &["column 7 (kind)", "\"embargo\""]);
    assert_problem(&err, &path, 4, &["column 8 (status)", "\"suspended\""]);
    assert_problem(&err, &path, 5, &["column 9 (distribution)", "\"secret\""]);
    assert_problem(
        &err,
        &path,
        6,
        &["column 7 (kind)", "wanted_person is for persons"],
    );
    assert_problem(&err, &path, 7, &["column 9 (distribution)", "at least one"]);
}

#[test]
fn refuses_bad_authorities_documents_and_languages() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER},document,name_lang,name_original\n\
1,person,X,Russia,D,2003,,,\n\
2,person,Y,RU,D,2003,visa:123,,\n\
3,person,Z,RU,D,2003,,russian,Зет\n"
    );
    let path = write(&dir, "codes.csv", &text);
    let err = fails(&path);
    assert_eq!(err.problems().len(), 3, "{:?}", err.problems());
    assert_problem(&err, &path, 2, &["column 4 (authority)", "\"RUSSIA\""]);
    assert_problem(&err, &path, 3, &["column 7 (document)", "\"visa:123\""]);
    assert_problem(&err, &path, 4, &["column 8 (name_lang)", "\"russian\""]);
}

#[test]
fn refuses_duplicate_ids_naming_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n7,organization,X,RU,D,2003\n8,organization,Y,RU,D,2003\n7,organization,Z,RU,D,2003\nbad id,organization,W,RU,D,2003\n"
    );
    let path = write(&dir, "dup.csv", &text);
    let err = fails(&path);
    assert_problem(
        &err,
        &path,
        4,
        &["(id 7)", "column 1 (id)", "already used at line 2"],
    );
    assert_problem(&err, &path, 5, &["(id bad id)", "column 1 (id)", "invalid"]);
}

#[test]
fn refuses_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n1,organization,X,RU,D,2003\n2,organization,\"Y, Z\",RU,D\n3,organization,Y, Z,RU,D,2003\n"
    );
    let path = write(&dir, "ragged.csv", &text);
    let err = fails(&path);
    assert_eq!(err.problems().len(), 2, "{:?}", err.problems());
    assert_problem(&err, &path, 3, &["5 fields", "header has 6"]);
    assert_problem(&err, &path, 4, &["7 fields", "header has 6"]);
}

#[test]
fn refuses_an_overlong_field() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100 * 1024);
    let text = format!(
        "{HEADER},remarks\n1,organization,X,RU,D,2003,ok\n2,organization,Y,RU,D,2003,{long}\n"
    );
    let path = write(&dir, "long.csv", &text);
    let err = fails(&path);
    assert_problem(&err, &path, 3, &["column 7 (remarks)", "102400 bytes"]);
}

#[test]
fn several_authorities_need_a_list_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n1,organization,X,RU,D,2003\n2,organization,Y,KZ,D,2003\n3,organization,Z,KZ,D,2003\n"
    );
    let path = write(&dir, "mixed.csv", &text);
    let err = fails(&path);
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("RU (first at line 2), KZ (first at line 3)")
            && message.contains("--list"),
        "{message}"
    );

    let options = ReadOptions {
        list: Some(ListName::new("rats-register").unwrap()),
        progress: None,
    };
    let parsed = national::read_national_csv(&path, &options).unwrap();
    let list = &parsed.lists[0];
    assert_eq!(list.list.as_str(), "rats-register");
    assert_eq!(list.authority, "KZ", "the authority most rows name");
    assert_eq!(list.entities[0].id.as_str(), "rats-register:1");
    assert_eq!(list.entities[0].designations[0].authority, "RU");
}

#[test]
fn refuses_empty_headerless_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "header-only.csv", &format!("{HEADER}\n"));
    assert_problem(&fails(&path), &path, 1, &["no rows"]);

    let path = write(&dir, "comments.csv", "# nothing here\n");
    let err = fails(&path);
    assert!(err.to_string().contains("no header line"), "{err}");

    let path = write(&dir, "zero.csv", "");
    assert!(fails(&path).to_string().contains("empty (0 bytes)"));

    let path = dir.path().join("cp1251.csv");
    let mut bytes = format!("{HEADER}\n1,organization,").into_bytes();
    bytes.extend_from_slice(&[0xC1, 0xE0, 0xE7, 0xE0]);
    bytes.extend_from_slice(b",RU,D,2003\n");
    std::fs::write(&path, bytes).unwrap();
    assert_problem(&fails(&path), &path, 2, &["not UTF-8", "WINDOWS-1251"]);

    let path = write(&dir, "single-column.csv", "id|schema|name\n1|x|y\n");
    assert_problem(&fails(&path), &path, 1, &["single column"]);
}

#[test]
fn read_refuses_several_national_files() {
    let path = example("national_banned_organizations.csv");
    let err = read(
        &[
            path.clone(),
            example("national_banned_organizations_kz.csv"),
        ],
        Some(Format::NationalCsv),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("one file at a time"), "{err}");
    let err = detect(&[path.clone(), path]).unwrap_err();
    assert!(err.to_string().contains("only an OFAC set"), "{err}");
}
