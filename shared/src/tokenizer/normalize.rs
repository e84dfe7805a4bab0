//! Word segmentation and normalization, streamed one character at a time (no buffer).
//!
//! Rules, applied to each Unicode scalar value of the text in order:
//! - a character with `char::is_alphanumeric` (letters of any script, digits, CJK ideographs)
//!   is a word character; it is lowercased with `char::to_lowercase` (per character, full
//!   Unicode mapping from `core`, e.g. `'İ'` → `"i\u{307}"`, no context rules such as the Greek
//!   final sigma) and every resulting char is appended to the current word;
//! - an apostrophe (`'` U+0027 or `’` U+2019) between two word characters is kept inside the
//!   word, written as `'` (so "Don’t" → `don't`, "rock'n'roll" is one word); any other
//!   apostrophe separates;
//! - every other character (space, punctuation, symbols, emoji, combining marks) separates
//!   words. No Unicode normalization (NFC) is applied: a decomposed "e\u{301}" ends the word.

/// What the normalizer reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// The next (lowercased) character of the current word.
    Char(char),
    /// The current word ended (only after at least one `Char`).
    End,
}

/// Streaming word splitter: feed characters, receive [`Event`]s.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Normalizer {
    in_word: bool,
    pending_apostrophe: bool,
}

/// Whether `c` counts as an apostrophe.
fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

impl Normalizer {
    /// Feeds one character; `emit` returns `false` to stop, which `feed` passes on.
    pub(crate) fn feed(&mut self, c: char, emit: &mut impl FnMut(Event) -> bool) -> bool {
        if c.is_alphanumeric() {
            if self.pending_apostrophe {
                self.pending_apostrophe = false;
                if !emit(Event::Char('\'')) {
                    return false;
                }
            }
            self.in_word = true;
            for lc in c.to_lowercase() {
                if !emit(Event::Char(lc)) {
                    return false;
                }
            }
            true
        } else if is_apostrophe(c) && self.in_word && !self.pending_apostrophe {
            self.pending_apostrophe = true;
            true
        } else {
            self.separate(emit)
        }
    }

    /// Ends the current word, if any (a separator, or the end of the text).
    pub(crate) fn separate(&mut self, emit: &mut impl FnMut(Event) -> bool) -> bool {
        self.pending_apostrophe = false;
        if self.in_word {
            self.in_word = false;
            return emit(Event::End);
        }
        true
    }
}

/// Runs the normalizer over `text`, ending with the final word's `End`.
/// Returns `false` when `emit` stopped it.
pub(crate) fn for_each_event(text: &str, mut emit: impl FnMut(Event) -> bool) -> bool {
    let mut n = Normalizer::default();
    for c in text.chars() {
        if !n.feed(c, &mut emit) {
            return false;
        }
    }
    n.separate(&mut emit)
}

/// Like [`for_each_event`] over bytes that may hold invalid UTF-8: every maximal invalid
/// sequence acts as a separator.
pub(crate) fn for_each_event_bytes(bytes: &[u8], mut emit: impl FnMut(Event) -> bool) -> bool {
    let mut n = Normalizer::default();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if !n.feed(c, &mut emit) {
                return false;
            }
        }
        if !chunk.invalid().is_empty() && !n.separate(&mut emit) {
            return false;
        }
    }
    n.separate(&mut emit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        for_each_event(text, |e| {
            match e {
                Event::Char(c) => out.last_mut().unwrap().push(c),
                Event::End => out.push(String::new()),
            }
            true
        });
        out.pop();
        out
    }

    #[test]
    fn ascii_and_punctuation() {
        assert_eq!(words("Hello, World! 42x"), ["hello", "world", "42x"]);
        assert_eq!(words("  \t\n "), Vec::<String>::new());
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("a-b_c.d"), ["a", "b", "c", "d"]);
    }

    #[test]
    fn apostrophes() {
        assert_eq!(words("Don't"), ["don't"]);
        assert_eq!(words("Don’t stop"), ["don't", "stop"]);
        assert_eq!(words("'tis the dogs' bone"), ["tis", "the", "dogs", "bone"]);
        assert_eq!(words("rock'n'roll"), ["rock'n'roll"]);
        assert_eq!(words("a''b"), ["a", "b"]);
    }

    #[test]
    fn non_ascii() {
        assert_eq!(words("CAFÉ Straße ΣΟΦΙΑ"), ["café", "straße", "σοφια"]);
        assert_eq!(words("İ"), ["i\u{307}"]);
        assert_eq!(words("東京は晴れ"), ["東京は晴れ"]);
        assert_eq!(words("good👍movie"), ["good", "movie"]);
        assert_eq!(words("cafe\u{301}"), ["cafe"]);
    }

    #[test]
    fn invalid_utf8_separates() {
        let mut n = 0;
        let mut chars = String::new();
        for_each_event_bytes(b"ab\xffcd\xe2\x82", |e| {
            match e {
                Event::Char(c) => chars.push(c),
                Event::End => n += 1,
            }
            true
        });
        assert_eq!((n, chars.as_str()), (2, "abcd"));
    }

    #[test]
    fn stopping_is_reported() {
        let mut seen = 0;
        assert!(!for_each_event("abc def", |_| {
            seen += 1;
            seen < 2
        }));
        assert_eq!(seen, 2);
    }
}
