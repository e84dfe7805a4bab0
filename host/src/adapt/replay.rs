//! Rehearsal: original-domain texts with their teacher's soft labels mixed into the update stream.
//!
//! The device's head is one small dense layer; trained on in-domain texts alone it drifts away from
//! what the original domain needs. The host (or gateway) still has the original domain's teacher and
//! training texts, so it can replay some of them between in-domain updates. The device needs nothing
//! new: a replayed update is an ordinary `Learn` request.

use super::SoftExample;

/// Replayed original-domain texts per in-domain text that `edgekd adapt` uses by default (with
/// the flashed student's own outputs): the ratio chosen on the dev splits in
/// `docs/on-device-learning.md` (+3.8 / −0.9 points in-domain / original on the dev mean, where
/// no replay loses 9.5 on the original domain).
pub const DEFAULT_REPLAY_RATIO: f64 = 1.5;

/// `in_domain` with `ratio` replayed examples per in-domain example, spread evenly (after in-domain
/// example `i`, the replays due by then: `⌊(i + 1) · ratio⌋` in all), cycling through `replay` when it
/// is shorter. `ratio ≤ 0` (or not finite) or an empty `replay` returns `in_domain` unchanged.
///
/// # Shapes
/// - returns `in_domain.len() + ⌊in_domain.len() · ratio⌋` examples
pub fn interleave_replay(
    in_domain: &[SoftExample],
    replay: &[SoftExample],
    ratio: f64,
) -> Vec<SoftExample> {
    if !(ratio.is_finite() && ratio > 0.0) || replay.is_empty() {
        return in_domain.to_vec();
    }
    let due = |n: usize| (n as f64 * ratio + 1e-9).floor() as usize;
    let mut out = Vec::with_capacity(in_domain.len() + due(in_domain.len()));
    let mut replayed = replay.iter().cycle();
    for (i, ex) in in_domain.iter().enumerate() {
        out.push(ex.clone());
        for _ in due(i)..due(i + 1) {
            out.extend(replayed.next().cloned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str) -> SoftExample {
        SoftExample {
            text: text.into(),
            probs: vec![0.5, 0.5],
        }
    }

    fn texts(v: &[SoftExample]) -> Vec<&str> {
        v.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn replays_are_spread_evenly_at_the_ratio_cycling_through_the_pool() {
        let domain: Vec<_> = ["a", "b", "c", "d", "e"].map(ex).to_vec();
        let replay = [ex("R1"), ex("R2")];
        assert_eq!(
            texts(&interleave_replay(&domain, &replay, 0.5)),
            ["a", "b", "R1", "c", "d", "R2", "e"]
        );
        assert_eq!(
            texts(&interleave_replay(&domain, &replay, 1.0)),
            ["a", "R1", "b", "R2", "c", "R1", "d", "R2", "e", "R1"]
        );
        assert_eq!(
            texts(&interleave_replay(&domain[..2], &replay, 2.0)),
            ["a", "R1", "R2", "b", "R1", "R2"]
        );
    }

    #[test]
    fn no_replay_leaves_the_stream_as_it_was() {
        let domain = vec![ex("a"), ex("b")];
        assert_eq!(interleave_replay(&domain, &[], 1.0), domain);
        assert_eq!(interleave_replay(&domain, &[ex("R")], 0.0), domain);
        assert_eq!(interleave_replay(&domain, &[ex("R")], f64::NAN), domain);
    }
}
