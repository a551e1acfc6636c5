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
    fn collections_have_stable_ids() {
        for c in Collection::ALL {
            assert_eq!(Collection::by_id(&c.id()), Some(c));
        }
        assert_eq!(Collection::by_id("nope"), None);
    }
}
