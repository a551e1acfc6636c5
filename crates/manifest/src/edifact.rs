//! The UN/EDIFACT syntax layer: service string advice, delimiter inference, the segment stream
//! and the character sets named in UNB.
//!
//! Real manifests break the syntax rules in ways the sender never notices (a UNA cut short by a
//! line break, a typographic quote declared as terminator, CR-only line endings, lines wrapped
//! inside values). The reader therefore trusts what the UNB segment actually uses over what the
//! UNA declares, and reports every disagreement as a warning rather than mis-reading the file.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Chain, Cursor, Read};

use serde::Serialize;

use crate::ManifestError;

/// Segments longer than this are refused: no PAXLST or PNRGOV segment comes near it, and a
/// missing terminator must not make the reader buffer a whole file.
pub const MAX_SEGMENT_BYTES: usize = 64 * 1024;
/// How much of the start is read to find UNA/UNB and infer the delimiters.
const HEAD_BYTES: usize = 8 * 1024;

/// Where a segment starts in its file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based number of the segment in the file (UNA not counted).
    pub segment: u64,
    /// 0-based byte offset of its tag.
    pub offset: u64,
    /// 1-based line (LF, CRLF and lone CR each end a line).
    pub line: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.segment == 0 {
            // Before the first segment (the UNA/UNB head) or at the end of the file.
            return write!(f, "byte {}", self.offset);
        }
        write!(
            f,
            "segment {} (line {}, byte {})",
            self.segment, self.line, self.offset
        )
    }
}

/// The service characters in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delimiters {
    pub component: u8,
    pub element: u8,
    pub release: Option<u8>,
    pub terminator: u8,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters {
            component: b':',
            element: b'+',
            release: Some(b'?'),
            terminator: b'\'',
        }
    }
}

/// The character repertoire the UNB syntax identifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UNOA, UNOB and IATA: 7-bit ASCII (lower case tolerated: senders use it under UNOA).
    Ascii,
    /// UNOC: ISO 8859-1.
    Latin1,
    /// UNOD…UNOK: the other ISO 8859 parts.
    Iso8859(&'static encoding_rs::Encoding),
    /// UNOW, UNOY: UTF-8.
    Utf8,
}

impl Charset {
    /// The repertoire for a UNB syntax identifier, or `None` for one Vigil cannot decode.
    pub fn from_syntax_id(id: &str) -> Option<Charset> {
        Some(match id.trim().to_ascii_uppercase().as_str() {
            "UNOA" | "UNOB" | "IATA" => Charset::Ascii,
            "UNOC" => Charset::Latin1,
            "UNOD" => Charset::Iso8859(encoding_rs::ISO_8859_2),
            "UNOE" => Charset::Iso8859(encoding_rs::ISO_8859_5),
            "UNOF" => Charset::Iso8859(encoding_rs::ISO_8859_7),
            "UNOG" => Charset::Iso8859(encoding_rs::ISO_8859_3),
            "UNOH" => Charset::Iso8859(encoding_rs::ISO_8859_4),
            "UNOI" => Charset::Iso8859(encoding_rs::ISO_8859_6),
            "UNOJ" => Charset::Iso8859(encoding_rs::ISO_8859_8),
            "UNOK" => Charset::Iso8859(encoding_rs::ISO_8859_10),
            "UNOW" | "UNOY" => Charset::Utf8,
            _ => return None,
        })
    }

    /// Decodes one value; the error names the first byte the repertoire does not hold.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> Result<Cow<'a, str>, String> {
        match self {
            Charset::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
                None => Ok(Cow::Borrowed(
                    std::str::from_utf8(bytes).map_err(|e| e.to_string())?,
                )),
                Some(i) => Err(format!(
                    "byte 0x{:02X} at {i} is outside the ASCII repertoire the UNB names",
                    bytes[i]
                )),
            },
            Charset::Latin1 => Ok(match std::str::from_utf8(bytes) {
                Ok(s) if bytes.is_ascii() => Cow::Borrowed(s),
                _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            }),
            Charset::Iso8859(enc) => enc
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(|| format!("a byte is not defined in {}", enc.name())),
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|e| format!("invalid UTF-8: {e}")),
        }
    }
}

/// One segment: its tag and its elements' components, release characters removed.
#[derive(Debug, Default, Clone)]
pub struct Segment {
    data: Vec<u8>,
    /// (start, end) of each component in `data`.
    comps: Vec<(u32, u32)>,
    /// Index in `comps` of each element's first component; element 0 is the tag.
    elems: Vec<u32>,
    pub position: Position,
}

impl Segment {
    fn clear(&mut self) {
        self.data.clear();
        self.comps.clear();
        self.elems.clear();
        self.elems.push(0);
    }

    /// The tag, e.g. `NAD` (spaces around it dropped).
    pub fn tag(&self) -> &[u8] {
        self.raw(0, 0).trim_ascii()
    }

    pub fn tag_str(&self) -> String {
        String::from_utf8_lossy(self.tag()).into_owned()
    }

    /// Number of data elements after the tag.
    pub fn elements(&self) -> usize {
        self.elems.len().saturating_sub(1)
    }

    /// Number of components of element `e`.
    pub fn components(&self, e: usize) -> usize {
        let Some(&start) = self.elems.get(e) else {
            return 0;
        };
        let end = self
            .elems
            .get(e + 1)
            .map_or(self.comps.len(), |&x| x as usize);
        end - start as usize
    }

    /// The raw bytes of component `c` of element `e` (element 0 is the tag), empty if absent.
    pub fn raw(&self, e: usize, c: usize) -> &[u8] {
        if c >= self.components(e) {
            return &[];
        }
        let Some(&start) = self.elems.get(e) else {
            return &[];
        };
        match self.comps.get(start as usize + c) {
            Some(&(a, b)) => &self.data[a as usize..b as usize],
            None => &[],
        }
    }

    /// Component `c` of element `e`, trimmed, raw bytes.
    pub fn value(&self, e: usize, c: usize) -> &[u8] {
        self.raw(e, c).trim_ascii()
    }

    /// Component `c` of element `e` as ASCII text (non-ASCII bytes replaced): for codes.
    pub fn code(&self, e: usize, c: usize) -> String {
        String::from_utf8_lossy(self.value(e, c)).into_owned()
    }

    /// All components of element `e`, joined by `:` after their release characters were
    /// removed: for free text that senders split at will.
    pub fn element_bytes(&self, e: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for c in 0..self.components(e) {
            if c > 0 {
                out.push(b':');
            }
            out.extend_from_slice(self.raw(e, c));
        }
        out
    }
}

/// What the start of the file said about its syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Syntax {
    pub delimiters: Delimiters,
    pub una: bool,
    pub warnings: Vec<String>,
}

type Source<R> = BufReader<Chain<Cursor<Vec<u8>>, R>>;

/// Streams the segments of one file; memory stays at one segment whatever the file's size.
pub struct SegmentReader<R: Read> {
    src: Source<R>,
    pub syntax: Syntax,
    offset: u64,
    line: u64,
    segment: u64,
    last_was_cr: bool,
    ended: bool,
    /// Bytes that end a run of ordinary data: the delimiters and line breaks.
    special: [bool; 256],
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads the delimiters the UNB segment actually uses: the element separator follows the tag,
/// the component separator follows the four-letter syntax identifier, and the terminator is the
/// last character before the next service segment.
fn infer_from_unb(head: &[u8], unb: usize) -> Option<(u8, u8, u8)> {
    let mut i = unb + 3;
    while i < head.len() && head[i] == b' ' {
        i += 1;
    }
    let element = *head.get(i)?;
    if element.is_ascii_alphanumeric() || is_space(element) {
        return None;
    }
    let id_start = i + 1;
    let component = *head.get(id_start + 4)?;
    if component.is_ascii_alphanumeric() || component == element {
        return None;
    }
    let next = [&b"UNG"[..], b"UNH"]
        .iter()
        .filter_map(|tag| {
            let mut from = id_start;
            loop {
                let p = find(head, tag, from)?;
                let after = head.get(p + 3).copied();
                if after == Some(element) || after == Some(b' ') {
                    return Some(p);
                }
                from = p + 1;
            }
        })
        .min()?;
    let mut j = next;
    while j > id_start && is_space(head[j - 1]) {
        j -= 1;
    }
    let before = head[j - 1];
    let terminator = if before.is_ascii_alphanumeric() {
        // Nothing but a line break ends the UNB: the file is one segment per line.
        b'\n'
    } else {
        before
    };
    if terminator == element || terminator == component {
        return None;
    }
    Some((element, component, terminator))
}

fn printable(b: u8) -> String {
    match b {
        b'\n' => "LF".into(),
        b'\r' => "CR".into(),
        b' ' => "space".into(),
        0x21..=0x7e => format!("{:?}", char::from(b)),
        _ => format!("0x{b:02X}"),
    }
}

impl<R: Read> SegmentReader<R> {
    /// Reads the start of `reader`, settles the delimiters, and positions at the UNB.
    pub fn new(mut reader: R) -> Result<Self, ManifestError> {
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut reader)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| ManifestError::Io(e.to_string()))?;
        let mut start = 0;
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            start = 3;
        }
        while start < head.len() && is_space(head[start]) {
            start += 1;
        }
        if start >= head.len() {
            return Err(ManifestError::Syntax {
                position: Position::default(),
                message: "the file is empty: expected UNA or UNB".into(),
            });
        }
        let mut warnings = Vec::new();
        let una = head[start..].starts_with(b"UNA");
        let search_from = if una { start + 3 } else { start };
        let unb = find(&head, b"UNB", search_from).ok_or_else(|| ManifestError::Syntax {
            position: Position::default(),
            message: format!(
                "no UNB interchange header in the first {} bytes",
                HEAD_BYTES.min(head.len())
            ),
        })?;
        if !una && unb != start {
            return Err(ManifestError::Syntax {
                position: Position::default(),
                message: "the file does not start with UNA or UNB".into(),
            });
        }
        let inferred = infer_from_unb(&head, unb);
        let mut delimiters = Delimiters::default();
        if una {
            let declared: Vec<u8> = head[start + 3..unb].to_vec();
            let complete = declared.len() >= 6
                && !declared[..6].iter().any(|&b| b == b'\n' || b == b'\r')
                && declared[..6].iter().all(|b| b.is_ascii());
            if complete {
                delimiters = Delimiters {
                    component: declared[0],
                    element: declared[1],
                    release: Some(declared[3]).filter(|&r| r != b' '),
                    terminator: declared[5],
                };
            } else {
                // A UNA cut short or holding non-ASCII: keep the characters that are usable,
                // take the delimiters from the UNB.
                let usable: Vec<u8> = declared
                    .iter()
                    .copied()
                    .take_while(|&b| b != b'\n' && b != b'\r')
                    .take(6)
                    .collect();
                warnings.push(format!(
                    "UNA service string advice is malformed ({} usable characters of 6{}); \
                     delimiters read from the UNB",
                    usable.iter().filter(|b| b.is_ascii()).count(),
                    if declared.iter().any(|b| !b.is_ascii()) {
                        ", non-ASCII"
                    } else {
                        ""
                    }
                ));
                if let Some((e, c, t)) = inferred {
                    let release = if usable.len() >= 6 && usable[3].is_ascii() {
                        Some(usable[3])
                    } else {
                        usable
                            .iter()
                            .copied()
                            .find(|&b| {
                                b.is_ascii_punctuation() && ![e, c, t, b'.', b','].contains(&b)
                            })
                            .or(Some(b'?'))
                    };
                    delimiters = Delimiters {
                        component: c,
                        element: e,
                        release: release.filter(|&r| r != b' '),
                        terminator: t,
                    };
                }
            }
        }
        if let Some((e, c, t)) = inferred {
            let what = if una { "UNA declares" } else { "default" };
            for (name, declared, used) in [
                ("element separator", &mut delimiters.element, e),
                ("component separator", &mut delimiters.component, c),
                ("segment terminator", &mut delimiters.terminator, t),
            ] {
                if *declared != used {
                    warnings.push(format!(
                        "{what} {name} {} but the UNB uses {}: using {}",
                        printable(*declared),
                        printable(used),
                        printable(used)
                    ));
                    *declared = used;
                }
            }
        }
        let d = delimiters;
        if d.element == d.component
            || d.element == d.terminator
            || d.component == d.terminator
            || [d.element, d.component, d.terminator]
                .iter()
                .any(|b| b.is_ascii_alphanumeric())
        {
            return Err(ManifestError::Syntax {
                position: Position::default(),
                message: format!(
                    "unusable delimiters: element {}, component {}, terminator {}",
                    printable(d.element),
                    printable(d.component),
                    printable(d.terminator)
                ),
            });
        }
        if let Some(r) = d.release {
            if [d.element, d.component, d.terminator].contains(&r) || r.is_ascii_alphanumeric() {
                warnings.push(format!(
                    "release character {} collides with a delimiter: ignored",
                    printable(r)
                ));
                delimiters.release = None;
            }
        }
        let line = 1 + head[..unb]
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && head.get(i + 1) != Some(&b'\n')))
            .count() as u64;
        let offset = unb as u64;
        let rest = head.split_off(unb);
        let mut special = [false; 256];
        let dl = delimiters;
        for b in [dl.element, dl.component, dl.terminator, b'\r', b'\n']
            .into_iter()
            .chain(dl.release)
        {
            special[usize::from(b)] = true;
        }
        let src = BufReader::with_capacity(64 * 1024, Cursor::new(rest).chain(reader));
        Ok(SegmentReader {
            src,
            syntax: Syntax {
                delimiters,
                una,
                warnings,
            },
            offset,
            line,
            segment: 0,
            last_was_cr: false,
            ended: false,
            special,
        })
    }

    /// The byte offset reached.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the next segment into `seg`; `Ok(false)` at the end of the file. After an error
    /// the reader is at the end.
    pub fn read_into(&mut self, seg: &mut Segment) -> Result<bool, ManifestError> {
        if self.ended {
            return Ok(false);
        }
        let d = self.syntax.delimiters;
        let newline_terminated = d.terminator == b'\n' || d.terminator == b'\r';
        seg.clear();
        let mut started = false;
        let mut released = false;
        let mut comp_start = 0u32;
        // The counters live in locals while bytes are scanned, written back once.
        let (mut offset, mut line, mut last_cr, mut segment) =
            (self.offset, self.line, self.last_was_cr, self.segment);
        let result = 'scan: loop {
            let buf = match self.src.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    self.ended = true;
                    break 'scan Err(ManifestError::Io(e.to_string()));
                }
            };
            if buf.is_empty() {
                self.ended = true;
                if released {
                    break 'scan Err(ManifestError::Syntax {
                        position: Position {
                            segment,
                            offset,
                            line,
                        },
                        message: "the file ends in a release character with nothing to release"
                            .into(),
                    });
                }
                if !started {
                    break 'scan Ok(false);
                }
                seg.comps.push((comp_start, seg.data.len() as u32));
                break 'scan Ok(true);
            }
            let mut used = 0;
            let mut done = false;
            while used < buf.len() {
                let b = buf[used];
                if started && !released && !self.special[usize::from(b)] {
                    // A run of ordinary bytes: copied at once.
                    let run = buf[used..]
                        .iter()
                        .position(|&x| self.special[usize::from(x)])
                        .unwrap_or(buf.len() - used);
                    seg.data.extend_from_slice(&buf[used..used + run]);
                    used += run;
                    offset += run as u64;
                    last_cr = false;
                    if seg.data.len() > MAX_SEGMENT_BYTES {
                        self.ended = true;
                        break 'scan Err(too_long(seg.position, d.terminator));
                    }
                    continue;
                }
                used += 1;
                // Line and offset bookkeeping for every byte.
                let counts_line = b == b'\n' && !last_cr || b == b'\r';
                last_cr = b == b'\r';
                if !started {
                    if b == d.terminator || is_space(b) {
                        offset += 1;
                        if counts_line {
                            line += 1;
                        }
                        continue;
                    }
                    started = true;
                    segment += 1;
                    seg.position = Position {
                        segment,
                        offset,
                        line,
                    };
                }
                offset += 1;
                if counts_line {
                    line += 1;
                }
                if released {
                    released = false;
                    if b == b'\r' || b == b'\n' {
                        // A line break after the release character: the sender wrapped the
                        // line, the release applies to what follows.
                        released = true;
                        continue;
                    }
                    seg.data.push(b);
                } else if b == d.terminator {
                    done = true;
                    break;
                } else if Some(b) == d.release {
                    released = true;
                } else if !newline_terminated && (b == b'\r' || b == b'\n') {
                    // Line breaks between or inside segments are transport artefacts.
                } else if b == d.element {
                    seg.comps.push((comp_start, seg.data.len() as u32));
                    comp_start = seg.data.len() as u32;
                    seg.elems.push(seg.comps.len() as u32);
                } else if b == d.component {
                    seg.comps.push((comp_start, seg.data.len() as u32));
                    comp_start = seg.data.len() as u32;
                } else if newline_terminated && b == b'\r' {
                } else {
                    seg.data.push(b);
                }
                if seg.data.len() > MAX_SEGMENT_BYTES {
                    self.ended = true;
                    break 'scan Err(too_long(seg.position, d.terminator));
                }
            }
            self.src.consume(used);
            if done {
                seg.comps.push((comp_start, seg.data.len() as u32));
                break 'scan Ok(true);
            }
        };
        self.offset = offset;
        self.line = line;
        self.last_was_cr = last_cr;
        self.segment = segment;
        result
    }
}

fn too_long(position: Position, terminator: u8) -> ManifestError {
    ManifestError::Syntax {
        position,
        message: format!(
            "segment longer than {MAX_SEGMENT_BYTES} bytes: a missing segment terminator {}?",
            printable(terminator)
        ),
    }
}

/// Is this a well-formed tag (three upper-case letters or digits)?
pub fn valid_tag(tag: &[u8]) -> bool {
    tag.len() == 3
        && tag
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(text: &[u8]) -> (Syntax, Vec<Segment>) {
        let mut r = SegmentReader::new(text).unwrap();
        let mut out = Vec::new();
        let mut s = Segment::default();
        while r.read_into(&mut s).unwrap() {
            out.push(s.clone());
        }
        (r.syntax, out)
    }

    #[test]
    fn defaults_without_una() {
        let (syn, segs) = segments(
            b"UNB+UNOA:4+A+B+200101:0000+1'UNH+1+PAXLST:D:02B:UN:IATA'BGM+745'UNT+3+1'UNZ+1+1'",
        );
        assert_eq!(syn.delimiters, Delimiters::default());
        assert!(syn.warnings.is_empty(), "{:?}", syn.warnings);
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[1].code(2, 0), "PAXLST");
        assert_eq!(segs[1].code(2, 2), "02B");
    }

    #[test]
    fn custom_delimiters_and_release() {
        let text =
            b"UNA|*.#^$UNB*UNOA|4*A*B*200101|0000*1$UNH*1*PAXLST|D|05B$NAD*FL***O#*BRIEN#|X|JOHN$";
        let (syn, segs) = segments(text);
        assert_eq!(syn.delimiters.element, b'*');
        assert_eq!(syn.delimiters.component, b'|');
        assert_eq!(syn.delimiters.release, Some(b'#'));
        assert_eq!(segs[2].value(4, 0), b"O*BRIEN|X");
        assert_eq!(segs[2].value(4, 1), b"JOHN");
    }

    #[test]
    fn release_at_end_of_file_is_an_error() {
        let mut r =
            SegmentReader::new(&b"UNB+UNOA:4+A+B+1:1+1'UNH+1+PAXLST'NAD+FL+++X?"[..]).unwrap();
        let mut s = Segment::default();
        assert!(r.read_into(&mut s).unwrap());
        assert!(r.read_into(&mut s).unwrap());
        let e = r.read_into(&mut s).unwrap_err().to_string();
        assert!(e.contains("release character"), "{e}");
        assert!(e.contains("segment 3"), "{e}");
    }

    #[test]
    fn oversized_segment_is_refused() {
        let mut text = b"UNB+UNOA:4+A+B+1:1+1'UNH+1+PAXLST'FTX+".to_vec();
        text.extend(std::iter::repeat_n(b'A', MAX_SEGMENT_BYTES + 10));
        let mut r = SegmentReader::new(&text[..]).unwrap();
        let mut s = Segment::default();
        r.read_into(&mut s).unwrap();
        r.read_into(&mut s).unwrap();
        let e = r.read_into(&mut s).unwrap_err().to_string();
        assert!(e.contains("longer than"), "{e}");
    }

    #[test]
    fn cut_short_una_is_read_from_the_unb() {
        let (syn, segs) = segments(
            b"UNA:+\\*'\nUNB+IATA:1+1A+KRC+130527:0754+0003' UNH+1+PNRGOV:11:1:IA'\nLTS+\\*1A\\*'",
        );
        assert_eq!(syn.delimiters.terminator, b'\'');
        assert_eq!(syn.delimiters.release, Some(b'\\'));
        assert!(!syn.warnings.is_empty());
        assert_eq!(segs[2].value(1, 0), b"*1A*");
    }

    #[test]
    fn newline_terminated_segments() {
        let (syn, segs) =
            segments(b"UNB+UNOA:4+A+B+1:1+1\nUNH+1+PAXLST:D:02B\r\nBGM+745\nUNT+3+1\nUNZ+1+1\n");
        assert_eq!(syn.delimiters.terminator, b'\n');
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[2].tag(), b"BGM");
        assert_eq!(segs[2].position.line, 3);
    }

    #[test]
    fn wrong_delimiters_are_refused() {
        let e = SegmentReader::new(&b"UNA:+.? +UNB+UNOA:4+A"[..]).err();
        assert!(e.is_some());
        let e = SegmentReader::new(&b"hello world"[..])
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("UNB")));
    }

    #[test]
    fn charsets() {
        assert_eq!(
            Charset::from_syntax_id("UNOC")
                .unwrap()
                .decode(b"Nov\xe1k")
                .unwrap(),
            "Novák"
        );
        assert!(Charset::from_syntax_id("UNOA")
            .unwrap()
            .decode(b"Nov\x87k")
            .is_err());
        assert_eq!(
            Charset::from_syntax_id("UNOE")
                .unwrap()
                .decode(b"\xb8\xd2\xd0\xdd")
                .unwrap(),
            "Иван"
        );
        assert!(Charset::from_syntax_id("UNOY")
            .unwrap()
            .decode(b"\xff")
            .is_err());
        assert!(Charset::from_syntax_id("UNOX").is_none());
    }
}
