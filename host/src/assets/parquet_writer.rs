//! A tiny parquet writer for one string column (tests only): it makes the committed fixture
//! `host/tests/fixtures/words.parquet` that exercises [`super::parquet`] end to end, with every
//! feature that reader supports, so the reader is tested without the fetched GloVe asset.
//!
//! The fixture is an OPTIONAL `BYTE_ARRAY` column `word` in three row groups:
//! 1. a v1 data page, PLAIN, uncompressed (`the , . of`);
//! 2. a PLAIN dictionary page and a v1 `RLE_DICTIONARY` data page, snappy (`to and the a to`);
//! 3. a dictionary page and a v2 `PLAIN_DICTIONARY` data page, snappy (`in été in`).
//!
//! Written from the parquet format specification (`parquet.thrift`, Thrift compact protocol),
//! not from the reader: the reader reading it back is the test. (pyarrow reads the committed file
//! to the same 12 words, with the encodings listed above.)

/// A Thrift value to write in the compact protocol.
enum T {
    I32(i32),
    I64(i64),
    Bin(Vec<u8>),
    Bool(bool),
    /// Element type (compact type id) and items.
    List(u8, Vec<T>),
    /// Fields `(id, value)` in increasing id order.
    Struct(Vec<(i16, T)>),
}

const I32: u8 = 5;
const BINARY: u8 = 8;
const STRUCT: u8 = 12;

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

impl T {
    fn compact_type(&self) -> u8 {
        match self {
            T::Bool(true) => 1,
            T::Bool(false) => 2,
            T::I32(_) => I32,
            T::I64(_) => 6,
            T::Bin(_) => BINARY,
            T::List(..) => 9,
            T::Struct(_) => STRUCT,
        }
    }

    /// The value's bytes (a bool inside a struct lives in its field header).
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            T::Bool(b) => out.push(if *b { 1 } else { 2 }),
            T::I32(v) => varint(zigzag(i64::from(*v)), out),
            T::I64(v) => varint(zigzag(*v), out),
            T::Bin(b) => {
                varint(b.len() as u64, out);
                out.extend_from_slice(b);
            }
            T::List(elem, items) => {
                if items.len() < 15 {
                    out.push(((items.len() as u8) << 4) | elem);
                } else {
                    out.push(0xF0 | elem);
                    varint(items.len() as u64, out);
                }
                for item in items {
                    item.write(out);
                }
            }
            T::Struct(fields) => {
                let mut last = 0i16;
                for (id, value) in fields {
                    let ty = value.compact_type();
                    let delta = id - last;
                    if (1..=15).contains(&delta) {
                        out.push(((delta as u8) << 4) | ty);
                    } else {
                        out.push(ty);
                        varint(zigzag(i64::from(*id)), out);
                    }
                    if !matches!(value, T::Bool(_)) {
                        value.write(out);
                    }
                    last = *id;
                }
                out.push(0);
            }
        }
    }
}

fn bytes_of(t: &T) -> Vec<u8> {
    let mut out = Vec::new();
    t.write(&mut out);
    out
}

/// PLAIN `BYTE_ARRAY`s: u32 LE length, then the bytes.
fn plain(words: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in words {
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
        out.extend_from_slice(w.as_bytes());
    }
    out
}

/// Definition levels of `n` present values at bit width 1: one RLE run of 1s.
fn all_defined(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    varint((n as u64) << 1, &mut out);
    out.push(1);
    out
}

/// Dictionary indices: bit width, then one bit-packed run of groups of 8 (LSB first).
fn indices(values: &[u32], width: u8) -> Vec<u8> {
    let groups = values.len().div_ceil(8);
    let mut out = vec![width];
    varint(((groups as u64) << 1) | 1, &mut out);
    let mut packed = vec![0u8; groups * usize::from(width)];
    for (i, &v) in values.iter().enumerate() {
        for b in 0..usize::from(width) {
            let bit = i * usize::from(width) + b;
            if (v >> b) & 1 == 1 {
                packed[bit / 8] |= 1 << (bit % 8);
            }
        }
    }
    out.extend(packed);
    out
}

fn snappy(data: &[u8]) -> Vec<u8> {
    snap::raw::Encoder::new()
        .compress_vec(data)
        .unwrap_or_else(|e| panic!("snappy: {e}"))
}

/// A page: its header (type, sizes, type-specific header at `field`) and body.
fn page(kind: i32, raw_len: usize, body: Vec<u8>, field: i16, header: T) -> Vec<u8> {
    let mut out = bytes_of(&T::Struct(vec![
        (1, T::I32(kind)),
        (2, T::I32(raw_len as i32)),
        (3, T::I32(body.len() as i32)),
        (field, header),
    ]));
    out.extend(body);
    out
}

fn dictionary_page(words: &[&str], codec: i64) -> Vec<u8> {
    let raw = plain(words);
    let body = if codec == 1 {
        snappy(&raw)
    } else {
        raw.clone()
    };
    let header = T::Struct(vec![(1, T::I32(words.len() as i32)), (2, T::I32(0))]);
    page(2, raw.len(), body, 7, header)
}

/// v1 data page: `u32 LE` length of the definition levels, the levels, the values; all of it
/// compressed with `codec`.
fn data_page_v1(n: usize, encoding: i32, values: Vec<u8>, codec: i64) -> Vec<u8> {
    let levels = all_defined(n);
    let mut raw = (levels.len() as u32).to_le_bytes().to_vec();
    raw.extend(levels);
    raw.extend(values);
    let body = if codec == 1 {
        snappy(&raw)
    } else {
        raw.clone()
    };
    let header = T::Struct(vec![
        (1, T::I32(n as i32)),
        (2, T::I32(encoding)),
        (3, T::I32(3)), // definition levels: RLE
        (4, T::I32(3)), // repetition levels: RLE (none: the column is flat)
    ]);
    page(0, raw.len(), body, 5, header)
}

/// v2 data page: levels uncompressed (no length prefix), then the compressed values.
fn data_page_v2(n: usize, encoding: i32, values: Vec<u8>) -> Vec<u8> {
    let levels = all_defined(n);
    let compressed = snappy(&values);
    let raw_len = levels.len() + values.len();
    let mut body = levels.clone();
    body.extend(compressed);
    let header = T::Struct(vec![
        (1, T::I32(n as i32)),
        (2, T::I32(0)),
        (3, T::I32(n as i32)),
        (4, T::I32(encoding)),
        (5, T::I32(levels.len() as i32)),
        (6, T::I32(0)),
        (7, T::Bool(true)),
    ]);
    page(3, raw_len, body, 8, header)
}

/// One row group's column chunk: its pages (dictionary first, if any) starting at `offset`.
struct Chunk {
    pages: Vec<Vec<u8>>,
    has_dictionary: bool,
    codec: i64,
    rows: usize,
    encodings: Vec<i32>,
}

/// The fixture's bytes.
pub(crate) fn fixture() -> Vec<u8> {
    let chunks = [
        Chunk {
            pages: vec![data_page_v1(4, 0, plain(&["the", ",", ".", "of"]), 0)],
            has_dictionary: false,
            codec: 0,
            rows: 4,
            encodings: vec![0, 3],
        },
        Chunk {
            pages: vec![
                dictionary_page(&["to", "and", "the", "a"], 1),
                data_page_v1(5, 8, indices(&[0, 1, 2, 3, 0], 2), 1),
            ],
            has_dictionary: true,
            codec: 1,
            rows: 5,
            encodings: vec![0, 3, 8],
        },
        Chunk {
            pages: vec![
                dictionary_page(&["in", "été"], 1),
                data_page_v2(3, 2, indices(&[0, 1, 0], 1)),
            ],
            has_dictionary: true,
            codec: 1,
            rows: 3,
            encodings: vec![0, 3, 2],
        },
    ];
    let mut out = b"PAR1".to_vec();
    let mut row_groups = Vec::new();
    for chunk in &chunks {
        let start = out.len() as i64;
        let first_len = chunk.pages.first().map_or(0, Vec::len) as i64;
        let data_offset = if chunk.has_dictionary {
            start + first_len
        } else {
            start
        };
        let size: usize = chunk.pages.iter().map(Vec::len).sum();
        for p in &chunk.pages {
            out.extend_from_slice(p);
        }
        let mut meta = vec![
            (1, T::I32(6)),
            (
                2,
                T::List(I32, chunk.encodings.iter().map(|&e| T::I32(e)).collect()),
            ),
            (3, T::List(BINARY, vec![T::Bin(b"word".to_vec())])),
            (4, T::I32(chunk.codec as i32)),
            (5, T::I64(chunk.rows as i64)),
            (6, T::I64(size as i64)),
            (7, T::I64(size as i64)),
            (9, T::I64(data_offset)),
        ];
        if chunk.has_dictionary {
            meta.push((11, T::I64(start)));
        }
        let column = T::Struct(vec![(2, T::I64(start)), (3, T::Struct(meta))]);
        row_groups.push(T::Struct(vec![
            (1, T::List(STRUCT, vec![column])),
            (2, T::I64(size as i64)),
            (3, T::I64(chunk.rows as i64)),
        ]));
    }
    let rows: usize = chunks.iter().map(|c| c.rows).sum();
    let footer = bytes_of(&T::Struct(vec![
        (1, T::I32(1)),
        (
            2,
            T::List(
                STRUCT,
                vec![
                    T::Struct(vec![(4, T::Bin(b"schema".to_vec())), (5, T::I32(1))]),
                    T::Struct(vec![
                        (1, T::I32(6)), // BYTE_ARRAY
                        (3, T::I32(1)), // OPTIONAL
                        (4, T::Bin(b"word".to_vec())),
                        (6, T::I32(0)), // UTF8
                    ]),
                ],
            ),
        ),
        (3, T::I64(rows as i64)),
        (4, T::List(STRUCT, row_groups)),
    ]));
    out.extend_from_slice(&footer);
    out.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}
