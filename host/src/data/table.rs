//! The generic loader: CSV, TSV or JSONL (optionally `.bz2`), with a text column and a label
//! column, format chosen by extension. Every unusable row is reported with file and line.

use super::clean::clean;
use super::dataset::{Dataset, Example, LoadReport, RowIssue};
use super::error::DataError;
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
}

impl TableSpec {
    /// A spec with a header row, discovered labels, no aliases and nothing dropped.
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
    let (inner, bz2) = match name.strip_suffix(".bz2") {
        Some(inner) => (inner.to_string(), true),
        None => (name, false),
    };
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
    let raw = std::fs::read(path).map_err(DataError::io(path))?;
    let bytes = if bz2 {
        let mut out = Vec::new();
        bzip2::read::BzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(DataError::io(path))?;
        out
    } else {
        raw
    };
    load_bytes(path, &bytes, format, spec)
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

    pub(crate) fn malformed(&mut self, file: &Path, line: u64, reason: impl Into<String>) {
        self.report.rows += 1;
        self.report.malformed.push(RowIssue {
            file: file.to_path_buf(),
            line,
            reason: reason.into(),
        });
    }

    /// Adds one row from `file` at `line`.
    pub(crate) fn push(
        &mut self,
        file: &Path,
        line: u64,
        text: &[u8],
        raw_label: &str,
    ) -> Result<(), DataError> {
        self.report.rows += 1;
        let raw_label = raw_label.trim();
        if self.spec.drop.iter().any(|d| d == raw_label) {
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
        let text: Cow<str> = match std::str::from_utf8(text) {
            Ok(t) => Cow::Borrowed(t),
            Err(_) => {
                self.report.repaired_utf8 += 1;
                String::from_utf8_lossy(text)
            }
        };
        let text = clean(&text);
        if text.is_empty() {
            self.report.rows -= 1;
            self.malformed(file, line, "empty text");
            return Ok(());
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

fn column(path: &Path, header: &[String], name: &str) -> Result<usize, DataError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            available: header.join(", "),
        })
}

fn read_delimited(c: &mut Collector<'_>, bytes: &[u8], delim: u8) -> Result<(), DataError> {
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let path = c.path.clone();
    let mut records = reader.byte_records();
    let header: Vec<String> = if c.spec.has_header {
        let Some(first) = records.next() else {
            return Err(DataError::Empty { path });
        };
        let first = first.map_err(|e| DataError::io(&path)(std::io::Error::other(e)))?;
        first
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let (text_idx, label_idx) = if c.spec.has_header {
        (
            column(&path, &header, &c.spec.text_col)?,
            column(&path, &header, &c.spec.label_col)?,
        )
    } else {
        let idx = |s: &str| {
            s.parse::<usize>().map_err(|_| DataError::MissingColumn {
                path: path.clone(),
                column: s.to_string(),
                available: "0-based column indices (the file has no header)".into(),
            })
        };
        (idx(&c.spec.text_col)?, idx(&c.spec.label_col)?)
    };
    let needed = text_idx.max(label_idx) + 1;
    for record in records {
        let record = record.map_err(|e| DataError::io(&path)(std::io::Error::other(e)))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        if record.len() < needed {
            c.malformed(
                &path,
                line,
                format!("{} fields, need at least {needed}", record.len()),
            );
            continue;
        }
        let (Some(text), Some(label)) = (record.get(text_idx), record.get(label_idx)) else {
            continue;
        };
        let label = String::from_utf8_lossy(label).into_owned();
        c.push(&path, line, text, &label)?;
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
                c.malformed(&path, line, format!("invalid JSON: {e}"));
                continue;
            }
        };
        let Some(obj) = value.as_object() else {
            c.malformed(&path, line, "not a JSON object");
            continue;
        };
        if !checked_columns {
            let keys: Vec<String> = obj.keys().cloned().collect();
            column(&path, &keys, &c.spec.text_col)?;
            column(&path, &keys, &c.spec.label_col)?;
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
            (Some(t), Some(l)) => c.push(&path, line, t.as_bytes(), &l)?,
            (None, _) => c.malformed(
                &path,
                line,
                format!("`{}` missing or not a string", c.spec.text_col),
            ),
            (_, None) => c.malformed(
                &path,
                line,
                format!("`{}` missing or not a scalar", c.spec.label_col),
            ),
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
        let (ds, report) = load_table(&p, &TableSpec::new("t", "text", "label")).unwrap();
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
        let (ds, report) = load_table(&jsonl, &TableSpec::new("b", "t", "l")).unwrap();
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
        let mut spec = TableSpec::new("p", "1", "0");
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
        assert_eq!(report.repaired_utf8, 1);
    }
}
