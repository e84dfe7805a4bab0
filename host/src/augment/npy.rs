//! Reader of little-endian float32 `.npy` matrices (C or Fortran order), as shipped with GloVe.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Failures reading a `.npy` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NpyError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The header is not a supported 2-D `<f4` array.
    #[error("{path}: {what}")]
    Format {
        /// File.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// The first `max_rows` rows of a 2-D float32 array, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    /// Rows read.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// `rows × cols` values, row-major.
    pub data: Vec<f32>,
}

/// Reads rows `0..min(max_rows, R)` of an `(R, C)` `<f4` array.
pub fn read_f32_matrix(path: &Path, max_rows: usize) -> Result<Matrix, NpyError> {
    let io = |source| NpyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |what: String| NpyError::Format {
        path: path.to_path_buf(),
        what,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let (header, body) = split_header(&bytes).map_err(|w| bad(w.into()))?;
    if !header.contains("'descr': '<f4'") {
        return Err(bad(format!(
            "only little-endian float32 is supported, header: {header}"
        )));
    }
    let fortran = header.contains("'fortran_order': True");
    let (r, c) = shape(header).ok_or_else(|| bad(format!("not a 2-D shape: {header}")))?;
    let need = r
        .checked_mul(c)
        .and_then(|n| n.checked_mul(4))
        .ok_or_else(|| bad("shape overflows".into()))?;
    if body.len() != need {
        return Err(bad(format!(
            "{} data bytes for shape ({r}, {c}), expected {need}",
            body.len()
        )));
    }
    let rows = r.min(max_rows);
    let value = |i: usize| {
        body.get(i * 4..i * 4 + 4)
            .map_or(0.0, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut data = Vec::with_capacity(rows * c);
    for row in 0..rows {
        for col in 0..c {
            data.push(value(if fortran {
                col * r + row
            } else {
                row * c + col
            }));
        }
    }
    Ok(Matrix {
        rows,
        cols: c,
        data,
    })
}

fn split_header(bytes: &[u8]) -> Result<(&str, &[u8]), &'static str> {
    if bytes.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        return Err("missing \\x93NUMPY magic");
    }
    let major = *bytes.get(6).ok_or("truncated")?;
    let (len, start) = match major {
        1 => {
            let b = bytes.get(8..10).ok_or("truncated")?;
            (usize::from(u16::from_le_bytes([b[0], b[1]])), 10)
        }
        2 | 3 => {
            let b = bytes.get(8..12).ok_or("truncated")?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        _ => return Err("unknown .npy version"),
    };
    let header = bytes.get(start..start + len).ok_or("header truncated")?;
    let header = std::str::from_utf8(header).map_err(|_| "header not UTF-8")?;
    Ok((header, bytes.get(start + len..).unwrap_or_default()))
}

fn shape(header: &str) -> Option<(usize, usize)> {
    let s = header.split("'shape':").nth(1)?;
    let inner = s.get(s.find('(')? + 1..s.find(')')?)?;
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().ok())
        .collect::<Option<_>>()?;
    match dims.as_slice() {
        [r, c] => Some((*r, *c)),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes an `.npy` v1 file of `(r, c)` values given row-major, stored in the chosen order.
    pub(crate) fn write_npy(path: &Path, r: usize, c: usize, row_major: &[f32], fortran: bool) {
        let mut header = format!(
            "{{'descr': '<f4', 'fortran_order': {}, 'shape': ({r}, {c}), }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        for i in 0..r * c {
            let (row, col) = if fortran {
                (i % r, i / r)
            } else {
                (i / c, i % c)
            };
            bytes.extend(row_major[row * c + col].to_le_bytes());
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn reads_both_orders_and_limits_rows() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<f32> = (0..12).map(|i| i as f32).collect();
        for fortran in [false, true] {
            let p = dir.path().join(format!("m{fortran}.npy"));
            write_npy(&p, 4, 3, &values, fortran);
            let m = read_f32_matrix(&p, 10).unwrap();
            assert_eq!((m.rows, m.cols), (4, 3));
            assert_eq!(m.data, values);
            let m = read_f32_matrix(&p, 2).unwrap();
            assert_eq!(m.data, &values[..6]);
        }
        let bad = dir.path().join("bad.npy");
        std::fs::write(&bad, b"\x93NUMPY\x01\x00\x05\x00{'de}").unwrap();
        assert!(read_f32_matrix(&bad, 1).is_err());
    }
}
