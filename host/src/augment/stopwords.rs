//! English stop words (function words): never replaced by augmentation. The list follows the
//! common NLTK English list plus contraction forms as they appear after tokenization.

/// Sorted (byte order), lower-case.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "ain", "all", "am", "an", "and", "any", "are", "aren",
    "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "couldn", "couldn't", "d", "did", "didn", "didn't", "do", "does", "doesn", "doesn't", "doing", "don",
    "don't", "down", "during", "each", "few", "for", "from", "further", "had", "hadn", "hadn't", "has", "hasn",
    "hasn't", "have", "haven", "haven't", "having", "he", "he's", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "i", "i'm", "if", "in", "into", "is", "isn", "isn't", "it", "it's", "its", "itself",
    "just", "ll", "m", "ma", "me", "mightn", "mightn't", "more", "most", "mustn", "mustn't", "my", "myself",
    "needn", "needn't", "no", "nor", "not", "now", "o", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "out", "over", "own", "re", "s", "same", "shan", "shan't", "she", "she's", "should",
    "should've", "shouldn", "shouldn't", "so", "some", "such", "t", "than", "that", "that'll", "that's", "the",
    "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they're", "this",
    "those", "through", "to", "too", "under", "until", "up", "ve", "very", "was", "wasn", "wasn't", "we",
    "we're", "were", "weren", "weren't", "what", "what's", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "won", "won't", "wouldn", "wouldn't", "y", "you", "you'd", "you'll", "you're",
    "you've", "your", "yours", "yourself", "yourselves",
];

/// Whether a lower-cased word (curly apostrophes allowed) is a stop word.
pub fn is_stop_word(lower: &str) -> bool {
    if lower.contains('\u{2019}') {
        return STOP_WORDS.binary_search(&lower.replace('\u{2019}', "'").as_str()).is_ok();
    }
    STOP_WORDS.binary_search(&lower).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_lowercase_and_unique() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "not strictly sorted");
        assert!(STOP_WORDS.iter().all(|w| w.to_lowercase() == *w));
    }

    #[test]
    fn finds_stop_words() {
        assert!(is_stop_word("the") && is_stop_word("don't") && is_stop_word("don\u{2019}t"));
        assert!(!is_stop_word("film") && !is_stop_word(""));
    }
}
