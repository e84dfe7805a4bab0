//! The teacher's agreement with the gold label on a KD cell's augmented copies (issue 17): how often
//! the teacher's argmax on a copy is the label of the original it was made from, overall and by the
//! copy's realised degree (the proportion of its word tokens actually changed), in bins of 0.1.
//!
//! Stored in a result line as
//!
//! ```json
//! "teacher_gold_agreement": {"copies": 2000, "agreeing": 1712, "agreement": 0.856,
//!   "by_degree": [{"bin": 0, "copies": 310, "agreeing": 291}, {"bin": 2, "copies": 1690, "agreeing": 1421}]}
//! ```
//!
//! - `copies`: augmented copies the teacher labelled (the cell's originals are not counted);
//! - `agreeing`: of those, copies whose teacher argmax is the original's gold label;
//! - `agreement`: `agreeing / copies`;
//! - `by_degree`: the same counts per bin of realised degree, ascending, only bins with copies: bin
//!   `b` holds the copies whose realised degree is in `[b / 10, (b + 1) / 10)`, bin 9 also those of
//!   degree 1.
//!
//! It is computed from the soft labels the cell already asked the teacher for: no extra teacher work.

use serde::{Deserialize, Serialize};

/// Bins of realised degree (0.1 wide over `[0, 1]`).
pub const AGREEMENT_BINS: u32 = 10;

/// The counts of one bin of realised degree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementBin {
    /// The bin: realised degree in `[bin / 10, (bin + 1) / 10)` (the last bin includes 1).
    pub bin: u32,
    /// Copies in the bin.
    pub copies: usize,
    /// Of those, copies whose teacher argmax is the gold label.
    pub agreeing: usize,
}

impl AgreementBin {
    /// The bin's lower edge, as a degree.
    pub fn lower(&self) -> f64 {
        f64::from(self.bin) / f64::from(AGREEMENT_BINS)
    }

    /// The bin's midpoint, as a degree.
    pub fn middle(&self) -> f64 {
        (f64::from(self.bin) + 0.5) / f64::from(AGREEMENT_BINS)
    }

    /// `agreeing / copies` (0 for an empty bin).
    pub fn agreement(&self) -> f64 {
        self.agreeing as f64 / self.copies.max(1) as f64
    }
}

/// The teacher's agreement with the gold label on a cell's augmented copies (see the module).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeacherAgreement {
    /// Augmented copies labelled.
    pub copies: usize,
    /// Copies whose teacher argmax is the gold label.
    pub agreeing: usize,
    /// `agreeing / copies`.
    pub agreement: f64,
    /// The counts by realised-degree bin, ascending, non-empty bins only.
    pub by_degree: Vec<AgreementBin>,
}

/// The bin of realised degree `degree` (clamped into `[0, 1]`).
pub fn degree_bin(degree: f64) -> u32 {
    let d = if degree.is_nan() {
        0.0
    } else {
        degree.clamp(0.0, 1.0)
    };
    // A small tolerance so that 0.3 (3 of 10 words, 0.30000000000000004 or 0.29999999999999999)
    // falls in bin 3.
    ((d * f64::from(AGREEMENT_BINS) + 1e-9).floor() as u32).min(AGREEMENT_BINS - 1)
}

impl TeacherAgreement {
    /// The agreement over `copies`, each `(whether the teacher's argmax is the gold label,
    /// realised degree)`; `None` without copies.
    pub fn of(copies: impl IntoIterator<Item = (bool, f64)>) -> Option<Self> {
        let mut bins = vec![(0usize, 0usize); AGREEMENT_BINS as usize];
        for (agrees, degree) in copies {
            let b = &mut bins[degree_bin(degree) as usize];
            b.0 += 1;
            b.1 += usize::from(agrees);
        }
        let copies: usize = bins.iter().map(|b| b.0).sum();
        if copies == 0 {
            return None;
        }
        let agreeing: usize = bins.iter().map(|b| b.1).sum();
        Some(TeacherAgreement {
            copies,
            agreeing,
            agreement: agreeing as f64 / copies as f64,
            by_degree: bins
                .into_iter()
                .enumerate()
                .filter(|(_, (n, _))| *n > 0)
                .map(|(bin, (copies, agreeing))| AgreementBin {
                    bin: bin as u32,
                    copies,
                    agreeing,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_a_tenth_wide_and_the_last_holds_one() {
        assert_eq!(degree_bin(0.0), 0);
        assert_eq!(degree_bin(0.099), 0);
        assert_eq!(degree_bin(0.1), 1);
        assert_eq!(degree_bin(3.0 / 10.0), 3);
        assert_eq!(degree_bin(0.1 + 0.2), 3);
        assert_eq!(degree_bin(0.95), 9);
        assert_eq!(degree_bin(1.0), 9);
        assert_eq!(degree_bin(-0.5), 0);
        assert_eq!(degree_bin(f64::NAN), 0);
        let b = AgreementBin {
            bin: 3,
            copies: 4,
            agreeing: 3,
        };
        assert!((b.lower() - 0.3).abs() < 1e-12 && (b.middle() - 0.35).abs() < 1e-12);
        assert_eq!(b.agreement(), 0.75);
    }

    #[test]
    fn counts_agreement_overall_and_by_realised_degree() {
        // The teacher is right on the unchanged copy and on one of the two near 0.3, wrong at 0.55
        // and 0.6.
        let agrees = [true, true, false, false, false];
        let degrees = [0.0, 0.3, 1.0 / 3.0, 0.55, 0.6];
        let a = TeacherAgreement::of(agrees.into_iter().zip(degrees)).unwrap();
        assert_eq!((a.copies, a.agreeing), (5, 2));
        assert!((a.agreement - 0.4).abs() < 1e-12);
        let bins: Vec<(u32, usize, usize)> = a
            .by_degree
            .iter()
            .map(|b| (b.bin, b.copies, b.agreeing))
            .collect();
        assert_eq!(bins, [(0, 1, 1), (3, 2, 1), (5, 1, 0), (6, 1, 0)]);
        // No copies, no agreement.
        assert_eq!(TeacherAgreement::of(std::iter::empty()), None);
        // It round-trips through JSON as documented.
        let json = serde_json::to_string(&a).unwrap();
        assert!(
            json.starts_with(r#"{"copies":5,"agreeing":2,"agreement":0.4,"by_degree":[{"bin":0,"#)
        );
        assert_eq!(serde_json::from_str::<TeacherAgreement>(&json).unwrap(), a);
    }
}
