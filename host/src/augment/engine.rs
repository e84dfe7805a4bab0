//! The augmentation itself, exactly as `docs/design.md` defines the degree: for a text of L word
//! tokens, min(round(p·L), eligible) positions are drawn uniformly among the eligible ones
//! (not a stop word, and the lexicon has a candidate), and each is replaced by a different word.

use super::lexicon::Lexicon;
use super::stopwords::is_stop_word;
use super::tokens::{match_case, pieces, Piece};
use crate::data::{Dataset, Example};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Degree and amount of augmentation.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AugmentConfig {
    /// Fraction p of a text's word tokens to change, in [0, 1].
    pub degree: f64,
    /// Augmented copies per original.
    pub copies: usize,
    /// Seed; copy c of example i uses an RNG derived from (seed, i, c).
    pub seed: u64,
}

/// The paper's rule for `degree = auto`: <10k training examples → 0.5, 10k–100k → 0.3,
/// >100k → 0.1.
pub fn auto_degree(train_size: usize) -> f64 {
    match train_size {
        0..10_000 => 0.5,
        10_000..=100_000 => 0.3,
        _ => 0.1,
    }
}

/// One augmented text with its realised degree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Augmented {
    /// The new text.
    pub text: String,
    /// L, the number of word tokens.
    pub words: usize,
    /// round(p·L).
    pub target: usize,
    /// Positions actually replaced: min(target, eligible).
    pub changed: usize,
}

impl Augmented {
    /// changed / L (0 for a text without words).
    pub fn realised_degree(&self) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            self.changed as f64 / self.words as f64
        }
    }

    /// Whether fewer positions than round(p·L) were eligible.
    pub fn fell_short(&self) -> bool {
        self.changed < self.target
    }
}

/// Augments one text with `rng`.
pub fn augment_text(
    text: &str,
    lexicon: &dyn Lexicon,
    degree: f64,
    rng: &mut ChaCha8Rng,
) -> Augmented {
    let ps = pieces(text);
    let mut lowers: Vec<Option<String>> = Vec::with_capacity(ps.len());
    let mut eligible = Vec::new();
    let mut words = 0usize;
    for (i, p) in ps.iter().enumerate() {
        match p {
            Piece::Word(w) => {
                words += 1;
                let lower = w.to_lowercase();
                if !is_stop_word(&lower) && lexicon.has_candidate(&lower) {
                    eligible.push(i);
                }
                lowers.push(Some(lower));
            }
            Piece::Gap(_) => lowers.push(None),
        }
    }
    let target = (degree.clamp(0.0, 1.0) * words as f64).round() as usize;
    let n = target.min(eligible.len());
    let mut chosen: Vec<usize> = rand::seq::index::sample(rng, eligible.len(), n)
        .into_iter()
        .filter_map(|j| eligible.get(j).copied())
        .collect();
    chosen.sort_unstable();
    let mut replacement: Vec<Option<String>> = vec![None; ps.len()];
    let mut changed = 0;
    for &i in &chosen {
        let (Some(Piece::Word(original)), Some(Some(lower))) = (ps.get(i), lowers.get(i)) else {
            continue;
        };
        if let Some(new) = lexicon.pick(lower, rng) {
            if let Some(slot) = replacement.get_mut(i) {
                *slot = Some(match_case(original, new));
                changed += 1;
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (p, r) in ps.iter().zip(&replacement) {
        match (p, r) {
            (_, Some(new)) => out.push_str(new),
            (Piece::Word(s) | Piece::Gap(s), None) => out.push_str(s),
        }
    }
    Augmented {
        text: out,
        words,
        target,
        changed,
    }
}

/// splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The RNG of copy `copy` of example `example`: independent of thread scheduling.
pub fn copy_rng(seed: u64, example: usize, copy: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(mix(seed) ^ example as u64) ^ copy as u64))
}

/// An augmented copy of a dataset example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AugmentedExample {
    /// Index of the original in the dataset.
    pub source: usize,
    /// Copy number, 0-based.
    pub copy: usize,
    /// The new text with the original's label.
    pub example: Example,
    /// Word tokens, target and changed positions.
    pub words: usize,
    /// round(p·L).
    pub target: usize,
    /// Positions replaced.
    pub changed: usize,
}

/// Aggregate of an augmentation run (logged by [`AugmentReport::log`]).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct AugmentReport {
    /// Lexicon name.
    pub method: String,
    /// Degree asked for.
    pub degree: f64,
    /// Copies made.
    pub copies: usize,
    /// Mean realised degree (changed / L) over copies.
    pub mean_realised_degree: f64,
    /// Fraction of copies with fewer changes than round(p·L).
    pub short_fraction: f64,
    /// Fraction of copies with no change at all.
    pub unchanged_fraction: f64,
    /// Realised degree of each copy (changed / L, 0 for a text without words), in the copies'
    /// (example, copy) order. Not serialised: the aggregates above are the report.
    #[serde(skip)]
    pub copy_degrees: Vec<f64>,
}

impl AugmentReport {
    /// Logs the report at info level.
    fn log(&self) {
        tracing::info!(
            method = %self.method,
            degree = self.degree,
            copies = self.copies,
            mean_realised_degree = self.mean_realised_degree,
            short_fraction = self.short_fraction,
            unchanged_fraction = self.unchanged_fraction,
            "augmentation"
        );
    }
}

/// `cfg.copies` augmented copies of every example, in (example, copy) order, in parallel; the
/// result does not depend on the number of threads.
pub fn augment_dataset(
    ds: &Dataset,
    lexicon: &dyn Lexicon,
    cfg: &AugmentConfig,
) -> (Vec<AugmentedExample>, AugmentReport) {
    let out: Vec<AugmentedExample> = ds
        .examples
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            (0..cfg.copies).map(move |c| {
                let mut rng = copy_rng(cfg.seed, i, c);
                let a = augment_text(&e.text, lexicon, cfg.degree, &mut rng);
                AugmentedExample {
                    source: i,
                    copy: c,
                    example: Example {
                        text: a.text,
                        label: e.label,
                    },
                    words: a.words,
                    target: a.target,
                    changed: a.changed,
                }
            })
        })
        .collect();
    let n = out.len().max(1) as f64;
    let copy_degrees: Vec<f64> = out
        .iter()
        .map(|a| {
            if a.words == 0 {
                0.0
            } else {
                a.changed as f64 / a.words as f64
            }
        })
        .collect();
    let degree_sum: f64 = copy_degrees.iter().sum();
    let report = AugmentReport {
        method: lexicon.name().to_string(),
        degree: cfg.degree,
        copies: out.len(),
        mean_realised_degree: degree_sum / n,
        short_fraction: out.iter().filter(|a| a.changed < a.target).count() as f64 / n,
        unchanged_fraction: out.iter().filter(|a| a.changed == 0).count() as f64 / n,
        copy_degrees,
    };
    report.log();
    (out, report)
}

#[cfg(test)]
mod tests {
    use super::super::lexicon::MapLexicon;
    use super::super::tokens::{pieces, Piece};
    use super::*;

    /// Every listed word maps to `<word>x` and `<word>y`.
    fn lexicon(words: &[&str]) -> MapLexicon {
        MapLexicon::new(
            "test",
            words
                .iter()
                .map(|w| (w.to_string(), vec![format!("{w}x"), format!("{w}y")])),
        )
    }

    fn words(text: &str) -> Vec<String> {
        pieces(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Word(w) => Some(w.to_string()),
                Piece::Gap(_) => None,
            })
            .collect()
    }

    const TEXT: &str = "The quick brown fox jumps over the lazy dog, and the cat sleeps.";

    #[test]
    fn degree_is_exact_when_enough_words_are_eligible() {
        let lex = lexicon(&[
            "quick", "brown", "fox", "jumps", "lazy", "dog", "cat", "sleeps",
        ]);
        let l = words(TEXT).len();
        assert_eq!(l, 13);
        for (p, want) in [(0.0, 0), (0.1, 1), (0.3, 4), (0.5, 7), (0.6, 8)] {
            for seed in 0..20 {
                let a = augment_text(TEXT, &lex, p, &mut copy_rng(seed, 0, 0));
                assert_eq!(a.target, ((p * l as f64).round() as usize), "p={p}");
                assert_eq!(a.changed, want, "p={p} seed={seed}");
                let (before, after) = (words(TEXT), words(&a.text));
                let diffs = before.iter().zip(&after).filter(|(x, y)| x != y).count();
                assert_eq!(diffs, want, "{}", a.text);
            }
        }
        // Only 8 eligible: p = 0.9 wants 12 and falls short.
        let a = augment_text(TEXT, &lex, 0.9, &mut copy_rng(1, 0, 0));
        assert_eq!((a.target, a.changed, a.fell_short()), (12, 8, true));
    }

    #[test]
    fn stop_words_and_punctuation_never_change_and_replacements_differ() {
        let lex = MapLexicon::new(
            "t",
            ["the", "and", "over", "quick", "dog"]
                .iter()
                .map(|w| (w.to_string(), vec!["zzz".to_string()])),
        );
        for seed in 0..50 {
            let a = augment_text(TEXT, &lex, 1.0, &mut copy_rng(seed, 3, 1));
            assert_eq!(a.changed, 2);
            assert_eq!(
                a.text,
                "The zzz brown fox jumps over the lazy zzz, and the cat sleeps."
            );
        }
    }

    #[test]
    fn uniform_choice_touches_every_eligible_position() {
        let lex = lexicon(&["quick", "brown", "fox", "lazy", "dog"]);
        let mut hit = std::collections::HashSet::new();
        for seed in 0..200 {
            let a = augment_text(TEXT, &lex, 0.1, &mut copy_rng(seed, 0, 0));
            for (x, y) in words(TEXT).iter().zip(words(&a.text)) {
                if *x != y {
                    assert!(y == format!("{x}x") || y == format!("{x}y"));
                    hit.insert(x.clone());
                }
            }
        }
        assert_eq!(hit.len(), 5, "{hit:?}");
    }

    #[test]
    fn keeps_case_and_handles_empty_text() {
        let lex = MapLexicon::new("t", [("great".to_string(), vec!["fine".to_string()])]);
        let a = augment_text("GREAT! Great.", &lex, 1.0, &mut copy_rng(0, 0, 0));
        assert_eq!(a.text, "FINE! Fine.");
        let e = augment_text("", &lex, 0.5, &mut copy_rng(0, 0, 0));
        assert_eq!((e.words, e.changed, e.realised_degree()), (0, 0, 0.0));
    }

    #[test]
    fn deterministic_across_thread_counts() {
        let lex = lexicon(&[
            "quick", "brown", "fox", "jumps", "lazy", "dog", "cat", "sleeps",
        ]);
        let ds = Dataset {
            name: "d".into(),
            labels: vec!["a".into(), "b".into()],
            examples: (0..64)
                .map(|i| Example {
                    text: format!("{TEXT} {i}"),
                    label: i % 2,
                })
                .collect(),
        };
        let cfg = AugmentConfig {
            degree: 0.3,
            copies: 3,
            seed: 42,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| augment_dataset(&ds, &lex, &cfg))
        };
        let (one, r1) = run(1);
        let (four, r4) = run(4);
        assert_eq!(one, four);
        assert_eq!(r1, r4);
        assert_eq!(one.len(), 192);
        assert_eq!((one[5].source, one[5].copy), (1, 2));
        assert!(one
            .iter()
            .all(|a| a.example.label == ds.examples[a.source].label));
        assert!(
            (r1.mean_realised_degree - 4.0 / 14.0).abs() < 1e-9,
            "{r1:?}"
        );
        assert_eq!(r1.short_fraction, 0.0);
        let (other, _) = augment_dataset(&ds, &lex, &AugmentConfig { seed: 43, ..cfg });
        assert_ne!(one, other);
    }

    #[test]
    fn auto_degree_follows_the_paper() {
        assert_eq!(auto_degree(500), 0.5);
        assert_eq!(auto_degree(9_999), 0.5);
        assert_eq!(auto_degree(10_000), 0.3);
        assert_eq!(auto_degree(100_000), 0.3);
        assert_eq!(auto_degree(100_001), 0.1);
    }
}
