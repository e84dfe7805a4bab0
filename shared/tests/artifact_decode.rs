//! Decoding policies, signatures and validation errors of whole artifacts.
#![cfg(feature = "std")]

use ed25519_dalek::SigningKey;
use edgekd_shared::artifact::{
    decode, encode, encode_unchecked, reseal_crc, sample::sample, sample::tiny, sample::SampleKind,
    seal, ArtifactError, HeadMaster, Layer, Model, ShapeKind, VerifyPolicy, HEADER_LEN,
};
use edgekd_shared::quant::ActQuant;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

#[test]
fn round_trip_borrows_and_equals() {
    let model = tiny();
    let bytes = encode(&model, None).unwrap();
    let decoded = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
    assert_eq!(decoded, model);
    // The table is borrowed from the artifact bytes, not copied.
    let Layer::EmbedBag { table, .. } = decoded.layers[0] else {
        panic!("layer 0 is EmbedBag")
    };
    let range = bytes.as_ptr_range();
    assert!(range.contains(&table.as_ptr()));
}

#[test]
fn signature_policy() {
    let k = key(1);
    let vk = k.verifying_key();
    let signed = sample(SampleKind::Bag, 3, Some(&k)).unwrap().bytes;
    let unsigned = sample(SampleKind::Bag, 3, None).unwrap().bytes;
    assert!(decode(&signed, VerifyPolicy::RequireKey(&vk)).is_ok());
    assert!(decode(&signed, VerifyPolicy::AllowUnsigned).is_ok());
    assert!(decode(&unsigned, VerifyPolicy::AllowUnsigned).is_ok());
    assert_eq!(
        decode(&unsigned, VerifyPolicy::RequireKey(&vk)),
        Err(ArtifactError::Unsigned)
    );
    let other = key(2).verifying_key();
    assert_eq!(
        decode(&signed, VerifyPolicy::RequireKey(&other)),
        Err(ArtifactError::BadSignature)
    );
    // Tamper with the body and fix the CRC: only the signature can tell.
    let mut tampered = signed.clone();
    tampered[HEADER_LEN + 5] ^= 0x10;
    reseal_crc(&mut tampered).unwrap();
    assert_eq!(
        decode(&tampered, VerifyPolicy::RequireKey(&vk)),
        Err(ArtifactError::BadSignature)
    );
    // Strip the signature: clear the flag, drop the 64 bytes, fix the CRC — refused as unsigned.
    let mut stripped = signed[..signed.len() - 68].to_vec();
    stripped[6] = 0;
    stripped.extend_from_slice(&[0; 4]);
    reseal_crc(&mut stripped).unwrap();
    assert_eq!(
        decode(&stripped, VerifyPolicy::RequireKey(&vk)),
        Err(ArtifactError::Unsigned)
    );
    assert!(decode(&stripped, VerifyPolicy::AllowUnsigned).is_ok());
}

#[test]
fn trailing_body_bytes_are_refused() {
    let model = tiny();
    let mut body = postcard::to_allocvec(&model).unwrap();
    body.push(0);
    let bytes = seal(&body, None).unwrap();
    assert_eq!(
        decode(&bytes, VerifyPolicy::AllowUnsigned),
        Err(ArtifactError::TrailingBytes { count: 1 })
    );
}

/// Encodes `model` without validation and returns what `decode` says.
fn decode_invalid(model: &Model<'_>) -> ArtifactError {
    let bytes = encode_unchecked(model, None).unwrap();
    let err = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap_err();
    assert_eq!(
        encode(model, None).unwrap_err(),
        err,
        "encode refuses what decode refuses"
    );
    err
}

#[test]
fn validation_names_what_and_where() {
    let mut m = tiny();
    m.meta.labels.pop();
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::OutputWidth {
            width: 2,
            labels: 1
        }
    );

    let mut m = tiny();
    m.meta.labels[1] = "";
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::Label { index: 1, len: 0 }
    );

    let mut m = tiny();
    m.meta.degree = f32::NAN;
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::Metadata { field: "degree" }
    );

    let mut m = tiny();
    if let Layer::Dense { weights, .. } = &mut m.layers[1] {
        *weights = &weights[..3];
    }
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::LayerLength {
            layer: 1,
            what: "weights",
            expected: 4,
            found: 3
        }
    );

    let mut m = tiny();
    if let Layer::Dense { out, .. } = &mut m.layers[1] {
        *out = ActQuant {
            scale: 0.0,
            zero_point: 0,
        };
    }
    assert_eq!(decode_invalid(&m), ArtifactError::LayerQuant { layer: 1 });

    let mut m = tiny();
    m.layers.swap(0, 1);
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::LayerInput {
            layer: 0,
            expected: ShapeKind::Vector,
            found: ShapeKind::Tokens
        }
    );

    let mut m = tiny();
    m.tokenizer.buckets = 5;
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::TableTooSmall {
            layer: 0,
            buckets: 4,
            tokenizer_buckets: 5
        }
    );

    let mut m = tiny();
    m.layers.clear();
    assert_eq!(decode_invalid(&m), ArtifactError::NoLayers);

    let mut m = tiny();
    m.layers.truncate(1);
    m.layers
        .push(Layer::GlobalPool {
            pool: edgekd_shared::kernels::Pool::Max,
        })
        .unwrap();
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::LayerInput {
            layer: 1,
            expected: ShapeKind::Sequence,
            found: ShapeKind::Vector
        }
    );
}

#[test]
fn head_master_is_checked() {
    let q = ActQuant {
        scale: 0.25,
        zero_point: 2,
    };
    let w: Vec<u8> = [0.5f32, -1.0, 2.0, 0.25]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let b: Vec<u8> = [0.1f32, -0.1]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let nan: Vec<u8> = [0.5f32, f32::NAN, 2.0, 0.25]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut m: Model<'_> = tiny();
    m.head = Some(HeadMaster {
        input: q,
        weights: &w,
        bias: &b,
    });
    let bytes = encode(&m, None).unwrap();
    let back = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
    let head = back.head.as_ref().unwrap();
    assert_eq!(head.weight(1, 0, 2), Some(2.0));
    assert_eq!(head.bias_at(1), Some(-0.1));

    m.head = Some(HeadMaster {
        input: q,
        weights: &w[..12],
        bias: &b,
    });
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::HeadLength {
            what: "weights",
            expected: 16,
            found: 12
        }
    );
    m.head = Some(HeadMaster {
        input: q,
        weights: &nan,
        bias: &b,
    });
    assert_eq!(
        decode_invalid(&m),
        ArtifactError::HeadValue {
            what: "weights",
            index: 1
        }
    );
    m.head = Some(HeadMaster {
        input: ActQuant {
            scale: 0.5,
            zero_point: 2,
        },
        weights: &w,
        bias: &b,
    });
    assert_eq!(decode_invalid(&m), ArtifactError::HeadQuant);
}

#[test]
fn trusted_decode_skips_only_crc_and_signature() {
    let k = key(4);
    let bytes = sample(SampleKind::Conv, 5, Some(&k)).unwrap().bytes;
    let checked = decode(&bytes, VerifyPolicy::RequireKey(&k.verifying_key())).unwrap();
    assert_eq!(
        edgekd_shared::artifact::decode_trusted(&bytes).unwrap(),
        checked
    );
    let mut stale_crc = bytes.clone();
    let last = stale_crc.len() - 1;
    stale_crc[last] ^= 1;
    assert!(edgekd_shared::artifact::decode_trusted(&stale_crc).is_ok());
    let mut bad_magic = bytes.clone();
    bad_magic[0] = b'X';
    assert!(matches!(
        edgekd_shared::artifact::decode_trusted(&bad_magic),
        Err(ArtifactError::BadMagic { .. })
    ));
    assert!(edgekd_shared::artifact::decode_trusted(&bytes[..bytes.len() - 1]).is_err());
}
