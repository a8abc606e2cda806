//! The producer's record batch builder (Kafka's MemoryRecordsBuilder): records are encoded as they
//! are appended straight into the batch's buffer, which the producer takes from its pool and
//! reuses (Kafka's BufferPool: no allocation, and no garbage for the collector, per batch);
//! closing compresses them and writes the 61-byte v2 header in that same buffer.
//!
//! An open batch keeps its state in its own buffer, in the header bytes that closing overwrites,
//! so opening, appending and closing are plain function calls on that buffer: no napi class
//! instance, table slot or finalizer per batch. A one-record batch took 2.2-3.1 µs to open,
//! append and close through a napi class, its id getter and a #[napi] close; 0.5 µs this way.
//! The functions are bare napi callbacks, without napi-rs glue (see batch_function).

use std::ptr;

use napi::bindgen_prelude::{Buffer, BufferSlice, Either, FromNapiValue, JsObjectValue, Object, ToNapiValue, Unknown};
use napi::{sys, Env, JsError};
use napi_derive::napi;

use crate::batch::{self, HEADER_SIZE, LOG_OVERHEAD};
use crate::codecs;
use crate::crc;
use crate::error::{KResult, KafkaError};

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

/// One record header as the producer API passes it: a string key and a nullable value
/// (use_nullable: a JS null value reads as None, as undefined does).
#[napi(object, use_nullable = true)]
pub struct RecordHeaderInput<'a> {
  pub key: String,
  pub value: Option<BufferSlice<'a>>,
}

/// An open batch's state; its bytes ([61 header bytes, holding this state until close][records])
/// are in the buffer every call passes, of which `len` are written.
struct OpenBatch {
  len: usize,
  codec: u8,
  batch_size: usize,
  base_timestamp: Option<i64>,
  max_timestamp: i64,
  record_count: i32,
}

// Where an open batch's state sits in its header bytes (little-endian; close overwrites them all).
const STATE_LEN: usize = 0;
const STATE_BATCH_SIZE: usize = 4;
const STATE_CODEC: usize = 8;
const STATE_HAS_BASE_TIMESTAMP: usize = 9;
const STATE_BASE_TIMESTAMP: usize = 20;
const STATE_MAX_TIMESTAMP: usize = 28;
const STATE_RECORD_COUNT: usize = 36;
/// At the magic byte while the batch is open: closing writes magic 2 there, so a closed batch
/// (or any other buffer) is never taken for an open one.
const OPEN_MARK: u8 = 0xb7;

fn closed() -> napi::Error {
  napi::Error::from_reason("no open record batch in this buffer (it was closed, or never opened)")
}

fn le_u32(buf: &[u8], at: usize) -> u32 {
  u32::from_le_bytes(buf[at..at + 4].try_into().unwrap())
}

fn le_i64(buf: &[u8], at: usize) -> i64 {
  i64::from_le_bytes(buf[at..at + 8].try_into().unwrap())
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
  // One byte per started group of 7 bits, at least one.
  (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Length prefix plus bytes of a nullable field (-1 for null).
fn field_size(len: Option<usize>) -> KResult<usize> {
  match len {
    None => Ok(1),
    Some(n) => Ok(varint_size(i32::try_from(n).map_err(|_| too_large(n))?) + n),
  }
}

/// A cursor writing a record into the batch's buffer (sized beforehand, so it never overflows).
struct SliceWriter<'a> {
  buf: &'a mut [u8],
  at: usize,
}

impl SliceWriter<'_> {
  fn put(&mut self, bytes: &[u8]) {
    self.buf[self.at..self.at + bytes.len()].copy_from_slice(bytes);
    self.at += bytes.len();
  }

  fn unsigned(&mut self, mut v: u64) {
    while v >= 0x80 {
      self.buf[self.at] = (v as u8 & 0x7f) | 0x80;
      self.at += 1;
      v >>= 7;
    }
    self.buf[self.at] = v as u8;
    self.at += 1;
  }

  /// Kafka's zigzag varint (ByteUtils.writeVarint).
  fn varint(&mut self, v: i32) {
    self.unsigned(((v << 1) ^ (v >> 31)) as u32 as u64);
  }

  /// Kafka's zigzag varlong (ByteUtils.writeVarlong).
  fn varlong(&mut self, v: i64) {
    self.unsigned(((v << 1) ^ (v >> 63)) as u64);
  }

  fn field(&mut self, bytes: Option<&[u8]>) {
    match bytes {
      None => self.varint(-1),
      Some(b) => {
        self.varint(b.len() as i32);
        self.put(b);
      }
    }
  }
}

fn too_large(n: usize) -> KafkaError {
  KafkaError::too_large(format!("a record of {n} bytes cannot fit in a record batch"))
}

fn epoch(producer_epoch: i64) -> napi::Result<i16> {
  i16::try_from(producer_epoch)
    .map_err(|_| napi::Error::from_reason(format!("producer epoch {producer_epoch} is not an int16")))
}

/// Writes producerId/epoch/baseSequence and the CRC-32C over attributes..end.
fn write_producer_state(batch: &mut [u8], producer_id: i64, producer_epoch: i16, base_sequence: i32) {
  batch[PRODUCER_ID..PRODUCER_ID + 8].copy_from_slice(&producer_id.to_be_bytes());
  batch[PRODUCER_EPOCH..PRODUCER_EPOCH + 2].copy_from_slice(&producer_epoch.to_be_bytes());
  batch[BASE_SEQUENCE..BASE_SEQUENCE + 4].copy_from_slice(&base_sequence.to_be_bytes());
  let crc = crc::crc32c(&batch[ATTRIBUTES..]);
  batch[CRC..CRC + 4].copy_from_slice(&crc.to_be_bytes());
}

impl OpenBatch {
  fn new(codec: u8, batch_size: usize, base_timestamp: Option<i64>) -> Self {
    OpenBatch {
      len: HEADER_SIZE,
      codec,
      batch_size,
      base_timestamp,
      max_timestamp: NO_TIMESTAMP,
      record_count: 0,
    }
  }

  /// The state of the batch open in `buf`; an error when `buf` holds no open batch.
  fn load(buf: &[u8]) -> napi::Result<Self> {
    if buf.len() < HEADER_SIZE || buf[MAGIC] != OPEN_MARK {
      return Err(closed());
    }
    let batch = OpenBatch {
      len: le_u32(buf, STATE_LEN) as usize,
      codec: buf[STATE_CODEC],
      batch_size: le_u32(buf, STATE_BATCH_SIZE) as usize,
      base_timestamp: (buf[STATE_HAS_BASE_TIMESTAMP] != 0).then(|| le_i64(buf, STATE_BASE_TIMESTAMP)),
      max_timestamp: le_i64(buf, STATE_MAX_TIMESTAMP),
      record_count: i32::from_le_bytes(buf[STATE_RECORD_COUNT..STATE_RECORD_COUNT + 4].try_into().unwrap()),
    };
    if batch.len < HEADER_SIZE || batch.len > buf.len() || batch.codec > codecs::ZSTD || batch.record_count < 0 {
      return Err(napi::Error::from_reason("the record batch's state is damaged"));
    }
    Ok(batch)
  }

  /// Writes the state into the header bytes of `buf` (at least HEADER_SIZE long).
  fn store(&self, buf: &mut [u8]) {
    buf[STATE_LEN..STATE_LEN + 4].copy_from_slice(&(self.len as u32).to_le_bytes());
    buf[STATE_BATCH_SIZE..STATE_BATCH_SIZE + 4].copy_from_slice(&(self.batch_size as u32).to_le_bytes());
    buf[STATE_CODEC] = self.codec;
    buf[STATE_HAS_BASE_TIMESTAMP] = u8::from(self.base_timestamp.is_some());
    buf[MAGIC] = OPEN_MARK;
    buf[STATE_BASE_TIMESTAMP..STATE_BASE_TIMESTAMP + 8]
      .copy_from_slice(&self.base_timestamp.unwrap_or(0).to_le_bytes());
    buf[STATE_MAX_TIMESTAMP..STATE_MAX_TIMESTAMP + 8].copy_from_slice(&self.max_timestamp.to_le_bytes());
    buf[STATE_RECORD_COUNT..STATE_RECORD_COUNT + 4].copy_from_slice(&self.record_count.to_le_bytes());
  }

  /// Kafka's DefaultRecord.writeTo into `buf`, after MemoryRecordsBuilder.hasRoomFor. Returns
  /// the batch's size afterwards; -1 when it is full (nothing written); or, when `buf` is too
  /// small for this record, minus the size it needs (nothing written: the caller passes a larger
  /// buffer holding the same first bytes).
  fn append(
    &mut self,
    buf: &mut [u8],
    timestamp: i64,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[RecordHeaderInput],
  ) -> KResult<i64> {
    let timestamp_delta = timestamp.wrapping_sub(self.base_timestamp.unwrap_or(timestamp));
    let offset_delta = self.record_count;
    let mut body = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta);
    body += field_size(key.map(<[u8]>::len))? + field_size(value.map(<[u8]>::len))?;
    body += varint_size(headers.len() as i32);
    for h in headers {
      body += field_size(Some(h.key.len()))? + field_size(h.value.as_deref().map(<[u8]>::len))?;
    }
    let body_i32 = i32::try_from(body).map_err(|_| too_large(body))?;
    let size = varint_size(body_i32) + body;
    let total = self.len + size;
    if self.record_count > 0 && total > self.batch_size {
      return Ok(-1);
    }
    if total > MAX_BATCH_BYTES {
      return Err(too_large(size));
    }
    if total > buf.len() {
      return Ok(-(total as i64));
    }
    let mut out = SliceWriter { buf, at: self.len };
    out.varint(body_i32);
    out.put(&[0]); // record attributes: unused in v2
    out.varlong(timestamp_delta);
    out.varint(offset_delta);
    out.field(key);
    out.field(value);
    out.varint(headers.len() as i32);
    for h in headers {
      out.field(Some(h.key.as_bytes()));
      out.field(h.value.as_deref());
    }
    debug_assert_eq!(out.at, total);
    self.len = total;
    self.base_timestamp.get_or_insert(timestamp);
    self.max_timestamp = self.max_timestamp.max(timestamp);
    self.record_count += 1;
    Ok(total as i64)
  }

  /// Kafka's MemoryRecordsBuilder.close: compressed records behind a complete v2 header, in
  /// `buf` when they fit there (the batch's size is returned), else in a new allocation
  /// (compressed records a little larger than the buffer). On failure `buf` is left as it was;
  /// on success the caller drops the batch.
  fn close(
    &mut self,
    buf: &mut [u8],
    producer_id: i64,
    producer_epoch: i16,
    base_sequence: i32,
  ) -> KResult<Either<i64, Vec<u8>>> {
    if buf.len() < self.len {
      return Err(KafkaError::corrupt(format!(
        "the batch's buffer holds {} bytes, the batch {}",
        buf.len(),
        self.len
      )));
    }
    if self.codec == codecs::NONE {
      self.write_header(&mut buf[..self.len], producer_id, producer_epoch, base_sequence);
      return Ok(Either::A(self.len as i64));
    }
    let compressed = codecs::compress(self.codec, &buf[HEADER_SIZE..self.len])?;
    let len = HEADER_SIZE + compressed.len();
    if len > MAX_BATCH_BYTES {
      return Err(too_large(compressed.len()));
    }
    if len <= buf.len() {
      buf[HEADER_SIZE..len].copy_from_slice(&compressed);
      self.write_header(&mut buf[..len], producer_id, producer_epoch, base_sequence);
      return Ok(Either::A(len as i64));
    }
    let mut out = vec![0; HEADER_SIZE];
    out.extend_from_slice(&compressed);
    self.write_header(&mut out, producer_id, producer_epoch, base_sequence);
    Ok(Either::B(out))
  }

  /// The v2 header of `batch` (header + records, exactly), CRC-32C included.
  fn write_header(&self, out: &mut [u8], producer_id: i64, producer_epoch: i16, base_sequence: i32) {
    let batch_length = (out.len() - LOG_OVERHEAD) as i32;
    out[0..8].copy_from_slice(&0i64.to_be_bytes()); // baseOffset: the broker assigns offsets
    out[8..12].copy_from_slice(&batch_length.to_be_bytes());
    out[PARTITION_LEADER_EPOCH..PARTITION_LEADER_EPOCH + 4].copy_from_slice(&NO_PARTITION_LEADER_EPOCH.to_be_bytes());
    out[MAGIC] = 2;
    out[ATTRIBUTES..ATTRIBUTES + 2].copy_from_slice(&i16::from(self.codec).to_be_bytes());
    out[LAST_OFFSET_DELTA..LAST_OFFSET_DELTA + 4].copy_from_slice(&(self.record_count - 1).to_be_bytes());
    let base_timestamp = self.base_timestamp.unwrap_or(NO_TIMESTAMP);
    out[BASE_TIMESTAMP..BASE_TIMESTAMP + 8].copy_from_slice(&base_timestamp.to_be_bytes());
    out[MAX_TIMESTAMP..MAX_TIMESTAMP + 8].copy_from_slice(&self.max_timestamp.to_be_bytes());
    out[RECORD_COUNT..RECORD_COUNT + 4].copy_from_slice(&self.record_count.to_be_bytes());
    write_producer_state(out, producer_id, producer_epoch, base_sequence);
  }
}

/// Opens a batch in `buf` for `codec`, taking records up to `batch_size` bytes (the first always
/// fits); timestamp deltas count from `base_timestamp`, by default the first record's timestamp.
fn record_batch_open(buf: &mut [u8], codec: i64, batch_size: i64, base_timestamp: Option<i64>) -> napi::Result<()> {
  let codec = u8::try_from(codec)
    .ok()
    .filter(|&c| c <= codecs::ZSTD)
    .ok_or_else(|| KafkaError::unsupported_compression(format!("unknown compression codec id {codec}")))?;
  if batch_size < 0 {
    return Err(napi::Error::from_reason(format!(
      "batchSize must not be negative, got {batch_size}"
    )));
  }
  if buf.len() < HEADER_SIZE {
    return Err(napi::Error::from_reason(format!(
      "a record batch needs a buffer of at least {HEADER_SIZE} bytes, got {}",
      buf.len()
    )));
  }
  OpenBatch::new(codec, (batch_size as usize).min(MAX_BATCH_BYTES), base_timestamp).store(buf);
  Ok(())
}

/// Encodes one record into the batch open in `buf`; returns the batch's size afterwards (header +
/// uncompressed records); -1 when the batch already holds a record and this one would take it
/// past its batch size; or minus the bytes `buf` must have for this record (a larger buffer,
/// holding the same first bytes, is then passed). Nothing is written unless it returns a size.
fn record_batch_append(
  buf: &mut [u8],
  timestamp: i64,
  key: Option<&[u8]>,
  value: Option<&[u8]>,
  headers: Option<Vec<RecordHeaderInput>>,
) -> napi::Result<i64> {
  let mut batch = OpenBatch::load(buf)?;
  let size = batch.append(buf, timestamp, key, value, headers.as_deref().unwrap_or(&[]))?;
  if size >= 0 {
    batch.store(buf);
  }
  Ok(size)
}

/// Closes the batch open in `buf`: compresses its records and writes the header and CRC-32C
/// there, returning the batch's size; compressed records that no longer fit `buf` come back as
/// a Buffer of their own (no copy: it owns the Rust allocation). `buf` then holds no open batch.
fn record_batch_close(
  buf: &mut [u8],
  producer_id: i64,
  producer_epoch: i64,
  base_sequence: i64,
) -> napi::Result<Either<i64, Buffer>> {
  let producer_epoch = epoch(producer_epoch)?;
  let base_sequence = i32::try_from(base_sequence)
    .map_err(|_| napi::Error::from_reason(format!("base sequence {base_sequence} is not an int32")))?;
  let mut batch = OpenBatch::load(buf)?;
  if batch.record_count == 0 {
    return Err(napi::Error::from_reason("cannot close a record batch with no records"));
  }
  Ok(match batch.close(buf, producer_id, producer_epoch, base_sequence)? {
    Either::A(len) => Either::A(len),
    Either::B(bytes) => {
      buf[MAGIC] = 2; // the batch lives on in `bytes`; `buf` no longer holds it open
      Either::B(bytes.into())
    }
  })
}

/// Which bare function a call is (as u8, the const parameter of batch_function).
#[derive(Clone, Copy)]
#[repr(u8)]
enum BatchCall {
  /// recordBatchOpen(buf, codec, batchSize, baseTimestamp | null)
  Open,
  /// recordBatchAppend(buf, timestamp, key, value, headers)
  Append,
  /// recordBatchAppendValue(buf, timestamp, value): a record with a value and no key or headers,
  /// the common case. Checking a null key and null headers takes two napi_typeof calls, each a
  /// chain of type tests that ends at null: a seventh of the call.
  AppendValue,
  /// recordBatchClose(buf, producerId, producerEpoch, baseSequence)
  Close,
}

impl BatchCall {
  const fn from_u8(call: u8) -> Self {
    match call {
      0 => BatchCall::Open,
      1 => BatchCall::Append,
      2 => BatchCall::AppendValue,
      _ => BatchCall::Close,
    }
  }
}

/// The bare napi callback of each batch function (CALL: a BatchCall as u8). The producer calls
/// them once per record (append) or per batch (open, close), and a #[napi] function's glue (a
/// borrow scope allocated per call, a napi_typeof per converted argument) cost more than
/// encoding a 100-byte record: in bench/producer/batch-builder.bench.ts NativeBatch was 2.8x
/// faster than the pure-TS encoder at 100 B through #[napi], 5.5x as a bare callback (with
/// recordBatchAppendValue).
unsafe extern "C" fn batch_function<const CALL: u8>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: env and info come from napi for this call, on the JS thread.
  unsafe { batch_callback(env, info, BatchCall::from_u8(CALL)) }
}

/// Runs one call from its arguments; returns its result, or throws.
///
/// # Safety
/// `env` and `info` must be those of a napi callback running now on the JS thread.
unsafe fn batch_callback(env: sys::napi_env, info: sys::napi_callback_info, call: BatchCall) -> sys::napi_value {
  // SAFETY: per the function's contract.
  let result = unsafe { call_from_arguments(env, info, call) };
  // SAFETY (both arms): the same env, still in this call; a pending exception makes napi ignore
  // the returned value.
  match result.and_then(|value| unsafe { value.into_napi_value(env) }) {
    Ok(value) => value,
    Err(err) => {
      unsafe { JsError::from(err).throw_into(env) };
      ptr::null_mut()
    }
  }
}

/// What a call returns: nothing (open), a size (append), or a size or Buffer (close).
enum CallResult {
  Nothing,
  Size(i64),
  Closed(Either<i64, Buffer>),
}

impl CallResult {
  /// # Safety
  /// `env` must be that of the napi callback running now on the JS thread.
  unsafe fn into_napi_value(self, env: sys::napi_env) -> napi::Result<sys::napi_value> {
    // SAFETY: per the function's contract.
    unsafe {
      match self {
        CallResult::Nothing => <()>::to_napi_value(env, ()),
        CallResult::Size(n) => i64::to_napi_value(env, n),
        CallResult::Closed(closed) => Either::to_napi_value(env, closed),
      }
    }
  }
}

/// Reads a call's arguments and runs it.
///
/// # Safety
/// `env` and `info` must be those of a napi callback running now on the JS thread.
unsafe fn call_from_arguments(
  env: sys::napi_env,
  info: sys::napi_callback_info,
  call: BatchCall,
) -> napi::Result<CallResult> {
  let mut argc = 5usize;
  let mut argv = [ptr::null_mut(); 5];
  // SAFETY: argv has room for argc values; missing arguments are filled with undefined.
  check(
    unsafe {
      sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    },
    "arguments",
  )?;
  // SAFETY (the reads below): values of this call, read on the JS thread while it runs.
  let buf = unsafe { bytes(env, argv[0], "buf") }?
    .ok_or_else(|| napi::Error::from_reason("recordBatch: buf must be a Buffer"))?;
  match call {
    BatchCall::Open => {
      let codec = unsafe { int64(env, argv[1], "codec") }?;
      let batch_size = unsafe { int64(env, argv[2], "batchSize") }?;
      let base_timestamp = if unsafe { is_nullish(env, argv[3]) }? {
        None
      } else {
        Some(unsafe { int64(env, argv[3], "baseTimestamp") }?)
      };
      // SAFETY: buf's memory, alive for this call (the caller holds it); the only slice of it.
      record_batch_open(unsafe { buf.as_mut_slice() }, codec, batch_size, base_timestamp)?;
      return Ok(CallResult::Nothing);
    }
    BatchCall::Close => {
      let producer_id = unsafe { int64(env, argv[1], "producerId") }?;
      let producer_epoch = unsafe { int64(env, argv[2], "producerEpoch") }?;
      let base_sequence = unsafe { int64(env, argv[3], "baseSequence") }?;
      // SAFETY: as for Open.
      let closed = record_batch_close(
        unsafe { buf.as_mut_slice() },
        producer_id,
        producer_epoch,
        base_sequence,
      )?;
      return Ok(CallResult::Closed(closed));
    }
    BatchCall::Append | BatchCall::AppendValue => {}
  }
  let timestamp = unsafe { int64(env, argv[1], "timestamp") }?;
  let (key, value, headers) = match call {
    BatchCall::AppendValue => {
      let value = unsafe { bytes(env, argv[2], "value") }?
        .ok_or_else(|| napi::Error::from_reason("recordBatchAppendValue: value must be a Buffer"))?;
      (None, Some(value), None)
    }
    _ => {
      let key = unsafe { bytes(env, argv[2], "key") }?;
      let value = unsafe { bytes(env, argv[3], "value") }?;
      let headers = if unsafe { is_nullish(env, argv[4]) }? {
        None
      } else {
        Some(unsafe { Vec::<RecordHeaderInput>::from_napi_value(env, argv[4]) }?)
      };
      (key, value, headers)
    }
  };
  // The addon writes buf while it reads key, value and header values: they must not share memory.
  let header_in_buf = headers.iter().flatten().any(|h| {
    h.value.as_ref().is_some_and(|v| {
      buf.overlaps(Some(Bytes {
        data: v.as_ptr().cast_mut(),
        len: v.len(),
      }))
    })
  });
  if buf.overlaps(key) || buf.overlaps(value) || header_in_buf {
    return Err(napi::Error::from_reason(
      "recordBatchAppend: key, value and header values must not share memory with buf",
    ));
  }
  // SAFETY: the Buffers' memory, alive for this call (the caller holds them), and buf shares
  // none of it with key, value or a header value (checked above), so the one mutable slice
  // aliases nothing.
  let size = unsafe {
    record_batch_append(
      buf.as_mut_slice(),
      timestamp,
      key.map(|k| k.as_slice()),
      value.map(|v| v.as_slice()),
      headers,
    )
  }?;
  Ok(CallResult::Size(size))
}

/// A Buffer argument's memory, as napi gives it: slices are made only once they are known not
/// to alias (append_from_arguments).
#[derive(Clone, Copy)]
struct Bytes {
  data: *mut u8,
  len: usize,
}

impl Bytes {
  fn overlaps(self, other: Option<Bytes>) -> bool {
    other.is_some_and(|o| {
      let (a, b) = (self.data as usize, o.data as usize);
      self.len > 0 && o.len > 0 && a < b + o.len && b < a + self.len
    })
  }

  /// # Safety
  /// The Buffer must be alive and no mutable slice of its memory in use.
  unsafe fn as_slice<'a>(self) -> &'a [u8] {
    if self.len == 0 {
      return &[];
    }
    // SAFETY: per the function's contract; napi gave this data and length.
    unsafe { std::slice::from_raw_parts(self.data, self.len) }
  }

  /// # Safety
  /// The Buffer must be alive and no other slice of its memory in use.
  unsafe fn as_mut_slice<'a>(self) -> &'a mut [u8] {
    if self.len == 0 {
      return &mut [];
    }
    // SAFETY: per the function's contract; napi gave this data and length.
    unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
  }
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
  if status == sys::Status::napi_ok {
    Ok(())
  } else {
    Err(napi::Error::from_reason(format!("recordBatch: cannot read {what}")))
  }
}

/// A number argument as an i64.
///
/// # Safety
/// `v` must be a live value of `env`, read on the JS thread.
unsafe fn int64(env: sys::napi_env, v: sys::napi_value, what: &str) -> napi::Result<i64> {
  let mut n = 0i64;
  // SAFETY: per the function's contract.
  check(unsafe { sys::napi_get_value_int64(env, v, &mut n) }, what)?;
  Ok(n)
}

/// A Buffer argument's memory; None for null or undefined.
///
/// # Safety
/// `v` must be a live value of `env`, read on the JS thread.
unsafe fn bytes(env: sys::napi_env, v: sys::napi_value, what: &str) -> napi::Result<Option<Bytes>> {
  let mut data = ptr::null_mut();
  let mut len = 0usize;
  // SAFETY: per the function's contract. Tried first: a Buffer is the common case, and
  // anything else fails this check cheaply.
  if unsafe { sys::napi_get_buffer_info(env, v, &mut data, &mut len) } == sys::Status::napi_ok {
    return Ok(Some(Bytes { data: data.cast(), len }));
  }
  // SAFETY: per the function's contract.
  if unsafe { is_nullish(env, v) }? {
    Ok(None)
  } else {
    Err(napi::Error::from_reason(format!(
      "recordBatch: {what} must be a Buffer or null"
    )))
  }
}

/// Whether `v` is null or undefined.
///
/// # Safety
/// `v` must be a live value of `env`, read on the JS thread.
unsafe fn is_nullish(env: sys::napi_env, v: sys::napi_value) -> napi::Result<bool> {
  let mut kind = 0;
  // SAFETY: per the function's contract.
  check(unsafe { sys::napi_typeof(env, v, &mut kind) }, "an argument's type")?;
  Ok(kind == sys::ValueType::napi_null || kind == sys::ValueType::napi_undefined)
}

/// The bare batch functions: { open, append, appendValue, close } (recordBatchOpen, ...).
#[napi(
  ts_return_type = "{ open(buf: Buffer, codec: number, batchSize: number, baseTimestamp: number | null): void; append(buf: Buffer, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaderInput[] | null): number; appendValue(buf: Buffer, timestamp: number, value: Buffer): number; close(buf: Buffer, producerId: number, producerEpoch: number, baseSequence: number): number | Buffer }"
)]
pub fn record_batch_functions(env: &Env) -> napi::Result<Object<'_>> {
  let mut functions = Object::new(env)?;
  let callbacks: [(&str, &str, BareCallback); 4] = [
    ("open", "recordBatchOpen", batch_function::<{ BatchCall::Open as u8 }>),
    (
      "append",
      "recordBatchAppend",
      batch_function::<{ BatchCall::Append as u8 }>,
    ),
    (
      "appendValue",
      "recordBatchAppendValue",
      batch_function::<{ BatchCall::AppendValue as u8 }>,
    ),
    (
      "close",
      "recordBatchClose",
      batch_function::<{ BatchCall::Close as u8 }>,
    ),
  ];
  for (property, name, callback) in callbacks {
    functions.set_named_property(property, bare_function(env, name, callback)?)?;
  }
  Ok(functions)
}

type BareCallback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// A JS function calling `callback` with no napi-rs glue.
fn bare_function<'env>(env: &'env Env, name: &str, callback: BareCallback) -> napi::Result<Unknown<'env>> {
  let mut function = ptr::null_mut();
  // SAFETY: a function created in this env from a static callback with no data.
  let status = unsafe {
    sys::napi_create_function(
      env.raw(),
      name.as_ptr().cast(),
      name.len() as isize,
      Some(callback),
      ptr::null_mut(),
      &mut function,
    )
  };
  if status != sys::Status::napi_ok {
    return Err(napi::Error::from_reason(format!("cannot create {name}")));
  }
  // SAFETY: function is a live value of this env.
  Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), function) })
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
  let producer_epoch = epoch(i64::from(producer_epoch))?;
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
  fn varint_sizes_and_bytes_match_the_writer() {
    use crate::varint::{write_varint, write_varlong};
    for v in [0, 1, -1, 63, -64, 64, -65, 8191, 8192, i32::MAX, i32::MIN] {
      let mut out = Vec::new();
      write_varint(&mut out, v);
      assert_eq!(varint_size(v), out.len(), "varint {v}");
      let mut buf = [0u8; 16];
      let mut w = SliceWriter { buf: &mut buf, at: 0 };
      w.varint(v);
      let at = w.at;
      assert_eq!(&buf[..at], &out[..], "varint bytes {v}");
    }
    for v in [0i64, 1, -1, 1 << 35, -(1 << 35), i64::MAX, i64::MIN] {
      let mut out = Vec::new();
      write_varlong(&mut out, v);
      assert_eq!(varlong_size(v), out.len(), "varlong {v}");
      let mut buf = [0u8; 16];
      let mut w = SliceWriter { buf: &mut buf, at: 0 };
      w.varlong(v);
      let at = w.at;
      assert_eq!(&buf[..at], &out[..], "varlong bytes {v}");
    }
  }
}
