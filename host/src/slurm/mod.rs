//! Running a sweep on a Slurm cluster: `edgekd slurm submit` writes four batch scripts into a folder
//! on the cluster's shared filesystem and submits them as a chain of jobs, each started only when the
//! one before it succeeded (`--dependency=afterok`):
//!
//! 1. `teacher` — one task fine-tunes every teacher the grid's KD cells distil from (per corpus and
//!    data draw, and per size for own-teacher cells; or finds it in the cache), so that no two tasks
//!    ever write the same teacher;
//! 2. `labels` — an array: task `i` labels the label chunks `i` modulo `n` of the grid, each into its
//!    own file of the shared soft-label cache ([`crate::pipeline::run_label_shard`]);
//! 3. `cells` — an array: task `i` runs `edgekd sweep --shard i/n` into its own results file;
//! 4. `merge` — merges the results files and runs `edgekd report`.
//!
//! Finished label chunks and cells are skipped, so the same submission, made again after a failure or
//! a cancelled task, completes the grid without repeating work. Resources come from the grid's
//! `[slurm]` table and flags ([`SlurmResources`]); `docs/cluster.md` has the whole procedure.

mod resources;
mod script;
mod submit;

pub use resources::{SlurmResources, DEFAULT_CHUNK_SIZE};
pub use script::{job_scripts, shell_quote, JobPlan, JobScript, Stage};
pub use submit::{
    dry_run, parse_job_id, sbatch_command, submit, write_scripts, Sbatch, Scheduler, SubmittedJobs,
};

/// Errors of the Slurm submission.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    /// The resources (flags or the grid's `[slurm]` table) are not usable.
    #[error("slurm resources: {0}")]
    Resources(String),
    /// Writing a script or making a folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `sbatch` could not be started (Slurm's client commands are not installed or not on `PATH`).
    #[error("could not run {command}: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The error.
        source: std::io::Error,
    },
    /// `sbatch` refused the job.
    #[error("{command} failed ({status}): {stderr}")]
    Refused {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// `sbatch --parsable` printed something that is not a job id.
    #[error("sbatch printed {0:?}, not a job id")]
    BadJobId(String),
}
