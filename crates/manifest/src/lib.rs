//! Traveller manifests: streaming readers for UN/EDIFACT PAXLST (advance passenger information)
//! and PNRGOV (reservation data pushed by airlines).
//!
//! [`ManifestReader`] turns a file of any size into a stream of [`Record`]s in constant memory:
//! a [`Traveller`] as soon as it is complete, a [`MessageSummary`] at each UNT, an
//! [`InterchangeSummary`] at each UNZ, and an [`ErrorRecord`] for anything that could not be
//! read. Nothing is dropped silently: a traveller whose data is broken comes out as an error
//! record that carries what could be read of it.

pub mod edifact;
mod paxlst;
mod pnrgov;

use std::collections::VecDeque;
use std::io::Read;
use std::sync::Arc;

use serde::Serialize;

pub use edifact::{Charset, Delimiters, Position, Segment, SegmentReader, MAX_SEGMENT_BYTES};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ManifestError {
    #[error("cannot read: {0}")]
    Io(String),
    #[error("{position}: {message}")]
    Syntax { position: Position, message: String },
}

/// The two message types Vigil reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Paxlst,
    Pnrgov,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Paxlst => "PAXLST",
            MessageKind::Pnrgov => "PNRGOV",
        }
    }
}

/// What a traveller is on the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Passenger,
    Crew,
    InTransitPassenger,
    InTransitCrew,
    Infant,
    /// A group booking's name (PNRGOV `TIF+…:G`): not a person.
    Group,
}

/// One flight leg.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Leg {
    /// Carrier and number as sent, e.g. `QQ877`.
    pub flight: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Local date and time, `YYYY-MM-DDTHH:MM` (or the date alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<String>,
}

/// A travel document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The document type code (`P` passport, `V` visa, `I` identity card, …); empty if not sent.
    pub kind: String,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
}

fn no_legs(legs: &Arc<[Leg]>) -> bool {
    legs.is_empty()
}

/// One person (or group placeholder) on a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traveller {
    pub kind: MessageKind,
    /// The UNH message reference.
    pub message: String,
    /// Where the traveller's first segment (NAD or TIF) is.
    pub position: Position,
    pub role: Role,
    pub surname: String,
    pub given_names: String,
    /// Given names then surname, as screened.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embarkation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debarkation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// PAXLST: the legs of the message; PNRGOV: the flight the push was sent for. Shared by
    /// every traveller of the message.
    #[serde(skip_serializing_if = "no_legs")]
    pub flights: Arc<[Leg]>,
    /// PNRGOV: the reservation's itinerary.
    #[serde(skip_serializing_if = "no_legs")]
    pub itinerary: Arc<[Leg]>,
    /// The reservation (PNR) locator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<String>,
    /// A name the airline has not given yet (`TBA`) or a group's name: listed, not screened.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Traveller {
    /// `no_legs` is an empty leg list shared by the message's travellers (an `Arc` of nothing
    /// still allocates).
    pub(crate) fn new(
        kind: MessageKind,
        message: &str,
        position: Position,
        role: Role,
        no_legs: &Arc<[Leg]>,
    ) -> Self {
        Traveller {
            kind,
            message: message.to_string(),
            position,
            role,
            surname: String::new(),
            given_names: String::new(),
            name: String::new(),
            gender: None,
            birth_date: None,
            birth_place: None,
            nationality: None,
            residence: None,
            embarkation: None,
            debarkation: None,
            documents: Vec::new(),
            flights: no_legs.clone(),
            itinerary: no_legs.clone(),
            reservation: None,
            contacts: Vec::new(),
            addresses: Vec::new(),
            payments: Vec::new(),
            placeholder: false,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn set_name(&mut self, surname: &str, given: &str) {
        self.surname = surname.trim().to_string();
        let mut g = String::with_capacity(given.len());
        for word in given.split_whitespace() {
            if !g.is_empty() {
                g.push(' ');
            }
            g.push_str(word);
        }
        let mut name = String::with_capacity(g.len() + self.surname.len() + 1);
        name.push_str(&g);
        if !name.is_empty() && !self.surname.is_empty() {
            name.push(' ');
        }
        name.push_str(&self.surname);
        self.given_names = g;
        self.name = name;
    }

    /// The record for a complete traveller: itself, or an error record carrying it when it has
    /// no name or its data could not be read. `segment` is the tag that opened it.
    pub(crate) fn into_record(self, segment: &str, mut errors: Vec<String>) -> Record {
        if self.name.is_empty() {
            errors.insert(0, format!("traveller with no name ({segment} without one)"));
        }
        if errors.is_empty() {
            return Record::Traveller(Box::new(self));
        }
        Record::Error(Box::new(ErrorRecord {
            kind: Some(self.kind),
            message: Some(self.message.clone()),
            segment: Some(segment.to_string()),
            position: self.position,
            error: errors.join("; "),
            traveller: Some(Box::new(self)),
        }))
    }

    /// Should this traveller be screened? Placeholders and groups are not people.
    pub fn screenable(&self) -> bool {
        !self.placeholder && !self.name.is_empty()
    }
}

/// What could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<MessageKind>,
    /// The UNH reference of the message it happened in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The segment's tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    pub position: Position,
    pub error: String,
    /// What could be read of the traveller concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traveller: Option<Box<Traveller>>,
}

impl std::fmt::Display for ErrorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(m) = &self.message {
            write!(f, "message {m}: ")?;
        }
        if let Some(s) = &self.segment {
            write!(f, "{s} ")?;
        }
        write!(f, "at {}: {}", self.position, self.error)
    }
}

/// One message (UNH…UNT) read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageSummary {
    pub kind: MessageKind,
    pub message: String,
    /// `D:05B` for PAXLST, `13:1` for PNRGOV.
    pub version: String,
    /// The UNH sequence of transfers (`01:C`, `10:F`) of a message sent in parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    pub position: Position,
    /// Segments UNH…UNT counted, and as UNT declares them.
    pub segments: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_segments: Option<u64>,
    pub travellers: u64,
    /// As CNT (PAXLST) or EQN (PNRGOV) declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_travellers: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flights: Vec<Leg>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One interchange (UNB…UNZ) read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterchangeSummary {
    pub reference: String,
    pub sender: String,
    pub recipient: String,
    pub charset: String,
    pub delimiters: Delimiters,
    pub messages: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_messages: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Traveller(Box<Traveller>),
    Message(Box<MessageSummary>),
    Interchange(Box<InterchangeSummary>),
    Error(Box<ErrorRecord>),
}

/// How the reader treats disagreements with the standard.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Wrong UNT/UNE/UNZ/CNT counts and unknown segments are errors, not warnings.
    pub strict: bool,
    /// The year two-digit birth years are pivoted on (default: this year).
    pub current_year: Option<i32>,
}

/// A traveller's data could not be decoded: becomes an error record.
pub(crate) struct Decoded<'a> {
    pub charset: Charset,
    pub errors: &'a mut Vec<String>,
}

impl Decoded<'_> {
    pub fn text(&mut self, seg: &Segment, e: usize, c: usize) -> String {
        self.bytes(seg, seg.value(e, c))
    }

    pub fn bytes(&mut self, seg: &Segment, raw: &[u8]) -> String {
        match self.charset.decode(raw) {
            Ok(s) => s.trim().to_string(),
            Err(err) => {
                self.errors.push(format!(
                    "{} at {}: {err}",
                    String::from_utf8_lossy(seg.tag()),
                    seg.position
                ));
                String::from_utf8_lossy(raw).trim().to_string()
            }
        }
    }
}

/// A code: letters and digits only, upper case; `None` when empty.
pub(crate) fn code(seg: &Segment, e: usize, c: usize) -> Option<String> {
    let v = seg.value(e, c);
    if v.is_empty() || !v.iter().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(String::from_utf8_lossy(v).to_ascii_uppercase())
}

fn this_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    1970 + (secs / 31_556_952) as i32
}

/// How a two-digit year is widened.
#[derive(Clone, Copy)]
pub(crate) enum Century {
    /// Birth dates: never in the future.
    Past(i32),
    /// Expiry dates: 00–69 are 20xx.
    Expiry,
}

fn widen(yy: i32, c: Century) -> i32 {
    match c {
        Century::Past(now) => {
            if 2000 + yy > now {
                1900 + yy
            } else {
                2000 + yy
            }
        }
        Century::Expiry => {
            if yy < 70 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
    }
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn push_digits(out: &mut String, value: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u32.pow(i) % 10) as u8));
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Option<String> {
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in(year, month)
        || !(0..=9999).contains(&year)
    {
        return None;
    }
    // Written by hand: this runs twice per traveller, and `format!` showed in profiles.
    let mut s = String::with_capacity(16);
    push_digits(&mut s, year as u32, 4);
    s.push('-');
    push_digits(&mut s, month, 2);
    s.push('-');
    push_digits(&mut s, day, 2);
    Some(s)
}

/// `YYMMDD` or `CCYYMMDD` (EDIFACT formats 101/102) as `YYYY-MM-DD`; with time (201/203:
/// `YYMMDDHHMM`, `CCYYMMDDHHMM`) as `YYYY-MM-DDTHH:MM`.
pub(crate) fn edifact_date(text: &str, century: Century) -> Option<String> {
    let t = text.trim();
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    let (date, time) = match t.len() {
        6 | 8 => (t, None),
        10 => (&t[..6], Some(&t[6..])),
        12 => (&t[..8], Some(&t[8..])),
        _ => return None,
    };
    let (year, rest) = if date.len() == 8 {
        (n(&date[..4])? as i32, &date[4..])
    } else {
        (widen(n(&date[..2])? as i32, century), &date[2..])
    };
    let day = ymd(year, n(&rest[..2])?, n(&rest[2..4])?)?;
    match time {
        None => Some(day),
        Some(hm) => {
            let (h, m) = (n(&hm[..2])?, n(&hm[2..4])?);
            (h < 24 && m < 60).then(|| {
                let mut s = day;
                s.push('T');
                push_digits(&mut s, h, 2);
                s.push(':');
                push_digits(&mut s, m, 2);
                s
            })
        }
    }
}

/// `13AUG54` (the SSR DOCS date) as `YYYY-MM-DD`.
pub(crate) fn ddmmmyy(text: &str, century: Century) -> Option<String> {
    let t: String = text.split_whitespace().collect();
    if t.len() != 7 {
        return None;
    }
    let day: u32 = t.get(..2)?.parse().ok()?;
    let month = match t.get(2..5)?.to_ascii_uppercase().as_str() {
        "JAN" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" => 8,
        "SEP" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" => 12,
        _ => return None,
    };
    let yy: i32 = t.get(5..)?.parse().ok()?;
    ymd(widen(yy, century), month, day)
}

/// Per-message state of the type-specific reader.
#[allow(clippy::large_enum_variant)] // one per open message
enum Body {
    Paxlst(paxlst::Paxlst),
    Pnrgov(pnrgov::Pnrgov),
    /// A message type that is not a manifest: its segments are counted and skipped.
    Other,
}

struct OpenMessage {
    kind: Option<MessageKind>,
    reference: String,
    version: String,
    part: Option<String>,
    position: Position,
    segments: u64,
    warnings: Vec<String>,
    body: Body,
}

struct OpenInterchange {
    summary: InterchangeSummary,
    group_messages: u64,
}

/// Reads a manifest file record by record.
pub struct ManifestReader<R: Read> {
    segments: SegmentReader<R>,
    seg: Segment,
    out: VecDeque<Record>,
    options: Options,
    charset: Charset,
    interchange: Option<OpenInterchange>,
    /// The last interchange, held until what follows its UNZ is known.
    closed: Option<InterchangeSummary>,
    message: Option<OpenMessage>,
    syntax_warnings: Vec<String>,
    done: bool,
    pub(crate) year: i32,
}

impl<R: Read> ManifestReader<R> {
    pub fn new(reader: R, options: Options) -> Result<Self, ManifestError> {
        let segments = SegmentReader::new(reader)?;
        let syntax_warnings = segments.syntax.warnings.clone();
        Ok(ManifestReader {
            segments,
            seg: Segment::default(),
            out: VecDeque::new(),
            options,
            charset: Charset::Ascii,
            interchange: None,
            closed: None,
            message: None,
            syntax_warnings,
            done: false,
            year: options.current_year.unwrap_or_else(this_year),
        })
    }

    /// Bytes read so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.segments.offset()
    }

    fn error(&mut self, segment: Option<String>, position: Position, error: String) {
        let (kind, message) = match &self.message {
            Some(m) => (m.kind, Some(m.reference.clone())),
            None => (None, None),
        };
        self.out.push_back(Record::Error(Box::new(ErrorRecord {
            kind,
            message,
            segment,
            position,
            error,
            traveller: None,
        })));
    }

    /// A count disagreement or an oddity: a warning, or an error in strict mode.
    fn complain(&mut self, strict_error: bool, segment: &str, position: Position, text: String) {
        if strict_error && self.options.strict {
            self.error(Some(segment.to_string()), position, text);
        } else if let Some(m) = &mut self.message {
            m.warnings.push(format!("{segment} at {position}: {text}"));
        } else if let Some(i) = &mut self.interchange {
            i.summary
                .warnings
                .push(format!("{segment} at {position}: {text}"));
        } else if let Some(c) = &mut self.closed {
            c.warnings.push(format!("{segment} at {position}: {text}"));
        }
    }

    fn finish_message(&mut self, declared: Option<u64>, truncated_at: Option<Position>) {
        let Some(mut m) = self.message.take() else {
            return;
        };
        let ctx = Context {
            year: self.year,
            charset: self.charset,
        };
        let (travellers, declared_travellers, reservations, flights) = match &mut m.body {
            Body::Paxlst(p) => {
                p.finish(&ctx, &mut self.out, &mut m.warnings);
                (p.travellers, p.declared, None, p.legs.clone())
            }
            Body::Pnrgov(p) => {
                p.finish(&ctx, &mut self.out, &mut m.warnings);
                (
                    p.travellers,
                    p.declared_reservations,
                    Some(p.reservations),
                    p.reported.iter().cloned().collect(),
                )
            }
            Body::Other => (0, None, None, Vec::new()),
        };
        if let Some(kind) = m.kind {
            if kind == MessageKind::Paxlst {
                if let Some(d) = declared_travellers {
                    if d != travellers {
                        m.warnings.push(format!(
                            "CNT declares {d} travellers, the message holds {travellers}"
                        ));
                    }
                }
            }
            if let Some(at) = truncated_at {
                self.out.push_back(Record::Error(Box::new(ErrorRecord {
                    kind: Some(kind),
                    message: Some(m.reference.clone()),
                    segment: None,
                    position: at,
                    error: format!(
                        "message truncated: no UNT after {} segments; the travellers read \
                         before the cut are reported",
                        m.segments
                    ),
                    traveller: None,
                })));
            }
            self.out.push_back(Record::Message(Box::new(MessageSummary {
                kind,
                message: m.reference,
                version: m.version,
                part: m.part,
                position: m.position,
                segments: m.segments,
                declared_segments: declared,
                travellers,
                declared_travellers,
                reservations,
                flights,
                warnings: m.warnings,
            })));
        }
        if let Some(i) = &mut self.interchange {
            i.summary.messages += 1;
            i.group_messages += 1;
        }
    }

    fn handle(&mut self) {
        let position = self.seg.position;
        let mut tag = [0u8; 3];
        let valid = edifact::valid_tag(self.seg.tag());
        if valid {
            tag.copy_from_slice(self.seg.tag());
        }
        if let Some(closed) = self.closed.take() {
            if &tag == b"UNB" {
                self.out.push_back(Record::Interchange(Box::new(closed)));
            } else {
                let mut closed = closed;
                let text = self.seg.tag_str();
                closed.warnings.push(format!(
                    "content after UNZ at {position} ignored ({:?}…)",
                    text.chars().take(20).collect::<String>()
                ));
                self.out.push_back(Record::Interchange(Box::new(closed)));
                self.done = true;
                return;
            }
        }
        if !valid {
            let text = self.seg.tag_str();
            self.error(
                Some(text.chars().take(20).collect()),
                position,
                "not a segment tag (three upper-case letters or digits): wrong delimiters or \
                 damaged data"
                    .into(),
            );
            if let Some(m) = &mut self.message {
                m.segments += 1;
            }
            return;
        }
        match &tag[..] {
            b"UNB" => self.unb(),
            b"UNG" => {
                if let Some(i) = &mut self.interchange {
                    i.group_messages = 0;
                }
            }
            b"UNE" => {
                let declared = self.seg.code(1, 0).parse::<u64>().ok();
                let counted = self.interchange.as_ref().map_or(0, |i| i.group_messages);
                if declared != Some(counted) {
                    self.complain(
                        true,
                        "UNE",
                        position,
                        format!(
                            "declares {} messages in the group, {counted} counted",
                            self.seg.code(1, 0)
                        ),
                    );
                }
            }
            b"UNH" => self.unh(),
            b"UNT" => {
                let Some(m) = &mut self.message else {
                    self.complain(false, "UNT", position, "UNT without UNH: ignored".into());
                    return;
                };
                m.segments += 1;
                let counted = m.segments;
                let declared = self.seg.code(1, 0).parse::<u64>().ok();
                let reference = self.seg.code(2, 0);
                let unh_ref = m.reference.clone();
                if declared != Some(counted) {
                    self.complain(
                        true,
                        "UNT",
                        position,
                        format!(
                            "declares {} segments, {counted} counted from UNH to UNT",
                            self.seg.code(1, 0)
                        ),
                    );
                }
                if reference != unh_ref {
                    self.complain(
                        false,
                        "UNT",
                        position,
                        format!("reference {reference:?} differs from the UNH's {unh_ref:?}"),
                    );
                }
                self.finish_message(declared, None);
            }
            b"UNZ" => {
                if self.message.is_some() {
                    self.finish_message(None, Some(position));
                }
                let Some(open) = self.interchange.take() else {
                    self.complain(false, "UNZ", position, "UNZ without UNB: ignored".into());
                    return;
                };
                let mut summary = open.summary;
                let declared = self.seg.code(1, 0).parse::<u64>().ok();
                summary.declared_messages = declared;
                if declared != Some(summary.messages) {
                    let text = format!(
                        "UNZ at {position}: declares {} messages, {} counted",
                        self.seg.code(1, 0),
                        summary.messages
                    );
                    if self.options.strict {
                        self.error(Some("UNZ".into()), position, text);
                    } else {
                        summary.warnings.push(text);
                    }
                }
                let reference = self.seg.code(2, 0);
                if reference != summary.reference {
                    summary.warnings.push(format!(
                        "UNZ at {position}: reference {reference:?} differs from the UNB's {:?}",
                        summary.reference
                    ));
                }
                self.closed = Some(summary);
            }
            _ => {
                let Some(m) = &mut self.message else {
                    self.complain(
                        false,
                        &self.seg.tag_str(),
                        position,
                        "segment outside a message: ignored".into(),
                    );
                    return;
                };
                m.segments += 1;
                let ctx = Context {
                    year: self.year,
                    charset: self.charset,
                };
                let known = match &mut m.body {
                    Body::Paxlst(p) => p.segment(&ctx, &self.seg, &mut self.out, &mut m.warnings),
                    Body::Pnrgov(p) => p.segment(&ctx, &self.seg, &mut self.out, &mut m.warnings),
                    Body::Other => true,
                };
                if !known {
                    self.complain(
                        true,
                        &self.seg.tag_str(),
                        position,
                        "unknown segment for this message type: ignored".into(),
                    );
                }
            }
        }
    }

    fn unb(&mut self) {
        let position = self.seg.position;
        if self.message.is_some() {
            self.finish_message(None, Some(position));
        }
        if let Some(open) = self.interchange.take() {
            let mut s = open.summary;
            s.warnings
                .push(format!("interchange ended at {position} without UNZ"));
            self.out.push_back(Record::Interchange(Box::new(s)));
        }
        let syntax_id = self.seg.code(1, 0);
        let Some(charset) = Charset::from_syntax_id(&syntax_id) else {
            self.error(
                Some("UNB".into()),
                position,
                format!(
                    "syntax identifier {syntax_id:?} names a character set Vigil does not \
                     decode (UNOA, UNOB, UNOC, UNOD…UNOK, UNOW, UNOY, IATA): refused"
                ),
            );
            self.done = true;
            return;
        };
        self.charset = charset;
        let mut warnings = std::mem::take(&mut self.syntax_warnings);
        if !self.seg.value(1, 0).iter().all(|b| b.is_ascii_uppercase()) {
            warnings.push(format!(
                "UNB syntax identifier {syntax_id:?} is not upper case"
            ));
        }
        self.interchange = Some(OpenInterchange {
            summary: InterchangeSummary {
                reference: self.seg.code(5, 0),
                sender: self.seg.code(2, 0),
                recipient: self.seg.code(3, 0),
                charset: syntax_id,
                delimiters: self.segments.syntax.delimiters,
                messages: 0,
                declared_messages: None,
                warnings,
            },
            group_messages: 0,
        });
    }

    fn unh(&mut self) {
        let position = self.seg.position;
        if self.message.is_some() {
            self.finish_message(None, Some(position));
        }
        if self.interchange.is_none() {
            self.complain(
                false,
                "UNH",
                position,
                "message outside an interchange (no UNB)".into(),
            );
        }
        let reference = self.seg.code(1, 0);
        let message_type = self.seg.code(2, 0).to_ascii_uppercase();
        let version = format!("{}:{}", self.seg.code(2, 1), self.seg.code(2, 2));
        let part = (self.seg.components(4) > 0 && !self.seg.value(4, 0).is_empty()).then(|| {
            let mut p = self.seg.code(4, 0);
            if !self.seg.value(4, 1).is_empty() {
                p.push(':');
                p.push_str(&self.seg.code(4, 1));
            }
            p
        });
        let (kind, body) = match message_type.as_str() {
            "PAXLST" => (
                Some(MessageKind::Paxlst),
                Body::Paxlst(paxlst::Paxlst::new(&reference)),
            ),
            "PNRGOV" => (
                Some(MessageKind::Pnrgov),
                Body::Pnrgov(pnrgov::Pnrgov::new(&reference)),
            ),
            _ => (None, Body::Other),
        };
        if kind.is_none() {
            self.error(
                Some("UNH".into()),
                position,
                format!("message type {message_type:?} is not PAXLST or PNRGOV: skipped"),
            );
        }
        self.message = Some(OpenMessage {
            kind,
            reference,
            version,
            part,
            position,
            segments: 1,
            warnings: Vec::new(),
            body,
        });
    }

    fn at_end(&mut self) {
        let position = Position {
            segment: 0,
            offset: self.segments.offset(),
            line: 0,
        };
        if self.message.is_some() {
            self.finish_message(None, Some(position));
        }
        if let Some(open) = self.interchange.take() {
            let mut s = open.summary;
            let text = "the file ends before UNZ".to_string();
            if self.options.strict {
                self.error(Some("UNZ".into()), position, text);
            } else {
                s.warnings.push(text);
            }
            self.out.push_back(Record::Interchange(Box::new(s)));
        }
        if let Some(closed) = self.closed.take() {
            self.out.push_back(Record::Interchange(Box::new(closed)));
        }
        self.done = true;
    }
}

/// What a segment handler needs to know of the interchange.
pub(crate) struct Context {
    pub year: i32,
    pub charset: Charset,
}

impl<R: Read> Iterator for ManifestReader<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(r) = self.out.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            let mut seg = std::mem::take(&mut self.seg);
            let read = self.segments.read_into(&mut seg);
            self.seg = seg;
            match read {
                Ok(true) => self.handle(),
                Ok(false) => self.at_end(),
                Err(ManifestError::Syntax { position, message }) => {
                    self.error(None, position, message);
                    self.at_end();
                }
                Err(e) => {
                    self.error(None, self.seg.position, e.to_string());
                    self.at_end();
                }
            }
        }
    }
}

/// Reads a whole manifest held in memory (tests, the API's upload).
pub fn read_all(bytes: &[u8], options: Options) -> Result<Vec<Record>, ManifestError> {
    Ok(ManifestReader::new(bytes, options)?.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            edifact_date("680223", Century::Past(2026)).as_deref(),
            Some("1968-02-23")
        );
        assert_eq!(
            edifact_date("000520", Century::Past(2026)).as_deref(),
            Some("2000-05-20")
        );
        assert_eq!(
            edifact_date("0807101500", Century::Expiry).as_deref(),
            Some("2008-07-10T15:00")
        );
        assert_eq!(edifact_date("990230", Century::Past(2026)), None);
        assert_eq!(
            ddmmmyy("13AUG54", Century::Past(2026)).as_deref(),
            Some("1954-08-13")
        );
        assert_eq!(
            ddmmmyy("26APR25", Century::Expiry).as_deref(),
            Some("2025-04-26")
        );
        assert_eq!(ddmmmyy("31FEB25", Century::Expiry), None);
    }
}
