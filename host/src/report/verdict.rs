//! A claim's verdict, decided by the 95% interval of its statistic alone.

use super::estimate::Estimate;

/// Whether the data support a claim. Every statistic is oriented so that the claim says it is
/// positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The interval excludes 0 on the claimed side.
    Supported,
    /// The interval excludes 0 on the other side, or the estimate is against the claim and the
    /// interval excludes the claimed effect size.
    NotSupported,
    /// Anything else, and any statistic without an interval over at least two independent data
    /// draws (one draw's seeds and test sample leave out the spread of the subsample, the copies
    /// and the teacher, which is what the claims are about).
    Inconclusive,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::Inconclusive => "inconclusive at this n",
        })
    }
}

/// The verdict on `e`, where the claim says `e` is positive and at least `claimed` (> 0, in the
/// statistic's unit) would be an effect of the size the claim means.
pub fn decide(e: &Estimate, claimed: f64) -> Verdict {
    let Some((lo, hi)) = e.deciding_interval() else {
        return Verdict::Inconclusive;
    };
    if lo > 0.0 {
        Verdict::Supported
    } else if hi < 0.0 || (e.point < 0.0 && hi < claimed) {
        Verdict::NotSupported
    } else {
        Verdict::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::estimate::Spread;

    fn at(point: f64, lo: f64, hi: f64, spread: Spread) -> Verdict {
        let e = Estimate {
            point,
            interval: Some((lo, hi)),
            se: (hi - lo) / 4.0,
            spread,
        };
        decide(&e, 0.5)
    }

    const DRAWS: Spread = Spread::Draws {
        draws: 5,
        examples: Some(1000),
    };

    #[test]
    fn the_interval_decides() {
        assert_eq!(at(1.0, 0.2, 1.8, DRAWS), Verdict::Supported);
        assert_eq!(at(-1.0, -1.8, -0.2, DRAWS), Verdict::NotSupported);
        // Against the claim and short of the claimed size: not supported, although 0 is inside.
        assert_eq!(at(-0.1, -0.6, 0.4, DRAWS), Verdict::NotSupported);
        // Against the claim but the claimed size is still possible; or for it but 0 is inside.
        assert_eq!(at(-0.1, -0.8, 0.7, DRAWS), Verdict::Inconclusive);
        assert_eq!(at(0.3, -0.2, 0.8, DRAWS), Verdict::Inconclusive);
        assert_eq!(Verdict::Inconclusive.to_string(), "inconclusive at this n");
    }

    #[test]
    fn one_draw_never_decides() {
        let one = Spread::OneDraw {
            seeds: 3,
            examples: None,
        };
        assert_eq!(at(2.0, 1.5, 2.5, one), Verdict::Inconclusive);
        // Its test examples resampled too: still one draw of the subsample, copies and teacher.
        let with_examples = Spread::OneDraw {
            seeds: 3,
            examples: Some(1000),
        };
        assert_eq!(at(2.0, 1.5, 2.5, with_examples), Verdict::Inconclusive);
        let none = Estimate {
            point: 2.0,
            interval: None,
            se: 0.0,
            spread: one,
        };
        assert_eq!(decide(&none, 0.5), Verdict::Inconclusive);
    }
}
