//! An estimated difference with its bootstrap interval, what the interval resampled, and how many data
//! draws would make it exclude 0.

/// z of a two-sided 95% interval under the normal approximation.
const Z95: f64 = 1.959_964;

/// What the bootstrap resampled, which decides what its interval covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// Independent data draws (subsample, copies, teacher, student seed), and the test examples
    /// when `examples` is set (the same indices in every arm).
    Draws {
        /// Draws common to every arm.
        draws: usize,
        /// Test examples resampled, when every cell recorded its per-example outcomes.
        examples: Option<usize>,
    },
    /// One data draw: the student seeds of it, and the test examples when `examples` is set. The
    /// spread between draws of the data is not in such an interval.
    OneDraw {
        /// Seeds common to every arm (0: the arms share no cell).
        seeds: usize,
        /// Test examples resampled, when every cell recorded its per-example outcomes.
        examples: Option<usize>,
    },
}

impl Spread {
    /// Resampled units: draws, or the seeds of the one draw.
    pub fn units(&self) -> usize {
        match *self {
            Spread::Draws { draws, .. } => draws,
            Spread::OneDraw { seeds, .. } => seeds,
        }
    }

    /// Whether an interval over this spread is shown in the tables: several draws, or per-example
    /// outcomes. One draw without them gives at most the training noise of its seeds.
    pub fn shown(&self) -> bool {
        matches!(
            self,
            Spread::Draws { .. }
                | Spread::OneDraw {
                    examples: Some(_),
                    ..
                }
        )
    }

    /// Whether an interval over this spread may decide a verdict: at least two independent data
    /// draws. One draw's seeds and test sample, even with per-example outcomes, leave out the spread
    /// of the subsample, the copies and the teacher, which is what the claims are about.
    pub fn decides(&self) -> bool {
        matches!(self, Spread::Draws { draws, .. } if *draws >= 2)
    }
}

/// A statistic of the arms' test accuracies: its value on the data, and its bootstrap distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The statistic on the data as they are, in the statistic's unit.
    pub point: f64,
    /// 2.5th and 97.5th percentiles of the replicates; `None` when nothing could be resampled (one
    /// unit and no per-example outcomes).
    pub interval: Option<(f64, f64)>,
    /// Standard deviation of the replicates (0 without an interval).
    pub se: f64,
    /// What was resampled.
    pub spread: Spread,
}

impl Estimate {
    /// The interval, when the tables show it ([`Spread::shown`]).
    pub fn shown_interval(&self) -> Option<(f64, f64)> {
        self.interval.filter(|_| self.spread.shown())
    }

    /// The interval, when it may decide a verdict ([`Spread::decides`]).
    pub fn deciding_interval(&self) -> Option<(f64, f64)> {
        self.interval.filter(|_| self.spread.decides())
    }

    /// Data draws for the 95% interval to exclude 0 if the effect stayed at `point` and the spread of
    /// one draw at what the replicates show (normal approximation: `n · (1.96 · se / |point|)²`, at
    /// least 2). `None` without a spread or with a zero effect.
    pub fn needed_draws(&self) -> Option<usize> {
        self.interval?;
        if self.point == 0.0 || !self.point.is_finite() {
            return None;
        }
        let n = self.spread.units().max(1) as f64;
        let needed = n * (Z95 * self.se / self.point.abs()).powi(2);
        Some((needed.ceil() as usize).max(2))
    }

    /// `+1.23 [+0.40, +2.05]`, or `+1.23 [n/a]` without an interval that may decide; `digits` after
    /// the point.
    pub fn short(&self, digits: usize) -> String {
        match self.shown_interval() {
            Some((lo, hi)) => format!("{:+.digits$} [{lo:+.digits$}, {hi:+.digits$}]", self.point),
            None => format!("{:+.digits$} [n/a]", self.point),
        }
    }

    /// The interval and the draws needed, in words, `unit` naming the statistic's unit.
    pub fn describe(&self, unit: &str, digits: usize) -> String {
        let examples = |e: Option<usize>| match e {
            Some(n) => format!(" × {n} test examples"),
            None => String::new(),
        };
        let interval = match (self.interval, self.spread) {
            (Some((lo, hi)), Spread::Draws { draws, examples: e }) => format!(
                "95% interval [{lo:+.digits$}, {hi:+.digits$}] {unit} (paired bootstrap over {draws} \
                 data draws{})",
                examples(e)
            ),
            (Some((lo, hi)), Spread::OneDraw { seeds, examples: Some(e) }) => format!(
                "95% interval [{lo:+.digits$}, {hi:+.digits$}] {unit} (paired bootstrap over {seeds} \
                 seeds of one data draw × {e} test examples; the spread between draws is not in it)"
            ),
            (Some((lo, hi)), Spread::OneDraw { seeds, examples: None }) => format!(
                "95% interval not available (one data draw, no per-example outcomes); the training \
                 noise alone, over {seeds} seeds: [{lo:+.digits$}, {hi:+.digits$}] {unit}"
            ),
            (None, _) => "95% interval not available (one data draw and one seed, or no cells \
                          shared by the arms, and no per-example outcomes)"
                .to_string(),
        };
        let needed = match (self.needed_draws(), self.spread) {
            (None, _) if self.interval.is_none() => {
                "draws needed: unknown (no spread to scale)".to_string()
            }
            (None, _) => "draws needed: none would do (the effect is 0)".to_string(),
            (Some(n), Spread::Draws { .. }) => format!("draws needed to exclude 0: {n}"),
            (Some(n), Spread::OneDraw { examples: None, .. }) => {
                format!("draws needed to exclude 0: at least {n} (from the training noise alone)")
            }
            (Some(n), Spread::OneDraw { .. }) => format!(
                "draws needed to exclude 0: about {n} (if draws varied as this draw's seeds and test \
                 sample do)"
            ),
        };
        format!("{interval}; {needed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(point: f64, interval: Option<(f64, f64)>, se: f64, spread: Spread) -> Estimate {
        Estimate {
            point,
            interval,
            se,
            spread,
        }
    }

    #[test]
    fn draws_needed_scale_with_the_squared_ratio_of_spread_to_effect() {
        let draws = Spread::Draws {
            draws: 5,
            examples: None,
        };
        // se 1 at 5 draws, effect 1: 5 · 1.96² = 19.2 → 20.
        let e = est(1.0, Some((-1.0, 3.0)), 1.0, draws);
        assert_eq!(e.needed_draws(), Some(20));
        // A clear effect needs no more than 2.
        assert_eq!(
            est(5.0, Some((4.0, 6.0)), 0.1, draws).needed_draws(),
            Some(2)
        );
        assert_eq!(est(0.0, Some((-1.0, 1.0)), 0.5, draws).needed_draws(), None);
        assert_eq!(est(1.0, None, 0.0, draws).needed_draws(), None);
    }

    #[test]
    fn one_draw_without_outcomes_shows_the_training_noise_but_does_not_decide() {
        let one = Spread::OneDraw {
            seeds: 3,
            examples: None,
        };
        let e = est(1.2, Some((0.5, 1.9)), 0.35, one);
        assert_eq!(e.shown_interval(), None);
        assert_eq!(e.short(2), "+1.20 [n/a]");
        let text = e.describe("points", 2);
        assert!(text.starts_with("95% interval not available"), "{text}");
        assert!(text.contains("[+0.50, +1.90]"), "{text}");
        assert!(
            text.contains("at least 2 (from the training noise alone)"),
            "{text}"
        );
        let with_examples = est(
            1.2,
            Some((0.5, 1.9)),
            0.35,
            Spread::OneDraw {
                seeds: 3,
                examples: Some(100),
            },
        );
        assert_eq!(with_examples.shown_interval(), Some((0.5, 1.9)));
        assert_eq!(with_examples.short(1), "+1.2 [+0.5, +1.9]");
        let nothing = est(
            1.2,
            None,
            0.0,
            Spread::OneDraw {
                seeds: 1,
                examples: None,
            },
        );
        assert!(nothing.describe("points", 2).contains("unknown"));
    }
}
