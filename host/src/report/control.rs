//! Issue 17's teacher control: KD distilled from a teacher fine-tuned on exactly the student's
//! originals (the own teacher) against KD from the shared teacher (fine-tuned on a larger subsample
//! of the same draw) and against FT, at every corpus, size, copies and degree where both teachers'
//! KD cells ran, each difference with its paired-bootstrap interval ([`super::bootstrap`]), and the
//! teachers' own test accuracies side by side.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::aggregate::{Group, GroupKey, Summary};
use super::bootstrap::Resampler;
use super::estimate::Estimate;
use crate::sweep::{Method, Mode, Size, TeacherKind};

/// One setting of the control.
#[derive(Clone, Debug)]
pub struct ControlRow {
    /// Corpus.
    pub corpus: String,
    /// Augmentation method.
    pub method: Method,
    /// Training-set size.
    pub size: Size,
    /// Copies per original.
    pub copies: usize,
    /// Degree × 1000.
    pub degree_milli: u32,
    /// KD with the own teacher: test accuracy over its cells.
    pub own: Summary,
    /// KD with the shared teacher.
    pub shared: Summary,
    /// FT at the same setting, when it ran.
    pub ft: Option<Summary>,
    /// The own teachers' test accuracy (one per draw), when recorded.
    pub own_teacher: Option<Summary>,
    /// The shared teachers' test accuracy (one per draw), when recorded.
    pub shared_teacher: Option<Summary>,
    /// Originals the own teacher was fine-tuned on, when recorded.
    pub own_teacher_originals: Option<usize>,
    /// Originals the shared teacher was fine-tuned on, when recorded.
    pub shared_teacher_originals: Option<usize>,
    /// KD (own) − KD (shared), points.
    pub own_minus_shared: Estimate,
    /// KD (own) − FT, points.
    pub own_minus_ft: Option<Estimate>,
    /// KD (shared) − FT, points.
    pub shared_minus_ft: Option<Estimate>,
}

/// Every setting where KD ran with both teachers, in the groups' order.
pub fn teacher_control(groups: &BTreeMap<GroupKey, Group>) -> Vec<ControlRow> {
    let with = |k: &GroupKey, mode: Mode, teacher: TeacherKind| {
        groups.get(&GroupKey {
            mode,
            teacher,
            ..k.clone()
        })
    };
    let diff = |a: usize, b: usize| move |m: &[f64]| Some(100.0 * (m[a] - m[b]));
    groups
        .iter()
        .filter(|(k, _)| k.mode == Mode::Kd && k.teacher == TeacherKind::Own)
        .filter_map(|(k, own)| {
            let shared = with(k, Mode::Kd, TeacherKind::Shared)?;
            let ft = with(k, Mode::Ft, TeacherKind::Shared);
            let own_minus_shared = Resampler::new(&[own, shared]).estimate(&[&diff(0, 1)])[0]?;
            let (own_minus_ft, shared_minus_ft) = match ft {
                Some(ft) => {
                    let e =
                        Resampler::new(&[own, shared, ft]).estimate(&[&diff(0, 2), &diff(1, 2)]);
                    (e[0], e[1])
                }
                None => (None, None),
            };
            Some(ControlRow {
                corpus: k.corpus.clone(),
                method: k.method,
                size: k.size,
                copies: k.copies,
                degree_milli: k.degree_milli,
                own: own.test_accuracy,
                shared: shared.test_accuracy,
                ft: ft.map(|g| g.test_accuracy),
                own_teacher: own.teacher_accuracy,
                shared_teacher: shared.teacher_accuracy,
                own_teacher_originals: own.teacher_originals,
                shared_teacher_originals: shared.teacher_originals,
                own_minus_shared,
                own_minus_ft,
                shared_minus_ft,
            })
        })
        .collect()
}

/// `71.23 ± 0.45 (5)` in percent: mean ± sd over `n`.
fn percent(s: &Summary) -> String {
    format!("{} ({})", s.percent(), s.n)
}

/// A teacher's test accuracy and originals, or `—`.
fn teacher(acc: Option<Summary>, originals: Option<usize>) -> String {
    let originals = originals.map_or(String::new(), |n| format!(", {n} originals"));
    match acc {
        Some(s) => format!("{} ({} draws{originals})", s.percent(), s.n),
        None => format!("—{originals}"),
    }
}

/// The report's teacher-control section; empty when no KD cell ran with its own teacher.
pub fn control_section(groups: &BTreeMap<GroupKey, Group>) -> String {
    let any_own = groups
        .keys()
        .any(|k| k.mode == Mode::Kd && k.teacher == TeacherKind::Own);
    if !any_own {
        return String::new();
    }
    let mut md = String::from("## Teacher control\n\n");
    md.push_str(
        "KD from the **own** teacher (fine-tuned, with the draw's seed, on exactly the student's \
         originals, so that KD sees no label FT does not) against KD from the **shared** teacher (one \
         per data draw, fine-tuned on the draw's larger subsample) and against FT, at the same corpus, \
         size, copies and degree. Accuracies are mean ± sd over cells (n); differences are in points \
         with their paired-bootstrap 95% interval (`[n/a]`: none that may decide). The teachers' test \
         accuracies are one per data draw. Where the own teacher's originals equal the shared \
         teacher's, the two are the same teacher and the difference is the students' run-to-run \
         noise.\n\n",
    );
    let rows = teacher_control(groups);
    if rows.is_empty() {
        md.push_str("No setting ran KD with both teachers: nothing to compare side by side.\n\n");
        return md;
    }
    md.push_str(
        "| corpus | method | size | copies | degree | KD own % | KD shared % | FT % | own − shared (pts) [95%] | own − FT (pts) [95%] | shared − FT (pts) [95%] | own teacher test % | shared teacher test % |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let short = |e: Option<Estimate>| e.map_or("—".to_string(), |e| e.short(2));
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {:?} | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.corpus,
            r.method,
            r.size,
            r.copies,
            f64::from(r.degree_milli) / 1000.0,
            percent(&r.own),
            percent(&r.shared),
            r.ft.as_ref().map_or("—".to_string(), percent),
            r.own_minus_shared.short(2),
            short(r.own_minus_ft),
            short(r.shared_minus_ft),
            teacher(r.own_teacher, r.own_teacher_originals),
            teacher(r.shared_teacher, r.shared_teacher_originals),
        );
    }
    md.push('\n');
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::aggregate;
    use crate::sweep::{Cell, CellResult, TestOutcomes};

    /// Rotten-Tomatoes-like cells at size 500, 4 copies, degrees 0 and 0.3, 5 independent draws,
    /// each with outcomes on 100 test examples: FT gets the first 50 right, KD with the shared
    /// teacher the first 70, KD with its own teacher the first 60 (odd draws add one more right
    /// answer to every arm). The own teacher scores 0.78 and is fine-tuned on 500 originals; the shared one
    /// scores 0.84 on 2,000.
    fn results() -> Vec<CellResult> {
        let mut out = vec![];
        for degree in [0.0f32, 0.3] {
            for (mode, teacher, right) in [
                (Mode::Ft, TeacherKind::Shared, 50usize),
                (Mode::Kd, TeacherKind::Shared, 70),
                (Mode::Kd, TeacherKind::Own, 60),
            ] {
                for seed in 1..=5u64 {
                    let cell = Cell {
                        corpus: "rotten-tomatoes".into(),
                        method: Method::Synonym,
                        size: Size::N(500),
                        copies: 4,
                        degree,
                        mode,
                        seed,
                        data_seed: None,
                        teacher,
                    };
                    let right = right + seed as usize % 2;
                    let gold = vec![0usize; 100];
                    let predicted: Vec<usize> = (0..100).map(|i| usize::from(i >= right)).collect();
                    let (teacher_acc, originals) = match (mode, teacher) {
                        (Mode::Ft, _) => (None, None),
                        (_, TeacherKind::Own) => (Some(0.78), Some(500)),
                        (_, TeacherKind::Shared) => (Some(0.84), Some(2000)),
                    };
                    out.push(CellResult {
                        test_accuracy: right as f64 / 100.0,
                        train_examples: 2500,
                        test_outcomes: Some(TestOutcomes::new("t".into(), &gold, &predicted)),
                        best_epoch: Some(2),
                        teacher_test_accuracy: teacher_acc,
                        teacher_originals: originals,
                        ..CellResult::fixture(cell, 0.5)
                    });
                }
            }
        }
        out
    }

    #[test]
    fn own_and_shared_teacher_kd_and_ft_side_by_side_with_paired_intervals() {
        let groups = aggregate(&results()).unwrap();
        let rows = teacher_control(&groups);
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!((r.size, r.copies, r.degree_milli), (Size::N(500), 4, 0));
        // Own − shared: −10 points, every draw and example paired: the interval excludes 0.
        assert!((r.own_minus_shared.point + 10.0).abs() < 1e-9);
        let (lo, hi) = r.own_minus_shared.shown_interval().unwrap();
        assert!(lo < -10.0 && hi > -10.0 && hi < 0.0, "{lo} {hi}");
        assert!((r.own_minus_ft.unwrap().point - 10.0).abs() < 1e-9);
        assert!((r.shared_minus_ft.unwrap().point - 20.0).abs() < 1e-9);
        let (own_t, shared_t) = (r.own_teacher.unwrap(), r.shared_teacher.unwrap());
        assert!((own_t.mean - 0.78).abs() < 1e-12 && own_t.n == 5);
        assert!((shared_t.mean - 0.84).abs() < 1e-12);
        assert_eq!(r.shared_teacher_originals, Some(2000));
        let md = control_section(&groups);
        assert!(md.starts_with("## Teacher control"), "{md}");
        assert!(
            md.contains("| rotten-tomatoes | Synonym | 500 | 4 | 0.30 | 60.60 ± 0.55 (5) |"),
            "{md}"
        );
        assert!(md.contains("-10.00 ["), "{md}");
        assert!(md.contains("78.00 ± 0.00 (5 draws, 500 originals)"), "{md}");
        assert!(
            md.contains("84.00 ± 0.00 (5 draws, 2000 originals)"),
            "{md}"
        );
    }

    #[test]
    fn no_section_without_own_teacher_cells_and_a_note_without_a_pair() {
        let shared_only: Vec<CellResult> = results()
            .into_iter()
            .filter(|r| r.cell.teacher == TeacherKind::Shared)
            .collect();
        let groups = aggregate(&shared_only).unwrap();
        assert!(teacher_control(&groups).is_empty());
        assert_eq!(control_section(&groups), "");
        // Own-teacher KD and FT but no shared-teacher KD: the section says there is no pair.
        let unpaired: Vec<CellResult> = results()
            .into_iter()
            .filter(|r| r.cell.mode == Mode::Ft || r.cell.teacher == TeacherKind::Own)
            .collect();
        let md = control_section(&aggregate(&unpaired).unwrap());
        assert!(md.contains("No setting ran KD with both teachers"), "{md}");
    }
}
