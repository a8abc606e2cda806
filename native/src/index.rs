//! Kafka's sparse segment indexes: `.index` (i32 relative offset, i32 position) and
//! `.timeindex` (i64 timestamp, i32 relative offset), big-endian, preallocated while active.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::{KResult, KafkaError};

/// Entries are written to the file in runs of at least this many bytes (or at sync, trim, drop):
/// one pwrite per ~8 MB of log instead of two per produced batch. An entry not yet written is
/// harmless after a crash: recovery rebuilds the indexes of every segment past the recovery
/// point, and the recovery point only moves after `sync`, which writes them.
const WRITE_BATCH_BYTES: usize = 1024;

/// One index file: its entries live in memory (loaded on first use) and are mirrored to disk.
pub struct IndexFile {
  name: String,
  file: File,
  entry_size: usize,
  max_bytes: u64,
  file_len: u64,
  data: Option<Vec<u8>>,
  written: usize, // bytes of `data` already in the file
}

impl IndexFile {
  fn open(path: &Path, entry_size: usize, max_index_size: u64) -> KResult<Self> {
    let name = path.display().to_string();
    let existed = path.exists();
    let file = OpenOptions::new()
      .read(true)
      .write(true)
      .create(true)
      .truncate(false)
      .open(path)
      .map_err(|e| KafkaError::storage(&format!("open {name}"), e))?;
    let max_bytes = max_index_size / entry_size as u64 * entry_size as u64;
    let mut index = IndexFile {
      name,
      file,
      entry_size,
      max_bytes,
      file_len: 0,
      data: None,
      written: 0,
    };
    index.file_len = index.file.metadata().map_err(|e| index.io("stat", e))?.len();
    if !existed {
      index.set_len(max_bytes)?; // preallocated (sparse) like Kafka's newly created indexes
      index.data = Some(Vec::new());
    }
    Ok(index)
  }

  fn io(&self, what: &str, e: std::io::Error) -> KafkaError {
    KafkaError::storage(&format!("{what} {}", self.name), e)
  }

  fn set_len(&mut self, len: u64) -> KResult<()> {
    self.file.set_len(len).map_err(|e| self.io("resize", e))?;
    self.file_len = len;
    Ok(())
  }

  /// Reads the file and keeps the leading entries that `valid(previous, entry)` accepts;
  /// a preallocated file ends at its first zero entry. Stale bytes past them are zeroed.
  fn load(&mut self, valid: impl Fn(Option<&[u8]>, &[u8]) -> bool) -> KResult<()> {
    if self.data.is_some() {
      return Ok(());
    }
    let mut raw = vec![0u8; self.file_len as usize];
    self.file.read_exact_at(&mut raw, 0).map_err(|e| self.io("read", e))?;
    let mut count: usize = 0;
    for entry in raw.chunks_exact(self.entry_size) {
      let prev = count
        .checked_sub(1)
        .map(|p: usize| &raw[p * self.entry_size..(p + 1) * self.entry_size]);
      if entry.iter().all(|&b| b == 0) || !valid(prev, entry) {
        break;
      }
      count += 1;
    }
    let used = count * self.entry_size;
    if raw[used..].iter().any(|&b| b != 0) {
      let len = self.file_len;
      self.set_len(used as u64)?;
      self.set_len(len)?;
    }
    raw.truncate(used);
    self.data = Some(raw);
    self.written = used;
    Ok(())
  }

  fn bytes(&self) -> &[u8] {
    self.data.as_deref().unwrap_or(&[])
  }

  pub fn entries(&self) -> usize {
    self.bytes().len() / self.entry_size
  }

  fn entry(&self, i: usize) -> &[u8] {
    &self.bytes()[i * self.entry_size..(i + 1) * self.entry_size]
  }

  pub fn is_full(&self) -> bool {
    self.bytes().len() as u64 + self.entry_size as u64 > self.max_bytes
  }

  /// Adds one entry after the last; it reaches the file with the next run (see WRITE_BATCH_BYTES).
  fn append(&mut self, entry: &[u8]) -> KResult<bool> {
    if self.is_full() {
      return Ok(false);
    }
    self.data.get_or_insert_with(Vec::new).extend_from_slice(entry);
    if self.bytes().len() as u64 > self.file_len {
      self.set_len(self.max_bytes)?; // a trimmed index grows back to its preallocated size at once
    }
    if self.bytes().len() - self.written >= WRITE_BATCH_BYTES {
      self.write_pending()?;
    }
    Ok(true)
  }

  /// Writes the entries not yet in the file in one pwrite (`append` already grew the file).
  fn write_pending(&mut self) -> KResult<()> {
    let end = self.bytes().len();
    if end <= self.written {
      return Ok(());
    }
    let at = self.written;
    self
      .file
      .write_all_at(&self.bytes()[at..end], at as u64)
      .map_err(|e| self.io("write", e))?;
    self.written = end;
    Ok(())
  }

  /// Keeps the first `n` entries; the rest of the file reads as zeros again.
  fn truncate_entries(&mut self, n: usize) -> KResult<()> {
    if n >= self.entries() {
      return Ok(());
    }
    let used = (n * self.entry_size) as u64;
    let len = self.file_len;
    self.set_len(used)?;
    self.set_len(len)?;
    if let Some(d) = self.data.as_mut() {
      d.truncate(used as usize);
    }
    self.written = self.written.min(used as usize);
    Ok(())
  }

  /// Drops every entry (recovery rebuilds them).
  pub fn reset(&mut self) -> KResult<()> {
    self.truncate_entries(0)
  }

  pub fn trim(&mut self) -> KResult<()> {
    self.write_pending()?;
    let used = self.bytes().len() as u64;
    if self.data.is_some() && self.file_len != used {
      self.set_len(used)?;
    }
    Ok(())
  }

  pub fn sync(&mut self) -> KResult<()> {
    self.write_pending()?;
    self.file.sync_all().map_err(|e| self.io("fsync", e))
  }
}

impl Drop for IndexFile {
  // A segment dropped without close (e.g. on a failed open) still leaves its entries on disk.
  fn drop(&mut self) {
    let _ = self.write_pending();
  }
}

fn i32_at(b: &[u8], p: usize) -> i32 {
  i32::from_be_bytes(b[p..p + 4].try_into().unwrap())
}
fn i64_at(b: &[u8], p: usize) -> i64 {
  i64::from_be_bytes(b[p..p + 8].try_into().unwrap())
}

/// Index of the largest entry whose key is <= target (entries sorted by key), if any.
fn floor_slot(n: usize, target: i64, key: impl Fn(usize) -> i64) -> Option<usize> {
  let (mut lo, mut hi) = (0usize, n); // first slot with key > target, by binary search
  while lo < hi {
    let mid = (lo + hi) / 2;
    if key(mid) <= target {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  lo.checked_sub(1)
}

/// `.index`: maps a batch's last offset to the file position where that batch starts.
pub struct OffsetIndex {
  file: IndexFile,
  base_offset: i64,
}

impl OffsetIndex {
  /// i32 relative offset + i32 position.
  pub const ENTRY_SIZE: usize = 8;

  /// Opens or creates (preallocated) the segment's `.index`.
  pub fn open(path: &Path, base_offset: i64, max_index_size: u64) -> KResult<Self> {
    Ok(OffsetIndex {
      file: IndexFile::open(path, Self::ENTRY_SIZE, max_index_size)?,
      base_offset,
    })
  }

  /// Loads entries on first use, dropping any that point at or past `log_size` (stale after a crash).
  pub fn load(&mut self, log_size: u64) -> KResult<()> {
    self.file.load(|prev, e| {
      let (rel, pos) = (i32_at(e, 0), i32_at(e, 4));
      let ordered = prev.is_none_or(|p| rel > i32_at(p, 0) && pos > i32_at(p, 4));
      rel >= 0 && pos >= 0 && (pos as u64) < log_size && ordered
    })
  }

  fn entry(&self, i: usize) -> (i64, u64) {
    let e = self.file.entry(i);
    (self.base_offset + i64::from(i32_at(e, 0)), i32_at(e, 4) as u64)
  }

  /// Largest entry with offset <= target, or (baseOffset, 0).
  pub fn lookup(&self, target: i64) -> (i64, u64) {
    match floor_slot(self.entries(), target, |i| self.entry(i).0) {
      Some(i) => self.entry(i),
      None => (self.base_offset, 0),
    }
  }

  /// The newest entry, or the empty-index default.
  pub fn last_entry(&self) -> (i64, u64) {
    match self.entries() {
      0 => (self.base_offset, 0),
      n => self.entry(n - 1),
    }
  }

  /// Adds (offset → position) if it is beyond the last entry and fits a relative i32.
  pub fn append(&mut self, offset: i64, position: u64) -> KResult<()> {
    let rel = offset - self.base_offset;
    if rel < 0 || rel > i64::from(i32::MAX) || position > i32::MAX as u64 {
      return Ok(());
    }
    if self.entries() > 0 && offset <= self.last_entry().0 {
      return Ok(());
    }
    let mut e = [0u8; Self::ENTRY_SIZE];
    e[0..4].copy_from_slice(&(rel as i32).to_be_bytes());
    e[4..8].copy_from_slice(&(position as i32).to_be_bytes());
    self.file.append(&e).map(|_| ())
  }

  /// Removes entries whose offset >= offset.
  pub fn truncate_to(&mut self, offset: i64) -> KResult<()> {
    let keep = floor_slot(self.entries(), offset - 1, |i| self.entry(i).0).map_or(0, |i| i + 1);
    self.file.truncate_entries(keep)
  }
}

/// `.timeindex`: maps the largest timestamp seen so far to the last offset of its batch.
pub struct TimeIndex {
  file: IndexFile,
  base_offset: i64,
}

impl TimeIndex {
  /// i64 timestamp + i32 relative offset.
  pub const ENTRY_SIZE: usize = 12;

  /// Opens or creates (preallocated) the segment's `.timeindex`.
  pub fn open(path: &Path, base_offset: i64, max_index_size: u64) -> KResult<Self> {
    Ok(TimeIndex {
      file: IndexFile::open(path, Self::ENTRY_SIZE, max_index_size)?,
      base_offset,
    })
  }

  /// Loads entries on first use (a preallocated file ends at its first zero entry).
  pub fn load(&mut self) -> KResult<()> {
    self.file.load(|prev, e| {
      let (ts, rel) = (i64_at(e, 0), i32_at(e, 8));
      let ordered = prev.is_none_or(|p| ts > i64_at(p, 0) && rel >= i32_at(p, 8));
      rel >= 0 && ordered
    })
  }

  fn entry(&self, i: usize) -> (i64, i64) {
    let e = self.file.entry(i);
    (i64_at(e, 0), self.base_offset + i64::from(i32_at(e, 8)))
  }

  /// Largest entry with timestamp <= target, or (-1, baseOffset).
  pub fn lookup(&self, target: i64) -> (i64, i64) {
    match floor_slot(self.entries(), target, |i| self.entry(i).0) {
      Some(i) => self.entry(i),
      None => (-1, self.base_offset),
    }
  }

  /// The newest entry, or the empty-index default.
  pub fn last_entry(&self) -> (i64, i64) {
    match self.entries() {
      0 => (-1, self.base_offset),
      n => self.entry(n - 1),
    }
  }

  /// Appends (timestamp → offset) only if the timestamp is larger than the last entry's (Kafka's maybeAppend).
  pub fn maybe_append(&mut self, timestamp: i64, offset: i64) -> KResult<()> {
    let rel = offset - self.base_offset;
    let (last_ts, last_offset) = self.last_entry();
    if timestamp <= last_ts || rel < 0 || rel > i64::from(i32::MAX) || (self.entries() > 0 && offset < last_offset) {
      return Ok(());
    }
    let mut e = [0u8; Self::ENTRY_SIZE];
    e[0..8].copy_from_slice(&timestamp.to_be_bytes());
    e[8..12].copy_from_slice(&(rel as i32).to_be_bytes());
    self.file.append(&e).map(|_| ())
  }

  /// Removes entries whose offset >= offset.
  pub fn truncate_to(&mut self, offset: i64) -> KResult<()> {
    let keep = (0..self.entries()).take_while(|&i| self.entry(i).1 < offset).count();
    self.file.truncate_entries(keep)
  }
}

/// Both indexes are an IndexFile with typed entries: entries, fullness, reset, trim and sync are the file's.
macro_rules! index_file_deref {
  ($t:ty) => {
    impl std::ops::Deref for $t {
      type Target = IndexFile;
      fn deref(&self) -> &IndexFile {
        &self.file
      }
    }
    impl std::ops::DerefMut for $t {
      fn deref_mut(&mut self) -> &mut IndexFile {
        &mut self.file
      }
    }
  };
}
index_file_deref!(OffsetIndex);
index_file_deref!(TimeIndex);
