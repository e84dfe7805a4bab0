//! The settings of the experiment engine ([`DistillConfig`], `distill.toml`) and how its augmentation
//! degree is chosen ([`Degree`], refused settings as [`DegreeError`]). The engine's errors are in
//! [`error`](super::error) (they name the checks of `validate`, which reads these settings).

use std::path::PathBuf;

use edgekd_models::backend::{select, BackendError, BackendKind};
use edgekd_models::burn::prelude::Device;
use edgekd_models::student::{StudentConfig, StudentKind};
use edgekd_shared::profile::BoardProfile;
use serde::{Deserialize, Serialize};

use crate::augment::Method;
use crate::train::teacher::TeacherTrainConfig;
use crate::train::{KdLoss, TrainConfig};

/// Settings of a distillation run (`distill.toml`; every field is also a flag of `edgekd distill`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DistillConfig {
    /// Corpus name (`rotten-tomatoes`, `tweets`, `tweets-binary`, `spam`, `pang-lee`) or `csv:PATH`.
    pub corpus: String,
    /// Text column of a user's table.
    pub text_col: String,
    /// Label column of a user's table.
    pub label_col: String,
    /// What a bad row of a user's table does: `fail` (the default) or `{ skip = { max = N } }`.
    pub bad_rows: crate::data::BadRows,
    /// Training originals after subsampling (`None`: the whole training split).
    pub train_size: Option<usize>,
    /// Fraction of the corpus held out for dev.
    pub dev_fraction: f64,
    /// Fraction of the corpus held out for test.
    pub test_fraction: f64,
    /// Seed of the split, subsample, augmentation and training.
    pub seed: u64,
    /// Unlabelled in-domain text the teacher labels for the KD student (`rest-of-train`, or a
    /// file: plain lines, or a table's `text_col`); never seen by FT.
    pub unlabeled: Option<crate::data::UnlabeledSource>,
    /// Pretrained teacher folder (`config.json`, `model.safetensors`, `tokenizer.json`); default MiniLM-L6.
    pub teacher_dir: Option<PathBuf>,
    /// Teacher fine-tuning epochs.
    pub teacher_epochs: usize,
    /// Peak learning rate of the teacher's encoder (its head gets `TeacherTrainConfig::head_lr`).
    pub teacher_lr: f64,
    /// Teacher token cap per text.
    pub teacher_max_len: usize,
    /// Stop teacher fine-tuning after this many optimizer steps (`None`: all epochs; for quick runs).
    pub teacher_max_steps: Option<usize>,
    /// Augmentation method.
    pub method: Method,
    /// Degree: a fraction, `auto` (the paper's rule by training-set size) or a short dev-set search.
    pub degree: Degree,
    /// Augmented copies per original for each candidate of the search.
    pub search_copies: usize,
    /// Augmented copies per original.
    pub copies: usize,
    /// KD temperature.
    pub temperature: f32,
    /// Weight of the hard-label loss in KD.
    pub alpha: f32,
    /// Student architecture.
    pub student_kind: StudentKind,
    /// How the student's embedding table starts: `random` or `glove` (GloVe vectors hashed into
    /// buckets, projected to `dim`; `train::word_vectors`).
    pub student_init: StudentInit,
    /// Student hashed-embedding rows.
    pub buckets: usize,
    /// Student embedding width.
    pub dim: usize,
    /// Student hidden width (bag) or channels (cnn).
    pub hidden: usize,
    /// Tokenizer features (1 words, 2 bigrams, 4 char trigrams).
    pub features: u8,
    /// Student epochs (at most).
    pub epochs: usize,
    /// Student batch size.
    pub batch_size: usize,
    /// Student learning rate.
    pub learning_rate: f64,
    /// Candidate student learning rates: every student (KD and FT alike) trains once with each and
    /// keeps the one of best dev accuracy (the first on a tie), so each mode's rate is chosen on its
    /// own dev accuracy. Empty (the default): `learning_rate` alone.
    pub learning_rates: Vec<f64>,
    /// Early-stopping patience (dev checks).
    pub patience: usize,
    /// Training examples between the students' dev checks (`None`: a check at each epoch's end).
    /// The same count for KD and FT makes early stopping independent of the copies per epoch.
    pub check_every: Option<usize>,
    /// Backend: `auto`, `wgpu`, `ndarray` or `flex`.
    pub backend: String,
    /// Also train the FT baseline on the same augmented data.
    pub train_ft: bool,
    /// Also train KD on the originals alone (to show what augmentation adds).
    pub train_kd_without_augmentation: bool,
    /// Where checkpoints, logs and results go.
    pub out_dir: PathBuf,
}

impl Default for DistillConfig {
    fn default() -> Self {
        Self {
            corpus: "rotten-tomatoes".into(),
            text_col: "text".into(),
            label_col: "label".into(),
            bad_rows: crate::data::BadRows::Fail,
            train_size: Some(2000),
            dev_fraction: 0.1,
            test_fraction: 0.2,
            seed: 1,
            unlabeled: None,
            teacher_dir: None,
            teacher_epochs: 3,
            teacher_lr: 3e-5,
            teacher_max_len: 64,
            teacher_max_steps: None,
            method: Method::Synonym,
            degree: Degree::Auto,
            search_copies: 2,
            copies: 8,
            temperature: 2.0,
            alpha: 0.5,
            student_kind: StudentKind::Bag,
            student_init: StudentInit::Random,
            // Chosen by KD dev accuracy on Rotten Tomatoes (2,000 originals, degree 0.3, 8 copies):
            // words only beat words + bigrams (70.4% vs 66.4%), and more buckets at a narrower
            // width beat fewer, wider ones at the same flash bytes (73.9% for 32768×6 against
            // 70.5% for 12288×16 and 71.4% for 16384×12).
            buckets: 32768,
            dim: 6,
            hidden: 64,
            features: 1,
            epochs: 30,
            batch_size: 64,
            learning_rate: 3e-3,
            learning_rates: Vec::new(),
            patience: 4,
            check_every: None,
            backend: "auto".into(),
            train_ft: true,
            train_kd_without_augmentation: true,
            out_dir: PathBuf::from("runs/distill"),
        }
    }
}

impl DistillConfig {
    /// The defaults with the board's choices: the student's buckets sized to `profile`'s artifact
    /// budget ([`BoardProfile::student_buckets`]).
    pub fn for_board(profile: &BoardProfile) -> Self {
        Self {
            buckets: profile.student_buckets,
            ..Self::default()
        }
    }

    /// The student's configuration for `classes` classes.
    pub fn student(&self, classes: usize) -> StudentConfig {
        StudentConfig::new(self.buckets, self.dim, classes)
            .with_kind(self.student_kind)
            .with_hidden(self.hidden)
            .with_features(self.features)
    }

    /// Trainer settings for `student` with this config's epochs, batch, learning rate, patience,
    /// dev-check interval and KD loss (temperature, α).
    pub fn train_config(&self, student: StudentConfig, seed: u64) -> TrainConfig {
        let mut t = TrainConfig::new(student);
        t.epochs = self.epochs;
        t.batch_size = self.batch_size;
        t.learning_rate = self.learning_rate;
        t.patience = self.patience;
        t.check_every = self.check_every;
        t.seed = seed;
        t.kd = KdLoss {
            temperature: self.temperature,
            alpha: self.alpha,
        };
        t
    }

    /// The student learning rates a run tries ([`Self::learning_rates`], or `learning_rate` alone).
    pub fn candidate_learning_rates(&self) -> Vec<f64> {
        match self.learning_rates.is_empty() {
            true => vec![self.learning_rate],
            false => self.learning_rates.clone(),
        }
    }

    /// The teacher's fine-tuning settings (epochs, step cap, encoder learning rate) with `seed`.
    pub fn teacher_train(&self, seed: u64) -> TeacherTrainConfig {
        TeacherTrainConfig::new()
            .with_epochs(self.teacher_epochs)
            .with_lr(self.teacher_lr)
            .with_max_steps(self.teacher_max_steps)
            .with_seed(seed)
    }

    /// The backend device, logged.
    pub fn device(&self) -> Result<(BackendKind, Device), BackendError> {
        let requested = match self.backend.as_str() {
            "auto" | "" => None,
            name => Some(name.parse()?),
        };
        let (kind, device) = select(requested)?;
        tracing::info!("backend: {kind}");
        Ok((kind, device))
    }
}

/// How a student's embedding table starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StudentInit {
    /// Seeded noise (burn's embedding initialiser).
    #[default]
    Random,
    /// GloVe word vectors hashed into buckets and projected to the student's width
    /// ([`pretrained_table`](crate::train::pretrained_table)).
    Glove,
}

/// The candidates `--degree search` tries when none are given.
pub const DEFAULT_DEGREE_CANDIDATES: [f64; 4] = [0.1, 0.3, 0.5, 0.7];

/// How the augmentation degree (the fraction of a text's word tokens each copy changes) is chosen.
/// One type from the command line (`--degree 0.3|auto|search`) and `distill.toml`
/// (`degree = 0.3`, `"auto"`, `"search"` or a list of candidates, `[0.1, 0.5]`) to the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DegreeSetting", into = "DegreeSetting")]
pub enum Degree {
    /// This fraction, in `[0, 1]`.
    Fixed(f64),
    /// The paper's rule by training-set size ([`auto_degree`](crate::augment::auto_degree)).
    Auto,
    /// A short dev-set search: a KD student per candidate, the best on dev wins (not empty, each in
    /// `[0, 1]`).
    Search(Vec<f64>),
}

/// Why a degree setting was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DegreeError {
    /// A degree outside `[0, 1]` (or not a number).
    #[error("degree {0}: expected a fraction in [0, 1]")]
    NotAFraction(f64),
    /// A word other than `auto` or `search`, or text that is not a number.
    #[error("degree {0:?}: expected a fraction in [0, 1], `auto` or `search`")]
    Unknown(String),
    /// A search without candidates.
    #[error("degree search: no candidate degrees")]
    NoCandidates,
}

impl Degree {
    /// A fixed degree, checked to be in `[0, 1]`.
    pub fn fixed(degree: f64) -> Result<Self, DegreeError> {
        if (0.0..=1.0).contains(&degree) {
            Ok(Self::Fixed(degree))
        } else {
            Err(DegreeError::NotAFraction(degree))
        }
    }

    /// A search over `candidates`, checked (not empty, each in `[0, 1]`).
    pub fn search(candidates: Vec<f64>) -> Result<Self, DegreeError> {
        if let Some(&bad) = candidates.iter().find(|d| !(0.0..=1.0).contains(*d)) {
            return Err(DegreeError::NotAFraction(bad));
        }
        if candidates.is_empty() {
            return Err(DegreeError::NoCandidates);
        }
        Ok(Self::Search(candidates))
    }

    /// This setting with search candidates given on their own (`--degree-candidates`): a search
    /// over them, unless the degree is fixed (a fixed degree ignores them).
    pub fn with_candidates(self, candidates: Vec<f64>) -> Result<Self, DegreeError> {
        match self {
            Self::Fixed(d) => Ok(Self::Fixed(d)),
            Self::Auto | Self::Search(_) => Self::search(candidates),
        }
    }
}

impl std::str::FromStr for Degree {
    type Err = DegreeError;

    /// `0.3`, `auto` or `search` (over [`DEFAULT_DEGREE_CANDIDATES`]).
    fn from_str(s: &str) -> Result<Self, DegreeError> {
        match s.trim() {
            "auto" => Ok(Self::Auto),
            "search" => Ok(Self::Search(DEFAULT_DEGREE_CANDIDATES.to_vec())),
            v => Self::fixed(
                v.parse::<f64>()
                    .map_err(|_| DegreeError::Unknown(v.to_string()))?,
            ),
        }
    }
}

/// A [`Degree`] as written in TOML: a number, a word, or a list of candidates.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum DegreeSetting {
    Fraction(f64),
    Word(String),
    Candidates(Vec<f64>),
}

impl TryFrom<DegreeSetting> for Degree {
    type Error = DegreeError;

    fn try_from(s: DegreeSetting) -> Result<Self, DegreeError> {
        match s {
            DegreeSetting::Fraction(d) => Self::fixed(d),
            DegreeSetting::Word(w) => w.parse(),
            DegreeSetting::Candidates(c) => Self::search(c),
        }
    }
}

impl From<Degree> for DegreeSetting {
    fn from(d: Degree) -> Self {
        match d {
            Degree::Fixed(d) => Self::Fraction(d),
            Degree::Auto => Self::Word("auto".into()),
            Degree::Search(c) => Self::Candidates(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_models::student::check_profile;
    use edgekd_shared::profile::PROFILES;

    #[test]
    fn degrees_parse_from_the_command_line_and_refuse_what_is_not_a_fraction() {
        assert_eq!("0.3".parse(), Ok(Degree::Fixed(0.3)));
        assert_eq!("auto".parse(), Ok(Degree::Auto));
        assert_eq!(
            "search".parse(),
            Ok(Degree::Search(DEFAULT_DEGREE_CANDIDATES.to_vec()))
        );
        assert_eq!("1.5".parse::<Degree>(), Err(DegreeError::NotAFraction(1.5)));
        assert!(matches!(
            "often".parse::<Degree>(),
            Err(DegreeError::Unknown(_))
        ));
        assert_eq!(Degree::search(vec![]), Err(DegreeError::NoCandidates));
        assert_eq!(
            Degree::search(vec![0.1, -0.2]),
            Err(DegreeError::NotAFraction(-0.2))
        );
    }

    #[test]
    fn candidates_given_alone_make_a_search_unless_the_degree_is_fixed() {
        let c = vec![0.2, 0.4];
        assert_eq!(
            Degree::Auto.with_candidates(c.clone()),
            Ok(Degree::Search(c.clone()))
        );
        assert_eq!(
            Degree::Search(vec![0.1]).with_candidates(c.clone()),
            Ok(Degree::Search(c.clone()))
        );
        assert_eq!(
            Degree::Fixed(0.3).with_candidates(c),
            Ok(Degree::Fixed(0.3))
        );
    }

    /// `distill.toml` and a run folder's `config.toml` hold the degree as a number, a word or a
    /// list, and read back what was written.
    #[test]
    fn degrees_round_trip_through_toml() {
        for degree in [
            Degree::Fixed(0.3),
            Degree::Auto,
            Degree::Search(vec![0.1, 0.5]),
        ] {
            let cfg = DistillConfig {
                degree: degree.clone(),
                ..DistillConfig::default()
            };
            let text = toml::to_string_pretty(&cfg).unwrap();
            let back: DistillConfig = toml::from_str(&text).unwrap();
            assert_eq!(back.degree, degree, "{text}");
        }
        let read = |line: &str| toml::from_str::<DistillConfig>(line).map(|c| c.degree);
        assert_eq!(
            read("degree = \"search\"").unwrap(),
            Degree::Search(DEFAULT_DEGREE_CANDIDATES.to_vec())
        );
        assert_eq!(read("").unwrap(), Degree::Auto);
        assert!(read("degree = 2.0").is_err());
        assert!(read("degree = []").is_err());
    }

    /// The board's default student fits the board: `edgekd run --profile P` without `--buckets`
    /// trains a model P can hold.
    #[test]
    fn the_default_student_of_each_board_fits_it() {
        for profile in PROFILES {
            let cfg = DistillConfig::for_board(&profile);
            assert_eq!(cfg.buckets, profile.student_buckets);
            for classes in [2, 3] {
                assert!(
                    check_profile(&cfg.student(classes), &profile).is_ok(),
                    "{} with {classes} classes",
                    profile.name
                );
            }
        }
        assert_eq!(
            DistillConfig::for_board(&PROFILES[0]),
            DistillConfig::default(),
            "the default board's student is the default student"
        );
    }
}
