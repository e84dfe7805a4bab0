//! Randomised cross-check of the shared `dense` and `conv1d` kernels (on this target: through
//! the SMLAD dot products) against the plain loops of [`crate::reference`], over many small
//! shapes: odd and even output counts, lengths that are not multiples of 4 or 8, padding wider
//! than the kernel, extreme values and random requantization scales.

use core::fmt;

use edgekd_shared::kernels::{self, ChannelParams, KernelError};
use edgekd_shared::quant::{OutputQuant, Requant};

use crate::reference;
use crate::rng::XorShift32;

/// Number of random shapes per kernel.
const CASES: usize = 150;
const MAX_IN: usize = 70;
const MAX_OUT: usize = 9;
const MAX_LEN: usize = 12;
const MAX_CH: usize = 11;
const MAX_K: usize = 4;
const MAX_PAD: usize = 3;
const MAX_OUT_LEN: usize = MAX_LEN + 2 * MAX_PAD;

/// What went wrong in one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelCheckError {
    /// The shared kernel rejected a valid shape.
    Rejected {
        /// `"dense"` or `"conv1d"`.
        kernel: &'static str,
        /// Index of the case.
        case: usize,
        /// The kernel's error.
        error: KernelError,
    },
    /// Outputs differ at `index`.
    Mismatch {
        /// `"dense"` or `"conv1d"`.
        kernel: &'static str,
        /// Index of the case.
        case: usize,
        /// Shape of the case: dense `(in, out, 0, 0, 0)`, conv1d `(len, in_ch, out_ch, k, pad)`.
        shape: (usize, usize, usize, usize, usize),
        /// First differing output element.
        index: usize,
        /// Reference value.
        expected: i8,
        /// Shared kernel's value.
        got: i8,
    },
    /// Building the case's parameters failed (a bug in this check).
    Setup {
        /// Index of the case.
        case: usize,
    },
}

impl fmt::Display for KernelCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected { kernel, case, error } => write!(f, "{kernel} case {case}: rejected: {error}"),
            Self::Mismatch { kernel, case, shape, index, expected, got } => write!(
                f,
                "{kernel} case {case} shape {shape:?}: output[{index}] expected {expected}, got {got}"
            ),
            Self::Setup { case } => write!(f, "case {case}: could not build channel parameters"),
        }
    }
}

/// Random parameters for `n` channels: bias in ±2^14, real multipliers in [2^-14, 2^-4).
fn params<'a>(rng: &mut XorShift32, n: usize, buf: &'a mut [u8]) -> Option<ChannelParams<'a>> {
    let mut bias = [0i32; MAX_OUT];
    let mut rq = [Requant::ZERO; MAX_OUT];
    for (b, r) in bias.iter_mut().zip(rq.iter_mut()) {
        *b = (rng.next_u32() % 32768) as i32 - 16384;
        let real =
            f64::from(rng.next_u32() % 1024 + 1) / f64::from(1u32 << (4 + rng.next_u32() % 10));
        *r = Requant::from_real(real / 1024.0).ok()?;
    }
    let buf = buf.get_mut(..n * ChannelParams::BYTES_PER_CHANNEL)?;
    ChannelParams::encode(bias.get(..n)?, rq.get(..n)?, buf).ok()?;
    ChannelParams::new(buf, n).ok()
}

/// Random int8 data; one case in four is all −128 / 127 extremes.
fn data(rng: &mut XorShift32, out: &mut [i8], weights: bool) {
    if rng.next_u32() % 4 == 0 {
        for v in out.iter_mut() {
            *v = if rng.next_u32() % 2 == 0 { -128 } else { 127 };
        }
    } else {
        rng.fill_i8(out);
    }
    if weights {
        for v in out.iter_mut() {
            *v = (*v).max(-127);
        }
    }
}

/// A random output stage: zero point anywhere, ReLU or linear.
fn output_quant(rng: &mut XorShift32) -> OutputQuant {
    let zp = rng.next_i8();
    if rng.next_u32() % 2 == 0 {
        OutputQuant::relu(zp)
    } else {
        OutputQuant::linear(zp)
    }
}

fn first_difference(a: &[i8], b: &[i8]) -> Option<(usize, i8, i8)> {
    a.iter()
        .zip(b)
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (&x, &y))| (i, x, y))
}

/// Runs every case; the number of output elements compared, or the first problem.
pub fn check_all() -> Result<usize, KernelCheckError> {
    let mut rng = XorShift32::new(0x4B3C_11A7);
    let mut compared = 0usize;
    let mut pbuf = [0u8; MAX_OUT * ChannelParams::BYTES_PER_CHANNEL];

    for case in 0..CASES {
        let n_in = 1 + rng.next_u32() as usize % MAX_IN;
        let n_out = 1 + rng.next_u32() as usize % MAX_OUT;
        let mut x = [0i8; MAX_IN];
        let mut w = [0i8; MAX_IN * MAX_OUT];
        let (x, w) = (&mut x[..n_in], &mut w[..n_in * n_out]);
        data(&mut rng, x, false);
        data(&mut rng, w, true);
        let p = params(&mut rng, n_out, &mut pbuf).ok_or(KernelCheckError::Setup { case })?;
        let oq = output_quant(&mut rng);
        let (mut got, mut want) = ([0i8; MAX_OUT], [0i8; MAX_OUT]);
        kernels::dense(x, w, &p, oq, &mut got[..n_out]).map_err(|error| {
            KernelCheckError::Rejected {
                kernel: "dense",
                case,
                error,
            }
        })?;
        reference::dense(x, w, &p, oq, &mut want[..n_out]);
        if let Some((index, expected, got)) = first_difference(&want[..n_out], &got[..n_out]) {
            let shape = (n_in, n_out, 0, 0, 0);
            return Err(KernelCheckError::Mismatch {
                kernel: "dense",
                case,
                shape,
                index,
                expected,
                got,
            });
        }
        compared += n_out;
    }

    for case in 0..CASES {
        let len = rng.next_u32() as usize % (MAX_LEN + 1);
        let in_ch = 1 + rng.next_u32() as usize % MAX_CH;
        let out_ch = 1 + rng.next_u32() as usize % MAX_OUT;
        let k = 1 + rng.next_u32() as usize % MAX_K;
        let pad = rng.next_u32() as usize % (MAX_PAD + 1);
        let mut x = [0i8; MAX_LEN * MAX_CH];
        let mut w = [0i8; MAX_OUT * MAX_K * MAX_CH];
        let (x, w) = (&mut x[..len * in_ch], &mut w[..out_ch * k * in_ch]);
        data(&mut rng, x, false);
        data(&mut rng, w, true);
        let zp = rng.next_i8();
        let p = params(&mut rng, out_ch, &mut pbuf).ok_or(KernelCheckError::Setup { case })?;
        let oq = output_quant(&mut rng);
        let mut got = [0i8; MAX_OUT_LEN * MAX_OUT];
        let mut want = [0i8; MAX_OUT_LEN * MAX_OUT];
        let out_len =
            kernels::conv1d(x, len, in_ch, zp, w, k, pad, &p, oq, &mut got).map_err(|error| {
                KernelCheckError::Rejected {
                    kernel: "conv1d",
                    case,
                    error,
                }
            })?;
        let ref_len = reference::conv1d(x, in_ch, zp, w, k, pad, &p, oq, &mut want);
        let n = out_len * out_ch;
        let shape = (len, in_ch, out_ch, k, pad);
        if ref_len != out_len {
            let (expected, got) = (ref_len as i8, out_len as i8);
            return Err(KernelCheckError::Mismatch {
                kernel: "conv1d",
                case,
                shape,
                index: usize::MAX,
                expected,
                got,
            });
        }
        if let Some((index, expected, got)) = first_difference(&want[..n], &got[..n]) {
            return Err(KernelCheckError::Mismatch {
                kernel: "conv1d",
                case,
                shape,
                index,
                expected,
                got,
            });
        }
        compared += n;
    }
    Ok(compared)
}
