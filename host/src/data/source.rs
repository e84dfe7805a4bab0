//! A user's table as the command line names it: `csv:PATH`, `tsv:PATH` or `jsonl:PATH`. The prefix
//! chooses the format whatever the file's extension says (`tsv:reviews.txt` is read as TSV);
//! a name ending in `.bz2` is decompressed first.
//!
//! ```text
//! "tsv:data/reviews.csv" ─► TableSource { path: data/reviews.csv, format: Delimited(b'\t'), bz2: false }
//! "xlsx:book.xlsx"       ─► DataError::UnknownPrefix { prefix: "xlsx", accepted: "csv:, tsv:, jsonl:" }
//! "rotten-tomatoes"      ─► None (not a table: a corpus name)
//! ```

use std::path::{Path, PathBuf};

use super::error::DataError;
use super::table::Format;

/// The prefixes of a user's table and the format each one chooses.
pub const TABLE_PREFIXES: [(&str, Format); 3] = [
    ("csv", Format::Delimited(b',')),
    ("tsv", Format::Delimited(b'\t')),
    ("jsonl", Format::JsonLines),
];

/// `csv:, tsv:, jsonl:`: the accepted prefixes as an error message lists them.
pub fn accepted_prefixes() -> String {
    let names: Vec<String> = TABLE_PREFIXES
        .iter()
        .map(|(name, _)| format!("{name}:"))
        .collect();
    names.join(", ")
}

/// A table file and the format its prefix chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSource {
    /// The file.
    pub path: PathBuf,
    /// The format the prefix chose.
    pub format: Format,
    /// Whether the file name ends in `.bz2` (decompressed before parsing).
    pub bz2: bool,
}

impl TableSource {
    /// Parses `PREFIX:PATH`. `Ok(None)`: `name` has no prefix (a corpus name, or a bare path);
    /// an error when the prefix is not one of [`TABLE_PREFIXES`].
    pub fn parse(name: &str) -> Result<Option<Self>, DataError> {
        let Some((prefix, path)) = name.split_once(':') else {
            return Ok(None);
        };
        // `C:\data.csv` and `./a:b.csv` are paths, not prefixes: a prefix is a word of two or more
        // letters or digits.
        if prefix.len() < 2 || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let lower = prefix.to_ascii_lowercase();
        let format = TABLE_PREFIXES
            .iter()
            .find(|(p, _)| *p == lower)
            .map(|(_, f)| *f)
            .ok_or_else(|| DataError::UnknownPrefix {
                prefix: prefix.to_string(),
                accepted: accepted_prefixes(),
            })?;
        let path = PathBuf::from(path);
        Ok(Some(Self {
            bz2: is_bz2(&path),
            path,
            format,
        }))
    }
}

/// Whether the file name ends in `.bz2` (any case).
pub(super) fn is_bz2(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().to_lowercase().ends_with(".bz2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(name: &str) -> TableSource {
        TableSource::parse(name).unwrap().unwrap()
    }

    #[test]
    fn the_prefix_chooses_the_format_whatever_the_extension() {
        assert_eq!(
            parsed("tsv:data/reviews.csv"),
            TableSource {
                path: PathBuf::from("data/reviews.csv"),
                format: Format::Delimited(b'\t'),
                bz2: false,
            }
        );
        assert_eq!(parsed("csv:notes.txt").format, Format::Delimited(b','));
        assert_eq!(parsed("jsonl:rows.json").format, Format::JsonLines);
        assert_eq!(parsed("TSV:a.tsv").format, Format::Delimited(b'\t'));
        let bz = parsed("tsv:big.txt.BZ2");
        assert_eq!((bz.format, bz.bz2), (Format::Delimited(b'\t'), true));
        assert_eq!(parsed("csv:a:b.csv").path, PathBuf::from("a:b.csv"));
    }

    #[test]
    fn an_unknown_prefix_names_the_accepted_ones() {
        let err = TableSource::parse("xlsx:book.xlsx").unwrap_err();
        assert!(
            matches!(&err, DataError::UnknownPrefix { prefix, .. } if prefix == "xlsx"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "unknown table prefix `xlsx:`: accepted are csv:, tsv:, jsonl: \
             (e.g. tsv:PATH reads PATH as tab-separated, whatever its extension)"
        );
    }

    #[test]
    fn names_without_a_prefix_are_not_tables() {
        for name in ["rotten-tomatoes", "C:\\data.csv", "./a:b.csv", ""] {
            assert_eq!(TableSource::parse(name).unwrap(), None, "{name}");
        }
    }
}
