//! The replacement source that augmentation draws from, and a map-backed lexicon (custom
//! synonym lists; the WordNet lexicon is one).

use rand::{Rng, RngCore};
use std::collections::HashMap;

/// Where replacements come from. Words are passed lower-cased.
pub trait Lexicon: Sync + Send {
    /// Short name for logs (`synonym`, `knn`, `random`).
    fn name(&self) -> &'static str;
    /// Whether `word` has at least one candidate different from itself.
    fn has_candidate(&self, word: &str) -> bool;
    /// A candidate chosen uniformly with `rng`; never equal to `word` ignoring case.
    /// `None` exactly when [`Lexicon::has_candidate`] is false.
    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str>;
}

/// A lexicon from explicit candidate lists (lower-cased keys).
#[derive(Clone, Debug, Default)]
pub struct MapLexicon {
    name: &'static str,
    map: HashMap<String, Vec<String>>,
}

impl MapLexicon {
    /// Builds from `(word, candidates)`; keys are lower-cased, candidates equal to the key
    /// (ignoring case) and repeated candidates are removed, empty lists dropped.
    pub fn new(
        name: &'static str,
        entries: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (word, cands) in entries {
            let key = word.to_lowercase();
            let list = map.entry(key.clone()).or_default();
            for c in cands {
                let lc = c.to_lowercase();
                if lc != key && !list.iter().any(|x| x.to_lowercase() == lc) {
                    list.push(c);
                }
            }
        }
        map.retain(|_, v| !v.is_empty());
        Self { name, map }
    }

    /// Candidates of a lower-cased word (empty when none).
    pub fn candidates(&self, word: &str) -> &[String] {
        self.map.get(word).map_or(&[], Vec::as_slice)
    }

    /// Number of words with candidates.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no word has candidates.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Lexicon for MapLexicon {
    fn name(&self) -> &'static str {
        self.name
    }

    fn has_candidate(&self, word: &str) -> bool {
        self.map.contains_key(word)
    }

    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str> {
        let cands = self.map.get(word)?;
        let i = rng.gen_range(0..cands.len());
        cands.get(i).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn drops_self_and_duplicates() {
        let lex = MapLexicon::new(
            "t",
            [
                (
                    "Good".to_string(),
                    vec!["good".into(), "fine".into(), "Fine".into(), "nice".into()],
                ),
                ("same".to_string(), vec!["Same".into()]),
            ],
        );
        assert_eq!(lex.candidates("good"), ["fine", "nice"]);
        assert!(!lex.has_candidate("same"));
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..20 {
            assert_ne!(lex.pick("good", &mut rng), Some("good"));
        }
        assert_eq!(lex.pick("same", &mut rng), None);
    }
}
