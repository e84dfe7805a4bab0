//! Spliced texts: new in-domain text made from the labelled originals alone, for the teacher to
//! label as KD transfer data (`--unlabeled spliced:N`). A spliced text is the start of one original
//! followed by the end of another, each cut at a random word: text no original contains, whose
//! words and phrasing are the corpus's, and whose label only the teacher can tell.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dataset::Dataset;

/// `count` spliced texts of `originals`, drawn with `seed` (the same arguments give the same texts):
/// each the words of an original `i` before a cut in `1..len(i)` followed by the words of another
/// original `j` from a cut in `1..len(j)` (a one-word text is kept whole as a start and gives
/// itself whole as an end). Fewer than two originals give none.
pub fn spliced_texts(originals: &Dataset, count: usize, seed: u64) -> Vec<String> {
    let words: Vec<Vec<&str>> = originals
        .examples
        .iter()
        .map(|e| e.text.split_whitespace().collect())
        .filter(|w: &Vec<&str>| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return vec![];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5911_ced0_7e47_5eed);
    (0..count)
        .map(|_| {
            let i = rng.gen_range(0..words.len());
            // Another original: one of the other len − 1, uniformly.
            let j = (i + rng.gen_range(1..words.len())) % words.len();
            let (start, end) = (&words[i], &words[j]);
            let cut_start = match start.len() {
                1 => 1,
                n => rng.gen_range(1..n),
            };
            let cut_end = match end.len() {
                1 => 0,
                n => rng.gen_range(1..n),
            };
            let mut text = start[..cut_start].join(" ");
            text.push(' ');
            text.push_str(&end[cut_end..].join(" "));
            text
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spliced_text_is_one_originals_start_and_anothers_end() {
        let ds = Dataset::of_texts(&["a b c d", "e f g", "h i"]);
        let texts = spliced_texts(&ds, 200, 7);
        assert_eq!(texts.len(), 200);
        for t in &texts {
            let w: Vec<&str> = t.split_whitespace().collect();
            // The first word starts an original, the last ends a different one.
            let first = ds.examples.iter().position(|e| e.text.starts_with(w[0]));
            let last = ds
                .examples
                .iter()
                .position(|e| e.text.ends_with(w[w.len() - 1]));
            assert!(first.is_some() && last.is_some() && first != last, "{t}");
            // A proper part of each: never a whole original.
            assert!(ds.examples.iter().all(|e| e.text != *t), "{t}");
        }
        // Different cuts show up, and the same seed gives the same texts.
        let distinct: std::collections::HashSet<&String> = texts.iter().collect();
        assert!(distinct.len() > 10, "{}", distinct.len());
        assert_eq!(spliced_texts(&ds, 200, 7), texts);
        assert_ne!(spliced_texts(&ds, 200, 8), texts);
    }

    #[test]
    fn one_word_texts_and_too_few_originals() {
        let texts = spliced_texts(&Dataset::of_texts(&["good", "bad"]), 10, 1);
        assert!(texts.iter().all(|t| t == "good bad" || t == "bad good"));
        assert!(spliced_texts(&Dataset::of_texts(&["only one"]), 10, 1).is_empty());
    }
}
