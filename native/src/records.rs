//! Walks the records inside a (decompressed) batch body without materialising them.

use crate::error::{KResult, KafkaError};
use crate::varint::Cursor;

/// The record fields the broker needs: where it sits, when it was written, whether it has a key.
pub struct RecordMeta {
  pub timestamp_delta: i64,
  pub offset_delta: i32,
  pub has_null_key: bool,
}

/// Parses up to `count` records, checking every varint length, and hands each to `visit`
/// (which returns false to stop early). Errors: structural → CORRUPT_MESSAGE, count → INVALID_RECORD.
pub fn walk(body: &[u8], count: i32, mut visit: impl FnMut(&RecordMeta) -> KResult<bool>) -> KResult<()> {
  let mut cur = Cursor::new(body);
  for i in 0..count {
    if cur.remaining() == 0 {
      return Err(KafkaError::invalid_record(format!(
        "batch declares {count} records but holds {i}"
      )));
    }
    let len = cur.read_varint().ok_or_else(|| bad(i, "record length"))?;
    if len < 0 || len as usize > cur.remaining() {
      return Err(bad(i, "record length"));
    }
    let start = cur.pos;
    let meta = parse_record(&body[start..start + len as usize]).ok_or_else(|| bad(i, "record body"))?;
    cur.pos = start + len as usize;
    if !visit(&meta)? {
      return Ok(());
    }
  }
  if cur.remaining() != 0 {
    return Err(KafkaError::invalid_record(format!(
      "batch declares {count} records but has {} trailing bytes",
      cur.remaining()
    )));
  }
  Ok(())
}

fn bad(i: i32, what: &str) -> KafkaError {
  KafkaError::corrupt(format!("record {i}: malformed {what}"))
}

/// One record body (after its length); None unless it is consumed exactly.
fn parse_record(rec: &[u8]) -> Option<RecordMeta> {
  let mut cur = Cursor::new(rec);
  cur.read_i8()?; // attributes (unused in v2)
  let timestamp_delta = cur.read_varlong()?;
  let offset_delta = cur.read_varint()?;
  let has_null_key = skip_bytes(&mut cur, true)?; // key
  skip_bytes(&mut cur, true)?; // value
  let headers = cur.read_varint()?;
  if headers < 0 {
    return None;
  }
  for _ in 0..headers {
    skip_bytes(&mut cur, false)?; // header key (a string: never null)
    skip_bytes(&mut cur, true)?; // header value
  }
  (cur.remaining() == 0).then_some(RecordMeta {
    timestamp_delta,
    offset_delta,
    has_null_key,
  })
}

/// Skips one length-prefixed field; Some(true) when it was null.
fn skip_bytes(cur: &mut Cursor, nullable: bool) -> Option<bool> {
  let len = cur.read_varint()?;
  match len {
    -1 if nullable => Some(true),
    n if n >= 0 => cur.skip(n as usize).map(|_| false),
    _ => None,
  }
}

/// One record as the cleaner sees it: its deltas, key, whether it has a value, and its bytes from
/// the key on (key, value, headers), which a rewritten batch copies verbatim.
pub struct RecordView<'a> {
  pub timestamp_delta: i64,
  pub offset_delta: i32,
  pub key: Option<&'a [u8]>,
  pub has_value: bool,
  pub tail: &'a [u8],
}

/// Like `walk`, handing each record's key and raw tail to `visit` (which returns false to stop).
pub fn walk_views<'a>(
  body: &'a [u8],
  count: i32,
  mut visit: impl FnMut(RecordView<'a>) -> KResult<bool>,
) -> KResult<()> {
  let mut cur = Cursor::new(body);
  for i in 0..count {
    let len = cur.read_varint().ok_or_else(|| bad(i, "record length"))?;
    if len < 0 || len as usize > cur.remaining() {
      return Err(bad(i, "record length"));
    }
    let start = cur.pos;
    let view = parse_view(&body[start..start + len as usize]).ok_or_else(|| bad(i, "record body"))?;
    cur.pos = start + len as usize;
    if !visit(view)? {
      return Ok(());
    }
  }
  if cur.remaining() != 0 {
    return Err(KafkaError::corrupt(format!(
      "batch declares {count} records but has {} trailing bytes",
      cur.remaining()
    )));
  }
  Ok(())
}

fn parse_view(rec: &[u8]) -> Option<RecordView<'_>> {
  let mut cur = Cursor::new(rec);
  cur.read_i8()?;
  let timestamp_delta = cur.read_varlong()?;
  let offset_delta = cur.read_varint()?;
  let tail_start = cur.pos;
  let key_len = cur.read_varint()?;
  let key = match key_len {
    -1 => None,
    n if n >= 0 => {
      let at = cur.pos;
      cur.skip(n as usize)?;
      Some(&rec[at..cur.pos])
    }
    _ => return None,
  };
  let has_value = !skip_bytes(&mut cur, true)?;
  let headers = cur.read_varint()?;
  if headers < 0 {
    return None;
  }
  for _ in 0..headers {
    skip_bytes(&mut cur, false)?;
    skip_bytes(&mut cur, true)?;
  }
  (cur.remaining() == 0).then_some(RecordView {
    timestamp_delta,
    offset_delta,
    key,
    has_value,
    tail: &rec[tail_start..],
  })
}
