//! Fixed-point requantization multiplier.

use super::QuantError;

/// Fixed-point multiplier: `real ≈ multiplier · 2^shift / 2^31`, `multiplier` in `[2^30, 2^31)`
/// (or 0, which stands for real 0), `shift` in `[-31, 30]`.
///
/// Representable reals: 0 and `[2^-32, 2^30)`; relative error of [`Requant::from_real`] ≤ 2^-31.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Requant {
    /// Q0.31 mantissa in `[2^30, 2^31)`, or 0.
    pub multiplier: i32,
    /// Power-of-two exponent in `[-31, 30]`.
    pub shift: i32,
}

/// Smallest valid shift.
const MIN_SHIFT: i32 = -31;
/// Largest valid shift.
const MAX_SHIFT: i32 = 30;

impl Requant {
    /// The multiplier of real 0: `apply` always returns 0.
    pub const ZERO: Self = Self {
        multiplier: 0,
        shift: 0,
    };

    /// From a real multiplier (> 0, finite). Errors: NaN/∞ → `NotFinite`, ≤ 0 → `NotPositive`,
    /// a real that rounds to 2^30 or more → `TooLarge` (the brief allowed < 2^31, but a shift
    /// of at most 30 caps the representable range at 2^30; such multipliers saturate int8 for
    /// any non-zero accumulator anyway).
    ///
    /// Reals below 2^-32 give [`Requant::ZERO`]: |acc · real| < 0.5 for every i32 `acc`, so 0
    /// is the exact rounded result.
    pub fn from_real(real: f64) -> Result<Self, QuantError> {
        if !real.is_finite() {
            return Err(QuantError::NotFinite {
                what: "requant multiplier",
            });
        }
        if real <= 0.0 {
            return Err(QuantError::NotPositive {
                what: "requant multiplier",
            });
        }
        let bits = real.to_bits();
        let biased_exp = ((bits >> 52) & 0x7ff) as i32;
        if biased_exp == 0 {
            return Ok(Self::ZERO); // subnormal: far below 2^-32
        }
        // real = mant · 2^(exp − 52), mant in [2^52, 2^53).
        let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
        let mut exp = biased_exp - 1023;
        // Keep the top 31 bits, rounding half up: multiplier in [2^30, 2^31].
        let mut multiplier = (mant + (1u64 << 21)) >> 22;
        if multiplier == 1u64 << 31 {
            multiplier = 1u64 << 30;
            exp += 1;
        }
        // real ≈ multiplier · 2^(exp − 30) = multiplier · 2^(exp + 1) / 2^31.
        let shift = exp + 1;
        if shift > MAX_SHIFT {
            return Err(QuantError::TooLarge);
        }
        if shift < MIN_SHIFT {
            return Ok(Self::ZERO);
        }
        Ok(Self {
            multiplier: multiplier as i32,
            shift,
        })
    }

    /// The real multiplier this stands for (host-side checks and references).
    pub fn to_real(self) -> f64 {
        f64::from(self.multiplier) * pow2(self.shift - 31)
    }

    /// `acc · multiplier · 2^shift / 2^31`, rounded to nearest with ties away from zero, in one
    /// 64-bit product and one rounding shift (no double rounding), saturated to i32.
    ///
    /// The result is exactly the rounded value of the real this `Requant` stands for
    /// ([`Requant::to_real`]). Never overflows or panics, for any `acc` and any `self`
    /// (an invalid `self` gives a meaningless but defined value).
    #[inline]
    pub fn apply(self, acc: i32) -> i32 {
        // |prod| ≤ 2^31 · 2^31 = 2^62.
        let prod = i64::from(acc) * i64::from(self.multiplier);
        let total_shift = 31i32.saturating_sub(self.shift).clamp(1, 62) as u32;
        let half = 1i64 << (total_shift - 1);
        let rounded = if prod >= 0 {
            (prod + half) >> total_shift
        } else {
            -((-prod + half) >> total_shift)
        };
        rounded.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }

    /// True when `multiplier` is 0 or in `[2^30, 2^31)` and `shift` in `[-31, 30]`.
    pub fn is_valid(self) -> bool {
        (self.multiplier == 0 || self.multiplier >= 1 << 30)
            && (MIN_SHIFT..=MAX_SHIFT).contains(&self.shift)
    }
}

/// 2^e for e in about −62..=62, exactly, without `powi` (not in `core`).
fn pow2(e: i32) -> f64 {
    let biased = (e + 1023).clamp(1, 2046) as u64;
    f64::from_bits(biased << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_exact() {
        let rq = Requant::from_real(1.0).unwrap();
        assert_eq!(
            rq,
            Requant {
                multiplier: 1 << 30,
                shift: 1
            }
        );
        assert!(rq.is_valid());
        for acc in [0, 1, -1, 12345, i32::MAX, i32::MIN] {
            assert_eq!(rq.apply(acc), acc);
        }
    }

    #[test]
    fn halves_round_away_from_zero() {
        let rq = Requant::from_real(0.5).unwrap();
        assert_eq!(rq.apply(3), 2);
        assert_eq!(rq.apply(-3), -2);
        assert_eq!(rq.apply(1), 1);
        assert_eq!(rq.apply(-1), -1);
        assert_eq!(rq.apply(4), 2);
    }

    #[test]
    fn rejects_bad_reals() {
        assert_eq!(
            Requant::from_real(f64::NAN),
            Err(QuantError::NotFinite {
                what: "requant multiplier"
            })
        );
        assert_eq!(
            Requant::from_real(0.0),
            Err(QuantError::NotPositive {
                what: "requant multiplier"
            })
        );
        assert!(Requant::from_real(-1.0).is_err());
        assert_eq!(Requant::from_real(1073741824.0), Err(QuantError::TooLarge));
        assert!(Requant::from_real(1073741823.0).is_ok());
    }

    #[test]
    fn tiny_reals_are_zero() {
        assert_eq!(Requant::from_real(1e-300).unwrap(), Requant::ZERO);
        assert_eq!(
            Requant::from_real(f64::MIN_POSITIVE / 4.0).unwrap(),
            Requant::ZERO
        );
        let smallest = Requant::from_real(pow2(-32)).unwrap();
        assert_eq!(
            smallest,
            Requant {
                multiplier: 1 << 30,
                shift: -31
            }
        );
        assert_eq!(smallest.apply(i32::MIN), -1); // −0.5 rounds away from zero
        assert_eq!(smallest.apply(i32::MAX), 0);
        assert_eq!(Requant::ZERO.apply(i32::MIN), 0);
    }

    #[test]
    fn rounding_up_to_next_power_of_two() {
        let just_below_one = 1.0 - 1e-12;
        assert_eq!(
            Requant::from_real(just_below_one).unwrap(),
            Requant {
                multiplier: 1 << 30,
                shift: 1
            }
        );
    }

    #[test]
    fn validity() {
        assert!(Requant::ZERO.is_valid());
        assert!(!Requant {
            multiplier: 5,
            shift: 0
        }
        .is_valid());
        assert!(!Requant {
            multiplier: -(1 << 30),
            shift: 0
        }
        .is_valid());
        assert!(!Requant {
            multiplier: 1 << 30,
            shift: 31
        }
        .is_valid());
        assert!(!Requant {
            multiplier: 1 << 30,
            shift: -32
        }
        .is_valid());
    }

    #[test]
    fn invalid_values_do_not_panic() {
        for rq in [
            Requant {
                multiplier: i32::MIN,
                shift: i32::MIN,
            },
            Requant {
                multiplier: i32::MAX,
                shift: i32::MAX,
            },
            Requant {
                multiplier: -1,
                shift: 100,
            },
        ] {
            for acc in [i32::MIN, -1, 0, 1, i32::MAX] {
                let _ = rq.apply(acc);
            }
        }
    }

    #[test]
    fn to_real_round_trips() {
        for real in [1e-9, 0.001234, 0.5, 1.0, 3.75, 1e6] {
            let rq = Requant::from_real(real).unwrap();
            assert!(
                (rq.to_real() - real).abs() <= real * 2f64.powi(-31),
                "{real}"
            );
        }
    }
}
