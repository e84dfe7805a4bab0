//! `edgekd inspect`: what an artifact holds and whether it fits a board profile.

use std::fmt::Write as _;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use edgekd_device::engine::arena_size;
use edgekd_shared::artifact::{
    decode, model_id, ArtifactError, Layer, Model, ModelId, VerifyPolicy,
};
use edgekd_shared::profile::BoardProfile;

/// Errors of `inspect`.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid artifact (truncated, corrupted, foreign, tampered).
    #[error("{path} is not a valid edgekd artifact: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The decoder's error.
        message: String,
    },
    /// A run folder's `model.ekd` is another model than the artifact compared with it.
    #[error(
        "{path} is model {run}, the artifact evaluated is model {artifact}: the run's figures are \
         not this artifact's"
    )]
    OtherModel {
        /// The run's `model.ekd`.
        path: String,
        /// Its identity.
        run: ModelId,
        /// The artifact's identity.
        artifact: ModelId,
    },
}

/// Checks that `run_dir/model.ekd` is the model `artifact` (by identity), so that the run's
/// figures (`eval --compare`) belong to it; returns the identity.
pub fn check_run_model(artifact: &[u8], run_dir: &Path) -> Result<ModelId, InspectError> {
    let path = run_dir.join("model.ekd");
    let shown = path.display().to_string();
    let run = std::fs::read(&path).map_err(|source| InspectError::Io {
        path: shown.clone(),
        source,
    })?;
    let invalid = |path: String| {
        move |e: ArtifactError| InspectError::Invalid {
            path,
            message: e.to_string(),
        }
    };
    let run = model_id(&run).map_err(invalid(shown.clone()))?;
    let artifact = model_id(artifact).map_err(invalid("the artifact".into()))?;
    if run != artifact {
        return Err(InspectError::OtherModel {
            path: shown,
            run,
            artifact,
        });
    }
    Ok(run)
}

/// What the signature of an artifact says about it, checked against one public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// Signed, and the signature verifies against the key.
    Valid,
    /// Signed, but the signature does not verify against the key (tampered, or another key).
    Invalid,
    /// No signature: a device refuses it.
    Unsigned,
}

impl std::fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureStatus::Valid => "signature valid",
            SignatureStatus::Invalid => "signature INVALID",
            SignatureStatus::Unsigned => "unsigned",
        })
    }
}

/// Checks the signature of `bytes` (an artifact that decodes) against `key` as a device would.
pub fn signature_status(
    bytes: &[u8],
    key: &VerifyingKey,
) -> Result<SignatureStatus, ArtifactError> {
    match decode(bytes, VerifyPolicy::RequireKey(key)) {
        Ok(_) => Ok(SignatureStatus::Valid),
        Err(ArtifactError::BadSignature) => Ok(SignatureStatus::Invalid),
        Err(ArtifactError::Unsigned) => Ok(SignatureStatus::Unsigned),
        Err(e) => Err(e),
    }
}

/// What `edgekd inspect` found: the text it prints and the signature's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The description.
    pub text: String,
    /// The signature checked against the key given.
    pub signature: SignatureStatus,
}

/// Sizes of a model, in bytes and parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ModelSizes {
    /// Bytes of the artifact (one flash slot).
    pub artifact: usize,
    /// Bytes of the inference arena the device needs.
    pub arena: usize,
    /// Bytes of the on-device learner state for this head (live and committed copies).
    pub learner: usize,
    /// Parameters (weights, table entries and biases).
    pub parameters: usize,
}

/// Parameters of one layer: table or weight entries plus one bias per output channel.
pub fn layer_parameters(layer: &Layer<&[u8]>) -> usize {
    match layer {
        Layer::EmbedBag { table, .. } | Layer::Embed { table, .. } => table.len(),
        Layer::Conv1d {
            weights, out_ch, ..
        } => weights.len() + usize::from(*out_ch),
        Layer::Dense {
            weights, outputs, ..
        } => weights.len() + usize::from(*outputs),
        Layer::GlobalPool { .. } => 0,
    }
}

/// Bytes the on-device learner keeps for this model's head: two f32 copies (live and committed) of
/// `W [out, in]` and `b [out]`, or 0 without a head master.
pub fn learner_bytes(model: &Model<'_>) -> usize {
    model
        .head
        .as_ref()
        .map_or(0, |h| 2 * (h.weights.len() + h.bias.len()))
}

/// Sizes of a decoded model stored in `artifact_len` bytes.
pub fn model_sizes(model: &Model<'_>, artifact_len: usize) -> Result<ModelSizes, String> {
    Ok(ModelSizes {
        artifact: artifact_len,
        arena: arena_size(model).map_err(|e| e.to_string())?,
        learner: learner_bytes(model),
        parameters: model.layers.iter().map(layer_parameters).sum(),
    })
}

/// Reads and decodes an artifact (signature not required: `inspect` shows, the device decides).
pub fn read_artifact(path: &Path) -> Result<Vec<u8>, InspectError> {
    let bytes = std::fs::read(path).map_err(|source| InspectError::Io {
        path: path.display().to_string(),
        source,
    })?;
    decode(&bytes, VerifyPolicy::AllowUnsigned).map_err(|e| InspectError::Invalid {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(bytes)
}

/// What `edgekd inspect` prints about the artifact at `path`, its signature checked against
/// `key` (the development key or `--public-key`).
pub fn describe(path: &Path, key: &VerifyingKey) -> Result<Inspection, InspectError> {
    let bytes = read_artifact(path)?;
    let invalid = |message: String| InspectError::Invalid {
        path: path.display().to_string(),
        message,
    };
    let model = decode(&bytes, VerifyPolicy::AllowUnsigned).map_err(|e| invalid(e.to_string()))?;
    let sizes = model_sizes(&model, bytes.len()).map_err(invalid)?;
    let signature = signature_status(&bytes, key).map_err(|e| invalid(e.to_string()))?;
    let id = model_id(&bytes).map_err(|e| invalid(e.to_string()))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "artifact  {} ({} bytes, {signature}{})",
        path.display(),
        bytes.len(),
        match signature {
            SignatureStatus::Valid => String::new(),
            _ => format!(" for key {}", crate::keys::hex(key.as_bytes())),
        }
    );
    let _ = writeln!(out, "model id  {id}");
    let m = &model.meta;
    let _ = writeln!(out, "labels    {}", m.labels.join(", "));
    let _ = writeln!(out, "teacher   {}", m.teacher);
    let _ = writeln!(
        out,
        "data set  {}   degree {:.2}   copies {}",
        m.dataset, m.degree, m.copies
    );
    let _ = writeln!(out, "board     {}   git {}", m.board, m.git_rev);
    if !m.notes.is_empty() {
        let _ = writeln!(out, "notes     {}", m.notes);
    }
    let t = &model.tokenizer;
    let _ = writeln!(
        out,
        "tokenizer {} buckets, ≤ {} tokens, features 0b{:04b}, seed {:#x}",
        t.buckets, t.max_tokens, t.features, t.seed
    );
    let _ = writeln!(
        out,
        "\n  # op           shape                      params      bytes  out scale / zp"
    );
    for (i, layer) in model.layers.iter().enumerate() {
        let (shape, bytes_used) = match layer {
            Layer::EmbedBag {
                buckets,
                dim,
                pool,
                table,
                ..
            } => (format!("{buckets}×{dim} {pool:?}"), table.len()),
            Layer::Embed {
                buckets,
                dim,
                table,
                ..
            } => (format!("{buckets}×{dim}"), table.len()),
            Layer::Conv1d {
                in_ch,
                out_ch,
                kernel,
                pad,
                weights,
                params,
                relu,
                ..
            } => (
                format!(
                    "{in_ch}→{out_ch} k{kernel} p{pad}{}",
                    if *relu { " relu" } else { "" }
                ),
                weights.len() + params.len(),
            ),
            Layer::Dense {
                inputs,
                outputs,
                weights,
                params,
                relu,
                ..
            } => (
                format!("{inputs}→{outputs}{}", if *relu { " relu" } else { "" }),
                weights.len() + params.len(),
            ),
            Layer::GlobalPool { pool } => (format!("{pool:?}"), 0),
        };
        let q = layer.out_quant().map_or("(input's)".to_string(), |q| {
            format!("{:.3e} / {}", q.scale, q.zero_point)
        });
        let _ = writeln!(
            out,
            "{i:>3} {:<12} {shape:<26} {:>8} {bytes_used:>10}  {q}",
            layer.name(),
            layer_parameters(layer)
        );
    }
    let _ = writeln!(out, "\nparameters {}", sizes.parameters);
    let _ = writeln!(
        out,
        "head master {}",
        if model.head.is_some() {
            "present (on-device learning possible)"
        } else {
            "absent"
        }
    );
    let _ = writeln!(
        out,
        "\nbudget       artifact (flash)   arena (RAM)   learner (RAM)"
    );
    let _ = writeln!(
        out,
        "needs        {:>16}   {:>11}   {:>13}",
        sizes.artifact, sizes.arena, sizes.learner
    );
    for p in edgekd_shared::profile::PROFILES {
        let fits = match p.check(sizes.artifact, sizes.arena, sizes.learner) {
            Ok(()) => "fits".to_string(),
            Err(e) => format!("does NOT fit: {e}"),
        };
        let _ = writeln!(
            out,
            "{:<12} {:>16}   {:>11}   {:>13}   {fits}",
            p.name, p.max_artifact, p.max_arena, p.max_learner
        );
    }
    Ok(Inspection {
        text: out,
        signature,
    })
}

/// Checks that a model fits `profile`, with a message naming the budget it exceeds.
pub fn check_profile(sizes: &ModelSizes, profile: &BoardProfile) -> Result<(), String> {
    profile
        .check(sizes.artifact, sizes.arena, sizes.learner)
        .map_err(|e| format!("model does not fit board profile {}: {e}", profile.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use edgekd_shared::artifact::{encode, reseal_crc, sample::tiny, HEADER_LEN};

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[5; 32])
    }

    #[test]
    fn describes_a_valid_artifact_and_refuses_a_damaged_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ekd");
        let bytes = encode(&tiny(), None).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let vk = key().verifying_key();
        let inspection = describe(&path, &vk).unwrap();
        let text = inspection.text;
        assert_eq!(inspection.signature, SignatureStatus::Unsigned);
        assert!(text.contains("unsigned"), "{text}");
        assert!(
            text.contains(&format!("model id  {}", model_id(&bytes).unwrap())),
            "{text}"
        );
        assert!(text.contains("m4-1m"), "{text}");
        let mut damaged = bytes.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0x40;
        std::fs::write(&path, &damaged).unwrap();
        let refused = |path: &Path| describe(path, &vk);
        assert!(matches!(refused(&path), Err(InspectError::Invalid { .. })));
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(matches!(refused(&path), Err(InspectError::Invalid { .. })));
        std::fs::write(&path, b"PK\x03\x04 not ours").unwrap();
        assert!(matches!(refused(&path), Err(InspectError::Invalid { .. })));
        assert!(matches!(
            refused(&dir.path().join("missing.ekd")),
            Err(InspectError::Io { .. })
        ));
    }

    #[test]
    fn a_run_compared_must_hold_the_same_model() {
        let dir = tempfile::tempdir().unwrap();
        let a = encode(&tiny(), None).unwrap();
        let mut other = tiny();
        other.meta.notes = "retrained";
        let b = encode(&other, None).unwrap();
        assert!(matches!(
            check_run_model(&a, dir.path()),
            Err(InspectError::Io { .. })
        ));
        std::fs::write(dir.path().join("model.ekd"), &a).unwrap();
        assert_eq!(
            check_run_model(&a, dir.path()).unwrap(),
            model_id(&a).unwrap()
        );
        let err = check_run_model(&b, dir.path()).unwrap_err();
        assert!(matches!(err, InspectError::OtherModel { .. }), "{err}");
    }

    /// A signed artifact with one body bit flipped and its CRC recomputed still decodes; its
    /// signature is what says it was tampered with.
    #[test]
    fn the_signature_is_checked_against_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signed.ekd");
        let signed = encode(&tiny(), Some(&key())).unwrap();
        std::fs::write(&path, &signed).unwrap();
        let vk = key().verifying_key();
        let ok = describe(&path, &vk).unwrap();
        assert_eq!(ok.signature, SignatureStatus::Valid);
        assert!(ok.text.contains("signature valid"), "{}", ok.text);

        let other = SigningKey::from_bytes(&[6; 32]).verifying_key();
        let foreign = describe(&path, &other).unwrap();
        assert_eq!(foreign.signature, SignatureStatus::Invalid);
        assert!(
            foreign.text.contains("signature INVALID"),
            "{}",
            foreign.text
        );

        let mut tampered = signed.clone();
        // The teacher's name (body byte 9, after the labels and its length): "t" → "u".
        tampered[HEADER_LEN + 9] ^= 0x01;
        reseal_crc(&mut tampered).unwrap();
        std::fs::write(&path, &tampered).unwrap();
        let t = describe(&path, &vk).unwrap();
        assert_eq!(t.signature, SignatureStatus::Invalid);
        assert!(t.text.contains("signature INVALID"), "{}", t.text);
    }
}
