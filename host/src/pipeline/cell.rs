//! The sweep's cell runner on real data: fixed dev and test splits per corpus, one teacher per data
//! draw (fine-tuned once, cached), and per cell a stratified subsample, augmentation, soft labels from
//! the cache and one student.
//!
//! The split is that of `edgekd distill` with the same settings (`base.seed`), so every cell of a
//! corpus is tested on the same texts. Each data draw (the cell's data seed: the grid's `data_seed`
//! when it pins one, else the cell's seed) has its own subsample, augmented copies and teacher: the
//! teacher is fine-tuned on a stratified subsample of `teacher_train_size` originals drawn with that
//! seed, and with that seed. With data seed = `base.seed` the teacher is the one `edgekd distill`
//! fine-tunes, so a sweep reuses its teacher and soft labels.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use edgekd_models::burn::prelude::Device;

use super::config::DistillConfig;
use super::corpus::load_corpus;
use super::engine::{
    gold, predictions, teacher, tokenized, train_and_score, with_copies, StudentJob,
};
use super::error::PipelineError;
use super::labels::{teacher_logits, TeacherStage};
use super::metrics::Metrics;
use crate::augment::{load_lexicon, AugmentConfig, AugmentReport, Lexicon, Method};
use crate::data::{stratified_split, stratified_subsample, Dataset, Split};
use crate::sweep::{split_digest, Cell, CellResult, CellRunner, Size, SweepError, TestOutcomes};
use crate::train::Mode;

/// A corpus prepared once for all its cells.
struct Prepared {
    split: Split,
    /// [`split_digest`] of `split.test`.
    test_split: String,
    /// The teacher of each data draw, by data seed, fine-tuned (or loaded) on first use.
    teachers: Mutex<HashMap<u64, Arc<Mutex<TeacherStage>>>>,
}

/// Runs sweep cells with the settings of `base` (student, KD temperature, epochs…).
pub struct RealCellRunner {
    base: DistillConfig,
    device: Device,
    /// Originals the teacher is fine-tuned on (a stratified subsample of the training split).
    teacher_train_size: usize,
    corpora: Mutex<HashMap<String, Arc<Prepared>>>,
    lexicons: Mutex<HashMap<Method, Arc<dyn Lexicon>>>,
}

impl std::fmt::Debug for RealCellRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealCellRunner")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn cell_err(cell: &Cell, e: impl std::fmt::Display) -> SweepError {
    SweepError::Cell {
        key: cell.key(),
        message: e.to_string(),
    }
}

impl RealCellRunner {
    /// A runner; teachers are fine-tuned on `teacher_train_size` originals of each corpus.
    pub fn new(base: DistillConfig, teacher_train_size: usize) -> Result<Self, PipelineError> {
        let (_, device) = base.device()?;
        Ok(Self {
            base,
            device,
            teacher_train_size,
            corpora: Mutex::new(HashMap::new()),
            lexicons: Mutex::new(HashMap::new()),
        })
    }

    /// The lexicon of `method`, loaded once for all cells.
    fn lexicon(&self, method: Method) -> Result<Arc<dyn Lexicon>, PipelineError> {
        let mut map = self.lexicons.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = map.get(&method) {
            return Ok(l.clone());
        }
        let lexicon: Arc<dyn Lexicon> = Arc::from(load_lexicon(method)?);
        map.insert(method, lexicon.clone());
        Ok(lexicon)
    }

    fn prepared(&self, corpus: &str) -> Result<Arc<Prepared>, PipelineError> {
        let mut map = self.corpora.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = map.get(corpus) {
            return Ok(p.clone());
        }
        let (ds, _) = load_corpus(
            corpus,
            &self.base.text_col,
            &self.base.label_col,
            self.base.bad_rows,
        )?;
        // One split for all cells (every cell is tested on the same texts), drawn as `distill` does.
        let split = stratified_split(
            &ds,
            self.base.dev_fraction,
            self.base.test_fraction,
            self.base.seed,
        )?;
        let p = Arc::new(Prepared {
            test_split: split_digest(&split.test),
            split,
            teachers: Mutex::new(HashMap::new()),
        });
        map.insert(corpus.to_string(), p.clone());
        Ok(p)
    }

    /// The training set of `cell`: its stratified subsample of `p`'s training split and the augmented
    /// copies, with the augmentation's report.
    fn training_set(
        &self,
        p: &Prepared,
        cell: &Cell,
    ) -> Result<(Dataset, AugmentReport), SweepError> {
        let data_seed = cell.data_seed();
        let train = match cell.size {
            Size::N(n) if n < p.split.train.len() => {
                stratified_subsample(&p.split.train, n, data_seed).map_err(|e| cell_err(cell, e))?
            }
            _ => p.split.train.clone(),
        };
        let lexicon = match cell.copies {
            0 => None,
            _ => Some(self.lexicon(cell.method).map_err(|e| cell_err(cell, e))?),
        };
        let acfg = AugmentConfig {
            degree: f64::from(cell.degree),
            copies: cell.copies,
            seed: data_seed,
        };
        Ok(with_copies(&train, lexicon.as_deref(), &acfg))
    }

    /// The texts the teacher labels for `cell` (its training set, originals and copies; none for an
    /// FT cell), exactly as [`CellRunner::run`] asks for them.
    pub fn texts_to_label(&self, cell: &Cell) -> Result<Vec<String>, SweepError> {
        if cell.mode != Mode::Kd {
            return Ok(vec![]);
        }
        let p = self.prepared(&cell.corpus).map_err(|e| cell_err(cell, e))?;
        let (all, _) = self.training_set(&p, cell)?;
        Ok(all.examples.into_iter().map(|e| e.text).collect())
    }

    /// The teacher of `p`'s data draw `data_seed`: fine-tuned with that seed on a stratified
    /// subsample of `teacher_train_size` originals drawn with it (or loaded from the cache).
    fn teacher_of(
        &self,
        p: &Prepared,
        data_seed: u64,
    ) -> Result<Arc<Mutex<TeacherStage>>, PipelineError> {
        let mut map = p.teachers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.get(&data_seed) {
            return Ok(t.clone());
        }
        let teacher_train = if self.teacher_train_size < p.split.train.len() {
            stratified_subsample(&p.split.train, self.teacher_train_size, data_seed)?
        } else {
            p.split.train.clone()
        };
        let cfg = DistillConfig {
            seed: data_seed,
            ..self.base.clone()
        };
        let stage = teacher(
            &cfg,
            &teacher_train,
            &p.split.dev,
            &self.device,
            &mut |_| {},
        )?;
        let t = Arc::new(Mutex::new(stage));
        map.insert(data_seed, t.clone());
        Ok(t)
    }

    /// Runs `f` on the teacher stage of `corpus`'s data draw `data_seed` (fine-tuned, or loaded from
    /// the cache, on first use).
    pub fn with_teacher<R>(
        &self,
        corpus: &str,
        data_seed: u64,
        f: impl FnOnce(&mut TeacherStage) -> R,
    ) -> Result<R, PipelineError> {
        let p = self.prepared(corpus)?;
        let t = self.teacher_of(&p, data_seed)?;
        let mut stage = t.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut stage))
    }
}

impl CellRunner for RealCellRunner {
    fn run(&self, cell: &Cell) -> Result<CellResult, SweepError> {
        let p = self.prepared(&cell.corpus).map_err(|e| cell_err(cell, e))?;
        let (all, report) = self.training_set(&p, cell)?;
        let (mut label_seconds, mut wait_seconds) = (0.0, 0.0);
        let (logits, labelled_texts) = if cell.mode == Mode::Kd {
            let texts: Vec<String> = all.examples.iter().map(|e| e.text.clone()).collect();
            // Fine-tuning a draw's teacher (once) counts as the cell's work, not as waiting.
            let teacher = self
                .teacher_of(&p, cell.data_seed())
                .map_err(|e| cell_err(cell, e))?;
            let asked = Instant::now();
            let mut t = teacher.lock().unwrap_or_else(|e| e.into_inner());
            wait_seconds = asked.elapsed().as_secs_f64();
            let (start, before) = (Instant::now(), t.labelled);
            // In chunks, each flushed to the cache: a sweep killed while labelling keeps its labels.
            let logits =
                teacher_logits(&mut t, &texts, &mut |_, _| {}).map_err(|e| cell_err(cell, e))?;
            label_seconds = start.elapsed().as_secs_f64();
            (Some(logits), t.labelled - before)
        } else {
            (None, 0)
        };
        let student = self.base.student(all.labels.len());
        let err = |e: PipelineError| cell_err(cell, e);
        let train_ex = tokenized(&all, logits.as_deref(), &student).map_err(err)?;
        let dev_ex = tokenized(&p.split.dev, None, &student).map_err(err)?;
        let test_ex = tokenized(&p.split.test, None, &student).map_err(err)?;
        let job = StudentJob {
            mode: cell.mode,
            seed: cell.seed,
            train: &train_ex,
            checkpoint_dir: None,
        };
        let (trained, dev) = train_and_score(
            &self.base,
            &student,
            job,
            &dev_ex,
            &all.labels,
            &self.device,
            &mut |_| {},
        )
        .map_err(err)?;
        let predicted = predictions(&trained, &test_ex, &self.device).map_err(err)?;
        let gold = gold(&test_ex);
        let test = Metrics::compute(&all.labels, &gold, &predicted);
        Ok(CellResult {
            key: cell.key(),
            cell: cell.clone(),
            test_accuracy: test.accuracy,
            test_macro_f1: test.macro_f1,
            dev_accuracy: dev.accuracy,
            realised_degree: report.mean_realised_degree,
            train_examples: train_ex.len(),
            seconds: 0.0,
            label_seconds,
            wait_seconds,
            labelled_texts,
            test_outcomes: Some(TestOutcomes::new(p.test_split.clone(), &gold, &predicted)),
            best_epoch: Some(trained.report.best_epoch),
        })
    }
}
