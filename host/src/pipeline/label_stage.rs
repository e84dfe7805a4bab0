//! Teacher labelling as a stage of its own, shardable across a cluster: every text the KD cells of a
//! grid need, distinct per corpus and data draw (each draw has its own teacher), ordered by its hash
//! and cut into chunks; shard `i/n` labels the
//! chunks whose index is `i` modulo `n`, each into its own chunk file of the shared soft-label cache
//! ([`crate::soft_labels::chunk_dir`]). Every task computes the same chunks from the grid alone,
//! so a text is labelled once across the cluster, and a chunk whose file exists is skipped when the
//! stage runs again. The cells then find every label in the cache.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use super::cell::RealCellRunner;
use super::error::PipelineError;
use crate::soft_labels::{text_hash, ChunkOutcome};
use crate::sweep::{Grid, Shard};
use crate::train::Mode;

/// Texts of one corpus and data draw labelled together into one chunk file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelChunk {
    /// Position of the chunk among all chunks of the grid.
    pub index: usize,
    /// The corpus.
    pub corpus: String,
    /// The data draw (its teacher labels the texts).
    pub data_seed: u64,
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

/// The chunks of `grid`: per corpus (in the grid's order) and data draw (ascending), every distinct
/// text its KD cells ask that draw's teacher for, in the order of the texts' hashes, `chunk_size` at
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
    // (corpus, data draw) → its texts by hash.
    type Texts = BTreeSet<([u8; 32], String)>;
    let mut per_teacher: BTreeMap<(String, u64), Texts> = BTreeMap::new();
    // Cells that differ only in the student's seed (or in the mode) share their training texts.
    let mut seen_sets = HashSet::new();
    for cell in grid.cells().iter().filter(|c| c.mode == Mode::Kd) {
        let set = (
            cell.corpus.clone(),
            format!("{:?}", cell.method),
            cell.size,
            cell.copies,
        );
        if !seen_sets.insert((set, cell.degree.to_bits(), cell.data_seed())) {
            continue;
        }
        let texts = runner.texts_to_label(cell)?;
        let entry = per_teacher
            .entry((cell.corpus.clone(), cell.data_seed()))
            .or_default();
        entry.extend(texts.into_iter().map(|t| (text_hash(&t), t)));
    }
    let per_teacher: Vec<(String, u64, Vec<String>)> = grid
        .corpora
        .iter()
        .flat_map(|c| grid.draws().into_iter().map(move |d| (c.clone(), d)))
        .map(|(c, d)| {
            let texts = per_teacher.remove(&(c.clone(), d)).unwrap_or_default();
            (c, d, texts.into_iter().map(|(_, t)| t).collect())
        })
        .collect();
    Ok(cut_into_chunks(&per_teacher, chunk_size))
}

/// Cuts the texts of each (corpus, data draw) (distinct, in hash order) into chunks of `chunk_size`,
/// numbered across corpora and draws.
fn cut_into_chunks(
    per_teacher: &[(String, u64, Vec<String>)],
    chunk_size: usize,
) -> Vec<LabelChunk> {
    let mut chunks = vec![];
    for (corpus, data_seed, texts) in per_teacher {
        for part in texts.chunks(chunk_size) {
            chunks.push(LabelChunk {
                index: chunks.len(),
                corpus: corpus.clone(),
                data_seed: *data_seed,
                texts: part.to_vec(),
            });
        }
    }
    chunks
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
        let outcome = runner.with_teacher(&chunk.corpus, chunk.data_seed, |t| {
            t.label_chunk(&chunk.texts)
        })??;
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

    #[test]
    fn shards_of_the_chunks_label_every_text_once() {
        let texts = |n: usize, tag: &str| (0..n).map(|i| format!("{tag} {i}")).collect::<Vec<_>>();
        let per_teacher = vec![
            ("a".to_string(), 1, texts(10, "a")),
            ("empty".to_string(), 1, vec![]),
            ("b".to_string(), 1, texts(3, "b")),
            ("b".to_string(), 2, texts(2, "b2")),
        ];
        let chunks = cut_into_chunks(&per_teacher, 4);
        let sizes: Vec<(usize, &str, u64, usize)> = chunks
            .iter()
            .map(|c| (c.index, c.corpus.as_str(), c.data_seed, c.texts.len()))
            .collect();
        assert_eq!(
            sizes,
            [
                (0, "a", 1, 4),
                (1, "a", 1, 4),
                (2, "a", 1, 2),
                (3, "b", 1, 3),
                (4, "b", 2, 2)
            ]
        );
        // Three tasks, each with its shard of the chunks, label each text exactly once.
        let mut labelled: Vec<&String> = (0..3)
            .flat_map(|index| {
                let shard = Shard { index, count: 3 };
                chunks.iter().filter(move |c| shard.contains(c.index))
            })
            .flat_map(|c| &c.texts)
            .collect();
        labelled.sort();
        let mut all: Vec<&String> = per_teacher.iter().flat_map(|(_, _, t)| t).collect();
        all.sort();
        assert_eq!(labelled, all);
    }
}
