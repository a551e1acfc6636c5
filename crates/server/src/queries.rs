//! Screening queries as `vigil screen --input` and `POST /api/v1/screen/batch` read them: one
//! JSON object per line, `{"id","schema","name","birth_date","nationality","documents"}`. A line
//! that cannot be screened becomes an error record in its place, never a dropped line.

use serde_json::{json, Map, Value};
use vigil_screen::{parse_schema, Query};

/// Names longer than this are refused per line: no real name comes close, and a record this
/// long is broken or hostile.
pub const MAX_NAME_CHARS: usize = 1000;

/// Most document numbers per query; more is refused rather than silently cut.
const MAX_DOCUMENTS: usize = 20;

/// One input line: a query, or the error record to write in its place.
#[derive(Debug, Clone)]
pub enum Item {
    Query { id: String, query: Query },
    Error(Value),
}

pub fn error_record(id: Option<&str>, line: usize, error: impl std::fmt::Display) -> Item {
    Item::Error(json!({"query_id": id, "line": line, "error": error.to_string()}))
}

/// A string field; absent and null are `None`, anything else but a string is an error.
pub fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(format!("field {key:?} must be a string, not {other}")),
    }
}

pub fn make_query(
    line: usize,
    id: Option<String>,
    schema: Option<&str>,
    name: Option<&str>,
    birth_date: Option<&str>,
    nationality: Option<&str>,
) -> Item {
    let Some(id) = id else {
        return error_record(None, line, "missing \"id\"");
    };
    let schema = match parse_schema(schema.unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return error_record(Some(&id), line, e),
    };
    let Some(name) = name else {
        return error_record(Some(&id), line, "missing \"name\"");
    };
    if name.trim().is_empty() {
        return error_record(Some(&id), line, "empty name");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return error_record(
            Some(&id),
            line,
            format!("name longer than {MAX_NAME_CHARS} characters"),
        );
    }
    let opt = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    Item::Query {
        id,
        query: Query {
            schema,
            name: name.to_string(),
            birth_date: opt(birth_date),
            nationality: opt(nationality),
            documents: Vec::new(),
        },
    }
}

/// A query from a JSON object (one line of a batch, or the body of a single screening).
pub fn parse_object(line: usize, obj: &Map<String, Value>) -> Item {
    let id = match obj.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let get = |k: &str| field(obj, k);
    let mut item = match (
        get("schema"),
        get("name"),
        get("birth_date"),
        get("nationality"),
    ) {
        (Ok(s), Ok(n), Ok(b), Ok(c)) => make_query(line, id.clone(), s, n, b, c),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            return error_record(id.as_deref(), line, e)
        }
    };
    if let Item::Query { query, .. } = &mut item {
        match obj.get("documents") {
            None | Some(Value::Null) => {}
            Some(Value::Array(docs))
                if docs.len() <= MAX_DOCUMENTS
                    && docs
                        .iter()
                        .all(|d| d.as_str().is_some_and(|s| s.len() <= 100)) =>
            {
                query.documents = docs
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect();
            }
            Some(_) => {
                return error_record(
                    id.as_deref(),
                    line,
                    format!("field \"documents\" must be at most {MAX_DOCUMENTS} strings of at most 100 bytes"),
                )
            }
        }
    }
    item
}

/// One JSON line (without its line break).
pub fn parse_json_line(line: usize, bytes: &[u8]) -> Item {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return error_record(None, line, format!("invalid UTF-8: {e}")),
    };
    if text.trim().is_empty() {
        return error_record(None, line, "empty line");
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error_record(None, line, format!("malformed JSON: {e}")),
    };
    let Value::Object(obj) = value else {
        return error_record(None, line, "expected a JSON object");
    };
    parse_object(line, &obj)
}

/// The lines of a JSON Lines body: a final line break adds no empty line, `\r\n` is accepted.
pub fn json_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

/// Queries from JSON Lines, one item per non-blank line.
pub fn jsonl_queries(bytes: &[u8]) -> Vec<Item> {
    json_lines(bytes)
        .into_iter()
        .enumerate()
        .map(|(i, l)| parse_json_line(i + 1, l))
        .collect()
}

/// Queries from CSV with a header naming the columns `id` and `name` (and optionally `schema`,
/// `birth_date`, `nationality`); a record that cannot be screened becomes an error record. The
/// error is for input that has no usable header at all.
pub fn csv_queries(bytes: &[u8]) -> Result<Vec<Item>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| format!("CSV header: {e}"))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(name))
    };
    let (Some(ci), Some(cn)) = (col("id"), col("name")) else {
        return Err("CSV input needs the columns id and name (and optionally schema, birth_date, nationality)".into());
    };
    let (cs, cb, cc) = (col("schema"), col("birth_date"), col("nationality"));
    let mut items = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                items.push(error_record(None, line, format!("malformed CSV: {e}")));
                // A broken quote can swallow the rest; the csv reader resynchronizes on the
                // next record, so keep going.
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let get = |c: Option<usize>| -> Result<Option<&str>, String> {
            match c.and_then(|c| record.get(c)) {
                None => Ok(None),
                Some(b) => std::str::from_utf8(b)
                    .map(Some)
                    .map_err(|e| format!("invalid UTF-8: {e}")),
            }
        };
        let id = match get(Some(ci)) {
            Ok(Some(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        items.push(match (get(cs), get(Some(cn)), get(cb), get(cc)) {
            (Ok(s), Ok(n), Ok(b), Ok(c)) => make_query(line, id, s, n, b, c),
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
                error_record(id.as_deref(), line, e)
            }
        });
    }
    Ok(items)
}
