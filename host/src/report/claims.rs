//! The paper's three claims, each tested as one statistic of test accuracies with a paired-bootstrap
//! 95% interval ([`super::bootstrap`]) and a verdict decided by that interval ([`super::verdict`]),
//! for each comparison and, pooled over a corpus's comparisons, for each corpus.
//!
//! 1. KD prefers a larger degree than FT (≈ 0.3 against ≈ 0.1). Statistic: the degree × mode
//!    interaction `(KD(d) − KD(0)) − (FT(d) − FT(0))` in accuracy points, at every degree `d` of a
//!    setting with copies whose degree-0 control ran; per corpus, its mean over settings at the
//!    paper's 0.3.
//! 2. KD keeps gaining from more augmented copies while FT saturates. Statistic: the least-squares
//!    slope of accuracy against log₂(copies), in points per doubling, KD minus FT, at a degree run with
//!    at least two numbers of copies (> 0) in both modes.
//! 3. Smaller training sets prefer larger degrees. Statistic: KD's best degree (highest mean test
//!    accuracy) at the smallest size minus at the largest, the best degrees chosen again in every
//!    replicate.
//!
//! KD's teacher (issue 17's control, [`TeacherKind`]): each claim is evaluated on the KD cells of one
//! teacher at a time (FT has none). Per corpus, claims 1 and 3 use the own-teacher KD cells (the
//! teacher fine-tuned on exactly the student's originals, so KD sees no more labels than FT) where
//! they make the comparison, else the shared teacher's; claim 2 uses the shared teacher's, else the
//! own. Every verdict and table row names its teacher.

use std::collections::{BTreeMap, BTreeSet};

use super::aggregate::{Group, GroupKey};
use super::bootstrap::{Resampler, Statistic};
use super::estimate::Estimate;
use super::verdict::{decide, Verdict};
use crate::sweep::{Method, Mode, Size, TeacherKind};

/// Claim 1's effect size: an interaction of half a point of accuracy (the report's choice).
pub const CLAIM1_POINTS: f64 = 0.5;
/// Claim 2's effect size: a quarter of a point per doubling of copies (the report's choice).
pub const CLAIM2_POINTS_PER_DOUBLING: f64 = 0.25;
/// Claim 3's effect size: 0.2 of degree, one step of the paper's rule (0.5 → 0.3 → 0.1).
pub const CLAIM3_DEGREE: f64 = 0.2;
/// The degree at which the paper locates KD's preference.
pub const PAPER_DEGREE_MILLI: u32 = 300;

/// Fewest degrees a curve needs for its best degree to mean something (a setting run at one degree
/// only, like extra numbers of copies at a fixed degree, has no degree preference).
pub const MIN_DEGREES: usize = 3;

/// The verdict on one corpus: the claim's statistic pooled (averaged) over its comparisons there.
#[derive(Clone, Debug)]
pub struct CorpusVerdict {
    /// The corpus.
    pub corpus: String,
    /// Comparisons pooled.
    pub comparisons: usize,
    /// The pooled statistic.
    pub estimate: Estimate,
    /// What its interval says.
    pub verdict: Verdict,
    /// KD's teacher in the comparisons.
    pub teacher: TeacherKind,
}

/// One claim: its statistic, a verdict per corpus, and a table of every comparison.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The claim, as the paper states it.
    pub statement: &'static str,
    /// The statistic, in words (positive when the claim holds).
    pub statistic: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// The effect size the claim means, in `unit`.
    pub claimed: f64,
    /// Digits after the point of the statistic.
    pub digits: usize,
    /// Verdict per corpus (empty when no comparison could be made).
    pub per_corpus: Vec<CorpusVerdict>,
    /// Markdown table rows (with header) of the comparisons made, each with its interval.
    pub table: Vec<String>,
}

/// A statistic owned by its comparison.
type OwnedStatistic<'a> = Box<dyn Fn(&[f64]) -> Option<f64> + 'a>;

/// The arms of one comparison and its headline statistic (on those arms' means).
struct Comparison<'a> {
    corpus: String,
    arms: Vec<&'a Group>,
    headline: OwnedStatistic<'a>,
}

/// Per corpus, the mean of its comparisons' headline statistics, resampled together.
fn per_corpus(
    comparisons: &[Comparison<'_>],
    claimed: f64,
    teacher: TeacherKind,
) -> Vec<CorpusVerdict> {
    let mut by_corpus: BTreeMap<&str, Vec<&Comparison<'_>>> = BTreeMap::new();
    for c in comparisons {
        by_corpus.entry(&c.corpus).or_default().push(c);
    }
    by_corpus
        .into_iter()
        .filter_map(|(corpus, cs)| {
            let mut arms: Vec<&Group> = vec![];
            let mut index: BTreeMap<&GroupKey, usize> = BTreeMap::new();
            let picks: Vec<Vec<usize>> = cs
                .iter()
                .map(|c| {
                    c.arms
                        .iter()
                        .map(|g| {
                            *index.entry(&g.key).or_insert_with(|| {
                                arms.push(*g);
                                arms.len() - 1
                            })
                        })
                        .collect()
                })
                .collect();
            let pooled = |m: &[f64]| -> Option<f64> {
                let mut sum = 0.0;
                for (c, pick) in cs.iter().zip(&picks) {
                    sum += (c.headline)(&pick.iter().map(|&i| m[i]).collect::<Vec<_>>())?;
                }
                Some(sum / cs.len() as f64)
            };
            let estimate = Resampler::new(&arms).estimate(&[&pooled])[0]?;
            Some(CorpusVerdict {
                corpus: corpus.to_string(),
                comparisons: cs.len(),
                verdict: decide(&estimate, claimed),
                estimate,
                teacher,
            })
        })
        .collect()
}

/// The teachers each claim prefers, in order: claims 1 and 3 the own teacher (no label KD has that
/// FT lacks), claim 2 the shared one (the copies sweep ran with it).
pub const CLAIM_TEACHERS: [[TeacherKind; 2]; 3] = [
    [TeacherKind::Own, TeacherKind::Shared],
    [TeacherKind::Shared, TeacherKind::Own],
    [TeacherKind::Own, TeacherKind::Shared],
];

/// The groups of FT and of KD with `teacher`.
fn teacher_view(
    groups: &BTreeMap<GroupKey, Group>,
    teacher: TeacherKind,
) -> BTreeMap<GroupKey, Group> {
    groups
        .iter()
        .filter(|(k, _)| k.mode == Mode::Ft || k.teacher == teacher)
        .map(|(k, g)| (k.clone(), g.clone()))
        .collect()
}

/// Tests the three claims, each per corpus on the KD cells of its preferred teacher that make a
/// comparison there ([`CLAIM_TEACHERS`]); the tables hold the comparisons of both teachers.
pub fn evaluate_claims(groups: &BTreeMap<GroupKey, Group>) -> Vec<Claim> {
    let per_teacher: BTreeMap<TeacherKind, [Claim; 3]> = [TeacherKind::Shared, TeacherKind::Own]
        .into_iter()
        .map(|t| {
            let view = teacher_view(groups, t);
            let claims = [
                kd_prefers_larger_degree(&view, t),
                kd_keeps_gaining(&view, t),
                small_sets_prefer_larger_degree(&view, t),
            ];
            (t, claims)
        })
        .collect();
    (0..3)
        .map(|i| {
            let order = CLAIM_TEACHERS[i];
            let mut claim = per_teacher[&order[0]][i].clone();
            let other = &per_teacher[&order[1]][i];
            claim.table.extend(other.table.iter().skip(2).cloned());
            let done: BTreeSet<String> =
                claim.per_corpus.iter().map(|v| v.corpus.clone()).collect();
            claim.per_corpus.extend(
                other
                    .per_corpus
                    .iter()
                    .filter(|v| !done.contains(&v.corpus))
                    .cloned(),
            );
            claim.per_corpus.sort_by(|a, b| a.corpus.cmp(&b.corpus));
            claim
        })
        .collect()
}

type Setting = (String, Method, Size, usize);

/// Groups with copies, by (corpus, method, size, copies), then mode, then degree (thousandths).
fn by_setting(
    groups: &BTreeMap<GroupKey, Group>,
) -> BTreeMap<Setting, BTreeMap<Mode, BTreeMap<u32, &Group>>> {
    let mut out: BTreeMap<Setting, BTreeMap<Mode, BTreeMap<u32, &Group>>> = BTreeMap::new();
    for (k, g) in groups.iter().filter(|(k, _)| k.copies > 0) {
        out.entry((k.corpus.clone(), k.method, k.size, k.copies))
            .or_default()
            .entry(k.mode)
            .or_default()
            .insert(k.degree_milli, g);
    }
    out
}

fn kd_prefers_larger_degree(groups: &BTreeMap<GroupKey, Group>, teacher: TeacherKind) -> Claim {
    let mut table = vec![
        "| corpus | method | size | copies | KD teacher | degree | KD gain over degree 0 (pts) | FT gain over degree 0 (pts) | KD − FT (pts) | verdict |"
            .to_string(),
        "|---|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut comparisons = vec![];
    // Arms [KD(0), KD(d), FT(0), FT(d)]; statistics in points.
    let kd_gain = |m: &[f64]| Some(100.0 * (m[1] - m[0]));
    let ft_gain = |m: &[f64]| Some(100.0 * (m[3] - m[2]));
    let interaction = move |m: &[f64]| Some(kd_gain(m)? - ft_gain(m)?);
    for ((corpus, method, size, copies), modes) in by_setting(groups) {
        let (Some(kd), Some(ft)) = (modes.get(&Mode::Kd), modes.get(&Mode::Ft)) else {
            continue;
        };
        let (Some(kd0), Some(ft0)) = (kd.get(&0), ft.get(&0)) else {
            continue;
        };
        for (&d, &kdd) in kd.range(1..) {
            let Some(&ftd) = ft.get(&d) else { continue };
            let arms = vec![*kd0, kdd, *ft0, ftd];
            let e = Resampler::new(&arms).estimate(&[&kd_gain, &ft_gain, &interaction]);
            let (Some(k), Some(f), Some(i)) = (e[0], e[1], e[2]) else {
                continue;
            };
            table.push(format!(
                "| {corpus} | {method:?} | {size} | {copies} | {teacher} | {:.2} | {} | {} | {} | {} |",
                f64::from(d) / 1000.0,
                k.short(2),
                f.short(2),
                i.short(2),
                decide(&i, CLAIM1_POINTS)
            ));
            if d == PAPER_DEGREE_MILLI {
                comparisons.push(Comparison {
                    corpus: corpus.clone(),
                    arms,
                    headline: Box::new(interaction),
                });
            }
        }
    }
    Claim {
        statement: "KD prefers a larger degree than FT (paper: ≈ 0.3 against ≈ 0.1)",
        statistic:
            "the degree × mode interaction at degree 0.3: KD's gain from degree 0 to 0.3 minus \
                    FT's, at the same size and copies",
        unit: "points",
        claimed: CLAIM1_POINTS,
        digits: 2,
        per_corpus: per_corpus(&comparisons, CLAIM1_POINTS, teacher),
        table,
    }
}

/// Least-squares weights of the slope against log₂ of `copies` (each > 0): slope = Σ wᵢ yᵢ.
fn doubling_weights(copies: &[usize]) -> Vec<f64> {
    let x: Vec<f64> = copies.iter().map(|&c| (c as f64).log2()).collect();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let sxx: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    x.iter().map(|v| (v - mean) / sxx).collect()
}

fn kd_keeps_gaining(groups: &BTreeMap<GroupKey, Group>, teacher: TeacherKind) -> Claim {
    let mut table = vec![
        "| corpus | method | size | KD teacher | degree | copies | KD slope (pts/doubling) | FT slope (pts/doubling) | KD − FT | verdict |"
            .to_string(),
        "|---|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    // (corpus, method, size, degree) → mode → copies → group.
    type ByCopies<'a> = BTreeMap<Mode, BTreeMap<usize, &'a Group>>;
    let mut settings: BTreeMap<(String, Method, Size, u32), ByCopies<'_>> = BTreeMap::new();
    for (k, g) in groups.iter().filter(|(k, _)| k.copies > 0) {
        settings
            .entry((k.corpus.clone(), k.method, k.size, k.degree_milli))
            .or_default()
            .entry(k.mode)
            .or_default()
            .insert(k.copies, g);
    }
    let mut comparisons = vec![];
    for ((corpus, method, size, d), modes) in settings {
        let (Some(kd), Some(ft)) = (modes.get(&Mode::Kd), modes.get(&Mode::Ft)) else {
            continue;
        };
        let copies: Vec<usize> = kd.keys().filter(|c| ft.contains_key(c)).copied().collect();
        if copies.len() < 2 {
            continue;
        }
        let w = doubling_weights(&copies);
        let n = copies.len();
        // Arms [KD(c₁), …, KD(cₙ), FT(c₁), …, FT(cₙ)].
        let arms: Vec<&Group> = copies
            .iter()
            .map(|c| kd[c])
            .chain(copies.iter().map(|c| ft[c]))
            .collect();
        let slope = move |m: &[f64], from: usize| {
            100.0 * w.iter().zip(&m[from..]).map(|(w, y)| w * y).sum::<f64>()
        };
        let slope_kd = {
            let s = slope.clone();
            move |m: &[f64]| Some(s(m, 0))
        };
        let slope_ft = {
            let s = slope.clone();
            move |m: &[f64]| Some(s(m, n))
        };
        let diff = move |m: &[f64]| Some(slope(m, 0) - slope(m, n));
        let stats: [Statistic<'_>; 3] = [&slope_kd, &slope_ft, &diff];
        let e = Resampler::new(&arms).estimate(&stats);
        let (Some(k), Some(f), Some(i)) = (e[0], e[1], e[2]) else {
            continue;
        };
        table.push(format!(
            "| {corpus} | {method:?} | {size} | {teacher} | {:.2} | {} | {} | {} | {} | {} |",
            f64::from(d) / 1000.0,
            copies
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            k.short(2),
            f.short(2),
            i.short(2),
            decide(&i, CLAIM2_POINTS_PER_DOUBLING)
        ));
        comparisons.push(Comparison {
            corpus,
            arms,
            headline: Box::new(diff),
        });
    }
    Claim {
        statement: "KD keeps gaining from more augmented data while FT saturates",
        statistic:
            "the slope of test accuracy against log₂(copies), KD minus FT, at the same size \
                    and degree",
        unit: "points per doubling",
        claimed: CLAIM2_POINTS_PER_DOUBLING,
        digits: 2,
        per_corpus: per_corpus(&comparisons, CLAIM2_POINTS_PER_DOUBLING, teacher),
        table,
    }
}

/// The degree (fraction) of the highest of `means`, the first one on a tie; `degrees` in thousandths.
fn best_degree(degrees: &[u32], means: &[f64]) -> Option<f64> {
    let mut best: Option<(u32, f64)> = None;
    for (&d, &m) in degrees.iter().zip(means) {
        if best.is_none_or(|(_, b)| m > b) {
            best = Some((d, m));
        }
    }
    best.map(|(d, _)| f64::from(d) / 1000.0)
}

fn small_sets_prefer_larger_degree(
    groups: &BTreeMap<GroupKey, Group>,
    teacher: TeacherKind,
) -> Claim {
    let mut table = vec![
        "| corpus | method | copies | KD teacher | smallest size | its best degree | largest size | its best degree | difference | verdict |"
            .to_string(),
        "|---|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    // (corpus, method, copies) → size → KD curve (degree → group).
    type Curve<'a> = BTreeMap<u32, &'a Group>;
    let mut settings: BTreeMap<(String, Method, usize), BTreeMap<Size, Curve<'_>>> =
        BTreeMap::new();
    for ((corpus, method, size, copies), modes) in by_setting(groups) {
        if let Some(kd) = modes.get(&Mode::Kd).filter(|c| c.len() >= MIN_DEGREES) {
            settings
                .entry((corpus, method, copies))
                .or_default()
                .insert(size, kd.clone());
        }
    }
    let mut comparisons = vec![];
    for ((corpus, method, copies), sizes) in settings {
        let (Some((small, cs)), Some((large, cl))) =
            (sizes.iter().next(), sizes.iter().next_back())
        else {
            continue;
        };
        if small == large {
            continue;
        }
        let ds: Vec<u32> = cs.keys().copied().collect();
        let dl: Vec<u32> = cl.keys().copied().collect();
        let arms: Vec<&Group> = cs.values().chain(cl.values()).copied().collect();
        let split = ds.len();
        let best_small = {
            let ds = ds.clone();
            move |m: &[f64]| best_degree(&ds, &m[..split])
        };
        let best_large = {
            let dl = dl.clone();
            move |m: &[f64]| best_degree(&dl, &m[split..])
        };
        let diff =
            move |m: &[f64]| Some(best_degree(&ds, &m[..split])? - best_degree(&dl, &m[split..])?);
        let stats: [Statistic<'_>; 3] = [&best_small, &best_large, &diff];
        let e = Resampler::new(&arms).estimate(&stats);
        let (Some(s), Some(l), Some(i)) = (e[0], e[1], e[2]) else {
            continue;
        };
        table.push(format!(
            "| {corpus} | {method:?} | {copies} | {teacher} | {small} | {:.2} | {large} | {:.2} | {} | {} |",
            s.point,
            l.point,
            i.short(2),
            decide(&i, CLAIM3_DEGREE)
        ));
        comparisons.push(Comparison {
            corpus,
            arms,
            headline: Box::new(diff),
        });
    }
    Claim {
        statement: "Smaller training sets prefer larger degrees (KD)",
        statistic: "KD's best degree at the smallest size minus at the largest, at the same copies",
        unit: "of degree",
        claimed: CLAIM3_DEGREE,
        digits: 2,
        per_corpus: per_corpus(&comparisons, CLAIM3_DEGREE, teacher),
        table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::aggregate;
    use crate::sweep::{Cell, CellResult};

    /// Synthetic results over `draws` independent data draws, in which KD peaks at degree 0.3 (0.5
    /// on the small set) and FT at 0.1, KD gains 0.5 points per doubling of copies and FT none.
    /// Each draw moves every accuracy of that draw by the same amount, and adds a little noise.
    fn results(draws: u64, data_seed: Option<u64>) -> Vec<CellResult> {
        let mut out = vec![];
        for size in [Size::N(500), Size::N(2000)] {
            for mode in [Mode::Kd, Mode::Ft] {
                for copies in [4usize, 8, 16] {
                    for degree in [0.0f32, 0.1, 0.3, 0.5] {
                        for seed in 1..=draws {
                            let peak = match (mode, size) {
                                (Mode::Ft, _) => 0.1,
                                (Mode::Kd, Size::N(500)) => 0.5,
                                _ => 0.3,
                            };
                            let per_doubling = if mode == Mode::Kd { 0.005 } else { 0.0 };
                            let noise = ((seed * 7
                                + copies as u64 * 3
                                + (degree * 10.0) as u64
                                + 2 * u64::from(mode == Mode::Kd))
                                % 5) as f64
                                * 0.0002;
                            let acc = 0.7 - (degree as f64 - peak).abs() * 0.1
                                + per_doubling * (copies as f64).log2()
                                + seed as f64 * 0.01
                                + noise;
                            let cell = Cell {
                                corpus: "toy".into(),
                                method: Method::Synonym,
                                size,
                                copies,
                                degree,
                                mode,
                                seed,
                                data_seed,
                                teacher: TeacherKind::Shared,
                            };
                            out.push(CellResult {
                                train_examples: 1,
                                ..CellResult::fixture(cell, acc)
                            });
                        }
                    }
                }
            }
        }
        out
    }

    fn verdicts(claims: &[Claim]) -> Vec<Vec<Verdict>> {
        claims
            .iter()
            .map(|c| c.per_corpus.iter().map(|v| v.verdict).collect())
            .collect()
    }

    #[test]
    fn planted_effects_are_supported_over_independent_draws() {
        let claims = evaluate_claims(&aggregate(&results(5, None)).unwrap());
        assert_eq!(verdicts(&claims), vec![vec![Verdict::Supported]; 3]);
        // Claim 1 at 0.3: KD gains 3 points (0 → 0.3) at both sizes, FT loses 1: +4 points.
        let c1 = &claims[0].per_corpus[0];
        assert!((c1.estimate.point - 4.0).abs() < 0.35, "{c1:?}");
        assert_eq!(c1.comparisons, 2 * 3);
        // Claim 2: 0.5 points per doubling; claim 3: 0.5 − 0.3.
        assert!((claims[1].per_corpus[0].estimate.point - 0.5).abs() < 0.2);
        assert!((claims[2].per_corpus[0].estimate.point - 0.2).abs() < 1e-9);
        // One row per setting and degree, each with an interval.
        assert_eq!(claims[0].table.len(), 2 + 2 * 3 * 3);
        assert!(claims[0].table[2].contains("["), "{}", claims[0].table[2]);
    }

    #[test]
    fn reversed_effects_are_not_supported() {
        let flipped: Vec<CellResult> = results(5, None)
            .into_iter()
            .map(|mut r| {
                r.cell.mode = match r.cell.mode {
                    Mode::Kd => Mode::Ft,
                    Mode::Ft => Mode::Kd,
                };
                r.key = r.cell.key();
                r
            })
            .collect();
        let claims = evaluate_claims(&aggregate(&flipped).unwrap());
        assert_eq!(claims[0].per_corpus[0].verdict, Verdict::NotSupported);
        assert_eq!(claims[1].per_corpus[0].verdict, Verdict::NotSupported);
    }

    #[test]
    fn one_draw_without_outcomes_is_inconclusive_however_clear() {
        // Five seeds of one pinned draw: the same planted effects, but no spread between draws.
        let claims = evaluate_claims(&aggregate(&results(5, Some(1))).unwrap());
        assert_eq!(verdicts(&claims), vec![vec![Verdict::Inconclusive]; 3]);
        let text = claims[0].per_corpus[0].estimate.describe("points", 2);
        assert!(text.contains("not available"), "{text}");
    }

    #[test]
    fn missing_cells_leave_a_claim_without_verdicts() {
        let kd_only: Vec<CellResult> = results(3, None)
            .into_iter()
            .filter(|r| r.cell.mode == Mode::Kd)
            .collect();
        let claims = evaluate_claims(&aggregate(&kd_only).unwrap());
        assert!(claims[0].per_corpus.is_empty());
        assert_eq!(claims[0].table.len(), 2);
        assert!(claims[1].per_corpus.is_empty());
        // Claim 3 needs KD only.
        assert_eq!(claims[2].per_corpus.len(), 1);
    }

    #[test]
    fn claims_one_and_three_use_the_own_teacher_and_claim_two_the_shared_one() {
        let shared = results(5, None);
        // Own-teacher KD cells where KD is best at degree 0 at every size (no preference for a larger
        // degree), with the same gain per doubling of copies.
        let own: Vec<CellResult> = shared
            .iter()
            .filter(|r| r.cell.mode == Mode::Kd)
            .map(|r| {
                let mut r = r.clone();
                r.cell.teacher = TeacherKind::Own;
                r.key = r.cell.key();
                r.test_accuracy = 0.7 - 0.1 * f64::from(r.cell.degree)
                    + 0.005 * (r.cell.copies as f64).log2()
                    + 0.01 * r.cell.seed as f64;
                r
            })
            .collect();
        let all: Vec<CellResult> = shared.iter().chain(&own).cloned().collect();
        let claims = evaluate_claims(&aggregate(&all).unwrap());
        let teachers: Vec<TeacherKind> = claims.iter().map(|c| c.per_corpus[0].teacher).collect();
        assert_eq!(
            teachers,
            [TeacherKind::Own, TeacherKind::Shared, TeacherKind::Own]
        );
        // Own teacher: KD loses 3 points from 0 to 0.3, FT 1: the interaction is −2 points.
        assert_eq!(claims[0].per_corpus[0].verdict, Verdict::NotSupported);
        assert!((claims[0].per_corpus[0].estimate.point + 2.0).abs() < 0.35);
        assert_eq!(claims[1].per_corpus[0].verdict, Verdict::Supported);
        // Claim 3 on the own teacher: best degree 0 at both sizes.
        assert!(claims[2].per_corpus[0].estimate.point.abs() < 1e-9);
        // The tables hold both teachers' comparisons, each naming its teacher.
        assert_eq!(claims[0].table.len(), 2 + 2 * (2 * 3 * 3));
        assert!(claims[0].table.iter().any(|r| r.contains("| own |")));
        assert!(claims[0].table.iter().any(|r| r.contains("| shared |")));
        // With shared-teacher cells only, every claim uses the shared teacher.
        let only_shared = evaluate_claims(&aggregate(&shared).unwrap());
        assert!(only_shared
            .iter()
            .all(|c| c.per_corpus[0].teacher == TeacherKind::Shared));
    }

    #[test]
    fn the_slope_weights_measure_points_per_doubling() {
        let w = doubling_weights(&[1, 2, 4, 8]);
        let y = [0.0, 1.0, 2.0, 3.0];
        let slope: f64 = w.iter().zip(y).map(|(w, y)| w * y).sum();
        assert!((slope - 1.0).abs() < 1e-12);
        assert_eq!(best_degree(&[0, 300, 500], &[0.1, 0.3, 0.3]), Some(0.3));
    }
}
