//! Kernel benchmark for the instruction-counting plugin (`tools/qemu-icount`, driven by
//! `scripts/bench-qemu.sh`). Every measured call is one segment between the `icount_begin` and
//! `icount_end` markers; for each segment, in order, this prints
//! `bench segment=<i> label=<name> macs=<multiply-accumulates>`.
//! Data are deterministic (xorshift32), so instruction counts are identical on every run.
//! Each shared kernel's output is compared with the plain scalar reference (the baseline);
//! the exit status is the number of mismatches.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use edgekd_firmware::reference;
use edgekd_firmware::rng::XorShift32;
use edgekd_firmware::text::TextBuf;
use edgekd_shared::kernels::{self, dot, ChannelParams};
use edgekd_shared::quant::{OutputQuant, Requant};
use mps2_an386::icount::segment;
use mps2_an386::{exit, outln};

/// Largest shapes benchmarked.
const MAX_IN: usize = 512;
const MAX_OUT: usize = 128;
const CONV_LEN: usize = 64;
const CONV_CH: usize = 32;
const CONV_K: usize = 3;
const CONV_PAD: usize = 1;

/// Numbers segments and prints their labels.
struct Bench {
    next: u32,
    mismatches: u32,
}

impl Bench {
    fn label(&mut self, name: &str, macs: usize) {
        outln!("bench segment={} label={} macs={}", self.next, name, macs);
        self.next += 1;
    }

    fn expect_same(&mut self, what: &str, a: &[i8], b: &[i8]) {
        if a != b {
            outln!("bench MISMATCH: {what}: kernel and scalar reference differ");
            self.mismatches += 1;
        }
    }
}

/// Channel parameters for `out` channels: random bias in ±4096, one multiplier for all.
fn make_params<'a>(
    rng: &mut XorShift32,
    out: usize,
    buf: &'a mut [u8],
) -> Option<ChannelParams<'a>> {
    let rq = Requant::from_real(1.0 / 2048.0).ok()?;
    let mut bias = [0i32; MAX_OUT];
    for b in bias.iter_mut() {
        *b = (rng.next_u32() % 8192) as i32 - 4096;
    }
    let rqs = [rq; MAX_OUT];
    let len = out * ChannelParams::BYTES_PER_CHANNEL;
    let buf = buf.get_mut(..len)?;
    ChannelParams::encode(bias.get(..out)?, rqs.get(..out)?, buf).ok()?;
    ChannelParams::new(buf, out).ok()
}

fn bench_dense(
    b: &mut Bench,
    rng: &mut XorShift32,
    n_in: usize,
    n_out: usize,
    w: &mut [i8],
) -> Option<()> {
    let mut x = [0i8; MAX_IN];
    let x = x.get_mut(..n_in)?;
    rng.fill_i8(x);
    let w = w.get_mut(..n_in * n_out)?;
    rng.fill_weights(w);
    let mut pbuf = [0u8; MAX_OUT * ChannelParams::BYTES_PER_CHANNEL];
    let params = make_params(rng, n_out, &mut pbuf)?;
    let oq = OutputQuant::relu(-3);
    let (mut out_k, mut out_r) = ([0i8; MAX_OUT], [0i8; MAX_OUT]);
    let (out_k, out_r) = (out_k.get_mut(..n_out)?, out_r.get_mut(..n_out)?);
    let macs = n_in * n_out;

    let mut name = TextBuf::<32>::new();
    name.set(format_args!("dense_{n_in}x{n_out}"));
    b.label(name.as_str(), macs);
    let r = segment(|| {
        kernels::dense(
            black_box(&*x),
            black_box(&*w),
            &params,
            oq,
            black_box(&mut *out_k),
        )
    });
    if r.is_err() {
        outln!("bench: dense {n_in}x{n_out} failed: {:?}", r);
        b.mismatches += 1;
    }
    name.set(format_args!("scalar_dense_{n_in}x{n_out}"));
    b.label(name.as_str(), macs);
    segment(|| {
        reference::dense(
            black_box(&*x),
            black_box(&*w),
            &params,
            oq,
            black_box(&mut *out_r),
        )
    });
    b.expect_same(name.as_str(), out_k, out_r);

    // The bare inner products over one row pair / one row of the same data.
    let (w0, w1) = (w.get(..n_in)?, w.get(n_in..2 * n_in)?);
    name.set(format_args!("dot_i8_x2_{n_in}"));
    b.label(name.as_str(), 2 * n_in);
    let (a0, a1) = segment(|| dot::dot_i8_x2(black_box(&*x), black_box(w0), black_box(w1)));
    name.set(format_args!("dot_i8_{n_in}"));
    b.label(name.as_str(), n_in);
    let a2 = segment(|| dot::dot_i8(black_box(&*x), black_box(w0)));
    name.set(format_args!("scalar_dot_{n_in}"));
    b.label(name.as_str(), n_in);
    let r0 = segment(|| reference::dot(black_box(&*x), black_box(w0)));
    if (a0, a1, a2) != (r0, reference::dot(x, w1), r0) {
        outln!("bench MISMATCH: dot {n_in}");
        b.mismatches += 1;
    }
    Some(())
}

fn bench_conv1d(b: &mut Bench, rng: &mut XorShift32) -> Option<()> {
    let mut x = [0i8; CONV_LEN * CONV_CH];
    rng.fill_i8(&mut x);
    let mut w = [0i8; CONV_CH * CONV_K * CONV_CH];
    rng.fill_weights(&mut w);
    let mut pbuf = [0u8; MAX_OUT * ChannelParams::BYTES_PER_CHANNEL];
    let params = make_params(rng, CONV_CH, &mut pbuf)?;
    let oq = OutputQuant::relu(-7);
    let zp = -7i8;
    let out_len = kernels::conv1d_out_len(CONV_LEN, CONV_K, CONV_PAD);
    let mut out_k = [0i8; CONV_LEN * CONV_CH];
    let mut out_r = [0i8; CONV_LEN * CONV_CH];
    // Taps that read padding are multiplied too (as zero-point terms), so count every tap.
    let macs = out_len * CONV_CH * CONV_K * CONV_CH;

    b.label("conv1d_len64_32x32_k3", macs);
    let r = segment(|| {
        kernels::conv1d(
            black_box(&x),
            CONV_LEN,
            CONV_CH,
            zp,
            black_box(&w),
            CONV_K,
            CONV_PAD,
            &params,
            oq,
            black_box(&mut out_k),
        )
    });
    if r != Ok(out_len) {
        outln!("bench: conv1d failed: {:?}", r);
        b.mismatches += 1;
    }
    b.label("scalar_conv1d_len64_32x32_k3", macs);
    let n = segment(|| {
        reference::conv1d(
            black_box(&x),
            CONV_CH,
            zp,
            black_box(&w),
            CONV_K,
            CONV_PAD,
            &params,
            oq,
            black_box(&mut out_r),
        )
    });
    if n != out_len {
        b.mismatches += 1;
    }
    b.expect_same("conv1d", &out_k, &out_r);
    Some(())
}

#[entry]
fn main() -> ! {
    let mut b = Bench {
        next: 0,
        mismatches: 0,
    };
    let mut rng = XorShift32::new(0xBE7C_0001);
    // Calibration: an empty segment measures the cost of the markers themselves.
    b.label("empty", 0);
    segment(|| ());

    let mut w = [0i8; MAX_IN * MAX_OUT];
    let ok = bench_dense(&mut b, &mut rng, 256, 64, &mut w).is_some()
        && bench_dense(&mut b, &mut rng, 512, 128, &mut w).is_some()
        && bench_conv1d(&mut b, &mut rng).is_some();
    if !ok {
        outln!("bench: setup failed (bad shapes or parameters)");
        b.mismatches += 1;
    }
    outln!("bench: done, {} mismatches", b.mismatches);
    exit(b.mismatches)
}
