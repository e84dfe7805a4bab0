//! A small reader of the Thrift compact protocol into a generic value tree: just enough to read
//! parquet's footer and page headers (see the Thrift `TCompactProtocol` specification).

use super::parquet::ParquetError;

/// A decoded Thrift value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `byte`, `i16`, `i32` or `i64`.
    Int(i64),
    /// `double`.
    Double(f64),
    /// `binary` or `string`.
    Binary(Vec<u8>),
    /// `list` or `set`.
    List(Vec<Value>),
    /// `map`.
    Map(Vec<(Value, Value)>),
    /// `struct`: (field id, value) in wire order.
    Struct(Vec<(i16, Value)>),
}

impl Value {
    /// Field `id` of a struct.
    pub fn field(&self, id: i16) -> Option<&Value> {
        match self {
            Value::Struct(fields) => fields.iter().find(|(f, _)| *f == id).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Integer field `id` of a struct.
    pub fn int(&self, id: i16) -> Option<i64> {
        match self.field(id)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Boolean field `id` of a struct.
    pub fn bool(&self, id: i16) -> Option<bool> {
        match self.field(id)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// List field `id` of a struct.
    pub fn list(&self, id: i16) -> Option<&[Value]> {
        match self.field(id)? {
            Value::List(items) => Some(items),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 32;

/// Reads one struct from `bytes` at `*pos`, advancing `*pos` past it.
pub fn read_struct(bytes: &[u8], pos: &mut usize) -> Result<Value, ParquetError> {
    Reader { bytes, pos }.read_struct(0)
}

struct Reader<'a, 'p> {
    bytes: &'a [u8],
    pos: &'p mut usize,
}

impl Reader<'_, '_> {
    fn err(&self, what: &'static str) -> ParquetError {
        ParquetError::Thrift {
            offset: *self.pos,
            what,
        }
    }

    fn byte(&mut self) -> Result<u8, ParquetError> {
        let b = *self
            .bytes
            .get(*self.pos)
            .ok_or_else(|| self.err("unexpected end"))?;
        *self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, ParquetError> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err(self.err("varint longer than 10 bytes"))
    }

    fn zigzag(&mut self) -> Result<i64, ParquetError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn len(&mut self) -> Result<usize, ParquetError> {
        let n = usize::try_from(self.varint()?).map_err(|_| self.err("length overflows"))?;
        if n > self.bytes.len() {
            return Err(self.err("length beyond the buffer"));
        }
        Ok(n)
    }

    fn read_struct(&mut self, depth: usize) -> Result<Value, ParquetError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let mut fields = Vec::new();
        let mut last: i16 = 0;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(Value::Struct(fields));
            }
            let delta = header >> 4;
            let id = if delta == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| self.err("field id overflows"))?
            } else {
                last.checked_add(i16::from(delta))
                    .ok_or_else(|| self.err("field id overflows"))?
            };
            last = id;
            let value = match header & 0x0f {
                1 => Value::Bool(true),
                2 => Value::Bool(false),
                t => self.read_value(t, depth)?,
            };
            fields.push((id, value));
        }
    }

    fn read_value(&mut self, ty: u8, depth: usize) -> Result<Value, ParquetError> {
        Ok(match ty {
            1 | 2 => Value::Bool(self.byte()? == 1),
            3 => Value::Int(i64::from(self.byte()? as i8)),
            4..=6 => Value::Int(self.zigzag()?),
            7 => {
                let end = self
                    .pos
                    .checked_add(8)
                    .ok_or_else(|| self.err("double overflows"))?;
                let raw = self
                    .bytes
                    .get(*self.pos..end)
                    .ok_or_else(|| self.err("unexpected end in double"))?;
                let mut a = [0u8; 8];
                a.copy_from_slice(raw);
                *self.pos = end;
                Value::Double(f64::from_le_bytes(a))
            }
            8 => {
                let n = self.len()?;
                let end = self
                    .pos
                    .checked_add(n)
                    .ok_or_else(|| self.err("binary overflows"))?;
                let raw = self
                    .bytes
                    .get(*self.pos..end)
                    .ok_or_else(|| self.err("unexpected end in binary"))?;
                *self.pos = end;
                Value::Binary(raw.to_vec())
            }
            9 | 10 => {
                let header = self.byte()?;
                let n = match header >> 4 {
                    15 => self.len()?,
                    n => usize::from(n),
                };
                let elem = header & 0x0f;
                let mut items = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    items.push(self.read_value(elem, depth + 1)?);
                }
                Value::List(items)
            }
            11 => {
                let n = self.len()?;
                let mut entries = Vec::with_capacity(n.min(4096));
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        let k = self.read_value(kv >> 4, depth + 1)?;
                        let v = self.read_value(kv & 0x0f, depth + 1)?;
                        entries.push((k, v));
                    }
                }
                Value::Map(entries)
            }
            12 => self.read_struct(depth + 1)?,
            _ => return Err(self.err("unknown compact type")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_lists_and_nested_structs() {
        // field 1: i32 = 2 (zigzag 4); field 3 (delta 2): binary "ab";
        // field 4 (delta 1): list of 2 i32 [1, -1]; field 5: struct { field 1: true }; stop.
        let bytes = [
            0x15, 0x04, 0x28, 0x02, b'a', b'b', 0x19, 0x25, 0x02, 0x01, 0x1c, 0x11, 0x00, 0x00,
        ];
        let mut pos = 0;
        let v = read_struct(&bytes, &mut pos).unwrap();
        assert_eq!(pos, bytes.len());
        assert_eq!(v.int(1), Some(2));
        assert_eq!(v.field(3), Some(&Value::Binary(b"ab".to_vec())));
        assert_eq!(v.list(4), Some(&[Value::Int(1), Value::Int(-1)][..]));
        assert_eq!(v.field(5).and_then(|s| s.bool(1)), Some(true));
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let bytes = [0x15, 0x04, 0x28, 0x05, b'a'];
        for cut in 0..bytes.len() {
            let mut pos = 0;
            assert!(read_struct(bytes.get(..cut).unwrap(), &mut pos).is_err());
        }
    }
}
