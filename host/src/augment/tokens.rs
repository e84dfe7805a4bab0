//! Splits a text into word tokens and the separators between them, so a text can be rebuilt
//! exactly with some words replaced (punctuation and spacing stay where they were).

/// A piece of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A word: letters and digits, with inner apostrophes or hyphens (`don't`, `well-made`).
    Word(&'a str),
    /// Anything between words: spaces and punctuation.
    Gap(&'a str),
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '-')
}

/// Splits `text` into alternating words and gaps; concatenating the pieces gives `text` back.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while let Some(&(start, c)) = chars.get(i) {
        let word = c.is_alphanumeric();
        let mut j = i + 1;
        while let Some(&(_, d)) = chars.get(j) {
            let continues = if word {
                d.is_alphanumeric()
                    || (is_joiner(d) && chars.get(j + 1).is_some_and(|&(_, e)| e.is_alphanumeric()))
            } else {
                !d.is_alphanumeric()
            };
            if !continues {
                break;
            }
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
        let s = text.get(start..end).unwrap_or_default();
        out.push(if word { Piece::Word(s) } else { Piece::Gap(s) });
        i = j;
    }
    out
}

/// Puts `replacement` in the case pattern of `original`: ALL CAPS stays all caps (for words of
/// two or more letters), a capital first letter stays capital, otherwise as given.
pub fn match_case(original: &str, replacement: &str) -> String {
    let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return replacement.to_uppercase();
    }
    if original.chars().next().is_some_and(char::is_uppercase) {
        let mut cs = replacement.chars();
        return match cs.next() {
            Some(first) => first.to_uppercase().chain(cs).collect(),
            None => String::new(),
        };
    }
    replacement.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_gaps_losslessly() {
        let text = "Don't stop -- it's a well-made, \"fun\" film (2002)!";
        let ps = pieces(text);
        let words: Vec<&str> = ps
            .iter()
            .filter_map(|p| match p {
                Piece::Word(w) => Some(*w),
                Piece::Gap(_) => None,
            })
            .collect();
        assert_eq!(
            words,
            [
                "Don't",
                "stop",
                "it's",
                "a",
                "well-made",
                "fun",
                "film",
                "2002"
            ]
        );
        let rebuilt: String = ps
            .iter()
            .map(|p| match p {
                Piece::Word(s) | Piece::Gap(s) => *s,
            })
            .collect();
        assert_eq!(rebuilt, text);
        assert!(pieces("").is_empty());
        assert_eq!(pieces("--'"), vec![Piece::Gap("--'")]);
        assert_eq!(
            pieces("café naïve"),
            vec![Piece::Word("café"), Piece::Gap(" "), Piece::Word("naïve")]
        );
    }

    #[test]
    fn keeps_case_pattern() {
        assert_eq!(match_case("Good", "fine"), "Fine");
        assert_eq!(match_case("GOOD", "fine"), "FINE");
        assert_eq!(match_case("good", "fine"), "fine");
        assert_eq!(match_case("I", "me"), "Me");
        assert_eq!(match_case("good", "Einstein"), "Einstein");
    }
}
