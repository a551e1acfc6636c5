//! Own fixtures: delimiter and release-character edge cases, and every kind of bad input the
//! issue names. Each must give a clear error naming where, or an error record, never a panic and
//! never a dropped traveller.

use proptest::prelude::*;
use vigil_manifest::{read_all, ErrorRecord, ManifestReader, Options, Record, Traveller};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn split(records: Vec<Record>) -> (Vec<Traveller>, Vec<ErrorRecord>, Vec<Record>) {
    let (mut t, mut e, mut other) = (vec![], vec![], vec![]);
    for r in records {
        match r {
            Record::Traveller(x) => t.push(*x),
            Record::Error(x) => e.push(*x),
            r => other.push(r),
        }
    }
    (t, e, other)
}

fn lenient() -> Options {
    Options {
        strict: false,
        current_year: Some(2026),
    }
}

fn strict() -> Options {
    Options {
        strict: true,
        current_year: Some(2026),
    }
}

#[test]
fn custom_delimiters_release_character_and_latin1() {
    let (t, e, other) = split(read_all(&fixture("release_and_delimiters.edi"), lenient()).unwrap());
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].surname, "O*N|EIL");
    assert_eq!(t[0].given_names, "MAR!A ANN");
    assert_eq!(t[0].birth_date.as_deref(), Some("1980-01-01"));
    assert_eq!(t[0].documents[0].number, "PA*123");
    assert_eq!(t[0].documents[0].expiry.as_deref(), Some("2030-12-31"));
    // UNOC is ISO 8859-1: Ü decoded from one byte.
    assert_eq!(t[1].name, "JÜRGEN MÜLLER");
    assert_eq!(t[1].flights[0].from.as_deref(), Some("DME"));
    assert_eq!(t[1].flights[0].to.as_deref(), Some("TAS"));
    let Record::Message(m) = &other[0] else {
        panic!("{other:?}")
    };
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.segments, 20);
    // Strict mode has nothing to say either: the fixture is correct.
    let (_, e, _) = split(read_all(&fixture("release_and_delimiters.edi"), strict()).unwrap());
    assert!(e.is_empty(), "{e:?}");
}

#[test]
fn truncated_message_keeps_its_travellers_and_says_where() {
    let (t, e, _) = split(read_all(&fixture("truncated.edi"), lenient()).unwrap());
    assert_eq!(
        t.len(),
        2,
        "both travellers read before the cut are reported"
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].error.contains("truncated"), "{}", e[0]);
    assert_eq!(e[0].message.as_deref(), Some("M1"));
}

#[test]
fn wrong_counts_are_warnings_or_strict_errors() {
    let text =
        b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B:UN:IATA'NAD+FL+++X:Y'CNT+42:5'UNT+9+M'UNZ+3+IC'";
    let (t, e, other) = split(read_all(text, lenient()).unwrap());
    assert_eq!(t.len(), 1);
    assert!(e.is_empty());
    let Record::Message(m) = &other[0] else {
        panic!()
    };
    assert!(
        m.warnings
            .iter()
            .any(|w| w.contains("declares 9 segments, 4 counted")),
        "{:?}",
        m.warnings
    );
    assert!(
        m.warnings.iter().any(|w| w.contains("CNT declares 5")),
        "{:?}",
        m.warnings
    );
    let Record::Interchange(i) = &other[1] else {
        panic!()
    };
    assert!(i
        .warnings
        .iter()
        .any(|w| w.contains("declares 3 messages, 1 counted")));
    let (t, e, _) = split(read_all(text, strict()).unwrap());
    assert_eq!(t.len(), 1);
    assert!(
        e.iter()
            .any(|e| e.segment.as_deref() == Some("UNT") && e.position.segment == 5),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.segment.as_deref() == Some("UNZ")),
        "{e:?}"
    );
}

#[test]
fn unknown_and_invalid_segments() {
    let text = b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'XYZ+1'nad+FL+++X'NAD+FL+++REAL:ONE'UNT+6+M'UNZ+1+IC'";
    let (t, e, other) = split(read_all(text, lenient()).unwrap());
    assert_eq!(t.len(), 1);
    assert_eq!(e.len(), 1, "the lower-case tag is not a tag: {e:?}");
    assert_eq!(e[0].position.segment, 4);
    let Record::Message(m) = &other[0] else {
        panic!()
    };
    assert!(
        m.warnings
            .iter()
            .any(|w| w.contains("XYZ") && w.contains("unknown")),
        "{:?}",
        m.warnings
    );
    let (_, e, _) = split(read_all(text, strict()).unwrap());
    assert!(
        e.iter().any(|e| e.segment.as_deref() == Some("XYZ")),
        "{e:?}"
    );
}

#[test]
fn release_character_at_end_of_file() {
    let text = b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL+++LAST:ONE?";
    let (t, e, _) = split(read_all(text, lenient()).unwrap());
    assert!(
        e.iter()
            .any(|e| e.error.contains("release character") && e.position.segment == 3),
        "{e:?}"
    );
    assert!(e.iter().any(|e| e.error.contains("truncated")), "{e:?}");
    assert!(t.is_empty() || t[0].surname == "LAST");
}

#[test]
fn passenger_with_no_name_is_an_error_record() {
    let text = b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL'DOC+P+X123'NAD+FL+++NAMED:ONE'UNT+5+M'UNZ+1+IC'";
    let (t, e, _) = split(read_all(text, lenient()).unwrap());
    assert_eq!(t.len(), 1);
    assert_eq!(e.len(), 1);
    assert!(e[0].error.contains("no name"));
    let nameless = e[0].traveller.as_ref().unwrap();
    assert_eq!(
        nameless.documents[0].number, "X123",
        "what could be read is kept"
    );
    assert_eq!(e[0].position.segment, 3);
}

#[test]
fn character_sets() {
    // UNOY is UTF-8; UNOE is ISO 8859-5 (Cyrillic).
    let text = "UNB+UNOY:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL+++Иванов:Иван'UNT+3+M'UNZ+1+IC'";
    let (t, e, _) = split(read_all(text.as_bytes(), lenient()).unwrap());
    assert!(e.is_empty());
    assert_eq!(t[0].name, "Иван Иванов");
    let mut latin5 = b"UNB+UNOE:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL+++".to_vec();
    latin5.extend([0xB8, 0xD2, 0xD0, 0xDD]);
    latin5.extend(b"'UNT+3+M'UNZ+1+IC'");
    let (t, _, _) = split(read_all(&latin5, lenient()).unwrap());
    assert_eq!(t[0].surname, "Иван");
    // Invalid UTF-8 under UNOY: an error record naming the segment.
    let bad = b"UNB+UNOY:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL+++\xff\xfe'UNT+3+M'UNZ+1+IC'";
    let (t, e, _) = split(read_all(bad, lenient()).unwrap());
    assert!(t.is_empty());
    assert!(
        e[0].error.contains("UTF-8") && e[0].error.contains("NAD"),
        "{}",
        e[0]
    );
    // A character set Vigil does not decode is refused outright.
    let refused = b"UNB+UNOX:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'NAD+FL+++A:B'UNT+3+M'UNZ+1+IC'";
    let (t, e, _) = split(read_all(refused, lenient()).unwrap());
    assert!(t.is_empty());
    assert!(
        e[0].error.contains("UNOX") && e[0].error.contains("refused"),
        "{}",
        e[0]
    );
}

#[test]
fn wrong_delimiters_are_refused_with_a_reason() {
    for text in [
        &b"UNA:::::: UNB+UNOA:4+A"[..],
        b"NAD+FL+++X'",
        b"",
        b"   \n  ",
    ] {
        let err = match ManifestReader::new(text, lenient()) {
            Ok(_) => panic!("{text:?} accepted"),
            Err(e) => e.to_string(),
        };
        assert!(!err.is_empty());
    }
}

#[test]
fn pnrgov_infant_group_and_docs() {
    let text = "UNB+IATA:1+XX+YY+261206:0900+IC'UNH+1+PNRGOV:13:1:IA'MSG+:22'\
        TVL+061226:1030::1400+DME+TAS+HY+602'EQN+1'SRC'RCI+HY:ABC123'\
        TIF+KARIMOV+ALISHERMR:A:1'SSR+DOCS:HK::HY:::::/P/UZB/FA1234567/UZB/01MAR80/M/01MAR30/KARIMOV/ALISHER+::1'\
        SSR+INFT:HK:1:HY:::::KARIMOV/AZIZ 05MAY25+::1'\
        TIF+TBA+A:A:2'IFT+4:28::HY+CTCE A//EXAMPLE.UZ'FOP+CC:::VI:XXXX1234'\
        TVL+061226:1030::1400+DME+TAS+HY+602:Y'TIF+KARIMOV+ALISHERMR:A:1'UNT+15+1'UNZ+1+IC'";
    let (t, e, other) = split(read_all(text.as_bytes(), lenient()).unwrap());
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(t.len(), 3, "{t:#?}");
    let adult = &t[0];
    assert_eq!(adult.name, "ALISHER KARIMOV");
    assert_eq!(adult.documents[0].number, "FA1234567");
    assert_eq!(adult.birth_date.as_deref(), Some("1980-03-01"));
    assert_eq!(adult.reservation.as_deref(), Some("ABC123"));
    assert_eq!(adult.flights[0].flight, "HY602");
    assert_eq!(adult.itinerary.len(), 1);
    assert_eq!(adult.payments, vec!["CC VI XXXX1234".to_string()]);
    assert!(t[1].placeholder && !t[1].screenable());
    let infant = &t[2];
    assert_eq!(infant.role, vigil_manifest::Role::Infant);
    assert_eq!(infant.birth_date.as_deref(), Some("2025-05-05"));
    let Record::Message(m) = &other[0] else {
        panic!()
    };
    assert_eq!(m.reservations, Some(1));
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn a_hundred_megabyte_segment_stream_is_refused_at_the_segment_cap() {
    // No terminator anywhere: the reader stops at 64 KiB, it does not buffer the file.
    let mut text = b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'FTX+".to_vec();
    text.resize(text.len() + 100 * 1024 * 1024, b'A');
    let (_, e, _) = split(read_all(&text, lenient()).unwrap());
    assert!(e.iter().any(|e| e.error.contains("longer than")), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(r) = ManifestReader::new(&bytes[..], lenient()) {
            for _ in r {}
        }
    }

    #[test]
    fn any_segments_after_a_valid_header_never_panic(
        body in proptest::collection::vec(
            prop_oneof![
                Just(b"NAD+FL+++".to_vec()), Just(b"'".to_vec()), Just(b"+".to_vec()),
                Just(b":".to_vec()), Just(b"?".to_vec()), Just(b"UNT+".to_vec()),
                Just(b"UNH+1+PNRGOV:13:1:IA'".to_vec()), Just(b"TIF+".to_vec()),
                Just(b"SSR+DOCS:HK::::::/P/".to_vec()), Just(b"SRC'".to_vec()),
                Just(b"DTM+329:".to_vec()), Just(b"TDT+20+".to_vec()), Just(b"LOC+92+".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..8),
            ],
            0..64,
        )
    ) {
        let mut text = b"UNB+UNOA:4+A+B+1:1+IC'UNH+M+PAXLST:D:05B'".to_vec();
        for b in body { text.extend(b); }
        if let Ok(r) = ManifestReader::new(&text[..], lenient()) {
            for _ in r {}
        }
    }
}
