//! The register's model: what Vigil knows about a designated organization or person.
//!
//! Aligned with FollowTheMoney (the model of OpenSanctions and Aleph) but typed: every fact keeps
//! the text it was read from (`text` fields) next to what Vigil made of it (ISO codes, dates), so
//! nothing the source said is lost when a parser cannot interpret it.
//!
//! ```
//! use vigil_model::{EntityId, PartialDate};
//! let id: EntityId = "un:TAi.144".parse().unwrap();
//! assert_eq!(id.list(), "un");
//! assert_eq!(id.source_id(), "TAi.144");
//! assert_eq!(PartialDate::parse_iso("1977-03").unwrap().to_string(), "1977-03");
//! ```

mod access;
mod authority;
pub mod country;
mod date;
mod entity;
mod id;
pub mod script;
mod time;

pub use access::{may_see, member_state_of, Caller, Role, EXECUTIVE_COMMITTEE};
pub use authority::{seed_authorities, Authority, AuthorityKind};
pub use date::{BirthDate, DateError, DateSpec, PartialDate};
pub use entity::{
    Address, Country, Designation, DesignationKind, DesignationStatus, Distribution, Document,
    DocumentKind, Entity, Gender, Name, NameKind, NamePart, NamePartKind, Place, Schema,
    SourceRecord, VesselInfo,
};
pub use id::{EntityId, IdError, ListName};
pub use time::{today, utc_now_rfc3339, utc_rfc3339_from_now};

/// Longest text Vigil accepts in any single field. Longer values come from broken or hostile
/// files, not from real lists (the longest UN remark is about 3 KB).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
