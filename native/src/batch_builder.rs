//! The producer's record batch builder (Kafka's MemoryRecordsBuilder): records are encoded into
//! native memory as they are appended; closing compresses them and writes the 61-byte v2 header.

use napi::bindgen_prelude::{Buffer, BufferSlice};
use napi_derive::napi;

use crate::batch::{self, HEADER_SIZE, LOG_OVERHEAD};
use crate::codecs;
use crate::crc;
use crate::error::{KResult, KafkaError};
use crate::varint::{write_varint, write_varlong};

const PARTITION_LEADER_EPOCH: usize = 12;
const MAGIC: usize = 16;
const CRC: usize = 17;
const ATTRIBUTES: usize = 21;
const LAST_OFFSET_DELTA: usize = 23;
const BASE_TIMESTAMP: usize = 27;
const MAX_TIMESTAMP: usize = 35;
const PRODUCER_ID: usize = 43;
const PRODUCER_EPOCH: usize = 51;
const BASE_SEQUENCE: usize = 53;
const RECORD_COUNT: usize = 57;
/// Kafka's RecordBatch.NO_PARTITION_LEADER_EPOCH: the broker assigns the epoch.
const NO_PARTITION_LEADER_EPOCH: i32 = -1;
/// Kafka's RecordBatch.NO_TIMESTAMP: maxTimestamp before any record.
const NO_TIMESTAMP: i64 = -1;
/// batchLength is an i32: no batch may grow past it.
const MAX_BATCH_BYTES: usize = i32::MAX as usize;

/// One record header as the producer API passes it: a string key and a nullable value.
#[napi(object)]
pub struct RecordHeaderInput<'a> {
  pub key: String,
  pub value: Option<BufferSlice<'a>>,
}

/// An open batch for one partition: [61 header bytes to fill on close][records], in Rust memory.
#[napi]
pub struct RecordBatchBuilder {
  buf: Vec<u8>,
  codec: u8,
  batch_size: usize,
  base_timestamp: Option<i64>,
  max_timestamp: i64,
  record_count: i32,
  closed: bool,
}

/// Bytes of a zigzag varint (Kafka's ByteUtils.sizeOfVarint).
fn varint_size(v: i32) -> usize {
  unsigned_size(((v << 1) ^ (v >> 31)) as u32 as u64)
}

/// Bytes of a zigzag varlong (Kafka's ByteUtils.sizeOfVarlong).
fn varlong_size(v: i64) -> usize {
  unsigned_size(((v << 1) ^ (v >> 63)) as u64)
}

fn unsigned_size(v: u64) -> usize {
  // 1 byte per started group of 7 bits, at least one.
  (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Length prefix plus bytes of a nullable field (-1 for null).
fn field_size(len: Option<usize>) -> KResult<usize> {
  match len {
    None => Ok(1),
    Some(n) => {
      let n32 = i32::try_from(n).map_err(|_| too_large(n))?;
      Ok(varint_size(n32) + n)
    }
  }
}

fn write_field(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
  match bytes {
    None => write_varint(out, -1),
    Some(b) => {
      write_varint(out, b.len() as i32);
      out.extend_from_slice(b);
    }
  }
}

fn too_large(n: usize) -> KafkaError {
  KafkaError::too_large(format!("a record of {n} bytes cannot fit in a record batch"))
}

/// Writes the header fields that never change after the records are final.
fn write_fixed_header(
  batch: &mut [u8],
  attributes: i16,
  last_offset_delta: i32,
  base_ts: i64,
  max_ts: i64,
  count: i32,
) {
  let batch_length = (batch.len() - LOG_OVERHEAD) as i32;
  batch[0..8].copy_from_slice(&0i64.to_be_bytes()); // baseOffset: the broker assigns offsets
  batch[8..12].copy_from_slice(&batch_length.to_be_bytes());
  batch[PARTITION_LEADER_EPOCH..PARTITION_LEADER_EPOCH + 4].copy_from_slice(&NO_PARTITION_LEADER_EPOCH.to_be_bytes());
  batch[MAGIC] = 2;
  batch[ATTRIBUTES..ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
  batch[LAST_OFFSET_DELTA..LAST_OFFSET_DELTA + 4].copy_from_slice(&last_offset_delta.to_be_bytes());
  batch[BASE_TIMESTAMP..BASE_TIMESTAMP + 8].copy_from_slice(&base_ts.to_be_bytes());
  batch[MAX_TIMESTAMP..MAX_TIMESTAMP + 8].copy_from_slice(&max_ts.to_be_bytes());
  batch[RECORD_COUNT..RECORD_COUNT + 4].copy_from_slice(&count.to_be_bytes());
}

/// Writes producerId/epoch/baseSequence and the CRC-32C over attributes..end.
fn write_producer_state(batch: &mut [u8], producer_id: i64, producer_epoch: i16, base_sequence: i32) {
  batch[PRODUCER_ID..PRODUCER_ID + 8].copy_from_slice(&producer_id.to_be_bytes());
  batch[PRODUCER_EPOCH..PRODUCER_EPOCH + 2].copy_from_slice(&producer_epoch.to_be_bytes());
  batch[BASE_SEQUENCE..BASE_SEQUENCE + 4].copy_from_slice(&base_sequence.to_be_bytes());
  let crc = crc::crc32c(&batch[ATTRIBUTES..]);
  batch[CRC..CRC + 4].copy_from_slice(&crc.to_be_bytes());
}

fn epoch(producer_epoch: i32) -> napi::Result<i16> {
  i16::try_from(producer_epoch)
    .map_err(|_| napi::Error::from_reason(format!("producer epoch {producer_epoch} is not an int16")))
}

#[napi]
impl RecordBatchBuilder {
  /// An empty batch for `codec` that takes records up to `batch_size` bytes (the first always fits).
  #[napi(constructor)]
  pub fn new(codec: u32, batch_size: u32, base_timestamp: Option<i64>) -> napi::Result<Self> {
    let codec = u8::try_from(codec)
      .ok()
      .filter(|&c| c <= codecs::ZSTD)
      .ok_or_else(|| KafkaError::unsupported_compression(format!("unknown compression codec id {codec}")))?;
    let batch_size = (batch_size as usize).min(MAX_BATCH_BYTES);
    let mut buf = Vec::with_capacity(batch_size.clamp(HEADER_SIZE, 1 << 20));
    buf.resize(HEADER_SIZE, 0);
    Ok(RecordBatchBuilder {
      buf,
      codec,
      batch_size,
      base_timestamp,
      max_timestamp: NO_TIMESTAMP,
      record_count: 0,
      closed: false,
    })
  }

  /// Encodes one record (Kafka's DefaultRecord.writeTo); returns the batch's estimated size
  /// afterwards (header + uncompressed records), or -1 when the batch already holds a record and
  /// this one would take it past `batch_size` (nothing is written then).
  #[napi]
  pub fn append(
    &mut self,
    timestamp: i64,
    key: Option<BufferSlice>,
    value: Option<BufferSlice>,
    headers: Option<Vec<RecordHeaderInput>>,
  ) -> napi::Result<i64> {
    if self.closed {
      return Err(napi::Error::from_reason("append to a closed record batch"));
    }
    let base_timestamp = *self.base_timestamp.get_or_insert(timestamp);
    let timestamp_delta = timestamp.wrapping_sub(base_timestamp);
    let offset_delta = self.record_count;
    let key = key.as_deref();
    let value = value.as_deref();
    let headers = headers.as_deref().unwrap_or(&[]);

    let mut body = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta);
    body += field_size(key.map(<[u8]>::len))? + field_size(value.map(<[u8]>::len))?;
    body += varint_size(headers.len() as i32);
    for h in headers {
      body += field_size(Some(h.key.len()))? + field_size(h.value.as_deref().map(<[u8]>::len))?;
    }
    let body_i32 = i32::try_from(body).map_err(|_| too_large(body))?;
    let size = varint_size(body_i32) + body;
    let total = self.buf.len() + size;
    if self.record_count > 0 && total > self.batch_size {
      return Ok(-1);
    }
    if total > MAX_BATCH_BYTES {
      return Err(too_large(size).into());
    }

    let out = &mut self.buf;
    out.reserve(size);
    write_varint(out, body_i32);
    out.push(0); // record attributes: unused in v2
    write_varlong(out, timestamp_delta);
    write_varint(out, offset_delta);
    write_field(out, key);
    write_field(out, value);
    write_varint(out, headers.len() as i32);
    for h in headers {
      write_field(out, Some(h.key.as_bytes()));
      write_field(out, h.value.as_deref());
    }
    debug_assert_eq!(out.len(), total);
    self.max_timestamp = self.max_timestamp.max(timestamp);
    self.record_count += 1;
    Ok(total as i64)
  }

  /// Compresses the records, writes the header and CRC-32C and hands the bytes to JS without a
  /// copy (the Buffer owns the Rust allocation). Once only: a retry re-stamps the returned Buffer
  /// with rewriteProducerState.
  #[napi]
  pub fn close(&mut self, producer_id: i64, producer_epoch: i32, base_sequence: i32) -> napi::Result<Buffer> {
    if self.closed {
      return Err(napi::Error::from_reason("record batch already closed"));
    }
    if self.record_count == 0 {
      return Err(napi::Error::from_reason("cannot close a record batch with no records"));
    }
    let producer_epoch = epoch(producer_epoch)?;
    let mut out = if self.codec == codecs::NONE {
      std::mem::take(&mut self.buf)
    } else {
      let compressed = codecs::compress(self.codec, &self.buf[HEADER_SIZE..])?;
      if HEADER_SIZE + compressed.len() > MAX_BATCH_BYTES {
        return Err(too_large(compressed.len()).into());
      }
      self.buf = Vec::new(); // the uncompressed records are no longer needed
      let mut out = Vec::with_capacity(HEADER_SIZE + compressed.len());
      out.resize(HEADER_SIZE, 0);
      out.extend_from_slice(&compressed);
      out
    };
    self.closed = true;
    if out.capacity() - out.len() > out.len() {
      out.shrink_to_fit(); // a lingered, half-empty batch should not pin batch.size bytes
    }
    write_fixed_header(
      &mut out,
      i16::from(self.codec),
      self.record_count - 1,
      self.base_timestamp.unwrap_or(NO_TIMESTAMP),
      self.max_timestamp,
      self.record_count,
    );
    write_producer_state(&mut out, producer_id, producer_epoch, base_sequence);
    Ok(out.into())
  }
}

#[napi]
impl RecordBatchBuilder {
  #[napi]
  pub fn noop0(&mut self) -> i64 { 1 }
  #[napi]
  pub fn noop_i64(&mut self, ts: i64) -> i64 { ts }
  #[napi]
  pub fn noop_f64(&mut self, ts: f64) -> f64 { ts }
  #[napi]
  pub fn noop_bufs(&mut self, a: BufferSlice, b: BufferSlice) -> i64 { (a.len() + b.len()) as i64 }
  #[napi]
  pub fn noop_full(&mut self, ts: i64, a: Option<BufferSlice>, b: Option<BufferSlice>, h: Option<Vec<RecordHeaderInput>>) -> i64 { ts + a.map(|x| x.len()).unwrap_or(0) as i64 + b.map(|x| x.len()).unwrap_or(0) as i64 + h.map(|x| x.len()).unwrap_or(0) as i64 }
  #[napi]
  pub fn close_copy<'env>(&mut self, env: &'env napi::Env, producer_id: i64, producer_epoch: i32, base_sequence: i32) -> napi::Result<BufferSlice<'env>> {
    let b = self.close(producer_id, producer_epoch, base_sequence)?;
    BufferSlice::copy_from(env, &b[..])
  }
}

/// Re-stamps a closed batch with new producer fields (a retry after an epoch bump, KIP-360):
/// rewrites producerId, producerEpoch, baseSequence and the CRC-32C in place, nothing else.
#[napi]
pub fn rewrite_producer_state(
  mut batch: BufferSlice,
  producer_id: i64,
  producer_epoch: i32,
  base_sequence: i32,
) -> napi::Result<()> {
  let producer_epoch = epoch(producer_epoch)?;
  let h = batch::frame_at(&batch, 0)?;
  if h.size() != batch.len() {
    return Err(
      KafkaError::corrupt(format!(
        "expected one whole batch, got {} of {} bytes",
        h.size(),
        batch.len()
      ))
      .into(),
    );
  }
  write_producer_state(&mut batch, producer_id, producer_epoch, base_sequence);
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn varint_sizes_match_the_writer() {
    for v in [0, 1, -1, 63, -64, 64, -65, 8191, 8192, i32::MAX, i32::MIN] {
      let mut out = Vec::new();
      write_varint(&mut out, v);
      assert_eq!(varint_size(v), out.len(), "varint {v}");
    }
    for v in [0i64, 1, -1, 1 << 35, -(1 << 35), i64::MAX, i64::MIN] {
      let mut out = Vec::new();
      write_varlong(&mut out, v);
      assert_eq!(varlong_size(v), out.len(), "varlong {v}");
    }
  }
}
