//! Per-example test outcomes of a cell: which test examples its student got right, so that two cells
//! tested on the same split can be compared example by example (a paired comparison).
//!
//! Stored in a result line as
//!
//! ```json
//! "test_outcomes": {"examples": 2562, "split": "9f…(24 hex digits)", "correct": "b7e1…"}
//! ```
//!
//! - `examples`: test examples, in the test split's order;
//! - `split`: the first 12 bytes of SHA-256 over the test split (each text's byte length, its bytes,
//!   its label), as hex: two cells are paired per example only when their `split` is the same;
//! - `correct`: a bitset as lower-case hex, two digits a byte: test example `i` is bit `i % 8`
//!   (least significant first) of byte `i / 8`, set when the student's predicted class was the gold
//!   label. `⌈examples / 8⌉` bytes; the padding bits of the last byte are 0.
//!
//! The predicted classes themselves are not kept (a multi-class confusion cannot be recomputed from
//! this); accuracy and any paired difference of accuracies can.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::data::Dataset;

/// Why stored outcomes cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutcomesError {
    /// `correct` has a character that is not a hex digit, or an odd number of them.
    #[error("test outcomes of split {split}: `correct` is not hex at character {at}")]
    NotHex {
        /// The split digest of the outcomes.
        split: String,
        /// 0-based character position.
        at: usize,
    },
    /// `correct` holds a different number of bytes than `examples` needs.
    #[error("test outcomes of split {split}: {examples} examples need {expected} bytes, `correct` holds {found}")]
    Length {
        /// The split digest of the outcomes.
        split: String,
        /// Test examples.
        examples: usize,
        /// Bytes `examples` needs.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
}

/// Which test examples one cell's student predicted right (see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcomes {
    /// Test examples.
    pub examples: usize,
    /// Digest of the test split (24 hex digits).
    pub split: String,
    /// Bitset of right predictions, hex.
    pub correct: String,
}

/// The digest that names a test split: 12 bytes of SHA-256 over its texts and labels, as hex.
pub fn split_digest(test: &Dataset) -> String {
    let mut h = Sha256::new();
    for e in &test.examples {
        h.update((e.text.len() as u64).to_le_bytes());
        h.update(&e.text);
        h.update((e.label as u64).to_le_bytes());
    }
    edgekd_shared::hex::hex(&h.finalize()[..12])
}

impl TestOutcomes {
    /// The outcomes of `predicted` against `gold` (same length, test split order) on the split named
    /// `split` ([`split_digest`]).
    pub fn new(split: String, gold: &[usize], predicted: &[usize]) -> TestOutcomes {
        let n = gold.len().min(predicted.len());
        let mut bytes = vec![0u8; n.div_ceil(8)];
        for (i, (g, p)) in gold.iter().zip(predicted).enumerate() {
            if g == p {
                bytes[i / 8] |= 1 << (i % 8);
            }
        }
        TestOutcomes {
            examples: n,
            split,
            correct: edgekd_shared::hex::hex(&bytes),
        }
    }

    /// The bitset as 64-bit words: example `i` is bit `i % 64` of word `i / 64`.
    pub fn words(&self) -> Result<Vec<u64>, OutcomesError> {
        let digits = self.correct.as_bytes();
        let not_hex = |at| OutcomesError::NotHex {
            split: self.split.clone(),
            at,
        };
        if digits.len() % 2 == 1 {
            return Err(not_hex(digits.len()));
        }
        let expected = self.examples.div_ceil(8);
        if digits.len() / 2 != expected {
            return Err(OutcomesError::Length {
                split: self.split.clone(),
                examples: self.examples,
                expected,
                found: digits.len() / 2,
            });
        }
        let mut words = vec![0u64; self.examples.div_ceil(64)];
        for (b, pair) in digits.chunks_exact(2).enumerate() {
            let hi = edgekd_shared::hex::digit(pair[0]).ok_or_else(|| not_hex(2 * b))?;
            let lo = edgekd_shared::hex::digit(pair[1]).ok_or_else(|| not_hex(2 * b + 1))?;
            words[b / 8] |= u64::from((hi << 4) | lo) << (8 * (b % 8));
        }
        Ok(words)
    }

    /// Fraction of test examples predicted right, in `[0, 1]` (0 for an empty split).
    pub fn accuracy(&self) -> Result<f64, OutcomesError> {
        let right: u32 = self.words()?.iter().map(|w| w.count_ones()).sum();
        Ok(f64::from(right) / self.examples.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Example;

    #[test]
    fn bit_i_is_example_i_least_significant_first() {
        // Right: examples 0, 2, 8 and 9 of 10.
        let gold = [1, 0, 1, 1, 0, 0, 0, 0, 1, 0];
        let pred = [1, 1, 1, 0, 1, 1, 1, 1, 1, 0];
        let o = TestOutcomes::new("s".into(), &gold, &pred);
        assert_eq!(o.correct, "0503");
        assert_eq!(o.words().unwrap(), vec![0b11_0000_0101]);
        assert!((o.accuracy().unwrap() - 0.4).abs() < 1e-12);
        let back: TestOutcomes = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn words_past_64_examples_and_bad_text_are_reported() {
        let gold = vec![0usize; 70];
        let o = TestOutcomes::new("s".into(), &gold, &gold);
        assert_eq!(o.words().unwrap(), vec![u64::MAX, 0b11_1111]);
        let short = TestOutcomes {
            correct: "ff".into(),
            ..o.clone()
        };
        assert!(matches!(
            short.words(),
            Err(OutcomesError::Length {
                expected: 9,
                found: 1,
                ..
            })
        ));
        let bad = TestOutcomes {
            examples: 8,
            correct: "fg".into(),
            ..o
        };
        assert_eq!(
            bad.words(),
            Err(OutcomesError::NotHex {
                split: "s".into(),
                at: 1
            })
        );
    }

    #[test]
    fn the_split_digest_names_texts_labels_and_order() {
        let ds = |pairs: &[(&str, usize)]| Dataset {
            name: "t".into(),
            labels: vec!["a".into(), "b".into()],
            examples: pairs
                .iter()
                .map(|&(text, label)| Example {
                    text: text.into(),
                    label,
                })
                .collect(),
        };
        let a = split_digest(&ds(&[("x", 0), ("y", 1)]));
        assert_eq!(a.len(), 24);
        assert_eq!(a, split_digest(&ds(&[("x", 0), ("y", 1)])));
        assert_ne!(a, split_digest(&ds(&[("y", 1), ("x", 0)])));
        assert_ne!(a, split_digest(&ds(&[("x", 0), ("y", 0)])));
    }
}
