//! A deterministic, always-on slice of what the `body_infer` fuzz target checks: every
//! single-byte mutation of a valid model body, sealed with a correct header and CRC, is either
//! refused by `decode` or runs on the engine without error.

use edgekd_device::engine::{arena_size, run, run_tokens};
use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{decode, parse_container, seal, VerifyPolicy};

#[test]
fn every_body_byte_mutation_is_refused_or_runs() {
    for kind in [SampleKind::Bag, SampleKind::Conv] {
        let bytes = sample(kind, 11, None).unwrap().bytes;
        let body = parse_container(&bytes).unwrap().body.to_vec();
        let (mut refused, mut ran) = (0usize, 0usize);
        for pos in 0..body.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut mutated = body.clone();
                mutated[pos] ^= mask;
                let artifact = seal(&mutated, None).unwrap();
                let Ok(model) = decode(&artifact, VerifyPolicy::AllowUnsigned) else {
                    refused += 1;
                    continue;
                };
                let mut arena = vec![0u8; arena_size(&model).unwrap()];
                let p = run(&model, "a gripping, funny film", &mut arena)
                    .unwrap_or_else(|e| panic!("{kind:?} pos {pos} mask {mask:#x}: {e}"));
                assert!(p.label < model.meta.labels.len());
                run_tokens(&model, &[0, 63, 5], &mut arena)
                    .unwrap_or_else(|e| panic!("{kind:?} pos {pos} mask {mask:#x}: {e}"));
                ran += 1;
            }
        }
        assert!(
            refused > 0 && ran > 0,
            "{kind:?}: {refused} refused, {ran} ran"
        );
    }
}
