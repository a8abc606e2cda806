//! Record batch v2: header layout, produce-time validation and in-place offset assignment.

use napi_derive::napi;

use crate::codecs;
use crate::crc;
use crate::error::{KResult, KafkaError};
use crate::records;

/// baseOffset (i64) + batchLength (i32): the bytes before what batchLength counts.
pub const LOG_OVERHEAD: usize = 12;
/// The fixed v2 header, records start right after it.
pub const HEADER_SIZE: usize = 61;
/// Bytes needed to read the magic byte.
const HEADER_SIZE_UP_TO_MAGIC: usize = 17;
const PARTITION_LEADER_EPOCH: usize = 12;
const MAGIC: usize = 16;
const CRC: usize = 17;
const ATTRIBUTES: usize = 21;
const MAX_TIMESTAMP: usize = 35;
const TIMESTAMP_TYPE_BIT: i16 = 0x08;
const CONTROL_BIT: i16 = 0x20;
const CODEC_MASK: i16 = 0x07;
const BATCH_LENGTH: usize = 8;

/// The header fields of one v2 batch, read from fixed positions.
#[derive(Clone, Copy, Debug)]
pub struct Header {
  pub base_offset: i64,
  pub batch_length: i32,
  pub partition_leader_epoch: i32,
  pub magic: i8,
  pub attributes: i16,
  pub last_offset_delta: i32,
  pub base_timestamp: i64,
  pub max_timestamp: i64,
  pub producer_id: i64,
  pub producer_epoch: i16,
  pub base_sequence: i32,
  pub record_count: i32,
}

fn i16_at(b: &[u8], p: usize) -> i16 {
  i16::from_be_bytes(b[p..p + 2].try_into().unwrap())
}
fn i32_at(b: &[u8], p: usize) -> i32 {
  i32::from_be_bytes(b[p..p + 4].try_into().unwrap())
}
fn i64_at(b: &[u8], p: usize) -> i64 {
  i64::from_be_bytes(b[p..p + 8].try_into().unwrap())
}

impl Header {
  /// Reads the header; `b` must hold at least HEADER_SIZE bytes.
  pub fn parse(b: &[u8]) -> Header {
    Header {
      base_offset: i64_at(b, 0),
      batch_length: i32_at(b, 8),
      partition_leader_epoch: i32_at(b, PARTITION_LEADER_EPOCH),
      magic: b[MAGIC] as i8,
      attributes: i16_at(b, ATTRIBUTES),
      last_offset_delta: i32_at(b, 23),
      base_timestamp: i64_at(b, 27),
      max_timestamp: i64_at(b, MAX_TIMESTAMP),
      producer_id: i64_at(b, 43),
      producer_epoch: i16_at(b, 51),
      base_sequence: i32_at(b, 53),
      record_count: i32_at(b, 57),
    }
  }

  /// Whole batch size including the 12-byte prefix.
  pub fn size(&self) -> usize {
    self.batch_length as usize + LOG_OVERHEAD
  }

  /// Offset of the batch's last record.
  pub fn last_offset(&self) -> i64 {
    self.base_offset + i64::from(self.last_offset_delta)
  }

  /// Compression codec id (attributes bits 0-2).
  pub fn codec(&self) -> u8 {
    (self.attributes & CODEC_MASK) as u8
  }

  /// Timestamp type bit: the broker stamped maxTimestamp.
  pub fn is_log_append_time(&self) -> bool {
    self.attributes & TIMESTAMP_TYPE_BIT != 0
  }

  /// A batchLength that can frame a v2 batch at all.
  pub fn has_sane_length(&self) -> bool {
    self.batch_length >= (HEADER_SIZE - LOG_OVERHEAD) as i32
  }
}

/// True when the stored CRC-32C matches attributes..end of `batch` (one whole batch).
pub fn crc_matches(batch: &[u8]) -> bool {
  crc::crc32c(&batch[ATTRIBUTES..]) == i32_at(batch, CRC) as u32
}

/// Header fields of one validated v2 record batch; records themselves never reach JS, and these
/// reach it as numbers (write_to), not as an object built through napi.
pub struct BatchInfo {
  pub position: u32,
  pub size_in_bytes: u32,
  pub base_offset: i64,
  pub last_offset_delta: i32,
  pub record_count: i32,
  pub partition_leader_epoch: i32,
  pub attributes: i32,
  pub compression: u32,
  pub timestamp_type: u32,
  pub is_transactional: bool,
  pub is_control: bool,
  pub base_timestamp: i64,
  pub max_timestamp: i64,
  pub producer_id: i64,
  pub producer_epoch: i32,
  pub base_sequence: i32,
  /// Smallest record timestamp other than NO_TIMESTAMP (-1); -1 when none (or not walked).
  pub min_record_timestamp: i64,
  /// Largest record timestamp other than NO_TIMESTAMP (-1); -1 when none (or not walked).
  pub max_record_timestamp: i64,
  /// Some record has a null key (compacted topics refuse the batch); false when not walked.
  pub has_null_key: bool,
}

/// What walking a batch's records found, beyond what its header says.
#[derive(Clone, Copy)]
struct RecordSummary {
  min_timestamp: i64,
  max_timestamp: i64,
  has_null_key: bool,
}

/// Kafka's RecordBatch.NO_TIMESTAMP.
const NO_TIMESTAMP: i64 = -1;

impl RecordSummary {
  const UNWALKED: RecordSummary = RecordSummary {
    min_timestamp: NO_TIMESTAMP,
    max_timestamp: NO_TIMESTAMP,
    has_null_key: false,
  };
}

impl BatchInfo {
  /// Numbers a BatchInfo takes in write_to's output.
  pub const FIELDS: usize = 19;

  /// Writes the fields, in declaration order, as numbers (bools as 0/1; every i64 here is exact
  /// as an f64: offsets, timestamps and producer ids stay far below 2^53). src/native/index.ts
  /// reads them back in this order. A JS object per batch built through napi costs a property
  /// name lookup (UTF-8 to internalized string) per field: ~19 per batch on every produce request.
  pub fn write_to(&self, out: &mut [f64]) {
    let fields = [
      f64::from(self.position),
      f64::from(self.size_in_bytes),
      self.base_offset as f64,
      f64::from(self.last_offset_delta),
      f64::from(self.record_count),
      f64::from(self.partition_leader_epoch),
      f64::from(self.attributes),
      f64::from(self.compression),
      f64::from(self.timestamp_type),
      f64::from(u8::from(self.is_transactional)),
      f64::from(u8::from(self.is_control)),
      self.base_timestamp as f64,
      self.max_timestamp as f64,
      self.producer_id as f64,
      f64::from(self.producer_epoch),
      f64::from(self.base_sequence),
      self.min_record_timestamp as f64,
      self.max_record_timestamp as f64,
      f64::from(u8::from(self.has_null_key)),
    ];
    out[..Self::FIELDS].copy_from_slice(&fields);
  }

  fn new(position: usize, h: &Header, records: RecordSummary) -> Self {
    BatchInfo {
      position: position as u32,
      size_in_bytes: h.size() as u32,
      base_offset: h.base_offset,
      last_offset_delta: h.last_offset_delta,
      record_count: h.record_count,
      partition_leader_epoch: h.partition_leader_epoch,
      attributes: i32::from(h.attributes),
      compression: u32::from(h.codec()),
      timestamp_type: u32::from(h.is_log_append_time()),
      is_transactional: h.attributes & 0x10 != 0,
      is_control: h.attributes & CONTROL_BIT != 0,
      base_timestamp: h.base_timestamp,
      max_timestamp: h.max_timestamp,
      producer_id: h.producer_id,
      producer_epoch: i32::from(h.producer_epoch),
      base_sequence: h.base_sequence,
      min_record_timestamp: records.min_timestamp,
      max_record_timestamp: records.max_timestamp,
      has_null_key: records.has_null_key,
    }
  }
}

/// Frames the batch starting at `pos`: checks there is a whole v2 batch there and returns its header.
pub fn frame_at(buf: &[u8], pos: usize) -> KResult<Header> {
  let remaining = buf.len() - pos;
  if remaining < HEADER_SIZE_UP_TO_MAGIC {
    return Err(KafkaError::corrupt(format!(
      "truncated batch at byte {pos}: {remaining} bytes left"
    )));
  }
  match buf[pos + MAGIC] as i8 {
    2 => {}
    m @ (0 | 1) => {
      return Err(KafkaError::unsupported_format(format!(
        "message format v{m} at byte {pos}: only record batch v2 is accepted"
      )))
    }
    m => return Err(KafkaError::corrupt(format!("unknown magic {m} at byte {pos}"))),
  }
  if remaining < HEADER_SIZE {
    return Err(KafkaError::corrupt(format!(
      "truncated batch header at byte {pos}: {remaining} bytes left"
    )));
  }
  let h = Header::parse(&buf[pos..]);
  if !h.has_sane_length() {
    return Err(KafkaError::corrupt(format!(
      "batchLength {} at byte {pos} is below the v2 header size",
      h.batch_length
    )));
  }
  if h.size() > remaining {
    return Err(KafkaError::corrupt(format!(
      "batch at byte {pos} declares {} bytes but only {remaining} remain",
      h.size()
    )));
  }
  Ok(h)
}

/// Frames whole batches and returns their headers, with no CRC or record checks (bytes already in the log).
pub fn headers(buf: &[u8]) -> KResult<Vec<BatchInfo>> {
  let mut infos = Vec::new();
  let mut pos = 0;
  while pos < buf.len() {
    let h = frame_at(buf, pos)?;
    infos.push(BatchInfo::new(pos, &h, RecordSummary::UNWALKED));
    pos += h.size();
  }
  Ok(infos)
}

/// Checks every batch as Kafka's log validator does before anything is appended.
pub fn validate(buf: &[u8], max_batch_size: usize) -> KResult<Vec<BatchInfo>> {
  if buf.is_empty() {
    return Err(KafkaError::corrupt("empty record set"));
  }
  let mut infos = Vec::with_capacity(1);
  let mut pos = 0;
  while pos < buf.len() {
    let h = frame_at(buf, pos)?;
    let batch = &buf[pos..pos + h.size()];
    if h.size() > max_batch_size {
      return Err(KafkaError::too_large(format!(
        "batch of {} bytes exceeds the maximum of {max_batch_size}",
        h.size()
      )));
    }
    if !crc_matches(batch) {
      return Err(KafkaError::corrupt(format!("CRC-32C mismatch in batch at byte {pos}")));
    }
    let summary = validate_records(&h, batch)?;
    infos.push(BatchInfo::new(pos, &h, summary));
    pos += h.size();
  }
  Ok(infos)
}

fn validate_records(h: &Header, batch: &[u8]) -> KResult<RecordSummary> {
  if h.record_count <= 0 {
    return Err(KafkaError::invalid_record(format!(
      "invalid record count {}",
      h.record_count
    )));
  }
  if h.last_offset_delta != h.record_count - 1 {
    return Err(KafkaError::invalid_record(format!(
      "lastOffsetDelta {} does not match record count {}",
      h.last_offset_delta, h.record_count
    )));
  }
  let codec = h.codec();
  if codec > codecs::ZSTD {
    return Err(KafkaError::corrupt(format!("unknown compression codec id {codec}")));
  }
  let payload = &batch[HEADER_SIZE..];
  let check = |body: &[u8]| {
    let mut expected = 0i32;
    let mut summary = RecordSummary {
      min_timestamp: i64::MAX,
      max_timestamp: i64::MIN,
      has_null_key: false,
    };
    records::walk(body, h.record_count, |r| {
      if r.offset_delta != expected {
        return Err(KafkaError::invalid_record(format!(
          "record {expected} has offsetDelta {}",
          r.offset_delta
        )));
      }
      expected += 1;
      let timestamp = h.base_timestamp.wrapping_add(r.timestamp_delta);
      if timestamp != NO_TIMESTAMP {
        summary.min_timestamp = summary.min_timestamp.min(timestamp);
        summary.max_timestamp = summary.max_timestamp.max(timestamp);
      }
      summary.has_null_key |= r.has_null_key;
      Ok(true)
    })?;
    if summary.min_timestamp > summary.max_timestamp {
      summary.min_timestamp = NO_TIMESTAMP;
      summary.max_timestamp = NO_TIMESTAMP;
    }
    Ok(summary)
  };
  if codec == codecs::NONE {
    return check(payload);
  }
  codecs::with_scratch(|body| {
    codecs::decompress_into(codec, payload, codecs::MAX_DECOMPRESSED, body)?;
    check(body)
  })
}

/// Rebuilds every batch whose codec is not `target` with its records section re-encoded in
/// `target` (attributes codec bits, batchLength and CRC-32C updated; every other header field
/// and the records themselves unchanged). Control batches are kept as they are, as Kafka never
/// compresses them. The input must already be validated.
pub fn recompress(buf: &[u8], target: u8) -> KResult<Vec<u8>> {
  if target > codecs::ZSTD {
    return Err(KafkaError::unsupported_compression(format!(
      "unknown compression codec id {target}"
    )));
  }
  let mut out = Vec::with_capacity(buf.len());
  let mut pos = 0;
  while pos < buf.len() {
    let h = frame_at(buf, pos)?;
    let batch = &buf[pos..pos + h.size()];
    pos += h.size();
    if h.codec() == target || h.attributes & CONTROL_BIT != 0 {
      out.extend_from_slice(batch);
      continue;
    }
    let payload = &batch[HEADER_SIZE..];
    let body = codecs::with_scratch(|plain| -> KResult<Vec<u8>> {
      let plain: &[u8] = if h.codec() == codecs::NONE {
        payload
      } else {
        codecs::decompress_into(h.codec(), payload, codecs::MAX_DECOMPRESSED, plain)?;
        plain
      };
      codecs::compress(target, plain)
    })?;
    let batch_length = i32::try_from(HEADER_SIZE - LOG_OVERHEAD + body.len())
      .map_err(|_| KafkaError::too_large(format!("batch of {} bytes after recompression", body.len())))?;
    let start = out.len();
    out.extend_from_slice(&batch[..HEADER_SIZE]);
    out.extend_from_slice(&body);
    let rebuilt = &mut out[start..];
    rebuilt[BATCH_LENGTH..BATCH_LENGTH + 4].copy_from_slice(&batch_length.to_be_bytes());
    let attributes = (h.attributes & !CODEC_MASK) | i16::from(target);
    rebuilt[ATTRIBUTES..ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
    let crc = crc::crc32c(&rebuilt[ATTRIBUTES..]);
    rebuilt[CRC..CRC + 4].copy_from_slice(&crc.to_be_bytes());
  }
  Ok(out)
}

/// Patches baseOffset and partitionLeaderEpoch of each batch in turn (CRC does not cover them);
/// with logAppendTime >= 0 also sets maxTimestamp and the timestamp-type bit and recomputes the CRC.
pub fn assign_offsets(buf: &mut [u8], base_offset: i64, leader_epoch: i32, log_append_time: i64) -> KResult<i64> {
  if buf.is_empty() {
    return Err(KafkaError::corrupt("empty record set"));
  }
  let mut headers = Vec::with_capacity(1);
  let mut pos = 0;
  while pos < buf.len() {
    let h = frame_at(buf, pos)?; // frame every batch before patching any
    headers.push((pos, h));
    pos += h.size();
  }
  let mut next = base_offset;
  for (pos, h) in headers {
    let batch = &mut buf[pos..pos + h.size()];
    batch[0..8].copy_from_slice(&next.to_be_bytes());
    batch[PARTITION_LEADER_EPOCH..PARTITION_LEADER_EPOCH + 4].copy_from_slice(&leader_epoch.to_be_bytes());
    if log_append_time >= 0 {
      batch[MAX_TIMESTAMP..MAX_TIMESTAMP + 8].copy_from_slice(&log_append_time.to_be_bytes());
      let attributes = h.attributes | TIMESTAMP_TYPE_BIT;
      batch[ATTRIBUTES..ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
      let crc = crc::crc32c(&batch[ATTRIBUTES..]);
      batch[CRC..CRC + 4].copy_from_slice(&crc.to_be_bytes());
    }
    next += i64::from(h.last_offset_delta) + 1;
  }
  Ok(next - 1)
}

/// What makes a record invalid for `find_invalid`: a null key when keys are required, or a
/// timestamp (other than NO_TIMESTAMP) outside [min_timestamp, max_timestamp].
#[napi(object)]
pub struct InvalidRecordOptions {
  pub require_key: bool,
  pub min_timestamp: i64,
  pub max_timestamp: i64,
}

/// One record `find_invalid` refused: its index within the batch, its timestamp, its null key.
#[napi(object)]
pub struct InvalidRecord {
  pub index: i32,
  pub timestamp: i64,
  pub null_key: bool,
}

/// The slow path of a refused batch: walks (decompressing) the records of the batch at `pos`
/// and returns those that break `opts`, in order. The batch must already be validated.
pub fn find_invalid(buf: &[u8], pos: usize, opts: &InvalidRecordOptions) -> KResult<Vec<InvalidRecord>> {
  if pos >= buf.len() {
    return Err(KafkaError::corrupt(format!("no batch at byte {pos}")));
  }
  let h = frame_at(buf, pos)?;
  let codec = h.codec();
  if codec > codecs::ZSTD {
    return Err(KafkaError::corrupt(format!("unknown compression codec id {codec}")));
  }
  let payload = &buf[pos + HEADER_SIZE..pos + h.size()];
  let scan = |body: &[u8]| {
    let mut found = Vec::new();
    let mut index = 0i32;
    records::walk(body, h.record_count, |r| {
      let timestamp = h.base_timestamp.wrapping_add(r.timestamp_delta);
      let bad_key = opts.require_key && r.has_null_key;
      let bad_timestamp =
        timestamp != NO_TIMESTAMP && (timestamp < opts.min_timestamp || timestamp > opts.max_timestamp);
      if bad_key || bad_timestamp {
        found.push(InvalidRecord {
          index,
          timestamp,
          null_key: r.has_null_key,
        });
      }
      index += 1;
      Ok(true)
    })?;
    Ok(found)
  };
  if codec == codecs::NONE {
    return scan(payload);
  }
  codecs::with_scratch(|body| {
    codecs::decompress_into(codec, payload, codecs::MAX_DECOMPRESSED, body)?;
    scan(body)
  })
}
