//! Host-side helpers (std feature) over the same normalizer the device runs.

use super::normalize::{for_each_event, Event};

/// The normalized words of `text`, in order: exactly the strings whose hashes the tokenizer
/// uses (lowercased, inner apostrophes as `'`). For augmentation and debugging.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for_each_event(text, |e| {
        match e {
            Event::Char(c) => cur.push(c),
            Event::End => out.push(core::mem::take(&mut cur)),
        }
        true
    });
    out
}

/// Tokenizes `text` into a new vector of at most `cfg.max_tokens` bucket ids.
pub fn tokenize_to_vec(
    text: &str,
    cfg: &super::TokenizerConfig,
) -> Result<(Vec<u32>, bool), super::TokenizerError> {
    let mut out = vec![0u32; usize::from(cfg.max_tokens)];
    let t = super::tokenize(text, cfg, &mut out)?;
    out.truncate(t.len);
    Ok((out, t.truncated))
}

#[cfg(test)]
mod tests {
    use super::super::{hash, TokenizerConfig};
    use super::*;

    #[test]
    fn words_are_normalized() {
        assert_eq!(words("Don’t PANIC, Zoë!"), ["don't", "panic", "zoë"]);
        assert!(words(" ... ").is_empty());
    }

    #[test]
    fn unigram_ids_are_hashes_of_words() {
        let cfg = TokenizerConfig {
            buckets: 1000,
            max_tokens: 16,
            features: TokenizerConfig::WORDS,
            seed: 7,
        };
        let (ids, truncated) = tokenize_to_vec("Hello hello, WORLD", &cfg).unwrap();
        assert!(!truncated);
        let expect: Vec<u32> = words("Hello hello, WORLD")
            .iter()
            .map(|w| {
                let hw = hash::fnv1a(hash::FNV_OFFSET, w.as_bytes());
                let h = hash::fnv1a(hash::start(hash::TAG_WORD, 7), &hw.to_le_bytes());
                hash::reduce(hash::fmix32(h), 1000)
            })
            .collect();
        assert_eq!(ids, expect);
        assert_eq!(ids[0], ids[1]);
    }
}
