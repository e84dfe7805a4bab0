//! What a session needs, prepared on the host from two corpora: the in-domain training texts with the
//! teacher's soft labels (as many as the updates need, in a seeded order), the replayed
//! original-domain texts mixed in, and the two evaluation splits with gold labels in the model's
//! class order. `edgekd adapt` calls it with corpora read from disk and the fine-tuned teacher;
//! the simulated-device tests call it with synthetic ones.

use std::collections::HashSet;

use edgekd_shared::artifact::Model;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::{
    interleave_replay, soft_examples, student_logits, AdaptError, AdaptPlan, EvalSet, LabelMap,
    SoftExample,
};
use crate::data::{stratified_split, stratified_subsample, Dataset};

/// Who labels the replayed original-domain texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplayLabels {
    /// The original domain's teacher.
    Teacher,
    /// The flashed student's own outputs before the session (learning without forgetting).
    Student,
    /// No replay: in-domain updates only.
    None,
}

impl std::fmt::Display for ReplayLabels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Teacher => "teacher",
            Self::Student => "student",
            Self::None => "none",
        })
    }
}

/// The splits the checkpoints evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalSplits {
    /// In-domain held-out split; original corpus's test split.
    Test,
    /// In-domain training texts left out of the updates; original corpus's dev split (for choosing
    /// settings without looking at test).
    Dev,
}

/// How a session's texts are drawn (the data flags of `edgekd adapt`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareConfig {
    /// Updates, temperature, checkpoints and finish of the session.
    pub plan: AdaptPlan,
    /// Fraction of the in-domain corpus held out for evaluation.
    pub held_out: f64,
    /// Which splits the checkpoints evaluate.
    pub evaluate: EvalSplits,
    /// At most this many texts per evaluated split (stratified subsample; 0: all).
    pub eval_limit: usize,
    /// Dev fraction of the original corpus's split (that of `edgekd run`).
    pub original_dev: f64,
    /// Test fraction of the original corpus's split.
    pub original_test: f64,
    /// Seed of the splits and subsamples.
    pub seed: u64,
    /// Seed of the order of the updates (`None`: `seed`).
    pub order_seed: Option<u64>,
    /// Who labels the replayed texts.
    pub replay: ReplayLabels,
    /// Replayed original-domain texts per in-domain text (0: none).
    pub replay_ratio: f64,
    /// Original-domain training texts to replay from (stratified subsample; 0: all).
    pub replay_pool: usize,
}

/// Teacher logits (temperature 1) of texts: `[texts.len()][classes]`.
pub type Labeller<'a> = dyn FnMut(&[String]) -> Result<Vec<Vec<f32>>, AdaptError> + 'a;

/// The corpora of a session and how the in-domain labels are named in the model.
#[derive(Clone, Copy, Debug)]
pub struct Corpora<'a> {
    /// The in-domain corpus.
    pub domain: &'a Dataset,
    /// The original domain's corpus (split as `edgekd run` split it).
    pub original: &'a Dataset,
    /// In-domain label renames onto the model's labels.
    pub map: &'a LabelMap,
}

/// Everything a session needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The stream of updates: in-domain texts with the teacher's probabilities at `plan.temperature`,
    /// replayed texts interleaved.
    pub train: Vec<SoftExample>,
    /// The in-domain evaluation split.
    pub held_out: EvalSet,
    /// The original domain's evaluation split.
    pub original: EvalSet,
    /// The session's schedule.
    pub plan: AdaptPlan,
    /// Replayed texts in the pool and who labelled them (`None` without replay).
    pub replay: Option<(usize, ReplayLabels)>,
    /// Texts of `held_out` the teacher gets right: what the student can at best learn.
    pub teacher_right: usize,
}

/// Prepares a session of `model` (which must carry an f32 head master) on `corpora`: `teacher`
/// labels the in-domain texts, `replay_teacher` the replayed ones when `cfg.replay` asks for it.
pub fn prepare(
    model: &Model<'_>,
    corpora: Corpora<'_>,
    cfg: &PrepareConfig,
    teacher: &mut Labeller<'_>,
    replay_teacher: Option<&mut Labeller<'_>>,
) -> Result<Prepared, AdaptError> {
    if model.head.is_none() {
        return Err(AdaptError::NoHead);
    }
    let model_labels: Vec<String> = model.meta.labels.iter().map(|s| s.to_string()).collect();
    let domain_to_model = corpora.map.resolve(&corpora.domain.labels, &model_labels)?;
    let split = stratified_split(corpora.domain, 0.0, cfg.held_out, cfg.seed)?;
    let original_to_model = LabelMap::default().resolve(&corpora.original.labels, &model_labels)?;
    let original_split = stratified_split(
        corpora.original,
        cfg.original_dev,
        cfg.original_test,
        cfg.seed,
    )?;

    // Only as many training texts as updates need the teacher (a stratified subsample), in a seeded
    // random order: the subsample keeps the corpus file's order, and one SGD step per text in that
    // order dragged the head to one class and then the other.
    let order_seed = cfg.order_seed.unwrap_or(cfg.seed);
    let mut train_set = match cfg.plan.updates {
        n if n > 0 && n < split.train.len() => stratified_subsample(&split.train, n, cfg.seed)?,
        _ => split.train.clone(),
    };
    shuffle(&mut train_set, order_seed);
    let teacher_texts = texts(&train_set);
    let in_domain = soft_examples(
        &teacher_texts,
        &teacher(&teacher_texts)?,
        model_labels.len(),
        cfg.plan.temperature,
    )?;
    let replayed = replay_examples(
        cfg,
        model,
        &original_split.train,
        order_seed,
        replay_teacher,
    )?;
    let (train, replay) = match replayed {
        Some((examples, by)) => (
            interleave_replay(&in_domain, &examples, cfg.replay_ratio),
            Some((examples.len(), by)),
        ),
        None => (in_domain, None),
    };
    let eval = |name: &str, ds: &Dataset, to_model: &[usize]| eval_set(cfg, name, ds, to_model);
    let (held_out, original) = match cfg.evaluate {
        EvalSplits::Test => (
            eval("in-domain held-out", &split.test, &domain_to_model)?,
            eval("original test", &original_split.test, &original_to_model)?,
        ),
        EvalSplits::Dev => {
            let used: HashSet<&str> = teacher_texts.iter().map(String::as_str).collect();
            let unused = split
                .train
                .examples
                .iter()
                .filter(|e| !used.contains(e.text.as_str()));
            let in_domain_dev = split.train.with_examples(
                format!("{}/unused", split.train.name),
                unused.cloned().collect(),
            );
            (
                eval("in-domain dev", &in_domain_dev, &domain_to_model)?,
                eval("original dev", &original_split.dev, &original_to_model)?,
            )
        }
    };
    let teacher_right = teacher(&held_out.texts)?
        .iter()
        .zip(&held_out.gold)
        .filter(|(l, &g)| edgekd_models::student::argmax(l) == g)
        .count();
    Ok(Prepared {
        train,
        held_out,
        original,
        plan: cfg.plan.clone(),
        replay,
        teacher_right,
    })
}

/// The replayed original-domain examples (and who labelled them), or `None` without replay: a
/// stratified subsample of `original_train` of `cfg.replay_pool` texts in the order of
/// `order_seed`, labelled at the plan's temperature.
fn replay_examples(
    cfg: &PrepareConfig,
    model: &Model<'_>,
    original_train: &Dataset,
    order_seed: u64,
    replay_teacher: Option<&mut Labeller<'_>>,
) -> Result<Option<(Vec<SoftExample>, ReplayLabels)>, AdaptError> {
    if cfg.replay == ReplayLabels::None || cfg.replay_ratio <= 0.0 {
        return Ok(None);
    }
    let mut pool = match cfg.replay_pool {
        n if n > 0 && n < original_train.len() => {
            stratified_subsample(original_train, n, cfg.seed)?
        }
        _ => original_train.clone(),
    };
    shuffle(&mut pool, order_seed);
    let pool_texts = texts(&pool);
    let logits = match (cfg.replay, replay_teacher) {
        (ReplayLabels::Teacher, Some(label)) => label(&pool_texts)?,
        (ReplayLabels::Teacher, None) => return Err(AdaptError::NoReplayTeacher),
        _ => student_logits(model, &pool_texts)?,
    };
    let classes = model.meta.labels.len();
    let replay = soft_examples(&pool_texts, &logits, classes, cfg.plan.temperature)?;
    Ok(Some((replay, cfg.replay)))
}

/// `ds` (at most `cfg.eval_limit` texts, a stratified subsample) with gold labels in the model's
/// class order.
fn eval_set(
    cfg: &PrepareConfig,
    name: &str,
    ds: &Dataset,
    to_model: &[usize],
) -> Result<EvalSet, AdaptError> {
    let ds = match cfg.eval_limit {
        n if n > 0 && n < ds.len() => stratified_subsample(ds, n, cfg.seed)?,
        _ => ds.clone(),
    };
    let gold = ds
        .examples
        .iter()
        .map(|e| {
            to_model
                .get(e.label)
                .copied()
                .ok_or(AdaptError::LabelIndex {
                    set: name.to_string(),
                    label: e.label,
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(EvalSet {
        name: name.into(),
        texts: texts(&ds),
        gold,
    })
}

fn shuffle(ds: &mut Dataset, seed: u64) {
    ds.examples
        .shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
}

fn texts(ds: &Dataset) -> Vec<String> {
    ds.examples.iter().map(|e| e.text.clone()).collect()
}
