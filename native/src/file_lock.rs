//! Kafka's FileLock on `<log.dir>/.lock`: an exclusive fcntl(F_SETLK) write lock, the same lock
//! Java's FileChannel.tryLock takes, so neither a second Sluice nor a Kafka broker can share a dir.
//!
//! fcntl locks belong to the process and vanish when ANY descriptor of the file is closed, so a
//! process keeps one descriptor per locked file and hands out counted references to it.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use napi_derive::napi;

use crate::error::{KResult, KafkaError};

/// The open, locked file; the lock goes when the last reference drops (closing the descriptor).
struct LockedFile {
  _file: File,
}

static HELD: Mutex<Option<HashMap<PathBuf, Weak<LockedFile>>>> = Mutex::new(None);

/// An exclusive lock on one file, held until release() (or until the handle is collected).
#[napi]
pub struct FileLock {
  path: String,
  held: Option<Arc<LockedFile>>,
}

#[napi]
impl FileLock {
  /// The locked file's path, as given.
  #[napi(getter)]
  pub fn path(&self) -> String {
    self.path.clone()
  }

  /// Gives the lock up; calling it again does nothing.
  #[napi]
  pub fn release(&mut self) {
    self.held.take();
  }
}

fn try_write_lock(file: &File) -> io::Result<()> {
  // SAFETY: a zeroed flock is a valid value; every field the call reads is set below.
  let mut fl: libc::flock = unsafe { std::mem::zeroed() };
  fl.l_type = libc::F_WRLCK as libc::c_short;
  fl.l_whence = libc::SEEK_SET as libc::c_short;
  fl.l_start = 0;
  fl.l_len = 0; // to the end of the file, however it grows
                // SAFETY: the descriptor is open for the duration of the call and fl outlives it.
  if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl) } == -1 {
    return Err(io::Error::last_os_error());
  }
  Ok(())
}

fn held_by_another_process(err: &io::Error) -> bool {
  matches!(err.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES))
}

/// Creates `path` if needed and takes the exclusive lock; KAFKA_STORAGE_ERROR naming the
/// directory when another process holds it. A second lock from this process shares the first
/// (fcntl locks are per process; opening and closing another descriptor would drop it).
pub fn lock(path: &str) -> KResult<FileLock> {
  let given = Path::new(path);
  let name = given
    .file_name()
    .ok_or_else(|| KafkaError::storage(&format!("cannot lock {path}"), io::ErrorKind::InvalidInput.into()))?;
  let parent = match given.parent() {
    Some(p) if !p.as_os_str().is_empty() => p,
    _ => Path::new("."),
  };
  let dir = std::fs::canonicalize(parent)
    .map_err(|e| KafkaError::storage(&format!("cannot resolve the directory of {path}"), e))?;
  let key = dir.join(name);
  let mut guard = HELD.lock().unwrap_or_else(|p| p.into_inner());
  let held = guard.get_or_insert_with(HashMap::new);
  held.retain(|_, weak| weak.strong_count() > 0);
  if let Some(existing) = held.get(&key).and_then(Weak::upgrade) {
    return Ok(FileLock {
      path: path.to_string(),
      held: Some(existing),
    });
  }
  let file = OpenOptions::new()
    .read(true)
    .write(true)
    .create(true)
    .truncate(false)
    .open(&key)
    .map_err(|e| KafkaError::storage(&format!("cannot open lock file {path}"), e))?;
  if let Err(e) = try_write_lock(&file) {
    if held_by_another_process(&e) {
      return Err(KafkaError::locked(format!(
        "Failed to acquire lock on file {} in {}. A Kafka instance in another process or thread is using this directory.",
        name.to_string_lossy(),
        dir.display()
      )));
    }
    return Err(KafkaError::storage(&format!("cannot lock {path}"), e));
  }
  let locked = Arc::new(LockedFile { _file: file });
  held.insert(key, Arc::downgrade(&locked));
  Ok(FileLock {
    path: path.to_string(),
    held: Some(locked),
  })
}
