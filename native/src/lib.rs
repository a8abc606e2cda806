//! Sluice's native data path, exposed to Node.js through napi-rs (see src/native/index.ts).

mod batch;
mod batch_builder;
mod cleaner;
mod codecs;
mod crc;
mod error;
mod file_lock;
mod index;
mod md5;
mod offset_map;
mod records;
mod segment;
mod sendfile;
mod varint;
mod xerial;

use napi::bindgen_prelude::{BufferSlice, Float64ArraySlice};
use napi::Env;
use napi_derive::napi;

use batch::{BatchInfo, InvalidRecord, InvalidRecordOptions};
use error::KafkaError;
use file_lock::FileLock;
use segment::{LogSegment, SegmentConfig};

fn codec_id(codec: u32) -> napi::Result<u8> {
  u8::try_from(codec)
    .ok()
    .filter(|&c| c <= codecs::ZSTD)
    .ok_or_else(|| KafkaError::unsupported_compression(format!("unknown compression codec id {codec}")).into())
}

/// CRC-32C of the whole buffer.
#[napi(js_name = "crc32c")]
pub fn crc32c(data: BufferSlice) -> u32 {
  crc::crc32c(&data)
}

// Results are copied into V8-owned Buffers: handing V8 external memory makes it collect far
// more often (measured ~3x slower for 256 KB results in bench/native.bench.ts).

/// Compresses with a Kafka codec (snappy in xerial framing, lz4 frame with 64 KiB blocks).
#[napi]
pub fn compress<'env>(env: &'env Env, codec: u32, data: BufferSlice) -> napi::Result<BufferSlice<'env>> {
  BufferSlice::copy_from(env, codecs::compress(codec_id(codec)?, &data)?)
}

/// Decompresses a Kafka codec stream (snappy: xerial or raw).
#[napi]
pub fn decompress<'env>(env: &'env Env, codec: u32, data: BufferSlice) -> napi::Result<BufferSlice<'env>> {
  BufferSlice::copy_from(
    env,
    codecs::decompress(codec_id(codec)?, &data, codecs::MAX_DECOMPRESSED)?,
  )
}

/// Validates every batch of a produce request and writes their headers into `out`
/// (BatchInfo::FIELDS numbers each); returns how many batches, or minus that when `out` is too
/// small for them (nothing written: call again with a larger `out`).
#[napi]
pub fn validate_record_batches(records: BufferSlice, max_batch_size: i64, out: Float64ArraySlice) -> napi::Result<i64> {
  let infos = batch::validate(&records, max_batch_size.max(0) as usize)?;
  write_batch_infos(&records, &infos, out)
}

/// Headers of the whole batches in bytes read back from a segment (no CRC or record walk),
/// written into `out` as validate_record_batches writes them.
#[napi]
pub fn read_batch_headers(records: BufferSlice, out: Float64ArraySlice) -> napi::Result<i64> {
  let infos = batch::headers(&records)?;
  write_batch_infos(&records, &infos, out)
}

fn write_batch_infos(records: &[u8], infos: &[BatchInfo], mut out: Float64ArraySlice) -> napi::Result<i64> {
  let count = infos.len() as i64;
  if infos.len() * BatchInfo::FIELDS > out.len() {
    return Ok(-count);
  }
  let (a, b) = (records.as_ptr() as usize, out.as_ptr() as usize);
  if a < b + out.len() * 8 && b < a + records.len() {
    return Err(napi::Error::from_reason(
      "batch infos: out must not share memory with records",
    ));
  }
  // SAFETY: out's memory, alive for this call (the caller holds it), shares none of records'
  // (checked above), and no other slice of it is in use.
  let out = unsafe { out.as_mut() };
  for (info, slot) in infos.iter().zip(out.chunks_exact_mut(BatchInfo::FIELDS)) {
    info.write_to(slot);
  }
  Ok(count)
}

/// Records of the batch at `batch_position` (default 0) that break `opts` (slow path of a refused batch).
#[napi]
pub fn find_invalid_records(
  records: BufferSlice,
  batch_position: Option<u32>,
  opts: InvalidRecordOptions,
) -> napi::Result<Vec<InvalidRecord>> {
  Ok(batch::find_invalid(
    &records,
    batch_position.unwrap_or(0) as usize,
    &opts,
  )?)
}

/// Rebuilds batches whose codec differs from `codec` (topic compression.type) in that codec.
#[napi]
pub fn recompress_batches<'env>(env: &'env Env, records: BufferSlice, codec: u32) -> napi::Result<BufferSlice<'env>> {
  BufferSlice::copy_from(env, batch::recompress(&records, codec_id(codec)?)?)
}

/// Takes an exclusive fcntl lock on `path` (created if missing), e.g. `<log.dir>/.lock`.
#[napi]
pub fn lock_file(path: String) -> napi::Result<FileLock> {
  Ok(file_lock::lock(&path)?)
}

/// Assigns offsets (and LogAppendTime) in place; returns the last offset.
#[napi]
pub fn assign_offsets(
  mut records: BufferSlice,
  base_offset: i64,
  partition_leader_epoch: i32,
  log_append_time: i64,
) -> napi::Result<i64> {
  Ok(batch::assign_offsets(
    &mut records,
    base_offset,
    partition_leader_epoch,
    log_append_time,
  )?)
}

/// Opens or creates the segment with this base offset in `dir`.
#[napi]
pub fn open_segment(dir: String, base_offset: i64, config: SegmentConfig) -> napi::Result<LogSegment> {
  Ok(LogSegment::open(&dir, base_offset, &config)?)
}
