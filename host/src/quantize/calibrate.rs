//! Activation range calibration: min/max or a percentile of the observed values.

use serde::{Deserialize, Serialize};

use super::error::QuantizeError;

/// How an activation tensor's range is chosen from calibration data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Calibration {
    /// The smallest and largest value seen.
    MinMax,
    /// The `p`-th and `(100 − p)`-th percentiles (e.g. 99.99): clips rare outliers so that
    /// the common values get finer steps.
    Percentile(f64),
}

impl core::fmt::Display for Calibration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Calibration::MinMax => f.write_str("minmax"),
            Calibration::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

/// The range `[lo, hi]` of `values` under `method` (`(0, 0)` for no values). Non-finite values
/// are ignored.
pub fn range(values: &[f32], method: Calibration) -> Result<(f32, f32), QuantizeError> {
    let mut finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return Ok((0.0, 0.0));
    }
    match method {
        Calibration::MinMax => {
            let lo = finite.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            Ok((lo, hi))
        }
        Calibration::Percentile(p) => {
            if !(p > 50.0 && p <= 100.0) {
                return Err(QuantizeError::BadPercentile(p));
            }
            finite.sort_unstable_by(f32::total_cmp);
            let last = finite.len() - 1;
            let at = |q: f64| {
                let idx = ((q / 100.0) * last as f64).round() as usize;
                finite.get(idx.min(last)).copied().unwrap_or(0.0)
            };
            Ok((at(100.0 - p), at(p)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minmax_and_percentile() {
        let mut v: Vec<f32> = (0..=10_000).map(|i| i as f32 / 10_000.0).collect();
        v.push(1000.0); // one outlier
        v.push(f32::NAN);
        assert_eq!(range(&v, Calibration::MinMax).unwrap(), (0.0, 1000.0));
        let (lo, hi) = range(&v, Calibration::Percentile(99.9)).unwrap();
        assert!(lo < 0.002 && (0.99..1.0).contains(&hi), "{lo} {hi}");
        assert_eq!(range(&[], Calibration::MinMax).unwrap(), (0.0, 0.0));
        assert!(range(&v, Calibration::Percentile(40.0)).is_err());
        assert_eq!(Calibration::Percentile(99.99).to_string(), "p99.99");
    }
}
