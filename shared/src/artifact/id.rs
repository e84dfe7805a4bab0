//! A model's identity: the first [`MODEL_ID_LEN`] bytes of the SHA-256 of the bytes the
//! signature covers (header and postcard body).
//!
//! The CRC-32 of a whole artifact cannot serve: an artifact ends in the CRC of everything before
//! it, and the CRC of bytes followed by their own CRC is the same constant (the CRC residue) for
//! every artifact. The digest of the signed part differs for any two models, is the same for the
//! same model signed again with the same key, and is computed on both sides without a table or an
//! allocation ([`ModelId::of_container`]), so the device reports it (`Info`), checks it against
//! the one announced by `FlashBegin`, and binds its learner journal to it; the host compares it
//! before reusing a flashed model and names it in `inspect` and `eval --compare`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::header::{parse_container, Container};
use super::ArtifactError;

/// Bytes of a [`ModelId`].
pub const MODEL_ID_LEN: usize = 16;

/// The identity of a model: a truncated SHA-256 of its artifact's header and body.
///
/// Wire (postcard): the 16 bytes as they are, no length prefix.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct ModelId(pub [u8; MODEL_ID_LEN]);

impl ModelId {
    /// The identity of the artifact split into `container` (no check beyond the container's).
    pub fn of_container(container: &Container<'_>) -> ModelId {
        let digest = Sha256::digest(container.signed_part);
        let mut id = [0u8; MODEL_ID_LEN];
        for (dst, src) in id.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        ModelId(id)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; MODEL_ID_LEN] {
        &self.0
    }
}

/// The identity of the artifact `bytes`, after the container checks of
/// [`parse_container`](super::parse_container) (magic, version, flags, length, CRC-32). Neither
/// the signature nor the body is checked: an identity names bytes, it does not vouch for them.
pub fn model_id(bytes: &[u8]) -> Result<ModelId, ArtifactError> {
    parse_container(bytes).map(|c| ModelId::of_container(&c))
}

impl core::fmt::Display for ModelId {
    /// Lower-case hex, 32 digits.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&crate::hex::Hex(&self.0), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::header::{unsigned as artifact, CRC_LEN};
    use crate::artifact::reseal_crc;
    use crate::checksum::crc32;

    #[test]
    fn the_id_is_the_truncated_sha256_of_header_and_body() {
        let a = artifact(b"a model");
        let digest = Sha256::digest(&a[..a.len() - CRC_LEN]);
        assert_eq!(model_id(&a).unwrap().as_bytes()[..], digest[..MODEL_ID_LEN]);
    }

    #[test]
    fn two_models_have_two_ids_where_the_whole_file_crc_is_one_constant() {
        let a = artifact(b"one model");
        let b = artifact(b"another model");
        // The CRC residue: every artifact's whole-file CRC-32 is the same.
        assert_eq!(crc32(&a), crc32(&b));
        assert_ne!(model_id(&a).unwrap(), model_id(&b).unwrap());
        assert_eq!(model_id(&a).unwrap(), model_id(&a.clone()).unwrap());
    }

    #[test]
    fn the_id_covers_the_body_and_checks_the_crc() {
        let a = artifact(b"one model");
        let mut flipped = a.clone();
        flipped[14] ^= 1;
        assert!(matches!(
            model_id(&flipped),
            Err(ArtifactError::Checksum { .. })
        ));
        reseal_crc(&mut flipped).unwrap();
        assert_ne!(model_id(&flipped).unwrap(), model_id(&a).unwrap());
    }

    #[test]
    fn wire_form_is_the_sixteen_bytes_and_display_is_hex() {
        let id = ModelId([7; MODEL_ID_LEN]);
        let mut buf = [0u8; 32];
        let out = postcard::to_slice(&id, &mut buf).unwrap();
        assert_eq!(out, &[7; MODEL_ID_LEN]);
        assert_eq!(id.to_string(), "07".repeat(MODEL_ID_LEN));
    }
}
