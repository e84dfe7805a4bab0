//! Writing `report.md` and its plots.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{
    aggregate, agreement_section, compare_auto, control_section, evaluate_claims, line_chart,
    ReportError, Series,
};
use crate::sweep::{CellResult, Grid, Mode, TeacherKind};

/// What the report says about how it was made.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// Title of the report.
    pub title: String,
    /// The commands that produced the results and the report.
    pub commands: Vec<String>,
    /// Which part of the full grid ran, in words.
    pub scope: String,
    /// Full grids by name (their file's), each priced from the measured cost per cell.
    pub full_grids: Vec<(String, Grid)>,
    /// Originals in each corpus's whole training split, for the full grid's `"full"` size.
    pub full_sizes: BTreeMap<String, usize>,
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// `s` lower-cased with every character but ASCII letters and digits replaced by `-` (file names).
pub(super) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Writes `report.md` and its PNG plots into `out_dir`; returns the report's path.
pub fn write_report(
    results: &[CellResult],
    out_dir: &Path,
    opts: &ReportOptions,
) -> Result<PathBuf, ReportError> {
    if results.is_empty() {
        return Err(ReportError::Empty(out_dir.display().to_string()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| write_err(out_dir, e))?;
    let groups = aggregate(results)?;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", opts.title);
    if !opts.scope.is_empty() {
        let _ = writeln!(md, "**What ran.** {}\n", opts.scope);
    }
    if !opts.commands.is_empty() {
        let _ = writeln!(
            md,
            "Reproduce with:\n\n```sh\n{}\n```\n",
            opts.commands.join("\n")
        );
    }
    let _ = writeln!(
        md,
        "{} cells in {} configurations.\n",
        results.len(),
        groups.len()
    );

    let _ = writeln!(md, "## The paper's claims\n");
    let _ = writeln!(
        md,
        "Each claim is one statistic, positive when the claim holds, with a 95% interval from a paired \
         bootstrap ({} replicates, seed {}): a replicate draws the data draws common to the compared \
         configurations with replacement and, where every cell recorded its per-example test outcomes, the \
         test examples, the same ones in every configuration. The verdict is the interval's: **supported** \
         when it excludes 0 on the claimed side, **not supported** when it excludes 0 on the other side or \
         the estimate is against the claim and the interval excludes the claimed effect size, otherwise \
         **inconclusive at this n**, with the number of draws that would make the interval exclude 0 at the \
         observed effect and spread (normal approximation). Seeds of one data draw share their data: \
         without per-example outcomes they measure the training noise only, and no verdict rests on them. \
         In the tables, each figure is followed by its interval (`[n/a]`: none that may decide). KD's \
         teacher: claims 1 and 3 use, per corpus, the KD cells whose teacher was fine-tuned on exactly \
         the student's originals (**own** teacher) where they make the comparison, else those of the \
         **shared** teacher (one per data draw, fine-tuned on a larger subsample); claim 2 uses the \
         shared teacher's, else the own; each verdict names the teacher it used.\n",
        super::REPLICATES,
        super::RNG_SEED
    );
    for claim in evaluate_claims(&groups) {
        let _ = writeln!(
            md,
            "### {}\n\nStatistic: {} ({}; the claimed effect size is {} {}).\n",
            claim.statement, claim.statistic, claim.unit, claim.claimed, claim.unit
        );
        if claim.per_corpus.is_empty() {
            let _ = writeln!(md, "No comparison in these results tests it.\n");
        }
        for v in &claim.per_corpus {
            let _ = writeln!(
                md,
                "- **{}: {}.** {:+.digits$} {} ({}, KD with the {} teacher); {}.",
                v.corpus,
                v.verdict,
                v.estimate.point,
                claim.unit,
                match v.comparisons {
                    1 => "1 comparison".to_string(),
                    n => format!("mean of {n} comparisons"),
                },
                v.teacher,
                v.estimate.describe(claim.unit, claim.digits),
                digits = claim.digits
            );
        }
        md.push('\n');
        if claim.table.len() > 2 {
            for row in &claim.table {
                let _ = writeln!(md, "{row}");
            }
            md.push('\n');
        }
    }

    md.push_str(&control_section(&groups));
    md.push_str(&agreement_section(results, out_dir)?);

    let _ = writeln!(md, "## `degree = auto` against the oracle degree (KD)\n");
    let _ = writeln!(
        md,
        "The rule: < 10k training inputs → 0.5, 10k–100k → 0.3, more → 0.1 (snapped to the grid). The dev \
         choice: the degree with the best mean dev accuracy. The oracle: the best mean test accuracy. \
         Each miss is followed by its 95% interval (the oracle chosen again in each replicate).\n"
    );
    let _ = writeln!(
        md,
        "| corpus | method | size | copies | KD teacher | rule degree | rule acc | dev degree | dev acc | oracle degree | oracle acc | rule miss (pts) [95%] | dev miss (pts) [95%] |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let autos = compare_auto(&groups);
    for a in &autos {
        let _ = writeln!(
            md,
            "| {} | {:?} | {} | {} | {} | {:.2} | {:.2}% | {:.2} | {:.2}% | {:.2} | {:.2}% | {} | {} |",
            a.corpus,
            a.method,
            a.size,
            a.copies,
            a.teacher,
            a.rule.0,
            100.0 * a.rule.1,
            a.dev.0,
            100.0 * a.dev.1,
            a.oracle.0,
            100.0 * a.oracle.1,
            a.rule_miss_estimate.short(2),
            a.dev_miss_estimate.short(2)
        );
    }
    let within =
        |f: fn(&super::AutoComparison) -> f64| autos.iter().filter(|a| f(a) <= 0.5).count();
    let _ = writeln!(
        md,
        "\nThe rule is within 0.5 points of the oracle in {} of {} settings (worst miss {:.2} points); the dev \
         choice in {} of {} (worst miss {:.2} points).\n",
        within(|a| a.rule_miss()),
        autos.len(),
        autos.iter().map(|a| a.rule_miss()).fold(0.0, f64::max),
        within(|a| a.dev_miss()),
        autos.len(),
        autos.iter().map(|a| a.dev_miss()).fold(0.0, f64::max),
    );

    let _ = writeln!(md, "## Plots\n");
    for plot in draw_plots(&groups, out_dir)? {
        let _ = writeln!(md, "![{0}]({0})\n", plot);
    }

    let _ = writeln!(md, "## All configurations (mean ± std over seeds)\n");
    let _ = writeln!(
        md,
        "| corpus | method | size | copies | degree | mode | KD teacher | test acc % | test macro-F1 % | dev acc % | realised degree | seeds | s/cell |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for (k, g) in &groups {
        let _ = writeln!(
            md,
            "| {} | {:?} | {} | {} | {:.2} | {:?} | {} | {} | {} | {} | {:.3} | {} | {:.1} |",
            k.corpus,
            k.method,
            k.size,
            k.copies,
            k.degree(),
            k.mode,
            match k.mode {
                Mode::Kd => k.teacher.to_string(),
                Mode::Ft => "—".to_string(),
            },
            g.test_accuracy.percent(),
            g.test_macro_f1.percent(),
            g.dev_accuracy.percent(),
            g.realised_degree.mean,
            g.test_accuracy.n,
            g.seconds.mean
        );
    }
    md.push_str(&super::learning_rates::learning_rate_section(results));
    md.push_str(&cost_section(results, opts));
    let path = out_dir.join("report.md");
    std::fs::write(&path, md).map_err(|e| write_err(&path, e))?;
    Ok(path)
}

/// Accuracy against degree (KD and FT, each number of copies) and against copies (each mode at its best
/// degree for the most copies), one pair of plots per corpus, method and size. Returns the file names.
fn draw_plots(
    groups: &BTreeMap<super::GroupKey, super::Group>,
    out_dir: &Path,
) -> Result<Vec<String>, ReportError> {
    type Setting = (String, crate::sweep::Method, crate::sweep::Size);
    let mut by_setting: BTreeMap<Setting, Vec<&super::Group>> = BTreeMap::new();
    for (k, g) in groups {
        by_setting
            .entry((k.corpus.clone(), k.method, k.size))
            .or_default()
            .push(g);
    }
    let mut files = vec![];
    for ((corpus, method, size), gs) in by_setting {
        let mut lines: BTreeMap<(Mode, TeacherKind, usize), Series> = BTreeMap::new();
        for g in gs.iter().filter(|g| g.key.copies > 0) {
            let s = lines
                .entry((g.key.mode, g.key.teacher, g.key.copies))
                .or_insert_with(|| Series {
                    name: format!(
                        "{}, {} copies",
                        arm_name(g.key.mode, g.key.teacher),
                        g.key.copies
                    ),
                    points: vec![],
                    error: Some(vec![]),
                });
            s.points
                .push((g.key.degree(), 100.0 * g.test_accuracy.mean));
            if let Some(e) = s.error.as_mut() {
                e.push(100.0 * g.test_accuracy.std);
            }
        }
        lines.retain(|_, s| s.points.len() >= super::claims::MIN_DEGREES);
        let base = format!(
            "{}-{}-{}",
            slug(&corpus),
            slug(&format!("{method:?}")),
            size
        );
        if !lines.is_empty() {
            let name = format!("degree-{base}.png");
            let title =
                format!("{corpus}, {method:?}, {size} examples: test accuracy against degree");
            line_chart(
                &out_dir.join(&name),
                &title,
                "degree (fraction of tokens changed)",
                "test accuracy (%)",
                &lines.into_values().collect::<Vec<_>>(),
            )?;
            files.push(name);
        }
        let mut copies_lines = vec![];
        for (mode, teacher) in [
            (Mode::Kd, TeacherKind::Shared),
            (Mode::Kd, TeacherKind::Own),
            (Mode::Ft, TeacherKind::Shared),
        ] {
            let of_mode: Vec<&&super::Group> = gs
                .iter()
                .filter(|g| g.key.mode == mode && g.key.teacher == teacher)
                .collect();
            let Some(max_copies) = of_mode.iter().map(|g| g.key.copies).max() else {
                continue;
            };
            let Some(best) = of_mode
                .iter()
                .filter(|g| g.key.copies == max_copies)
                .max_by(|a, b| a.test_accuracy.mean.total_cmp(&b.test_accuracy.mean))
            else {
                continue;
            };
            let degree = best.key.degree_milli;
            let mut pts: Vec<(f64, f64, f64)> = of_mode
                .iter()
                .filter(|g| g.key.copies == 0 || g.key.degree_milli == degree)
                .map(|g| {
                    (
                        g.key.copies as f64,
                        100.0 * g.test_accuracy.mean,
                        100.0 * g.test_accuracy.std,
                    )
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            copies_lines.push(Series {
                name: format!(
                    "{} at degree {:.2}",
                    arm_name(mode, teacher),
                    f64::from(degree) / 1000.0
                ),
                points: pts.iter().map(|p| (p.0, p.1)).collect(),
                error: Some(pts.iter().map(|p| p.2).collect()),
            });
        }
        if copies_lines.iter().any(|s| s.points.len() > 1) {
            let name = format!("copies-{base}.png");
            let title =
                format!("{corpus}, {method:?}, {size} examples: test accuracy against copies");
            line_chart(
                &out_dir.join(&name),
                &title,
                "augmented copies per original",
                "test accuracy (%)",
                &copies_lines,
            )?;
            files.push(name);
        }
    }
    Ok(files)
}

/// A line's name: `Kd`, `Kd (own teacher)` or `Ft` (the shared teacher's KD keeps the old name).
fn arm_name(mode: Mode, teacher: TeacherKind) -> String {
    match (mode, teacher) {
        (Mode::Kd, TeacherKind::Own) => "Kd (own teacher)".to_string(),
        _ => format!("{mode:?}"),
    }
}

/// Measured cost per cell (student training and teacher labelling apart), and what the full grid would
/// cost at those rates.
fn cost_section(results: &[CellResult], opts: &ReportOptions) -> String {
    let mut md = String::from("\n## Cost\n\n");
    let total: f64 = results.iter().map(|r| r.seconds).sum();
    let train_secs = |r: &CellResult| (r.seconds - r.label_seconds - r.wait_seconds).max(0.0);
    // Least squares: training seconds ≈ a + b · training examples.
    let n = results.len() as f64;
    let (sx, sy) = results.iter().fold((0.0, 0.0), |(sx, sy), r| {
        (sx + r.train_examples as f64, sy + train_secs(r))
    });
    let (mx, my) = (sx / n, sy / n);
    let (sxy, sxx) = results.iter().fold((0.0, 0.0), |(a, b), r| {
        let dx = r.train_examples as f64 - mx;
        (a + dx * (train_secs(r) - my), b + dx * dx)
    });
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let a = my - b * mx;
    let labelled: usize = results.iter().map(|r| r.labelled_texts).sum();
    let label_secs: f64 = results.iter().map(|r| r.label_seconds).sum();
    let wait_secs: f64 = results.iter().map(|r| r.wait_seconds).sum();
    let rate = (label_secs > 0.0).then(|| labelled as f64 / label_secs);
    let _ = writeln!(
        md,
        "{} cells took {:.2} hours of work in all ({:.2} hours more were cells waiting for the teacher \
         while another cell used it): the teacher labelled {} texts the cache lacked in {:.2} hours ({}), \
         and the students trained in {:.2} hours. Student training, fitted: {:.1} s + {:.3} ms per \
         training example per cell.\n",
        results.len(),
        (total - wait_secs) / 3600.0,
        wait_secs / 3600.0,
        labelled,
        label_secs / 3600.0,
        rate.map_or("no labelling".into(), |r| format!("{r:.1} texts/s")),
        results.iter().map(train_secs).sum::<f64>() / 3600.0,
        a,
        1000.0 * b
    );
    if opts.full_grids.is_empty() {
        return md;
    }
    let mut originals: BTreeMap<String, usize> = opts.full_sizes.clone();
    for r in results
        .iter()
        .filter(|r| r.cell.size == crate::sweep::Size::Full)
    {
        originals.insert(
            r.cell.corpus.clone(),
            r.train_examples / (1 + r.cell.copies),
        );
    }
    for (name, grid) in &opts.full_grids {
        let load = grid_load(grid, &originals);
        let cell_secs: Vec<f64> = load
            .train_examples
            .iter()
            .map(|&x| a + b * x as f64)
            .collect();
        let train_total: f64 = cell_secs.iter().sum();
        let largest_cell = cell_secs.iter().copied().fold(0.0f64, f64::max);
        let texts = load.texts_to_label;
        let _ = writeln!(
            md,
            "The full grid (`{name}`, {} cells{}) would take about {:.1} hours of student training at this \
             rate, and the teacher would label about {} texts{}.\n",
            load.cells,
            if load.unknown > 0 {
                format!(
                    ", not counting {} cells of unknown size: give the corpus's training split with \
                     `--full-size NAME=N`",
                    load.unknown
                )
            } else {
                String::new()
            },
            train_total / 3600.0,
            texts,
            rate.map_or(String::new(), |r| format!(
                " ({:.1} hours at {r:.1} texts/s)",
                texts as f64 / r / 3600.0
            )),
        );
        let work = train_total + rate.map_or(0.0, |r| texts as f64 / r);
        let on = |nodes: f64| (work / nodes).max(largest_cell) / 3600.0;
        let _ = writeln!(
            md,
            "On a cluster (`edgekd slurm submit`, docs/cluster.md), with cells and label chunks spread \
             evenly over nodes that each work at this machine's rates (the largest cell, {:.2} hours, \
             bounds it from below): {:.2} hours on 1 node, {:.2} hours on 8 nodes, {:.2} hours on 64 \
             nodes.\n",
            largest_cell / 3600.0,
            on(1.0),
            on(8.0),
            on(64.0)
        );
    }
    md
}

/// What a grid asks for, from its cells alone (nothing measured): the priced part of the report's
/// cost section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridLoad {
    /// Cells of the grid.
    pub cells: usize,
    /// Of those, cells of size `"full"` on a corpus whose training split is not known (not counted
    /// below).
    pub unknown: usize,
    /// Training examples (originals and copies) of each counted cell, in the grid's order.
    pub train_examples: Vec<usize>,
    /// Texts the teachers must label: per (corpus, method, size, degree > 0, data draw, teacher)
    /// the copies of its cell with the most copies. The originals and each teacher's test split are
    /// few beside them and are not counted; degree-0 copies repeat their originals; an own teacher
    /// labels its cells' copies again.
    pub texts_to_label: usize,
}

/// The load of `grid`, with `originals[corpus]` originals in each corpus's whole training split (for
/// the size `"full"`).
pub fn grid_load(grid: &Grid, originals: &BTreeMap<String, usize>) -> GridLoad {
    let cells = grid.cells();
    let (mut unknown, mut train_examples) = (0, vec![]);
    type LabelSet = (String, String, usize, u32, u64, TeacherKind);
    let mut to_label: BTreeMap<LabelSet, usize> = BTreeMap::new();
    for cell in &cells {
        let size = match cell.size {
            crate::sweep::Size::N(n) => Some(n),
            crate::sweep::Size::Full => originals.get(&cell.corpus).copied(),
        };
        let Some(s) = size else {
            unknown += 1;
            continue;
        };
        train_examples.push(s * (1 + cell.copies));
        if cell.mode == Mode::Kd && cell.degree > 0.0 {
            let key = (
                cell.corpus.clone(),
                format!("{:?}", cell.method),
                s,
                (cell.degree * 1000.0).round() as u32,
                cell.data_seed(),
                cell.teacher,
            );
            let e = to_label.entry(key).or_default();
            *e = (*e).max(s * cell.copies);
        }
    }
    GridLoad {
        cells: cells.len(),
        unknown,
        train_examples,
        texts_to_label: to_label.values().sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Cell, Method, Size, TeacherKind};

    #[test]
    fn writes_report_with_claims_tables_and_plots() {
        let mut results = vec![];
        for (mode, peak) in [(Mode::Kd, 0.3f32), (Mode::Ft, 0.1)] {
            for copies in [0usize, 4, 16] {
                for degree in [0.0f32, 0.1, 0.3, 0.5] {
                    for seed in 1..=2 {
                        let d = if copies == 0 { 0.0 } else { degree };
                        let cell = Cell {
                            corpus: "toy".into(),
                            method: Method::Synonym,
                            size: Size::N(500),
                            copies,
                            degree: d,
                            mode,
                            seed,
                            data_seed: None,
                            teacher: TeacherKind::Shared,
                        };
                        // Each seed is its own data draw, which moves every accuracy by a point.
                        let acc = 0.6
                            + 0.1 * (1.0 - (d - peak).abs()) as f64
                            + 0.001 * copies as f64
                            + 0.01 * seed as f64;
                        results.push(CellResult {
                            seconds: 1.0 + copies as f64,
                            ..CellResult::fixture(cell, acc)
                        });
                    }
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let opts = ReportOptions {
            title: "Test".into(),
            scope: "toy".into(),
            ..Default::default()
        };
        let path = write_report(&results, dir.path(), &opts).unwrap();
        let md = std::fs::read_to_string(path).unwrap();
        // Two seeds of each draw (the seed is the draw here): each claim has a verdict with an interval.
        assert!(md.contains("- **toy: supported.**"), "{md}");
        assert!(md.contains("paired bootstrap over 2 data draws"), "{md}");
        assert!(md.contains("degree-toy-synonym-500.png"));
        assert!(dir.path().join("copies-toy-synonym-500.png").exists());
        assert!(md.contains("| toy | Synonym | 500 | 4 | 0.30 | Kd | shared |"));
        assert!(md.contains("| toy | Synonym | 500 | 4 | 0.30 | Ft | — |"));
        // Shared-teacher cells only: every verdict names that teacher, and no control section.
        assert!(md.contains("KD with the shared teacher"), "{md}");
        assert!(!md.contains("## Teacher control"), "{md}");
        assert!(write_report(&[], dir.path(), &opts).is_err());
    }

    #[test]
    fn cost_separates_labelling_from_training_and_prices_the_full_grid() {
        let cell = |copies: usize, degree: f32| Cell {
            corpus: "toy".into(),
            method: Method::Synonym,
            size: Size::N(500),
            copies,
            degree,
            mode: Mode::Kd,
            seed: 1,
            data_seed: None,
            teacher: TeacherKind::Shared,
        };
        // 1,000 texts labelled in 10 s (100 texts/s); 2 s of training each; 3 s waiting.
        let results: Vec<CellResult> = [(0, 0.0), (4, 0.3)]
            .into_iter()
            .map(|(copies, degree)| CellResult {
                seconds: 15.0,
                label_seconds: 10.0,
                wait_seconds: 3.0,
                labelled_texts: 1000,
                ..CellResult::fixture(cell(copies, degree), 0.7)
            })
            .collect();
        let grid = Grid::from_toml(
            "corpora = [\"toy\"]\nmethods = [\"synonym\"]\nsizes = [500, \"full\"]\ncopies = [0, 4]\n\
             degrees = [0.0, 0.3]\nmodes = [\"kd\"]\nseeds = [1]\n",
        )
        .unwrap();
        let opts = ReportOptions {
            full_grids: vec![("full-grid.toml".into(), grid)],
            full_sizes: [("toy".to_string(), 1000)].into(),
            ..Default::default()
        };
        let md = cost_section(&results, &opts);
        assert!(md.contains("labelled 2000 texts the cache lacked"), "{md}");
        assert!(md.contains("(100.0 texts/s)"), "{md}");
        assert!(md.contains("(0.00 hours more were cells waiting"), "{md}");
        // Only the degree-0.3 copies need labels: 500 × 4 + 1000 × 4 texts, at 100 texts/s.
        assert!(
            md.contains("The full grid (`full-grid.toml`, 6 cells)"),
            "{md}"
        );
        assert!(
            md.contains("label about 6000 texts (0.0 hours at 100.0 texts/s)"),
            "{md}"
        );
        // Training (2 s per cell, the fit is flat) and 60 s of labelling, over 1, 8 and 64 nodes.
        assert!(
            md.contains("0.02 hours on 1 node, 0.00 hours on 8 nodes, 0.00 hours on 64 nodes"),
            "{md}"
        );
    }

    #[test]
    fn the_new_grids_are_priced_from_their_cells() {
        let grid = |text: &str| Grid::from_toml(text).unwrap();
        let degree = grid(include_str!(
            "../../../docs/results/paper-sweep/multi-degree.toml"
        ));
        let amount = grid(include_str!(
            "../../../docs/results/paper-sweep/multi-amount.toml"
        ));
        // Without the corpora's sizes, the "full" cells are not priced (and said to be unknown).
        let none = grid_load(&degree, &BTreeMap::new());
        assert_eq!((none.cells, none.unknown), (780, 260));
        // The training splits of the cached corpora (the split of `edgekd distill`'s defaults).
        let sizes: BTreeMap<String, usize> =
            [("tweets".to_string(), 26_710), ("spam".to_string(), 4_232)].into();
        let d = grid_load(&degree, &sizes);
        assert_eq!((d.cells, d.unknown, d.train_examples.len()), (780, 0, 780));
        // Per corpus: (500 + 2,000 + full) × 4 copies × 5 degrees > 0 × 2 methods × 5 draws.
        assert_eq!(d.texts_to_label, (29_210 + 6_732) * 4 * 5 * 2 * 5);
        assert_eq!(d.texts_to_label, 7_188_400);
        // (500 + 2,000) × 16 copies × 2 methods × 5 draws, per corpus.
        let a = grid_load(&amount, &sizes);
        assert_eq!((a.cells, a.texts_to_label), (240, 800_000));
        // With "full" added: the whole training splits at 16 copies as well.
        let mut full = amount.clone();
        full.sizes.push(Size::Full);
        assert_eq!(
            grid_load(&full, &sizes).texts_to_label,
            800_000 + (26_710 + 4_232) * 16 * 2 * 5
        );
        // The cost section prices each grid given, by name.
        let opts = ReportOptions {
            full_grids: vec![
                ("multi-degree.toml".into(), degree),
                ("multi-amount.toml".into(), amount),
            ],
            full_sizes: sizes,
            ..Default::default()
        };
        let results = vec![three_class_row(Mode::Kd, 4, 0.3, 1, 0)];
        let md = cost_section(&results, &opts);
        assert!(
            md.contains("The full grid (`multi-degree.toml`, 780 cells)")
                && md.contains("label about 7188400 texts"),
            "{md}"
        );
        assert!(
            md.contains("The full grid (`multi-amount.toml`, 240 cells)")
                && md.contains("label about 800000 texts"),
            "{md}"
        );
    }

    /// A cell of a three-class corpus ("three": negative / neutral / positive), scored as the cell
    /// runner scores it: [`Metrics::compute`] and [`TestOutcomes::new`] on 90 test examples (30 a
    /// class), the student missing the `wrong` first neutral ones (it says "negative").
    fn three_class_row(
        mode: Mode,
        copies: usize,
        degree: f32,
        seed: u64,
        wrong: usize,
    ) -> CellResult {
        use crate::pipeline::Metrics;
        let labels: Vec<String> = ["negative", "neutral", "positive"].map(String::from).into();
        let gold: Vec<usize> = (0..90).map(|i| i / 30).collect();
        let predicted: Vec<usize> = gold
            .iter()
            .enumerate()
            .map(|(i, &g)| if g == 1 && i - 30 < wrong { 0 } else { g })
            .collect();
        let m = Metrics::compute(&labels, &gold, &predicted);
        let cell = Cell {
            corpus: "three".into(),
            method: Method::Knn,
            size: Size::N(500),
            copies,
            degree,
            mode,
            seed,
            data_seed: None,
            teacher: TeacherKind::Own,
        };
        CellResult {
            test_macro_f1: m.macro_f1,
            seconds: 2.0,
            label_seconds: 1.0,
            labelled_texts: 100,
            test_outcomes: Some(crate::sweep::TestOutcomes::new(
                "three-split".into(),
                &gold,
                &predicted,
            )),
            best_epoch: Some(1),
            best_step: Some(10),
            teacher_test_accuracy: (mode == Mode::Kd).then_some(0.8),
            teacher_originals: (mode == Mode::Kd).then_some(500),
            ..CellResult::fixture(cell, m.accuracy)
        }
    }

    #[test]
    fn a_three_class_corpus_is_scored_and_judged_like_a_binary_one() {
        // KD gains with the degree, FT loses: the student misses fewer (KD) or more (FT) neutral
        // examples; each seed is its own draw and moves every cell by one example.
        let mut results = vec![];
        for seed in 1..=4u64 {
            for copies in [0usize, 4] {
                for degree in [0.0f32, 0.1, 0.3, 0.5] {
                    let d = if copies == 0 { 0.0 } else { degree };
                    for mode in [Mode::Kd, Mode::Ft] {
                        let step = (10.0 * d) as usize;
                        let wrong = match mode {
                            Mode::Kd => 12 - 2 * step,
                            Mode::Ft => 6 + 2 * step,
                        } + seed as usize;
                        let r = three_class_row(mode, copies, d, seed, wrong);
                        if !results.iter().any(|o: &CellResult| o.key == r.key) {
                            results.push(r);
                        }
                    }
                }
            }
        }
        // Scoring: accuracy over all three classes, macro-F1 the mean of the three F1s (below the
        // accuracy when one class is missed), and one outcome bit per test example.
        let r = &results[0];
        assert_eq!(r.test_outcomes.as_ref().unwrap().examples, 90);
        assert!(
            (r.test_accuracy - (90.0 - 13.0) / 90.0).abs() < 1e-12,
            "{}",
            r.test_accuracy
        );
        assert!(r.test_macro_f1 < r.test_accuracy);
        let dir = tempfile::tempdir().unwrap();
        let opts = ReportOptions {
            title: "Three classes".into(),
            ..Default::default()
        };
        let md =
            std::fs::read_to_string(write_report(&results, dir.path(), &opts).unwrap()).unwrap();
        // Claim 1 (KD's gain from the degree minus FT's) is decided from the paired outcomes.
        let claim1 = md.split("### ").nth(1).unwrap();
        assert!(claim1.contains("- **three: supported.**"), "{md}");
        assert!(md.contains("KD with the own teacher"), "{md}");
        // The macro-F1 of every configuration is in the table, below its accuracy.
        let row = md
            .lines()
            .find(|l| l.starts_with("| three | Knn | 500 | 4 | 0.30 | Kd | own | "))
            .unwrap_or_else(|| panic!("{md}"));
        let mean = |col: usize| -> f64 {
            let cell = row.split('|').nth(col).unwrap().trim();
            cell.split(" ± ").next().unwrap().parse().unwrap()
        };
        // Test accuracy and macro-F1, in %.
        assert!(mean(9) < mean(8) && mean(9) > 50.0, "{row}");
        assert!(md.contains("degree-three-knn-500.png"), "{md}");
    }
}
