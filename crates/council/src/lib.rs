//! The council's business as pure rules: no I/O, no database.
//!
//! - [`date`]: calendar dates (`YYYY-MM-DD`) and UTC instants as comparable text.
//! - [`chair`]: the yearly rotation of the chairmanship and recorded overrides.
//! - [`consensus`]: positions of member states, adoption by consensus in a meeting or by a
//!   silence procedure evaluated against a clock passed in.
//! - [`money`]: amounts in integer minor units, assessed shares in hundredths of a percent, and
//!   the allocation of a budget into contributions that sum to it exactly.
//! - [`ics`]: iCalendar (RFC 5545) with line folding and escaping.
//! - [`report`]: the report to the Council of Heads of State in Markdown, and a small PDF 1.4
//!   writer for text pages.

pub mod chair;
pub mod consensus;
pub mod date;
pub mod ics;
pub mod money;
pub mod report;

pub use chair::{ChairTerm, Rotation};
pub use consensus::{Position, Procedure, Status};
pub use date::Date;
pub use money::{allocate, parse_amount, parse_share, Contribution, Money};

/// A rule broken by some input; the message names the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: String,
    pub message: String,
}

impl RuleError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = RuleError> = std::result::Result<T, E>;
