//! WordNet 3.0 database reader (`index.{noun,verb,adj,adv}` and `data.*`) producing a synonym
//! lexicon: a word's candidates are the other lemmas of all its synsets, most frequent sense
//! first, `_` turned into spaces and adjective markers such as `(a)` removed.

use super::lexicon::{Lexicon, MapLexicon};
use rand::RngCore;
use std::path::{Path, PathBuf};

/// The four parts of speech, as in the file names.
pub const POS: [&str; 4] = ["noun", "verb", "adj", "adv"];

/// Failures reading the WordNet files, naming file and line or offset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WordNetError {
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// An index line that does not follow the format.
    #[error("{path}:{line}: malformed index line: {what}")]
    Index {
        /// File.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A synset offset pointing nowhere sensible in the data file.
    #[error("{path}: bad synset at byte offset {offset}: {what}")]
    Data {
        /// File.
        path: PathBuf,
        /// Byte offset.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
}

/// WordNet synonyms with morphy-style suffix detachment: a word absent from the index is looked up
/// through its base forms (`films` → `film`, `boring` → `bore`), as NLTK's `wordnet.synsets` does;
/// the replacement is then the synonym's base form.
#[derive(Clone, Debug)]
pub struct WordNetLexicon {
    map: MapLexicon,
}

/// Suffix rules (inflected ending, base ending) of WordNet's morphy, all parts of speech.
const DETACH: &[(&str, &str)] = &[
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("s", ""),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
];

impl WordNetLexicon {
    /// Candidates of a lower-cased word: its own synonyms, else those of its first base form
    /// that has any (never the word itself).
    pub fn candidates(&self, word: &str) -> &[String] {
        let own = self.map.candidates(word);
        if !own.is_empty() {
            return own;
        }
        let mut buf = String::with_capacity(word.len() + 3);
        for (suffix, base) in DETACH {
            if let Some(stem) = word.strip_suffix(suffix) {
                if stem.len() < 2 {
                    continue;
                }
                buf.clear();
                buf.push_str(stem);
                buf.push_str(base);
                let c = self.map.candidates(&buf);
                if !c.is_empty() && c.iter().any(|x| x.to_lowercase() != word) {
                    return c;
                }
            }
        }
        &[]
    }

    /// Number of lemmas with synonyms.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no lemma has synonyms.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Lexicon for WordNetLexicon {
    fn name(&self) -> &'static str {
        "synonym"
    }

    fn has_candidate(&self, word: &str) -> bool {
        self.candidates(word)
            .iter()
            .any(|c| c.to_lowercase() != word)
    }

    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str> {
        let own = self.map.candidates(word);
        if !own.is_empty() {
            // A MapLexicon list never holds its own key.
            return own
                .get(rand::Rng::gen_range(rng, 0..own.len()))
                .map(String::as_str);
        }
        let cands = self.candidates(word);
        let usable = cands.iter().filter(|c| c.to_lowercase() != word).count();
        if usable == 0 {
            return None;
        }
        let k = rand::Rng::gen_range(rng, 0..usable);
        cands
            .iter()
            .filter(|c| c.to_lowercase() != word)
            .nth(k)
            .map(String::as_str)
    }
}

/// Loads the synonym lexicon from a directory holding `index.<pos>` and `data.<pos>`.
pub fn load_wordnet(dir: &Path) -> Result<WordNetLexicon, WordNetError> {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for pos in POS {
        let index_path = dir.join(format!("index.{pos}"));
        let data_path = dir.join(format!("data.{pos}"));
        let index = read(&index_path)?;
        let data = read(&data_path)?;
        let index = String::from_utf8_lossy(&index);
        for (i, line) in index.lines().enumerate() {
            if line.starts_with(' ') || line.is_empty() {
                continue; // licence header
            }
            let (lemma, offsets) = parse_index_line(line).map_err(|what| WordNetError::Index {
                path: index_path.clone(),
                line: i + 1,
                what,
            })?;
            if lemma.contains('_') {
                continue; // texts are matched word by word
            }
            let mut cands = Vec::new();
            for off in offsets {
                let words = synset_words(&data, off).map_err(|what| WordNetError::Data {
                    path: data_path.clone(),
                    offset: off,
                    what,
                })?;
                cands.extend(words);
            }
            entries.push((lemma.to_string(), cands));
        }
    }
    Ok(WordNetLexicon {
        map: MapLexicon::new("synonym", entries),
    })
}

fn read(path: &Path) -> Result<Vec<u8>, WordNetError> {
    std::fs::read(path).map_err(|source| WordNetError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…` →
/// (lemma, offsets).
pub fn parse_index_line(line: &str) -> Result<(&str, Vec<usize>), &'static str> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let lemma = f.first().ok_or("empty line")?;
    let synsets: usize = f
        .get(2)
        .and_then(|s| s.parse().ok())
        .ok_or("bad synset_cnt")?;
    let p_cnt: usize = f.get(3).and_then(|s| s.parse().ok()).ok_or("bad p_cnt")?;
    let first = 4usize
        .checked_add(p_cnt)
        .and_then(|x| x.checked_add(2))
        .ok_or("bad p_cnt")?;
    let offsets = f.get(first..).ok_or("line too short")?;
    if offsets.len() != synsets {
        return Err("synset offsets do not match synset_cnt");
    }
    let offsets = offsets
        .iter()
        .map(|o| o.parse().map_err(|_| "bad synset offset"))
        .collect::<Result<_, _>>()?;
    Ok((lemma, offsets))
}

/// The words of the synset at byte `offset` of a data file:
/// `offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id…] …`.
pub fn synset_words(data: &[u8], offset: usize) -> Result<Vec<String>, &'static str> {
    let rest = data.get(offset..).ok_or("offset beyond the file")?;
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = std::str::from_utf8(rest.get(..end).unwrap_or_default()).map_err(|_| "not UTF-8")?;
    let f: Vec<&str> = line.split(' ').collect();
    if f.first().and_then(|o| o.parse::<usize>().ok()) != Some(offset) {
        return Err("line does not start with its own offset");
    }
    let w_cnt = f
        .get(3)
        .and_then(|h| usize::from_str_radix(h, 16).ok())
        .ok_or("bad w_cnt")?;
    (0..w_cnt)
        .map(|i| {
            let word = f.get(4 + 2 * i).ok_or("fewer words than w_cnt")?;
            Ok(clean_lemma(word))
        })
        .collect()
}

/// `_` → space; trailing syntactic markers `(a)`, `(p)`, `(ip)` removed.
fn clean_lemma(word: &str) -> String {
    let base = match word.find('(') {
        Some(i) if word.ends_with(')') => word.get(..i).unwrap_or(word),
        _ => word,
    };
    base.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::Lexicon;

    /// Writes `data.<pos>` with correct byte offsets and the matching `index.<pos>`.
    pub(crate) fn write_fixture(dir: &Path) {
        let header = "  1 This software and database is being provided to you, the LICENSEE, by\n  2 Princeton University under the following license.\n";
        // Synsets: (words, gloss).
        let noun: &[&[&str]] = &[
            &["film", "movie", "picture", "moving_picture"],
            &["film", "photographic_film"],
        ];
        let adj: &[&[&str]] = &[&["good(a)", "Good"], &["dull", "boring", "tedious"]];
        for (pos, synsets) in [("noun", noun), ("adj", adj)] {
            let mut data = header.to_string();
            let mut offsets = Vec::new();
            for (k, words) in synsets.iter().enumerate() {
                let offset = data.len();
                offsets.push(offset);
                let ws: Vec<String> = words.iter().map(|w| format!("{w} 0")).collect();
                data.push_str(&format!(
                    "{offset:08} 05 {} {:02x} {} 000 | gloss {k}\n",
                    &pos[..1],
                    words.len(),
                    ws.join(" ")
                ));
            }
            std::fs::write(dir.join(format!("data.{pos}")), &data).unwrap();
            let mut lemmas: Vec<(String, Vec<usize>)> = Vec::new();
            for (k, words) in synsets.iter().enumerate() {
                for w in *words {
                    let lemma = clean_lemma(w).replace(' ', "_").to_lowercase();
                    match lemmas.iter_mut().find(|(l, _)| *l == lemma) {
                        Some((_, offs)) => offs.push(offsets[k]),
                        None => lemmas.push((lemma, vec![offsets[k]])),
                    }
                }
            }
            lemmas.sort();
            let mut index = header.to_string();
            for (lemma, offs) in lemmas {
                let o: Vec<String> = offs.iter().map(|o| format!("{o:08}")).collect();
                index.push_str(&format!(
                    "{lemma} {} {} 1 @ {} 0 {} \n",
                    &pos[..1],
                    offs.len(),
                    offs.len(),
                    o.join(" ")
                ));
            }
            std::fs::write(dir.join(format!("index.{pos}")), index).unwrap();
        }
        for pos in ["verb", "adv"] {
            std::fs::write(dir.join(format!("data.{pos}")), header).unwrap();
            std::fs::write(dir.join(format!("index.{pos}")), header).unwrap();
        }
    }

    #[test]
    fn parses_generated_fixture() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path());
        let lex = load_wordnet(dir.path()).unwrap();
        assert_eq!(
            lex.candidates("film"),
            ["movie", "picture", "moving picture", "photographic film"]
        );
        assert_eq!(
            lex.candidates("movie"),
            ["film", "picture", "moving picture"]
        );
        assert_eq!(lex.candidates("boring"), ["dull", "tedious"]);
        assert!(
            !lex.has_candidate("good"),
            "only itself (with a marker and in another case)"
        );
        assert!(!lex.has_candidate("moving_picture") && !lex.has_candidate("moving picture"));
        // Morphy-style base forms.
        assert_eq!(lex.candidates("films"), lex.candidates("film"));
        assert_eq!(
            lex.candidates("pictures"),
            ["film", "movie", "moving picture"]
        );
        assert!(
            lex.has_candidate("movies") && !lex.has_candidate("gooder") && !lex.has_candidate("s")
        );
    }

    #[test]
    fn index_and_data_errors_name_their_place() {
        assert_eq!(
            parse_index_line("film n 2 0 2 1 00000001 00000002").unwrap(),
            ("film", vec![1, 2])
        );
        assert!(parse_index_line("film n 3 0 2 1 00000001 00000002").is_err());
        assert!(parse_index_line("film n x").is_err());
        assert!(synset_words(b"00000000 05 n 01 film 0 000 |", 0).is_ok());
        assert!(synset_words(b"00000000 05 n 02 film 0", 0).is_err());
        assert!(synset_words(b"x", 5).is_err());
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path());
        std::fs::write(dir.path().join("index.adv"), "fast r 1 0 1 0 99999999\n").unwrap();
        let err = load_wordnet(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("data.adv") && err.contains("99999999"),
            "{err}"
        );
    }
}
