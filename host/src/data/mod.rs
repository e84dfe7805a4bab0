//! Labelled text: loaders for the real corpora and for any CSV/TSV/JSONL table, cleaning, exact
//! deduplication, seeded stratified split and subsampling. Every load returns a [`LoadReport`]
//! that lists malformed rows with file and line.

mod clean;
mod corpora;
mod dataset;
mod dedup;
mod delimited;
mod error;
mod hint;
mod source;
mod spliced;
mod split;
mod table;
mod unlabeled;

pub use clean::{clean, dedup_key};
pub use corpora::{pang_lee, rotten_tomatoes, spam, tweets, TweetLabels};
pub use dataset::{Dataset, Example, LabelSite, LoadReport, RowIssue};
pub use dedup::{dedup, Conflict, ConflictPolicy, DedupReport};
pub use error::DataError;
pub use source::{accepted_prefixes, TableSource, TABLE_PREFIXES};
pub use spliced::spliced_texts;
pub use split::{stratified_split, stratified_subsample, Split};
pub use table::{detect_format, load_bytes, load_source, load_table, BadRows, Format, TableSpec};
pub use unlabeled::{UnlabeledSource, REST_OF_TRAIN};
