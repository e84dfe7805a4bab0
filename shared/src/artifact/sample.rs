//! Small valid models for tests and fuzz seeds (std feature), deterministic from a seed.
//!
//! Weights and biases are drawn in f32, quantized with [`crate::quant::host`] the way the
//! exporter does it, and every output scale is the worst-case bound of its layer (no
//! saturation can happen), so an f64 reference of the same model agrees with the int8 engine
//! to within rounding. [`Sample::reference`] keeps the dequantized parameters for such a
//! reference.
// Test support, never on a device (feature `std`): every input is a constant of this file, so a
// failed expectation below is a bug here, not bad input.
#![allow(clippy::expect_used)]

use ed25519_dalek::SigningKey;

use super::bytes::i8_as_bytes;
use super::model::{HeadMaster, Layer, Metadata, Model};
use super::{encode, ArtifactError};
use crate::kernels::{ChannelParams, Pool};
use crate::quant::host::{
    act_quant_from_range, channel_requants, fold_bias, quantize_weights_per_channel,
};
use crate::quant::ActQuant;
use crate::tokenizer::TokenizerConfig;

/// Which architecture to build.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum SampleKind {
    /// `EmbedBag(64×8, mean) → Dense(8→12, ReLU) → Dense(12→3)`, with a head master.
    Bag,
    /// `Embed(64×6) → Conv1d(6→8, k3, pad 1, ReLU) → GlobalPool(max) → Dense(8→4)`.
    Conv,
}

/// Dequantized parameters of one layer with weights, for an f64 reference.
#[derive(Clone, Debug, PartialEq)]
pub struct RefParams {
    /// Real weights `w_q · s_w[c]`, in the layer's weight layout.
    pub weights: Vec<f64>,
    /// Real bias `[out]` (before quantization).
    pub bias: Vec<f64>,
}

/// An encoded sample model and what a reference needs to recompute it.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The artifact bytes.
    pub bytes: Vec<u8>,
    /// Per layer: `Some` for Dense and Conv1d, `None` otherwise.
    pub reference: Vec<Option<RefParams>>,
}

/// Deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-1, 1)`.
    fn unit(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }

    fn i8(&mut self) -> i8 {
        (self.next() >> 56) as u8 as i8
    }
}

/// Owned tensors of one quantized layer with weights.
struct Quantized {
    weights: Vec<u8>,
    params: Vec<u8>,
    out: ActQuant,
    reference: RefParams,
}

/// Builds a `[rows, per_row]` layer fed by `input` whose real values lie in `±max_in`.
fn quantized_layer(
    rng: &mut Rng,
    rows: usize,
    per_row: usize,
    input: ActQuant,
    max_in: f64,
    relu: bool,
) -> Quantized {
    let w: Vec<f32> = (0..rows * per_row).map(|_| rng.unit()).collect();
    let b: Vec<f32> = (0..rows).map(|_| rng.unit() * 0.5).collect();
    let q = quantize_weights_per_channel(&w, rows, per_row).expect("finite weights");
    let real_w: Vec<f64> = q
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| f64::from(v) * f64::from(q.scales[i / per_row]))
        .collect();
    let bound = (0..rows)
        .map(|c| {
            let row = &real_w[c * per_row..(c + 1) * per_row];
            row.iter().map(|w| w.abs()).sum::<f64>() * max_in + f64::from(b[c].abs())
        })
        .fold(1e-3, f64::max) as f32;
    let out = if relu {
        act_quant_from_range(0.0, bound)
    } else {
        act_quant_from_range(-bound, bound)
    };
    let out = out.expect("finite bound");
    let bias = fold_bias(
        &b,
        input.scale,
        &q.scales,
        input.zero_point,
        &q.values,
        per_row,
    )
    .expect("bias fits");
    let requant = channel_requants(input.scale, &q.scales, out.scale).expect("valid scales");
    let mut params = vec![0u8; rows * ChannelParams::BYTES_PER_CHANNEL];
    ChannelParams::encode(&bias, &requant, &mut params).expect("matching lengths");
    Quantized {
        weights: i8_as_bytes(&q.values).to_vec(),
        params,
        out,
        reference: RefParams {
            weights: real_w,
            bias: b.iter().map(|&v| f64::from(v)).collect(),
        },
    }
}

/// Largest |real| an int8 tensor of quantization `q` can hold.
fn max_abs(q: ActQuant) -> f64 {
    let zp = i32::from(q.zero_point);
    f64::from(q.scale) * f64::from((127 - zp).max(zp + 128))
}

/// The tokenizer every sample uses: 64 buckets, at most 16 tokens.
pub fn sample_tokenizer() -> TokenizerConfig {
    TokenizerConfig {
        buckets: 64,
        max_tokens: 16,
        features: 1,
        seed: 0x5EED,
    }
}

/// Builds and encodes a sample model (signed when `key` is given).
pub fn sample(
    kind: SampleKind,
    seed: u64,
    key: Option<&SigningKey>,
) -> Result<Sample, ArtifactError> {
    let mut rng = Rng(seed ^ 0xED6E_4B0D);
    let tokenizer = sample_tokenizer();
    let buckets = tokenizer.buckets;
    let dim: usize = if kind == SampleKind::Bag { 8 } else { 6 };
    let table: Vec<u8> = (0..buckets as usize * dim)
        .map(|_| rng.i8().max(-127) as u8)
        .collect();
    let emb_q = ActQuant {
        scale: 1.0 / 64.0,
        zero_point: (rng.next() % 11) as i8 - 5,
    };
    let labels_all = ["negative", "positive", "neutral", "mixed"];
    match kind {
        SampleKind::Bag => bag(
            &mut rng,
            tokenizer,
            &table,
            emb_q,
            12,
            &labels_all[..3],
            key,
        ),
        SampleKind::Conv => {
            let conv = quantized_layer(&mut rng, 8, 3 * dim, emb_q, max_abs(emb_q), true);
            let dense = quantized_layer(&mut rng, 4, 8, conv.out, max_abs(conv.out), false);
            let layers: [Layer<&[u8]>; 4] = [
                Layer::Embed {
                    buckets,
                    dim: dim as u16,
                    table: &table,
                    out: emb_q,
                },
                Layer::Conv1d {
                    in_ch: dim as u16,
                    out_ch: 8,
                    kernel: 3,
                    pad: 1,
                    weights: &conv.weights,
                    params: &conv.params,
                    out: conv.out,
                    relu: true,
                },
                Layer::GlobalPool { pool: Pool::Max },
                Layer::Dense {
                    inputs: 8,
                    outputs: 4,
                    weights: &dense.weights,
                    params: &dense.params,
                    out: dense.out,
                    relu: false,
                },
            ];
            let model = Model {
                meta: meta(&labels_all),
                tokenizer,
                layers: layers.into_iter().collect(),
                head: None,
            };
            let bytes = encode(&model, key)?;
            Ok(Sample {
                bytes,
                reference: vec![None, Some(conv.reference), None, Some(dense.reference)],
            })
        }
    }
}

/// The tokenizer of the host's default student (`edgekd_host::pipeline::DistillConfig`): hashed
/// word unigrams into 32768 buckets, at most 64 tokens, seed 0.
pub fn default_student_tokenizer() -> TokenizerConfig {
    TokenizerConfig {
        buckets: 32768,
        max_tokens: 64,
        features: 1,
        seed: 0,
    }
}

/// A model in the shape of the host's default student, with random weights:
/// `EmbedBag(32768×6, mean) → Dense(6→64, ReLU) → Dense(64→2)` with a head master, 199 KB.
/// Instructions per inference depend on the shapes and the text, not on the trained values, so
/// the board figures are measured with it where no trained model is at hand.
pub fn default_student(seed: u64, key: Option<&SigningKey>) -> Result<Sample, ArtifactError> {
    let mut rng = Rng(seed ^ 0xED6E_4B0D);
    let tokenizer = default_student_tokenizer();
    let dim = 6;
    let table: Vec<u8> = (0..tokenizer.buckets as usize * dim)
        .map(|_| rng.i8().max(-127) as u8)
        .collect();
    let emb_q = ActQuant {
        scale: 1.0 / 64.0,
        zero_point: 0,
    };
    bag(
        &mut rng,
        tokenizer,
        &table,
        emb_q,
        64,
        &["negative", "positive"],
        key,
    )
}

/// `EmbedBag(buckets × table.len() / buckets, mean) → Dense(dim→hidden, ReLU) →
/// Dense(hidden→labels)`, with the head's f32 master.
fn bag(
    rng: &mut Rng,
    tokenizer: TokenizerConfig,
    table: &[u8],
    emb_q: ActQuant,
    hidden_n: usize,
    labels: &[&str],
    key: Option<&SigningKey>,
) -> Result<Sample, ArtifactError> {
    let buckets = tokenizer.buckets;
    let dim = table.len() / (buckets as usize).max(1);
    let classes = labels.len();
    let hidden = quantized_layer(rng, hidden_n, dim, emb_q, max_abs(emb_q), true);
    let head = quantized_layer(
        rng,
        classes,
        hidden_n,
        hidden.out,
        max_abs(hidden.out),
        false,
    );
    let head_w: Vec<u8> = head
        .reference
        .weights
        .iter()
        .flat_map(|&w| (w as f32).to_le_bytes())
        .collect();
    let head_b: Vec<u8> = head
        .reference
        .bias
        .iter()
        .flat_map(|&b| (b as f32).to_le_bytes())
        .collect();
    let layers: [Layer<&[u8]>; 3] = [
        Layer::EmbedBag {
            buckets,
            dim: dim as u16,
            pool: Pool::Mean,
            table,
            out: emb_q,
        },
        Layer::Dense {
            inputs: dim as u16,
            outputs: hidden_n as u16,
            weights: &hidden.weights,
            params: &hidden.params,
            out: hidden.out,
            relu: true,
        },
        Layer::Dense {
            inputs: hidden_n as u16,
            outputs: classes as u16,
            weights: &head.weights,
            params: &head.params,
            out: head.out,
            relu: false,
        },
    ];
    let model = Model {
        meta: meta(labels),
        tokenizer,
        layers: layers.into_iter().collect(),
        head: Some(HeadMaster {
            input: hidden.out,
            weights: &head_w,
            bias: &head_b,
        }),
    };
    let bytes = encode(&model, key)?;
    Ok(Sample {
        bytes,
        reference: vec![None, Some(hidden.reference), Some(head.reference)],
    })
}

/// Table of [`tiny`]: 4 buckets × 2, rows `[10, 20] [30, −40] [0, 0] [−5, 7]`.
static TINY_TABLE: [u8; 8] = [10, 20, 30, (-40i8) as u8, 0, 0, (-5i8) as u8, 7];
/// Weights of [`tiny`]'s dense layer, `[2, 2]`: `[1, 2] [3, −1]`.
static TINY_WEIGHTS: [u8; 4] = [1, 2, 3, (-1i8) as u8];
/// Channel params of [`tiny`]: folded bias `[5, −7]`, both requant 0.5 (`2^30 · 2^0 / 2^31`).
static TINY_PARAMS: [u8; 24] = [
    5, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, //
    0xf9, 0xff, 0xff, 0xff, 0, 0, 0, 0x40, 0, 0, 0, 0,
];

/// A hand-checkable model: `EmbedBag(4×2, mean; scale 0.25, zp 2) → Dense(2→2; scale 0.5, zp 1)`,
/// labels `no`, `yes`; tokenizer 4 buckets, at most 8 tokens. The golden-bytes test and the
/// engine's exact int8 test use it.
pub fn tiny() -> Model<'static> {
    let layers: [Layer<&[u8]>; 2] = [
        Layer::EmbedBag {
            buckets: 4,
            dim: 2,
            pool: Pool::Mean,
            table: &TINY_TABLE,
            out: ActQuant {
                scale: 0.25,
                zero_point: 2,
            },
        },
        Layer::Dense {
            inputs: 2,
            outputs: 2,
            weights: &TINY_WEIGHTS,
            params: &TINY_PARAMS,
            out: ActQuant {
                scale: 0.5,
                zero_point: 1,
            },
            relu: false,
        },
    ];
    Model {
        meta: Metadata {
            labels: ["no", "yes"].into_iter().collect(),
            teacher: "t",
            dataset: "d",
            degree: 0.5,
            copies: 2,
            git_rev: "abc",
            board: "m4-1m",
            notes: "",
        },
        tokenizer: TokenizerConfig {
            buckets: 4,
            max_tokens: 8,
            features: 1,
            seed: 7,
        },
        layers: layers.into_iter().collect(),
        head: None,
    }
}

fn meta<'a>(labels: &[&'a str]) -> Metadata<'a> {
    Metadata {
        labels: labels.iter().copied().collect(),
        teacher: "sample-teacher",
        dataset: "sample",
        degree: 0.3,
        copies: 4,
        git_rev: "0000000",
        board: "m4-1m",
        notes: "generated by edgekd_shared::artifact::sample",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{decode, VerifyPolicy};

    #[test]
    fn samples_decode_and_are_deterministic() {
        for kind in [SampleKind::Bag, SampleKind::Conv] {
            let a = sample(kind, 7, None).unwrap();
            let b = sample(kind, 7, None).unwrap();
            assert_eq!(a.bytes, b.bytes);
            assert_ne!(a.bytes, sample(kind, 8, None).unwrap().bytes);
            let model = decode(&a.bytes, VerifyPolicy::AllowUnsigned).unwrap();
            assert_eq!(model.layers.len(), a.reference.len());
        }
    }

    #[test]
    fn the_default_student_has_the_hosts_shape() {
        let a = default_student(1, None).unwrap();
        assert!(
            (198_000..202_000).contains(&a.bytes.len()),
            "{}",
            a.bytes.len()
        );
        let model = decode(&a.bytes, VerifyPolicy::AllowUnsigned).unwrap();
        assert_eq!(model.tokenizer, default_student_tokenizer());
        assert_eq!(model.layers.len(), 3);
        assert!(model.head.is_some());
        assert_eq!(model.meta.labels.len(), 2);
    }
}
