//! `edgekd report`: turns sweep results into `report.md` with tables (mean ± std over seeds), PNG plots,
//! a verdict with numbers for each of the paper's three claims, and the `degree = auto` comparison.

mod aggregate;
mod auto;
mod claims;
mod markdown;
mod plot;

pub use aggregate::{aggregate, Group, GroupKey, Summary};
pub use auto::{compare_auto, AutoComparison};
pub use claims::{evaluate_claims, Claim, Verdict};
pub use markdown::{write_report, ReportOptions};
pub use plot::{line_chart, Series};

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No results to report on.
    #[error("no results in {0}")]
    Empty(String),
    /// Writing the report or a plot failed.
    #[error("writing {path}: {message}")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}
