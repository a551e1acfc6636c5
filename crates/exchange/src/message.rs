//! Messages between competent authorities: kinds, markings, recipients, priorities, and the
//! checks a message passes before it is stored.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use vigil_model::{member_state_of, AuthorityKind, Caller, Role};

use crate::ExchangeError;

/// Longest title of a message.
pub const MAX_TITLE_BYTES: usize = 500;
/// Longest free text of a message.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest attachment, decoded.
pub const MAX_ATTACHMENT_BYTES: usize = 512 * 1024;
/// Most attachments on one message.
pub const MAX_ATTACHMENTS: usize = 5;
/// Most recipients and most subjects on one message.
pub const MAX_RECIPIENTS: usize = 50;
pub const MAX_SUBJECTS: usize = 50;

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ExchangeError {
    ExchangeError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The value for `text`, or an error listing the values that exist.
            pub fn parse_field(field: &str, text: &str) -> Result<Self, ExchangeError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| {
                    let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    invalid(field, format!(concat!("unknown ", $what, " {:?}; use one of {}"), text, known.join(", ")))
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = ExchangeError;
            fn from_str(s: &str) -> Result<Self, ExchangeError> { Self::parse_field($what, s) }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

text_enum!(
    /// What a message is.
    Kind, "kind", {
        /// A request for information about an entity, a document number or a travel movement.
        Request => "request",
        /// A listed person or organization was encountered.
        Alert => "alert",
        /// A new or changed national designation.
        Notification => "notification",
        Reply => "reply",
    }
);

text_enum!(
    /// TLP 2.0 labels.
    Tlp, "TLP label", {
        Clear => "CLEAR",
        Green => "GREEN",
        Amber => "AMBER",
        AmberStrict => "AMBER+STRICT",
        Red => "RED",
    }
);

text_enum!(
    /// Classification levels, lowest first.
    Classification, "classification", {
        Unclassified => "unclassified",
        Restricted => "restricted",
        Confidential => "confidential",
        Secret => "secret",
    }
);

text_enum!(
    /// What the recipient may do with a message beyond what its TLP label allows.
    Handling, "handling code", {
        /// No restriction beyond the TLP label.
        Free => "free",
        /// Use for intelligence only: never as evidence, may be passed on within the TLP label.
        IntelligenceOnly => "intelligence_only",
        /// Ask the originator before passing it on: forwarding is refused.
        AskBeforeForwarding => "ask_before_forwarding",
        /// Ask the originator before using it as evidence; may be passed on within the label.
        AskBeforeEvidence => "ask_before_evidence",
    }
);

text_enum!(
    /// Priority, which sets the due time of an answer.
    Priority, "priority", {
        Routine => "routine",
        /// An answer within 24 hours.
        Urgent => "urgent",
        /// An answer within 4 hours.
        Immediate => "immediate",
    }
);

impl Priority {
    /// Seconds from sending to the due time.
    pub fn due_in_secs(self) -> i64 {
        match self {
            Priority::Routine => 7 * 24 * 3600,
            Priority::Urgent => 24 * 3600,
            Priority::Immediate => 4 * 3600,
        }
    }
}

impl Tlp {
    /// The standard STIX 2.1 marking-definition id of the label (TLP 2.0 extension).
    pub fn stix_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }
    /// The extension's `tlp_2_0` value.
    pub fn stix_value(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }
}

/// The markings every message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markings {
    pub classification: Classification,
    pub handling: Handling,
    pub tlp: Tlp,
}

/// Whom a message addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// One authority (`KZ-KNB`, `INTERPOL`, `RATS-EC`).
    Authority(String),
    /// Every authority of a member state (`KZ`).
    State(String),
    /// Every member state's authority and the executive committee.
    AllMembers,
    /// Partners and international bodies.
    Partners,
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Authority(a) => write!(f, "authority:{a}"),
            Recipient::State(s) => write!(f, "state:{s}"),
            Recipient::AllMembers => f.write_str("all_members"),
            Recipient::Partners => f.write_str("partners"),
        }
    }
}

impl FromStr for Recipient {
    type Err = ExchangeError;
    /// The canonical form only (`authority:X`, `state:X`, `all_members`, `partners`); see
    /// [`resolve_recipient`] for what users type.
    fn from_str(s: &str) -> Result<Self, ExchangeError> {
        let bad = || invalid("recipient", format!("{s:?} is not a recipient"));
        match s {
            "all_members" => Ok(Recipient::AllMembers),
            "partners" => Ok(Recipient::Partners),
            _ => match s.split_once(':') {
                Some(("authority", a)) if !a.is_empty() => Ok(Recipient::Authority(a.into())),
                Some(("state", st)) if !st.is_empty() => Ok(Recipient::State(st.into())),
                _ => Err(bad()),
            },
        }
    }
}

impl Serialize for Recipient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Recipient {
    /// Whether this recipient includes an authority of `kind`.
    pub fn includes(&self, authority: &str, kind: AuthorityKind) -> bool {
        match self {
            Recipient::Authority(a) => a == authority,
            Recipient::State(s) => member_state_of(authority).as_deref() == Some(s.as_str()),
            Recipient::AllMembers => {
                member_state_of(authority).is_some() || kind == AuthorityKind::ExecutiveCommittee
            }
            Recipient::Partners => {
                matches!(
                    kind,
                    AuthorityKind::Partner | AuthorityKind::InternationalBody
                )
            }
        }
    }
}

/// What a user types as a recipient, resolved against the known authorities (code, kind):
/// `all_members` / `all-members`, `partners`, a member state's code (every authority of that
/// state), any other authority's code, or the canonical forms.
pub fn resolve_recipient(
    field: &str,
    text: &str,
    known: &[(String, AuthorityKind)],
) -> Result<Recipient, ExchangeError> {
    let text = text.trim();
    let lookup = |code: &str| known.iter().find(|(c, _)| c == code).map(|(_, k)| *k);
    let unknown = || {
        invalid(
            field,
            format!(
                "unknown recipient {text:?}: give an authority's code (see `vigil authorities`), \
                 a member state's code, all_members or partners"
            ),
        )
    };
    match text {
        "all_members" | "all-members" => return Ok(Recipient::AllMembers),
        "partners" => return Ok(Recipient::Partners),
        _ => {}
    }
    let (explicit, code) = match text.split_once(':') {
        Some((prefix @ ("authority" | "state"), code)) => (Some(prefix), code),
        Some(_) => return Err(unknown()),
        None => (None, text),
    };
    let kind = lookup(code).ok_or_else(unknown)?;
    match (explicit, kind) {
        (Some("state"), AuthorityKind::MemberState) | (None, AuthorityKind::MemberState) => {
            Ok(Recipient::State(code.to_string()))
        }
        (Some("state"), _) => Err(unknown()),
        _ => Ok(Recipient::Authority(code.to_string())),
    }
}

/// The canonical recipients that address `caller`: what its inbox is made of.
pub fn addressed_as(caller: &Caller) -> Vec<Recipient> {
    let mut out = vec![Recipient::Authority(caller.authority.clone())];
    if let Some(state) = &caller.member_state {
        out.push(Recipient::State(state.clone()));
    }
    if caller.is_member() {
        out.push(Recipient::AllMembers);
    }
    if matches!(
        caller.kind,
        AuthorityKind::Partner | AuthorityKind::InternationalBody
    ) {
        out.push(Recipient::Partners);
    }
    out
}

/// A stand-in caller for each kind of authority `recipients` reach, to ask what all of them
/// may see: the authority itself, the member state, every member state and the executive
/// committee, or a partner and an international body.
pub fn recipient_callers(
    recipients: &[Recipient],
    known: &[(String, AuthorityKind)],
) -> Vec<Caller> {
    let stand_in = |code: &str, kind| Caller::new("-", code, kind, Role::Analyst);
    let mut out = Vec::new();
    for r in recipients {
        match r {
            Recipient::Authority(code) => {
                let kind = known
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or(AuthorityKind::ForeignAuthority, |(_, k)| *k);
                out.push(stand_in(code, kind));
            }
            Recipient::State(s) => out.push(stand_in(s, AuthorityKind::MemberState)),
            Recipient::AllMembers => {
                out.extend(
                    vigil_model::seed_authorities()
                        .iter()
                        .filter(|a| a.kind == AuthorityKind::MemberState)
                        .map(|a| stand_in(&a.code, AuthorityKind::MemberState)),
                );
                out.push(stand_in(
                    vigil_model::EXECUTIVE_COMMITTEE,
                    AuthorityKind::ExecutiveCommittee,
                ));
            }
            Recipient::Partners => {
                out.push(stand_in("-partner", AuthorityKind::Partner));
                out.push(stand_in("-body", AuthorityKind::InternationalBody));
            }
        }
    }
    out
}

/// Whether `caller` belongs to `originator` (the same authority, or the same member state).
pub fn same_origin(caller: &Caller, originator: &str) -> bool {
    caller.authority == originator
        || (caller.member_state.is_some() && caller.member_state == member_state_of(originator))
}

/// Whether `recipients` address `caller`.
pub fn addresses(recipients: &[Recipient], caller: &Caller) -> bool {
    recipients
        .iter()
        .any(|r| r.includes(&caller.authority, caller.kind))
}

/// Who may send messages of a kind: auditors send nothing; notifications of designations come
/// from those who designate.
pub fn may_send(role: Role, kind: Kind) -> bool {
    match kind {
        Kind::Notification => role.may_designate(),
        _ => role != Role::Auditor,
    }
}

/// Who may read messages: everyone but auditors (who read the audit log instead).
pub fn may_read(role: Role) -> bool {
    role != Role::Auditor
}

/// Whether `forwarder` may pass a message with `markings`, sent by `sender`, on to `targets`.
/// The originating authority decides for its own messages; everyone else is bound by the
/// handling code and the TLP label.
pub fn check_forward(
    markings: &Markings,
    sender: &str,
    forwarder: &Caller,
    targets: &[Recipient],
) -> Result<(), ExchangeError> {
    if forwarder.authority == sender {
        return Ok(());
    }
    let refuse = |why: String| Err(ExchangeError::HandlingForbids(why));
    if markings.handling == Handling::AskBeforeForwarding {
        return refuse(format!(
            "handling code ask_before_forwarding: ask {sender} before passing this message on"
        ));
    }
    let own_state = forwarder.member_state.as_deref();
    for target in targets {
        let within_authority = *target == Recipient::Authority(forwarder.authority.clone());
        let within_state = match target {
            Recipient::Authority(a) => {
                own_state.is_some() && member_state_of(a).as_deref() == own_state
            }
            Recipient::State(s) => Some(s.as_str()) == own_state,
            _ => false,
        };
        let allowed = match markings.tlp {
            Tlp::Red => false,
            Tlp::AmberStrict => within_authority,
            Tlp::Amber => within_authority || within_state,
            Tlp::Green => {
                !matches!(target, Recipient::Authority(a) if member_state_of(a).is_none() && a != vigil_model::EXECUTIVE_COMMITTEE && !targets_partner(a))
            }
            Tlp::Clear => true,
        };
        if !allowed {
            return refuse(format!(
                "TLP:{} does not allow passing this message on to {target}",
                markings.tlp
            ));
        }
    }
    Ok(())
}

/// GREEN stays within the community: members, the executive committee, partners and
/// international bodies. Foreign authorities (`US-OFAC`) are outside it.
fn targets_partner(authority: &str) -> bool {
    vigil_model::seed_authorities()
        .iter()
        .any(|a| a.code == authority && a.kind == AuthorityKind::InternationalBody)
}

/// Where and how a listed person or organization was encountered (alerts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encounter {
    /// Where: a border crossing point, an airport, a city.
    pub place: String,
    /// When (RFC 3339 or a date).
    pub at: String,
    /// By whom: the unit or officer.
    pub by: String,
    /// What was done: checked and released, detained, refused entry…
    pub action: String,
}

/// What a message is about, beyond its subject entities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Requests: `entity`, `document` or `travel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// Requests about a travel movement: flight, route, date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<Encounter>,
    /// A restricted-hit reference the message follows up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The screening query that produced the hit, as the requester sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Value>,
    /// The hit's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// An attachment as a sender submits it: its bytes base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    pub name: String,
    pub media_type: String,
    pub content_base64: String,
}

impl AttachmentInput {
    /// An attachment of `bytes`, encoded as the API takes it.
    pub fn from_bytes(name: &str, media_type: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.to_string(),
            media_type: media_type.to_string(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }
}

/// A checked attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// An attachment as listed with its message (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub index: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The media types accepted, each checked against the content.
pub const MEDIA_TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "text/plain",
    "application/json",
];

fn content_matches(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "text/plain" => std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')),
        "application/json" => serde_json::from_slice::<Value>(bytes).is_ok(),
        _ => false,
    }
}

fn check_text(field: &str, value: &str, max: usize, required: bool) -> Result<(), ExchangeError> {
    if required && value.trim().is_empty() {
        return Err(invalid(field, "required"));
    }
    if value.len() > max {
        return Err(invalid(field, format!("at most {max} bytes")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid(field, "no control characters"));
    }
    Ok(())
}

/// Decodes and checks one attachment: a plain name, a known media type its content matches,
/// at most [`MAX_ATTACHMENT_BYTES`].
pub fn check_attachment(
    index: usize,
    input: &AttachmentInput,
) -> Result<Attachment, ExchangeError> {
    let field = |f: &str| format!("attachments[{index}].{f}");
    let name = input.name.trim();
    let plain = !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', ':'])
        && !name.starts_with('.')
        && !name.chars().any(char::is_control);
    if !plain {
        return Err(invalid(field("name"), "a plain file name without a path"));
    }
    if !MEDIA_TYPES.contains(&input.media_type.as_str()) {
        return Err(invalid(
            field("media_type"),
            format!(
                "{:?} is not accepted; use one of {}",
                input.media_type,
                MEDIA_TYPES.join(", ")
            ),
        ));
    }
    // Base64 of the cap plus padding: refuse before decoding anything larger.
    if input.content_base64.len() > MAX_ATTACHMENT_BYTES / 3 * 4 + 8 {
        return Err(ExchangeError::TooLarge(format!(
            "{}: attachments hold at most {MAX_ATTACHMENT_BYTES} bytes",
            field("content_base64")
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input.content_base64.trim())
        .map_err(|e| invalid(field("content_base64"), format!("not base64: {e}")))?;
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ExchangeError::TooLarge(format!(
            "{}: attachments hold at most {MAX_ATTACHMENT_BYTES} bytes",
            field("content_base64")
        )));
    }
    if bytes.is_empty() {
        return Err(invalid(field("content_base64"), "the attachment is empty"));
    }
    if !content_matches(&input.media_type, &bytes) {
        return Err(ExchangeError::Mislabelled(format!(
            "{}: the content is not {}",
            field("media_type"),
            input.media_type
        )));
    }
    Ok(Attachment {
        name: name.to_string(),
        media_type: input.media_type.clone(),
        bytes,
    })
}

/// A message as a sender (API or command line) submits it; every field is text so that a bad
/// value is reported by its field name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// `request`, `alert` or `notification` (replies go through the reply endpoint).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Entity ids (`ru:17`) or restricted-hit references (`ref:vr1-…`).
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub markings: MarkingsInput,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub context: Context,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkingsInput {
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default)]
    pub handling: Option<String>,
    #[serde(default)]
    pub tlp: Option<String>,
}

impl MarkingsInput {
    /// Markings are required on every message: each of the three must be given and exist.
    pub fn check(&self) -> Result<Markings, ExchangeError> {
        let need = |field: &str, v: &Option<String>| {
            v.clone()
                .ok_or_else(|| invalid(field, "required on every message"))
        };
        Ok(Markings {
            classification: Classification::parse_field(
                "markings.classification",
                &need("markings.classification", &self.classification)?,
            )?,
            handling: Handling::parse_field(
                "markings.handling",
                &need("markings.handling", &self.handling)?,
            )?,
            tlp: Tlp::parse_field("markings.tlp", &need("markings.tlp", &self.tlp)?)?,
        })
    }
}

/// A checked message, ready to store. Recipients are resolved; subjects are syntactically
/// valid (the caller checks they exist and are visible).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub kind: Kind,
    pub recipients: Vec<Recipient>,
    pub subjects: Vec<String>,
    pub title: String,
    pub body: String,
    pub markings: Markings,
    pub priority: Priority,
    pub context: Context,
    pub attachments: Vec<Attachment>,
    /// For replies: the message answered. For forwards: the message passed on.
    pub in_reply_to: Option<i64>,
    pub forwarded_from: Option<i64>,
}

/// Checks a message's input; `reply` says whether it answers another message (its kind is
/// then `reply` and the recipients are given by the caller, the original's sender).
pub fn check_message(
    input: &MessageInput,
    known: &[(String, AuthorityKind)],
    reply_to: Option<(i64, &str)>,
) -> Result<NewMessage, ExchangeError> {
    let kind = match reply_to {
        Some(_) => {
            if !input.kind.is_empty() && input.kind != "reply" {
                return Err(invalid("kind", "a reply's kind is reply"));
            }
            Kind::Reply
        }
        None => {
            let kind = Kind::parse_field("kind", &input.kind)?;
            if kind == Kind::Reply {
                return Err(invalid(
                    "kind",
                    "send replies to POST /api/v1/messages/{id}/reply (vigil message reply)",
                ));
            }
            kind
        }
    };
    let recipients = match reply_to {
        Some((_, sender)) => {
            if !input.recipients.is_empty() {
                return Err(invalid(
                    "recipients",
                    "a reply goes to the original's sender",
                ));
            }
            vec![Recipient::Authority(sender.to_string())]
        }
        None => {
            if input.recipients.is_empty() {
                return Err(invalid("recipients", "give at least one recipient"));
            }
            if input.recipients.len() > MAX_RECIPIENTS {
                return Err(invalid("recipients", format!("at most {MAX_RECIPIENTS}")));
            }
            let mut out = Vec::new();
            for (i, r) in input.recipients.iter().enumerate() {
                let r = resolve_recipient(&format!("recipients[{i}]"), r, known)?;
                if !out.contains(&r) {
                    out.push(r);
                }
            }
            out
        }
    };
    check_text("title", &input.title, MAX_TITLE_BYTES, true)?;
    check_text("body", &input.body, MAX_BODY_BYTES, false)?;
    if input.subjects.len() > MAX_SUBJECTS {
        return Err(invalid("subjects", format!("at most {MAX_SUBJECTS}")));
    }
    for (i, s) in input.subjects.iter().enumerate() {
        let field = format!("subjects[{i}]");
        let ok = match s.strip_prefix("ref:") {
            Some(reference) => !reference.is_empty() && reference.len() <= 100,
            None => s.parse::<vigil_model::EntityId>().is_ok(),
        };
        if !ok {
            return Err(invalid(
                field,
                format!("{s:?} is neither an entity id nor ref:REFERENCE"),
            ));
        }
    }
    let markings = input.markings.check()?;
    let priority = match &input.priority {
        Some(p) => Priority::parse_field("priority", p)?,
        None => Priority::Routine,
    };
    let c = &input.context;
    for (field, value) in [
        ("context.about", &c.about),
        ("context.document_number", &c.document_number),
        ("context.travel", &c.travel),
        ("context.reference", &c.reference),
    ] {
        if let Some(v) = value {
            check_text(field, v, 1000, true)?;
        }
    }
    match kind {
        Kind::Request => match c.about.as_deref() {
            Some("entity") | None if !input.subjects.is_empty() => {}
            Some("document") if c.document_number.is_some() => {}
            Some("travel") if c.travel.is_some() => {}
            Some("entity") | None => {
                return Err(invalid("subjects", "a request about an entity names it"))
            }
            Some("document") => {
                return Err(invalid(
                    "context.document_number",
                    "required for a request about a document",
                ))
            }
            Some("travel") => {
                return Err(invalid(
                    "context.travel",
                    "required for a request about a travel movement",
                ))
            }
            Some(other) => {
                return Err(invalid(
                    "context.about",
                    format!("unknown subject kind {other:?}; use entity, document or travel"),
                ))
            }
        },
        Kind::Alert => {
            let e = c.encounter.as_ref().ok_or_else(|| {
                invalid(
                    "context.encounter",
                    "an alert says where, when, by whom and what was done",
                )
            })?;
            for (field, value) in [
                ("context.encounter.place", &e.place),
                ("context.encounter.at", &e.at),
                ("context.encounter.by", &e.by),
                ("context.encounter.action", &e.action),
            ] {
                check_text(field, value, 1000, true)?;
            }
            if input.subjects.is_empty() {
                return Err(invalid("subjects", "an alert names who was encountered"));
            }
        }
        Kind::Notification => {
            if input.subjects.is_empty() {
                return Err(invalid("subjects", "a notification names the designation"));
            }
        }
        Kind::Reply => {}
    }
    if input.attachments.len() > MAX_ATTACHMENTS {
        return Err(invalid("attachments", format!("at most {MAX_ATTACHMENTS}")));
    }
    let attachments = input
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| check_attachment(i, a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewMessage {
        kind,
        recipients,
        subjects: input.subjects.clone(),
        title: input.title.trim().to_string(),
        body: input.body.clone(),
        markings,
        priority,
        context: c.clone(),
        attachments,
        in_reply_to: reply_to.map(|(id, _)| id),
        forwarded_from: None,
    })
}

/// The state of a message as its sender sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Sent,
    Delivered,
    Read,
    Answered,
    Overdue,
}

/// The message's state from what happened to it: answered wins; past its due time and not
/// answered (requests) or not read (others) it is overdue.
pub fn state(
    kind: Kind,
    delivered: bool,
    read: bool,
    answered: bool,
    due: &str,
    now: &str,
) -> State {
    if answered {
        return State::Answered;
    }
    let settled = match kind {
        Kind::Request => false,
        _ => read,
    };
    if !settled && kind != Kind::Reply && now > due {
        return State::Overdue;
    }
    if read {
        State::Read
    } else if delivered {
        State::Delivered
    } else {
        State::Sent
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub kind: Kind,
    /// The id of the thread's first message.
    pub thread: i64,
    pub in_reply_to: Option<i64>,
    pub forwarded_from: Option<i64>,
    pub sender_authority: String,
    pub sender_user: String,
    pub created: String,
    pub recipients: Vec<Recipient>,
    pub subjects: Vec<String>,
    pub title: String,
    pub body: String,
    pub markings: Markings,
    pub priority: Priority,
    pub due: String,
    pub context: Context,
    pub attachments: Vec<AttachmentInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<(String, AuthorityKind)> {
        vigil_model::seed_authorities()
            .into_iter()
            .map(|a| (a.code, a.kind))
            .chain([("KZ-KNB".to_string(), AuthorityKind::CompetentAuthority)])
            .collect()
    }

    fn caller(authority: &str, kind: AuthorityKind) -> Caller {
        Caller::new("u", authority, kind, Role::Analyst)
    }

    fn markings(handling: Handling, tlp: Tlp) -> Markings {
        Markings {
            classification: Classification::Restricted,
            handling,
            tlp,
        }
    }

    #[test]
    fn recipients_resolve_and_address() {
        let k = known();
        assert_eq!(
            resolve_recipient("r", "KZ", &k).unwrap(),
            Recipient::State("KZ".into())
        );
        assert_eq!(
            resolve_recipient("r", "KZ-KNB", &k).unwrap(),
            Recipient::Authority("KZ-KNB".into())
        );
        assert_eq!(
            resolve_recipient("r", "all-members", &k).unwrap(),
            Recipient::AllMembers
        );
        let e = resolve_recipient("recipients[2]", "XX-NOPE", &k).unwrap_err();
        assert!(e.to_string().contains("recipients[2]"), "{e}");
        assert!(resolve_recipient("r", "state:INTERPOL", &k).is_err());
        let kz = caller("KZ-KNB", AuthorityKind::CompetentAuthority);
        assert!(addresses(&[Recipient::State("KZ".into())], &kz));
        assert!(addresses(&[Recipient::AllMembers], &kz));
        assert!(!addresses(&[Recipient::Partners], &kz));
        assert!(!addresses(&[Recipient::Authority("KZ".into())], &kz));
        let interpol = caller("INTERPOL", AuthorityKind::InternationalBody);
        assert!(addresses(&[Recipient::Partners], &interpol));
        assert!(!addresses(&[Recipient::AllMembers], &interpol));
        for r in addressed_as(&kz) {
            assert_eq!(r.to_string().parse::<Recipient>().unwrap(), r);
        }
    }

    #[test]
    fn forwarding_follows_handling_and_tlp() {
        let kz = caller("KZ-KNB", AuthorityKind::CompetentAuthority);
        let own_state = [Recipient::Authority("KZ-MVD".into())];
        let other = [Recipient::State("CN".into())];
        let ok = |m, t: &[Recipient]| check_forward(&m, "RU-FSB", &kz, t).is_ok();
        assert!(!ok(
            markings(Handling::AskBeforeForwarding, Tlp::Clear),
            &own_state
        ));
        assert!(ok(
            markings(Handling::IntelligenceOnly, Tlp::Amber),
            &own_state
        ));
        assert!(!ok(
            markings(Handling::IntelligenceOnly, Tlp::Amber),
            &other
        ));
        assert!(!ok(markings(Handling::Free, Tlp::AmberStrict), &own_state));
        assert!(!ok(markings(Handling::Free, Tlp::Red), &own_state));
        assert!(ok(markings(Handling::Free, Tlp::Green), &other));
        assert!(!ok(
            markings(Handling::Free, Tlp::Green),
            &[Recipient::Authority("US-OFAC".into())]
        ));
        assert!(ok(
            markings(Handling::Free, Tlp::Clear),
            &[Recipient::Authority("US-OFAC".into())]
        ));
        // The originator decides for its own message.
        let ru = caller("RU-FSB", AuthorityKind::CompetentAuthority);
        assert!(check_forward(
            &markings(Handling::AskBeforeForwarding, Tlp::Red),
            "RU-FSB",
            &ru,
            &other
        )
        .is_ok());
    }

    fn input() -> MessageInput {
        MessageInput {
            kind: "request".into(),
            recipients: vec!["RU".into()],
            subjects: vec!["ru:1".into()],
            title: "Who is this?".into(),
            markings: MarkingsInput {
                classification: Some("restricted".into()),
                handling: Some("intelligence_only".into()),
                tlp: Some("AMBER".into()),
            },
            priority: Some("urgent".into()),
            ..Default::default()
        }
    }

    #[test]
    fn messages_are_checked_field_by_field() {
        let k = known();
        let m = check_message(&input(), &k, None).unwrap();
        assert_eq!(m.kind, Kind::Request);
        assert_eq!(m.priority.due_in_secs(), 86_400);
        let err = |f: &dyn Fn(&mut MessageInput)| {
            let mut i = input();
            f(&mut i);
            check_message(&i, &k, None).unwrap_err().to_string()
        };
        assert!(err(&|i| i.markings.tlp = Some("PURPLE".into())).contains("markings.tlp"));
        assert!(err(&|i| i.markings.handling = Some("burn".into())).contains("markings.handling"));
        assert!(err(&|i| i.markings.classification = None).contains("markings.classification"));
        assert!(err(&|i| i.recipients = vec!["ZZ".into()]).contains("recipients[0]"));
        assert!(err(&|i| i.recipients.clear()).contains("recipients"));
        assert!(err(&|i| i.kind = "gossip".into()).contains("kind"));
        assert!(err(&|i| i.kind = "reply".into()).contains("reply"));
        assert!(err(&|i| i.subjects = vec!["nope".into()]).contains("subjects[0]"));
        assert!(err(&|i| i.title.clear()).contains("title"));
        assert!(err(&|i| i.kind = "alert".into()).contains("context.encounter"));
        assert!(err(&|i| i.context.about = Some("document".into())).contains("document_number"));
        assert!(err(&|i| i.priority = Some("whenever".into())).contains("priority"));
        // Replies go to the original's sender.
        let mut r = input();
        r.kind = String::new();
        r.recipients.clear();
        let reply = check_message(&r, &k, Some((7, "RU-FSB"))).unwrap();
        assert_eq!(reply.kind, Kind::Reply);
        assert_eq!(reply.recipients, [Recipient::Authority("RU-FSB".into())]);
        assert_eq!(reply.in_reply_to, Some(7));
    }

    #[test]
    fn attachments_are_capped_and_typed() {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let a = |name: &str, t: &str, bytes: &[u8]| AttachmentInput {
            name: name.into(),
            media_type: t.into(),
            content_base64: b64(bytes),
        };
        assert!(check_attachment(0, &a("r.pdf", "application/pdf", b"%PDF-1.7 x")).is_ok());
        let e = check_attachment(0, &a("r.pdf", "application/pdf", b"MZ\x90\x00")).unwrap_err();
        assert!(matches!(e, ExchangeError::Mislabelled(_)), "{e}");
        let e = check_attachment(1, &a("x.exe", "application/x-msdownload", b"MZ")).unwrap_err();
        assert!(e.to_string().contains("attachments[1].media_type"), "{e}");
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        let e = check_attachment(0, &a("big.txt", "text/plain", &big)).unwrap_err();
        assert!(matches!(e, ExchangeError::TooLarge(_)), "{e}");
        assert!(check_attachment(0, &a("../etc/passwd", "text/plain", b"x")).is_err());
        let mut bad = a("n.txt", "text/plain", b"x");
        bad.content_base64 = "!!!".into();
        assert!(check_attachment(0, &bad)
            .unwrap_err()
            .to_string()
            .contains("base64"));
    }

    #[test]
    fn states_follow_events() {
        let due = "2026-01-02T00:00:00Z";
        let before = "2026-01-01T00:00:00Z";
        let after = "2026-01-03T00:00:00Z";
        assert_eq!(
            state(Kind::Request, false, false, false, due, before),
            State::Sent
        );
        assert_eq!(
            state(Kind::Request, true, false, false, due, before),
            State::Delivered
        );
        assert_eq!(
            state(Kind::Request, true, true, false, due, before),
            State::Read
        );
        assert_eq!(
            state(Kind::Request, true, true, false, due, after),
            State::Overdue
        );
        assert_eq!(
            state(Kind::Request, true, true, true, due, after),
            State::Answered
        );
        assert_eq!(
            state(Kind::Alert, true, true, false, due, after),
            State::Read
        );
        assert_eq!(
            state(Kind::Alert, true, false, false, due, after),
            State::Overdue
        );
    }
}
