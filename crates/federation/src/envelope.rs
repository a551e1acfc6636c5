//! Envelopes: what travels between nodes, signed by the originating authority's ed25519 key.
//!
//! On the wire an envelope is `{"envelope": "<JSON text>", "signature": "<base64>"}`: the
//! signature covers the exact bytes of the envelope's JSON text, which is parsed only after
//! the signature over it verified against the key pinned for the authority it names.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use vigil_model::{member_state_of, Entity};
use vigil_store::{ChangeKind, FederationKey};

use crate::FederationError;

/// The envelope format's version.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    /// The originating node (member state code).
    pub origin: String,
    /// The authority whose key signs (`RU-FSB`, or the state's code).
    pub authority: String,
    /// The destination node.
    pub dest: String,
    /// Position in the origin → destination sequence (1, 2, …); 0 for envelopes outside it
    /// (resend requests, hit/no-hit queries and answers).
    pub seq: i64,
    pub sent_at: String,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// A national designation added, changed, delisted (withdrawn) or relisted.
    Designation {
        list: String,
        /// The authority the list belongs to at the origin.
        list_authority: String,
        change: ChangeKind,
        entity: Box<Entity>,
    },
    /// The destination saw a gap: send everything from `from_seq` on again.
    Resend { from_seq: i64 },
    /// A plain hit/no-hit query: the names travel.
    HitQuery {
        query_id: String,
        requester: String,
        name: String,
        schema: Option<String>,
    },
    HitAnswer {
        query_id: String,
        hits: Vec<RemoteHit>,
    },
    /// A blinded query (PSI mode): ristretto255 points H(key)·r, base64.
    PsiQuery {
        query_id: String,
        requester: String,
        points: Vec<String>,
    },
    /// The points multiplied by the answering node's key, and the tokens of its restricted
    /// records' name keys (truncated SHA-256 of H(key)·k) for the requester to test locally.
    PsiAnswer {
        query_id: String,
        points: Vec<String>,
        tokens: Vec<String>,
    },
    /// The requester found tokens in the answer and claims the hits' references.
    PsiClaim {
        query_id: String,
        requester: String,
        tokens: Vec<String>,
    },
}

impl Body {
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Designation { .. } => "designation",
            Body::Resend { .. } => "resend",
            Body::HitQuery { .. } => "hit_query",
            Body::HitAnswer { .. } => "hit_answer",
            Body::PsiQuery { .. } => "psi_query",
            Body::PsiAnswer { .. } => "psi_answer",
            Body::PsiClaim { .. } => "psi_claim",
        }
    }
}

/// A restricted hit as another node answers it: that there is one, who holds it, and a
/// reference to ask them by. Never the record's id or name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteHit {
    pub originator: String,
    pub reference: String,
    pub score: f32,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    envelope: String,
    signature: String,
}

/// A new ed25519 key for `authority`, from the operating system's random source.
pub fn generate_key(authority: &str) -> Result<FederationKey, FederationError> {
    let node = member_state_of(authority).ok_or_else(|| {
        FederationError::Key(format!(
            "authority {authority:?} is not a member state's authority (XX or XX-NAME)"
        ))
    })?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| FederationError::Key(e.to_string()))?;
    let signing = SigningKey::from_bytes(&secret);
    Ok(FederationKey {
        authority: authority.to_string(),
        node,
        public_key: B64.encode(signing.verifying_key().as_bytes()),
        secret_key: Some(B64.encode(secret)),
        pinned_at: vigil_model::utc_now_rfc3339(),
    })
}

/// A peer's public key to pin, checked: 32 bytes of base64 that form an ed25519 point.
pub fn peer_key(authority: &str, public_key: &str) -> Result<FederationKey, FederationError> {
    let node = member_state_of(authority).ok_or_else(|| {
        FederationError::Key(format!(
            "--authority {authority:?} is not a member state's authority (XX or XX-NAME)"
        ))
    })?;
    decode_public(public_key)
        .map_err(|e| FederationError::Key(format!("PEER-PUBKEY {public_key:?}: {e}")))?;
    Ok(FederationKey {
        authority: authority.to_string(),
        node,
        public_key: public_key.trim().to_string(),
        secret_key: None,
        pinned_at: vigil_model::utc_now_rfc3339(),
    })
}

fn decode_public(text: &str) -> Result<VerifyingKey, String> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("{} bytes, an ed25519 public key has 32", bytes.len()))?;
    VerifyingKey::from_bytes(&arr).map_err(|e| format!("not an ed25519 public key: {e}"))
}

fn decode_secret(text: &str) -> Result<SigningKey, String> {
    let bytes = B64.decode(text).map_err(|e| format!("not base64: {e}"))?;
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("{} bytes, an ed25519 secret key has 32", bytes.len()))?;
    Ok(SigningKey::from_bytes(&arr))
}

/// The keys a node signs with and verifies against.
#[derive(Default)]
pub struct Keyring {
    own: HashMap<String, SigningKey>,
    /// authority → (node, key), this node's own authorities included.
    known: HashMap<String, (String, VerifyingKey)>,
}

impl Keyring {
    pub fn new(keys: &[FederationKey]) -> Result<Keyring, FederationError> {
        let mut ring = Keyring::default();
        for k in keys {
            let public = decode_public(&k.public_key)
                .map_err(|e| FederationError::Key(format!("stored key of {}: {e}", k.authority)))?;
            if let Some(secret) = &k.secret_key {
                let signing = decode_secret(secret).map_err(|e| {
                    FederationError::Key(format!("stored secret of {}: {e}", k.authority))
                })?;
                ring.own.insert(k.authority.clone(), signing);
            }
            ring.known
                .insert(k.authority.clone(), (k.node.clone(), public));
        }
        Ok(ring)
    }

    /// The nodes other than `own` that have a pinned key.
    pub fn peer_nodes(&self, own: &str) -> Vec<String> {
        let mut nodes: Vec<String> = self
            .known
            .values()
            .map(|(n, _)| n.clone())
            .filter(|n| n != own)
            .collect();
        nodes.sort();
        nodes.dedup();
        nodes
    }

    /// The own key to sign for `authority`: its own, else the key of its member state, else
    /// any own key of that state.
    pub fn signer_for(&self, authority: &str) -> Option<(&str, &SigningKey)> {
        if let Some((a, k)) = self.own.get_key_value(authority) {
            return Some((a.as_str(), k));
        }
        let state = member_state_of(authority)?;
        if let Some((a, k)) = self.own.get_key_value(&state) {
            return Some((a.as_str(), k));
        }
        let mut own: Vec<(&String, &SigningKey)> = self
            .own
            .iter()
            .filter(|(a, _)| member_state_of(a).as_deref() == Some(state.as_str()))
            .collect();
        own.sort_by(|a, b| a.0.cmp(b.0));
        own.first().map(|(a, k)| (a.as_str(), *k))
    }

    pub fn has_own(&self) -> bool {
        !self.own.is_empty()
    }
}

/// Signs `envelope` with `key` and returns the wire text.
pub fn seal(envelope: &Envelope, key: &SigningKey) -> Result<String, FederationError> {
    let text =
        serde_json::to_string(envelope).map_err(|e| FederationError::Encode(e.to_string()))?;
    let signature = key.sign(text.as_bytes());
    serde_json::to_string(&Wire {
        envelope: text,
        signature: B64.encode(signature.to_bytes()),
    })
    .map_err(|e| FederationError::Encode(e.to_string()))
}

/// Why an envelope was refused, with what it claimed (for the audit entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub claimed_origin: Option<String>,
    pub claimed_authority: Option<String>,
    pub reason: String,
}

/// Checks the wire text's signature against the key pinned for the authority it names, that
/// the authority belongs to the origin node, and that it is addressed to `own`.
pub fn open(wire: &[u8], ring: &Keyring, own: &str) -> Result<Envelope, Refusal> {
    let refuse = |o: Option<&str>, a: Option<&str>, reason: String| Refusal {
        claimed_origin: o.map(str::to_string),
        claimed_authority: a.map(str::to_string),
        reason,
    };
    let wire: Wire = serde_json::from_slice(wire)
        .map_err(|e| refuse(None, None, format!("not an envelope: {e}")))?;
    // Read the claims before verifying, only to name them in the refusal.
    #[derive(Deserialize)]
    struct Claims {
        origin: Option<String>,
        authority: Option<String>,
    }
    let claims: Claims = serde_json::from_str(&wire.envelope)
        .map_err(|e| refuse(None, None, format!("envelope is not JSON: {e}")))?;
    let (o, a) = (claims.origin.as_deref(), claims.authority.as_deref());
    let authority = a.ok_or_else(|| refuse(o, a, "envelope names no authority".into()))?;
    let Some((node, key)) = ring.known.get(authority) else {
        return Err(refuse(
            o,
            a,
            format!("unknown key: no key is pinned for authority {authority}"),
        ));
    };
    let sig_bytes = B64
        .decode(&wire.signature)
        .map_err(|e| refuse(o, a, format!("bad signature: not base64: {e}")))?;
    let signature = Signature::from_slice(&sig_bytes)
        .map_err(|e| refuse(o, a, format!("bad signature: {e}")))?;
    key.verify(wire.envelope.as_bytes(), &signature)
        .map_err(|_| {
            refuse(
                o,
                a,
                format!("bad signature: does not verify under the key pinned for {authority}"),
            )
        })?;
    let envelope: Envelope = serde_json::from_str(&wire.envelope)
        .map_err(|e| refuse(o, a, format!("signed envelope does not parse: {e}")))?;
    if envelope.v != VERSION {
        return Err(refuse(
            o,
            a,
            format!(
                "envelope version {} (this node reads {VERSION})",
                envelope.v
            ),
        ));
    }
    if &envelope.origin != node {
        return Err(refuse(
            o,
            a,
            format!(
                "authority {authority} belongs to node {node}, not {}",
                envelope.origin
            ),
        ));
    }
    if envelope.dest != own {
        return Err(refuse(
            o,
            a,
            format!("addressed to node {}, not this node {own}", envelope.dest),
        ));
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(dest: &str) -> Envelope {
        Envelope {
            v: VERSION,
            origin: "RU".into(),
            authority: "RU-FSB".into(),
            dest: dest.into(),
            seq: 1,
            sent_at: "2026-01-01T00:00:00Z".into(),
            body: Body::Resend { from_seq: 3 },
        }
    }

    #[test]
    fn sealed_envelopes_open_and_forgeries_do_not() {
        let ru = generate_key("RU-FSB").unwrap();
        let other = generate_key("RU-FSB").unwrap();
        let mut peer = ru.clone();
        peer.secret_key = None;
        let ring = Keyring::new(&[peer]).unwrap();
        let own = Keyring::new(&[ru]).unwrap();
        let (_, key) = own.signer_for("RU-FSB").unwrap();
        let wire = seal(&env("IN"), key).unwrap();
        assert_eq!(open(wire.as_bytes(), &ring, "IN").unwrap(), env("IN"));
        // Addressed elsewhere.
        let r = open(wire.as_bytes(), &ring, "KZ").unwrap_err();
        assert!(r.reason.contains("not this node KZ"), "{}", r.reason);
        // Signed by a key that is not the pinned one.
        let forger = Keyring::new(&[other]).unwrap();
        let (_, fkey) = forger.signer_for("RU-FSB").unwrap();
        let forged = seal(&env("IN"), fkey).unwrap();
        let r = open(forged.as_bytes(), &ring, "IN").unwrap_err();
        assert!(r.reason.starts_with("bad signature"), "{}", r.reason);
        // Tampered after signing.
        let tampered = wire.replace("\\\"from_seq\\\":3", "\\\"from_seq\\\":1");
        assert_ne!(tampered, wire);
        let r = open(tampered.as_bytes(), &ring, "IN").unwrap_err();
        assert!(r.reason.starts_with("bad signature"), "{}", r.reason);
        // Unknown authority.
        let r = open(wire.as_bytes(), &Keyring::default(), "IN").unwrap_err();
        assert!(r.reason.starts_with("unknown key"), "{}", r.reason);
        // Garbage.
        let r = open(b"{", &ring, "IN").unwrap_err();
        assert!(r.reason.starts_with("not an envelope"), "{}", r.reason);
    }

    #[test]
    fn peer_keys_are_checked() {
        assert!(peer_key("RU-FSB", "abc").is_err());
        assert!(peer_key("UNSC", &B64.encode([1u8; 32])).is_err());
        let k = generate_key("IN-NIA").unwrap();
        assert_eq!(peer_key("IN-NIA", &k.public_key).unwrap().node, "IN");
    }
}
