//! Pins the exact bytes of a small artifact (docs/artifact-format.md walks through them) and
//! checks that no single-byte corruption is ever accepted silently or panics.
#![cfg(feature = "std")]

use ed25519_dalek::SigningKey;
use edgekd_shared::artifact::{
    decode, encode, model_id, reseal_crc, sample::tiny, ArtifactError, VerifyPolicy, CRC_LEN,
};
use edgekd_shared::hex::hex;

/// `encode(&tiny(), None)`, generated once by this code and checked by hand against the spec.
const TINY_GOLDEN: &str = concat!(
    "454b4431",
    "0100",
    "0000",
    "5b000000", // magic, version 1, flags 0, body 91 bytes
    "02026e6f03796573",
    "0174",
    "0164",
    "0000003f",
    "02",
    "03616263",
    "056d342d316d",
    "00",       // metadata
    "04080107", // tokenizer: buckets 4, max_tokens 8, features 1, seed 7
    "02",       // two layers
    "00040200",
    "080a141ed80000fb07",
    "0000803e02", // EmbedBag 4×2 mean, table, out (0.25, 2)
    "030202",
    "04010203ff",
    "18050000000000004000000000f9ffffff0000004000000000",
    "0000003f01",
    "00",       // Dense
    "00",       // no head master
    "d8678446", // CRC-32 LE
);

#[test]
fn tiny_artifact_bytes_are_pinned() {
    let bytes = encode(&tiny(), None).unwrap();
    assert_eq!(
        hex(&bytes),
        TINY_GOLDEN,
        "artifact bytes changed: bump FORMAT_VERSION and the spec"
    );
}

/// The identity of the worked example: the first 16 bytes of the SHA-256 of its first 103 bytes
/// (header and body), computed outside this code (`python3 -c "import hashlib; …"`).
#[test]
fn tiny_model_id_is_pinned() {
    let bytes = encode(&tiny(), None).unwrap();
    assert_eq!(
        model_id(&bytes).unwrap().to_string(),
        "b534a10bc9644960ac9e5cf65e3b5f02"
    );
}

#[test]
fn signed_tiny_artifact_layout() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let unsigned = encode(&tiny(), None).unwrap();
    let signed = encode(&tiny(), Some(&key)).unwrap();
    assert_eq!(signed.len(), unsigned.len() + 64);
    assert_eq!(&signed[..4], b"EKD1");
    assert_eq!(u16::from_le_bytes([signed[6], signed[7]]), 1, "signed flag");
    // Same body; the signature follows it and the CRC closes the file.
    let body_end = unsigned.len() - CRC_LEN;
    assert_eq!(&signed[8..body_end], &unsigned[8..body_end]);
}

const MASKS: [u8; 4] = [0x01, 0x10, 0x80, 0xff];

/// Every position, several bit patterns: the CRC (or the header checks before it) catch all.
#[test]
fn every_single_byte_flip_is_a_typed_error() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let vk = key.verifying_key();
    for (signed, bytes) in [
        (false, encode(&tiny(), None).unwrap()),
        (true, encode(&tiny(), Some(&key)).unwrap()),
    ] {
        for pos in 0..bytes.len() {
            for mask in MASKS {
                let mut bad = bytes.clone();
                bad[pos] ^= mask;
                let policy = if signed {
                    VerifyPolicy::RequireKey(&vk)
                } else {
                    VerifyPolicy::AllowUnsigned
                };
                let err = decode(&bad, policy).expect_err("a flipped byte must be refused");
                assert!(
                    matches!(
                        err,
                        ArtifactError::Checksum { .. }
                            | ArtifactError::BadMagic { .. }
                            | ArtifactError::UnsupportedVersion { .. }
                            | ArtifactError::UnknownFlags { .. }
                            | ArtifactError::LengthMismatch { .. }
                    ),
                    "pos {pos} mask {mask:#x}: {err}"
                );
            }
        }
    }
}

/// With the CRC recomputed after the flip, the signature catches every change of a signed
/// artifact; an unsigned one is refused by deeper validation or, when the flip still gives a
/// valid model (a changed note, table value or weight), decodes to a DIFFERENT model: a flip
/// is never silently ignored.
#[test]
fn flips_behind_a_fixed_crc_reach_signature_and_validation() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let vk = key.verifying_key();
    let signed = encode(&tiny(), Some(&key)).unwrap();
    let unsigned = encode(&tiny(), None).unwrap();
    let (mut refused, mut changed) = (0, 0);
    for pos in 0..unsigned.len() - CRC_LEN {
        for mask in MASKS {
            let mut bad = signed.clone();
            bad[pos] ^= mask;
            reseal_crc(&mut bad).unwrap();
            assert!(
                decode(&bad, VerifyPolicy::RequireKey(&vk)).is_err(),
                "signed, pos {pos} mask {mask:#x}"
            );

            let mut bad = unsigned.clone();
            bad[pos] ^= mask;
            reseal_crc(&mut bad).unwrap();
            match decode(&bad, VerifyPolicy::AllowUnsigned) {
                Err(_) => refused += 1,
                Ok(model) => {
                    assert_ne!(
                        model,
                        tiny(),
                        "pos {pos} mask {mask:#x} decoded to the same model"
                    );
                    changed += 1;
                }
            };
        }
    }
    for pos in unsigned.len() - CRC_LEN..signed.len() - CRC_LEN {
        let mut bad = signed.clone();
        bad[pos] ^= 0x01;
        reseal_crc(&mut bad).unwrap();
        assert_eq!(
            decode(&bad, VerifyPolicy::RequireKey(&vk)),
            Err(ArtifactError::BadSignature)
        );
    }
    assert!(
        refused > changed,
        "validation refuses most flips ({refused} refused, {changed} valid)"
    );
}

/// Every truncation of a valid artifact is refused.
#[test]
fn every_truncation_is_refused() {
    let bytes = encode(&tiny(), None).unwrap();
    for len in 0..bytes.len() {
        assert!(
            decode(&bytes[..len], VerifyPolicy::AllowUnsigned).is_err(),
            "length {len}"
        );
    }
}
