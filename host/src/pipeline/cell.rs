//! The sweep's cell runner on real data: fixed dev and test splits per corpus, teachers fine-tuned
//! once (and cached), and per cell a stratified subsample, augmentation, soft labels from the cache
//! and one student.
//!
//! The split is that of `edgekd distill` with the same settings (`base.seed`), so every cell of a
//! corpus is tested on the same texts. Each data draw (the cell's data seed: the grid's `data_seed`
//! when it pins one, else the cell's seed) has its own subsample, augmented copies and teachers. A
//! teacher is fine-tuned, with the draw's seed, on a stratified subsample of the training split
//! drawn with that seed: `teacher_train_size` originals for the shared teacher
//! ([`TeacherKind::Shared`], one per draw), or exactly the cell's originals for its own teacher
//! ([`TeacherKind::Own`], one per draw and size). Teachers are told apart by (data seed, originals)
//! here, and on disk by a hash of their training data and settings, seed included
//! ([`TeacherStage::prepare`]); soft labels are cached per teacher by a hash of its weights. An own
//! teacher on as many originals as the shared one is the shared teacher. With data seed =
//! `base.seed` the shared teacher is the one `edgekd distill` fine-tunes, so a sweep reuses its
//! teacher and soft labels.

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
use crate::sweep::{
    split_digest, Cell, CellResult, CellRunner, Grid, Size, SweepError, TeacherAgreement,
    TeacherKind, TestOutcomes,
};
use crate::train::Mode;

/// A teacher of a corpus: (data seed, originals it is fine-tuned on).
type TeacherKey = (u64, Size);

/// A corpus prepared once for all its cells.
struct Prepared {
    split: Split,
    /// [`split_digest`] of `split.test`.
    test_split: String,
    /// Every teacher by (data seed, originals it is fine-tuned on), fine-tuned (or loaded) on first
    /// use.
    teachers: Mutex<HashMap<TeacherKey, Arc<Mutex<TeacherStage>>>>,
    /// Each teacher's test accuracy, by the same key, measured on first use.
    teacher_accuracy: Mutex<HashMap<TeacherKey, f64>>,
}

impl Prepared {
    /// `size` originals of the training split, as a subsample size: [`Size::Full`] when the split
    /// holds no more.
    fn originals(&self, size: Size) -> Size {
        match size {
            Size::N(n) if n < self.split.train.len() => Size::N(n),
            _ => Size::Full,
        }
    }

    /// The originals of data draw `data_seed` at `size` (a stratified subsample drawn with it, or
    /// the whole training split): a cell's training originals, and a teacher's.
    fn subsample(&self, size: Size, data_seed: u64) -> Result<Dataset, PipelineError> {
        Ok(match self.originals(size) {
            Size::N(n) => stratified_subsample(&self.split.train, n, data_seed)?,
            Size::Full => self.split.train.clone(),
        })
    }
}

/// One teacher a grid needs: a corpus, a data draw and the originals it is fine-tuned on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeacherSpec {
    /// The corpus.
    pub corpus: String,
    /// The data draw (the seed of its subsample and of its fine-tuning).
    pub data_seed: u64,
    /// Originals it is fine-tuned on ([`Size::Full`]: the whole training split).
    pub originals: Size,
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
            teacher_accuracy: Mutex::new(HashMap::new()),
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
        let train = p
            .subsample(cell.size, data_seed)
            .map_err(|e| cell_err(cell, e))?;
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

    /// The originals `cell`'s teacher is fine-tuned on in `p` ([`Size::Full`]: the whole training
    /// split): `teacher_train_size` for the shared teacher, the cell's size for its own.
    fn teacher_originals(&self, p: &Prepared, cell: &Cell) -> Size {
        p.originals(match cell.teacher {
            TeacherKind::Shared => Size::N(self.teacher_train_size),
            TeacherKind::Own => cell.size,
        })
    }

    /// The teachers `grid`'s KD cells distil from, each once, ordered by corpus (the grid's order),
    /// data seed and originals.
    pub fn teachers(&self, grid: &Grid) -> Result<Vec<TeacherSpec>, PipelineError> {
        let mut specs = std::collections::BTreeSet::new();
        for cell in grid.cells().iter().filter(|c| c.mode == Mode::Kd) {
            specs.insert(self.teacher_spec(cell)?);
        }
        let rank = |c: &str| grid.corpora.iter().position(|g| g == c);
        let mut specs: Vec<TeacherSpec> = specs.into_iter().collect();
        specs.sort_by_key(|s| rank(&s.corpus));
        Ok(specs)
    }

    /// The teacher of KD cell `cell`.
    pub fn teacher_spec(&self, cell: &Cell) -> Result<TeacherSpec, PipelineError> {
        let p = self.prepared(&cell.corpus)?;
        Ok(TeacherSpec {
            corpus: cell.corpus.clone(),
            data_seed: cell.data_seed(),
            originals: self.teacher_originals(&p, cell),
        })
    }

    /// The texts of `corpus`'s test split, in order (a teacher labels them to be scored).
    pub fn test_texts(&self, corpus: &str) -> Result<Vec<String>, PipelineError> {
        let p = self.prepared(corpus)?;
        Ok(p.split
            .test
            .examples
            .iter()
            .map(|e| e.text.clone())
            .collect())
    }

    /// The teacher of `p`'s data draw `data_seed` on `originals`: fine-tuned with that seed on the
    /// stratified subsample of that many originals drawn with it (or loaded from the cache).
    fn teacher_of(
        &self,
        p: &Prepared,
        data_seed: u64,
        originals: Size,
    ) -> Result<Arc<Mutex<TeacherStage>>, PipelineError> {
        let originals = p.originals(originals);
        let mut map = p.teachers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.get(&(data_seed, originals)) {
            return Ok(t.clone());
        }
        let teacher_train = p.subsample(originals, data_seed)?;
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
        map.insert((data_seed, originals), t.clone());
        Ok(t)
    }

    /// The test accuracy of `p`'s teacher `key` (`stage`), labelling the test split through the
    /// soft-label cache the first time.
    fn teacher_accuracy(
        p: &Prepared,
        key: TeacherKey,
        stage: &mut TeacherStage,
    ) -> Result<f64, PipelineError> {
        let known = || p.teacher_accuracy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = known().get(&key) {
            return Ok(*a);
        }
        let texts: Vec<String> = p
            .split
            .test
            .examples
            .iter()
            .map(|e| e.text.clone())
            .collect();
        let logits = teacher_logits(stage, &texts, &mut |_, _| {})?;
        let right = logits
            .iter()
            .zip(&p.split.test.examples)
            .filter(|(l, e)| edgekd_models::student::argmax(l) == e.label)
            .count();
        let accuracy = right as f64 / texts.len().max(1) as f64;
        known().insert(key, accuracy);
        Ok(accuracy)
    }

    /// Runs `f` on the stage of `spec`'s teacher (fine-tuned, or loaded from the cache, on first
    /// use).
    pub fn with_teacher<R>(
        &self,
        spec: &TeacherSpec,
        f: impl FnOnce(&mut TeacherStage) -> R,
    ) -> Result<R, PipelineError> {
        let p = self.prepared(&spec.corpus)?;
        let t = self.teacher_of(&p, spec.data_seed, spec.originals)?;
        let mut stage = t.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut stage))
    }
}

impl CellRunner for RealCellRunner {
    fn run(&self, cell: &Cell) -> Result<CellResult, SweepError> {
        let p = self.prepared(&cell.corpus).map_err(|e| cell_err(cell, e))?;
        let (all, report) = self.training_set(&p, cell)?;
        let (mut label_seconds, mut wait_seconds) = (0.0, 0.0);
        let (mut teacher_test_accuracy, mut teacher_originals) = (None, None);
        let (logits, labelled_texts) = if cell.mode == Mode::Kd {
            let texts: Vec<String> = all.examples.iter().map(|e| e.text.clone()).collect();
            let originals = self.teacher_originals(&p, cell);
            let key = (cell.data_seed(), originals);
            // Fine-tuning a teacher (once) counts as the cell's work, not as waiting.
            let teacher = self
                .teacher_of(&p, key.0, key.1)
                .map_err(|e| cell_err(cell, e))?;
            let asked = Instant::now();
            let mut t = teacher.lock().unwrap_or_else(|e| e.into_inner());
            wait_seconds = asked.elapsed().as_secs_f64();
            let (start, before) = (Instant::now(), t.labelled);
            // In chunks, each flushed to the cache: a sweep killed while labelling keeps its labels.
            let logits =
                teacher_logits(&mut t, &texts, &mut |_, _| {}).map_err(|e| cell_err(cell, e))?;
            // The teacher's own test accuracy (its test labels are cached like any other).
            teacher_test_accuracy =
                Some(Self::teacher_accuracy(&p, key, &mut t).map_err(|e| cell_err(cell, e))?);
            teacher_originals = Some(match originals {
                Size::N(n) => n,
                Size::Full => p.split.train.len(),
            });
            label_seconds = start.elapsed().as_secs_f64();
            (Some(logits), t.labelled - before)
        } else {
            (None, 0)
        };
        // The teacher's argmax on each augmented copy (after the originals, in the order of
        // `report.copy_degrees`) against its original's gold label: no extra teacher work.
        let teacher_gold_agreement = logits.as_deref().and_then(|l| {
            let originals = all.len() - report.copy_degrees.len();
            TeacherAgreement::of(
                all.examples[originals..]
                    .iter()
                    .zip(&l[originals..])
                    .zip(&report.copy_degrees)
                    .map(|((e, l), &d)| (edgekd_models::student::argmax(l) == e.label, d)),
            )
        });
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
            best_step: Some(trained.report.best_step),
            learning_rate: Some(trained.report.learning_rate),
            teacher_test_accuracy,
            teacher_originals,
            teacher_gold_agreement,
        })
    }
}
