//! The paper's three claims, tested on sweep results, each with a verdict, an effect size and the
//! spread over seeds.
//!
//! 1. KD prefers a larger degree than FT (≈ 0.3 against ≈ 0.1).
//! 2. KD keeps gaining from more augmented copies while FT saturates.
//! 3. Smaller training sets prefer larger degrees.
//!
//! "Best degree" is the degree with the highest mean test accuracy over seeds; the seed spread is the
//! standard deviation of the same comparison made seed by seed.

use std::collections::BTreeMap;

use super::aggregate::{Group, GroupKey, Summary};
use crate::sweep::{Method, Mode, Size};

/// Whether a claim held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It held in most comparisons and on average.
    Reproduced,
    /// It held on average but not in most comparisons, or the reverse.
    Partly,
    /// It did not hold.
    NotReproduced,
    /// The results lack the cells to test it.
    Untestable,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Reproduced => "reproduced",
            Verdict::Partly => "partly reproduced",
            Verdict::NotReproduced => "not reproduced",
            Verdict::Untestable => "not testable with these results",
        })
    }
}

/// One claim's verdict and the numbers behind it.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The claim, as the paper states it.
    pub statement: &'static str,
    /// Whether it held.
    pub verdict: Verdict,
    /// The effect size and seed spread in words and numbers.
    pub effect: String,
    /// Markdown table rows (with header) of the comparisons made.
    pub table: Vec<String>,
}

type Curve<'a> = Vec<(f64, &'a Group)>;

/// Accuracy-against-degree curves: (corpus, method, size, copies, mode) → points sorted by degree.
fn curves(
    groups: &BTreeMap<GroupKey, Group>,
) -> BTreeMap<(String, Method, Size, usize, Mode), Curve<'_>> {
    let mut out: BTreeMap<_, Curve<'_>> = BTreeMap::new();
    for (k, g) in groups {
        if k.copies > 0 {
            out.entry((k.corpus.clone(), k.method, k.size, k.copies, k.mode))
                .or_default()
                .push((k.degree(), g));
        }
    }
    out
}

/// Fewest degrees a curve needs for its best degree to mean something (a setting run at one degree
/// only, like extra numbers of copies at a fixed degree, has no degree preference).
pub const MIN_DEGREES: usize = 3;

/// The curves with at least [`MIN_DEGREES`] degrees.
fn degree_curves(
    groups: &BTreeMap<GroupKey, Group>,
) -> BTreeMap<(String, Method, Size, usize, Mode), Curve<'_>> {
    let mut c = curves(groups);
    c.retain(|_, curve| curve.len() >= MIN_DEGREES);
    c
}

/// Degree of the best mean accuracy, and per seed the degree of the best accuracy.
fn best_degree(curve: &Curve<'_>) -> Option<(f64, BTreeMap<u64, f64>)> {
    let (d, _) = curve
        .iter()
        .max_by(|a, b| a.1.test_accuracy.mean.total_cmp(&b.1.test_accuracy.mean))?;
    let mut per_seed: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for (deg, g) in curve {
        for (&seed, &acc) in &g.per_seed {
            let e = per_seed.entry(seed).or_insert((*deg, acc));
            if acc > e.1 {
                *e = (*deg, acc);
            }
        }
    }
    Some((*d, per_seed.into_iter().map(|(s, (d, _))| (s, d)).collect()))
}

fn verdict(positive: usize, total: usize, mean_effect: f64) -> Verdict {
    if total == 0 {
        Verdict::Untestable
    } else if 2 * positive > total && mean_effect > 0.0 {
        Verdict::Reproduced
    } else if 2 * positive > total || mean_effect > 0.0 {
        Verdict::Partly
    } else {
        Verdict::NotReproduced
    }
}

fn paired(a: &BTreeMap<u64, f64>, b: &BTreeMap<u64, f64>) -> Vec<f64> {
    a.iter()
        .filter_map(|(s, x)| b.get(s).map(|y| x - y))
        .collect()
}

/// Comparisons made for one claim: each effect, the same effect seed by seed, and how many held.
#[derive(Default)]
struct Tally {
    diffs: Vec<f64>,
    seed_diffs: Vec<f64>,
    positive: usize,
}

impl Tally {
    /// The claim's verdict and effect: "`held` in p of n comparisons; `measure` ±x (seed by seed …)".
    fn claim(
        self,
        statement: &'static str,
        held: &str,
        measure: &str,
        digits: usize,
        table: Vec<String>,
    ) -> Claim {
        let m = Summary::of(&self.diffs);
        let s = Summary::of(&self.seed_diffs);
        Claim {
            statement,
            verdict: verdict(self.positive, self.diffs.len(), m.mean),
            effect: format!(
                "{held} in {} of {} comparisons; {measure} {:+.digits$} (seed by seed: {:+.digits$} ± {:.digits$}, n = {})",
                self.positive,
                self.diffs.len(),
                m.mean,
                s.mean,
                s.std,
                s.n
            ),
            table,
        }
    }
}

/// Tests the three claims.
pub fn evaluate_claims(groups: &BTreeMap<GroupKey, Group>) -> Vec<Claim> {
    vec![
        kd_prefers_larger_degree(groups),
        kd_keeps_gaining(groups),
        small_sets_prefer_larger_degree(groups),
    ]
}

fn kd_prefers_larger_degree(groups: &BTreeMap<GroupKey, Group>) -> Claim {
    let c = degree_curves(groups);
    let mut table = vec![
        "| corpus | method | size | copies | best degree KD | best degree FT | KD − FT |"
            .to_string(),
        "|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut t = Tally::default();
    for ((corpus, method, size, copies, mode), kd) in &c {
        if *mode != Mode::Kd {
            continue;
        }
        let Some(ft) = c.get(&(corpus.clone(), *method, *size, *copies, Mode::Ft)) else {
            continue;
        };
        let (Some((dk, sk)), Some((df, sf))) = (best_degree(kd), best_degree(ft)) else {
            continue;
        };
        t.diffs.push(dk - df);
        t.seed_diffs.extend(paired(&sk, &sf));
        t.positive += usize::from(dk > df);
        table.push(format!(
            "| {corpus} | {method:?} | {size} | {copies} | {dk:.2} | {df:.2} | {:+.2} |",
            dk - df
        ));
    }
    t.claim(
        "KD prefers a larger degree than FT (paper: ≈ 0.3 against ≈ 0.1)",
        "KD's best degree is larger than FT's",
        "mean difference",
        3,
        table,
    )
}

fn kd_keeps_gaining(groups: &BTreeMap<GroupKey, Group>) -> Claim {
    let c = curves(groups);
    let mut by_setting: BTreeMap<(String, Method, Size, Mode), BTreeMap<usize, &Curve<'_>>> =
        BTreeMap::new();
    for ((corpus, method, size, copies, mode), curve) in &c {
        by_setting
            .entry((corpus.clone(), *method, *size, *mode))
            .or_default()
            .insert(*copies, curve);
    }
    let mut table = vec![
        "| corpus | method | size | copies | KD gain (points) | FT gain (points) | KD − FT |"
            .to_string(),
        "|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut t = Tally::default();
    // Gain from the second-largest to the largest number of copies, each mode at its best degree there.
    let gain =
        |curves: &BTreeMap<usize, &Curve<'_>>| -> Option<(usize, usize, f64, BTreeMap<u64, f64>)> {
            let mut keys: Vec<usize> = curves.keys().copied().collect();
            keys.sort_unstable();
            let (&hi, &lo) = (keys.last()?, keys.get(keys.len().checked_sub(2)?)?);
            let (best, _) = best_degree(curves[&hi])?;
            let at = |c: usize| {
                curves[&c]
                    .iter()
                    .find(|(d, _)| (*d - best).abs() < 1e-9)
                    .map(|(_, g)| *g)
            };
            let (g_hi, g_lo) = (at(hi)?, at(lo)?);
            let per_seed = g_hi
                .per_seed
                .iter()
                .filter_map(|(s, a)| g_lo.per_seed.get(s).map(|b| (*s, a - b)))
                .collect();
            Some((
                lo,
                hi,
                100.0 * (g_hi.test_accuracy.mean - g_lo.test_accuracy.mean),
                per_seed,
            ))
        };
    for ((corpus, method, size, mode), kd) in &by_setting {
        if *mode != Mode::Kd {
            continue;
        }
        let Some(ft) = by_setting.get(&(corpus.clone(), *method, *size, Mode::Ft)) else {
            continue;
        };
        let (Some((lo, hi, gk, sk)), Some((_, _, gf, sf))) = (gain(kd), gain(ft)) else {
            continue;
        };
        t.diffs.push(gk - gf);
        t.seed_diffs
            .extend(paired(&sk, &sf).into_iter().map(|v| 100.0 * v));
        t.positive += usize::from(gk > gf && gk > 0.0);
        table.push(format!(
            "| {corpus} | {method:?} | {size} | {lo} → {hi} | {gk:+.2} | {gf:+.2} | {:+.2} |",
            gk - gf
        ));
    }
    t.claim(
        "KD keeps gaining from more augmented data while FT saturates",
        "KD gains more than FT (and gains at all)",
        "mean KD − FT gain (points)",
        2,
        table,
    )
}

fn small_sets_prefer_larger_degree(groups: &BTreeMap<GroupKey, Group>) -> Claim {
    let c = degree_curves(groups);
    let mut by_setting: BTreeMap<(String, Method, usize), BTreeMap<Size, &Curve<'_>>> =
        BTreeMap::new();
    for ((corpus, method, size, copies, mode), curve) in &c {
        if *mode == Mode::Kd {
            by_setting
                .entry((corpus.clone(), *method, *copies))
                .or_default()
                .insert(*size, curve);
        }
    }
    let mut table = vec![
        "| corpus | method | copies | smallest size | its best degree | largest size | its best degree | difference |"
            .to_string(),
        "|---|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut t = Tally::default();
    for ((corpus, method, copies), sizes) in &by_setting {
        let (Some((small, cs)), Some((large, cl))) =
            (sizes.iter().next(), sizes.iter().next_back())
        else {
            continue;
        };
        if small == large {
            continue;
        }
        let (Some((ds, ss)), Some((dl, sl))) = (best_degree(cs), best_degree(cl)) else {
            continue;
        };
        t.diffs.push(ds - dl);
        t.seed_diffs.extend(paired(&ss, &sl));
        t.positive += usize::from(ds > dl);
        table.push(format!(
            "| {corpus} | {method:?} | {copies} | {small} | {ds:.2} | {large} | {dl:.2} | {:+.2} |",
            ds - dl
        ));
    }
    t.claim(
        "Smaller training sets prefer larger degrees (KD)",
        "the smallest size's best KD degree is larger than the largest size's",
        "mean difference",
        3,
        table,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::aggregate;
    use crate::sweep::{Cell, CellResult};

    /// Synthetic results in which KD peaks at 0.3 (0.5 for the small set), FT at 0.1, and KD gains
    /// with copies while FT does not.
    fn results() -> Vec<CellResult> {
        let mut out = vec![];
        for size in [Size::N(500), Size::N(2000)] {
            for mode in [Mode::Kd, Mode::Ft] {
                for copies in [4usize, 16] {
                    for degree in [0.1f32, 0.3, 0.5] {
                        for seed in 1..=3u64 {
                            let peak = match (mode, size) {
                                (Mode::Ft, _) => 0.1,
                                (Mode::Kd, Size::N(500)) => 0.5,
                                _ => 0.3,
                            };
                            let copies_gain = if mode == Mode::Kd {
                                copies as f64 * 0.002
                            } else {
                                0.0
                            };
                            let acc = 0.7 - (degree as f64 - peak).abs() * 0.1
                                + copies_gain
                                + seed as f64 * 0.001;
                            let cell = Cell {
                                corpus: "toy".into(),
                                method: Method::Synonym,
                                size,
                                copies,
                                degree,
                                mode,
                                seed,
                                data_seed: None,
                            };
                            out.push(CellResult {
                                key: cell.key(),
                                cell,
                                test_accuracy: acc,
                                test_macro_f1: acc,
                                dev_accuracy: acc,
                                realised_degree: degree as f64,
                                train_examples: 1,
                                seconds: 1.0,
                                label_seconds: 0.0,
                                wait_seconds: 0.0,
                                labelled_texts: 0,
                                test_outcomes: None,
                                best_epoch: None,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn planted_effects_are_found() {
        let claims = evaluate_claims(&aggregate(&results()));
        assert_eq!(claims.len(), 3);
        for c in &claims {
            assert_eq!(
                c.verdict,
                Verdict::Reproduced,
                "{}: {}",
                c.statement,
                c.effect
            );
        }
        assert!(claims[0].effect.contains("4 of 4"), "{}", claims[0].effect);
    }

    #[test]
    fn reversed_effects_are_not_reproduced() {
        let flipped: Vec<CellResult> = results()
            .into_iter()
            .map(|mut r| {
                r.cell.mode = if r.cell.mode == Mode::Kd {
                    Mode::Ft
                } else {
                    Mode::Kd
                };
                r.key = r.cell.key();
                r
            })
            .collect();
        let claims = evaluate_claims(&aggregate(&flipped));
        assert_eq!(claims[0].verdict, Verdict::NotReproduced);
        assert_eq!(claims[1].verdict, Verdict::NotReproduced);
    }

    #[test]
    fn missing_cells_make_a_claim_untestable() {
        let kd_only: Vec<CellResult> = results()
            .into_iter()
            .filter(|r| r.cell.mode == Mode::Kd)
            .collect();
        assert_eq!(
            evaluate_claims(&aggregate(&kd_only))[0].verdict,
            Verdict::Untestable
        );
    }
}
