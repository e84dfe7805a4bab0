//! The teacher stage: a pretrained BERT fine-tuned on the original training texts (cached on disk
//! by checkpoint, data and settings), and its soft labels for any text (cached by teacher and text).

use std::path::{Path, PathBuf};

use edgekd_models::burn::prelude::Device;
use edgekd_models::teacher::Teacher;
use sha2::{Digest, Sha256};

use super::error::PipelineError;
use crate::data::Dataset;
use crate::soft_labels::{ChunkOutcome, SoftLabelCache, SoftLabelError};
use crate::train::teacher::{fine_tune, TeacherTrainConfig, TeacherTrainReport, TrainEvent};

/// A fine-tuned teacher and its soft-label cache.
#[derive(Debug)]
pub struct TeacherStage {
    /// The fine-tuned teacher.
    pub teacher: Teacher,
    /// Fine-tuning report (`None` when the teacher came from the cache).
    pub report: Option<TeacherTrainReport>,
    /// Where the fine-tuned teacher is kept.
    pub dir: PathBuf,
    /// Texts this stage has labelled so far (cache misses).
    pub labelled: usize,
    cache: SoftLabelCache,
}

impl TeacherStage {
    /// Loads the teacher fine-tuned on `train` (selected on `dev`) from `cache_root/teachers/<key>`, or
    /// fine-tunes the pretrained checkpoint in `pretrained` and saves it there.
    #[allow(clippy::too_many_arguments)] // each is one independent input of the cache key
    pub fn prepare(
        pretrained: &Path,
        train: &Dataset,
        dev: &Dataset,
        cfg: &TeacherTrainConfig,
        max_len: usize,
        device: &Device,
        cache_root: &Path,
        progress: &mut dyn FnMut(&TrainEvent),
    ) -> Result<Self, PipelineError> {
        let mut h = Sha256::new();
        h.update(pretrained.display().to_string());
        h.update(format!(
            "{cfg:?} max_len={max_len} labels={:?}",
            train.labels
        ));
        for e in train.examples.iter().chain(&dev.examples) {
            h.update((e.text.len() as u64).to_le_bytes());
            h.update(&e.text);
            h.update((e.label as u64).to_le_bytes());
        }
        let key = edgekd_shared::hex::hex(&h.finalize()[..12]);
        let dir = cache_root.join("teachers").join(key);
        let (teacher, report) = if dir.join(edgekd_models::teacher::CONFIG_FILE).exists() {
            tracing::info!(
                "teacher: reusing the fine-tuned teacher in {}",
                dir.display()
            );
            (Teacher::load(&dir, device)?, None)
        } else {
            let fresh = Teacher::from_pretrained(
                pretrained,
                train.labels.len(),
                max_len,
                cfg.seed,
                device,
            )?;
            let pairs = |d: &Dataset| -> Vec<(String, usize)> {
                d.examples
                    .iter()
                    .map(|e| (e.text.clone(), e.label))
                    .collect()
            };
            let (teacher, report) =
                fine_tune(fresh, &pairs(train), &pairs(dev), cfg, |ev| progress(ev))?;
            teacher.save(&dir)?;
            (teacher, Some(report))
        };
        let cache = SoftLabelCache::open(&cache_root.join("soft-labels.ekdc"))?;
        Ok(Self {
            teacher,
            report,
            dir,
            labelled: 0,
            cache,
        })
    }

    /// Teacher logits (temperature 1) of every text, labelling only those the cache lacks.
    pub fn logits(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>, SoftLabelError> {
        let (out, stats) = self.cache.label_with(&self.teacher, texts, None)?;
        tracing::info!(
            "teacher labels: {} from the cache, {} computed",
            stats.hits,
            stats.labelled
        );
        self.labelled += stats.labelled;
        Ok(out)
    }

    /// Labels one chunk of a cluster's labelling stage into its own file of the cache's chunk folder
    /// (skipped when that file exists; the cache file itself is not written).
    pub fn label_chunk(&mut self, texts: &[String]) -> Result<ChunkOutcome, SoftLabelError> {
        let outcome = self.cache.label_chunk(&self.teacher, texts)?;
        self.labelled += outcome.labelled;
        Ok(outcome)
    }
}

/// Teacher logits of `texts` in batches of 256, reporting progress after each batch.
pub fn teacher_logits(
    stage: &mut TeacherStage,
    texts: &[String],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<f32>>, SoftLabelError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(256) {
        out.extend(stage.logits(chunk)?);
        progress(out.len(), texts.len());
    }
    Ok(out)
}
