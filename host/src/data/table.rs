//! The generic loader: CSV, TSV or JSONL (optionally `.bz2`), with a text column and a label
//! column, format chosen by extension ([`load_table`]) or by the `csv:`/`tsv:`/`jsonl:` prefix of
//! the name a user gave ([`load_source`]). Every unusable row is reported with file and line (and
//! column, for quote errors); by default the first one is an error ([`BadRows`]).
//!
//! A bad row: a quote error (see `delimited`), fewer fields than the columns need, invalid UTF-8
//! or a NUL byte (unless the spec repairs encodings), a blank label, a text that is empty once
//! cleaned, invalid JSON or a missing field. A label outside the spec's known labels is always an
//! error: it means the wrong file or the wrong column.

use super::clean::clean;
use super::dataset::{Dataset, Example, LabelSite, LoadReport, RowIssue};
use super::delimited::{rows, Row};
use super::error::DataError;
use super::source::{is_bz2, TableSource};
use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

/// How to read a table and interpret its label column.
#[derive(Clone, Debug)]
pub struct TableSpec {
    /// Dataset name.
    pub name: String,
    /// Column holding the text (a header name; without header, the 0-based index as text).
    pub text_col: String,
    /// Column holding the label (same convention).
    pub label_col: String,
    /// Whether a CSV/TSV file starts with a header row.
    pub has_header: bool,
    /// Label names in index order; a value outside them is an error. Empty: the sorted set of
    /// values found becomes the label list.
    pub labels: Vec<String>,
    /// Raw label values renamed before lookup, e.g. `("-1", "negative")`.
    pub aliases: Vec<(String, String)>,
    /// Raw label values whose rows are dropped on purpose (counted in the report).
    pub drop: Vec<String>,
    /// What a bad row does to the load.
    pub bad_rows: BadRows,
    /// Whether invalid UTF-8 is decoded lossily and NUL bytes removed (each such row reported
    /// in [`LoadReport::repaired`]) rather than making the row bad. The known corpora, whose
    /// quirks are known, repair; a user's table does not.
    pub repair_encoding: bool,
    /// Whether only the text column is read (unlabelled text for the teacher to label): every
    /// example gets label 0, the dataset no label names, and `label_col` is ignored.
    pub texts_only: bool,
}

/// What a bad row does to a load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRows {
    /// The first bad row stops the load: an error naming file, line and (for quote errors)
    /// column.
    #[default]
    Fail,
    /// Bad rows are skipped and each reported with its line; more than `max` stop the load.
    Skip {
        /// Most bad rows tolerated.
        max: usize,
    },
}

impl BadRows {
    /// The policy of `--skip-bad-rows [MAX]`: `None` (flag absent) fails at the first bad row.
    pub fn from_flag(skip: Option<usize>) -> Self {
        skip.map_or(BadRows::Fail, |max| BadRows::Skip { max })
    }
}

impl TableSpec {
    /// A spec with a header row, discovered labels, no aliases, nothing dropped, bad rows errors
    /// and no repairs: the strict spec of a user's table.
    pub fn new(
        name: impl Into<String>,
        text_col: impl Into<String>,
        label_col: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            text_col: text_col.into(),
            label_col: label_col.into(),
            has_header: true,
            labels: Vec::new(),
            aliases: Vec::new(),
            drop: Vec::new(),
            bad_rows: BadRows::Fail,
            repair_encoding: false,
            texts_only: false,
        }
    }

    /// The strict spec of a user's unlabelled table: its `text_col` only.
    pub fn texts_only(name: impl Into<String>, text_col: impl Into<String>) -> Self {
        let text_col = text_col.into();
        Self {
            texts_only: true,
            ..Self::new(name, text_col.clone(), text_col)
        }
    }

    /// The spec of a known corpus: bad rows skipped (each reported) and encodings repaired.
    pub fn known_corpus(
        name: impl Into<String>,
        text_col: impl Into<String>,
        label_col: impl Into<String>,
    ) -> Self {
        Self {
            bad_rows: BadRows::Skip { max: usize::MAX },
            repair_encoding: true,
            ..Self::new(name, text_col, label_col)
        }
    }
}

/// A table format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with this delimiter byte.
    Delimited(u8),
    /// One JSON object per line.
    JsonLines,
}

/// Format from the file name: `.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, each optionally `.bz2`.
/// Returns the format and whether the file is bzip2-compressed.
pub fn detect_format(path: &Path) -> Result<(Format, bool), DataError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bz2 = is_bz2(path);
    let inner = name.strip_suffix(".bz2").unwrap_or(&name);
    let format = match inner.rsplit('.').next() {
        Some("csv") => Format::Delimited(b','),
        Some("tsv" | "tab") => Format::Delimited(b'\t'),
        Some("jsonl" | "ndjson") => Format::JsonLines,
        _ => {
            return Err(DataError::UnknownFormat {
                path: path.to_path_buf(),
            })
        }
    };
    Ok((format, bz2))
}

/// Loads a table whose format is told by its extension.
pub fn load_table(path: &Path, spec: &TableSpec) -> Result<(Dataset, LoadReport), DataError> {
    let (format, bz2) = detect_format(path)?;
    load_source(
        &TableSource {
            path: path.to_path_buf(),
            format,
            bz2,
        },
        spec,
    )
}

/// Loads a table in the format its `PREFIX:` chose ([`TableSource::parse`]), whatever its
/// extension.
pub fn load_source(
    source: &TableSource,
    spec: &TableSpec,
) -> Result<(Dataset, LoadReport), DataError> {
    let path = source.path.as_path();
    let raw = std::fs::read(path).map_err(DataError::io(path))?;
    let bytes = if source.bz2 {
        let mut out = Vec::new();
        bzip2::read::BzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(DataError::io(path))?;
        out
    } else {
        raw
    };
    load_bytes(path, &bytes, source.format, spec)
}

/// Loads a table from bytes already in memory; `path` names it in reports and errors.
pub fn load_bytes(
    path: &Path,
    bytes: &[u8],
    format: Format,
    spec: &TableSpec,
) -> Result<(Dataset, LoadReport), DataError> {
    let mut c = Collector::new(path, spec);
    match format {
        Format::Delimited(delim) => read_delimited(&mut c, bytes, delim)?,
        Format::JsonLines => read_jsonl(&mut c, bytes)?,
    }
    c.finish()
}

/// Gathers rows into examples, applying cleaning and the label policy.
pub(crate) struct Collector<'a> {
    spec: &'a TableSpec,
    path: PathBuf,
    report: LoadReport,
    labels: Vec<String>,
    examples: Vec<Example>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(path: &Path, spec: &'a TableSpec) -> Self {
        Self {
            spec,
            path: path.to_path_buf(),
            report: LoadReport {
                source: path.to_path_buf(),
                ..LoadReport::default()
            },
            labels: spec.labels.clone(),
            examples: Vec::new(),
        }
    }

    /// Records a bad row from `file` at `line`; an error when the spec's [`BadRows`] says so.
    pub(crate) fn malformed(
        &mut self,
        file: &Path,
        line: u64,
        reason: impl Into<String>,
    ) -> Result<(), DataError> {
        self.bad(file, line, None, reason.into())
    }

    fn bad(
        &mut self,
        file: &Path,
        line: u64,
        column: Option<u64>,
        reason: String,
    ) -> Result<(), DataError> {
        self.report.rows += 1;
        let issue = RowIssue {
            file: file.to_path_buf(),
            line,
            column,
            reason,
        };
        match self.spec.bad_rows {
            BadRows::Fail => Err(DataError::BadRow { issue }),
            BadRows::Skip { max } => {
                self.report.malformed.push(issue);
                let count = self.report.malformed.len();
                match self.report.malformed.first() {
                    Some(first) if count > max => Err(DataError::TooManyBadRows {
                        path: self.path.clone(),
                        count,
                        max,
                        first: first.clone(),
                    }),
                    _ => Ok(()),
                }
            }
        }
    }

    /// The `what` field of a row as text: invalid UTF-8 and NUL bytes are repaired and reported
    /// when the spec repairs encodings, and make the row bad (`None`) otherwise.
    fn field<'b>(
        &mut self,
        file: &Path,
        line: u64,
        bytes: &'b [u8],
        what: &str,
    ) -> Result<Option<Cow<'b, str>>, DataError> {
        let fault = match (
            bytes.iter().position(|&b| b == 0),
            std::str::from_utf8(bytes),
        ) {
            (None, Ok(text)) => return Ok(Some(Cow::Borrowed(text))),
            (Some(at), _) => format!("NUL byte at byte {} of the {what}", at + 1),
            (None, Err(e)) => format!(
                "invalid UTF-8 at byte {} of the {what}",
                e.valid_up_to() + 1
            ),
        };
        if !self.spec.repair_encoding {
            self.bad(file, line, None, fault)?;
            return Ok(None);
        }
        self.report.repaired.push(RowIssue {
            file: file.to_path_buf(),
            line,
            column: None,
            reason: format!("{fault}, repaired"),
        });
        let text = String::from_utf8_lossy(bytes).replace('\0', "");
        Ok(Some(Cow::Owned(text)))
    }

    /// Adds one row from `file` at `line`.
    pub(crate) fn push(
        &mut self,
        file: &Path,
        line: u64,
        text: &[u8],
        raw_label: &[u8],
    ) -> Result<(), DataError> {
        if self.spec.texts_only {
            return self.push_text(file, line, text, 0);
        }
        let Some(raw_label) = self.field(file, line, raw_label, "label")? else {
            return Ok(());
        };
        let raw_label = raw_label.trim();
        if raw_label.is_empty() {
            return self.malformed(file, line, "blank label");
        }
        if self.spec.drop.iter().any(|d| d == raw_label) {
            self.report.rows += 1;
            self.report.filter(raw_label);
            return Ok(());
        }
        let name = self
            .spec
            .aliases
            .iter()
            .find(|(raw, _)| raw == raw_label)
            .map_or(raw_label, |(_, name)| name.as_str());
        let label = match self.labels.iter().position(|l| l == name) {
            Some(i) => i,
            None if self.spec.labels.is_empty() && !name.is_empty() => {
                self.labels.push(name.to_string());
                self.labels.len() - 1
            }
            None => {
                return Err(DataError::UnknownLabel {
                    path: file.to_path_buf(),
                    line,
                    label: raw_label.to_string(),
                    known: self.spec.labels.join(", "),
                })
            }
        };
        self.push_text(file, line, text, label)
    }

    /// Adds the cleaned `text` of the row at `line` with class `label`.
    fn push_text(
        &mut self,
        file: &Path,
        line: u64,
        text: &[u8],
        label: usize,
    ) -> Result<(), DataError> {
        let Some(text) = self.field(file, line, text, "text")? else {
            return Ok(());
        };
        let text = clean(&text);
        if text.is_empty() {
            return self.malformed(file, line, "empty text");
        }
        self.report.rows += 1;
        if let Some(name) = self.labels.get(label) {
            if !self.report.label_sites.iter().any(|s| &s.label == name) {
                self.report.label_sites.push(LabelSite {
                    label: name.clone(),
                    file: file.to_path_buf(),
                    line,
                });
            }
        }
        self.examples.push(Example { text, label });
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<(Dataset, LoadReport), DataError> {
        if self.report.rows == 0 {
            return Err(DataError::Empty { path: self.path });
        }
        if self.examples.is_empty() {
            return Err(DataError::NoExamples {
                path: self.path,
                malformed: self.report.malformed.len(),
                filtered: self.report.filtered_total(),
            });
        }
        if self.spec.labels.is_empty() {
            // Discovered labels: sort them and remap so the order does not depend on row order.
            let mut sorted = self.labels.clone();
            sorted.sort();
            let remap: Vec<usize> = self
                .labels
                .iter()
                .map(|l| sorted.iter().position(|s| s == l).unwrap_or(0))
                .collect();
            for e in &mut self.examples {
                e.label = remap.get(e.label).copied().unwrap_or(e.label);
            }
            self.labels = sorted;
        }
        self.report.kept = self.examples.len();
        let ds = Dataset {
            name: self.spec.name.clone(),
            labels: self.labels,
            examples: self.examples,
        };
        Ok((ds, self.report))
    }
}

fn column(
    path: &Path,
    header: &[String],
    name: &str,
    delim: Option<u8>,
) -> Result<usize, DataError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            available: header.join(", "),
            hint: super::hint::missing_column_hint(header, name, delim),
        })
}

fn read_delimited(c: &mut Collector<'_>, bytes: &[u8], delim: u8) -> Result<(), DataError> {
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(bytes);
    let path = c.path.clone();
    let mut records = rows(bytes, delim).into_iter();
    let header: Vec<String> = if c.spec.has_header {
        match records.next() {
            None => return Err(DataError::Empty { path }),
            // A header that is not one is a bad file, whatever the bad-row policy.
            Some(Row::QuoteError {
                line,
                column,
                reason,
            }) => {
                return Err(DataError::BadRow {
                    issue: RowIssue {
                        file: path,
                        line,
                        column: Some(column),
                        reason: format!("header: {reason}"),
                    },
                })
            }
            Some(Row::Record { fields, .. }) => fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .collect(),
        }
    } else {
        Vec::new()
    };
    let (text_idx, label_idx) = if c.spec.has_header {
        (
            column(&path, &header, &c.spec.text_col, Some(delim))?,
            column(&path, &header, &c.spec.label_col, Some(delim))?,
        )
    } else {
        let idx = |s: &str| {
            s.parse::<usize>().map_err(|_| DataError::MissingColumn {
                path: path.clone(),
                column: s.to_string(),
                available: "0-based column indices (the file has no header)".into(),
                hint: String::new(),
            })
        };
        (idx(&c.spec.text_col)?, idx(&c.spec.label_col)?)
    };
    let needed = text_idx.max(label_idx) + 1;
    for row in records {
        let (line, record) = match row {
            Row::Record { line, fields } => (line, fields),
            Row::QuoteError {
                line,
                column,
                reason,
            } => {
                c.bad(&path, line, Some(column), reason)?;
                continue;
            }
        };
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        match (record.get(text_idx), record.get(label_idx)) {
            (Some(text), Some(label)) => c.push(&path, line, text, label)?,
            _ => c.malformed(
                &path,
                line,
                format!("{} fields, need at least {needed}", record.len()),
            )?,
        }
    }
    Ok(())
}

fn read_jsonl(c: &mut Collector<'_>, bytes: &[u8]) -> Result<(), DataError> {
    let path = c.path.clone();
    let mut checked_columns = false;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_slice(raw) {
            Ok(v) => v,
            Err(e) => {
                c.malformed(&path, line, format!("invalid JSON: {e}"))?;
                continue;
            }
        };
        let Some(obj) = value.as_object() else {
            c.malformed(&path, line, "not a JSON object")?;
            continue;
        };
        if !checked_columns {
            let keys: Vec<String> = obj.keys().cloned().collect();
            column(&path, &keys, &c.spec.text_col, None)?;
            column(&path, &keys, &c.spec.label_col, None)?;
            checked_columns = true;
        }
        let text = obj.get(&c.spec.text_col).and_then(|t| t.as_str());
        let label = obj.get(&c.spec.label_col).and_then(|l| match l {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        });
        match (text, label) {
            (Some(t), Some(l)) => c.push(&path, line, t.as_bytes(), l.as_bytes())?,
            (None, _) => c.malformed(
                &path,
                line,
                format!("`{}` missing or not a string", c.spec.text_col),
            )?,
            (_, None) => c.malformed(
                &path,
                line,
                format!("`{}` missing or not a scalar", c.spec.label_col),
            )?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn csv_with_malformed_rows_reports_them_with_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "t.csv",
            b"label,text\npos,\"Good  &amp; fun\"\nneg\nneg,bad film\npos,   \nneg,\"multi\nline\"\n",
        );
        let mut spec = TableSpec::new("t", "text", "label");
        spec.bad_rows = BadRows::Skip { max: 10 };
        let (ds, report) = load_table(&p, &spec).unwrap();
        assert_eq!(ds.labels, ["neg", "pos"]);
        assert_eq!(
            ds.examples[0],
            Example {
                text: "Good & fun".into(),
                label: 1
            }
        );
        assert_eq!(ds.examples[2].text, "multi line");
        assert_eq!(report.rows, 5);
        assert_eq!(report.kept, 3);
        let lines: Vec<u64> = report.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [3, 5]);
        assert!(report.malformed[0].to_string().contains("t.csv:3"));
    }

    #[test]
    fn tsv_jsonl_and_bz2_are_detected_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        let tsv = write(dir.path(), "a.TSV", b"y\tx\n1\thello world\n0\tbye\n");
        let (ds, _) = load_table(&tsv, &TableSpec::new("a", "x", "y")).unwrap();
        assert_eq!(
            (ds.len(), ds.labels.clone()),
            (2, vec!["0".to_string(), "1".to_string()])
        );

        let jsonl = write(
            dir.path(),
            "b.jsonl",
            b"{\"t\":\"one\",\"l\":1}\n\nnot json\n{\"t\":2,\"l\":0}\n{\"t\":\"two\",\"l\":0}\n",
        );
        let mut spec = TableSpec::new("b", "t", "l");
        spec.bad_rows = BadRows::Skip { max: 2 };
        let (ds, report) = load_table(&jsonl, &spec).unwrap();
        assert_eq!(ds.len(), 2);
        let lines: Vec<u64> = report.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [3, 4]);

        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        std::io::Write::write_all(&mut enc, b"text,label\nhi,a\n").unwrap();
        let bz = write(dir.path(), "c.csv.bz2", &enc.finish().unwrap());
        assert_eq!(
            load_table(&bz, &TableSpec::new("c", "text", "label"))
                .unwrap()
                .0
                .len(),
            1
        );

        let odd = write(dir.path(), "d.txt", b"x");
        assert!(matches!(
            load_table(&odd, &TableSpec::new("d", "t", "l")),
            Err(DataError::UnknownFormat { .. })
        ));
    }

    #[test]
    fn a_prefix_reads_the_table_in_its_format_whatever_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "reviews.csv",
            b"text\tlabel\ngood, really\tpos\nbad\tneg\n",
        );
        let spec = TableSpec::new("r", "text", "label");
        let tsv = TableSource::parse(&format!("tsv:{}", p.display()))
            .unwrap()
            .unwrap();
        let (ds, _) = load_source(&tsv, &spec).unwrap();
        assert_eq!(ds.examples[0].text, "good, really");
        assert_eq!(ds.labels, ["neg", "pos"]);

        let csv = TableSource::parse(&format!("csv:{}", p.display()))
            .unwrap()
            .unwrap();
        let err = load_source(&csv, &spec).unwrap_err();
        assert!(
            matches!(&err, DataError::MissingColumn { column, .. } if column == "text"),
            "{err}"
        );
        assert!(
            err.to_string().contains("pass the table as tsv:PATH"),
            "{err}"
        );

        let txt = write(dir.path(), "rows.txt", b"{\"t\":\"hi\",\"l\":\"a\"}\n");
        let jsonl = TableSource::parse(&format!("jsonl:{}", txt.display()))
            .unwrap()
            .unwrap();
        let (ds, _) = load_source(&jsonl, &TableSpec::new("j", "t", "l")).unwrap();
        assert_eq!(ds.examples[0].text, "hi");
    }

    #[test]
    fn empty_file_missing_column_and_unknown_label_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "e.csv", b"");
        assert!(matches!(
            load_table(&empty, &TableSpec::new("e", "t", "l")),
            Err(DataError::Empty { .. })
        ));
        let header_only = write(dir.path(), "h.csv", b"t,l\n");
        assert!(matches!(
            load_table(&header_only, &TableSpec::new("h", "t", "l")),
            Err(DataError::Empty { .. })
        ));

        let p = write(
            dir.path(),
            "m.csv",
            b"text,category\nhi,fresh\nyo,plot\nugh,weird\n",
        );
        let err = load_table(&p, &TableSpec::new("m", "text", "label")).unwrap_err();
        assert!(
            err.to_string().contains("no column `label`")
                && err.to_string().contains("text, category"),
            "{err}"
        );

        let mut spec = TableSpec::new("m", "text", "category");
        spec.labels = vec!["rotten".into(), "fresh".into()];
        spec.drop = vec!["plot".into()];
        let err = load_table(&p, &spec).unwrap_err();
        assert!(
            err.to_string().contains("m.csv:4: unknown label `weird`"),
            "{err}"
        );
    }

    #[test]
    fn headerless_with_aliases_and_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "p.csv",
            b"\xef\xbb\xbf\"1\",\"nice\"\n\"-1\",\"caf\xe9 bad\"\n",
        );
        let mut spec = TableSpec::known_corpus("p", "1", "0");
        spec.has_header = false;
        spec.labels = vec!["negative".into(), "positive".into()];
        spec.aliases = vec![
            ("-1".into(), "negative".into()),
            ("1".into(), "positive".into()),
        ];
        let (ds, report) = load_table(&p, &spec).unwrap();
        assert_eq!(ds.examples[0].label, 1);
        assert_eq!(
            ds.examples[1],
            Example {
                text: "caf bad".into(),
                label: 0
            }
        );
        assert_eq!(report.repaired.len(), 1);
        assert!(
            report.repaired[0]
                .to_string()
                .contains("p.csv:2: invalid UTF-8 at byte 4 of the text, repaired"),
            "{}",
            report.repaired[0]
        );
    }

    fn strict(dir: &Path, name: &str, body: &[u8]) -> Result<(Dataset, LoadReport), DataError> {
        load_table(
            &write(dir, name, body),
            &TableSpec::new("s", "text", "label"),
        )
    }

    /// An unclosed quote no longer swallows the rest of the file, and lines no longer merge:
    /// each is an error naming file, line and column.
    #[test]
    fn quote_errors_are_errors_with_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let err = strict(
            dir.path(),
            "q.csv",
            b"text,label\ngood film,pos\n\"unclosed film,neg\nbad film,neg\nok film,pos\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("q.csv:3:1: a quote opens this field and is never closed"),
            "{err}"
        );
        let err = strict(
            dir.path(),
            "m.csv",
            b"text,label\n\"one\",pos\n\"two,neg\n\"three\",pos\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains(
                "m.csv:4:2: `t` after the closing quote of the field opened at line 3, column 1"
            ),
            "{err}"
        );
        let err = strict(dir.path(), "h.csv", b"\"text,label\nx,y\n").unwrap_err();
        assert!(err.to_string().contains("h.csv:1:1: header:"), "{err}");
    }

    /// `--skip-bad-rows N`: each bad row reported with its line, the good ones kept, more than N
    /// bad rows an error.
    #[test]
    fn skipped_bad_rows_are_reported_per_line_and_limited() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"text,label\ngood film,pos\n\"unclosed film,neg\nbad film,neg\nnothing,\n\nok film,pos\n";
        let p = write(dir.path(), "s.csv", body);
        let mut spec = TableSpec::new("s", "text", "label");
        spec.bad_rows = BadRows::Skip { max: 2 };
        let (ds, report) = load_table(&p, &spec).unwrap();
        let texts: Vec<&str> = ds.examples.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["good film", "bad film", "ok film"]);
        let issues: Vec<String> = report.malformed.iter().map(|i| i.to_string()).collect();
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues[0].contains("s.csv:3:1: a quote opens"), "{issues:?}");
        assert!(issues[1].contains("s.csv:5: blank label"), "{issues:?}");
        assert_eq!(report.rows, 5);
        spec.bad_rows = BadRows::Skip { max: 1 };
        let err = load_table(&p, &spec).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::TooManyBadRows {
                    count: 2,
                    max: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("the first: "), "{err}");
    }

    /// A blank label is one bad row: with discovered labels it used to end the load with
    /// "unknown label `` (known: )".
    #[test]
    fn a_blank_label_is_a_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let err = strict(
            dir.path(),
            "b.csv",
            b"text,label\nfine,pos\nmeh,  \nbad,neg\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("b.csv:3: blank label"), "{err}");
        assert!(matches!(err, DataError::BadRow { .. }), "{err}");
    }

    /// Invalid UTF-8 and NUL bytes are bad rows of a user's table, named with their lines; a known
    /// corpus repairs them and lists each repaired line.
    #[test]
    fn invalid_utf8_and_nul_are_reported_with_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let err = strict(dir.path(), "u.csv", b"text,label\nfine,pos\ncaf\xe9,neg\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("u.csv:3: invalid UTF-8 at byte 4 of the text"),
            "{err}"
        );
        let err = strict(dir.path(), "n.csv", b"text,label\nfine,pos\nnu\x00l,neg\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("n.csv:3: NUL byte at byte 3 of the text"),
            "{err}"
        );
        let p = write(
            dir.path(),
            "r.csv",
            b"text,label\nfine,pos\nnu\x00l,neg\ncaf\xe9 ok,neg\n",
        );
        let (ds, report) = load_table(&p, &TableSpec::known_corpus("r", "text", "label")).unwrap();
        assert_eq!(ds.examples[1].text, "nul");
        let lines: Vec<u64> = report.repaired.iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 4]);
    }
}
