//! Decoding: container checks, signature, postcard body, validation — in that order, so that no
//! byte of an unauthenticated or corrupt artifact reaches the model decoder when a key is required.

use ed25519_dalek::{Signature, VerifyingKey};

use super::header::{parse_container, parse_container_trusted};
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
        key.verify_strict(container.signed_part, &sig)
            .map_err(|_| ArtifactError::BadSignature)?;
    }
    decode_body(container.body)
}

/// Decodes an artifact whose CRC-32 and signature were ALREADY checked by [`decode`] with the
/// device's policy (the running model in flash, verified at boot and when it was committed).
///
/// Checks the header (magic, version, flags, total length), decodes the postcard body and runs
/// [`validate`], but skips the CRC pass over every byte and the Ed25519 verification, which
/// dominate the cost of [`decode`]. Only for bytes that have passed [`decode`] and have not been
/// writable since: anything else must go through [`decode`].
pub fn decode_trusted(bytes: &[u8]) -> Result<Model<'_>, ArtifactError> {
    let container = parse_container_trusted(bytes)?;
    decode_body(container.body)
}

/// Decodes a postcard body that must be consumed exactly, then validates the model.
fn decode_body(body: &[u8]) -> Result<Model<'_>, ArtifactError> {
    let (model, rest) =
        postcard::take_from_bytes::<Model<'_>>(body).map_err(ArtifactError::Decode)?;
    if !rest.is_empty() {
        return Err(ArtifactError::TrailingBytes { count: rest.len() });
    }
    validate(&model)?;
    Ok(model)
}
