//! Integration tests of the list readers: one binary (faster to link), one module per format.

mod ftm;
mod national;
mod ofac;
mod un;

pub use vigil_testkit::shared_data;

use vigil_formats::ParsedList;
use vigil_model::{Entity, NameKind};

/// The entity with this id in the first list read; the test fails if it is absent.
pub fn entity<'a>(parsed: &'a ParsedList, id: &str) -> &'a Entity {
    parsed.lists[0]
        .entities
        .iter()
        .find(|e| e.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} is not in the list"))
}

/// The entity's names of one kind, in order.
pub fn names(e: &Entity, kind: NameKind) -> Vec<&str> {
    e.names
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.value.as_str())
        .collect()
}
