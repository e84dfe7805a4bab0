//! On-device distillation driven from the host (`edgekd adapt`).
//!
//! The host holds the teacher; the device holds the int8 student whose f32 head learns. For every
//! update the host sends one in-domain text with the teacher's probabilities at temperature `T`
//! (`softmax(logits / T)`, computed here) as a `Learn` request; the device runs its frozen body,
//! takes one guarded SGD step on `T² · KL(teacher ‖ student)` and journals it. At checkpoints
//! (by default after 0, 100, 250, 500 and 1000 updates) the host measures the device's accuracy on a
//! held-out in-domain split and on the original domain's test split through `Infer`. At the end the
//! steps are committed (`LearnCommit`) or dropped (`LearnRevert`), and the learner's RAM is read
//! back from the device (`Info.learner_bytes`, `Stats.ram_bytes`).
//!
//! [`prepare`] draws a session's texts from two corpora: the in-domain training texts with the
//! teacher's soft labels, the replayed texts and the two evaluation splits.
//!
//! In-domain gold labels are matched to the model's labels by name; a [`LabelMap`] renames the
//! in-domain labels first (`negative=rotten,positive=fresh`). A label that names no model class is
//! refused ([`AdaptError::UnmappedLabel`]).
//!
//! With a replay teacher, original-domain training texts labelled by the original teacher are mixed
//! into the stream ([`interleave_replay`]) so that the head keeps what it knew; or, without that
//! teacher, the same texts with the flashed student's own outputs ([`student_logits`]).

mod error;
mod flashed;
mod labels;
mod prepare;
mod replay;
mod report;
mod self_labels;
mod session;
mod soft;
mod teacher;

pub use error::AdaptError;
pub use flashed::ensure_flashed;
pub use labels::LabelMap;
pub use prepare::{prepare, Corpora, EvalSplits, Labeller, PrepareConfig, Prepared, ReplayLabels};
pub use replay::{interleave_replay, DEFAULT_REPLAY_RATIO};
pub use report::{AdaptReport, Checkpoint};
pub use self_labels::student_logits;
pub use session::{adapt, evaluate, AdaptPlan, EvalSet, Finish, Progress, DEFAULT_CHECKPOINTS};
pub use soft::{clip_text, soft_examples, soft_labels, SoftExample};
pub use teacher::teacher_logits;
