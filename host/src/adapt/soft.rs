//! Teacher soft labels at a temperature, computed on the host.

use edgekd_shared::protocol::MAX_TEXT;

use super::AdaptError;

/// One `Learn` request's payload: a text and the teacher's probabilities at temperature `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftExample {
    /// The text (at most `MAX_TEXT` bytes; see [`clip_text`]).
    pub text: String,
    /// `[classes]` teacher probabilities in the model's class order, summing to 1.
    pub probs: Vec<f32>,
}

/// `softmax(logits / T)` in f64, rounded to f32 and renormalised so the f32 values sum to 1 within
/// the device's 1e-3 tolerance.
///
/// # Shapes
/// - `logits`: `[classes]` teacher logits at temperature 1
/// - returns `[classes]` probabilities
pub fn soft_labels(logits: &[f32], temperature: f32) -> Option<Vec<f32>> {
    if logits.is_empty()
        || !temperature.is_finite()
        || temperature <= 0.0
        || logits.iter().any(|z| !z.is_finite())
    {
        return None;
    }
    let t = f64::from(temperature);
    let max = logits
        .iter()
        .fold(f64::NEG_INFINITY, |m, &z| m.max(f64::from(z)));
    let exps: Vec<f64> = logits
        .iter()
        .map(|&z| ((f64::from(z) - max) / t).exp())
        .collect();
    let sum: f64 = exps.iter().sum();
    Some(exps.iter().map(|e| (e / sum) as f32).collect())
}

/// The longest prefix of `text` within the device's `MAX_TEXT` bytes that ends on a char boundary.
pub fn clip_text(text: &str) -> &str {
    if text.len() <= MAX_TEXT {
        return text;
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Pairs `texts` with `soft_labels(logits, T)`; every logit vector must have `classes` finite values.
///
/// # Shapes
/// - `texts`: `[n]`, `logits`: `[n][classes]`
pub fn soft_examples(
    texts: &[String],
    logits: &[Vec<f32>],
    classes: usize,
    temperature: f32,
) -> Result<Vec<SoftExample>, AdaptError> {
    if texts.len() != logits.len() {
        return Err(AdaptError::BadTeacherLogits {
            index: texts.len().min(logits.len()),
            reason: format!("{} texts but {} logit vectors", texts.len(), logits.len()),
        });
    }
    texts
        .iter()
        .zip(logits)
        .enumerate()
        .map(|(index, (text, z))| {
            if z.len() != classes {
                return Err(AdaptError::BadTeacherLogits {
                    index,
                    reason: format!("{} logits for a model of {classes} classes", z.len()),
                });
            }
            let probs =
                soft_labels(z, temperature).ok_or_else(|| AdaptError::BadTeacherLogits {
                    index,
                    reason: format!("non-finite logit in {z:?}"),
                })?;
            Ok(SoftExample {
                text: clip_text(text).to_string(),
                probs,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_flattens_and_sums_to_one() {
        let sharp = soft_labels(&[2.0, 0.0], 1.0).unwrap();
        let flat = soft_labels(&[2.0, 0.0], 4.0).unwrap();
        assert!((sharp[0] - 0.880_797).abs() < 1e-6);
        assert!((flat[0] - 0.622_459).abs() < 1e-6);
        let many = soft_labels(&[30.0, -5.0, 1.0, 0.5], 0.5).unwrap();
        assert!((many.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(soft_labels(&[f32::NAN, 0.0], 1.0), None);
        assert_eq!(soft_labels(&[1.0], 0.0), None);
    }

    #[test]
    fn bad_logits_name_the_text() {
        let texts = vec!["a".to_string(), "b".to_string()];
        let err =
            soft_examples(&texts, &[vec![0.0, 1.0], vec![f32::INFINITY, 0.0]], 2, 2.0).unwrap_err();
        assert!(
            matches!(err, AdaptError::BadTeacherLogits { index: 1, .. }),
            "{err}"
        );
        let err = soft_examples(&texts, &[vec![0.0, 1.0], vec![0.0]], 2, 2.0).unwrap_err();
        assert!(
            matches!(err, AdaptError::BadTeacherLogits { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn long_texts_are_clipped_on_a_char_boundary() {
        let long = "é".repeat(MAX_TEXT);
        let clipped = clip_text(&long);
        assert!(clipped.len() <= MAX_TEXT && clipped.len() >= MAX_TEXT - 1);
        assert_eq!(clip_text("short"), "short");
    }
}
