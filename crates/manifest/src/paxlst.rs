//! PAXLST (D02B/D05B, the WCO/IATA/ICAO API guidelines): flight legs in segment group 2
//! (TDT/LOC/DTM), then one segment group 4 per traveller (NAD, ATT, DTM, LOC, NAT, RFF,
//! DOC/DTM/LOC), then CNT.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::{
    code, edifact_date, Century, Context, Decoded, Document, Leg, MessageKind, Record, Role,
    Segment, Traveller,
};

/// Tags of the PAXLST directory that carry nothing Vigil screens on.
const IGNORED: &[&[u8]] = &[
    b"BGM", b"CTA", b"COM", b"GEI", b"FTX", b"MEA", b"QTY", b"CPI", b"EMP", b"SEQ", b"GID", b"UNS",
    b"PDT", b"TSR", b"ERC", b"EQD", b"MOA", b"PAC", b"PCI",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Leg,
    Traveller,
    Document,
}

struct Building {
    traveller: Traveller,
    errors: Vec<String>,
}

pub(crate) struct Paxlst {
    reference: String,
    no_legs: Arc<[Leg]>,
    pub legs: Vec<Leg>,
    pub travellers: u64,
    pub declared: Option<u64>,
    current: Option<Building>,
    place: Place,
    routing_stops: u8,
    /// `legs` as handed to travellers, rebuilt when a leg changes.
    shared: Option<Arc<[Leg]>>,
}

impl Paxlst {
    pub fn new(reference: &str) -> Self {
        Paxlst {
            reference: reference.to_string(),
            no_legs: Arc::from(Vec::new()),
            legs: Vec::new(),
            travellers: 0,
            declared: None,
            current: None,
            place: Place::Header,
            routing_stops: 0,
            shared: None,
        }
    }

    fn emit(&mut self, out: &mut VecDeque<Record>) {
        let Some(mut b) = self.current.take() else {
            return;
        };
        self.travellers += 1;
        b.traveller.flights = self
            .shared
            .get_or_insert_with(|| Arc::from(self.legs.clone()))
            .clone();
        out.push_back(b.traveller.into_record("NAD", b.errors));
    }

    /// Handles one segment of the message body; `false` if the tag is not in the directory.
    pub fn segment(
        &mut self,
        ctx: &Context,
        seg: &Segment,
        out: &mut VecDeque<Record>,
        warnings: &mut Vec<String>,
    ) -> bool {
        let tag = seg.tag();
        match tag {
            b"TDT" => {
                self.emit(out);
                self.place = Place::Leg;
                self.routing_stops = 0;
                self.shared = None;
                let flight = String::from_utf8_lossy(seg.value(2, 0)).trim().to_string();
                self.legs.push(Leg {
                    flight,
                    carrier: code(seg, 5, 0),
                    ..Leg::default()
                });
            }
            b"NAD" => {
                self.emit(out);
                let role = match seg.value(1, 0) {
                    b"FL" => Some(Role::Passenger),
                    b"FM" => Some(Role::Crew),
                    b"DDU" => Some(Role::InTransitPassenger),
                    b"DDT" => Some(Role::InTransitCrew),
                    _ => None,
                };
                let Some(role) = role else {
                    // The reporting party (MS) or another party: not a traveller.
                    self.place = Place::Header;
                    return true;
                };
                self.place = Place::Traveller;
                let mut t = Traveller::new(
                    MessageKind::Paxlst,
                    &self.reference,
                    seg.position,
                    role,
                    &self.no_legs,
                );
                let mut errors = Vec::new();
                let mut d = Decoded {
                    charset: ctx.charset,
                    errors: &mut errors,
                };
                let surname = d.text(seg, 4, 0);
                let mut given = String::new();
                for c in 1..seg.components(4) {
                    let part = d.text(seg, 4, c);
                    if !part.is_empty() {
                        if !given.is_empty() {
                            given.push(' ');
                        }
                        given.push_str(&part);
                    }
                }
                t.set_name(&surname, &given);
                // Address elements (street, city, postcode, country) when sent.
                if seg.elements() >= 5 {
                    let address: Vec<String> = (5..=seg.elements().min(9))
                        .map(|e| d.bytes(seg, &seg.element_bytes(e)))
                        .filter(|s| !s.is_empty() && s != ":")
                        .collect();
                    if !address.is_empty() {
                        t.addresses.push(address.join(", "));
                    }
                }
                self.current = Some(Building {
                    traveller: t,
                    errors,
                });
            }
            b"ATT" => {
                if let Some(b) = &mut self.current {
                    if seg.value(1, 0) == b"2" {
                        b.traveller.gender = code(seg, 3, 0);
                    }
                }
            }
            b"DTM" => self.dtm(ctx, seg, warnings),
            b"LOC" => self.loc(ctx, seg),
            b"NAT" => {
                if let Some(b) = &mut self.current {
                    b.traveller.nationality = code(seg, 2, 0);
                }
            }
            b"RFF" => {
                if let Some(b) = &mut self.current {
                    if seg.value(1, 0) == b"AVF" {
                        b.traveller.reservation = code(seg, 1, 1);
                    }
                }
            }
            b"DOC" => {
                if let Some(b) = &mut self.current {
                    self.place = Place::Document;
                    let mut d = Decoded {
                        charset: ctx.charset,
                        errors: &mut b.errors,
                    };
                    let number = d.text(seg, 2, 0);
                    if number.is_empty() {
                        b.traveller
                            .warnings
                            .push(format!("DOC at {} has no document number", seg.position));
                    } else {
                        b.traveller.documents.push(Document {
                            kind: code(seg, 1, 0).unwrap_or_default(),
                            number,
                            ..Document::default()
                        });
                    }
                }
            }
            b"CNT" => {
                self.emit(out);
                self.place = Place::Header;
                let qualifier = seg.value(1, 0);
                // `CNT+41+8` (value in the next element) is a common sender's slip.
                let value = if seg.value(1, 1).is_empty() {
                    seg.value(2, 0)
                } else {
                    seg.value(1, 1)
                };
                if matches!(qualifier, b"41" | b"42") {
                    match std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse::<u64>().ok())
                    {
                        Some(n) => {
                            self.declared = Some(self.declared.unwrap_or(0) + n);
                        }
                        None => warnings.push(format!(
                            "CNT at {}: count {:?} is not a number",
                            seg.position,
                            String::from_utf8_lossy(value)
                        )),
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

    fn dtm(&mut self, ctx: &Context, seg: &Segment, warnings: &mut Vec<String>) {
        let qualifier = seg.value(1, 0);
        let value = String::from_utf8_lossy(seg.value(1, 1)).into_owned();
        match (self.place, qualifier) {
            (Place::Leg, b"189" | b"232") => {
                self.shared = None;
                let Some(leg) = self.legs.last_mut() else {
                    return;
                };
                let parsed = edifact_date(&value, Century::Expiry);
                if parsed.is_none() {
                    warnings.push(format!(
                        "DTM at {}: date {value:?} is not YYMMDDHHMM",
                        seg.position
                    ));
                }
                if qualifier == b"189" {
                    leg.departure = parsed;
                } else {
                    leg.arrival = parsed;
                }
            }
            (Place::Traveller, b"329") => {
                if let Some(b) = &mut self.current {
                    b.traveller.birth_date = edifact_date(&value, Century::Past(ctx.year));
                    if b.traveller.birth_date.is_none() {
                        b.traveller.warnings.push(format!(
                            "DTM at {}: birth date {value:?} is not a date",
                            seg.position
                        ));
                    }
                }
            }
            (Place::Document, b"36") => {
                if let Some(doc) = self
                    .current
                    .as_mut()
                    .and_then(|b| b.traveller.documents.last_mut())
                {
                    doc.expiry = edifact_date(&value, Century::Expiry);
                }
            }
            _ => {}
        }
    }

    fn loc(&mut self, ctx: &Context, seg: &Segment) {
        let qualifier = seg.value(1, 0);
        if self.place == Place::Leg {
            self.shared = None;
            let Some(leg) = self.legs.last_mut() else {
                return;
            };
            let place = code(seg, 2, 0);
            match qualifier {
                b"125" => leg.from = place,
                b"87" => leg.to = place,
                b"92" => {
                    if self.routing_stops == 0 {
                        leg.from = place;
                    } else {
                        leg.to = place;
                    }
                    self.routing_stops = self.routing_stops.saturating_add(1);
                }
                _ => {}
            }
            return;
        }
        let Some(b) = &mut self.current else {
            return;
        };
        let mut d = Decoded {
            charset: ctx.charset,
            errors: &mut b.errors,
        };
        let t = &mut b.traveller;
        match (self.place, qualifier) {
            (Place::Document, b"91") => {
                if let Some(doc) = t.documents.last_mut() {
                    doc.issuer = code(seg, 2, 0);
                }
            }
            (_, b"178") => t.embarkation = code(seg, 2, 0),
            (_, b"179") => t.debarkation = code(seg, 2, 0),
            (_, b"174") => t.residence = code(seg, 2, 0),
            (_, b"180") => {
                // A code, or free text in the fourth component (`LOC+180+:::Hartford USA`).
                let text = (0..seg.components(2))
                    .map(|c| d.text(seg, 2, c))
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                t.birth_place = (!text.is_empty()).then_some(text);
            }
            _ => {}
        }
    }

    pub fn finish(&mut self, _ctx: &Context, out: &mut VecDeque<Record>, _w: &mut Vec<String>) {
        self.emit(out);
    }
}
