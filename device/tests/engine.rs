//! The engine against hand-computed int8 outputs (exact) and an f64 reference (within a stated
//! tolerance), plus its error paths.

use edgekd_device::engine::{arena_size, infer, run, run_tokens, EngineError, Input};
use edgekd_shared::artifact::sample::{sample, tiny, RefParams, Sample, SampleKind};
use edgekd_shared::artifact::{as_i8, decode, encode, Layer, Model, VerifyPolicy};
use edgekd_shared::kernels::{KernelError, Pool};
use edgekd_shared::tokenizer::tokenize;

fn arena_for(model: &Model<'_>) -> Vec<u8> {
    vec![0u8; arena_size(model).unwrap()]
}

/// `tiny()`: EmbedBag(4×2, mean; zp 2) → Dense([1, 2] [3, −1], folded bias [5, −7], ×0.5, zp 1).
/// Each expected value is worked out by hand in the comment beside it.
#[test]
fn tiny_model_matches_hand_computed_int8() {
    let bytes = encode(&tiny(), None).unwrap();
    let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
    let mut arena = arena_for(&model);
    let cases: [(&[u32], [i8; 2], usize); 4] = [
        // x = mean([10,20],[30,−40]) = [20, −10]; acc = [5+20−20, −7+60+10] = [5, 63];
        // ×0.5 → [2.5, 31.5] → round half away [3, 32]; + zp 1 → [4, 33].
        (&[0, 1], [4, 33], 1),
        // no tokens → x = [2, 2] (the zero point); acc = [5+2+4, −7+6−2] = [11, −3] → [6, −2] + 1.
        (&[], [7, -1], 0),
        // x = [−5, 7]; acc = [5−5+14, −7−15−7] = [14, −29] → [7, −15] (−14.5 away) + 1.
        (&[3], [8, -14], 0),
        // x = [round(35/3), round(−13/3)] = [12, −4]; acc = [5+12−8, −7+36+4] = [9, 33] → [5, 17] + 1.
        (&[0, 1, 3], [6, 18], 1),
    ];
    for (tokens, logits, label) in cases {
        let p = run_tokens(&model, tokens, &mut arena).unwrap();
        assert_eq!(p.logits.as_slice(), &logits, "tokens {tokens:?}");
        assert_eq!(p.label, label, "tokens {tokens:?}");
        let real = p.dequantize();
        assert_eq!(real[0], 0.5 * f32::from(logits[0] - 1));
    }
}

/// Real-valued forward pass of a sample model: dequantized weights, real biases, no
/// intermediate rounding or clamping.
fn reference(model: &Model<'_>, refs: &[Option<RefParams>], tokens: &[u32]) -> Vec<f64> {
    enum Act {
        Seq(Vec<Vec<f64>>),
        Vec(Vec<f64>),
    }
    let mut act = Act::Vec(vec![]);
    for (i, layer) in model.layers.iter().enumerate() {
        act = match (layer, &act) {
            (
                Layer::EmbedBag {
                    dim, table, out, ..
                }
                | Layer::Embed {
                    dim, table, out, ..
                },
                _,
            ) if i == 0 => {
                let (dim, table, out) = (usize::from(*dim), *table, *out);
                let rows: Vec<Vec<f64>> = tokens
                    .iter()
                    .map(|&t| {
                        let row = &as_i8(table)[t as usize * dim..(t as usize + 1) * dim];
                        row.iter().map(|&q| f64::from(out.dequantize(q))).collect()
                    })
                    .collect();
                match layer {
                    Layer::EmbedBag { pool, .. } => Act::Vec(pool_rows(&rows, dim, *pool)),
                    _ => Act::Seq(rows),
                }
            }
            (
                Layer::Conv1d {
                    in_ch,
                    out_ch,
                    kernel,
                    pad,
                    relu,
                    ..
                },
                Act::Seq(x),
            ) => {
                let p = refs[i].as_ref().unwrap();
                let (in_ch, out_ch, k, pad) = (
                    *in_ch as usize,
                    *out_ch as usize,
                    *kernel as usize,
                    *pad as usize,
                );
                let out_len = (x.len() + 2 * pad + 1).saturating_sub(k);
                let y = (0..out_len)
                    .map(|t| {
                        (0..out_ch)
                            .map(|c| {
                                let mut s = p.bias[c];
                                for j in 0..k {
                                    let pos = t + j;
                                    if pos < pad || pos - pad >= x.len() {
                                        continue; // padding is real 0
                                    }
                                    let w =
                                        &p.weights[(c * k + j) * in_ch..(c * k + j + 1) * in_ch];
                                    s += w
                                        .iter()
                                        .zip(&x[pos - pad])
                                        .map(|(w, x)| w * x)
                                        .sum::<f64>();
                                }
                                if *relu {
                                    s.max(0.0)
                                } else {
                                    s
                                }
                            })
                            .collect()
                    })
                    .collect();
                Act::Seq(y)
            }
            (Layer::GlobalPool { pool }, Act::Seq(x)) => {
                let width = x
                    .first()
                    .map(Vec::len)
                    .unwrap_or_else(|| width_of(model, i - 1));
                Act::Vec(pool_rows(x, width, *pool))
            }
            (
                Layer::Dense {
                    inputs,
                    outputs,
                    relu,
                    ..
                },
                Act::Vec(x),
            ) => {
                let p = refs[i].as_ref().unwrap();
                let (n_in, n_out) = (*inputs as usize, *outputs as usize);
                Act::Vec(
                    (0..n_out)
                        .map(|c| {
                            let s = p.bias[c]
                                + (0..n_in)
                                    .map(|k| p.weights[c * n_in + k] * x[k])
                                    .sum::<f64>();
                            if *relu {
                                s.max(0.0)
                            } else {
                                s
                            }
                        })
                        .collect(),
                )
            }
            _ => panic!("sample models chain correctly"),
        };
    }
    match act {
        Act::Vec(v) => v,
        Act::Seq(_) => panic!("logits are a vector"),
    }
}

fn width_of(model: &Model<'_>, i: usize) -> usize {
    match model.layers[i] {
        Layer::Conv1d { out_ch, .. } => usize::from(out_ch),
        Layer::Embed { dim, .. } => usize::from(dim),
        _ => unreachable!("sequence producers"),
    }
}

fn pool_rows(rows: &[Vec<f64>], dim: usize, pool: Pool) -> Vec<f64> {
    if rows.is_empty() {
        return vec![0.0; dim];
    }
    (0..dim)
        .map(|d| match pool {
            Pool::Mean => rows.iter().map(|r| r[d]).sum::<f64>() / rows.len() as f64,
            Pool::Max => rows.iter().map(|r| r[d]).fold(f64::NEG_INFINITY, f64::max),
        })
        .collect()
}

/// Deterministic token lists of every length 0..=16 with ids < 64.
fn token_lists(seed: u64) -> Vec<Vec<u32>> {
    let mut s = seed;
    (0..=16)
        .map(|len| {
            (0..len)
                .map(|_| {
                    s = s
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((s >> 33) % 64) as u32
                })
                .collect()
        })
        .collect()
}

/// Tolerance: 2 steps of the output scale. Every output scale of a sample is its layer's
/// worst-case bound (no clamping), so the int8 path differs from the real one only by
/// rounding: ≤ 0.5 step per rounding, about one step propagated from the layer before, and
/// each layer's input error shrinks relative to its output range — 2 steps covers it.
const TOLERANCE_STEPS: f64 = 2.0;

#[test]
fn samples_match_an_f64_reference() {
    let mut worst: f64 = 0.0;
    for kind in [SampleKind::Bag, SampleKind::Conv] {
        for seed in 0..8 {
            let Sample {
                bytes,
                reference: refs,
            } = sample(kind, seed, None).unwrap();
            let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
            let mut arena = arena_for(&model);
            for tokens in token_lists(seed) {
                let p = run_tokens(&model, &tokens, &mut arena).unwrap();
                let want = reference(&model, &refs, &tokens);
                let got = p.dequantize();
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    let steps = (f64::from(*g) - w).abs() / f64::from(p.quant.scale);
                    worst = worst.max(steps);
                    assert!(
                        steps <= TOLERANCE_STEPS,
                        "{kind:?} seed {seed} tokens {tokens:?}: {g} vs {w}"
                    );
                }
            }
        }
    }
    println!("worst deviation from the f64 reference: {worst:.3} output steps");
}

#[test]
fn text_runs_like_its_tokens_and_gives_the_head_input() {
    let Sample { bytes, .. } = sample(SampleKind::Bag, 1, None).unwrap();
    let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
    let mut arena = arena_for(&model);
    let text = "A gripping, funny film; the cast is superb and the ending lands.";
    let mut tokens = [0u32; 16];
    let n = tokenize(text, &model.tokenizer, &mut tokens).unwrap().len;
    assert!(n > 0);
    let by_text = run(&model, text, &mut arena).unwrap();
    let by_tokens = run_tokens(&model, &tokens[..n], &mut arena).unwrap();
    assert_eq!(by_text, by_tokens);
    let inference = infer(&model, Input::Text(text), &mut arena).unwrap();
    assert_eq!(inference.prediction, by_text);
    assert_eq!(
        inference.head_input.len(),
        12,
        "hidden width of the Bag sample"
    );
    assert_eq!(
        inference.head_input_quant,
        model.head.as_ref().map(|h| h.input)
    );
    // ReLU output: nothing below the zero point.
    let zp = inference.head_input_quant.unwrap().zero_point;
    assert!(inference.head_input.iter().all(|&v| v >= zp));
}

#[test]
fn arena_errors_instead_of_panicking() {
    for kind in [SampleKind::Bag, SampleKind::Conv] {
        let Sample { bytes, .. } = sample(kind, 2, None).unwrap();
        let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
        let need = arena_size(&model).unwrap();
        let mut backing = vec![0u8; need + 4];
        let bytes = backing.as_mut_slice();
        for offset in 0..4 {
            // At every alignment, `need` bytes suffice and `need - 3 - 1` never do.
            let full = &mut bytes[offset..offset + need];
            assert!(
                run_tokens(&model, &[1, 2, 3], full).is_ok(),
                "{kind:?} offset {offset}"
            );
        }
        for len in 0..need - 3 {
            let short = &mut bytes[..len];
            assert!(
                matches!(
                    run_tokens(&model, &[1, 2, 3], short),
                    Err(EngineError::ArenaTooSmall { .. })
                ),
                "{kind:?} arena of {len} bytes"
            );
        }
    }
}

#[test]
fn bad_tokens_are_errors() {
    let model = tiny();
    let mut arena = arena_for(&model);
    assert_eq!(
        run_tokens(&model, &[0; 9], &mut arena),
        Err(EngineError::TooManyTokens { count: 9, max: 8 })
    );
    assert_eq!(
        run_tokens(&model, &[0, 4], &mut arena),
        Err(EngineError::Kernel {
            layer: 0,
            error: KernelError::TokenOutOfRange {
                position: 1,
                token: 4,
                buckets: 4
            }
        })
    );
}
