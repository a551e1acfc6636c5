//! A JSON Schema (draft 2020-12) validator for the keywords the OASIS STIX 2.1 schemas use.
//! A keyword it does not know fails the validation, so nothing is skipped silently.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// Annotations: no effect on validity.
const ANNOTATIONS: [&str; 8] = [
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "format",
];

pub struct Schemas {
    /// "common/core.json" → the document.
    files: HashMap<String, Value>,
    regexes: RefCell<HashMap<String, regex::Regex>>,
}

fn err<T>(at: &str, message: impl std::fmt::Display) -> Result<T, String> {
    Err(format!("{at}: {message}"))
}

impl Schemas {
    pub fn load(root: &Path) -> Schemas {
        let mut files = HashMap::new();
        for dir in ["common", "sdos", "sros", "observables"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
                files.insert(name, serde_json::from_str(&text).unwrap());
            }
        }
        Schemas {
            files,
            regexes: RefCell::new(HashMap::new()),
        }
    }

    fn matches(&self, pattern: &str, text: &str) -> Result<bool, String> {
        let mut cache = self.regexes.borrow_mut();
        if !cache.contains_key(pattern) {
            let re = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
            cache.insert(pattern.to_string(), re);
        }
        Ok(cache.get(pattern).is_some_and(|re| re.is_match(text)))
    }

    pub fn validate(&self, file: &str, instance: &Value) -> Result<(), String> {
        let schema = self.files.get(file).ok_or(format!("no schema {file}"))?;
        self.check(file, schema, instance, "$")
    }

    /// Resolves a `$ref` met in `file`: a relative path, an absolute URL of these schemas, or
    /// a fragment.
    fn resolve(&self, file: &str, reference: &str) -> Result<(String, &Value), String> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if path.is_empty() {
            file.to_string()
        } else if let Some(i) = path.find("/schemas/") {
            path[i + "/schemas/".len()..].to_string()
        } else {
            let base = file.rsplit_once('/').map_or("", |(d, _)| d);
            let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
            for seg in path.split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s),
                }
            }
            parts.join("/")
        };
        let mut node = self
            .files
            .get(&target)
            .ok_or(format!("unresolved $ref {reference} from {file}"))?;
        for seg in fragment.split('/').filter(|s| !s.is_empty()) {
            node = node
                .get(seg)
                .ok_or(format!("unresolved fragment {reference}"))?;
        }
        Ok((target, node))
    }

    fn check(&self, file: &str, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
        let s = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => return err(at, "the schema allows nothing here"),
            Value::Object(s) => s,
            _ => return err(at, "schema is not an object"),
        };
        for (key, k) in s {
            if ANNOTATIONS.contains(&key.as_str()) || key == "definitions" || key == "$defs" {
                continue;
            }
            match key.as_str() {
                "$ref" => {
                    let (target, sub) = self.resolve(file, k.as_str().unwrap_or(""))?;
                    self.check(&target, sub, v, at)?;
                }
                "type" => {
                    let ok = |t: &str| match t {
                        "object" => v.is_object(),
                        "array" => v.is_array(),
                        "string" => v.is_string(),
                        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
                        "number" => v.is_number(),
                        "boolean" => v.is_boolean(),
                        "null" => v.is_null(),
                        _ => false,
                    };
                    let fine = match k {
                        Value::String(t) => ok(t),
                        Value::Array(ts) => ts.iter().any(|t| t.as_str().is_some_and(ok)),
                        _ => false,
                    };
                    if !fine {
                        return err(at, format!("not of type {k}"));
                    }
                }
                "enum" => {
                    if !k.as_array().is_some_and(|a| a.contains(v)) {
                        return err(at, format!("{v} not in {k}"));
                    }
                }
                "const" => {
                    if k != v {
                        return err(at, format!("{v} is not {k}"));
                    }
                }
                "pattern" => {
                    if let Value::String(text) = v {
                        if !self.matches(k.as_str().unwrap_or(""), text)? {
                            return err(at, format!("{text:?} does not match {k}"));
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let Value::String(text) = v {
                        let n = text.chars().count() as u64;
                        let lim = k.as_u64().unwrap_or(0);
                        if (key == "minLength" && n < lim) || (key == "maxLength" && n > lim) {
                            return err(at, format!("{key} {lim}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(n), Some(lim)) = (v.as_f64(), k.as_f64()) {
                        if (key == "minimum" && n < lim) || (key == "maximum" && n > lim) {
                            return err(at, format!("{key} {lim}"));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Value::Array(a) = v {
                        let lim = k.as_u64().unwrap_or(0) as usize;
                        if (key == "minItems" && a.len() < lim)
                            || (key == "maxItems" && a.len() > lim)
                        {
                            return err(at, format!("{key} {lim}"));
                        }
                    }
                }
                "uniqueItems" => {
                    if let (Value::Array(a), Some(true)) = (v, k.as_bool()) {
                        for (i, x) in a.iter().enumerate() {
                            if a[..i].contains(x) {
                                return err(at, "items are not unique");
                            }
                        }
                    }
                }
                "minProperties" => {
                    if let Value::Object(o) = v {
                        if (o.len() as u64) < k.as_u64().unwrap_or(0) {
                            return err(at, format!("minProperties {k}"));
                        }
                    }
                }
                "required" => {
                    if let Value::Object(o) = v {
                        for r in k.as_array().into_iter().flatten() {
                            let name = r.as_str().unwrap_or("");
                            if !o.contains_key(name) {
                                return err(at, format!("{name} is required"));
                            }
                        }
                    }
                }
                "properties" | "patternProperties" | "additionalProperties" => {
                    // Checked together below.
                }
                "propertyNames" => {
                    if let Value::Object(o) = v {
                        for name in o.keys() {
                            self.check(
                                file,
                                k,
                                &Value::String(name.clone()),
                                &format!("{at}.{name} (name)"),
                            )?;
                        }
                    }
                }
                "items" => {
                    if let Value::Array(a) = v {
                        for (i, x) in a.iter().enumerate() {
                            self.check(file, k, x, &format!("{at}[{i}]"))?;
                        }
                    }
                }
                "allOf" => {
                    for sub in k.as_array().into_iter().flatten() {
                        self.check(file, sub, v, at)?;
                    }
                }
                "anyOf" => {
                    let subs = k.as_array().cloned().unwrap_or_default();
                    let mut errors = Vec::new();
                    if !subs.iter().any(|sub| match self.check(file, sub, v, at) {
                        Ok(()) => true,
                        Err(e) => {
                            errors.push(e);
                            false
                        }
                    }) {
                        return err(at, format!("matches none of anyOf: {}", errors.join(" | ")));
                    }
                }
                "oneOf" => {
                    let subs = k.as_array().cloned().unwrap_or_default();
                    let matched = subs
                        .iter()
                        .filter(|sub| self.check(file, sub, v, at).is_ok())
                        .count();
                    if matched != 1 {
                        return err(at, format!("matches {matched} of oneOf"));
                    }
                }
                "not" => {
                    if self.check(file, k, v, at).is_ok() {
                        return err(at, format!("matches the forbidden schema {k}"));
                    }
                }
                "if" => {
                    let branch = if self.check(file, k, v, at).is_ok() {
                        "then"
                    } else {
                        "else"
                    };
                    if let Some(sub) = s.get(branch) {
                        self.check(file, sub, v, at)?;
                    }
                }
                "then" | "else" => {}
                other => {
                    return err(
                        at,
                        format!("the test's validator does not know keyword {other}"),
                    )
                }
            }
        }
        if let Value::Object(o) = v {
            let props = s.get("properties").and_then(Value::as_object);
            let patterns = s.get("patternProperties").and_then(Value::as_object);
            for (name, value) in o {
                let path = format!("{at}.{name}");
                let mut covered = false;
                if let Some(sub) = props.and_then(|p| p.get(name)) {
                    covered = true;
                    self.check(file, sub, value, &path)?;
                }
                for (pattern, sub) in patterns.into_iter().flatten() {
                    if self.matches(pattern, name)? {
                        covered = true;
                        self.check(file, sub, value, &path)?;
                    }
                }
                if !covered {
                    if let Some(additional) = s.get("additionalProperties") {
                        self.check(file, additional, value, &path)?;
                    }
                }
            }
        }
        Ok(())
    }
}
