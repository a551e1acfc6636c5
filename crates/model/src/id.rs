use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("entity id {0:?} has no list prefix (expected `<list>:<id in the source>`, e.g. `un:TAi.144`)")]
    MissingList(String),
    #[error("list name {0:?} is invalid: use 1-32 lowercase ASCII letters, digits, `-` or `_`, starting with a letter")]
    BadList(String),
    #[error("source id {0:?} is invalid: it must be 1-128 printable characters without spaces")]
    BadSourceId(String),
}

/// The name of a list in the register (`un`, `ofac`, `ru-fsb`...), the prefix of its entity ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ListName(String);

impl ListName {
    pub fn new(name: &str) -> Result<Self, IdError> {
        let valid = !name.is_empty()
            && name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if valid {
            Ok(Self(name.to_string()))
        } else {
            Err(IdError::BadList(name.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ListName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for ListName {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::new(&s)
    }
}
impl From<ListName> for String {
    fn from(l: ListName) -> String {
        l.0
    }
}

/// `<list>:<id in the source>`: `un:TAi.144` from the UN reference number, `ofac:10743` from
/// OFAC's ent_num. Stable across re-imports of the same list, so history and benchmarks can
/// rely on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntityId(String);

impl EntityId {
    pub fn new(list: &ListName, source_id: &str) -> Result<Self, IdError> {
        let source_id = source_id.trim();
        let valid = !source_id.is_empty()
            && source_id.len() <= 128
            && source_id
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control());
        if !valid {
            return Err(IdError::BadSourceId(source_id.to_string()));
        }
        Ok(Self(format!("{list}:{source_id}")))
    }
    pub fn list(&self) -> &str {
        self.0.split_once(':').map(|(l, _)| l).unwrap_or_default()
    }
    pub fn source_id(&self) -> &str {
        self.0.split_once(':').map(|(_, s)| s).unwrap_or_default()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EntityId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let (list, source) = s
            .split_once(':')
            .ok_or_else(|| IdError::MissingList(s.to_string()))?;
        Self::new(&ListName::new(list)?, source)
    }
}
impl TryFrom<String> for EntityId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}
impl From<EntityId> for String {
    fn from(id: EntityId) -> String {
        id.0
    }
}
impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_ids() {
        let id: EntityId = "ofac:10743".parse().unwrap();
        assert_eq!((id.list(), id.source_id()), ("ofac", "10743"));
        assert!(matches!(
            "10743".parse::<EntityId>(),
            Err(IdError::MissingList(_))
        ));
        assert!(matches!(
            "UN:x".parse::<EntityId>(),
            Err(IdError::BadList(_))
        ));
        assert!(matches!(
            "un:a b".parse::<EntityId>(),
            Err(IdError::BadSourceId(_))
        ));
        assert!(matches!(
            "un:".parse::<EntityId>(),
            Err(IdError::BadSourceId(_))
        ));
        let with_colon: EntityId = "ftm:NK-abc:1".parse().unwrap();
        assert_eq!(with_colon.source_id(), "NK-abc:1");
    }
}
