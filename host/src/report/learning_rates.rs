//! The report's learning-rate section: which student learning rate each mode's cells trained with
//! (one rate for all, or each student's pick among candidates on its own dev accuracy).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::sweep::{CellResult, Mode};

/// A markdown section counting, per mode, the cells that trained with each learning rate; empty
/// when no row records its rate (results written before it was recorded).
pub(super) fn learning_rate_section(results: &[CellResult]) -> String {
    // Rates as their bit patterns: positive finite floats order like their bits.
    let mut counts: BTreeMap<(Mode, u64), usize> = BTreeMap::new();
    for r in results {
        if let Some(rate) = r.learning_rate {
            *counts.entry((r.cell.mode, rate.to_bits())).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "\n## Student learning rates\n\nThe rate each cell's student trained with: the one rate of \
         the run, or, with `--learning-rates`, the candidate of best dev accuracy for that student \
         (KD and FT each on their own dev checks).\n\n| mode | learning rate | cells |\n|---|---:|---:|\n",
    );
    for ((mode, bits), n) in &counts {
        let _ = writeln!(md, "| {mode:?} | {:e} | {n} |", f64::from_bits(*bits));
    }
    let unrecorded = results.iter().filter(|r| r.learning_rate.is_none()).count();
    if unrecorded > 0 {
        let _ = writeln!(md, "\n{unrecorded} cells do not record their rate.");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Cell, Method, Size, TeacherKind};

    fn row(mode: Mode, seed: u64, rate: Option<f64>) -> CellResult {
        let cell = Cell {
            corpus: "rotten-tomatoes".into(),
            method: Method::Synonym,
            size: Size::N(500),
            copies: 4,
            degree: 0.3,
            mode,
            seed,
            data_seed: None,
            teacher: TeacherKind::Shared,
        };
        CellResult {
            learning_rate: rate,
            ..CellResult::fixture(cell, 0.7)
        }
    }

    #[test]
    fn counts_each_modes_rates_and_the_rows_without_one() {
        assert_eq!(learning_rate_section(&[row(Mode::Kd, 1, None)]), "");
        let md = learning_rate_section(&[
            row(Mode::Kd, 1, Some(3e-3)),
            row(Mode::Kd, 2, Some(3e-3)),
            row(Mode::Ft, 1, Some(1e-2)),
            row(Mode::Ft, 2, Some(1e-3)),
            row(Mode::Ft, 3, None),
        ]);
        assert!(md.contains("| Kd | 3e-3 | 2 |"), "{md}");
        assert!(md.contains("| Ft | 1e-3 | 1 |"), "{md}");
        assert!(md.contains("| Ft | 1e-2 | 1 |"), "{md}");
        // Smaller rates first within a mode.
        assert!(md.find("1e-3").unwrap() < md.find("1e-2").unwrap(), "{md}");
        assert!(md.contains("1 cells do not record"), "{md}");
    }
}
