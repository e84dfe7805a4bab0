//! Generator of the pinned test vectors in `src/kernels/vectors.rs` and
//! `src/tokenizer/vectors.rs`. Run once, review the diff, commit:
//! `cargo test -p edgekd-shared --features std --test vector_gen -- --ignored`.
//! The ordinary (not ignored) test checks that the generator's kernel outputs are within
//! 1 LSB of the f64 reference.

mod kref;

use std::fmt::Write as _;

use edgekd_shared::kernels::{
    conv1d, dense, embed_bag, global_max_pool, global_mean_pool, ChannelParams, Pool,
};
use edgekd_shared::quant::{OutputQuant, Requant};
use edgekd_shared::tokenizer::tokenize_bytes;
use edgekd_shared::tokenizer::vectors::INPUTS;

/// xorshift64*: a fixed, dependency-free generator so that the vectors never change by accident.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn i8s(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| (self.next() >> 56) as u8 as i8).collect()
    }
    fn weights(&mut self, n: usize) -> Vec<i8> {
        (0..n)
            .map(|_| ((self.next() >> 32) % 255) as i32 - 127)
            .map(|v| v as i8)
            .collect()
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

struct Layer {
    name: &'static str,
    input: Vec<i8>,
    len: usize,
    in_ch: usize,
    input_zp: i8,
    weights: Vec<i8>,
    kernel: usize,
    pad: usize,
    bias: Vec<i32>,
    reals: Vec<f64>,
    oq: OutputQuant,
}

impl Layer {
    fn requants(&self) -> Vec<Requant> {
        self.reals
            .iter()
            .map(|&r| Requant::from_real(r).unwrap())
            .collect()
    }
    fn params(&self) -> Vec<u8> {
        let mut b = vec![0u8; self.bias.len() * 12];
        ChannelParams::encode(&self.bias, &self.requants(), &mut b).unwrap();
        b
    }
    fn dense(&self) -> Vec<i8> {
        let bytes = self.params();
        let p = ChannelParams::new(&bytes, self.bias.len()).unwrap();
        let mut out = vec![0i8; self.bias.len()];
        dense(&self.input, &self.weights, &p, self.oq, &mut out).unwrap();
        let reference =
            kref::dense_ref(&self.input, &self.weights, &self.bias, &self.reals, self.oq);
        assert_within_1(self.name, &out, &reference);
        out
    }
    fn conv(&self) -> Vec<i8> {
        let bytes = self.params();
        let p = ChannelParams::new(&bytes, self.bias.len()).unwrap();
        let mut out = vec![0i8; 4096];
        let n = conv1d(
            &self.input,
            self.len,
            self.in_ch,
            self.input_zp,
            &self.weights,
            self.kernel,
            self.pad,
            &p,
            self.oq,
            &mut out,
        )
        .unwrap();
        out.truncate(n * self.bias.len());
        let reference = kref::conv1d_ref(
            &self.input,
            self.len,
            self.in_ch,
            self.input_zp,
            &self.weights,
            self.kernel,
            self.pad,
            &self.bias,
            &self.reals,
            self.oq,
        );
        assert_within_1(self.name, &out, &reference);
        out
    }
}

fn assert_within_1(name: &str, got: &[i8], reference: &[i8]) {
    assert_eq!(got.len(), reference.len(), "{name}");
    for (i, (&g, &r)) in got.iter().zip(reference).enumerate() {
        assert!(
            (i32::from(g) - i32::from(r)).abs() <= 1,
            "{name}[{i}]: kernel {g}, reference {r}"
        );
    }
}

fn dense_layers(rng: &mut Rng) -> Vec<Layer> {
    let mut mk = |name, n_in: usize, n_out: usize, real: f64, oq: OutputQuant, extreme: bool| {
        let input = if extreme {
            (0..n_in)
                .map(|i| if i % 2 == 0 { 127 } else { -128 })
                .collect()
        } else {
            rng.i8s(n_in)
        };
        let weights = if extreme {
            (0..n_in * n_out)
                .map(|i| if i % 3 == 0 { -127 } else { 127 })
                .collect()
        } else {
            rng.weights(n_in * n_out)
        };
        let bias = (0..n_out)
            .map(|_| rng.range(-20_000, 20_000) as i32)
            .collect();
        let reals = (0..n_out).map(|c| real * (1.0 + 0.37 * c as f64)).collect();
        Layer {
            name,
            input,
            len: 1,
            in_ch: n_in,
            input_zp: 0,
            weights,
            kernel: 1,
            pad: 0,
            bias,
            reals,
            oq,
        }
    };
    vec![
        mk(
            "dense_8x4_linear",
            8,
            4,
            0.004,
            OutputQuant::linear(-3),
            false,
        ),
        mk(
            "dense_37x5_relu",
            37,
            5,
            0.0021,
            OutputQuant::relu(-20),
            false,
        ),
        mk(
            "dense_64x16_linear",
            64,
            16,
            0.00093,
            OutputQuant::linear(5),
            false,
        ),
        mk(
            "dense_1x3_large_scale",
            1,
            3,
            0.61,
            OutputQuant::linear(0),
            false,
        ),
        mk(
            "dense_33x3_saturating",
            33,
            3,
            0.05,
            OutputQuant::linear(0),
            true,
        ),
        mk(
            "dense_16x2_tiny_scale",
            16,
            2,
            3.0e-9,
            OutputQuant {
                zero_point: 1,
                act_min: -100,
                act_max: 100,
            },
            false,
        ),
    ]
}

fn conv_layers(rng: &mut Rng) -> Vec<Layer> {
    let mut mk = |name,
                  len: usize,
                  in_ch: usize,
                  out_ch: usize,
                  kernel: usize,
                  pad: usize,
                  real: f64,
                  oq| {
        let input_zp = rng.range(-128, 127) as i8;
        Layer {
            name,
            input: rng.i8s(len * in_ch),
            len,
            in_ch,
            input_zp,
            weights: rng.weights(out_ch * kernel * in_ch),
            kernel,
            pad,
            bias: (0..out_ch)
                .map(|_| rng.range(-30_000, 30_000) as i32)
                .collect(),
            reals: (0..out_ch)
                .map(|c| real * (1.0 + 0.21 * c as f64))
                .collect(),
            oq,
        }
    };
    vec![
        mk(
            "conv_len6_in4_out5_k3_p1",
            6,
            4,
            5,
            3,
            1,
            0.0017,
            OutputQuant::linear(2),
        ),
        mk(
            "conv_len3_in2_out4_k5_p2_relu",
            3,
            2,
            4,
            5,
            2,
            0.003,
            OutputQuant::relu(-7),
        ),
        mk(
            "conv_len5_in3_out3_k1_p0",
            5,
            3,
            3,
            1,
            0,
            0.008,
            OutputQuant::linear(0),
        ),
        mk(
            "conv_len8_in8_out6_k4_p0",
            8,
            8,
            6,
            4,
            0,
            0.0009,
            OutputQuant::linear(-1),
        ),
        mk(
            "conv_len1_k3_p0_empty",
            1,
            2,
            2,
            3,
            0,
            0.01,
            OutputQuant::linear(0),
        ),
        mk(
            "conv_len0_k1_p1_all_padding",
            0,
            2,
            3,
            1,
            1,
            0.01,
            OutputQuant::linear(4),
        ),
    ]
}

fn fmt_list<T: std::fmt::Display>(v: &[T]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("&[{}]", items.join(", "))
}

fn fmt_rq(v: &[Requant]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|r| format!("rq({}, {})", r.multiplier, r.shift))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn fmt_oq(o: OutputQuant) -> String {
    format!("oq({}, {}, {})", o.zero_point, o.act_min, o.act_max)
}

fn kernel_block() -> String {
    let mut rng = Rng(0x00ED_6E4D_0001);
    let mut s = String::from("// BEGIN GENERATED (shared/tests/vector_gen.rs)\n");
    s += "/// Pinned `dense` cases.\npub const DENSE: &[DenseVector] = &[\n";
    for l in dense_layers(&mut rng) {
        let out = l.dense();
        writeln!(
            s,
            "    DenseVector {{\n        name: {:?},\n        input: {},\n        weights: {},\n        bias: {},\n        requant: {},\n        oq: {},\n        expected: {},\n    }},",
            l.name, fmt_list(&l.input), fmt_list(&l.weights), fmt_list(&l.bias), fmt_rq(&l.requants()), fmt_oq(l.oq), fmt_list(&out)
        )
        .unwrap();
    }
    s += "];\n/// Pinned `conv1d` cases.\npub const CONV1D: &[Conv1dVector] = &[\n";
    for l in conv_layers(&mut rng) {
        let out = l.conv();
        writeln!(
            s,
            "    Conv1dVector {{\n        name: {:?},\n        input: {},\n        len: {},\n        in_ch: {},\n        input_zp: {},\n        weights: {},\n        kernel: {},\n        pad: {},\n        bias: {},\n        requant: {},\n        oq: {},\n        expected: {},\n    }},",
            l.name, fmt_list(&l.input), l.len, l.in_ch, l.input_zp, fmt_list(&l.weights), l.kernel, l.pad,
            fmt_list(&l.bias), fmt_rq(&l.requants()), fmt_oq(l.oq), fmt_list(&out)
        )
        .unwrap();
    }
    s += "];\n/// Pinned pool cases.\npub const POOLS: &[PoolVector] = &[\n";
    let pools: [(&str, usize, usize, Pool, i8); 5] = [
        ("max_len5_ch3", 5, 3, Pool::Max, 0),
        ("mean_len5_ch3", 5, 3, Pool::Mean, 0),
        ("mean_len4_ch4_halves", 4, 4, Pool::Mean, 0),
        ("max_len0", 0, 3, Pool::Max, -9),
        ("mean_len0", 0, 2, Pool::Mean, 17),
    ];
    for (name, len, ch, pool, empty) in pools {
        let input = if name.contains("halves") {
            vec![
                1, -1, 3, -128, 2, -2, 4, -128, 0, 0, 0, -127, 1, -1, 3, -128,
            ]
        } else {
            rng.i8s(len * ch)
        };
        let mut out = vec![0i8; ch];
        let reference = match pool {
            Pool::Max => {
                global_max_pool(&input, len, ch, empty, &mut out).unwrap();
                kref::max_pool_ref(&input, len, ch, empty)
            }
            Pool::Mean => {
                global_mean_pool(&input, len, ch, empty, &mut out).unwrap();
                kref::mean_pool_ref(&input, len, ch, empty)
            }
        };
        assert_eq!(out, reference, "{name}");
        writeln!(
            s,
            "    PoolVector {{ name: {name:?}, input: {}, len: {len}, ch: {ch}, pool: Pool::{pool:?}, empty: {empty}, expected: {} }},",
            fmt_list(&input), fmt_list(&out)
        )
        .unwrap();
    }
    s += "];\n/// Pinned `embed_bag` cases.\npub const EMBED_BAGS: &[EmbedBagVector] = &[\n";
    let table = rng.i8s(10 * 6);
    let bags: [(&str, Vec<u32>, Pool, i8); 4] = [
        ("bag_mean_5", vec![3, 7, 7, 0, 9], Pool::Mean, 0),
        ("bag_max_5", vec![3, 7, 7, 0, 9], Pool::Max, 0),
        ("bag_mean_2_halves", vec![1, 4], Pool::Mean, 0),
        ("bag_empty", vec![], Pool::Mean, -5),
    ];
    for (name, tokens, pool, empty) in bags {
        let mut acc = [0i32; 6];
        let mut out = vec![0i8; 6];
        embed_bag(&tokens, &table, 6, pool, empty, &mut acc, &mut out).unwrap();
        let rows = kref::gather(&tokens, &table, 6);
        let reference = match pool {
            Pool::Max => kref::max_pool_ref(&rows, tokens.len(), 6, empty),
            Pool::Mean => kref::mean_pool_ref(&rows, tokens.len(), 6, empty),
        };
        assert_eq!(out, reference, "{name}");
        writeln!(
            s,
            "    EmbedBagVector {{\n        name: {name:?},\n        tokens: {},\n        table: {},\n        dim: 6,\n        pool: Pool::{pool:?},\n        empty: {empty},\n        expected: {},\n    }},",
            fmt_list(&tokens), fmt_list(&table), fmt_list(&out)
        )
        .unwrap();
    }
    s += "];\n// END GENERATED\n";
    s
}

fn tokenizer_block() -> String {
    let mut s = String::from(
        "// BEGIN GENERATED (shared/tests/vector_gen.rs)\n/// The pinned cases, in the order of [`INPUTS`].\npub const CASES: &[TokenizerVector] = &[\n",
    );
    for (i, (name, text, cfg, out_len)) in INPUTS.iter().enumerate() {
        let mut out = vec![0u32; *out_len];
        let t = tokenize_bytes(text, cfg, &mut out).unwrap();
        writeln!(
            s,
            "    TokenizerVector {{\n        name: {name:?},\n        text: INPUTS[{i}].1,\n        cfg: INPUTS[{i}].2,\n        out_len: INPUTS[{i}].3,\n        expected: {},\n        truncated: {},\n    }},",
            fmt_list(&out[..t.len]),
            t.truncated
        )
        .unwrap();
    }
    s += "];\n// END GENERATED\n";
    s
}

fn replace_block(path: &str, block: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&full).unwrap();
    let begin = src.find("// BEGIN GENERATED").expect("begin marker");
    let end_marker = "// END GENERATED\n";
    let end = src.find(end_marker).expect("end marker") + end_marker.len();
    let new = format!("{}{}{}", &src[..begin], block, &src[end..]);
    std::fs::write(&full, new).unwrap();
}

#[test]
fn generated_kernel_outputs_are_within_1_lsb_of_f64() {
    // kernel_block asserts every case against the reference while rendering.
    let block = kernel_block();
    assert!(block.contains("DenseVector"));
}

#[test]
#[ignore = "rewrites the pinned vectors; run by hand, then review the diff"]
fn regenerate_pinned_vectors() {
    replace_block("src/kernels/vectors.rs", &kernel_block());
    replace_block("src/tokenizer/vectors.rs", &tokenizer_block());
}
