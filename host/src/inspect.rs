//! `edgekd inspect`: what an artifact holds and whether it fits a board profile.

use std::fmt::Write as _;
use std::path::Path;

use edgekd_device::engine::arena_size;
use edgekd_shared::artifact::{decode, Layer, Model, VerifyPolicy};
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
pub fn layer_parameters(layer: &Layer<'_>) -> usize {
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

/// The text `edgekd inspect` prints.
pub fn describe(path: &Path) -> Result<String, InspectError> {
    let bytes = read_artifact(path)?;
    let invalid = |message: String| InspectError::Invalid {
        path: path.display().to_string(),
        message,
    };
    let model = decode(&bytes, VerifyPolicy::AllowUnsigned).map_err(|e| invalid(e.to_string()))?;
    let sizes = model_sizes(&model, bytes.len()).map_err(invalid)?;
    let signed = edgekd_shared::artifact::parse_container(&bytes)
        .map(|c| c.signature.is_some())
        .unwrap_or(false);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "artifact  {} ({} bytes, {})",
        path.display(),
        bytes.len(),
        if signed { "signed" } else { "UNSIGNED" }
    );
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
    Ok(out)
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
    use edgekd_shared::artifact::{encode, sample::tiny};

    #[test]
    fn describes_a_valid_artifact_and_refuses_a_damaged_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ekd");
        let bytes = encode(&tiny(), None).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let text = describe(&path).unwrap();
        assert!(text.contains("UNSIGNED"), "{text}");
        assert!(text.contains("m4-1m"), "{text}");
        let mut damaged = bytes.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0x40;
        std::fs::write(&path, &damaged).unwrap();
        assert!(matches!(describe(&path), Err(InspectError::Invalid { .. })));
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(matches!(describe(&path), Err(InspectError::Invalid { .. })));
        std::fs::write(&path, b"PK\x03\x04 not ours").unwrap();
        assert!(matches!(describe(&path), Err(InspectError::Invalid { .. })));
        assert!(matches!(
            describe(&dir.path().join("missing.ekd")),
            Err(InspectError::Io { .. })
        ));
    }
}
