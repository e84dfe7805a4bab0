//! Text augmentation at a controlled degree (see `docs/design.md`): `synonym` (WordNet), `knn`
//! (GloVe neighbours), `mixed` (both) and `random` replacement, `copies` seeded copies per original,
//! in parallel.

mod engine;
mod knn;
mod lexicon;
mod mixed;
mod npy;
mod random;
mod stopwords;
mod tokens;
mod wordnet;

pub use edgekd_models::neighbours::top_k_neighbours;
pub use engine::{
    augment_dataset, augment_text, auto_degree, copy_rng, AugmentConfig, AugmentReport, Augmented,
    AugmentedExample,
};
pub use knn::{glove_vectors, glove_vocab, KnnError, KnnLexicon, DEFAULT_K, DEFAULT_WORDS};
pub use lexicon::{Lexicon, MapLexicon};
pub use mixed::MixedLexicon;
pub use npy::{read_f32_matrix, Matrix, NpyError};
pub use random::RandomLexicon;
pub use stopwords::is_stop_word;
pub use tokens::{match_case, pieces, Piece};
pub use wordnet::{load_wordnet, WordNetError, WordNetLexicon};

use crate::assets::AssetError;

/// Replacement method (of `distill` and of a sweep's cells). Written in lower case; the
/// capitalised names of older run configs are read too.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// WordNet synonyms.
    #[serde(alias = "Synonym")]
    Synonym,
    /// GloVe top-15 neighbours among the 100k most frequent words.
    #[serde(alias = "Knn")]
    Knn,
    /// A random word of GloVe's 100k most frequent words.
    #[serde(alias = "Random")]
    Random,
    /// WordNet synonyms and GloVe neighbours together ([`MixedLexicon`]).
    Mixed,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "synonym" => Ok(Self::Synonym),
            "knn" => Ok(Self::Knn),
            "random" => Ok(Self::Random),
            "mixed" => Ok(Self::Mixed),
            _ => Err(format!(
                "unknown augmentation method `{s}` (synonym, knn, random, mixed)"
            )),
        }
    }
}

/// Failures building a lexicon from the real assets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LexiconError {
    /// The asset could not be fetched.
    #[error(transparent)]
    Asset(#[from] AssetError),
    /// WordNet could not be parsed.
    #[error(transparent)]
    WordNet(#[from] WordNetError),
    /// GloVe or its neighbour table could not be loaded.
    #[error(transparent)]
    Knn(#[from] KnnError),
}

/// Builds the lexicon of a method from the real assets (fetched on first use; the kNN table is
/// built once and cached beside the GloVe files).
pub fn load_lexicon(method: Method) -> Result<Box<dyn Lexicon>, LexiconError> {
    Ok(match method {
        Method::Synonym => Box::new(load_wordnet(&crate::assets::ensure("wordnet")?)?),
        Method::Knn => Box::new(load_knn()?),
        Method::Random => {
            let dir = crate::assets::ensure("glove-6b-50d")?;
            Box::new(RandomLexicon::new(glove_vocab(&dir, DEFAULT_WORDS)?))
        }
        Method::Mixed => Box::new(MixedLexicon::new(vec![
            Box::new(load_wordnet(&crate::assets::ensure("wordnet")?)?),
            Box::new(load_knn()?),
        ])),
    })
}

/// The kNN lexicon of the assets' GloVe vectors (its neighbour table cached beside them).
fn load_knn() -> Result<KnnLexicon, LexiconError> {
    Ok(KnnLexicon::load(
        &crate::assets::ensure("glove-6b-50d")?,
        DEFAULT_WORDS,
        DEFAULT_K,
    )?)
}
