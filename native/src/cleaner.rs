//! Kafka's log Cleaner (compaction), the byte-heavy half: build the key → latest offset map over
//! the dirty range, then rewrite groups of segments into `<base>.log.cleaned` (+ indexes), keeping
//! only the latest record of each key. Runs on the libuv pool; the swap happens on the JS thread.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::batch::{self, Header, HEADER_SIZE, LOG_OVERHEAD};
use crate::codecs;
use crate::crc;
use crate::error::{KResult, KafkaError};
use crate::offset_map::OffsetMap;
use crate::records::{self, RecordView};
use crate::segment::{LogSegment, SegmentConfig};
use crate::varint;

const READ_BUFFER_BYTES: usize = 1 << 20;
const WRITE_CHUNK_BYTES: usize = 1 << 20;
const NO_TIMESTAMP: i64 = -1;
const TIMESTAMP_TYPE_BIT: i16 = 0x08;
const TRANSACTIONAL_BIT: i16 = 0x10;
const CONTROL_BIT: i16 = 0x20;
/// KIP-534: baseTimestamp holds the time after which the batch's tombstones may be removed.
const DELETE_HORIZON_BIT: i16 = 0x40;
const CODEC_MASK: i16 = 0x07;
/// Suffix of the files a clean writes before the swap.
const CLEANED_SUFFIX: &str = ".cleaned";

/// An idempotent producer still in the producer state and the last offset of its last batch:
/// that batch survives cleaning (empty if need be) so the producer's sequence state does.
#[napi(object)]
pub struct ActiveProducer {
  pub producer_id: i64,
  pub last_offset: i64,
}

/// One round of cleaning of one log, as LogCleaner chose it.
#[napi(object)]
pub struct CleanLogOptions {
  /// The partition directory.
  pub dir: String,
  /// Base offsets of the log's segments below first_uncleanable_offset, ascending (never the active one).
  pub segments: Vec<i64>,
  /// Where the dirty (not yet cleaned) part starts: the cleaner-offset-checkpoint entry.
  pub first_dirty_offset: i64,
  /// The first offset not to clean (active segment base, min.compaction.lag.ms bound).
  pub first_uncleanable_offset: i64,
  /// Bytes of the offset map (log.cleaner.dedupe.buffer.size / threads): 24 bytes a slot.
  pub dedupe_buffer_size: i64,
  /// log.cleaner.io.buffer.load.factor: the map is full at slots * this.
  pub load_factor: f64,
  /// segment.bytes: a group's .log bytes stay within it.
  pub max_segment_bytes: i64,
  /// segment.index.bytes: a group's index bytes stay within it.
  pub max_index_bytes: i64,
  pub index_interval_bytes: i64,
  /// delete.retention.ms: how long a cleaned tombstone stays (it gets a delete horizon).
  pub delete_retention_ms: i64,
  pub now_ms: i64,
  pub active_producers: Vec<ActiveProducer>,
}

/// One cleaned segment waiting to be swapped in for `segments`.
#[napi(object)]
pub struct CleanedGroup {
  /// Base offset of the `.cleaned` files (= the first replaced segment's).
  pub base_offset: i64,
  /// Base offsets of the segments it replaces.
  pub segments: Vec<i64>,
  /// Bytes of the cleaned .log.
  pub size: i64,
}

/// What a round of cleaning did; groups are swapped in order by the caller.
#[napi(object)]
pub struct CleanLogResult {
  /// The offset mapped up to: the next round's first dirty offset (Kafka's endOffset).
  pub end_offset: i64,
  pub groups: Vec<CleanedGroup>,
  pub messages_read: i64,
  pub bytes_read: i64,
  pub messages_retained: i64,
  pub bytes_retained: i64,
  /// Distinct keys the offset map held.
  pub map_entries: i64,
}

#[derive(Default)]
struct Stats {
  messages_read: i64,
  bytes_read: i64,
  messages_retained: i64,
  bytes_retained: i64,
}

fn log_path(dir: &str, base_offset: i64, suffix: &str) -> PathBuf {
  Path::new(dir).join(format!("{base_offset:020}.log{suffix}"))
}

fn storage(context: String, e: std::io::Error) -> KafkaError {
  KafkaError::storage(&context, e)
}

/// Reads whole, CRC-checked v2 batches from a segment's .log front to back.
struct BatchReader {
  reader: BufReader<File>,
  path: PathBuf,
  pos: u64,
  end: u64,
}

impl BatchReader {
  fn open(path: PathBuf) -> KResult<Self> {
    let file = File::open(&path).map_err(|e| storage(format!("open {}", path.display()), e))?;
    let end = file
      .metadata()
      .map_err(|e| storage(format!("stat {}", path.display()), e))?
      .len();
    Ok(BatchReader {
      reader: BufReader::with_capacity(READ_BUFFER_BYTES, file),
      path,
      pos: 0,
      end,
    })
  }

  fn read_exact(&mut self, buf: &mut [u8]) -> KResult<()> {
    let path = &self.path;
    self
      .reader
      .read_exact(buf)
      .map_err(|e| storage(format!("read {}", path.display()), e))
  }

  /// The next batch into `buf`; None at the end of the file. A torn or corrupt batch is an error:
  /// a non-active segment was recovered, so it means the disk changed under us.
  fn next(&mut self, buf: &mut Vec<u8>) -> KResult<Option<Header>> {
    if self.pos >= self.end {
      return Ok(None);
    }
    let at = self.pos;
    buf.clear();
    buf.resize(LOG_OVERHEAD, 0);
    self.read_exact(&mut buf[..LOG_OVERHEAD])?;
    let batch_length = i32::from_be_bytes(buf[8..12].try_into().unwrap());
    let size = LOG_OVERHEAD as u64 + batch_length.max(0) as u64;
    if batch_length < (HEADER_SIZE - LOG_OVERHEAD) as i32 || at + size > self.end {
      return Err(KafkaError::corrupt(format!(
        "{}: batch at byte {at} declares {batch_length} bytes",
        self.path.display()
      )));
    }
    buf.resize(size as usize, 0);
    self.read_exact(&mut buf[LOG_OVERHEAD..])?;
    let h = batch::frame_at(buf, 0)?;
    if !batch::crc_matches(buf) {
      return Err(KafkaError::corrupt(format!(
        "{}: CRC-32C mismatch in batch at byte {at}",
        self.path.display()
      )));
    }
    self.pos += size;
    Ok(Some(h))
  }
}

/// Runs `f` over the batch's records section, decompressed.
fn with_body<R>(h: &Header, batch: &[u8], f: impl FnOnce(&[u8]) -> KResult<R>) -> KResult<R> {
  let payload = &batch[HEADER_SIZE..];
  if h.codec() == codecs::NONE {
    return f(payload);
  }
  codecs::with_scratch(|body| {
    codecs::decompress_into(h.codec(), payload, codecs::MAX_DECOMPRESSED, body)?;
    f(body)
  })
}

fn is_control(h: &Header) -> bool {
  h.attributes & CONTROL_BIT != 0
}

/// Kafka's buildOffsetMapForSegment: maps every keyed record at or after `start`; true when the
/// map filled up (it then covers offsets up to its latest_offset only).
fn map_segment(
  path: PathBuf,
  map: &mut OffsetMap,
  start: i64,
  next_segment_start: i64,
  max_entries: usize,
  abort: &AtomicBool,
) -> KResult<bool> {
  let mut reader = BatchReader::open(path)?;
  let mut buf = Vec::new();
  while let Some(h) = reader.next(&mut buf)? {
    check_abort(abort)?;
    if h.last_offset() < start {
      continue;
    }
    if !is_control(&h) {
      let mut full = false;
      with_body(&h, &buf, |body| {
        records::walk_views(body, h.record_count, |r| {
          let offset = h.base_offset + i64::from(r.offset_delta);
          if let Some(key) = r.key {
            if offset >= start {
              // A load factor of 1 or more (log.cleaner.io.buffer.load.factor) can fill every slot.
              if map.size() >= max_entries || !map.put(key, offset) {
                full = true;
                return Ok(false);
              }
            }
          }
          Ok(true)
        })
      })?;
      if full {
        return Ok(true);
      }
    }
    map.update_latest_offset(h.last_offset());
  }
  // An offset gap at the end of the segment is mapped too (nothing there to keep).
  map.update_latest_offset(next_segment_start - 1);
  Ok(false)
}

fn check_abort(abort: &AtomicBool) -> KResult<()> {
  if abort.load(Ordering::Relaxed) {
    return Err(KafkaError::storage(
      "log cleaning",
      std::io::Error::other("aborted (the log is closing)"),
    ));
  }
  Ok(())
}

/// A retained record of a batch being rewritten: its timestamp and its bytes within the body.
struct Kept {
  timestamp: i64,
  offset_delta: i32,
  tail_start: usize,
  tail_len: usize,
}

/// Kafka's cleaner RecordFilter plus MemoryRecords.filterTo for v2 batches.
struct Filter<'a> {
  map: &'a OffsetMap,
  now_ms: i64,
  delete_retention_ms: i64,
  producers: &'a HashMap<i64, i64>,
  upper_bound_offset: i64,
}

impl Filter<'_> {
  /// Appends what survives of one batch to `out`: the batch as it was, a rebuilt batch with the
  /// retained records, an empty batch (header only), or nothing.
  fn filter_batch(&self, h: &Header, batch: &[u8], out: &mut Vec<u8>, stats: &mut Stats) -> KResult<()> {
    stats.messages_read += i64::from(h.record_count.max(0));
    stats.bytes_read += batch.len() as i64;
    let start = out.len();
    if is_control(h) {
      // No transactions are written (so no aborted ones to discard): markers stay as they are.
      out.extend_from_slice(batch);
      stats.messages_retained += i64::from(h.record_count.max(0));
      stats.bytes_retained += batch.len() as i64;
      return Ok(());
    }
    let is_last_of_producer = h.producer_id >= 0 && self.producers.get(&h.producer_id) == Some(&h.last_offset());
    // The round's last batch stays even if empty, so the log keeps its last offset.
    let retain_empty = is_last_of_producer || h.last_offset() + 1 == self.upper_bound_offset;
    let has_horizon = h.attributes & DELETE_HORIZON_BIT != 0;
    let retain_deletes = !has_horizon || self.now_ms < h.base_timestamp;
    let latest_mapped = self.map.latest_offset();
    with_body(h, batch, |body| {
      let mut kept: Vec<Kept> = Vec::new();
      let mut tombstones = false;
      records::walk_views(body, h.record_count, |r: RecordView| {
        let offset = h.base_offset + i64::from(r.offset_delta);
        let retain = if offset > latest_mapped {
          true
        } else {
          match r.key {
            // Kafka drops keyless records from compacted logs.
            None => false,
            Some(key) => offset >= self.map.get(key) && (r.has_value || retain_deletes),
          }
        };
        if retain {
          tombstones |= !r.has_value;
          kept.push(Kept {
            timestamp: if h.is_log_append_time() {
              h.max_timestamp
            } else {
              h.base_timestamp.wrapping_add(r.timestamp_delta)
            },
            offset_delta: r.offset_delta,
            tail_start: r.tail.as_ptr() as usize - body.as_ptr() as usize,
            tail_len: r.tail.len(),
          });
        }
        Ok(true)
      })?;
      let need_horizon = tombstones && !has_horizon;
      if kept.is_empty() {
        if retain_empty {
          write_empty_batch(h, out);
        }
      } else if kept.len() == h.record_count as usize && !need_horizon {
        out.extend_from_slice(batch);
      } else {
        let horizon = if need_horizon {
          self.now_ms.saturating_add(self.delete_retention_ms)
        } else if has_horizon {
          h.base_timestamp
        } else {
          NO_TIMESTAMP
        };
        rebuild_batch(h, body, &kept, horizon, out)?;
      }
      stats.messages_retained += kept.len() as i64;
      stats.bytes_retained += (out.len() - start) as i64;
      Ok(())
    })
  }
}

/// Sets batchLength and the CRC-32C of the one whole batch in `out`.
fn finish_header(out: &mut [u8]) {
  let batch_length = (out.len() - LOG_OVERHEAD) as i32;
  out[8..12].copy_from_slice(&batch_length.to_be_bytes());
  let crc = crc::crc32c(&out[21..]);
  out[17..21].copy_from_slice(&crc.to_be_bytes());
}

/// Appends a v2 header carrying `h`'s offsets, leader epoch and producer fields.
fn put_header(
  out: &mut Vec<u8>,
  h: &Header,
  attributes: i16,
  base_timestamp: i64,
  max_timestamp: i64,
  record_count: i32,
) {
  out.extend_from_slice(&h.base_offset.to_be_bytes());
  out.extend_from_slice(&0i32.to_be_bytes()); // batchLength, set by finish_header
  out.extend_from_slice(&h.partition_leader_epoch.to_be_bytes());
  out.push(2); // magic
  out.extend_from_slice(&0u32.to_be_bytes()); // crc, set by finish_header
  out.extend_from_slice(&attributes.to_be_bytes());
  out.extend_from_slice(&h.last_offset_delta.to_be_bytes());
  out.extend_from_slice(&base_timestamp.to_be_bytes());
  out.extend_from_slice(&max_timestamp.to_be_bytes());
  out.extend_from_slice(&h.producer_id.to_be_bytes());
  out.extend_from_slice(&h.producer_epoch.to_be_bytes());
  out.extend_from_slice(&h.base_sequence.to_be_bytes());
  out.extend_from_slice(&record_count.to_be_bytes());
}

/// Kafka's DefaultRecordBatch.writeEmptyHeader: no records, no codec, no base timestamp; the
/// offsets, producer fields and maxTimestamp of the original batch.
fn write_empty_batch(h: &Header, out: &mut Vec<u8>) {
  let start = out.len();
  let attributes = h.attributes & (TIMESTAMP_TYPE_BIT | TRANSACTIONAL_BIT | CONTROL_BIT);
  put_header(out, h, attributes, NO_TIMESTAMP, h.max_timestamp, 0);
  finish_header(&mut out[start..]);
}

/// Kafka's buildRetainedRecordsInto: the retained records re-encoded (timestamps relative to the
/// new base timestamp: the delete horizon when set, else the first record's) and recompressed
/// with the batch's own codec; baseOffset and lastOffsetDelta stay, so offsets and the last
/// sequence do too.
fn rebuild_batch(h: &Header, body: &[u8], kept: &[Kept], horizon: i64, out: &mut Vec<u8>) -> KResult<()> {
  let base_timestamp = if horizon != NO_TIMESTAMP {
    horizon
  } else {
    kept[0].timestamp
  };
  let max_timestamp = if h.is_log_append_time() {
    h.max_timestamp
  } else {
    kept.iter().map(|k| k.timestamp).fold(NO_TIMESTAMP, i64::max)
  };
  let mut records = Vec::with_capacity(body.len());
  let mut record = Vec::new();
  for k in kept {
    record.clear();
    record.push(0); // record attributes: unused in v2
    varint::write_varlong(&mut record, k.timestamp.wrapping_sub(base_timestamp));
    varint::write_varint(&mut record, k.offset_delta);
    record.extend_from_slice(&body[k.tail_start..k.tail_start + k.tail_len]);
    varint::write_varint(&mut records, record.len() as i32);
    records.extend_from_slice(&record);
  }
  let codec = h.codec();
  let payload = if codec == codecs::NONE {
    records
  } else {
    codecs::compress(codec, &records)?
  };
  let mut attributes = h.attributes & (CODEC_MASK | TIMESTAMP_TYPE_BIT | TRANSACTIONAL_BIT | CONTROL_BIT);
  if horizon != NO_TIMESTAMP {
    attributes |= DELETE_HORIZON_BIT;
  }
  let start = out.len();
  put_header(out, h, attributes, base_timestamp, max_timestamp, kept.len() as i32);
  out.extend_from_slice(&payload);
  finish_header(&mut out[start..]);
  Ok(())
}

/// A segment's base offset and its file sizes, for grouping.
struct SegmentSizes {
  base_offset: i64,
  log: u64,
  index: u64,
  time_index: u64,
}

fn file_len(path: &Path) -> u64 {
  fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn sizes_of(dir: &str, base_offset: i64) -> SegmentSizes {
  let stem = Path::new(dir).join(format!("{base_offset:020}"));
  SegmentSizes {
    base_offset,
    log: file_len(&stem.with_extension("log")),
    index: file_len(&stem.with_extension("index")),
    time_index: file_len(&stem.with_extension("timeindex")),
  }
}

/// Kafka's groupSegmentsBySize: consecutive segments whose .log bytes fit max_size, whose index
/// bytes fit max_index_size each, and whose offsets stay within 2^31 of the group's base.
fn group_segments(
  segments: &[SegmentSizes],
  max_size: u64,
  max_index_size: u64,
  first_uncleanable: i64,
) -> Vec<Vec<i64>> {
  let mut groups = Vec::new();
  let mut i = 0;
  while i < segments.len() {
    let first = &segments[i];
    let (mut log, mut index, mut time_index) = (first.log, first.index, first.time_index);
    let mut group = vec![first.base_offset];
    i += 1;
    while i < segments.len() {
      let next = &segments[i];
      // The worst-case last offset of `next`: the following segment's base (or the bound) - 1.
      let last_offset = segments.get(i + 1).map_or(first_uncleanable, |s| s.base_offset) - 1;
      let fits = log + next.log <= max_size
        && index + next.index <= max_index_size
        && time_index + next.time_index <= max_index_size
        && (next.log == 0 || last_offset - first.base_offset <= i64::from(i32::MAX));
      if !fits {
        break;
      }
      log += next.log;
      index += next.index;
      time_index += next.time_index;
      group.push(next.base_offset);
      i += 1;
    }
    groups.push(group);
  }
  groups
}

fn remove_cleaned_files(dir: &str, base_offset: i64) {
  let stem = Path::new(dir).join(format!("{base_offset:020}"));
  for ext in ["log", "index", "timeindex", "txnindex"] {
    let _ = fs::remove_file(stem.with_extension(format!("{ext}{CLEANED_SUFFIX}")));
  }
}

/// Kafka's cleanSegments up to the swap: every segment of the group filtered into one new
/// `.cleaned` segment, indexed, trimmed and fsynced.
fn clean_group(
  opts: &CleanLogOptions,
  group: &[i64],
  filter: &Filter,
  stats: &mut Stats,
  abort: &AtomicBool,
) -> KResult<CleanedGroup> {
  let base_offset = group[0];
  remove_cleaned_files(&opts.dir, base_offset);
  let config = SegmentConfig {
    index_interval_bytes: opts.index_interval_bytes,
    max_index_size: opts.max_index_bytes,
    preallocate: false,
  };
  let mut cleaned = LogSegment::open_with_suffix(&opts.dir, base_offset, &config, CLEANED_SUFFIX)?;
  let mut out = Vec::with_capacity(WRITE_CHUNK_BYTES);
  let mut buf = Vec::new();
  for &segment in group {
    let mut reader = BatchReader::open(log_path(&opts.dir, segment, ""))?;
    while let Some(h) = reader.next(&mut buf)? {
      check_abort(abort)?;
      filter.filter_batch(&h, &buf, &mut out, stats)?;
      if out.len() >= WRITE_CHUNK_BYTES {
        cleaned.do_append(&out)?;
        out.clear();
      }
    }
  }
  if !out.is_empty() {
    cleaned.do_append(&out)?;
  }
  cleaned.do_become_inactive()?;
  cleaned.do_flush()?;
  Ok(CleanedGroup {
    base_offset,
    segments: group.to_vec(),
    size: cleaned.size(),
  })
}

/// Kafka's Cleaner.doClean, minus the swap: map the dirty range, then clean every group of
/// segments below the mapped end offset into `.cleaned` files.
fn clean(opts: &CleanLogOptions, abort: &AtomicBool) -> KResult<CleanLogResult> {
  let bound = opts.first_uncleanable_offset;
  let segments: Vec<i64> = opts.segments.iter().copied().filter(|&b| b < bound).collect();
  let mut map = OffsetMap::with_memory(opts.dedupe_buffer_size.max(0) as usize);
  let max_entries = ((map.slots() as f64) * opts.load_factor) as usize;
  for (i, &base) in segments.iter().enumerate() {
    let next = segments.get(i + 1).copied().unwrap_or(bound);
    if next <= opts.first_dirty_offset {
      continue; // wholly clean
    }
    check_abort(abort)?;
    if map_segment(
      log_path(&opts.dir, base, ""),
      &mut map,
      opts.first_dirty_offset,
      next,
      max_entries,
      abort,
    )? {
      break;
    }
  }
  let end_offset = map.latest_offset() + 1;
  if end_offset <= opts.first_dirty_offset {
    return Err(KafkaError::storage(
      "log cleaning",
      std::io::Error::other(format!(
        "the offset map ({} slots) could not map a single record after offset {}: raise log.cleaner.dedupe.buffer.size",
        map.slots(),
        opts.first_dirty_offset
      )),
    ));
  }
  let producers: HashMap<i64, i64> = opts
    .active_producers
    .iter()
    .map(|p| (p.producer_id, p.last_offset))
    .collect();
  let filter = Filter {
    map: &map,
    now_ms: opts.now_ms,
    delete_retention_ms: opts.delete_retention_ms,
    producers: &producers,
    upper_bound_offset: bound,
  };
  let to_clean: Vec<SegmentSizes> = segments
    .iter()
    .filter(|&&b| b < end_offset)
    .map(|&b| sizes_of(&opts.dir, b))
    .collect();
  let groups = group_segments(
    &to_clean,
    opts.max_segment_bytes.max(0) as u64,
    opts.max_index_bytes.max(0) as u64,
    bound,
  );
  let mut stats = Stats::default();
  let mut cleaned = Vec::with_capacity(groups.len());
  for group in &groups {
    match clean_group(opts, group, &filter, &mut stats, abort) {
      Ok(g) => cleaned.push(g),
      Err(e) => {
        for g in cleaned.iter().map(|g: &CleanedGroup| g.base_offset).chain([group[0]]) {
          remove_cleaned_files(&opts.dir, g);
        }
        return Err(e);
      }
    }
  }
  Ok(CleanLogResult {
    end_offset,
    groups: cleaned,
    messages_read: stats.messages_read,
    bytes_read: stats.bytes_read,
    messages_retained: stats.messages_retained,
    bytes_retained: stats.bytes_retained,
    map_entries: map.size() as i64,
  })
}

/// A flag the JS thread sets to stop a clean in progress (Kafka's checkDone): the task then fails
/// and removes what it wrote.
#[napi]
pub struct CleanerAbort {
  flag: Arc<AtomicBool>,
}

#[napi]
impl CleanerAbort {
  /// A flag not yet raised.
  #[napi(constructor)]
  #[allow(clippy::new_without_default)]
  pub fn new() -> Self {
    CleanerAbort {
      flag: Arc::new(AtomicBool::new(false)),
    }
  }

  /// Asks the task to stop at its next batch.
  #[napi]
  pub fn abort(&self) {
    self.flag.store(true, Ordering::Relaxed);
  }
}

/// One round of cleaning on the libuv pool.
pub struct CleanTask {
  options: CleanLogOptions,
  abort: Arc<AtomicBool>,
}

impl Task for CleanTask {
  type Output = CleanLogResult;
  type JsValue = CleanLogResult;

  fn compute(&mut self) -> napi::Result<CleanLogResult> {
    Ok(clean(&self.options, &self.abort)?)
  }

  fn resolve(&mut self, _env: Env, output: CleanLogResult) -> napi::Result<CleanLogResult> {
    Ok(output)
  }
}

/// Cleans a log's segments into `.cleaned` files off the JS thread; see CleanLogOptions.
#[napi(ts_return_type = "Promise<CleanLogResult>")]
pub fn clean_log(options: CleanLogOptions, abort: &CleanerAbort) -> AsyncTask<CleanTask> {
  AsyncTask::new(CleanTask {
    options,
    abort: abort.flag.clone(),
  })
}

/// lastOffset + 1 of the last whole v2 batch of a .log file (any name, e.g. `.log.swap`), or -1
/// when it holds none: what recovery needs to know which segments a swap file replaces.
#[napi]
pub fn read_next_offset_of_file(path: String) -> napi::Result<i64> {
  let file = File::open(&path).map_err(|e| storage(format!("open {path}"), e))?;
  let end = file.metadata().map_err(|e| storage(format!("stat {path}"), e))?.len();
  let mut header = [0u8; HEADER_SIZE];
  let (mut pos, mut next) = (0u64, -1i64);
  while pos + HEADER_SIZE as u64 <= end {
    file
      .read_exact_at(&mut header, pos)
      .map_err(|e| storage(format!("read {path}"), e))?;
    let h = Header::parse(&header);
    if h.magic != 2 || !h.has_sane_length() || pos + h.size() as u64 > end {
      break;
    }
    next = h.last_offset() + 1;
    pos += h.size() as u64;
  }
  Ok(next)
}
