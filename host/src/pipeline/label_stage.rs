//! Teacher labelling as a stage of its own, shardable across a cluster: every text the KD cells of a
//! grid need, distinct per teacher (a corpus, a data draw and the originals it was fine-tuned on:
//! the draw's shared teacher, and each size's own teacher when the grid asks for them), with the
//! test split each teacher is scored on, ordered by its hash and cut into chunks; shard `i/n` labels the
//! chunks whose index is `i` modulo `n`, each into its own chunk file of the shared soft-label cache
//! ([`crate::soft_labels::chunk_dir`]). Every task computes the same chunks from the grid alone,
//! so a text is labelled once across the cluster, and a chunk whose file exists is skipped when the
//! stage runs again. The cells then find every label in the cache.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use super::cell::{RealCellRunner, TeacherSpec};
use super::error::PipelineError;
use crate::soft_labels::{text_hash, ChunkOutcome};
use crate::sweep::{Grid, Shard, Size};
use crate::train::Mode;

/// Texts of one teacher labelled together into one chunk file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelChunk {
    /// Position of the chunk among all chunks of the grid.
    pub index: usize,
    /// The teacher that labels the texts.
    pub teacher: TeacherSpec,
    /// The texts, distinct, in hash order.
    pub texts: Vec<String>,
}

/// What one shard of the labelling stage did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSummary {
    /// Chunks of the whole grid.
    pub chunks_in_grid: usize,
    /// Chunks of this shard.
    pub chunks_in_shard: usize,
    /// Of those, chunks whose file already existed (skipped).
    pub already_done: usize,
    /// Texts of this shard's chunks.
    pub texts: usize,
    /// Texts the teacher labelled now (the rest came from the cache).
    pub labelled_texts: usize,
    /// Seconds spent labelling (loading the teacher and building the texts not counted).
    pub label_seconds: f64,
}

/// The chunks of `grid`: per teacher its KD cells distil from ([`RealCellRunner::teachers`]: by
/// corpus in the grid's order, data draw and originals, ascending), every distinct text those cells
/// ask it for and the test split it is scored on, in the order of the texts' hashes, `chunk_size` at
/// a time.
pub fn plan_label_chunks(
    runner: &RealCellRunner,
    grid: &Grid,
    chunk_size: usize,
) -> Result<Vec<LabelChunk>, PipelineError> {
    if chunk_size == 0 {
        return Err(PipelineError::Config(
            "a label chunk holds at least 1 text".into(),
        ));
    }
    // Teacher → its texts by hash.
    type Texts = BTreeSet<([u8; 32], String)>;
    let mut per_teacher: BTreeMap<TeacherSpec, Texts> = BTreeMap::new();
    // Cells that differ only in the student's seed (or in the mode) share their training texts.
    let mut seen_sets = HashSet::new();
    for cell in grid.cells().iter().filter(|c| c.mode == Mode::Kd) {
        let spec = runner.teacher_spec(cell)?;
        let set = (
            format!("{:?}", cell.method),
            cell.size,
            cell.copies,
            cell.degree.to_bits(),
        );
        if !seen_sets.insert((spec.clone(), set)) {
            continue;
        }
        let texts = runner.texts_to_label(cell)?;
        per_teacher
            .entry(spec)
            .or_default()
            .extend(texts.into_iter().map(|t| (text_hash(&t), t)));
    }
    let mut ordered = vec![];
    for spec in runner.teachers(grid)? {
        let mut texts = per_teacher.remove(&spec).unwrap_or_default();
        texts.extend(
            runner
                .test_texts(&spec.corpus)?
                .into_iter()
                .map(|t| (text_hash(&t), t)),
        );
        ordered.push((spec, texts.into_iter().map(|(_, t)| t).collect()));
    }
    Ok(cut_into_chunks(&ordered, chunk_size))
}

/// Cuts the texts of each teacher (distinct, in hash order) into chunks of `chunk_size`, numbered
/// across teachers.
fn cut_into_chunks(
    per_teacher: &[(TeacherSpec, Vec<String>)],
    chunk_size: usize,
) -> Vec<LabelChunk> {
    let mut chunks = vec![];
    for (teacher, texts) in per_teacher {
        for part in texts.chunks(chunk_size) {
            chunks.push(LabelChunk {
                index: chunks.len(),
                teacher: teacher.clone(),
                texts: part.to_vec(),
            });
        }
    }
    chunks
}

/// A teacher in words: `rotten-tomatoes, data seed 3, 500 originals`.
pub fn describe_teacher(t: &TeacherSpec) -> String {
    let originals = match t.originals {
        Size::N(n) => format!("{n} originals"),
        Size::Full => "the whole training split".to_string(),
    };
    format!("{}, data seed {}, {originals}", t.corpus, t.data_seed)
}

/// Labels the chunks of `grid` in `shard` (see the module's documentation), calling `progress` after
/// each chunk with the chunk, what was done and the seconds it took.
pub fn run_label_shard(
    runner: &RealCellRunner,
    grid: &Grid,
    shard: Shard,
    chunk_size: usize,
    progress: &mut dyn FnMut(&LabelChunk, &ChunkOutcome, f64),
) -> Result<LabelSummary, PipelineError> {
    let chunks = plan_label_chunks(runner, grid, chunk_size)?;
    let mut summary = LabelSummary {
        chunks_in_grid: chunks.len(),
        ..LabelSummary::default()
    };
    for chunk in chunks.iter().filter(|c| shard.contains(c.index)) {
        let start = Instant::now();
        let outcome = runner.with_teacher(&chunk.teacher, |t| t.label_chunk(&chunk.texts))??;
        let seconds = start.elapsed().as_secs_f64();
        summary.chunks_in_shard += 1;
        summary.texts += outcome.texts;
        if outcome.already_done {
            summary.already_done += 1;
        } else {
            summary.labelled_texts += outcome.labelled;
            summary.label_seconds += seconds;
        }
        progress(chunk, &outcome, seconds);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(corpus: &str, data_seed: u64, originals: Size) -> TeacherSpec {
        TeacherSpec {
            corpus: corpus.into(),
            data_seed,
            originals,
        }
    }

    #[test]
    fn shards_of_the_chunks_label_every_text_once() {
        let texts = |n: usize, tag: &str| (0..n).map(|i| format!("{tag} {i}")).collect::<Vec<_>>();
        let per_teacher = vec![
            (spec("a", 1, Size::N(2000)), texts(10, "a")),
            (spec("empty", 1, Size::N(2000)), vec![]),
            (spec("b", 1, Size::N(2000)), texts(3, "b")),
            (spec("b", 2, Size::N(2000)), texts(2, "b2")),
            // The own teacher of size 500 of draw 2: the same texts, another teacher.
            (spec("b", 2, Size::N(500)), texts(2, "b2")),
        ];
        let chunks = cut_into_chunks(&per_teacher, 4);
        let sizes: Vec<(usize, &str, u64, Size, usize)> = chunks
            .iter()
            .map(|c| {
                (
                    c.index,
                    c.teacher.corpus.as_str(),
                    c.teacher.data_seed,
                    c.teacher.originals,
                    c.texts.len(),
                )
            })
            .collect();
        let n2000 = Size::N(2000);
        assert_eq!(
            sizes,
            [
                (0, "a", 1, n2000, 4),
                (1, "a", 1, n2000, 4),
                (2, "a", 1, n2000, 2),
                (3, "b", 1, n2000, 3),
                (4, "b", 2, n2000, 2),
                (5, "b", 2, Size::N(500), 2)
            ]
        );
        assert_eq!(
            describe_teacher(&chunks[5].teacher),
            "b, data seed 2, 500 originals"
        );
        // Three tasks, each with its shard of the chunks, label each (teacher, text) exactly once.
        let mut labelled: Vec<(&TeacherSpec, &String)> = (0..3)
            .flat_map(|index| {
                let shard = Shard { index, count: 3 };
                chunks.iter().filter(move |c| shard.contains(c.index))
            })
            .flat_map(|c| c.texts.iter().map(move |t| (&c.teacher, t)))
            .collect();
        labelled.sort();
        let mut all: Vec<(&TeacherSpec, &String)> = per_teacher
            .iter()
            .flat_map(|(s, t)| t.iter().map(move |t| (s, t)))
            .collect();
        all.sort();
        assert_eq!(labelled, all);
    }
}
