//! Rows of a CSV or TSV file, read with the `csv` crate and checked for quote errors it lets
//! through.
//!
//! The `csv` crate is lenient: a quote that is never closed makes the rest of the file one field,
//! and text after a closing quote (`"a"b`) is appended to the field, so a stray quote silently
//! merges lines into one row. Each record's raw bytes are therefore checked here: a field that
//! opens with a quote must close it, and the closing quote must be followed by the delimiter, the
//! end of the line or the end of the file. A record that fails is reported with the line and
//! column of the fault, and reading starts again at the line after the one the record began on,
//! so one bad quote costs one row, not the rest of the file. (A quote inside an unquoted field,
//! `5" screen`, is kept as a character, as the `csv` crate does.)

/// One record of the file, or why a line is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Row {
    /// A record that starts on `line` (1-based).
    Record {
        /// Line the record starts on.
        line: u64,
        /// Its fields, as raw bytes.
        fields: csv::ByteRecord,
    },
    /// A quote error at `line`, `column` (1-based; the column counts bytes).
    QuoteError {
        /// Line of the fault.
        line: u64,
        /// Column of the fault.
        column: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Every row of `bytes` (without a byte-order mark) with delimiter `delim`, in file order.
pub(crate) fn rows(bytes: &[u8], delim: u8) -> Vec<Row> {
    let mut out = Vec::new();
    let mut start = 0usize;
    while let Some(rest) = bytes.get(start..) {
        let first_line = line_of(bytes, start);
        match read_from(rest, delim, &mut out, first_line) {
            Some(resume) => start += resume,
            None => break,
        }
    }
    out
}

/// Reads records of `rest` (which starts on line `first_line` of the file) into `out` until the
/// end, or until a quote error; then returns where reading must start again (relative to
/// `rest`), or `None` at the end.
fn read_from(rest: &[u8], delim: u8, out: &mut Vec<Row>, first_line: u64) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(rest);
    let mut record = csv::ByteRecord::new();
    loop {
        let begin = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            // A byte reader over a slice with flexible records has no other error than I/O,
            // which a slice does not raise; stop rather than loop.
            Ok(false) | Err(_) => return None,
        }
        let end = reader.position().byte() as usize;
        let from = record
            .position()
            .map_or(begin, |p| p.byte() as usize)
            .max(begin);
        // With CRLF endings a record's position is the `\n` left over from the previous
        // terminator (or a blank line's): the record starts after such bytes.
        let mut line = first_line + record.position().map_or(1, |p| p.line()) - 1;
        let mut from = from;
        while let Some(&b) = rest.get(from).filter(|_| from < end) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            from += 1;
        }
        let raw = rest.get(from..end).unwrap_or_default();
        match check_quotes(raw, delim) {
            Ok(()) => out.push(Row::Record {
                line,
                fields: record.clone(),
            }),
            Err(fault) => {
                let (at_line, column) = line_column(raw, fault.at);
                let (open_line, open_column) = line_column(raw, fault.open);
                let reason = match fault.kind {
                    FaultKind::Unclosed => {
                        "a quote opens this field and is never closed".to_string()
                    }
                    FaultKind::AfterClose(byte) => format!(
                        "{} after the closing quote of the field opened at line {}, column {}",
                        describe_byte(byte),
                        line + open_line - 1,
                        open_column
                    ),
                };
                out.push(Row::QuoteError {
                    line: line + at_line - 1,
                    column,
                    reason,
                });
                // Start again on the line after the one the bad record began on, when the record
                // went past it; otherwise the reader is already past it.
                let newline = raw.iter().position(|&b| b == b'\n');
                if let Some(nl) = newline.filter(|nl| from + nl + 1 < end) {
                    return Some(from + nl + 1);
                }
            }
        }
    }
}

/// What is wrong with a record's quotes: `at` is the byte of the fault, `open` the opening quote.
struct Fault {
    at: usize,
    open: usize,
    kind: FaultKind,
}

enum FaultKind {
    /// The quote at `open` is never closed.
    Unclosed,
    /// This byte follows the closing quote.
    AfterClose(u8),
}

/// Checks the quotes of one record's raw bytes (terminator included, if any).
fn check_quotes(raw: &[u8], delim: u8) -> Result<(), Fault> {
    let mut i = 0;
    loop {
        // At the start of a field.
        if raw.get(i) == Some(&b'"') {
            let open = i;
            i += 1;
            loop {
                let Some(q) = raw.get(i..).and_then(|r| r.iter().position(|&b| b == b'"')) else {
                    return Err(Fault {
                        at: open,
                        open,
                        kind: FaultKind::Unclosed,
                    });
                };
                i += q + 1;
                if raw.get(i) == Some(&b'"') {
                    i += 1; // a doubled quote is a quote character
                } else {
                    break;
                }
            }
            match raw.get(i) {
                None | Some(b'\r' | b'\n') => return Ok(()),
                Some(&b) if b == delim => i += 1,
                Some(&b) => {
                    return Err(Fault {
                        at: i,
                        open,
                        kind: FaultKind::AfterClose(b),
                    })
                }
            }
        } else {
            match raw.get(i..).and_then(|r| {
                r.iter()
                    .position(|&b| b == delim || b == b'\n' || b == b'\r')
            }) {
                Some(k) if raw.get(i + k) == Some(&delim) => i += k + 1,
                _ => return Ok(()),
            }
        }
    }
}

/// 1-based line (within `raw`) and byte column of offset `at`.
fn line_column(raw: &[u8], at: usize) -> (u64, u64) {
    let before = raw.get(..at).unwrap_or(raw);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, (at - line_start) as u64 + 1)
}

/// 1-based line of byte `at` of `bytes`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    line_column(bytes, at).0
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("`{}`", b as char)
    } else {
        format!("byte {b:#04x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(bytes: &[u8]) -> Vec<String> {
        rows(bytes, b',')
            .into_iter()
            .map(|r| match r {
                Row::Record { line, fields } => {
                    let f: Vec<String> = fields
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    format!("{line}: {}", f.join("|"))
                }
                Row::QuoteError {
                    line,
                    column,
                    reason,
                } => format!("{line}:{column} {reason}"),
            })
            .collect()
    }

    #[test]
    fn well_formed_quotes_and_multi_line_fields_pass() {
        assert_eq!(
            summary(b"a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\n5\" screen,w"),
            [
                "1: a|b",
                "2: x, y|say \"hi\"",
                "3: multi\nline|z",
                "5: 5\" screen|w"
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_costs_one_row_not_the_rest_of_the_file() {
        let rows = summary(b"text,label\n\"good film,pos\nbad film,neg\nok,pos\n");
        assert_eq!(
            rows,
            [
                "1: text|label",
                "2:1 a quote opens this field and is never closed",
                "3: bad film|neg",
                "4: ok|pos"
            ]
        );
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error_where_lines_would_merge() {
        // Line 2 opens a quote that line 3's own opening quote closes: the csv crate alone
        // makes one example of the two lines.
        let rows = summary(b"text,label\n\"broken,pos\n\"another\",neg\n\"fine\",pos\n");
        assert_eq!(
            rows,
            [
                "1: text|label",
                "3:2 `a` after the closing quote of the field opened at line 2, column 1",
                "3: another|neg",
                "4: fine|pos"
            ]
        );
        assert_eq!(
            summary(b"\"a\"b,c\n"),
            ["1:4 `b` after the closing quote of the field opened at line 1, column 1"]
        );
    }

    #[test]
    fn crlf_lines_are_numbered_and_checked_like_lf_lines() {
        assert_eq!(
            summary(b"a,b\r\nx,y\r\n\r\n\"z\"w,v\r\nok,1\r\n"),
            [
                "1: a|b",
                "2: x|y",
                "4:4 `w` after the closing quote of the field opened at line 4, column 1",
                "5: ok|1"
            ]
        );
    }

    #[test]
    fn a_quote_error_on_the_last_line_ends_the_rows() {
        assert_eq!(
            summary(b"x,y\nz,\"open"),
            ["1: x|y", "2:3 a quote opens this field and is never closed"]
        );
    }
}
