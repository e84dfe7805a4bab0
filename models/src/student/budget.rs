//! Device memory of a student: artifact (flash) bytes, inference arena and learner state (RAM),
//! checked against the board profiles of `edgekd_shared::profile`.

use edgekd_shared::profile::{BoardProfile, OverBudget};

use super::config::{StudentConfig, StudentKind};

/// Bytes per output channel of `shared::kernels::ChannelParams` (bias, multiplier, shift: 3 × i32).
pub const CHANNEL_PARAM_BYTES: usize = 12;
/// Allowance for the artifact header, layer descriptors, quantization parameters, metadata,
/// CRC and Ed25519 signature (64 bytes) — a deliberate over-estimate.
pub const ARTIFACT_OVERHEAD_BYTES: usize = 1024;

/// The memory a student needs on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// int8 weights + per-channel params (+ f32 head master when kept), without overhead.
    pub param_bytes: usize,
    /// `param_bytes` + [`ARTIFACT_OVERHEAD_BYTES`].
    pub artifact_bytes: usize,
    /// Peak bytes of live buffers during one inference (token ids and activations).
    pub arena_bytes: usize,
    /// On-device KD: the f32 head master `[classes, hidden] + [classes]` and f32 scratch for
    /// the features and the probabilities `[hidden] + 2·[classes]`.
    pub learner_bytes: usize,
}

/// Computes the device footprint of `cfg`. `head_master` adds the f32 copy of the classifier
/// that on-device KD updates.
///
/// Arena model: buffers live only between the op that writes them and the op that reads them,
/// so the peak is the largest (inputs + outputs + scratch) of a single op:
/// - `bag`: `embed_bag` holds the u32 token ids `[max_tokens]`, an i32 accumulator `[dim]` and
///   its i8 output `[dim]`; then `dense` `[dim]→[hidden]`, `dense` `[hidden]→[classes]`.
/// - `cnn`: `embed` holds the token ids and `[max_tokens, dim]`; `conv1d` holds
///   `[max_tokens, dim]` and `[out_len, hidden]`; then pooling and the dense head.
pub fn footprint(cfg: &StudentConfig, head_master: bool) -> Footprint {
    let t = usize::from(cfg.max_tokens);
    let (d, h, c) = (cfg.dim, cfg.hidden, cfg.classes);
    let table = cfg.buckets * d;
    let head = h * c + CHANNEL_PARAM_BYTES * c;
    let master = if head_master { 4 * (h * c + c) } else { 0 };
    let tokens = 4 * t;
    let (body, arena) = match cfg.kind {
        StudentKind::Bag => {
            let body = d * h + CHANNEL_PARAM_BYTES * h;
            let arena = [tokens + 4 * d + d, d + h, h + c];
            (body, arena.into_iter().max().unwrap_or(0))
        }
        StudentKind::Cnn => {
            let body = h * cfg.kernel * d + CHANNEL_PARAM_BYTES * h;
            let out_len = (t + 2 * cfg.conv_pad() + 1).saturating_sub(cfg.kernel);
            let arena = [tokens + t * d, t * d + out_len * h, out_len * h + h, h + c];
            (body, arena.into_iter().max().unwrap_or(0))
        }
    };
    let param_bytes = table + body + head + master;
    Footprint {
        param_bytes,
        artifact_bytes: param_bytes + ARTIFACT_OVERHEAD_BYTES,
        arena_bytes: arena,
        learner_bytes: 4 * (h * c + c) + 4 * (h + 2 * c),
    }
}

/// Checks `cfg` (with an f32 head master) against `profile`.
pub fn check_profile(cfg: &StudentConfig, profile: &BoardProfile) -> Result<Footprint, OverBudget> {
    let fp = footprint(cfg, true);
    profile.check(fp.artifact_bytes, fp.arena_bytes, fp.learner_bytes)?;
    Ok(fp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_shared::profile::{M4_1M, M4_256K};

    #[test]
    fn bag_footprint_by_hand() {
        // 4096×32 table, dense 32→64, dense 64→2, 64 tokens.
        let cfg = StudentConfig::new(4096, 32, 2).with_hidden(64);
        let fp = footprint(&cfg, false);
        let expected = 4096 * 32 + (32 * 64 + 12 * 64) + (64 * 2 + 12 * 2);
        assert_eq!(fp.param_bytes, expected);
        assert_eq!(fp.arena_bytes, 4 * 64 + 4 * 32 + 32);
        assert_eq!(fp.learner_bytes, 4 * (64 * 2 + 2) + 4 * (64 + 4));
        let with_master = footprint(&cfg, true);
        assert_eq!(with_master.param_bytes, expected + 4 * (64 * 2 + 2));
        assert!(check_profile(&cfg, &M4_1M).is_ok());
        let over = check_profile(&cfg, &M4_256K).unwrap_err();
        assert_eq!(over.what, "artifact");
    }

    #[test]
    fn cnn_arena_can_exceed_small_profile() {
        let cfg = StudentConfig::new(2048, 32, 2)
            .with_kind(StudentKind::Cnn)
            .with_hidden(128)
            .with_max_tokens(128);
        let fp = footprint(&cfg, true);
        // conv1d holds [128, 32] in and [128, 128] out.
        assert_eq!(fp.arena_bytes, 128 * 32 + 128 * 128);
        let over = check_profile(&cfg, &M4_256K).unwrap_err();
        assert_eq!(over.what, "inference arena");
    }
}
