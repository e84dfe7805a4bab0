//! Random replacement: any word of a vocabulary (for example GloVe's most frequent words that
//! contain a letter), drawn uniformly, never the word itself.

use super::lexicon::Lexicon;
use rand::{Rng, RngCore};

/// The random-word lexicon.
#[derive(Clone, Debug)]
pub struct RandomLexicon {
    words: Vec<String>,
}

impl RandomLexicon {
    /// Keeps the words that contain a letter and have no spaces, deduplicated ignoring case.
    pub fn new(vocab: impl IntoIterator<Item = String>) -> Self {
        let mut seen = std::collections::HashSet::new();
        let words = vocab
            .into_iter()
            .filter(|w| w.chars().any(char::is_alphabetic) && !w.contains(char::is_whitespace))
            .filter(|w| seen.insert(w.to_lowercase()))
            .collect();
        Self { words }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

impl Lexicon for RandomLexicon {
    fn name(&self) -> &'static str {
        "random"
    }

    /// Any word with a letter can be replaced, given a second vocabulary word to draw.
    fn has_candidate(&self, word: &str) -> bool {
        word.chars().any(char::is_alphabetic)
            && self.words.iter().take(2).any(|w| w.to_lowercase() != word)
    }

    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str> {
        if !self.has_candidate(word) {
            return None;
        }
        loop {
            let w = self.words.get(rng.gen_range(0..self.words.len()))?;
            if w.to_lowercase() != word {
                return Some(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn never_returns_the_word_and_skips_non_words() {
        let lex = RandomLexicon::new(
            ["the", ",", "film", "Film", "ice cream", "42", "movie"].map(String::from),
        );
        assert_eq!(lex.len(), 3);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for _ in 0..100 {
            let w = lex.pick("film", &mut rng).unwrap();
            assert!(w == "the" || w == "movie");
        }
        assert!(!lex.has_candidate("1999"));
        let single = RandomLexicon::new(["film".to_string()]);
        assert!(!single.has_candidate("film") && single.has_candidate("movie"));
    }
}
