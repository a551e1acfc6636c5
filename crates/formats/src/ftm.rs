//! FollowTheMoney JSON lines.

use std::path::Path;

use vigil_model::Entity;

use crate::{FormatError, ParsedList, ReadOptions};

pub fn read_ftm(path: &Path, options: &ReadOptions<'_>) -> Result<ParsedList, FormatError> {
    let _ = (path, options);
    todo!("ftm reader")
}

pub fn write_ftm<W: std::io::Write>(entities: &[Entity], out: W) -> std::io::Result<u64> {
    let _ = (entities, out);
    todo!("ftm writer")
}

pub fn entity_to_ftm(entity: &Entity) -> Vec<serde_json::Value> {
    let _ = entity;
    todo!("ftm export")
}
