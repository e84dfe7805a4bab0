//! Pinned tokenizer test vectors: input text, config, expected bucket ids.
//!
//! The expected ids were computed once on the host by this crate's tokenizer and pinned
//! (generator: `shared/tests/vector_gen.rs`, run with
//! `cargo test -p edgekd-shared --features std --test vector_gen -- --ignored`, which rewrites
//! the block between the GENERATED markers). The firmware runs [`check_all`] on the emulated
//! Cortex-M4 and must get the same ids bit for bit.

use super::{tokenize_bytes, TokenizerConfig};
use crate::error::{compare, MismatchDetail, VectorMismatch};

/// One pinned case.
#[derive(Clone, Copy, Debug)]
pub struct TokenizerVector {
    /// Short name.
    pub name: &'static str,
    /// Input bytes (UTF-8 except in the invalid-UTF-8 case).
    pub text: &'static [u8],
    /// Config.
    pub cfg: TokenizerConfig,
    /// Length of the output buffer given to the tokenizer (≤ [`MAX_OUT`]).
    pub out_len: usize,
    /// Expected ids.
    pub expected: &'static [u32],
    /// Expected truncation flag.
    pub truncated: bool,
}

/// Largest `out_len` of any case (the checker's buffer).
pub const MAX_OUT: usize = 64;

/// Configs used by the cases.
pub const CFG_WORDS: TokenizerConfig = TokenizerConfig {
    buckets: 4096,
    max_tokens: 64,
    features: TokenizerConfig::WORDS,
    seed: 0,
};
/// Words and bigrams, another seed and an odd bucket count.
pub const CFG_BIGRAMS: TokenizerConfig = TokenizerConfig {
    buckets: 1000,
    max_tokens: 64,
    features: TokenizerConfig::WORDS | TokenizerConfig::BIGRAMS,
    seed: 0x5EED,
};
/// Every feature kind.
pub const CFG_ALL: TokenizerConfig = TokenizerConfig {
    buckets: 65_536,
    max_tokens: 64,
    features: TokenizerConfig::ALL,
    seed: 42,
};
/// Words, at most 4 ids.
pub const CFG_SHORT: TokenizerConfig = TokenizerConfig {
    max_tokens: 4,
    ..CFG_WORDS
};

/// The inputs: (name, text, config, out_len). The generator tokenizes these.
pub const INPUTS: &[(&str, &[u8], TokenizerConfig, usize)] = &[
    ("ascii", b"The movie was great", CFG_WORDS, MAX_OUT),
    (
        "punctuation",
        b"Great!!! Really... great? (yes) a-b_c",
        CFG_WORDS,
        MAX_OUT,
    ),
    (
        "apostrophes",
        "Don't you DON\u{2019}T 'quote' dogs' rock'n'roll".as_bytes(),
        CFG_WORDS,
        MAX_OUT,
    ),
    (
        "accents",
        "Café CAFÉ naïve Zoë".as_bytes(),
        CFG_WORDS,
        MAX_OUT,
    ),
    ("eszett", "Straße STRASSE ẞ".as_bytes(), CFG_WORDS, MAX_OUT),
    (
        "greek",
        "ΣΟΦΙΑ σοφία Οδυσσεύς".as_bytes(),
        CFG_WORDS,
        MAX_OUT,
    ),
    (
        "cjk",
        "東京は晴れ。映画、最高！".as_bytes(),
        CFG_WORDS,
        MAX_OUT,
    ),
    (
        "emoji",
        "good👍movie 🎉🎉 fun".as_bytes(),
        CFG_WORDS,
        MAX_OUT,
    ),
    ("digits", b"10/10 would watch 2x", CFG_WORDS, MAX_OUT),
    ("empty", b"", CFG_WORDS, MAX_OUT),
    ("whitespace", b" \t\r\n  \x0b ", CFG_WORDS, MAX_OUT),
    ("bigrams", b"not good, not bad at all", CFG_BIGRAMS, MAX_OUT),
    (
        "all_features",
        "Don't stop, Zoë".as_bytes(),
        CFG_ALL,
        MAX_OUT,
    ),
    (
        "truncated_max_tokens",
        b"one two three four five six",
        CFG_SHORT,
        MAX_OUT,
    ),
    (
        "truncated_buffer",
        b"one two three four five six",
        CFG_WORDS,
        3,
    ),
    ("exactly_full", b"one two three four", CFG_SHORT, MAX_OUT),
    (
        "invalid_utf8",
        b"bad\xff\xfeutf8 \xc3( ok\xe2\x82",
        CFG_WORDS,
        MAX_OUT,
    ),
];

/// Runs every pinned case; returns how many passed (all of them) or the first mismatch.
pub fn check_all() -> Result<usize, VectorMismatch> {
    let mut out = [0u32; MAX_OUT];
    for v in CASES {
        let fail = |detail| VectorMismatch {
            suite: "tokenizer",
            case: v.name,
            detail,
        };
        let buf = out
            .get_mut(..v.out_len)
            .ok_or(fail(MismatchDetail::ScratchTooSmall))?;
        let t =
            tokenize_bytes(v.text, &v.cfg, buf).map_err(|e| fail(MismatchDetail::Tokenizer(e)))?;
        compare(
            "tokenizer",
            v.name,
            v.expected,
            buf.get(..t.len).unwrap_or(&[]),
        )?;
        if t.truncated != v.truncated {
            return Err(fail(MismatchDetail::Truncated {
                expected: v.truncated,
            }));
        }
    }
    Ok(CASES.len())
}

// BEGIN GENERATED (shared/tests/vector_gen.rs)
/// The pinned cases, in the order of [`INPUTS`].
pub const CASES: &[TokenizerVector] = &[
    TokenizerVector {
        name: "ascii",
        text: INPUTS[0].1,
        cfg: INPUTS[0].2,
        out_len: INPUTS[0].3,
        expected: &[2735, 3977, 766, 524],
        truncated: false,
    },
    TokenizerVector {
        name: "punctuation",
        text: INPUTS[1].1,
        cfg: INPUTS[1].2,
        out_len: INPUTS[1].3,
        expected: &[524, 3586, 524, 1921, 136, 464, 3483],
        truncated: false,
    },
    TokenizerVector {
        name: "apostrophes",
        text: INPUTS[2].1,
        cfg: INPUTS[2].2,
        out_len: INPUTS[2].3,
        expected: &[1015, 266, 1015, 1402, 3715, 3676],
        truncated: false,
    },
    TokenizerVector {
        name: "accents",
        text: INPUTS[3].1,
        cfg: INPUTS[3].2,
        out_len: INPUTS[3].3,
        expected: &[2721, 2721, 1922, 1144],
        truncated: false,
    },
    TokenizerVector {
        name: "eszett",
        text: INPUTS[4].1,
        cfg: INPUTS[4].2,
        out_len: INPUTS[4].3,
        expected: &[3554, 2851, 2100],
        truncated: false,
    },
    TokenizerVector {
        name: "greek",
        text: INPUTS[5].1,
        cfg: INPUTS[5].2,
        out_len: INPUTS[5].3,
        expected: &[3420, 2928, 1785],
        truncated: false,
    },
    TokenizerVector {
        name: "cjk",
        text: INPUTS[6].1,
        cfg: INPUTS[6].2,
        out_len: INPUTS[6].3,
        expected: &[737, 3316, 3184],
        truncated: false,
    },
    TokenizerVector {
        name: "emoji",
        text: INPUTS[7].1,
        cfg: INPUTS[7].2,
        out_len: INPUTS[7].3,
        expected: &[4002, 3977, 2569],
        truncated: false,
    },
    TokenizerVector {
        name: "digits",
        text: INPUTS[8].1,
        cfg: INPUTS[8].2,
        out_len: INPUTS[8].3,
        expected: &[2401, 2401, 3482, 3574, 3937],
        truncated: false,
    },
    TokenizerVector {
        name: "empty",
        text: INPUTS[9].1,
        cfg: INPUTS[9].2,
        out_len: INPUTS[9].3,
        expected: &[],
        truncated: false,
    },
    TokenizerVector {
        name: "whitespace",
        text: INPUTS[10].1,
        cfg: INPUTS[10].2,
        out_len: INPUTS[10].3,
        expected: &[],
        truncated: false,
    },
    TokenizerVector {
        name: "bigrams",
        text: INPUTS[11].1,
        cfg: INPUTS[11].2,
        out_len: INPUTS[11].3,
        expected: &[773, 99, 889, 773, 510, 283, 321, 569, 713, 682, 777],
        truncated: false,
    },
    TokenizerVector {
        name: "all_features",
        text: INPUTS[12].1,
        cfg: INPUTS[12].2,
        out_len: INPUTS[12].3,
        expected: &[
            40104, 11470, 34497, 46429, 44174, 62957, 33345, 22533, 44532, 1622, 39276, 32756,
            8763, 21491, 37728, 1469, 27799,
        ],
        truncated: false,
    },
    TokenizerVector {
        name: "truncated_max_tokens",
        text: INPUTS[13].1,
        cfg: INPUTS[13].2,
        out_len: INPUTS[13].3,
        expected: &[3423, 1226, 1049, 2365],
        truncated: true,
    },
    TokenizerVector {
        name: "truncated_buffer",
        text: INPUTS[14].1,
        cfg: INPUTS[14].2,
        out_len: INPUTS[14].3,
        expected: &[3423, 1226, 1049],
        truncated: true,
    },
    TokenizerVector {
        name: "exactly_full",
        text: INPUTS[15].1,
        cfg: INPUTS[15].2,
        out_len: INPUTS[15].3,
        expected: &[3423, 1226, 1049, 2365],
        truncated: false,
    },
    TokenizerVector {
        name: "invalid_utf8",
        text: INPUTS[16].1,
        cfg: INPUTS[16].2,
        out_len: INPUTS[16].3,
        expected: &[2442, 1188, 1627],
        truncated: false,
    },
];
// END GENERATED

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pinned_vector_passes() {
        assert_eq!(check_all(), Ok(INPUTS.len()));
    }

    #[test]
    fn cases_follow_inputs() {
        assert_eq!(CASES.len(), INPUTS.len());
        for (c, (name, text, cfg, out_len)) in CASES.iter().zip(INPUTS) {
            assert_eq!(
                (c.name, c.text, c.cfg, c.out_len),
                (*name, *text, *cfg, *out_len)
            );
        }
    }
}
