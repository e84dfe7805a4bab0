//! The teacher's agreement with the gold label against the realised degree (issue 17): per KD cell
//! with copies, the fraction of its augmented copies whose teacher argmax is the original's gold
//! label ([`crate::sweep::TeacherAgreement`]). A table by asked degree and a plot by realised degree,
//! one line per size (and teacher), each point the mean over data draws with the standard deviation.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::markdown::slug;
use super::{line_chart, ReportError, Series, Summary};
use crate::sweep::{AgreementBin, CellResult, Method, Mode, Size, TeacherKind};

/// A bin of realised degree needs this many copies in a draw to give that draw's point (fewer are
/// too noisy to plot).
pub const MIN_BIN_COPIES: usize = 20;

/// Corpus, method, size, teacher.
type Setting = (String, Method, Size, TeacherKind);

/// One draw's agreement at one asked degree: the cell with the most copies (a draw's copies at
/// fewer copies are among them; seeds of a pinned draw share them).
#[derive(Clone, Debug)]
struct DrawAgreement {
    copies: usize,
    realised: f64,
    agreement: f64,
    by_degree: Vec<AgreementBin>,
}

/// One row of the table: a setting at an asked degree, over its data draws.
#[derive(Clone, Debug, PartialEq)]
pub struct AgreementRow {
    /// Corpus.
    pub corpus: String,
    /// Augmentation method.
    pub method: Method,
    /// Training-set size.
    pub size: Size,
    /// KD's teacher.
    pub teacher: TeacherKind,
    /// The asked degree × 1000.
    pub degree_milli: u32,
    /// Mean realised degree of the copies, over draws.
    pub realised: Summary,
    /// Agreement with the gold label, over draws.
    pub agreement: Summary,
    /// Copies the teacher labelled per draw (the most copies of a draw's cells).
    pub copies: usize,
}

/// Per setting and asked degree, each draw's agreement.
fn per_draw(results: &[CellResult]) -> BTreeMap<(Setting, u32), BTreeMap<u64, DrawAgreement>> {
    let mut out: BTreeMap<(Setting, u32), BTreeMap<u64, DrawAgreement>> = BTreeMap::new();
    for r in results {
        let Some(a) = &r.teacher_gold_agreement else {
            continue;
        };
        let c = &r.cell;
        let setting = (c.corpus.clone(), c.method, c.size, c.teacher);
        let degree_milli = (f64::from(c.degree) * 1000.0).round() as u32;
        let draws = out.entry((setting, degree_milli)).or_default();
        let draw = DrawAgreement {
            copies: a.copies,
            realised: r.realised_degree,
            agreement: a.agreement,
            by_degree: a.by_degree.clone(),
        };
        match draws.get(&c.data_seed()) {
            Some(d) if d.copies >= draw.copies => {}
            _ => {
                draws.insert(c.data_seed(), draw);
            }
        }
    }
    out
}

/// The table's rows, by setting and asked degree.
pub fn agreement_rows(results: &[CellResult]) -> Vec<AgreementRow> {
    per_draw(results)
        .into_iter()
        .map(|((setting, degree_milli), draws)| {
            let of = |f: fn(&DrawAgreement) -> f64| {
                Summary::of(&draws.values().map(f).collect::<Vec<_>>())
            };
            AgreementRow {
                corpus: setting.0,
                method: setting.1,
                size: setting.2,
                teacher: setting.3,
                degree_milli,
                realised: of(|d| d.realised),
                agreement: of(|d| d.agreement),
                copies: draws.values().map(|d| d.copies).max().unwrap_or(0),
            }
        })
        .collect()
}

/// Per (corpus, method), one series per (size, teacher): per realised-degree bin, the mean over draws
/// of the draw's agreement in that bin (its copies at every asked degree pooled), with the standard
/// deviation; a draw counts in a bin where it has at least [`MIN_BIN_COPIES`] copies.
pub fn agreement_series(results: &[CellResult]) -> BTreeMap<(String, Method), Vec<Series>> {
    // Setting → draw → bin → (copies, agreeing).
    type Pooled = BTreeMap<Setting, BTreeMap<u64, BTreeMap<u32, (usize, usize)>>>;
    let mut pooled: Pooled = BTreeMap::new();
    for ((setting, _), draws) in per_draw(results) {
        for (draw, d) in draws {
            let bins = pooled
                .entry(setting.clone())
                .or_default()
                .entry(draw)
                .or_default();
            for b in &d.by_degree {
                let e = bins.entry(b.bin).or_default();
                e.0 += b.copies;
                e.1 += b.agreeing;
            }
        }
    }
    let mut out: BTreeMap<(String, Method), Vec<Series>> = BTreeMap::new();
    for ((corpus, method, size, teacher), draws) in pooled {
        let mut per_bin: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
        for bins in draws.values() {
            for (&bin, &(copies, agreeing)) in bins {
                if copies >= MIN_BIN_COPIES {
                    per_bin
                        .entry(bin)
                        .or_default()
                        .push(agreeing as f64 / copies as f64);
                }
            }
        }
        if per_bin.is_empty() {
            continue;
        }
        let (mut points, mut error) = (vec![], vec![]);
        for (bin, values) in per_bin {
            let s = Summary::of(&values);
            let middle = AgreementBin {
                bin,
                copies: 0,
                agreeing: 0,
            }
            .middle();
            points.push((middle, 100.0 * s.mean));
            error.push(100.0 * s.std);
        }
        let name = match teacher {
            TeacherKind::Shared => format!("{size} originals"),
            TeacherKind::Own => format!("{size} originals, own teacher"),
        };
        out.entry((corpus, method)).or_default().push(Series {
            name,
            points,
            error: Some(error),
        });
    }
    out
}

/// The section of report.md, with its plots (`agreement-<corpus>-<method>.png`) written into
/// `out_dir`.
pub fn agreement_section(results: &[CellResult], out_dir: &Path) -> Result<String, ReportError> {
    let mut md = String::from("## The teacher's agreement with the gold label\n\n");
    let kd_copies = results
        .iter()
        .filter(|r| r.cell.mode == Mode::Kd && r.cell.copies > 0);
    let (with, without) = kd_copies.fold((0, 0), |(w, wo), r| {
        if r.teacher_gold_agreement.is_some() {
            (w + 1, wo)
        } else {
            (w, wo + 1)
        }
    });
    if with == 0 {
        let _ = writeln!(
            md,
            "Skipped: no KD cell with augmented copies in these results records the teacher's agreement \
             with the gold label ({without} such cells were written before it was recorded; a sweep run \
             now records it in `teacher_gold_agreement`).\n"
        );
        return Ok(md);
    }
    let _ = writeln!(
        md,
        "Per KD cell with copies: the fraction of its augmented copies whose teacher argmax is the gold \
         label of the original they were made from (the soft labels KD trains on), against the copies' \
         realised degree (the proportion of word tokens actually changed). Each figure is the mean over \
         data draws ± the standard deviation (per draw, its cell with the most copies; the seeds of one \
         draw share its copies). Unchanged copies (realised degree 0) repeat their originals, which a \
         teacher fine-tuned on them has seen in training.{}\n",
        if without > 0 {
            format!(
                " {without} KD cells with copies were written before the agreement was recorded and are \
                 left out."
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        md,
        "| corpus | method | size | KD teacher | degree | realised degree | agreement % | draws | copies per draw |\n|---|---|---|---|---|---|---|---|---|"
    );
    for row in agreement_rows(results) {
        let _ = writeln!(
            md,
            "| {} | {:?} | {} | {} | {:.2} | {:.3} | {} | {} | {} |",
            row.corpus,
            row.method,
            row.size,
            row.teacher,
            f64::from(row.degree_milli) / 1000.0,
            row.realised.mean,
            row.agreement.percent(),
            row.agreement.n,
            row.copies
        );
    }
    md.push('\n');
    let _ = writeln!(
        md,
        "The plots pool each draw's copies over the asked degrees into bins of realised degree 0.1 wide \
         (a point at the bin's middle; a draw counts in a bin where it has at least {MIN_BIN_COPIES} \
         copies).\n"
    );
    for ((corpus, method), series) in agreement_series(results) {
        let name = format!(
            "agreement-{}-{}.png",
            slug(&corpus),
            slug(&format!("{method:?}"))
        );
        line_chart(
            &out_dir.join(&name),
            &format!("{corpus}, {method:?}: the teacher's agreement with the gold label"),
            "realised degree (fraction of tokens changed)",
            "teacher argmax = gold label (% of copies)",
            &series,
        )?;
        let _ = writeln!(md, "![{name}]({name})\n");
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Cell, TeacherAgreement};

    /// A KD cell's row whose copies agree with the gold label with probability `1 - degree` (40
    /// copies: half at the asked degree, half at degree + 0.1).
    fn row(size: usize, copies: usize, degree: f32, seed: u64, agree: bool) -> CellResult {
        let cell = Cell {
            corpus: "three".into(),
            method: Method::Synonym,
            size: Size::N(size),
            copies,
            degree,
            mode: Mode::Kd,
            seed,
            data_seed: None,
            teacher: TeacherKind::Shared,
        };
        let d = f64::from(degree);
        // Draw `seed` moves the agreement by a copy.
        let right = ((1.0 - d) * 40.0).round() as usize - seed as usize;
        let copies_of = (0..40).map(|i| (i < right, if i % 2 == 0 { d } else { d + 0.1 }));
        CellResult {
            test_macro_f1: 0.6,
            realised_degree: d + 0.05,
            train_examples: size * (1 + copies),
            teacher_test_accuracy: Some(0.8),
            teacher_originals: Some(2000),
            teacher_gold_agreement: if agree {
                TeacherAgreement::of(copies_of)
            } else {
                None
            },
            ..CellResult::fixture(cell, 0.7)
        }
    }

    #[test]
    fn old_rows_skip_the_section_with_a_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let md = agreement_section(&[row(500, 4, 0.3, 1, false)], dir.path()).unwrap();
        assert!(md.contains("Skipped: no KD cell"), "{md}");
        assert!(md.contains("(1 such cells were written before"), "{md}");
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }

    #[test]
    fn table_and_plot_over_draws_one_line_per_size() {
        let mut results = vec![];
        for size in [500, 2000] {
            for degree in [0.1f32, 0.3] {
                for seed in 1..=2 {
                    results.push(row(size, 4, degree, seed, true));
                }
            }
        }
        // Fewer copies of draw 1 at 500 / 0.3: the cell with more copies gives the draw's figure.
        let mut fewer = row(500, 1, 0.3, 1, true);
        if let Some(a) = fewer.teacher_gold_agreement.as_mut() {
            (a.copies, a.agreement) = (10, 0.0);
        }
        results.push(fewer);
        // An old row is left out, and said so.
        results.push(row(500, 16, 0.5, 3, false));
        let rows = agreement_rows(&results);
        assert_eq!(rows.len(), 4);
        let r = &rows[1];
        assert_eq!(
            (r.size, r.degree_milli, r.agreement.n, r.copies),
            (Size::N(500), 300, 2, 40)
        );
        // Draws 1 and 2: 27 and 26 of 40 copies agree.
        assert!((r.agreement.mean - 26.5 / 40.0).abs() < 1e-12, "{r:?}");
        assert!((r.realised.mean - 0.35).abs() < 1e-6);

        let series = agreement_series(&results);
        let lines = &series[&("three".to_string(), Method::Synonym)];
        let names: Vec<&str> = lines.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["500 originals", "2000 originals"]);
        // Bins 1..4 (degrees 0.1, 0.2 from the 0.1 cells; 0.3, 0.4 from the 0.3 cells), 20 copies each.
        let xs: Vec<f64> = lines[0]
            .points
            .iter()
            .map(|p| (p.0 * 100.0).round())
            .collect();
        assert_eq!(xs, [15.0, 25.0, 35.0, 45.0]);
        // Bin 0.1 at 500: the even copies of the degree-0.1 cells; 18 and 17 of 20 agree in draws
        // 1 and 2 (35 and 34 right, the first ones).
        assert!((lines[0].points[0].1 - 87.5).abs() < 1e-9, "{lines:?}");
        assert!(lines[0].points.iter().all(|p| (0.0..=100.0).contains(&p.1)));
        assert!(lines[0].error.as_ref().unwrap().iter().any(|e| *e > 0.0));

        let dir = tempfile::tempdir().unwrap();
        let md = agreement_section(&results, dir.path()).unwrap();
        assert!(
            md.contains(
                "| three | Synonym | 500 | shared | 0.30 | 0.350 | 66.25 ± 1.77 | 2 | 40 |"
            ),
            "{md}"
        );
        assert!(
            md.contains("1 KD cells with copies were written before"),
            "{md}"
        );
        assert!(md.contains("![agreement-three-synonym.png](agreement-three-synonym.png)"));
        let png = std::fs::read(dir.path().join("agreement-three-synonym.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
