//! Pinned kernel test vectors: small `dense`, `conv1d`, pool and `embed_bag` cases with their
//! expected int8 outputs.
//!
//! Inputs come from a fixed pseudo-random generator; expected outputs were computed once on
//! the host by these kernels (and checked there within 1 LSB of an f64 reference), then
//! pinned. Generator: `shared/tests/vector_gen.rs`
//! (`cargo test -p edgekd-shared --features std --test vector_gen -- --ignored` rewrites the
//! block between the GENERATED markers). The firmware runs [`check_all`] on the emulated
//! Cortex-M4 (where `dot` may use the DSP path) and must match bit for bit.

use super::{conv1d, dense, embed_bag, global_max_pool, global_mean_pool, ChannelParams, Pool};
use crate::error::{compare, MismatchDetail, VectorMismatch};
use crate::quant::{OutputQuant, Requant};

/// A `dense` case: input `[in]`, weights `[out, in]`, per-channel bias and requant `[out]`.
#[derive(Clone, Copy, Debug)]
pub struct DenseVector {
    /// Short name.
    pub name: &'static str,
    /// `[in]`.
    pub input: &'static [i8],
    /// `[out, in]`.
    pub weights: &'static [i8],
    /// `[out]`, input zero point folded in.
    pub bias: &'static [i32],
    /// `[out]`.
    pub requant: &'static [Requant],
    /// Output stage.
    pub oq: OutputQuant,
    /// `[out]`.
    pub expected: &'static [i8],
}

/// A `conv1d` case.
#[derive(Clone, Copy, Debug)]
pub struct Conv1dVector {
    /// Short name.
    pub name: &'static str,
    /// `[len, in_ch]`.
    pub input: &'static [i8],
    /// Time steps.
    pub len: usize,
    /// Input channels.
    pub in_ch: usize,
    /// Padding value.
    pub input_zp: i8,
    /// `[out_ch, kernel, in_ch]`.
    pub weights: &'static [i8],
    /// Kernel width.
    pub kernel: usize,
    /// Padding on each side.
    pub pad: usize,
    /// `[out_ch]`, input zero point folded in.
    pub bias: &'static [i32],
    /// `[out_ch]`.
    pub requant: &'static [Requant],
    /// Output stage.
    pub oq: OutputQuant,
    /// `[out_len, out_ch]`.
    pub expected: &'static [i8],
}

/// A global pool case.
#[derive(Clone, Copy, Debug)]
pub struct PoolVector {
    /// Short name.
    pub name: &'static str,
    /// `[len, ch]`.
    pub input: &'static [i8],
    /// Time steps.
    pub len: usize,
    /// Channels.
    pub ch: usize,
    /// Mean or max.
    pub pool: Pool,
    /// Output for `len == 0`.
    pub empty: i8,
    /// `[ch]`.
    pub expected: &'static [i8],
}

/// An `embed_bag` case.
#[derive(Clone, Copy, Debug)]
pub struct EmbedBagVector {
    /// Short name.
    pub name: &'static str,
    /// `[n]` bucket ids.
    pub tokens: &'static [u32],
    /// `[buckets, dim]`.
    pub table: &'static [i8],
    /// Row width.
    pub dim: usize,
    /// Mean or max.
    pub pool: Pool,
    /// Output for no tokens.
    pub empty: i8,
    /// `[dim]`.
    pub expected: &'static [i8],
}

/// Most output channels of any case (the checker's parameter buffer).
pub const MAX_CHANNELS: usize = 16;
/// Most output elements of any case (the checker's output buffer).
pub const MAX_OUTPUT: usize = 128;

/// Runs every pinned case; returns how many passed (all of them) or the first mismatch.
pub fn check_all() -> Result<usize, VectorMismatch> {
    let mut params = [0u8; MAX_CHANNELS * ChannelParams::BYTES_PER_CHANNEL];
    let mut out = [0i8; MAX_OUTPUT];
    let mut acc = [0i32; MAX_OUTPUT];
    for v in DENSE {
        let p = encode(&mut params, v.bias, v.requant, "dense", v.name)?;
        let o = scratch(&mut out, v.expected.len(), "dense", v.name)?;
        dense(v.input, v.weights, &p, v.oq, o).map_err(|e| kernel_err("dense", v.name, e))?;
        compare("dense", v.name, v.expected, o)?;
    }
    for v in CONV1D {
        let p = encode(&mut params, v.bias, v.requant, "conv1d", v.name)?;
        let n = conv1d(
            v.input, v.len, v.in_ch, v.input_zp, v.weights, v.kernel, v.pad, &p, v.oq, &mut out,
        )
        .map_err(|e| kernel_err("conv1d", v.name, e))?;
        let written = out.get(..n.saturating_mul(v.bias.len())).unwrap_or(&[]);
        compare("conv1d", v.name, v.expected, written)?;
    }
    for v in POOLS {
        let o = scratch(&mut out, v.ch, "pool", v.name)?;
        match v.pool {
            Pool::Max => global_max_pool(v.input, v.len, v.ch, v.empty, o),
            Pool::Mean => global_mean_pool(v.input, v.len, v.ch, v.empty, o),
        }
        .map_err(|e| kernel_err("pool", v.name, e))?;
        compare("pool", v.name, v.expected, o)?;
    }
    for v in EMBED_BAGS {
        let o = scratch(&mut out, v.dim, "embed_bag", v.name)?;
        embed_bag(v.tokens, v.table, v.dim, v.pool, v.empty, &mut acc, o)
            .map_err(|e| kernel_err("embed_bag", v.name, e))?;
        compare("embed_bag", v.name, v.expected, o)?;
    }
    Ok(DENSE.len() + CONV1D.len() + POOLS.len() + EMBED_BAGS.len())
}

fn kernel_err(suite: &'static str, case: &'static str, e: super::KernelError) -> VectorMismatch {
    VectorMismatch {
        suite,
        case,
        detail: MismatchDetail::Kernel(e),
    }
}

fn scratch<'a>(
    out: &'a mut [i8],
    n: usize,
    suite: &'static str,
    case: &'static str,
) -> Result<&'a mut [i8], VectorMismatch> {
    out.get_mut(..n).ok_or(VectorMismatch {
        suite,
        case,
        detail: MismatchDetail::ScratchTooSmall,
    })
}

fn encode<'a>(
    buf: &'a mut [u8],
    bias: &[i32],
    requant: &[Requant],
    suite: &'static str,
    case: &'static str,
) -> Result<ChannelParams<'a>, VectorMismatch> {
    let n = bias.len().saturating_mul(ChannelParams::BYTES_PER_CHANNEL);
    let bytes = buf.get_mut(..n).ok_or(VectorMismatch {
        suite,
        case,
        detail: MismatchDetail::ScratchTooSmall,
    })?;
    ChannelParams::encode(bias, requant, bytes).map_err(|e| kernel_err(suite, case, e))?;
    ChannelParams::new(bytes, bias.len()).map_err(|e| kernel_err(suite, case, e))
}

/// Shorthand for the generated tables.
const fn rq(multiplier: i32, shift: i32) -> Requant {
    Requant { multiplier, shift }
}

/// Shorthand for the generated tables.
const fn oq(zero_point: i8, act_min: i8, act_max: i8) -> OutputQuant {
    OutputQuant {
        zero_point,
        act_min,
        act_max,
    }
}

// BEGIN GENERATED (shared/tests/vector_gen.rs)
/// Pinned `dense` cases.
pub const DENSE: &[DenseVector] = &[
    DenseVector {
        name: "dense_8x4_linear",
        input: &[-18, 69, -36, -126, -13, 31, -113, 100],
        weights: &[
            93, -68, -74, -70, -47, -34, 77, -103, 124, 86, -37, 57, -68, -52, -13, -31, 19, 120,
            117, 16, -55, -110, -7, -23, 1, 107, 57, -13, 13, 60, -93, -46,
        ],
        bias: &[8063, 8761, -2334, 15571],
        requant: &[
            rq(1099511628, -7),
            rq(1506330930, -7),
            rq(1913150232, -7),
            rq(1159984767, -6),
        ],
        oq: oq(-3, -128, 127),
        expected: &[-28, 20, -37, 127],
    },
    DenseVector {
        name: "dense_37x5_relu",
        input: &[
            82, 22, 51, -119, 28, -15, -96, 48, 21, -89, 116, 35, 34, 90, 85, -68, 121, 19, 38,
            113, 101, -73, -54, -51, -35, -16, -19, -28, -62, 112, -31, 62, -20, 40, -100, -20,
            -101,
        ],
        weights: &[
            35, 10, -116, 109, -43, 58, -47, -82, 111, 53, -93, 100, -35, -7, 18, -9, 21, 98, 43,
            -45, -47, 91, -70, 45, -35, 91, 25, -119, 51, -17, 57, -123, 122, -68, 94, 59, 118,
            114, -81, -30, -102, 47, 39, 6, -12, 95, 37, 99, -77, -33, -59, 28, -95, -73, 14, 51,
            -25, 28, 2, 51, -29, -89, 36, 49, -12, -48, -75, 2, -37, 112, -67, 102, 98, 96, 77,
            121, -39, 43, 55, -66, 106, 48, -45, -54, -36, 96, -8, 72, -42, 64, 23, 59, 120, -52,
            -85, -64, 91, -72, -12, 78, -91, 17, -40, -87, 31, -121, -2, -69, -10, -95, 37, -123,
            10, -124, -2, -69, 12, 5, -89, -80, -64, 117, -41, -63, -27, -73, -3, -56, 52, -63, 22,
            -29, -70, -79, 66, 77, -118, -26, -120, -45, 124, -40, -22, -85, -20, -113, -63, 3,
            -75, 40, 17, 19, 61, 49, 126, -113, 41, -20, 38, 55, -27, -119, 20, 29, -118, 127, 92,
            72, 28, 59, 125, 20, 120, -38, 6, -66, 2, 51, 29, 104, 75, -52, -2, 93, 6,
        ],
        bias: &[-12912, -7091, -5284, -3344, -3365],
        requant: &[
            rq(1154487209, -8),
            rq(1581647477, -8),
            rq(2008807744, -8),
            rq(1217984006, -7),
            rq(1431564139, -7),
        ],
        oq: oq(-20, -20, 127),
        expected: &[-20, -20, -20, 22, -20],
    },
    DenseVector {
        name: "dense_64x16_linear",
        input: &[
            114, 127, -60, 59, 19, -81, -58, 1, 83, -100, -89, -88, -23, 107, -38, -72, 95, 46,
            -43, 51, 100, 124, -9, -126, 49, 105, 101, 110, -69, -40, 121, 115, -50, 31, -22, 84,
            -52, 61, 78, 108, 49, 31, 12, 42, -15, 83, 119, 81, 11, -40, -4, 18, 90, -60, 70, 91,
            66, 69, -28, 61, -53, 110, 78, 16,
        ],
        weights: &[
            -51, 64, -81, 20, 73, -29, 110, 6, 23, 23, 86, 19, 6, -76, 82, 86, -16, 102, -49, 127,
            -101, 122, 119, 103, 64, 124, 31, -38, 26, 22, -127, 23, 122, -23, -95, -50, -6, 121,
            99, 8, 24, -100, -57, 122, 118, 77, 37, 21, -124, -84, -41, 49, -54, -124, -74, 56,
            -16, 54, -32, 12, -26, -44, -87, -108, -95, -110, 73, -45, 17, 0, -47, -116, 80, 100,
            -33, 59, -115, -102, 89, 8, 26, -92, -1, -74, 82, -100, -72, 90, -113, 69, 121, 76,
            -44, -55, -117, 75, 113, 119, 15, -5, -5, -5, -97, 127, -65, -96, -124, -50, 10, -15,
            -90, -121, -55, -86, -103, -124, -12, -18, -67, 23, 109, 1, 90, 65, 6, 118, 57, 38,
            -35, -111, -98, -65, -82, -120, -51, 48, 66, 43, -23, -10, 16, -113, -10, 71, -16, 71,
            -6, -100, 74, -119, 56, 92, 66, -106, -54, -111, 27, 120, 13, -5, -34, -72, -16, 127,
            -87, 111, 117, -52, 62, -16, -83, 9, -90, 51, 58, -89, -57, -104, 66, 14, 76, 33, -113,
            -3, -64, 13, 28, 49, 117, -15, 112, -80, 73, -71, 40, -83, 7, -43, 65, -79, -115, -116,
            -122, 18, 91, 63, 1, -23, -2, 83, 104, 97, 22, 118, -98, 127, -38, 66, 42, 66, 60, 54,
            99, -99, 55, -15, 31, 104, -83, 89, 55, 64, 16, -108, -68, 18, 123, 86, -97, 83, -52,
            109, 89, 11, 12, 5, -77, -48, -9, 30, -31, -25, -89, -8, -34, 80, -2, 61, 46, 49, -79,
            -12, -4, 44, 116, 12, -84, 38, 96, 110, -18, 0, 106, -6, -7, 124, -52, 4, -104, -58,
            84, -6, 0, 82, -19, -19, 49, 105, 61, 105, -70, -109, 122, -44, 78, 37, 61, 114, -24,
            96, 41, 107, -29, -39, 57, 109, -69, 36, 10, 96, -106, 81, 106, 78, 33, 103, 4, 24,
            -77, -50, -108, -24, 9, 16, 5, 29, 91, 49, -55, -69, -43, -66, -115, -99, 5, -93, -113,
            -95, 98, -112, -66, -15, -122, 49, -104, 48, 47, -4, -50, 65, 57, -1, 111, -119, 38,
            -31, -126, -114, -21, 90, -98, -3, -98, -27, 28, -103, -105, -44, -114, -26, -76, -82,
            -37, -64, -113, 92, -14, -97, 43, -8, -33, 106, -91, 87, 5, -5, -102, 93, -35, -92, 72,
            75, 18, 93, -45, 51, 121, 13, 7, 9, 62, -74, 9, 94, -13, -89, -99, 82, -75, 121, -115,
            112, -47, 71, -95, 8, -66, 25, -50, -81, -70, 3, 49, 57, 55, 99, -28, -119, -6, -2,
            -22, -37, 42, -9, -66, 13, 76, 63, -29, 108, 35, 44, 18, -117, 29, -9, -112, -125,
            -117, -37, -63, -32, -81, 88, -78, -71, -39, 38, -5, -57, -60, 87, -88, -123, -113, 17,
            59, -85, 102, 21, -46, 11, -75, 103, -118, 124, 56, 103, 125, -10, 124, -73, 121, -13,
            47, 25, -40, -93, 102, 64, 9, -33, 98, 92, -112, 124, 86, -47, 112, -33, 93, -110,
            -112, -77, -54, -58, 101, 39, 52, -124, 69, -69, -125, -99, 26, -65, 81, -10, -115,
            -13, -120, 28, -87, -37, 115, 38, -42, -76, 6, 41, -26, -116, -25, 41, 82, 106, 115,
            -31, 76, -39, -109, 123, -17, 43, -85, 75, -54, 50, -113, -40, 80, -65, -12, -59, -56,
            127, -59, -127, -89, 96, -121, -21, 78, -19, -125, 12, 83, -25, 7, 99, -38, -48, -108,
            -104, -87, -28, -93, 126, 95, 19, 43, -67, 28, 96, -120, 32, -47, -82, -62, -6, 3, 87,
            -97, 102, -27, -120, 121, -31, -68, -23, 76, 119, 84, 13, -7, -32, -36, 66, -75, 67,
            117, -49, 13, -103, -48, 6, 94, 55, 57, -59, 121, -73, -126, 52, -97, -3, -33, -42,
            -51, -69, -10, 79, -54, -48, 118, -2, 63, -87, -66, -42, 86, -104, 73, -59, 94, -107,
            -40, 118, 105, 16, 43, -68, -23, -98, -23, -112, 64, 119, -71, -49, 35, 83, -3, 124,
            -40, -117, -44, -37, 64, 88, -55, 79, 56, -57, -34, 72, -9, 29, 61, -58, 40, -102, 98,
            -14, 98, 69, 52, 19, 96, 59, 49, 125, -1, 108, 104, 89, 58, -94, -100, -78, -77, -122,
            51, -1, 38, 59, 86, -65, 100, -92, 23, 110, -34, 45, 58, 8, -61, -15, 106, 89, 114,
            -35, -42, -125, -92, 59, -124, 60, -48, 92, -83, 77, 13, -67, 12, 103, -41, 4, -35,
            -39, -82, -106, 94, 100, 40, -95, -113, -78, -71, 127, 72, 92, 58, -112, 20, -31, -57,
            -47, -28, 103, 111, -99, 122, -97, 44, -74, -12, 39, -102, 26, 58, 1, -87, -96, 18, 26,
            -47, -36, 28, 0, -20, 90, -35, -37, -38, -99, 24, 66, 58, -50, -94, 89, 85, -86, -27,
            -69, 65, 52, 75, -7, -45, 61, -96, -112, -44, -74, 127, -32, 90, 59, -27, -71, 45, -99,
            -17, -19, 49, 110, 11, 116, -23, 104, 17, 85, -53, -55, -51, 67, -7, 25, -28, 87, 77,
            -82, 65, -31, -19, -74, 9, 91, -27, 16, 53, -33, 108, 102, 113, 114, -36, 3, -11, 36,
            -17, 53, 71, -50, -58, 124, 87, 44, -105, -100, -53, 78, -13, 4, -73, 97, 16, 49, 14,
            -106, -41, 39, 36, 112, 58, 43, 57, 31, -2, 1, -124, 101, 25, 123, -50, 125, 11, -104,
            -111, -10, 57, 114, 61, -103, 101, 68, -58, -68, -15, 102, 22, 114, -53, 126, 27, -46,
            32, -92, 6, -84, 118, -120, -110, 21, 17, -87, 74, 79, 102, -20, -93, -4, -3, 76, 6,
            65, 15, -126, -27, -70, -37, 52, 30, -99, -84, -4, 95, -71, 86, 53, 13, 103, 9, -19,
            86, 78, -110, -97, 44, -53, 5, 32, -81, 126, -21, -15, -55, -41, -114, 26, -37, -124,
            63, 36, -40, -102, 8, 127, -80, 17, -61, 20, 89, -76, 105, 65, -44, -44, -37, -88, -82,
            -50, 124, 81, -57, -48, -47, 50, 122, -88, -92, -84, 92, 55, -49, -13, -60, 27, -56,
            -50, -37, 120, -26, -127, -81, -64, 94, 25, 118, 88, -72, -72, -44, 119, -74, 42, 120,
            6, -3, -31, -42, 73,
        ],
        bias: &[
            -9062, 7242, 19635, -15803, 19223, -14309, 6164, 16012, 2648, 11386, 10788, -11034,
            18560, 2007, -15033, -5556,
        ],
        requant: &[
            rq(2045091628, -10),
            rq(1400887765, -9),
            rq(1779229716, -9),
            rq(1078785834, -8),
            rq(1267956809, -8),
            rq(1457127785, -8),
            rq(1646298760, -8),
            rq(1835469736, -8),
            rq(2024640711, -8),
            rq(1106905843, -7),
            rq(1201491331, -7),
            rq(1296076819, -7),
            rq(1390662307, -7),
            rq(1485247795, -7),
            rq(1579833282, -7),
            rq(1674418770, -7),
        ],
        oq: oq(5, -128, 127),
        expected: &[
            -4, -48, -29, 50, 127, -128, -1, -25, -102, -22, 78, 111, -76, 127, -128, -128,
        ],
    },
    DenseVector {
        name: "dense_1x3_large_scale",
        input: &[-93],
        weights: &[80, -5, 101],
        bias: &[10192, 7473, -7780],
        requant: &[rq(1309965025, 0), rq(1794652085, 0), rq(1139669572, 1)],
        oq: oq(0, -128, 127),
        expected: &[127, 127, -128],
    },
    DenseVector {
        name: "dense_33x3_saturating",
        input: &[
            127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128,
            127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128, 127, -128,
            127,
        ],
        weights: &[
            -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127,
            127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127,
            127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127,
            -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127,
            127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127,
            127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127, -127, 127, 127,
            -127, 127, 127,
        ],
        bias: &[9295, 7452, -6695],
        requant: &[rq(1717986918, -4), rq(1176821039, -3), rq(1494648619, -3)],
        oq: oq(0, -128, 127),
        expected: &[-128, -128, -128],
    },
    DenseVector {
        name: "dense_16x2_tiny_scale",
        input: &[
            -62, 2, 42, 24, 77, -42, 81, 46, 22, 35, -26, 47, 124, 96, -36, -11,
        ],
        weights: &[
            32, -21, -81, 77, -60, 39, -55, 49, -76, -125, 79, -42, -36, 49, -10, 59, 21, 12, 29,
            -57, -19, -25, -41, 18, -110, -62, 126, -38, -63, 84, 42, 15,
        ],
        bias: &[13827, -13923],
        requant: &[rq(1729382257, -28), rq(1184626846, -27)],
        oq: oq(1, -100, 100),
        expected: &[1, 1],
    },
];
/// Pinned `conv1d` cases.
pub const CONV1D: &[Conv1dVector] = &[
    Conv1dVector {
        name: "conv_len6_in4_out5_k3_p1",
        input: &[
            -58, -46, 40, 4, 87, 69, 88, 11, 62, 11, -125, 51, -122, -25, 20, -52, -116, -54, -86,
            -58, 119, 19, -79, -12,
        ],
        len: 6,
        in_ch: 4,
        input_zp: -63,
        weights: &[
            -118, -7, 16, -94, -90, 76, -2, 110, -111, 100, -107, 74, -17, -29, -15, -67, -99, 82,
            -10, -33, 41, 63, 89, -115, 24, -38, -6, 8, -98, -70, 79, 88, 19, 98, -26, 5, 19, 123,
            -108, -122, 110, 26, 125, 81, -72, -108, 118, 29, -21, 5, -28, 63, 116, -45, -74, 15,
            -65, 38, -69, -117,
        ],
        kernel: 3,
        pad: 1,
        bias: &[-11656, -11059, -26445, 16366, -24960],
        requant: &[
            rq(1869169767, -9),
            rq(1130847709, -8),
            rq(1327110535, -8),
            rq(1523373360, -8),
            rq(1719636186, -8),
        ],
        oq: oq(2, -128, 127),
        expected: &[
            -12, 29, -15, 48, -128, 12, -55, -61, 27, -77, -25, -41, -107, 67, 3, -15, -22, -44,
            37, -50, 10, 13, -45, -94, -98, 0, -32, -127, 82, 27,
        ],
    },
    Conv1dVector {
        name: "conv_len3_in2_out4_k5_p2_relu",
        input: &[8, -15, 117, -72, -42, -6],
        len: 3,
        in_ch: 2,
        input_zp: -40,
        weights: &[
            80, 73, -27, -83, -88, 86, -60, 107, -90, -109, -11, 27, 68, 27, -11, -7, 63, -66, 127,
            -59, 5, -23, 14, 78, -31, 55, -85, 50, -14, -78, 3, 65, 66, -2, -55, -113, -56, 90,
            -113, -114,
        ],
        kernel: 5,
        pad: 2,
        bias: &[7537, -18598, -26235, -3052],
        requant: &[
            rq(1649267442, -8),
            rq(1995613604, -8),
            rq(1170979884, -7),
            rq(1344152965, -7),
        ],
        oq: oq(-7, -7, 127),
        expected: &[-7, -7, -7, -7, -7, -7, -7, 29, 50, -7, -7, 64],
    },
    Conv1dVector {
        name: "conv_len5_in3_out3_k1_p0",
        input: &[
            -46, 45, 51, -23, -97, -122, 34, 105, -83, -104, -114, -99, 21, -103, -54,
        ],
        len: 5,
        in_ch: 3,
        input_zp: 89,
        weights: &[54, 90, -102, -57, -127, -84, -67, 75, 98],
        kernel: 1,
        pad: 0,
        bias: &[17210, 29230, 14863],
        requant: &[rq(1099511628, -6), rq(1330409070, -6), rq(1561306511, -6)],
        oq: oq(0, -128, 127),
        expected: &[
            109, 127, 127, 127, 127, -32, 127, 127, 127, 91, 127, 41, 117, 127, 5,
        ],
    },
    Conv1dVector {
        name: "conv_len8_in8_out6_k4_p0",
        input: &[
            72, 4, -101, -104, 73, 32, -5, -31, -108, 119, 26, -62, -65, 79, 44, -106, -9, -55,
            -25, 57, 36, 54, -42, -31, 33, 0, -5, -121, -68, 57, -56, -92, -75, -115, 37, 78, 50,
            -95, 29, -66, -118, 79, -117, 17, 4, -50, -68, -99, -55, 25, 35, 48, 116, 126, -48,
            -57, 95, 61, 61, 16, 120, 12, 119, -10,
        ],
        len: 8,
        in_ch: 8,
        input_zp: 97,
        weights: &[
            60, -16, -81, -70, 16, -48, -34, 28, 57, 51, -94, -24, 7, 127, 10, 58, -22, 117, -29,
            -84, -120, 49, -124, 24, -68, -37, -117, 111, -108, 116, 50, 94, -50, -7, 122, 64, 88,
            25, -63, 80, 5, 113, 4, -35, -19, 63, 115, -107, -98, -59, 13, 11, -9, 124, 24, 72, 74,
            -111, -94, 53, 120, 50, 27, 126, -3, -70, -125, -24, -81, 2, 69, -17, -60, 85, 55,
            -125, 73, 24, 87, 34, 125, -125, -38, -17, 76, 35, -44, 72, -74, 88, -109, -51, 36,
            -106, -51, 92, 70, 114, 69, 111, 72, -113, 99, 43, -112, -54, 39, 44, -74, 77, 24, -20,
            -99, 38, 118, 107, -40, -108, -30, 8, -81, 49, -46, 60, 101, 27, -52, 2, -3, -61, -60,
            108, -119, -1, -36, 47, 97, 70, -101, -2, -104, 122, -118, 45, 108, -20, -109, -87,
            -58, -40, -80, -3, -9, 119, 71, 39, -29, 96, 86, -100, -31, 90, 26, -48, -104, 14, -79,
            107, 6, -116, -41, 43, -81, 57, 53, 104, 6, 28, -21, -83, 96, -84, -47, 22, -126, 22,
            102, 84, 116, -1, 39, -36,
        ],
        kernel: 4,
        pad: 0,
        bias: &[-25438, -83, 9075, 17382, 6766, 16484],
        requant: &[
            rq(1979120930, -10),
            rq(1197368163, -9),
            rq(1405175860, -9),
            rq(1612983558, -9),
            rq(1820791256, -9),
            rq(2028598953, -9),
        ],
        oq: oq(-1, -128, 127),
        expected: &[
            -23, 5, 52, 7, -7, -70, -19, -25, -18, -7, 14, 106, -51, -5, 44, 75, 29, 5, -32, -40,
            -44, 42, -34, 110, -58, 45, -13, 34, 18, -35,
        ],
    },
    Conv1dVector {
        name: "conv_len1_k3_p0_empty",
        input: &[-24, 95],
        len: 1,
        in_ch: 2,
        input_zp: 51,
        weights: &[76, 119, 94, -70, 80, 71, 80, 13, 66, -48, 66, -6],
        kernel: 3,
        pad: 0,
        bias: &[-9589, 25177],
        requant: &[rq(1374389535, -6), rq(1663011337, -6)],
        oq: oq(0, -128, 127),
        expected: &[],
    },
    Conv1dVector {
        name: "conv_len0_k1_p1_all_padding",
        input: &[],
        len: 0,
        in_ch: 2,
        input_zp: 71,
        weights: &[-1, -117, -52, -32, -126, 33],
        kernel: 1,
        pad: 1,
        bias: &[-10348, 7930, 9542],
        requant: &[rq(1374389535, -6), rq(1663011337, -6), rq(1951633139, -6)],
        oq: oq(4, -128, 127),
        expected: &[-128, 28, 46, -128, 28, 46],
    },
];
/// Pinned pool cases.
pub const POOLS: &[PoolVector] = &[
    PoolVector {
        name: "max_len5_ch3",
        input: &[
            123, 47, 41, 9, 5, 37, 37, -115, 29, -81, -66, -111, 0, 67, 17,
        ],
        len: 5,
        ch: 3,
        pool: Pool::Max,
        empty: 0,
        expected: &[123, 67, 41],
    },
    PoolVector {
        name: "mean_len5_ch3",
        input: &[
            -22, 109, 126, -62, 23, -99, -76, -5, -78, 87, -123, -52, 52, -88, -90,
        ],
        len: 5,
        ch: 3,
        pool: Pool::Mean,
        empty: 0,
        expected: &[-4, -17, -39],
    },
    PoolVector {
        name: "mean_len4_ch4_halves",
        input: &[
            1, -1, 3, -128, 2, -2, 4, -128, 0, 0, 0, -127, 1, -1, 3, -128,
        ],
        len: 4,
        ch: 4,
        pool: Pool::Mean,
        empty: 0,
        expected: &[1, -1, 3, -128],
    },
    PoolVector {
        name: "max_len0",
        input: &[],
        len: 0,
        ch: 3,
        pool: Pool::Max,
        empty: -9,
        expected: &[-9, -9, -9],
    },
    PoolVector {
        name: "mean_len0",
        input: &[],
        len: 0,
        ch: 2,
        pool: Pool::Mean,
        empty: 17,
        expected: &[17, 17],
    },
];
/// Pinned `embed_bag` cases.
pub const EMBED_BAGS: &[EmbedBagVector] = &[
    EmbedBagVector {
        name: "bag_mean_5",
        tokens: &[3, 7, 7, 0, 9],
        table: &[
            -3, 63, 61, -31, -79, -42, -68, -49, 71, -116, -128, -26, -4, -99, 111, -118, 100, 97,
            -92, -47, -6, -92, -100, -37, 34, 74, 114, 71, 22, -110, 30, 46, -9, 101, -87, 9, 6,
            -56, -65, 22, 100, -114, -61, 84, -17, 107, -61, 114, -95, 104, 17, -94, -99, 105, 42,
            -122, 98, 39, -92, 36,
        ],
        dim: 6,
        pool: Pool::Mean,
        empty: 0,
        expected: &[-35, 12, 24, 26, -79, 37],
    },
    EmbedBagVector {
        name: "bag_max_5",
        tokens: &[3, 7, 7, 0, 9],
        table: &[
            -3, 63, 61, -31, -79, -42, -68, -49, 71, -116, -128, -26, -4, -99, 111, -118, 100, 97,
            -92, -47, -6, -92, -100, -37, 34, 74, 114, 71, 22, -110, 30, 46, -9, 101, -87, 9, 6,
            -56, -65, 22, 100, -114, -61, 84, -17, 107, -61, 114, -95, 104, 17, -94, -99, 105, 42,
            -122, 98, 39, -92, 36,
        ],
        dim: 6,
        pool: Pool::Max,
        empty: 0,
        expected: &[42, 84, 98, 107, -61, 114],
    },
    EmbedBagVector {
        name: "bag_mean_2_halves",
        tokens: &[1, 4],
        table: &[
            -3, 63, 61, -31, -79, -42, -68, -49, 71, -116, -128, -26, -4, -99, 111, -118, 100, 97,
            -92, -47, -6, -92, -100, -37, 34, 74, 114, 71, 22, -110, 30, 46, -9, 101, -87, 9, 6,
            -56, -65, 22, 100, -114, -61, 84, -17, 107, -61, 114, -95, 104, 17, -94, -99, 105, 42,
            -122, 98, 39, -92, 36,
        ],
        dim: 6,
        pool: Pool::Mean,
        empty: 0,
        expected: &[-17, 13, 93, -23, -53, -68],
    },
    EmbedBagVector {
        name: "bag_empty",
        tokens: &[],
        table: &[
            -3, 63, 61, -31, -79, -42, -68, -49, 71, -116, -128, -26, -4, -99, 111, -118, 100, 97,
            -92, -47, -6, -92, -100, -37, 34, 74, 114, 71, 22, -110, 30, 46, -9, 101, -87, 9, 6,
            -56, -65, 22, 100, -114, -61, 84, -17, 107, -61, 114, -95, 104, 17, -94, -99, 105, 42,
            -122, 98, 39, -92, 36,
        ],
        dim: 6,
        pool: Pool::Mean,
        empty: -5,
        expected: &[-5, -5, -5, -5, -5, -5],
    },
];
// END GENERATED

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pinned_vector_passes() {
        let n = check_all().unwrap();
        assert_eq!(
            n,
            DENSE.len() + CONV1D.len() + POOLS.len() + EMBED_BAGS.len()
        );
        assert!(n >= 12, "only {n} kernel vectors");
    }

    #[test]
    fn a_changed_expectation_is_reported() {
        let v = DENSE[0];
        let mut wrong = [0i8; MAX_OUTPUT];
        let n = v.expected.len();
        wrong[..n].copy_from_slice(v.expected);
        wrong[0] = wrong[0].wrapping_add(1);
        let mut params = [0u8; MAX_CHANNELS * 12];
        let p = encode(&mut params, v.bias, v.requant, "dense", v.name).unwrap();
        let mut out = [0i8; MAX_OUTPUT];
        dense(v.input, v.weights, &p, v.oq, &mut out[..n]).unwrap();
        assert!(compare("dense", v.name, &wrong[..n], &out[..n]).is_err());
    }
}
