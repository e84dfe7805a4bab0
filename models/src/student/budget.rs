//! Device memory budget of a student: artifact (flash) bytes and inference arena (RAM) bytes.

use super::config::{StudentConfig, StudentKind};

/// Bytes per output channel of `shared::kernels::ChannelParams` (bias, multiplier, shift: 3 × i32).
pub const CHANNEL_PARAM_BYTES: usize = 12;
/// Allowance for the artifact header, layer descriptors, quantization parameters, CRC and
/// Ed25519 signature (64 bytes) — a deliberate over-estimate.
pub const ARTIFACT_OVERHEAD_BYTES: usize = 1024;

/// A board class from DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardProfile {
    /// nRF52840 class: 1 MiB flash, 256 KiB RAM (the default).
    M4_1m,
    /// STM32F401 / nRF52832 class: 256 KiB flash, 64 KiB RAM.
    M4_256k,
}

impl BoardProfile {
    /// Largest artifact the profile accepts, in bytes.
    pub fn max_artifact_bytes(self) -> usize {
        match self {
            BoardProfile::M4_1m => 256 * 1024,
            BoardProfile::M4_256k => 96 * 1024,
        }
    }

    /// Largest inference arena the profile accepts, in bytes.
    pub fn max_arena_bytes(self) -> usize {
        match self {
            BoardProfile::M4_1m => 32 * 1024,
            BoardProfile::M4_256k => 16 * 1024,
        }
    }

    /// The profile's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            BoardProfile::M4_1m => "m4-1m",
            BoardProfile::M4_256k => "m4-256k",
        }
    }
}

impl core::str::FromStr for BoardProfile {
    type Err = BudgetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "m4-1m" => Ok(BoardProfile::M4_1m),
            "m4-256k" => Ok(BoardProfile::M4_256k),
            other => Err(BudgetError::UnknownProfile(other.to_string())),
        }
    }
}

/// The memory a student needs on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// int8 weights + per-channel params (+ f32 head master when kept), without overhead.
    pub param_bytes: usize,
    /// `param_bytes` + [`ARTIFACT_OVERHEAD_BYTES`].
    pub artifact_bytes: usize,
    /// Peak bytes of live buffers during one inference (token ids and activations).
    pub arena_bytes: usize,
}

/// A footprint over a profile's limits.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BudgetError {
    /// The artifact would not fit in the profile's model slot.
    #[error("profile {profile}: artifact needs {needed} bytes, limit is {limit}")]
    Artifact {
        /// Profile name.
        profile: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes allowed.
        limit: usize,
    },
    /// The inference arena would not fit in the profile's RAM share.
    #[error("profile {profile}: inference arena needs {needed} bytes, limit is {limit}")]
    Arena {
        /// Profile name.
        profile: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes allowed.
        limit: usize,
    },
    /// A profile name that is not `m4-1m` or `m4-256k`.
    #[error("unknown board profile `{0}` (expected `m4-1m` or `m4-256k`)")]
    UnknownProfile(String),
}

/// Computes the device footprint of `cfg`. `head_master` adds the f32 copy of the classifier
/// that on-device KD updates.
///
/// Arena model: buffers live only between the op that writes them and the op that reads them,
/// so the peak is the largest (inputs + outputs + scratch) of a single op:
/// - `bag`: `embed_bag` holds the u32 token ids, an i32 accumulator `[dim]` and its i8 output
///   `[dim]`; then `dense` `[dim]→[hidden]`, `dense` `[hidden]→[classes]`.
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
    }
}

/// Checks `cfg` (with an f32 head master) against `profile`.
pub fn check_profile(cfg: &StudentConfig, profile: BoardProfile) -> Result<Footprint, BudgetError> {
    let fp = footprint(cfg, true);
    if fp.artifact_bytes > profile.max_artifact_bytes() {
        return Err(BudgetError::Artifact {
            profile: profile.name(),
            needed: fp.artifact_bytes,
            limit: profile.max_artifact_bytes(),
        });
    }
    if fp.arena_bytes > profile.max_arena_bytes() {
        return Err(BudgetError::Arena {
            profile: profile.name(),
            needed: fp.arena_bytes,
            limit: profile.max_arena_bytes(),
        });
    }
    Ok(fp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_footprint_by_hand() {
        // 4096×32 table, dense 32→64, dense 64→2, 64 tokens.
        let cfg = StudentConfig::new(4096, 32, 2).with_hidden(64);
        let fp = footprint(&cfg, false);
        let expected = 4096 * 32 + (32 * 64 + 12 * 64) + (64 * 2 + 12 * 2);
        assert_eq!(fp.param_bytes, expected);
        assert_eq!(fp.arena_bytes, 4 * 64 + 4 * 32 + 32);
        let with_master = footprint(&cfg, true);
        assert_eq!(with_master.param_bytes, expected + 4 * (64 * 2 + 2));
        assert!(check_profile(&cfg, BoardProfile::M4_1m).is_ok());
        assert!(matches!(
            check_profile(&cfg, BoardProfile::M4_256k),
            Err(BudgetError::Artifact { .. })
        ));
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
        assert!(matches!(
            check_profile(&cfg, BoardProfile::M4_256k),
            Err(BudgetError::Arena { .. })
        ));
        assert_eq!("m4-256k".parse::<BoardProfile>().unwrap(), BoardProfile::M4_256k);
        assert!("m0".parse::<BoardProfile>().is_err());
    }
}
