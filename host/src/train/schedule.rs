//! Linear warmup then linear decay of the learning rate, for the teacher's fine-tuning
//! ([`super::teacher`]).

/// Multiplier of the peak learning rate at optimizer step `step` (0-based) of `total`:
/// rises linearly over the first `warmup` steps, then falls linearly to 0 at `total`.
pub fn lr_factor(step: usize, warmup: usize, total: usize) -> f64 {
    if total == 0 {
        return 0.0;
    }
    if step < warmup {
        return (step + 1) as f64 / warmup as f64;
    }
    let rest = total.saturating_sub(warmup).max(1);
    let done = step.saturating_sub(warmup);
    (1.0 - done as f64 / rest as f64).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_then_decay() {
        let f: Vec<f64> = (0..10).map(|s| lr_factor(s, 2, 10)).collect();
        assert_eq!(f[0], 0.5);
        assert_eq!(f[1], 1.0);
        assert_eq!(f[2], 1.0);
        assert!((f[6] - 0.5).abs() < 1e-12);
        assert!(f.windows(2).skip(2).all(|w| w[1] < w[0]));
        assert!(f[9] > 0.0);
        assert_eq!(lr_factor(10, 2, 10), 0.0);
        assert_eq!(lr_factor(3, 0, 0), 0.0);
        assert_eq!(lr_factor(0, 0, 4), 1.0);
    }
}
