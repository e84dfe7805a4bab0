//! Teacher soft labels at a temperature, computed on the host.

use edgekd_shared::protocol::MAX_TEXT;
use edgekd_shared::softmax::softmax_with_temperature;
use edgekd_shared::temperature::check_temperature;

use super::AdaptError;

/// One `Learn` request's payload: a text and the teacher's probabilities at temperature `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftExample {
    /// The text (at most `MAX_TEXT` bytes; see [`clip_text`]).
    pub text: String,
    /// `[classes]` teacher probabilities in the model's class order, summing to 1.
    pub probs: Vec<f32>,
}

/// `softmax(logits / T)` computed exactly as the device's learner computes it
/// ([`softmax_with_temperature`]); `None` when a logit is not finite, `logits` is empty or `T` is
/// outside the checked range.
///
/// # Shapes
/// - `logits`: `[classes]` teacher logits at temperature 1
/// - returns `[classes]` probabilities
pub fn soft_labels(logits: &[f32], temperature: f32) -> Option<Vec<f32>> {
    let mut probs = vec![0.0; logits.len()];
    softmax_with_temperature(logits, temperature, &mut probs).then_some(probs)
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
    check_temperature(temperature)?;
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
    fn soft_labels_sum_to_one_and_refuse_bad_input() {
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
