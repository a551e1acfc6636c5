//! The blinded hit/no-hit mode: an oblivious PRF over ristretto255 (a private set
//! intersection). The querying node sends H(key)·r for each normalized name key of its query,
//! r a fresh random scalar; the answering node returns them multiplied by its secret scalar
//! k, with the tokens T(H(y)·k) of the name keys y of its records the requester may not see;
//! the requester unblinds (·r⁻¹) to H(key)·k, computes the tokens and tests them locally. The
//! answering node never sees a query key, blinded or not; it learns of a query only that one
//! was made (and how many keys it had), and of a hit only when the requester claims it.
//! docs/FEDERATION.md has the threat model.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::Scalar;
use sha2::{Digest, Sha256, Sha512};
use vigil_model::Schema;
use vigil_names::{normalize_name, SchemaKind};

use crate::FederationError;

/// The normalized name keys of a name: its canonical tokens, sorted and joined (so word order
/// does not matter). Without a schema, both the person and the organization reading count.
pub fn name_keys(name: &str, schema: Option<Schema>) -> Vec<String> {
    let kinds: &[SchemaKind] = match schema {
        Some(Schema::Person) => &[SchemaKind::Person],
        Some(Schema::Organization) | Some(Schema::LegalEntity) => &[SchemaKind::Organization],
        Some(_) => &[SchemaKind::Other],
        None => &[SchemaKind::Person, SchemaKind::Organization],
    };
    let mut keys: Vec<String> = kinds
        .iter()
        .filter_map(|kind| {
            let n = normalize_name(name, *kind);
            let mut tokens: Vec<&str> = n.tokens.iter().map(|t| t.text.as_str()).collect();
            tokens.sort_unstable();
            let key = tokens.join(" ");
            (!key.is_empty()).then_some(key)
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn hash_to_point(key: &str) -> RistrettoPoint {
    RistrettoPoint::hash_from_bytes::<Sha512>(format!("vigil-psi-v1:{key}").as_bytes())
}

/// The node's PSI scalar, derived from a secret the store keeps.
pub fn node_scalar(secret: &[u8]) -> Scalar {
    Scalar::from_hash(
        Sha512::new()
            .chain_update(b"vigil-psi-key-v1")
            .chain_update(secret),
    )
}

fn token(p: &RistrettoPoint) -> String {
    let digest = Sha256::new()
        .chain_update(b"vigil-psi-token-v1")
        .chain_update(p.compress().as_bytes())
        .finalize();
    B64.encode(&digest[..16])
}

/// The answering node's token of one of its own name keys.
pub fn token_of(k: &Scalar, key: &str) -> String {
    token(&(hash_to_point(key) * k))
}

/// A query's blinded points and the scalar that unblinds them (kept by the requester).
pub struct Blinded {
    r: Scalar,
    pub points: Vec<String>,
}

pub fn blind(keys: &[String]) -> Result<Blinded, FederationError> {
    let mut wide = [0u8; 64];
    getrandom::fill(&mut wide).map_err(|e| FederationError::Key(e.to_string()))?;
    let r = Scalar::from_bytes_mod_order_wide(&wide);
    let points = keys
        .iter()
        .map(|k| B64.encode((hash_to_point(k) * r).compress().as_bytes()))
        .collect();
    Ok(Blinded { r, points })
}

fn decode_point(text: &str) -> Result<RistrettoPoint, String> {
    let bytes = B64
        .decode(text)
        .map_err(|e| format!("point {text:?}: not base64: {e}"))?;
    let compressed = CompressedRistretto::from_slice(&bytes)
        .map_err(|_| format!("point {text:?}: {} bytes, not 32", bytes.len()))?;
    compressed
        .decompress()
        .ok_or_else(|| format!("point {text:?}: not a ristretto255 point"))
}

/// The answering node's step: each blinded point times k.
pub fn evaluate(k: &Scalar, points: &[String]) -> Result<Vec<String>, String> {
    points
        .iter()
        .map(|p| Ok(B64.encode((decode_point(p)? * k).compress().as_bytes())))
        .collect()
}

/// The requester's step: the tokens of its own keys, from the evaluated points.
pub fn unblind(blinded: &Blinded, evaluated: &[String]) -> Result<Vec<String>, String> {
    if evaluated.len() != blinded.points.len() {
        return Err(format!(
            "{} points answered for {} asked",
            evaluated.len(),
            blinded.points.len()
        ));
    }
    let inv = blinded.r.invert();
    evaluated
        .iter()
        .map(|p| Ok(token(&(decode_point(p)? * inv))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinded_tokens_match_exactly_the_same_keys() {
        let k = node_scalar(b"secret of RU");
        let held = name_keys("Northern Front of Liberation", Some(Schema::Organization));
        let held_tokens: Vec<String> = held.iter().map(|key| token_of(&k, key)).collect();
        // Another word order, the same organization.
        let q = name_keys("Liberation Northern Front of", Some(Schema::Organization));
        let b = blind(&q).unwrap();
        // The blinded points reveal nothing stable: a second blinding differs.
        assert_ne!(blind(&q).unwrap().points, b.points);
        let tokens = unblind(&b, &evaluate(&k, &b.points).unwrap()).unwrap();
        assert!(tokens.iter().any(|t| held_tokens.contains(t)));
        let other = name_keys("Southern Brotherhood", Some(Schema::Organization));
        let b = blind(&other).unwrap();
        let tokens = unblind(&b, &evaluate(&k, &b.points).unwrap()).unwrap();
        assert!(!tokens.iter().any(|t| held_tokens.contains(t)));
        // Another node's key gives other tokens.
        let k2 = node_scalar(b"secret of IN");
        assert_ne!(token_of(&k2, &held[0]), held_tokens[0]);
        assert!(evaluate(&k, &["AAAA".into()]).is_err());
    }
}
