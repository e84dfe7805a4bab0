//! The paper's sweep: degree × method × training-set size × copies × KD/FT × seeds, on several corpora.
//!
//! A grid ([`Grid`], read from TOML) expands into cells ([`Cell`]), each with a stable key. Finished
//! cells are appended as JSON lines to a results file; a killed sweep resumes by skipping every key
//! already there, and `--shard i/n` runs the cells whose index is `i` modulo `n`, so the same grid runs
//! as an array job whose result files are merged afterwards ([`merge_results`]).

mod agreement;
mod grid;
mod outcomes;
mod results;
mod run;

pub use crate::augment::Method;
pub use crate::mode::Mode;
pub use agreement::{degree_bin, AgreementBin, TeacherAgreement, AGREEMENT_BINS};
pub use grid::{Cell, Grid, Shard, Size, TeacherKind, Teachers};
pub use outcomes::{split_digest, OutcomesError, TestOutcomes};
pub use results::{load_results, merge_results, CellResult, LoadedResults, ResultsWriter};
pub use run::{run_sweep, CellRunner, SweepProgress, SweepSummary};

/// Errors of the sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The grid file could not be read or parsed.
    #[error("grid {path}: {message}")]
    Grid {
        /// The grid file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A shard specification is not `i/n` with `i < n`.
    #[error("shard {0:?} is not of the form i/n with 0 ≤ i < n")]
    Shard(String),
    /// Reading or writing a results file failed.
    #[error("results file {path}: {source}")]
    Io {
        /// The results file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A cell failed.
    #[error("cell {key}: {message}")]
    Cell {
        /// The cell's key.
        key: String,
        /// What went wrong.
        message: String,
    },
}
