//! Bounds-checked reader for the zigzag varints inside v2 records.

/// A position inside a byte slice; every read returns None instead of running off the end.
pub struct Cursor<'a> {
  buf: &'a [u8],
  pub pos: usize,
}

impl<'a> Cursor<'a> {
  /// Starts reading at the first byte.
  pub fn new(buf: &'a [u8]) -> Self {
    Self { buf, pos: 0 }
  }

  /// Bytes not yet read.
  pub fn remaining(&self) -> usize {
    self.buf.len() - self.pos
  }

  /// One signed byte (a record's attributes).
  pub fn read_i8(&mut self) -> Option<i8> {
    let b = *self.buf.get(self.pos)?;
    self.pos += 1;
    Some(b as i8)
  }

  fn read_unsigned(&mut self, max_bytes: usize) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..max_bytes {
      let b = *self.buf.get(self.pos)?;
      self.pos += 1;
      value |= u64::from(b & 0x7f) << (7 * i);
      if b & 0x80 == 0 {
        return Some(value);
      }
    }
    None // too long for the type
  }

  /// Zigzag varint (Kafka's ByteUtils.readVarint).
  pub fn read_varint(&mut self) -> Option<i32> {
    let v = self.read_unsigned(5)?;
    let v = u32::try_from(v).ok()?;
    Some(((v >> 1) as i32) ^ -((v & 1) as i32))
  }

  /// Zigzag varlong (Kafka's ByteUtils.readVarlong).
  pub fn read_varlong(&mut self) -> Option<i64> {
    let v = self.read_unsigned(10)?;
    Some(((v >> 1) as i64) ^ -((v & 1) as i64))
  }

  /// Steps over a key, value or header body.
  pub fn skip(&mut self, n: usize) -> Option<()> {
    if n > self.remaining() {
      return None;
    }
    self.pos += n;
    Some(())
  }
}

/// Appends a zigzag varint (Kafka's ByteUtils.writeVarint).
pub fn write_varint(out: &mut Vec<u8>, value: i32) {
  write_unsigned(out, ((value << 1) ^ (value >> 31)) as u32 as u64);
}

/// Appends a zigzag varlong (Kafka's ByteUtils.writeVarlong).
pub fn write_varlong(out: &mut Vec<u8>, value: i64) {
  write_unsigned(out, ((value << 1) ^ (value >> 63)) as u64);
}

fn write_unsigned(out: &mut Vec<u8>, mut v: u64) {
  while v >= 0x80 {
    out.push((v as u8 & 0x7f) | 0x80);
    v >>= 7;
  }
  out.push(v as u8);
}
