//! PNRGOV (IATA/WCO PNR push, versions 10.1 to 13.1): a message-level TVL for the flight the
//! push is about, then one SRC group per reservation holding its travellers (TIF), their
//! documents (SSR DOCS/DOCO/DOCA, SSR INFT), contacts (IFT CTC…), payment (FOP) and the
//! itinerary (TVL).
//!
//! A traveller appears several times in one reservation (passenger group, then once per flight
//! and in the history), so a reservation is buffered until its end and its travellers are
//! deduplicated by name. The buffer is bounded: a reservation larger than the bounds is
//! emitted in pieces with an error record, never held whole.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::{
    code, ddmmmyy, edifact_date, Century, Context, Decoded, Document, ErrorRecord, Leg,
    MessageKind, Position, Record, Role, Segment, Traveller,
};

const IGNORED: &[&[u8]] = &[
    b"MSG", b"ORG", b"DAT", b"EBD", b"FTI", b"REF", b"FAR", b"TKT", b"MON", b"PTK", b"TXD", b"APD",
    b"TRI", b"SSD", b"TBD", b"RPI", b"ABI", b"SAC", b"LTS", b"EQN", b"PSI", b"CNT", b"DCS", b"PDT",
    b"RCD", b"TXT", b"MEA", b"LOC", b"DTM", b"FTX", b"EQD", b"PPD", b"SEQ",
];

/// Most travellers held for one reservation before it is emitted in pieces.
const MAX_TRAVELLERS_PER_PNR: usize = 999;
/// Most itinerary legs kept per reservation.
const MAX_LEGS_PER_PNR: usize = 256;

/// An SSR DOCS/DOCO/INFT read before its owner is known.
struct PendingDoc {
    reference: String,
    /// The traveller last named when the SSR came.
    current: Option<usize>,
    surname: String,
    given: String,
    infant: bool,
    document: Option<Document>,
    nationality: Option<String>,
    birth_date: Option<String>,
    gender: Option<String>,
    birth_place: Option<String>,
    position: Position,
}

struct Person {
    traveller: Traveller,
    reference: String,
    errors: Vec<String>,
}

#[derive(Default)]
struct Pnr {
    locator: Option<String>,
    people: Vec<Person>,
    current: Option<usize>,
    itinerary: Vec<Leg>,
    docs: Vec<PendingDoc>,
    contacts: Vec<String>,
    addresses: Vec<String>,
    payments: Vec<String>,
}

#[derive(Clone, Copy)]
enum Detail {
    Contact,
    Address,
}

impl Pnr {
    /// A contact or address belongs to the traveller named last, or else to the whole
    /// reservation; `errors` (from decoding it) go to that traveller.
    fn attach(&mut self, detail: Detail, value: String, errors: Vec<String>) {
        match self.current.and_then(|i| self.people.get_mut(i)) {
            Some(p) => {
                match detail {
                    Detail::Contact => p.traveller.contacts.push(value),
                    Detail::Address => p.traveller.addresses.push(value),
                }
                p.errors.extend(errors);
            }
            None => match detail {
                Detail::Contact => self.contacts.push(value),
                Detail::Address => self.addresses.push(value),
            },
        }
    }
}

pub(crate) struct Pnrgov {
    reference: String,
    no_legs: Arc<[Leg]>,
    pub reported: Option<Leg>,
    pub travellers: u64,
    pub reservations: u64,
    pub declared_reservations: Option<u64>,
    pnr: Option<Pnr>,
}

/// Upper case, spaces and a trailing title dropped: `SMITH JR` / `JOHN MR` → `SMITHJR` / `JOHN`.
fn name_key(name: &str) -> String {
    let compact: String = name
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    strip_title(&compact).to_string()
}

/// The title PNR names carry glued to the given name (`JOHNMR`, `MOLLYMRS`).
fn strip_title(given: &str) -> &str {
    for title in ["MSTR", "MISS", "MRS", "MR", "MS", "DR"] {
        if let Some(rest) = given.strip_suffix(title) {
            if rest.chars().count() >= 2 {
                return rest;
            }
        }
    }
    given
}

/// The given names as screened: the title dropped (`ISABELLE MRS` → `ISABELLE`).
fn given_without_title(given: &str) -> String {
    let words: Vec<&str> = given.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest))
            if !rest.is_empty()
                && ["MR", "MRS", "MS", "MISS", "MSTR", "DR"]
                    .contains(&last.to_ascii_uppercase().as_str()) =>
        {
            rest.join(" ")
        }
        Some((last, rest)) => {
            let mut out: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            out.push(strip_title(last).to_string());
            out.join(" ")
        }
        None => String::new(),
    }
}

fn tvl_leg(seg: &Segment) -> Option<Leg> {
    let from = code(seg, 2, 0)?;
    let to = code(seg, 3, 0)?;
    let carrier = code(seg, 4, 0);
    let number = String::from_utf8_lossy(seg.value(5, 0)).trim().to_string();
    let when = |d: usize, t: usize| -> Option<String> {
        let date = String::from_utf8_lossy(seg.value(1, d)).into_owned();
        let time = String::from_utf8_lossy(seg.value(1, t)).into_owned();
        if date.is_empty() {
            return None;
        }
        edifact_date(&format!("{date}{time}"), Century::Expiry)
            .or_else(|| edifact_date(&date, Century::Expiry))
    };
    Some(Leg {
        flight: format!("{}{number}", carrier.as_deref().unwrap_or("")),
        carrier,
        from: Some(from),
        to: Some(to),
        departure: when(0, 1),
        arrival: when(2, 3),
    })
}

impl Pnrgov {
    pub fn new(reference: &str) -> Self {
        Pnrgov {
            reference: reference.to_string(),
            no_legs: Arc::from(Vec::new()),
            reported: None,
            travellers: 0,
            reservations: 0,
            declared_reservations: None,
            pnr: None,
        }
    }

    fn flush(&mut self, out: &mut VecDeque<Record>) {
        let Some(mut pnr) = self.pnr.take() else {
            return;
        };
        self.reservations += 1;
        for doc in std::mem::take(&mut pnr.docs) {
            let owner = self.owner(&pnr, &doc);
            let idx = match owner {
                Some(i) => i,
                None => {
                    // A document for someone the reservation does not name otherwise.
                    let role = if doc.infant {
                        Role::Infant
                    } else {
                        Role::Passenger
                    };
                    let mut t = Traveller::new(
                        MessageKind::Pnrgov,
                        &self.reference,
                        doc.position,
                        role,
                        &self.no_legs,
                    );
                    t.set_name(&doc.surname, &given_without_title(&doc.given));
                    pnr.people.push(Person {
                        traveller: t,
                        reference: doc.reference.clone(),
                        errors: Vec::new(),
                    });
                    pnr.people.len() - 1
                }
            };
            let Some(person) = pnr.people.get_mut(idx) else {
                continue;
            };
            let t = &mut person.traveller;
            if let Some(d) = doc.document {
                if !t.documents.iter().any(|x| x.number == d.number) {
                    t.documents.push(d);
                }
            }
            t.nationality = t.nationality.take().or(doc.nationality);
            t.birth_date = t.birth_date.take().or(doc.birth_date);
            t.gender = t.gender.take().or(doc.gender);
            t.birth_place = t.birth_place.take().or(doc.birth_place);
        }
        let flights: Arc<[Leg]> = self.reported.iter().cloned().collect();
        let itinerary: Arc<[Leg]> = Arc::from(pnr.itinerary);
        for person in pnr.people {
            self.travellers += 1;
            let mut t = person.traveller;
            t.reservation = pnr.locator.clone();
            t.flights = flights.clone();
            t.itinerary = itinerary.clone();
            if t.contacts.is_empty() {
                t.contacts = pnr.contacts.clone();
            }
            t.addresses.extend(pnr.addresses.iter().cloned());
            t.payments = pnr.payments.clone();
            out.push_back(t.into_record("TIF", person.errors));
        }
    }

    /// Whose document this is: the traveller reference, then the name, then (for an infant's
    /// document) the infant with that surname, then whoever was named last.
    fn owner(&self, pnr: &Pnr, doc: &PendingDoc) -> Option<usize> {
        let surname = name_key(&doc.surname);
        let given_first = doc
            .given
            .split_whitespace()
            .next()
            .map(name_key)
            .unwrap_or_default();
        let by_name = |p: &Person| {
            name_key(&p.traveller.surname) == surname
                && p.traveller
                    .given_names
                    .split_whitespace()
                    .next()
                    .map(name_key)
                    .unwrap_or_default()
                    == given_first
        };
        if !surname.is_empty() {
            if let Some(i) = pnr.people.iter().position(by_name) {
                return Some(i);
            }
            if doc.infant {
                if let Some(i) = pnr.people.iter().position(|p| {
                    p.traveller.role == Role::Infant && name_key(&p.traveller.surname) == surname
                }) {
                    return Some(i);
                }
                // An infant travels on an adult's seat and is named only in the SSR.
                return None;
            }
        }
        if !doc.reference.is_empty() {
            if let Some(i) = pnr
                .people
                .iter()
                .position(|p| p.reference == doc.reference && p.traveller.role != Role::Infant)
            {
                if surname.is_empty() || name_key(&pnr.people[i].traveller.surname) == surname {
                    return Some(i);
                }
            }
        }
        if surname.is_empty() {
            return doc.current;
        }
        doc.current.filter(|&i| {
            pnr.people
                .get(i)
                .is_some_and(|p| name_key(&p.traveller.surname) == surname)
        })
    }

    pub fn segment(
        &mut self,
        ctx: &Context,
        seg: &Segment,
        out: &mut VecDeque<Record>,
        warnings: &mut Vec<String>,
    ) -> bool {
        let tag = seg.tag();
        match tag {
            b"SRC" => {
                self.flush(out);
                self.pnr = Some(Pnr::default());
            }
            b"EQN" if self.pnr.is_none() && self.reservations == 0 => {
                self.declared_reservations = seg.code(1, 0).parse().ok();
            }
            b"TVL" => {
                let leg = tvl_leg(seg);
                match &mut self.pnr {
                    None => {
                        if self.reported.is_none() {
                            self.reported = leg;
                        }
                    }
                    Some(pnr) => {
                        if let Some(leg) = leg {
                            if !pnr.itinerary.iter().any(|l| {
                                l.flight == leg.flight
                                    && l.from == leg.from
                                    && l.to == leg.to
                                    && (l.departure.as_deref().map(|d| &d[..10.min(d.len())])
                                        == leg.departure.as_deref().map(|d| &d[..10.min(d.len())]))
                            }) && pnr.itinerary.len() < MAX_LEGS_PER_PNR
                            {
                                pnr.itinerary.push(leg);
                            }
                        }
                    }
                }
            }
            b"RCI" => {
                if let Some(pnr) = &mut self.pnr {
                    if pnr.locator.is_none() {
                        pnr.locator = code(seg, 1, 1);
                    }
                }
            }
            b"TIF" => self.tif(ctx, seg, out, warnings),
            b"SSR" => self.ssr(ctx, seg, warnings),
            b"IFT" => {
                let Some(pnr) = &mut self.pnr else {
                    return true;
                };
                let mut errors = Vec::new();
                let mut d = Decoded {
                    charset: ctx.charset,
                    errors: &mut errors,
                };
                let text = d.bytes(seg, &seg.element_bytes(2));
                if let Some(contact) = text.strip_prefix("CTC") {
                    let contact = contact.get(1..).unwrap_or("").trim().replace("//", "@");
                    if !contact.is_empty() {
                        pnr.attach(Detail::Contact, contact, errors);
                    }
                }
            }
            b"ADD" => {
                let Some(pnr) = &mut self.pnr else {
                    return true;
                };
                let mut errors = Vec::new();
                let mut d = Decoded {
                    charset: ctx.charset,
                    errors: &mut errors,
                };
                let parts: Vec<String> = (1..seg.components(2))
                    .map(|c| d.text(seg, 2, c))
                    .filter(|s| !s.is_empty())
                    .collect();
                if !parts.is_empty() {
                    let address = parts.join(", ");
                    pnr.attach(Detail::Address, address, errors);
                }
            }
            b"FOP" => {
                if let Some(pnr) = &mut self.pnr {
                    let kind = seg.code(1, 0);
                    let vendor = seg.code(1, 3);
                    let account = seg.code(1, 4);
                    let text = [kind, vendor, account]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !text.is_empty() && !pnr.payments.contains(&text) {
                        pnr.payments.push(text);
                    }
                }
            }
            _ => {
                if !IGNORED.contains(&tag) {
                    return false;
                }
            }
        }
        true
    }

    fn tif(
        &mut self,
        ctx: &Context,
        seg: &Segment,
        out: &mut VecDeque<Record>,
        warnings: &mut Vec<String>,
    ) {
        if self.pnr.is_none() {
            warnings.push(format!(
                "TIF at {} before any SRC: read as its own reservation",
                seg.position
            ));
            self.pnr = Some(Pnr::default());
        }
        let full = self
            .pnr
            .as_ref()
            .is_some_and(|p| p.people.len() >= MAX_TRAVELLERS_PER_PNR);
        if full {
            out.push_back(Record::Error(Box::new(ErrorRecord {
                kind: Some(MessageKind::Pnrgov),
                message: Some(self.reference.clone()),
                segment: Some("TIF".into()),
                position: seg.position,
                error: format!(
                    "reservation holds more than {MAX_TRAVELLERS_PER_PNR} travellers: emitted \
                     in pieces, duplicates across pieces possible"
                ),
                traveller: None,
            })));
            let locator = self.pnr.as_ref().and_then(|p| p.locator.clone());
            self.flush(out);
            self.pnr = Some(Pnr {
                locator,
                ..Pnr::default()
            });
        }
        let Some(pnr) = &mut self.pnr else {
            return;
        };
        let mut errors = Vec::new();
        let mut d = Decoded {
            charset: ctx.charset,
            errors: &mut errors,
        };
        let surname = d.text(seg, 1, 0);
        let group = seg.value(1, 1) == b"G";
        // One TIF names one traveller; some senders repeat element 2 for more of the family.
        let elements = seg.elements().max(2);
        for e in 2..=elements {
            if e > 2 && seg.value(e, 0).is_empty() {
                continue;
            }
            let given_raw = d.text(seg, e, 0);
            let kind = seg.value(e, 1);
            let reference = d.text(seg, e, 2);
            let given = given_without_title(&given_raw);
            let key = (name_key(&surname), name_key(&given));
            if let Some(i) = pnr.people.iter().position(|p| {
                (
                    name_key(&p.traveller.surname),
                    name_key(&p.traveller.given_names),
                ) == key
            }) {
                pnr.current = Some(i);
                continue;
            }
            let role = if group {
                Role::Group
            } else if kind == b"IN" {
                Role::Infant
            } else {
                Role::Passenger
            };
            let mut t = Traveller::new(
                MessageKind::Pnrgov,
                &self.reference,
                seg.position,
                role,
                &self.no_legs,
            );
            t.set_name(&surname, &given);
            t.placeholder =
                group || surname.eq_ignore_ascii_case("TBA") || given.eq_ignore_ascii_case("TBA");
            pnr.people.push(Person {
                traveller: t,
                reference,
                errors: std::mem::take(d.errors),
            });
            pnr.current = Some(pnr.people.len() - 1);
        }
    }

    fn ssr(&mut self, ctx: &Context, seg: &Segment, warnings: &mut Vec<String>) {
        let Some(pnr) = &mut self.pnr else {
            return;
        };
        let kind = seg.value(1, 0).to_ascii_uppercase();
        if !matches!(&kind[..], b"DOCS" | b"DOCO" | b"DOCA" | b"INFT") {
            return;
        }
        let mut errors = Vec::new();
        let mut d = Decoded {
            charset: ctx.charset,
            errors: &mut errors,
        };
        // The free text: from the first component that opens with '/', or the ninth.
        let comps = seg.components(1);
        let start = (4..comps)
            .find(|&c| seg.value(1, c).starts_with(b"/"))
            .unwrap_or(8);
        let mut raw = Vec::new();
        for c in start..comps {
            if c > start {
                raw.push(b':');
            }
            raw.extend_from_slice(seg.raw(1, c));
        }
        let mut text = d.bytes(seg, &raw);
        if !text.starts_with('/') && !matches!(&kind[..], b"INFT") {
            // Some senders drop the opening slash; the fields still count from it.
            text.insert(0, '/');
        }
        let reference = d.text(seg, 2, 2);
        if let Some(p) = pnr.current.and_then(|i| pnr.people.get_mut(i)) {
            p.errors.append(&mut errors);
        }
        let fields: Vec<&str> = text.split('/').map(str::trim).collect();
        let f = |i: usize| fields.get(i).copied().unwrap_or("");
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let country = |s: &str| {
            let s = s.trim();
            (s.len() >= 2 && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_alphabetic()))
                .then(|| s.to_ascii_uppercase())
        };
        let mut doc = PendingDoc {
            reference,
            current: pnr.current,
            surname: String::new(),
            given: String::new(),
            infant: false,
            document: None,
            nationality: None,
            birth_date: None,
            gender: None,
            birth_place: None,
            position: seg.position,
        };
        match &kind[..] {
            b"DOCS" => {
                // /type/issuer/number/nationality/birth date/gender/expiry/surname/given/middle
                if !f(3).is_empty() {
                    doc.document = Some(Document {
                        kind: f(1).to_ascii_uppercase(),
                        number: f(3).split_whitespace().collect(),
                        issuer: country(f(2)),
                        expiry: ddmmmyy(f(7), Century::Expiry),
                    });
                }
                doc.nationality = country(f(4));
                doc.birth_date = ddmmmyy(f(5), Century::Past(ctx.year));
                let gender = f(6).to_ascii_uppercase();
                doc.infant = gender.ends_with('I') && gender.len() == 2;
                doc.gender = opt(&gender[..gender.len().min(1)]);
                doc.surname = f(8).to_string();
                doc.given = [f(9), f(10)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            b"DOCO" => {
                // /birth place/type/number/issue place/issue date/applicable country/infant
                doc.birth_place = opt(f(1));
                if !f(3).is_empty() {
                    doc.document = Some(Document {
                        kind: f(2).to_ascii_uppercase(),
                        number: f(3).split_whitespace().collect(),
                        issuer: country(f(6)),
                        expiry: None,
                    });
                }
                doc.infant = f(7).eq_ignore_ascii_case("I");
            }
            b"DOCA" => {
                let address = fields
                    .iter()
                    .skip(2)
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Some(p) = pnr.current.and_then(|i| pnr.people.get_mut(i)) {
                    if !address.is_empty() && !p.traveller.addresses.contains(&address) {
                        p.traveller.addresses.push(address);
                    }
                    if f(1).eq_ignore_ascii_case("R") {
                        p.traveller.residence = country(f(2));
                    }
                }
                return;
            }
            _ => {
                // INFT: SURNAME/GIVEN DDMMMYY or SURNAME/GIVEN/DDMMMYY
                let (surname, rest) = text.split_once('/').unwrap_or((&text, ""));
                let rest = rest.replace('/', " ");
                let mut words: Vec<&str> = rest.split_whitespace().collect();
                let date = words
                    .last()
                    .and_then(|w| ddmmmyy(w, Century::Past(ctx.year)));
                if date.is_some() {
                    words.pop();
                }
                if surname.trim().is_empty() {
                    warnings.push(format!("SSR INFT at {} names nobody", seg.position));
                    return;
                }
                doc.surname = surname.trim().to_string();
                doc.given = words.join(" ");
                doc.birth_date = date;
                doc.infant = true;
            }
        }
        pnr.docs.push(doc);
    }

    pub fn finish(&mut self, _ctx: &Context, out: &mut VecDeque<Record>, w: &mut Vec<String>) {
        self.flush(out);
        if let Some(d) = self.declared_reservations {
            if d != self.reservations {
                w.push(format!(
                    "EQN declares {d} reservations, the message holds {}",
                    self.reservations
                ));
            }
        }
    }
}
