//! Decoding: container checks, signature, postcard body, validation — in that order, so that no
//! byte of an unauthenticated or corrupt artifact reaches the model decoder when a key is required.

use ed25519_dalek::{Signature, VerifyingKey};

use super::header::parse_container;
use super::model::Model;
use super::validate::validate;
use super::ArtifactError;

/// What signature an artifact must carry to be accepted.
#[derive(Clone, Copy, Debug)]
pub enum VerifyPolicy<'k> {
    /// The artifact must be signed, and the signature must verify (strictly: no malleable
    /// signatures, no weak keys) against this key over header and body.
    RequireKey(&'k VerifyingKey),
    /// Signed or not, the artifact is accepted; a signature present is NOT checked (there is no
    /// key to check it with). For host tools and tests only; a device uses `RequireKey`.
    AllowUnsigned,
}

/// Decodes and validates an artifact, borrowing every table from `bytes` (no copy, no alloc).
///
/// Checks, in order: header (magic, version, flags, length), CRC-32, signature per `policy`,
/// postcard body (which must be consumed exactly), then [`validate`].
pub fn decode<'a>(bytes: &'a [u8], policy: VerifyPolicy<'_>) -> Result<Model<'a>, ArtifactError> {
    let container = parse_container(bytes)?;
    if let VerifyPolicy::RequireKey(key) = policy {
        let sig = container.signature.ok_or(ArtifactError::Unsigned)?;
        let sig = Signature::from_bytes(sig);
        key.verify_strict(container.signed_part, &sig).map_err(|_| ArtifactError::BadSignature)?;
    }
    let (model, rest) =
        postcard::take_from_bytes::<Model<'a>>(container.body).map_err(ArtifactError::Decode)?;
    if !rest.is_empty() {
        return Err(ArtifactError::TrailingBytes { count: rest.len() });
    }
    validate(&model)?;
    Ok(model)
}
