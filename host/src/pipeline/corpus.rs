//! Corpora by name: the real ones of `docs/assets.md` (fetched on demand) or a user's own table.

use crate::data::{self, BadRows, Dataset, LoadReport, TableSpec, TweetLabels};

/// Errors of loading a corpus by name.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The name is neither a known corpus nor `csv:PATH` / `tsv:PATH` / `jsonl:PATH`.
    #[error("unknown corpus {0:?}: use rotten-tomatoes, tweets, tweets-binary, spam, pang-lee, or csv:PATH / tsv:PATH / jsonl:PATH")]
    Unknown(String),
    /// Fetching the asset failed.
    #[error(transparent)]
    Asset(#[from] crate::assets::AssetError),
    /// Reading the data failed.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

/// Loads a corpus by name. A user's own table is `csv:PATH` (or `tsv:`, `jsonl:`: the prefix sets
/// the format, whatever the extension; an unknown prefix is an error naming these), with the text and
/// label columns named by `text_col` and `label_col`, and its bad rows handled per `bad_rows`
/// (the known corpora skip and report theirs).
pub fn load_corpus(
    name: &str,
    text_col: &str,
    label_col: &str,
    bad_rows: BadRows,
) -> Result<(Dataset, LoadReport), CorpusError> {
    let loaded = match name {
        "rotten-tomatoes" => data::rotten_tomatoes(&crate::assets::ensure("rotten-tomatoes")?)?,
        "tweets" => data::tweets(&crate::assets::ensure("tweets")?, TweetLabels::ThreeWay)?,
        "tweets-binary" => data::tweets(
            &crate::assets::ensure("tweets")?,
            TweetLabels::PositiveNegative,
        )?,
        "spam" => data::spam(&crate::assets::ensure("spam")?)?,
        "pang-lee" => data::pang_lee(&crate::assets::ensure("pang-lee")?)?,
        other => {
            let source = data::TableSource::parse(other)?
                .ok_or_else(|| CorpusError::Unknown(other.to_string()))?;
            let stem = source
                .path
                .file_stem()
                .map_or("data".into(), |s| s.to_string_lossy().into_owned());
            let spec = TableSpec {
                bad_rows,
                ..TableSpec::new(&stem, text_col, label_col)
            };
            data::load_source(&source, &spec)?
        }
    };
    loaded.1.log();
    Ok(loaded)
}
