//! Property tests of the hashed tokenizer: never panics, ids in range, truncation is exact,
//! ASCII case does not matter, separators do not matter.

use edgekd_shared::tokenizer::{tokenize, tokenize_bytes, Tokenized, TokenizerConfig};
use proptest::prelude::*;

fn config() -> impl Strategy<Value = TokenizerConfig> {
    (
        1u32..100_000,
        1u16..300,
        1u8..=TokenizerConfig::ALL,
        any::<u32>(),
    )
        .prop_map(|(buckets, max_tokens, features, seed)| TokenizerConfig {
            buckets,
            max_tokens,
            features,
            seed,
        })
}

fn all_ids(text: &str, cfg: &TokenizerConfig) -> Vec<u32> {
    let big = TokenizerConfig {
        max_tokens: u16::MAX,
        ..*cfg
    };
    let mut out = vec![0u32; 1 << 16];
    let t = tokenize(text, &big, &mut out).unwrap();
    assert!(!t.truncated);
    out.truncate(t.len);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), cfg in config(), cap in 0usize..64) {
        let mut out = vec![0u32; cap];
        let t = tokenize_bytes(&bytes, &cfg, &mut out).unwrap();
        prop_assert!(t.len <= cap.min(usize::from(cfg.max_tokens)));
        prop_assert!(out[..t.len].iter().all(|&id| id < cfg.buckets));
    }

    #[test]
    fn truncation_is_a_prefix(text in "\\PC{0,80}", cfg in config(), cap in 0usize..40) {
        let full = all_ids(&text, &cfg);
        let mut out = vec![0u32; cap];
        let t = tokenize(&text, &cfg, &mut out).unwrap();
        let limit = cap.min(usize::from(cfg.max_tokens));
        prop_assert_eq!(t, Tokenized { len: full.len().min(limit), truncated: full.len() > limit });
        prop_assert_eq!(&out[..t.len], &full[..t.len]);
    }

    #[test]
    fn ascii_case_is_ignored(text in "[a-zA-Z0-9 ,.'!?-]{0,60}", cfg in config()) {
        prop_assert_eq!(all_ids(&text, &cfg), all_ids(&text.to_ascii_uppercase(), &cfg));
    }

    #[test]
    fn separators_are_interchangeable(words in prop::collection::vec("[a-z]{1,8}", 0..12), cfg in config()) {
        let spaced = words.join(" ");
        let punctuated = words.join(" ,;\t(-) ");
        prop_assert_eq!(all_ids(&spaced, &cfg), all_ids(&punctuated, &cfg));
    }

    #[test]
    fn str_and_bytes_agree(text in "\\PC{0,80}", cfg in config()) {
        let mut a = vec![0u32; 300];
        let mut b = vec![0u32; 300];
        let ta = tokenize(&text, &cfg, &mut a).unwrap();
        let tb = tokenize_bytes(text.as_bytes(), &cfg, &mut b).unwrap();
        prop_assert_eq!(ta, tb);
        prop_assert_eq!(&a[..ta.len], &b[..tb.len]);
    }
}

#[test]
fn t1_lone_apostrophes_and_marks() {
    let cfg = TokenizerConfig {
        features: TokenizerConfig::ALL,
        ..TokenizerConfig::DEFAULT
    };
    assert!(all_ids("' '' ’ \u{301}", &cfg).is_empty());
    assert_eq!(all_ids("it's", &cfg), all_ids("IT’S", &cfg));
}
