//! What both fuzz targets do with an artifact: decode it, and when it is valid, size the arena
//! and run inference on a few texts and token lists, checking the engine's invariants.
//!
//! Invariant checked (a panic here is a finding): a model that `decode` accepts and whose
//! `arena_size` fits never makes the engine fail on text or on in-range tokens, at any arena
//! alignment, and its prediction is one of its labels.

use edgekd_device::engine::{arena_size, infer, run, run_tokens, Input};
use edgekd_shared::artifact::{decode, decode_trusted, seal, Layer, VerifyPolicy};

/// Largest arena the fuzzer runs (bigger models are decoded but not run).
pub const ARENA: usize = 64 * 1024;

const TEXTS: [&str; 4] = [
    "",
    "A gripping, funny film: the cast is superb and the ending lands.",
    "no",
    "ÉTÉ d'été  ... l'été!!! 123 don't-stop ünïcödé 🙂 words words words words words words words",
];

/// Decodes `bytes` as a whole artifact and, if valid, runs it.
pub fn exercise_artifact(bytes: &[u8]) {
    let Ok(model) = decode(bytes, VerifyPolicy::AllowUnsigned) else {
        return;
    };
    assert_eq!(
        decode_trusted(bytes).as_ref(),
        Ok(&model),
        "trusted decode disagrees"
    );
    let need = arena_size(&model).expect("a decoded model always sizes its arena");
    if need > ARENA {
        return;
    }
    let mut arena = vec![0u8; ARENA + 4];
    let labels = model.meta.labels.len();
    for (i, text) in TEXTS.iter().enumerate() {
        let offset = i % 4;
        let p =
            run(&model, text, &mut arena[offset..offset + need]).expect("valid model runs on text");
        assert!(p.label < labels);
        assert_eq!(p.logits.len(), labels);
    }
    let buckets = model.tokenizer.buckets;
    let max = usize::from(model.tokenizer.max_tokens);
    let tokens: Vec<u32> = (0..max as u32)
        .map(|i| i.wrapping_mul(2_654_435_761) % buckets)
        .collect();
    for n in [0, 1, max] {
        run_tokens(&model, &tokens[..n], &mut arena[..need]).expect("valid model runs on tokens");
    }
    let inference = infer(&model, Input::Tokens(&tokens), &mut arena[..need]).expect("infer");
    if let Some(Layer::Dense { inputs, .. }) = model.layers.last() {
        assert_eq!(inference.head_input.len(), usize::from(*inputs));
    }
    // Four bytes short is too small at every alignment (the size includes 3 bytes of padding).
    let short = need.saturating_sub(4);
    assert!(
        run(&model, TEXTS[1], &mut arena[..short]).is_err(),
        "arena of {short} < {need} accepted"
    );
}

/// Seals `body` in a correct unsigned container and exercises it.
pub fn exercise_body(body: &[u8]) {
    if let Ok(bytes) = seal(body, None) {
        exercise_artifact(&bytes);
    }
}
