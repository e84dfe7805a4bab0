//! Mixed replacement: WordNet synonyms and GloVe neighbours in one lexicon, so one augmented copy
//! carries both kinds of change (issue 19's "mixed synonym + kNN copies").

use rand::{Rng, RngCore};

use super::Lexicon;

/// Several lexicons as one: a word has a candidate when any of them offers one, and each
/// replacement comes from one of the lexicons that offer a candidate for the word, chosen
/// uniformly, then from that lexicon's own candidates.
pub struct MixedLexicon {
    parts: Vec<Box<dyn Lexicon>>,
}

impl MixedLexicon {
    /// The lexicons `parts`, in the order their candidates are counted.
    pub fn new(parts: Vec<Box<dyn Lexicon>>) -> Self {
        Self { parts }
    }
}

impl std::fmt::Debug for MixedLexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.parts.iter().map(|p| p.name()).collect();
        f.debug_struct("MixedLexicon")
            .field("parts", &names)
            .finish()
    }
}

impl Lexicon for MixedLexicon {
    fn name(&self) -> &'static str {
        "mixed"
    }

    fn has_candidate(&self, word: &str) -> bool {
        self.parts.iter().any(|p| p.has_candidate(word))
    }

    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str> {
        let offering = self.parts.iter().filter(|p| p.has_candidate(word)).count();
        if offering == 0 {
            return None;
        }
        let chosen = rng.gen_range(0..offering);
        self.parts
            .iter()
            .filter(|p| p.has_candidate(word))
            .nth(chosen)?
            .pick(word, rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::MapLexicon;
    use rand::SeedableRng;

    fn mixed() -> MixedLexicon {
        let synonyms = MapLexicon::new(
            "synonym",
            [
                ("good".to_string(), vec!["fine".to_string()]),
                ("film".to_string(), vec!["movie".to_string()]),
            ],
        );
        let neighbours = MapLexicon::new(
            "knn",
            [
                ("good".to_string(), vec!["great".to_string()]),
                ("plot".to_string(), vec!["story".to_string()]),
            ],
        );
        MixedLexicon::new(vec![Box::new(synonyms), Box::new(neighbours)])
    }

    #[test]
    fn a_word_draws_from_every_lexicon_that_offers_it() {
        let lex = mixed();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert!(lex.has_candidate("good") && lex.has_candidate("plot"));
        assert!(!lex.has_candidate("the"));
        assert_eq!(lex.pick("the", &mut rng), None);
        // Only one lexicon knows these words: its candidate every time.
        assert_eq!(lex.pick("film", &mut rng), Some("movie"));
        assert_eq!(lex.pick("plot", &mut rng), Some("story"));
        // Both know "good": both candidates come up, about equally often.
        let fine = (0..1000)
            .filter(|_| lex.pick("good", &mut rng) == Some("fine"))
            .count();
        assert!((400..600).contains(&fine), "{fine} of 1000 from WordNet");
    }
}
