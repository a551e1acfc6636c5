//! The exchange between competent authorities, as pure logic: message kinds and markings
//! (classification, handling code, TLP 2.0), recipient resolution, the handling rules that
//! decide forwarding, the checks a message passes before it is stored, the STIX 2.1 writer and
//! reader, and TAXII 2.1's envelope and paging. No I/O: the store keeps messages, the server
//! and the command line call these functions.

pub mod message;
pub mod stix;
pub mod taxii;

pub use message::{
    addressed_as, addresses, check_forward, check_message, may_read, may_send, recipient_callers,
    resolve_recipient, same_origin, state, Attachment, AttachmentInfo, AttachmentInput,
    Classification, Context, Encounter, Handling, Kind, Markings, MarkingsInput, Message,
    MessageInput, NewMessage, Priority, Recipient, State, Tlp,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// A field of a message is missing or wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// An attachment (or other content) is over its size limit.
    #[error("{0}")]
    TooLarge(String),
    /// An attachment's content is not what its media type says.
    #[error("{0}")]
    Mislabelled(String),
    /// The handling code or TLP label forbids what was asked.
    #[error("{0}")]
    HandlingForbids(String),
    /// A STIX document is malformed.
    #[error("malformed STIX: {0}")]
    Stix(String),
}
