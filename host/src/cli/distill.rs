//! `edgekd distill`: teacher, augmentation, FT and KD students, and the closing summary
//! (`terminal::DistillSummary`).

use std::path::PathBuf;

use clap::Args;
use edgekd_host::augment::Method;
use edgekd_host::pipeline::{check_run, run_checked, Degree, DistillConfig};
use edgekd_host::terminal::DistillSummary;
use edgekd_models::student::StudentKind;

/// Settings shared by `distill` and `run`: a TOML file, then flags on top of it.
#[derive(Debug, Args)]
pub struct DistillArgs {
    /// A `distill.toml` whose fields are the flags below (flags override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Corpus: rotten-tomatoes, tweets, tweets-binary, spam, pang-lee, or csv:PATH / tsv:PATH / jsonl:PATH.
    #[arg(long)]
    pub corpus: Option<String>,
    /// Text column of a user's table.
    #[arg(long)]
    pub text_col: Option<String>,
    /// Label column of a user's table.
    #[arg(long)]
    pub label_col: Option<String>,
    /// Skip bad rows of a user's table (each is reported with its line) up to MAX of them
    /// (default 100); without it the first bad row is an error.
    #[arg(long, value_name = "MAX", num_args = 0..=1, default_missing_value = "100")]
    pub skip_bad_rows: Option<usize>,
    /// Training originals after stratified subsampling (0: the whole training split).
    #[arg(long)]
    pub train_size: Option<usize>,
    /// Seed of split, subsample, augmentation and training.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Unlabelled in-domain text that the teacher labels as more KD transfer data:
    /// `rest-of-train` (the training split outside --train-size, labels unread), `lines:PATH` or
    /// PATH.txt (one text per line), a table's --text-col (csv:/tsv:/jsonl:PATH), or `spliced:N`
    /// (N texts each the start of one labelled original and the end of another).
    #[arg(long, value_name = "SOURCE")]
    pub unlabeled: Option<edgekd_host::data::UnlabeledSource>,
    /// Pretrained teacher folder (default: all-MiniLM-L6-v2 from the assets).
    #[arg(long)]
    pub teacher_dir: Option<PathBuf>,
    /// Teacher fine-tuning epochs.
    #[arg(long)]
    pub teacher_epochs: Option<usize>,
    /// Peak learning rate of the teacher's encoder.
    #[arg(long)]
    pub teacher_lr: Option<f64>,
    /// Teacher token cap per text.
    #[arg(long)]
    pub teacher_max_len: Option<usize>,
    /// Stop teacher fine-tuning after this many optimizer steps (quick runs).
    #[arg(long)]
    pub teacher_max_steps: Option<usize>,
    /// Fraction of the corpus held out for dev.
    #[arg(long)]
    pub dev_fraction: Option<f64>,
    /// Fraction of the corpus held out for test.
    #[arg(long)]
    pub test_fraction: Option<f64>,
    /// Augmentation: synonym (WordNet), knn (GloVe neighbours), mixed (both) or random.
    #[arg(long)]
    pub method: Option<Method>,
    /// Degree: a fraction of word tokens, `auto` (the paper's rule by training-set size) or `search`
    /// (a short dev-set sweep over `--degree-candidates`).
    #[arg(long)]
    pub degree: Option<Degree>,
    /// Degrees `--degree search` tries (default 0.1,0.3,0.5,0.7).
    #[arg(long, value_delimiter = ',')]
    pub degree_candidates: Option<Vec<f64>>,
    /// Augmented copies per original for each candidate of `--degree search`.
    #[arg(long)]
    pub search_copies: Option<usize>,
    /// Augmented copies per original.
    #[arg(long)]
    pub copies: Option<usize>,
    /// KD temperature.
    #[arg(long)]
    pub temperature: Option<f32>,
    /// Weight of the hard-label loss in KD.
    #[arg(long)]
    pub alpha: Option<f32>,
    /// Student architecture: bag or cnn.
    #[arg(long)]
    pub student_kind: Option<String>,
    /// How the student's embedding table starts: random or glove (GloVe vectors hashed into its
    /// buckets and projected to its width).
    #[arg(long, value_enum)]
    pub student_init: Option<edgekd_host::pipeline::StudentInit>,
    /// Student hashed-embedding rows.
    #[arg(long)]
    pub buckets: Option<usize>,
    /// Student embedding width.
    #[arg(long)]
    pub dim: Option<usize>,
    /// Student hidden width.
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Tokenizer features of the student (1 words, 2 word bigrams, 4 char trigrams; a bit set).
    #[arg(long)]
    pub features: Option<u8>,
    /// Student epochs (at most).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Student batch size.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Student learning rate (Adam).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Candidate student learning rates, comma-separated (e.g. `1e-3,3e-3,1e-2`): every student, KD
    /// and FT alike, trains with each and keeps the one of best dev accuracy on its own dev checks.
    #[arg(long, value_delimiter = ',')]
    pub learning_rates: Vec<f64>,
    /// Early-stopping patience of the students (dev checks without a better dev accuracy).
    #[arg(long)]
    pub patience: Option<usize>,
    /// Training examples between the students' dev checks (default: a check at each epoch's end);
    /// keep `--patience` × this at least an epoch's examples, or a slow start is stopped early.
    #[arg(long)]
    pub check_every: Option<usize>,
    /// Train the FT baseline too (`--train-ft false` to skip it).
    #[arg(long)]
    pub train_ft: Option<bool>,
    /// Train KD on the originals alone too, to show what augmentation adds.
    #[arg(long)]
    pub train_kd_without_augmentation: Option<bool>,
    /// Backend: auto, wgpu, ndarray or flex.
    #[arg(long)]
    pub backend: Option<String>,
    /// Output folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl DistillArgs {
    /// The config: defaults, then the TOML file, then the flags.
    pub fn resolve(&self) -> anyhow::Result<DistillConfig> {
        self.resolve_on(DistillConfig::default())
    }

    /// The config: `defaults` (the board's, for `edgekd run`), or the TOML file instead, then the
    /// flags.
    pub fn resolve_on(&self, defaults: DistillConfig) -> anyhow::Result<DistillConfig> {
        let mut c = match &self.config {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
            }
            None => defaults,
        };
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = &self.$field { c.$field = v.clone(); } )*};
        }
        set!(
            corpus,
            text_col,
            label_col,
            seed,
            teacher_epochs,
            teacher_lr,
            teacher_max_len,
            dev_fraction,
            test_fraction,
            method,
            copies,
            temperature,
            alpha,
            student_init,
            buckets,
            dim,
            hidden,
            features,
            epochs,
            batch_size,
            learning_rate,
            patience,
            train_ft,
            train_kd_without_augmentation,
            backend
        );
        if self.check_every.is_some() {
            c.check_every = self.check_every;
        }
        if !self.learning_rates.is_empty() {
            c.learning_rates = self.learning_rates.clone();
        }
        for &rate in &c.learning_rates {
            edgekd_host::train::check_learning_rate(rate)
                .map_err(|e| anyhow::anyhow!("--learning-rates: {e}"))?;
        }
        if self.skip_bad_rows.is_some() {
            c.bad_rows = edgekd_host::data::BadRows::from_flag(self.skip_bad_rows);
        }
        if let Some(n) = self.teacher_max_steps {
            c.teacher_max_steps = Some(n);
        }
        if let Some(n) = self.train_size {
            c.train_size = (n > 0).then_some(n);
        }
        if let Some(d) = &self.teacher_dir {
            c.teacher_dir = Some(d.clone());
        }
        if let Some(u) = &self.unlabeled {
            c.unlabeled = Some(u.clone());
        }
        if let Some(n) = self.search_copies {
            anyhow::ensure!(n > 0, "--search-copies must be at least 1");
            c.search_copies = n;
        }
        if let Some(d) = &self.degree {
            c.degree = d.clone();
        }
        // Candidates alone make a search (`auto` given explicitly stays `auto`).
        if let Some(v) = &self.degree_candidates {
            if self.degree != Some(Degree::Auto) {
                c.degree = c
                    .degree
                    .clone()
                    .with_candidates(v.clone())
                    .map_err(|e| anyhow::anyhow!("--degree-candidates: {e}"))?;
            }
        }
        if let Some(k) = &self.student_kind {
            c.student_kind = match k.as_str() {
                "bag" => StudentKind::Bag,
                "cnn" => StudentKind::Cnn,
                other => anyhow::bail!("--student-kind {other:?}: expected bag or cnn"),
            };
        }
        if let Some(o) = &self.out {
            c.out_dir = o.clone();
        }
        Ok(c)
    }
}

/// Runs `edgekd distill`.
pub fn run(args: DistillArgs) -> anyhow::Result<()> {
    let cfg = args.resolve()?;
    // The data is checked before the output folder (and its log) exists, as in `edgekd run`.
    let data = check_run(&cfg, None)?;
    // The detailed log goes to OUT/run.log (and to the terminal with -v), as `edgekd run`'s does.
    super::run_log::open(&cfg.out_dir)?;
    let outcome = run_checked(&cfg, data)?;
    // The settings, degree resolved, for `edgekd export OUT` (the summary's first next command).
    let config_path = cfg.out_dir.join("config.toml");
    std::fs::create_dir_all(&cfg.out_dir)?;
    std::fs::write(&config_path, toml::to_string_pretty(&outcome.config)?)?;
    print!("{}", DistillSummary::of(&outcome).render());
    Ok(())
}
