//! Kernel throughput on the host against naive scalar baselines measured in the same run.
//!
//! `cargo bench -p edgekd-shared -- --quick`. Each group has the library kernel and a
//! baseline written the obvious way (index loops, one row at a time, bounds-checked), so the
//! ratio shows what the kernel's structure buys on this machine. Device cycle counts come from
//! the firmware benchmark, not from here.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use edgekd_shared::kernels::{conv1d, dense, embed_bag, ChannelParams, Pool};
use edgekd_shared::quant::{requantize, OutputQuant, Requant};

/// Deterministic pseudo-random int8 data.
fn data(n: usize, seed: u32) -> Vec<i8> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as u8 as i8
        })
        .collect()
}

fn params(out: usize) -> (Vec<i32>, Vec<Requant>, Vec<u8>) {
    let bias: Vec<i32> = (0..out as i32).map(|c| c * 37 - 500).collect();
    let rq: Vec<Requant> = (0..out)
        .map(|c| Requant::from_real(0.0007 * (1.0 + c as f64 / 64.0)).unwrap())
        .collect();
    let mut bytes = vec![0u8; out * ChannelParams::BYTES_PER_CHANNEL];
    ChannelParams::encode(&bias, &rq, &mut bytes).unwrap();
    (bias, rq, bytes)
}

/// Baseline dense: one output at a time, indexed loop.
fn naive_dense(x: &[i8], w: &[i8], bias: &[i32], rq: &[Requant], oq: OutputQuant, out: &mut [i8]) {
    let n = x.len();
    for c in 0..out.len() {
        let mut acc = 0i32;
        for k in 0..n {
            acc += i32::from(w[c * n + k]) * i32::from(x[k]);
        }
        out[c] = requantize(acc + bias[c], rq[c], oq);
    }
}

/// Baseline conv1d: per output position, per channel, per tap, with a padding test per tap.
#[allow(clippy::too_many_arguments)]
fn naive_conv1d(
    x: &[i8],
    len: usize,
    in_ch: usize,
    zp: i8,
    w: &[i8],
    k: usize,
    pad: usize,
    bias: &[i32],
    rq: &[Requant],
    oq: OutputQuant,
    out: &mut [i8],
) {
    let out_ch = bias.len();
    let out_len = len + 2 * pad + 1 - k;
    for t in 0..out_len {
        for c in 0..out_ch {
            let mut acc = 0i32;
            for j in 0..k {
                let pos = t + j;
                for i in 0..in_ch {
                    let v = if pos < pad || pos >= pad + len {
                        zp
                    } else {
                        x[(pos - pad) * in_ch + i]
                    };
                    acc += i32::from(w[(c * k + j) * in_ch + i]) * i32::from(v);
                }
            }
            out[t * out_ch + c] = requantize(acc + bias[c], rq[c], oq);
        }
    }
}

/// Baseline mean bag: per dimension, per token.
fn naive_bag_mean(tokens: &[u32], table: &[i8], dim: usize, out: &mut [i8]) {
    for d in 0..dim {
        let mut s = 0i32;
        for &t in tokens {
            s += i32::from(table[t as usize * dim + d]);
        }
        out[d] = (f64::from(s) / tokens.len() as f64).round() as i8;
    }
}

fn bench_dense(c: &mut Criterion) {
    let (n_in, n_out) = (256, 64);
    let x = data(n_in, 1);
    let w = data(n_in * n_out, 2);
    let (bias, rq, bytes) = params(n_out);
    let p = ChannelParams::new(&bytes, n_out).unwrap();
    let oq = OutputQuant::relu(-5);
    let mut out = vec![0i8; n_out];
    let mut g = c.benchmark_group("dense_256x64");
    g.bench_function("kernel", |b| {
        b.iter(|| dense(black_box(&x), black_box(&w), &p, oq, &mut out).unwrap())
    });
    g.bench_function("naive", |b| {
        b.iter(|| naive_dense(black_box(&x), black_box(&w), &bias, &rq, oq, &mut out))
    });
    g.finish();
}

fn bench_conv1d(c: &mut Criterion) {
    let (len, in_ch, out_ch, k, pad) = (64, 32, 32, 3, 1);
    let x = data(len * in_ch, 3);
    let w = data(out_ch * k * in_ch, 4);
    let (bias, rq, bytes) = params(out_ch);
    let p = ChannelParams::new(&bytes, out_ch).unwrap();
    let oq = OutputQuant::relu(3);
    let mut out = vec![0i8; len * out_ch];
    let mut g = c.benchmark_group("conv1d_len64_32to32_k3");
    g.bench_function("kernel", |b| {
        b.iter(|| {
            conv1d(
                black_box(&x),
                len,
                in_ch,
                7,
                black_box(&w),
                k,
                pad,
                &p,
                oq,
                &mut out,
            )
            .unwrap()
        })
    });
    g.bench_function("naive", |b| {
        b.iter(|| {
            naive_conv1d(
                black_box(&x),
                len,
                in_ch,
                7,
                black_box(&w),
                k,
                pad,
                &bias,
                &rq,
                oq,
                &mut out,
            )
        })
    });
    g.finish();
}

fn bench_embed_bag(c: &mut Criterion) {
    let (buckets, dim) = (4096, 32);
    let table = data(buckets * dim, 5);
    let tokens: Vec<u32> = (0..64u32)
        .map(|i| i.wrapping_mul(2_654_435_761) % buckets as u32)
        .collect();
    let mut acc = vec![0i32; dim];
    let mut out = vec![0i8; dim];
    let mut g = c.benchmark_group("embed_bag_64tok_dim32");
    g.bench_function("kernel", |b| {
        b.iter(|| {
            embed_bag(
                black_box(&tokens),
                black_box(&table),
                dim,
                Pool::Mean,
                0,
                &mut acc,
                &mut out,
            )
            .unwrap()
        })
    });
    g.bench_function("naive", |b| {
        b.iter(|| naive_bag_mean(black_box(&tokens), black_box(&table), dim, &mut out))
    });
    g.finish();
}

criterion_group!(benches, bench_dense, bench_conv1d, bench_embed_bag);
criterion_main!(benches);
