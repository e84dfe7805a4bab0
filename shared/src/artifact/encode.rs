//! Host-side encoder (std feature): model → header · postcard body · signature · CRC-32.

use ed25519_dalek::{Signer, SigningKey};

use super::header::{Header, CRC_LEN, FLAG_SIGNED, HEADER_LEN, SIGNATURE_LEN};
use super::model::Model;
use super::validate::validate;
use super::{ArtifactError, FORMAT_VERSION};
use crate::checksum::crc32;

/// Validates `model` and encodes it, signed when `key` is given. A model that would not decode
/// on the device is refused here with the same error.
pub fn encode(model: &Model<'_>, key: Option<&SigningKey>) -> Result<Vec<u8>, ArtifactError> {
    validate(model)?;
    encode_unchecked(model, key)
}

/// Encodes `model` WITHOUT validating it: for tests and fuzz seeds that need invalid models.
pub fn encode_unchecked(
    model: &Model<'_>,
    key: Option<&SigningKey>,
) -> Result<Vec<u8>, ArtifactError> {
    let body = postcard::to_allocvec(model).map_err(ArtifactError::Encode)?;
    seal(&body, key)
}

/// Wraps an already serialized body in the container: header, body, signature when `key` is
/// given, CRC-32.
pub fn seal(body: &[u8], key: Option<&SigningKey>) -> Result<Vec<u8>, ArtifactError> {
    let body_len =
        u32::try_from(body.len()).map_err(|_| ArtifactError::BodyTooLong { len: body.len() })?;
    let header = Header {
        version: FORMAT_VERSION,
        flags: if key.is_some() { FLAG_SIGNED } else { 0 },
        body_len,
    };
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + SIGNATURE_LEN + CRC_LEN);
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(body);
    if let Some(key) = key {
        let sig = key.sign(&out);
        out.extend_from_slice(&sig.to_bytes());
    }
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}
