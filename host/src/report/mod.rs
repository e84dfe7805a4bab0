//! `edgekd report`: turns sweep results into `report.md` with tables (mean ± std over seeds), PNG plots,
//! a verdict with a paired-bootstrap 95% interval for each of the paper's three claims on each corpus,
//! the teacher control (KD from a teacher fine-tuned on the student's own originals against KD from
//! the shared teacher and FT), the teacher's agreement with the gold label against the realised degree
//! and the `degree = auto` comparison.

mod aggregate;
mod agreement;
mod auto;
mod bootstrap;
mod claims;
mod control;
mod estimate;
mod learning_rates;
mod markdown;
mod plot;
mod verdict;

pub use aggregate::{aggregate, Group, GroupKey, Outcomes, SeedCell, Summary};
pub use agreement::{agreement_rows, agreement_section, agreement_series, AgreementRow};
pub use auto::{compare_auto, AutoComparison};
pub use bootstrap::{Resampler, Statistic, REPLICATES, RNG_SEED};
pub use claims::{evaluate_claims, Claim, CorpusVerdict, CLAIM_TEACHERS};
pub use control::{control_section, teacher_control, ControlRow};
pub use estimate::{Estimate, Spread};
pub use markdown::{grid_load, write_report, GridLoad, ReportOptions};
pub use plot::{line_chart, Series};
pub use verdict::{decide, Verdict};

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No results to report on.
    #[error("no results in {0}")]
    Empty(String),
    /// A result's per-example test outcomes cannot be decoded.
    #[error("results of cell {key}: {source}")]
    Outcomes {
        /// The cell's key.
        key: String,
        /// What is wrong with them.
        source: crate::sweep::OutcomesError,
    },
    /// Writing the report or a plot failed.
    #[error("writing {path}: {message}")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}
