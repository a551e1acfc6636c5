//! TAXII 2.1 (read-only): the discovery, API root and collection resources, and the objects
//! envelope with `added_after` and `limit`/`next` paging.

use serde_json::{json, Value};

use crate::stix::{timestamp, uuid5, STIX_MEDIA_TYPE};

/// TAXII 2.1's media type.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// Most objects in one page.
pub const MAX_PAGE: usize = 1000;
pub const DEFAULT_PAGE: usize = 100;

/// The collections Vigil serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// The register's entities the caller may see, their designating authorities, TLP markings.
    Register,
    /// The messages the caller sent or received.
    Exchange,
}

impl Collection {
    pub const ALL: [Collection; 2] = [Collection::Register, Collection::Exchange];
    pub fn id(self) -> String {
        uuid5(match self {
            Collection::Register => "taxii-collection:register",
            Collection::Exchange => "taxii-collection:exchange",
        })
    }
    pub fn by_id(id: &str) -> Option<Collection> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
    pub fn resource(self) -> Value {
        let (title, description) = match self {
            Collection::Register => (
                "Vigil register",
                "Designated organizations and persons you may see, with their designating authorities",
            ),
            Collection::Exchange => (
                "Vigil exchange",
                "Messages your authority sent or received: reports and sightings",
            ),
        };
        json!({
            "id": self.id(),
            "title": title,
            "description": description,
            "can_read": true,
            "can_write": false,
            "media_types": [STIX_MEDIA_TYPE],
        })
    }
}

pub fn discovery(api_root: &str) -> Value {
    json!({
        "title": "Vigil TAXII 2.1",
        "description": "Read-only TAXII server of the Vigil register and exchange; what you may see only",
        "default": api_root,
        "api_roots": [api_root],
    })
}

pub fn api_root(max_content_length: usize) -> Value {
    json!({
        "title": "Vigil",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": max_content_length,
    })
}

/// A TAXII 2.1 error message resource (section 3.6.1): `http_status` is a string.
pub fn error(title: &str, description: &str, error_code: &str, http_status: u16) -> Value {
    json!({
        "title": title,
        "description": description,
        "error_code": error_code,
        "http_status": http_status.to_string(),
    })
}

/// The `match[...]` filters of the objects, manifest and versions endpoints; each a list of
/// values (comma-separated in the query), `None` when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub types: Option<Vec<String>>,
    pub ids: Option<Vec<String>>,
    pub versions: Option<Vec<String>>,
    pub spec_versions: Option<Vec<String>>,
}

impl Filters {
    /// The filters among the query's parameters (name, value); other names than `match[type]`,
    /// `match[id]`, `match[version]`, `match[spec_version]` and those in `other` are refused.
    pub fn parse<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        other: &[&str],
    ) -> Result<Filters, String> {
        let mut f = Filters::default();
        for (name, value) in params {
            let list = || {
                value
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
            };
            let slot = match name {
                "match[type]" => &mut f.types,
                "match[id]" => &mut f.ids,
                "match[version]" => &mut f.versions,
                "match[spec_version]" => &mut f.spec_versions,
                n if other.contains(&n) => continue,
                n => {
                    return Err(format!(
                        "{n}: not a parameter here; filters are match[type], match[id], \
                         match[version] and match[spec_version]"
                    ))
                }
            };
            let values = list();
            if values.is_empty() {
                return Err(format!("{name}: give at least one value"));
            }
            if slot.is_some() {
                return Err(format!("{name}: given twice; separate values by commas"));
            }
            if name == "match[version]" {
                if let Some(v) = values.iter().find(|v| {
                    !matches!(v.as_str(), "first" | "last" | "all") && !crate::stix::is_timestamp(v)
                }) {
                    return Err(format!(
                        "match[version]: {v:?}; use first, last, all or a timestamp"
                    ));
                }
            }
            *slot = Some(values);
        }
        Ok(f)
    }

    /// Whether `object` passes every filter given. Vigil keeps one version of each object,
    /// so `first`, `last` and `all` select it, and a timestamp selects it when it is its
    /// version.
    pub fn matches(&self, object: &Value) -> bool {
        let field = |k: &str| object[k].as_str().unwrap_or("").to_string();
        let version = version_of(object);
        let spec = object["spec_version"].as_str().unwrap_or("2.1").to_string();
        let any = |list: &Option<Vec<String>>, f: &dyn Fn(&str) -> bool| {
            list.as_ref().is_none_or(|l| l.iter().any(|v| f(v)))
        };
        any(&self.types, &|t| t == field("type"))
            && any(&self.ids, &|i| i == field("id"))
            && any(&self.versions, &|v| {
                matches!(v, "first" | "last" | "all") || timestamp(v) == version
            })
            && any(&self.spec_versions, &|s| s == spec)
    }
}

/// An object's version: its `modified` time, or `created` for objects without one.
pub fn version_of(object: &Value) -> String {
    object["modified"]
        .as_str()
        .or(object["created"].as_str())
        .map(timestamp)
        .unwrap_or_default()
}

/// The manifest record of an object added at `added`.
pub fn manifest_record(added: &str, object: &Value) -> Value {
    json!({
        "id": object["id"],
        "date_added": timestamp(added),
        "version": version_of(object),
        "media_type": STIX_MEDIA_TYPE,
    })
}

/// A page of an envelope: the objects (with their date added) after `added_after`, from the
/// opaque `next` position, at most `limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub envelope: Value,
    pub first_added: Option<String>,
    pub last_added: Option<String>,
}

/// Pages `objects` — (date added, object), any order — for TAXII's objects endpoint. `next`
/// is the position the previous page returned; a `next` that is not a number is refused.
pub fn page(
    mut objects: Vec<(String, Value)>,
    added_after: Option<&str>,
    limit: Option<usize>,
    next: Option<&str>,
) -> Result<Page, String> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(format!("limit: from 1 to {MAX_PAGE}"));
    }
    let start: usize = match next {
        Some(n) => n
            .parse()
            .map_err(|_| "next: not a value this server gave".to_string())?,
        None => 0,
    };
    if let Some(after) = added_after {
        if !crate::stix::is_timestamp(after) {
            return Err("added_after: a timestamp like 2026-01-01T00:00:00.000Z".into());
        }
    }
    for (added, _) in objects.iter_mut() {
        *added = timestamp(added);
    }
    objects.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1["id"].as_str().cmp(&b.1["id"].as_str()))
    });
    let after: Vec<(String, Value)> = objects
        .into_iter()
        .filter(|(added, _)| added_after.is_none_or(|a| added.as_str() > a))
        .collect();
    let total = after.len();
    let slice: Vec<(String, Value)> = after.into_iter().skip(start).take(limit).collect();
    let more = start + slice.len() < total;
    let first_added = slice.first().map(|(a, _)| a.clone());
    let last_added = slice.last().map(|(a, _)| a.clone());
    let mut envelope = json!({"more": more});
    if more {
        envelope["next"] = json!((start + slice.len()).to_string());
    }
    if !slice.is_empty() {
        envelope["objects"] = Value::Array(slice.into_iter().map(|(_, o)| o).collect());
    }
    Ok(Page {
        envelope,
        first_added,
        last_added,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> Vec<(String, Value)> {
        (0..5)
            .map(|i| {
                (
                    format!("2026-01-0{}T00:00:00.000Z", i + 1),
                    json!({"id": format!("x--{i}")}),
                )
            })
            .rev()
            .collect()
    }

    #[test]
    fn pages_in_order_with_added_after() {
        let p = page(objects(), None, Some(2), None).unwrap();
        assert_eq!(p.envelope["more"], true);
        assert_eq!(p.envelope["objects"][0]["id"], "x--0");
        let next = p.envelope["next"].as_str().unwrap().to_string();
        let p2 = page(objects(), None, Some(2), Some(&next)).unwrap();
        assert_eq!(p2.envelope["objects"][0]["id"], "x--2");
        let p3 = page(objects(), None, Some(2), Some("4")).unwrap();
        assert_eq!(p3.envelope["more"], false);
        assert!(p3.envelope.get("next").is_none());
        let after = page(objects(), Some("2026-01-03T00:00:00.000Z"), None, None).unwrap();
        assert_eq!(after.envelope["objects"].as_array().unwrap().len(), 2);
        assert_eq!(
            after.first_added.as_deref(),
            Some("2026-01-04T00:00:00.000Z")
        );
        let none = page(objects(), Some("2027-01-01T00:00:00.000Z"), None, None).unwrap();
        assert!(none.envelope.get("objects").is_none());
        assert!(page(objects(), Some("yesterday"), None, None).is_err());
        assert!(page(objects(), None, Some(0), None).is_err());
        assert!(page(objects(), None, None, Some("abc")).is_err());
    }

    #[test]
    fn filters_select_by_type_id_and_version() {
        let objects = [
            json!({"type": "identity", "id": "identity--1", "spec_version": "2.1",
                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-02-01T00:00:00.000Z"}),
            json!({"type": "threat-actor", "id": "threat-actor--2", "spec_version": "2.1",
                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"}),
            json!({"type": "marking-definition", "id": "marking-definition--3",
                "spec_version": "2.1", "created": "2022-10-01T00:00:00.000Z"}),
        ];
        let pick = |params: &[(&str, &str)]| -> Vec<String> {
            let f = Filters::parse(params.iter().copied(), &["limit"]).unwrap();
            objects
                .iter()
                .filter(|o| f.matches(o))
                .map(|o| o["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(pick(&[]).len(), 3);
        assert_eq!(pick(&[("limit", "5")]).len(), 3);
        assert_eq!(
            pick(&[("match[type]", "identity,marking-definition")]),
            ["identity--1", "marking-definition--3"]
        );
        assert_eq!(
            pick(&[("match[id]", "threat-actor--2")]),
            ["threat-actor--2"]
        );
        assert_eq!(
            pick(&[
                ("match[type]", "identity"),
                ("match[id]", "threat-actor--2")
            ]),
            Vec::<String>::new()
        );
        assert_eq!(pick(&[("match[version]", "last")]).len(), 3);
        assert_eq!(
            pick(&[("match[version]", "2026-02-01T00:00:00.000Z")]),
            ["identity--1"]
        );
        assert_eq!(
            pick(&[("match[version]", "2022-10-01T00:00:00.000Z")]),
            ["marking-definition--3"]
        );
        assert_eq!(pick(&[("match[spec_version]", "2.0")]).len(), 0);
        for bad in [
            ("match[colour]", "red"),
            ("match[type]", ""),
            ("match[version]", "newest"),
            ("sort", "asc"),
        ] {
            let e = Filters::parse([bad], &["limit"]).unwrap_err();
            assert!(e.starts_with(bad.0), "{e}");
        }
        assert!(Filters::parse([("match[id]", "a"), ("match[id]", "b")], &[]).is_err());
        let m = manifest_record("2026-03-01T00:00:00Z", &objects[0]);
        assert_eq!(m["version"], "2026-02-01T00:00:00.000Z");
        assert_eq!(m["media_type"], STIX_MEDIA_TYPE);
        let e = error("Not found", "no such collection", "not_found", 404);
        assert_eq!(e["http_status"], "404");
    }

    #[test]
    fn collections_have_stable_ids() {
        for c in Collection::ALL {
            assert_eq!(Collection::by_id(&c.id()), Some(c));
        }
        assert_eq!(Collection::by_id("nope"), None);
    }
}
