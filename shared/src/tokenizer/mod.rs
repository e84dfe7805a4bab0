//! Hashed-token tokenizer: no vocabulary table, the same code on host and device.
//!
//! A text is split into normalized words ([`normalize`] rules: Unicode lowercase, words are
//! maximal runs of alphanumeric characters with inner apostrophes kept), and each word yields
//! features selected by [`TokenizerConfig::features`]:
//! - [`TokenizerConfig::WORDS`]: the word itself (unigram);
//! - [`TokenizerConfig::BIGRAMS`]: the pair (previous word, this word), from the second word on;
//! - [`TokenizerConfig::CHAR_TRIGRAMS`]: every window of 3 chars of `'<' word '>'` (a word of
//!   n chars gives n trigrams).
//!
//! Each feature is hashed (seeded, tagged FNV-1a-32 + fmix32, see [`hash`]) into a bucket id
//! in `[0, buckets)`. Emission order, word by word: the word's trigrams left to right, then
//! its unigram, then its bigram with the previous word. Output stops at
//! `min(out.len(), max_tokens)` ids; `truncated` says whether any feature was left out.

mod error;
pub mod hash;
#[cfg(feature = "std")]
mod host;
pub mod normalize;
pub mod vectors;

pub use error::TokenizerError;
#[cfg(feature = "std")]
pub use host::{tokenize_to_vec, words};

use hash::{
    fmix32, fnv1a, fnv1a_char, reduce, start, FNV_OFFSET, TAG_BIGRAM, TAG_TRIGRAM, TAG_WORD,
};
use normalize::Event;

/// Tokenizer settings; stored in the model artifact so that host and device agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenizerConfig {
    /// Number of hash buckets (rows of the embedding table), ≥ 1.
    pub buckets: u32,
    /// Most bucket ids per text, ≥ 1.
    pub max_tokens: u16,
    /// Feature kinds, an OR of [`Self::WORDS`], [`Self::BIGRAMS`], [`Self::CHAR_TRIGRAMS`].
    pub features: u8,
    /// Hash seed: a different seed gives an independent bucket assignment.
    pub seed: u32,
}

impl TokenizerConfig {
    /// Word unigrams.
    pub const WORDS: u8 = 1;
    /// Word bigrams (previous word, word).
    pub const BIGRAMS: u8 = 2;
    /// Character trigrams of `'<' word '>'`.
    pub const CHAR_TRIGRAMS: u8 = 4;
    /// Every known feature bit.
    pub const ALL: u8 = Self::WORDS | Self::BIGRAMS | Self::CHAR_TRIGRAMS;

    /// A reasonable starting point: 4096 buckets, 128 tokens, words and bigrams, seed 0.
    pub const DEFAULT: Self = Self {
        buckets: 4096,
        max_tokens: 128,
        features: Self::WORDS | Self::BIGRAMS,
        seed: 0,
    };

    /// Checks `buckets ≥ 1`, `max_tokens ≥ 1` and `features` (non-empty, only known bits).
    pub fn validate(&self) -> Result<(), TokenizerError> {
        if self.buckets == 0 {
            return Err(TokenizerError::ZeroBuckets);
        }
        if self.max_tokens == 0 {
            return Err(TokenizerError::ZeroMaxTokens);
        }
        if self.features & !Self::ALL != 0 {
            return Err(TokenizerError::UnknownFeatures {
                bits: self.features & !Self::ALL,
            });
        }
        if self.features == 0 {
            return Err(TokenizerError::NoFeatures);
        }
        Ok(())
    }

    fn has(&self, bit: u8) -> bool {
        self.features & bit != 0
    }
}

impl Default for TokenizerConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How many ids [`tokenize`] wrote, and whether features were left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tokenized {
    /// Ids written to `out[..len]`.
    pub len: usize,
    /// True when the text had more features than `min(out.len(), max_tokens)`.
    pub truncated: bool,
}

/// Writes the bucket ids of `text` into `out[..n]`; stops at `min(out.len(), max_tokens)`
/// and reports truncation. Errors only for an invalid `cfg`.
pub fn tokenize(
    text: &str,
    cfg: &TokenizerConfig,
    out: &mut [u32],
) -> Result<Tokenized, TokenizerError> {
    cfg.validate()?;
    let mut f = Featurizer::new(cfg, out);
    normalize::for_each_event(text, |e| f.on_event(e));
    Ok(f.result())
}

/// [`tokenize`] for bytes that may not be valid UTF-8 (e.g. straight from the wire): every
/// maximal invalid sequence separates words like a space. Never panics.
pub fn tokenize_bytes(
    text: &[u8],
    cfg: &TokenizerConfig,
    out: &mut [u32],
) -> Result<Tokenized, TokenizerError> {
    cfg.validate()?;
    let mut f = Featurizer::new(cfg, out);
    normalize::for_each_event_bytes(text, |e| f.on_event(e));
    Ok(f.result())
}

/// Streaming feature hasher: consumes normalizer events, writes bucket ids.
struct Featurizer<'a> {
    cfg: TokenizerConfig,
    out: &'a mut [u32],
    cap: usize,
    len: usize,
    truncated: bool,
    /// FNV-1a of the current word so far.
    word: u32,
    in_word: bool,
    /// Word hash of the previous word (for bigrams).
    prev: Option<u32>,
    /// The last two chars of `'<' word` so far, and how many of them are valid.
    tail: [char; 2],
    tail_len: u8,
}

impl<'a> Featurizer<'a> {
    fn new(cfg: &TokenizerConfig, out: &'a mut [u32]) -> Self {
        let cap = out.len().min(usize::from(cfg.max_tokens));
        Self {
            cfg: *cfg,
            out,
            cap,
            len: 0,
            truncated: false,
            word: FNV_OFFSET,
            in_word: false,
            prev: None,
            tail: ['\0'; 2],
            tail_len: 0,
        }
    }

    fn result(&self) -> Tokenized {
        Tokenized {
            len: self.len,
            truncated: self.truncated,
        }
    }

    /// Emits the bucket of feature hash state `h`; false (and `truncated`) when full.
    fn push(&mut self, h: u32) -> bool {
        if self.len >= self.cap {
            self.truncated = true;
            return false;
        }
        match self.out.get_mut(self.len) {
            Some(slot) => {
                *slot = reduce(fmix32(h), self.cfg.buckets);
                self.len += 1;
                true
            }
            None => {
                self.truncated = true;
                false
            }
        }
    }

    /// Appends `c` to the `'<' word '>'` sequence, emitting the trigram it completes.
    fn push_trigram_char(&mut self, c: char) -> bool {
        let [a, b] = self.tail;
        let ok = if self.tail_len >= 2 {
            let h = fnv1a_char(
                fnv1a_char(fnv1a_char(start(TAG_TRIGRAM, self.cfg.seed), a), b),
                c,
            );
            self.push(h)
        } else {
            true
        };
        self.tail = [b, c];
        self.tail_len = (self.tail_len + 1).min(2);
        ok
    }

    fn on_event(&mut self, e: Event) -> bool {
        let trigrams = self.cfg.has(TokenizerConfig::CHAR_TRIGRAMS);
        match e {
            Event::Char(c) => {
                if !self.in_word {
                    self.in_word = true;
                    self.word = FNV_OFFSET;
                    self.tail_len = 0;
                    if trigrams && !self.push_trigram_char('<') {
                        return false;
                    }
                }
                self.word = fnv1a_char(self.word, c);
                !trigrams || self.push_trigram_char(c)
            }
            Event::End => {
                self.in_word = false;
                if trigrams && !self.push_trigram_char('>') {
                    return false;
                }
                let hw = self.word.to_le_bytes();
                if self.cfg.has(TokenizerConfig::WORDS)
                    && !self.push(fnv1a(start(TAG_WORD, self.cfg.seed), &hw))
                {
                    return false;
                }
                let prev = self.prev.replace(self.word);
                if let (true, Some(p)) = (self.cfg.has(TokenizerConfig::BIGRAMS), prev) {
                    let h = fnv1a(
                        fnv1a(start(TAG_BIGRAM, self.cfg.seed), &p.to_le_bytes()),
                        &hw,
                    );
                    return self.push(h);
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(features: u8, max_tokens: u16) -> TokenizerConfig {
        TokenizerConfig {
            buckets: 1 << 20,
            max_tokens,
            features,
            seed: 1,
        }
    }

    fn ids(text: &str, c: &TokenizerConfig) -> (Vec<u32>, bool) {
        let mut out = [0u32; 256];
        let t = tokenize(text, c, &mut out).unwrap();
        (out[..t.len].to_vec(), t.truncated)
    }

    #[test]
    fn counts_per_feature_kind() {
        let text = "the cat sat";
        assert_eq!(ids(text, &cfg(TokenizerConfig::WORDS, 64)).0.len(), 3);
        assert_eq!(ids(text, &cfg(TokenizerConfig::BIGRAMS, 64)).0.len(), 2);
        // "<the>" 3 trigrams, "<cat>" 3, "<sat>" 3
        assert_eq!(
            ids(text, &cfg(TokenizerConfig::CHAR_TRIGRAMS, 64)).0.len(),
            9
        );
        assert_eq!(ids(text, &cfg(TokenizerConfig::ALL, 64)).0.len(), 14);
        assert_eq!(
            ids("a", &cfg(TokenizerConfig::CHAR_TRIGRAMS, 64)).0.len(),
            1
        );
    }

    #[test]
    fn same_word_same_id_and_case_folding() {
        let c = cfg(TokenizerConfig::WORDS, 64);
        let (v, _) = ids("Movie movie MOVIE", &c);
        assert!(v[0] == v[1] && v[1] == v[2]);
        let (bi, _) = ids(
            "good movie. Good, movie!",
            &cfg(TokenizerConfig::BIGRAMS, 64),
        );
        assert_eq!(bi.len(), 3);
        assert_eq!(bi[0], bi[2]);
    }

    #[test]
    fn kinds_and_seeds_are_independent() {
        let w = ids("hello", &cfg(TokenizerConfig::WORDS, 64)).0;
        let mut other = cfg(TokenizerConfig::WORDS, 64);
        other.seed = 2;
        assert_ne!(w, ids("hello", &other).0);
    }

    #[test]
    fn truncation() {
        let c = cfg(TokenizerConfig::WORDS, 2);
        assert_eq!(
            ids("a b", &c),
            (ids("a b", &cfg(TokenizerConfig::WORDS, 64)).0, false)
        );
        let (v, t) = ids("a b c", &c);
        assert_eq!((v.len(), t), (2, true));
        let mut small = [0u32; 1];
        let r = tokenize("a b", &cfg(TokenizerConfig::WORDS, 64), &mut small).unwrap();
        assert_eq!(
            r,
            Tokenized {
                len: 1,
                truncated: true
            }
        );
        let r = tokenize("a", &cfg(TokenizerConfig::WORDS, 64), &mut []).unwrap();
        assert_eq!(
            r,
            Tokenized {
                len: 0,
                truncated: true
            }
        );
        let r = tokenize("", &cfg(TokenizerConfig::WORDS, 64), &mut []).unwrap();
        assert_eq!(
            r,
            Tokenized {
                len: 0,
                truncated: false
            }
        );
    }

    #[test]
    fn ids_are_in_range() {
        let mut c = cfg(TokenizerConfig::ALL, 200);
        for buckets in [1, 2, 3, 97, 1000] {
            c.buckets = buckets;
            assert!(ids("Ünïcödé words, 漢字 and 🎉 emoji", &c)
                .0
                .iter()
                .all(|&i| i < buckets));
        }
    }

    #[test]
    fn config_validation() {
        let ok = TokenizerConfig::DEFAULT;
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            TokenizerConfig { buckets: 0, ..ok }.validate(),
            Err(TokenizerError::ZeroBuckets)
        );
        assert_eq!(
            TokenizerConfig {
                max_tokens: 0,
                ..ok
            }
            .validate(),
            Err(TokenizerError::ZeroMaxTokens)
        );
        assert_eq!(
            TokenizerConfig { features: 0, ..ok }.validate(),
            Err(TokenizerError::NoFeatures)
        );
        assert_eq!(
            TokenizerConfig { features: 9, ..ok }.validate(),
            Err(TokenizerError::UnknownFeatures { bits: 8 })
        );
        let mut out = [0u32; 4];
        assert!(tokenize("x", &TokenizerConfig { buckets: 0, ..ok }, &mut out).is_err());
    }

    #[test]
    fn bytes_match_str_on_valid_utf8() {
        let c = cfg(TokenizerConfig::ALL, 64);
        let text = "Straße don’t 東京";
        let mut a = [0u32; 64];
        let mut b = [0u32; 64];
        let ta = tokenize(text, &c, &mut a).unwrap();
        let tb = tokenize_bytes(text.as_bytes(), &c, &mut b).unwrap();
        assert_eq!((ta, &a[..ta.len]), (tb, &b[..tb.len]));
        let tc = tokenize_bytes(b"\xff\xfe bad \xc3", &c, &mut b).unwrap();
        assert_eq!(tc.len, ids("bad", &c).0.len());
    }
}
