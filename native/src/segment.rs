//! Kafka's LogSegment: a `.log` file of record batches plus its sparse `.index` and `.timeindex`.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, BufferSlice};
use napi::{Env, Task};
use napi_derive::napi;

use crate::batch::{self, Header, HEADER_SIZE};
use crate::codecs;
use crate::error::{KResult, KafkaError};
use crate::index::{OffsetIndex, TimeIndex};
use crate::records;
use crate::sendfile::FileRegion;

const SCAN_CHUNK: usize = 8 * 1024; // header scans: a few batches per read
const RECOVER_CHUNK: usize = 1024 * 1024; // recovery reads whole batches

/// Settings a segment needs to maintain its sparse indexes.
#[napi(object)]
pub struct SegmentConfig {
  pub index_interval_bytes: i64,
  pub max_index_size: i64,
  pub preallocate: bool,
}

/// Where a read found its bytes inside the .log file.
#[napi(object)]
pub struct SegmentSlice {
  pub position: i64,
  pub size: i64,
  pub first_batch_base_offset: i64,
}

/// Result of rebuilding a segment's indexes from its .log.
#[napi(object)]
pub struct RecoveryResult {
  pub valid_bytes: i64,
  pub truncated_bytes: i64,
  pub next_offset: i64,
  pub batches: i64,
}

/// When the active segment rolls (Kafka's LogSegment.shouldRoll inputs beyond the batches).
#[napi(object)]
pub struct RollPolicy {
  pub segment_bytes: i64,
  /// segment.ms minus this segment's jitter.
  pub roll_ms: i64,
  /// When this process opened the segment (segment.ms counts from it while the segment is empty of timestamps).
  pub created_ms: i64,
  pub now_ms: i64,
}

/// A timestamp and the offset it belongs to.
#[napi(object)]
pub struct TimestampOffset {
  pub timestamp: i64,
  pub offset: i64,
}

/// A read-ahead buffer over a file, so header scans cost one pread per few batches.
struct Window {
  buf: Vec<u8>,
  start: u64,
  chunk: usize,
}

impl Window {
  fn new(chunk: usize) -> Self {
    Window {
      buf: Vec::new(),
      start: 0,
      chunk,
    }
  }

  /// Bytes [pos, pos+len) of the file, or None when the file (of logical size `end`) ends first.
  fn get(&mut self, file: &File, pos: u64, len: usize, end: u64) -> KResult<Option<&[u8]>> {
    if pos + len as u64 > end {
      return Ok(None);
    }
    if pos < self.start || pos + len as u64 > self.start + self.buf.len() as u64 {
      let want = len.max(self.chunk).min((end - pos) as usize);
      self.buf.resize(want, 0);
      file
        .read_exact_at(&mut self.buf, pos)
        .map_err(|e| KafkaError::storage("read log", e))?;
      self.start = pos;
    }
    let at = (pos - self.start) as usize;
    Ok(Some(&self.buf[at..at + len]))
  }

  /// The header of a whole v2 batch at `pos`, or None at the end of the valid data.
  fn header_at(&mut self, file: &File, pos: u64, end: u64) -> KResult<Option<Header>> {
    let Some(bytes) = self.get(file, pos, HEADER_SIZE, end)? else {
      return Ok(None);
    };
    let h = Header::parse(bytes);
    let whole = h.magic == 2 && h.has_sane_length() && pos + h.size() as u64 <= end;
    Ok(whole.then_some(h))
  }
}

/// What is known about the end of the segment: computed lazily, then kept up to date by appends.
#[derive(Clone, Copy)]
struct Tail {
  next_offset: i64,
  max_timestamp: i64,
  offset_of_max_timestamp: i64,
}

struct Files {
  log: Arc<File>, // shared with FileRegions being sent, so a send outlives close/delete

  offset_index: OffsetIndex,
  time_index: TimeIndex,
}

/// Kafka's LogSegment, owned natively; JS holds it through LogSegmentHandle.
#[napi]
pub struct LogSegment {
  base_offset: i64,
  files: Option<Files>,
  size: u64,
  index_interval_bytes: u64,
  bytes_since_last_index_entry: u64,
  tail: Option<Tail>,
  first_batch_timestamp: Option<i64>,
  needs_recovery: bool,
  read_ahead_advised: bool,
}

fn storage(what: &str, e: std::io::Error) -> KafkaError {
  KafkaError::storage(what, e)
}

impl LogSegment {
  /// Opens (creating if absent) `<dir>/<20-digit base>.log/.index/.timeindex`.
  pub fn open(dir: &str, base_offset: i64, config: &SegmentConfig) -> KResult<Self> {
    Self::open_with_suffix(dir, base_offset, config, "")
  }

  /// Like `open`, for files named with a transient suffix (the cleaner writes `.log.cleaned` ...).
  pub(crate) fn open_with_suffix(dir: &str, base_offset: i64, config: &SegmentConfig, suffix: &str) -> KResult<Self> {
    if base_offset < 0 {
      return Err(storage(
        "open segment",
        std::io::Error::other(format!("negative base offset {base_offset}")),
      ));
    }
    let stem = Path::new(dir).join(format!("{base_offset:020}"));
    let named = |ext: &str| stem.with_extension(format!("{ext}{suffix}"));
    let log_path = named("log");
    let log = OpenOptions::new()
      .read(true)
      .write(true)
      .create(true)
      .truncate(false)
      .open(&log_path)
      .map_err(|e| storage(&format!("open {}", log_path.display()), e))?;
    let size = log.metadata().map_err(|e| storage("stat log", e))?.len();
    let index_path = named("index");
    let time_index_path = named("timeindex");
    let needs_recovery = size > 0 && !(index_path.exists() && time_index_path.exists());
    let max_index_size = config.max_index_size.max(0) as u64;
    let files = Files {
      log: Arc::new(log),
      offset_index: OffsetIndex::open(&index_path, base_offset, max_index_size)?,
      time_index: TimeIndex::open(&time_index_path, base_offset, max_index_size)?,
    };
    Ok(LogSegment {
      base_offset,
      files: Some(files),
      size,
      index_interval_bytes: config.index_interval_bytes.max(0) as u64,
      bytes_since_last_index_entry: 0,
      tail: None,
      first_batch_timestamp: None,
      needs_recovery,
      read_ahead_advised: false,
    })
  }

  /// The open files with both indexes loaded.
  fn files(&mut self) -> KResult<&mut Files> {
    let size = self.size;
    let files = self
      .files
      .as_mut()
      .ok_or_else(|| storage("segment", std::io::Error::other("segment is closed")))?;
    files.offset_index.load(size)?;
    files.time_index.load()?;
    Ok(files)
  }

  /// Computes the tail from the last index entries plus a scan of the batches after them.
  fn load_tail(&mut self) -> KResult<Tail> {
    let (base_offset, end, cached) = (self.base_offset, self.size, self.tail);
    let files = self.files()?;
    if let Some(tail) = cached {
      return Ok(tail);
    }
    let (_, mut pos) = files.offset_index.last_entry();
    let (ts, ts_offset) = files.time_index.last_entry();
    let mut tail = Tail {
      next_offset: base_offset,
      max_timestamp: ts,
      offset_of_max_timestamp: if files.time_index.entries() > 0 { ts_offset } else { -1 },
    };
    let mut w = Window::new(SCAN_CHUNK);
    while let Some(h) = w.header_at(&files.log, pos, end)? {
      tail.next_offset = h.last_offset() + 1;
      if h.max_timestamp > tail.max_timestamp {
        tail.max_timestamp = h.max_timestamp;
        tail.offset_of_max_timestamp = h.last_offset();
      }
      pos += h.size() as u64;
    }
    self.tail = Some(tail);
    Ok(tail)
  }

  /// Kafka's per-batch index rule: an entry once more than indexIntervalBytes went by.
  fn index_batch(&mut self, h: &Header, position: u64) -> KResult<()> {
    let interval = self.index_interval_bytes;
    let mut tail = self.tail.expect("tail loaded before indexing");
    if h.max_timestamp > tail.max_timestamp {
      tail.max_timestamp = h.max_timestamp;
      tail.offset_of_max_timestamp = h.last_offset();
    }
    tail.next_offset = h.last_offset() + 1;
    self.tail = Some(tail);
    if self.first_batch_timestamp.is_none() {
      self.first_batch_timestamp = Some(h.max_timestamp);
    }
    if self.bytes_since_last_index_entry > interval {
      let files = self.files()?;
      files.offset_index.append(h.last_offset(), position)?;
      files
        .time_index
        .maybe_append(tail.max_timestamp, tail.offset_of_max_timestamp)?;
      self.bytes_since_last_index_entry = 0;
    }
    self.bytes_since_last_index_entry += h.size() as u64;
    Ok(())
  }

  /// Position and header of the first batch with lastOffset >= offset (index floor, then scan).
  fn locate(&mut self, offset: i64, w: &mut Window) -> KResult<Option<(u64, Header)>> {
    let end = self.size;
    let files = self.files()?;
    let (_, mut pos) = files.offset_index.lookup(offset);
    while let Some(h) = w.header_at(&files.log, pos, end)? {
      if h.last_offset() >= offset {
        return Ok(Some((pos, h)));
      }
      pos += h.size() as u64;
    }
    Ok(None)
  }

  pub(crate) fn do_append(&mut self, buf: &[u8]) -> KResult<u64> {
    let mut headers = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
      let h = batch::frame_at(buf, pos)?;
      headers.push((pos as u64, h));
      pos += h.size();
    }
    self.load_tail()?;
    let at = self.size;
    let files = self.files()?;
    if let Err(e) = files.log.write_all_at(buf, at) {
      let _ = files.log.set_len(at); // drop a partial write so the log stays whole batches
      return Err(storage("append to log", e));
    }
    self.size += buf.len() as u64;
    for (rel, h) in headers {
      self.index_batch(&h, at + rel)?;
    }
    Ok(at)
  }

  /// Kafka's LogSegment.shouldRoll for batches of `messages_size` bytes ending at `max_offset`.
  fn should_roll(
    &mut self,
    messages_size: u64,
    max_timestamp: i64,
    max_offset: i64,
    roll: &RollPolicy,
  ) -> KResult<bool> {
    if self.size == 0 {
      return Ok(false);
    }
    let first_timestamp = self.do_first_batch_timestamp()?;
    let waited = if first_timestamp >= 0 {
      max_timestamp.saturating_sub(first_timestamp)
    } else {
      roll.now_ms.saturating_sub(roll.created_ms)
    };
    let files = self.files()?;
    let index_full = files.offset_index.is_full() || files.time_index.is_full();
    Ok(
      self.size as i64 > roll.segment_bytes - messages_size as i64
        || waited > roll.roll_ms
        || index_full
        || max_offset - self.base_offset > i64::from(i32::MAX),
    )
  }

  /// The leader's append in one step: roll check, offset (and LogAppendTime) assignment in place,
  /// one pwrite, index entries. Returns the last offset, or None (nothing changed) when the
  /// segment must roll first.
  pub(crate) fn do_append_as_leader(
    &mut self,
    buf: &mut [u8],
    base_offset: i64,
    leader_epoch: i32,
    log_append_time: i64,
    roll: &RollPolicy,
  ) -> KResult<Option<i64>> {
    let mut max_timestamp = log_append_time;
    let mut next = base_offset;
    let mut pos = 0;
    while pos < buf.len() {
      let h = batch::frame_at(buf, pos)?;
      if log_append_time < 0 {
        max_timestamp = max_timestamp.max(h.max_timestamp);
      }
      next += i64::from(h.last_offset_delta) + 1;
      pos += h.size();
    }
    if self.should_roll(buf.len() as u64, max_timestamp, next - 1, roll)? {
      return Ok(None);
    }
    let last_offset = batch::assign_offsets(buf, base_offset, leader_epoch, log_append_time)?;
    self.do_append(buf)?;
    Ok(Some(last_offset))
  }

  fn do_read(
    &mut self,
    start_offset: i64,
    max_size: i64,
    max_position: i64,
    min_one_message: bool,
  ) -> KResult<Option<SegmentSlice>> {
    let mut w = Window::new(SCAN_CHUNK);
    let Some((position, first)) = self.locate(start_offset, &mut w)? else {
      return Ok(None);
    };
    let limit = (max_position.max(0) as u64).min(self.size);
    let max_size = max_size.max(0) as u64;
    let files = self.files()?;
    let (mut pos, mut total) = (position, 0u64);
    while let Some(h) = w.header_at(&files.log, pos, limit)? {
      let s = h.size() as u64;
      if total + s > max_size && !(min_one_message && total == 0) {
        break;
      }
      total += s;
      pos += s;
    }
    Ok(Some(SegmentSlice {
      position: position as i64,
      size: total as i64,
      first_batch_base_offset: first.base_offset,
    }))
  }

  fn do_read_into(&mut self, position: i64, target: &mut [u8]) -> KResult<usize> {
    let start = (position.max(0) as u64).min(self.size);
    let len = (target.len() as u64).min(self.size - start) as usize;
    let files = self.files()?;
    files
      .log
      .read_exact_at(&mut target[..len], start)
      .map_err(|e| storage("read log", e))?;
    Ok(len)
  }

  fn do_find_offset_by_timestamp(&mut self, timestamp: i64, starting_offset: i64) -> KResult<Option<TimestampOffset>> {
    let end = self.size;
    let files = self.files()?;
    let (_, indexed_offset) = files.time_index.lookup(timestamp);
    let (_, mut pos) = files.offset_index.lookup(indexed_offset.max(starting_offset));
    let mut w = Window::new(SCAN_CHUNK);
    while let Some(h) = w.header_at(&files.log, pos, end)? {
      if h.max_timestamp >= timestamp && h.last_offset() >= starting_offset {
        let Some(bytes) = w.get(&files.log, pos, h.size(), end)? else {
          break;
        };
        let payload = &bytes[HEADER_SIZE..];
        let search = |body: &[u8]| {
          let mut found = None;
          records::walk(body, h.record_count, |r| {
            let offset = h.base_offset + i64::from(r.offset_delta);
            let ts = if h.is_log_append_time() {
              h.max_timestamp
            } else {
              h.base_timestamp + r.timestamp_delta
            };
            if ts >= timestamp && offset >= starting_offset {
              found = Some(TimestampOffset { timestamp: ts, offset });
            }
            Ok(found.is_none())
          })?;
          Ok::<_, KafkaError>(found)
        };
        let found = if h.codec() == codecs::NONE {
          search(payload)?
        } else {
          codecs::with_scratch(|body| {
            codecs::decompress_into(h.codec(), payload, codecs::MAX_DECOMPRESSED, body)?;
            search(body)
          })?
        };
        if found.is_some() {
          return Ok(found);
        }
      }
      pos += h.size() as u64;
    }
    Ok(None)
  }

  fn do_recover(&mut self, max_batch_size: i64) -> KResult<RecoveryResult> {
    let end = self.size;
    let base_offset = self.base_offset;
    {
      let files = self.files()?;
      files.offset_index.reset()?;
      files.time_index.reset()?;
    }
    self.tail = Some(Tail {
      next_offset: base_offset,
      max_timestamp: -1,
      offset_of_max_timestamp: -1,
    });
    self.bytes_since_last_index_entry = 0;
    self.first_batch_timestamp = None;
    let max_batch_size = max_batch_size.max(0) as u64;
    let mut w = Window::new(RECOVER_CHUNK);
    let (mut pos, mut batches) = (0u64, 0i64);
    loop {
      let files = self.files()?;
      let Some(h) = w.header_at(&files.log, pos, end)? else {
        break;
      };
      if h.size() as u64 > max_batch_size {
        break;
      }
      let whole = w.get(&files.log, pos, h.size(), end)?.is_some_and(batch::crc_matches);
      if !whole {
        break;
      }
      self.index_batch(&h, pos)?;
      pos += h.size() as u64;
      batches += 1;
    }
    let truncated = end - pos;
    let tail = self.tail.expect("tail set above");
    let files = self.files()?;
    if truncated > 0 {
      files.log.set_len(pos).map_err(|e| storage("truncate log", e))?;
    }
    files.offset_index.trim()?;
    files
      .time_index
      .maybe_append(tail.max_timestamp, tail.offset_of_max_timestamp)?;
    files.time_index.trim()?;
    self.size = pos;
    self.needs_recovery = false;
    Ok(RecoveryResult {
      valid_bytes: pos as i64,
      truncated_bytes: truncated as i64,
      next_offset: tail.next_offset,
      batches,
    })
  }

  fn do_truncate_to(&mut self, offset: i64) -> KResult<i64> {
    let mut w = Window::new(SCAN_CHUNK);
    let Some((position, _)) = self.locate(offset, &mut w)? else {
      return Ok(0);
    };
    let files = self.files()?;
    files.offset_index.truncate_to(offset)?;
    files.time_index.truncate_to(offset)?;
    files.log.set_len(position).map_err(|e| storage("truncate log", e))?;
    let removed = self.size - position;
    self.size = position;
    self.bytes_since_last_index_entry = 0;
    self.tail = None;
    if position == 0 {
      self.first_batch_timestamp = None;
    }
    Ok(removed as i64)
  }

  fn do_first_batch_timestamp(&mut self) -> KResult<i64> {
    if self.size == 0 {
      return Ok(-1);
    }
    if let Some(ts) = self.first_batch_timestamp {
      return Ok(ts);
    }
    let end = self.size;
    let files = self.files()?;
    let ts = Window::new(HEADER_SIZE)
      .header_at(&files.log, 0, end)?
      .map_or(-1, |h| h.max_timestamp);
    self.first_batch_timestamp = Some(ts);
    Ok(ts)
  }

  /// Kafka's onBecomeInactiveSegment: record the largest timestamp, then trim both indexes.
  pub(crate) fn do_become_inactive(&mut self) -> KResult<()> {
    let tail = self.load_tail()?;
    let files = self.files()?;
    files
      .time_index
      .maybe_append(tail.max_timestamp, tail.offset_of_max_timestamp)?;
    files.offset_index.trim()?;
    files.time_index.trim()
  }

  pub(crate) fn do_flush(&mut self) -> KResult<()> {
    let files = self.files()?;
    files.log.sync_all().map_err(|e| storage("fsync log", e))?;
    files.offset_index.sync()?;
    files.time_index.sync()
  }
}

/// fsyncs files by path on the libuv pool: each is opened afresh (fsync covers the file's every
/// descriptor), so the segment may be closed meanwhile; a file already deleted is skipped.
pub struct FsyncTask {
  paths: Vec<String>,
}

impl Task for FsyncTask {
  type Output = ();
  type JsValue = ();

  fn compute(&mut self) -> napi::Result<()> {
    for path in &self.paths {
      match File::open(path) {
        Ok(f) => f.sync_all().map_err(|e| storage(&format!("fsync {path}"), e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(storage(&format!("open {path}"), e).into()),
      }
    }
    Ok(())
  }

  fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
    Ok(())
  }
}

#[napi]
impl LogSegment {
  /// Offset of the first record this segment may hold (its file name).
  #[napi(getter)]
  pub fn base_offset(&self) -> i64 {
    self.base_offset
  }

  /// Bytes in the .log file.
  #[napi]
  pub fn size(&self) -> i64 {
    self.size as i64
  }

  /// lastOffset+1 of the last batch, or the base offset when empty.
  #[napi]
  pub fn read_next_offset(&mut self) -> napi::Result<i64> {
    Ok(self.load_tail()?.next_offset)
  }

  /// Largest batch maxTimestamp so far and the last offset of that batch (-1/-1 if none).
  #[napi]
  pub fn max_timestamp_so_far(&mut self) -> napi::Result<TimestampOffset> {
    let tail = self.load_tail()?;
    Ok(TimestampOffset {
      timestamp: tail.max_timestamp,
      offset: tail.offset_of_max_timestamp,
    })
  }

  /// maxTimestamp of the first batch (what time-based rolling uses), -1 when empty.
  #[napi]
  pub fn first_batch_timestamp(&mut self) -> napi::Result<i64> {
    Ok(self.do_first_batch_timestamp()?)
  }

  /// Appends validated, offset-assigned batches; returns the position they were written at.
  #[napi]
  pub fn append(&mut self, records: BufferSlice) -> napi::Result<i64> {
    Ok(self.do_append(&records)? as i64)
  }

  /// Rolls-check, assigns offsets in place and appends produced batches in one call; returns
  /// the last offset, or -1 (nothing written) when the segment must roll first.
  #[napi]
  pub fn append_as_leader(
    &mut self,
    mut records: BufferSlice,
    base_offset: i64,
    leader_epoch: i32,
    log_append_time: i64,
    roll: RollPolicy,
  ) -> napi::Result<i64> {
    Ok(
      self
        .do_append_as_leader(&mut records, base_offset, leader_epoch, log_append_time, &roll)?
        .unwrap_or(-1),
    )
  }

  /// Whole batches from the one containing startOffset, up to maxSize bytes and maxPosition.
  #[napi]
  pub fn read(
    &mut self,
    start_offset: i64,
    max_size: i64,
    max_position: i64,
    min_one_message: bool,
  ) -> napi::Result<Option<SegmentSlice>> {
    Ok(self.do_read(start_offset, max_size, max_position, min_one_message)?)
  }

  /// The .log bytes [position, position+size) for a fetch to send with sendfile, clamped to
  /// size(). `cold` (not the active segment): the first such read advises sequential access
  /// for the whole file, and each asks the kernel to start reading this range ahead.
  #[napi]
  pub fn region(&mut self, position: i64, size: i64, cold: bool) -> napi::Result<FileRegion> {
    let start = (position.max(0) as u64).min(self.size);
    let len = (size.max(0) as u64).min(self.size - start);
    let advise_file = cold && !self.read_ahead_advised;
    let files = self
      .files
      .as_ref()
      .ok_or_else(|| storage("segment", std::io::Error::other("segment is closed")))?;
    if cold {
      let fd = files.log.as_raw_fd();
      // Hints only: a failure changes nothing but speed, so results are ignored.
      // SAFETY: fd is open while `files` lives.
      unsafe {
        if advise_file {
          libc::posix_fadvise(fd, 0, 0, libc::POSIX_FADV_SEQUENTIAL);
        }
        libc::posix_fadvise(fd, start as libc::off_t, len as libc::off_t, libc::POSIX_FADV_WILLNEED);
      }
      self.read_ahead_advised = true;
    }
    Ok(FileRegion::new(files.log.clone(), start, len))
  }

  /// Copies .log bytes from position into target (a JS-allocated Buffer); returns bytes copied.
  #[napi]
  pub fn read_into(&mut self, position: i64, mut target: BufferSlice) -> napi::Result<i64> {
    Ok(self.do_read_into(position, &mut target)? as i64)
  }

  /// First record with timestamp >= target and offset >= startingOffset.
  #[napi]
  pub fn find_offset_by_timestamp(
    &mut self,
    timestamp: i64,
    starting_offset: i64,
  ) -> napi::Result<Option<TimestampOffset>> {
    Ok(self.do_find_offset_by_timestamp(timestamp, starting_offset)?)
  }

  /// Re-validates every batch's header and CRC, truncates a torn tail, rebuilds both indexes.
  #[napi]
  pub fn recover(&mut self, max_batch_size: i64) -> napi::Result<RecoveryResult> {
    Ok(self.do_recover(max_batch_size)?)
  }

  /// Cuts the log at the first batch whose lastOffset >= offset; returns bytes removed.
  #[napi]
  pub fn truncate_to(&mut self, offset: i64) -> napi::Result<i64> {
    Ok(self.do_truncate_to(offset)?)
  }

  /// fsyncs the .log and both indexes.
  #[napi]
  pub fn flush(&mut self) -> napi::Result<()> {
    Ok(self.do_flush()?)
  }

  /// True when an index file was missing for a non-empty log at open: call recover().
  #[napi]
  pub fn needs_recovery(&self) -> bool {
    self.needs_recovery
  }

  /// Trims the preallocated indexes to their entries (the segment stops being active).
  #[napi]
  pub fn on_become_inactive(&mut self) -> napi::Result<()> {
    Ok(self.do_become_inactive()?)
  }

  /// Trims the indexes and closes all three files; later calls fail with KAFKA_STORAGE_ERROR.
  #[napi]
  pub fn close(&mut self) -> napi::Result<()> {
    if self.files.is_none() {
      return Ok(());
    }
    let result = self.do_become_inactive();
    self.files = None;
    Ok(result?)
  }
}

/// Segment files' flush on the libuv pool: a roll fsyncs the segment it closed this way, so a
/// large segment's fsync does not hold up the JS thread. Resolves once every file is fsynced.
#[napi(ts_return_type = "Promise<void>")]
pub fn fsync_files_async(paths: Vec<String>) -> AsyncTask<FsyncTask> {
  AsyncTask::new(FsyncTask { paths })
}
