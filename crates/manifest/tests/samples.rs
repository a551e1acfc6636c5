//! The real PAXLST and PNRGOV messages in `../shared/data/paxlst/` (GTAS test resources): every
//! one parses with the traveller counts its SOURCES.md documents.

use std::path::PathBuf;

use vigil_manifest::{ManifestReader, Options, Record, Role};

fn shared(dir: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/paxlst");
    let path = root.join(dir);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, the real manifest samples are not tested",
            path.display()
        );
        None
    }
}

struct Read {
    travellers: Vec<vigil_manifest::Traveller>,
    errors: Vec<vigil_manifest::ErrorRecord>,
    messages: Vec<vigil_manifest::MessageSummary>,
    interchanges: Vec<vigil_manifest::InterchangeSummary>,
}

fn read(dir: &std::path::Path, file: &str) -> Read {
    let f = std::fs::File::open(dir.join(file)).unwrap();
    let reader = ManifestReader::new(
        f,
        Options {
            strict: false,
            current_year: Some(2026),
        },
    )
    .unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut r = Read {
        travellers: vec![],
        errors: vec![],
        messages: vec![],
        interchanges: vec![],
    };
    for rec in reader {
        match rec {
            Record::Traveller(t) => r.travellers.push(*t),
            Record::Error(e) => r.errors.push(*e),
            Record::Message(m) => r.messages.push(*m),
            Record::Interchange(i) => r.interchanges.push(*i),
        }
    }
    r
}

#[test]
fn paxlst_samples_have_their_documented_travellers() {
    let Some(dir) = shared("gtas") else { return };
    // (file, travellers, crew, legs)
    for (file, passengers, crew, legs) in [
        ("Test1.txt", 0, 8, 1),
        ("Test3.txt", 259, 0, 1),
        ("airline2.edi", 10, 0, 1),
        ("multiple_flight_leg_apis.txt", 2, 0, 3),
        ("apisMessage.txt", 2, 0, 2),
        ("flight1.txt", 10, 0, 1),
        ("flight2.txt", 10, 0, 1),
        ("flight3.txt", 10, 0, 1),
    ] {
        let r = read(&dir, file);
        let count = |role| r.travellers.iter().filter(|t| t.role == role).count();
        assert_eq!(count(Role::Passenger), passengers, "{file}: passengers");
        assert_eq!(count(Role::Crew), crew, "{file}: crew");
        assert_eq!(r.messages.len(), 1, "{file}: one message");
        assert_eq!(r.interchanges.len(), 1, "{file}: one interchange");
        assert_eq!(r.messages[0].flights.len(), legs, "{file}: legs");
        let expected_errors = usize::from(file == "Test3.txt");
        assert_eq!(r.errors.len(), expected_errors, "{file}: {:?}", r.errors);
        for t in &r.travellers {
            assert!(!t.surname.is_empty(), "{file}: {t:?}");
            assert_eq!(t.flights.len(), legs, "{file}: {t:?}");
        }
    }
}

#[test]
fn paxlst_details_are_read() {
    let Some(dir) = shared("gtas") else { return };
    let r = read(&dir, "multiple_flight_leg_apis.txt");
    let t = &r.travellers[0];
    assert_eq!(t.name, "TODD BARRETT");
    assert_eq!(t.gender.as_deref(), Some("M"));
    assert_eq!(t.birth_date.as_deref(), Some("1968-02-23"));
    assert_eq!(t.nationality.as_deref(), Some("FRA"));
    assert_eq!(t.residence.as_deref(), Some("FRA"));
    assert_eq!(t.embarkation.as_deref(), Some("MIA"));
    assert_eq!(t.debarkation.as_deref(), Some("CDG"));
    assert_eq!(t.reservation.as_deref(), Some("GJIO3RT"));
    assert_eq!(t.documents.len(), 1);
    assert_eq!(t.documents[0].number, "YY3478621G");
    assert_eq!(t.documents[0].kind, "P");
    assert_eq!(t.documents[0].issuer.as_deref(), Some("FRA"));
    assert_eq!(t.documents[0].expiry.as_deref(), Some("2008-12-30"));
    let legs = &t.flights;
    assert_eq!(legs[0].from.as_deref(), Some("MIA"));
    assert_eq!(legs[0].to.as_deref(), Some("IAD"));
    assert_eq!(legs[0].departure.as_deref(), Some("2008-07-10T15:00"));
    assert_eq!(legs[2].from.as_deref(), Some("JFK"));
    assert_eq!(legs[2].to.as_deref(), Some("CDG"));
    // The trailing "13Nov09" after UNZ is reported, not read.
    assert!(r.interchanges[0]
        .warnings
        .iter()
        .any(|w| w.contains("after UNZ")));

    // Test3: the MacRoman byte in "Nov\x87k" is outside UNOA: an error record that keeps the
    // traveller, 259 others read; CR-only line ends.
    let r = read(&dir, "Test3.txt");
    let e = &r.errors[0];
    assert!(e.error.contains("0x87"), "{e}");
    let t = e.traveller.as_ref().unwrap();
    assert_eq!(t.given_names, "Jeffrey Pat");
    assert!(e.position.line > 1);
    assert_eq!(r.messages[0].part.as_deref(), Some("01:C"));
    assert!(r.messages[0].warnings.iter().any(|w| w.contains("UNT")));
    assert!(r.messages[0].warnings.iter().any(|w| w.contains("CNT")));

    // airline2: element separator '*', terminator '$'.
    let r = read(&dir, "airline2.edi");
    assert_eq!(r.interchanges[0].delimiters.element, b'*');
    assert_eq!(r.interchanges[0].delimiters.terminator, b'$');

    // flight1: a DOC with no type still yields its number; visas are documents too.
    let r = read(&dir, "flight1.txt");
    let t = &r.travellers[0];
    assert_eq!(t.documents.len(), 2, "{t:?}");
    assert_eq!(t.documents[0].number, "433419360");
    assert_eq!(t.documents[1].kind, "V");
    assert_eq!(t.birth_date.as_deref(), Some("1967-06-03"));

    // Test1: crew with free-text birth place and CNT+41+8.
    let r = read(&dir, "Test1.txt");
    assert_eq!(r.messages[0].declared_travellers, Some(8));
    assert!(r.travellers[0].birth_place.is_some());
}

#[test]
fn pnrgov_samples_have_their_documented_travellers() {
    let Some(dir) = shared("gtas-pnrgov") else {
        return;
    };
    for (file, reservations, travellers, placeholders, infants) in [
        ("2_pnrs_basic.edi", 2, 5, 0, 0),
        ("3_pnrs.edi", 3, 14, 7, 1),
        ("adult_and_infant.edi", 1, 2, 0, 1),
        ("codeshare.edi", 2, 2, 0, 0),
        ("infant.edi", 1, 2, 0, 1),
        ("multiple_flight_leg_pnr.txt", 1, 2, 0, 0),
        ("pnrMessageExample.txt", 1, 5, 0, 0),
        ("danglingMetaCharacter.txt", 1, 1, 0, 0),
        ("pnrWithDoco.txt", 1, 1, 0, 0),
        ("pnrBadFormat.txt", 1, 2, 0, 0),
    ] {
        let r = read(&dir, file);
        assert!(r.errors.is_empty(), "{file}: {:?}", r.errors);
        assert_eq!(
            r.travellers.len(),
            travellers,
            "{file}: {:#?}",
            r.travellers.iter().map(|t| &t.name).collect::<Vec<_>>()
        );
        let placeholder = r.travellers.iter().filter(|t| t.placeholder).count();
        assert_eq!(placeholder, placeholders, "{file}: placeholders");
        let infant = r
            .travellers
            .iter()
            .filter(|t| t.role == Role::Infant)
            .count();
        assert_eq!(infant, infants, "{file}: infants");
        let held: u64 = r.messages.iter().filter_map(|m| m.reservations).sum();
        assert_eq!(held, reservations, "{file}: reservations");
    }
}
