//! The fetch data path: record bytes go from a segment file to a client socket with sendfile(2),
//! never entering the JS heap.
//!
//! - A FileRegion is {file, position, size} of a segment's .log. It holds the file in an Arc, so
//!   the bytes stay readable for the whole send even if the segment is closed, deleted by
//!   retention or replaced by the cleaner meanwhile (an unlinked file lives while an fd does).
//! - A SendJob writes one response's parts (header bytes and regions, in order) on a dup() of
//!   the connection's socket fd, on a thread of its own (not the libuv pool: a consumer that
//!   stops reading would hold a pool thread that fsyncs, the cleaner and other sends need for
//!   as long as it stalls). The dup means a JS-side destroy (which closes
//!   the original fd, whose number may then be reused) can never make the worker write into
//!   another file. The socket is non-blocking (libuv set O_NONBLOCK on the shared description):
//!   partial writes loop, EAGAIN waits in poll(POLLOUT) with a short timeout so a cancel flag
//!   (connection closed) is seen between polls. The JS side writes nothing on that connection
//!   until the job settles, so there is only ever one writer on the fd.
//! - The counters say how many fetch bytes went by sendfile and how many were copied into JS
//!   (the copying writer's pread), so tests can prove a fetch copies nothing.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{BufferSlice, Object};
use napi::Env;
use napi_derive::napi;

use crate::batch::{Header, HEADER_SIZE};
use crate::error::KafkaError;

/// Largest count handed to one sendfile call (Linux caps a call at ~2 GiB anyway).
const MAX_SENDFILE_CHUNK: usize = 1 << 30;
/// How long one poll(POLLOUT) waits before the cancel flag is checked again.
const POLL_INTERVAL_MS: i32 = 50;

static SENDFILE_BYTES: AtomicU64 = AtomicU64::new(0);
static COPIED_BYTES: AtomicU64 = AtomicU64::new(0);

/// Bytes of a segment file a fetch response carries, sent without passing through JS.
#[napi]
pub struct FileRegion {
  file: Arc<File>,
  position: u64,
  size: u64,
}

impl FileRegion {
  pub(crate) fn new(file: Arc<File>, position: u64, size: u64) -> Self {
    FileRegion { file, position, size }
  }
}

fn io_error(what: &str, e: std::io::Error) -> napi::Error {
  KafkaError::storage(what, e).into()
}

#[napi]
impl FileRegion {
  /// Bytes in the region.
  #[napi(getter)]
  pub fn size(&self) -> i64 {
    self.size as i64
  }

  /// The copying writer's path: preads region bytes from `offset` into target; returns bytes read.
  #[napi]
  pub fn read_into(&self, offset: i64, mut target: BufferSlice) -> napi::Result<i64> {
    let offset = (offset.max(0) as u64).min(self.size);
    let len = (target.len() as u64).min(self.size - offset) as usize;
    self
      .file
      .read_exact_at(&mut target[..len], self.position + offset)
      .map_err(|e| io_error("read log", e))?;
    COPIED_BYTES.fetch_add(len as u64, Ordering::Relaxed);
    Ok(len as i64)
  }

  /// True when a batch in the region uses `codec` (reads batch headers only, never records).
  #[napi]
  pub fn contains_codec(&self, codec: u32) -> napi::Result<bool> {
    let mut header = [0u8; HEADER_SIZE];
    let (mut pos, end) = (self.position, self.position + self.size);
    while pos + HEADER_SIZE as u64 <= end {
      self
        .file
        .read_exact_at(&mut header, pos)
        .map_err(|e| io_error("read log", e))?;
      let h = Header::parse(&header);
      if !h.has_sane_length() {
        break;
      }
      if u32::from(h.codec()) == codec {
        return Ok(true);
      }
      pos += h.size() as u64;
    }
    Ok(false)
  }
}

/// Fetch bytes sent by sendfile and fetch bytes copied into JS (the copying writer), since start.
#[napi(object)]
pub struct DataPathMetrics {
  pub sendfile_bytes: i64,
  pub copied_bytes: i64,
}

/// The counters tests assert on: a sendfile fetch of N record bytes copies 0 of them into JS.
#[napi]
pub fn data_path_metrics() -> DataPathMetrics {
  DataPathMetrics {
    sendfile_bytes: SENDFILE_BYTES.load(Ordering::Relaxed) as i64,
    copied_bytes: COPIED_BYTES.load(Ordering::Relaxed) as i64,
  }
}

enum Part {
  Bytes(Vec<u8>),
  Region(Arc<File>, u64, u64),
}

/// What `run` hands to the pool: the dup and the parts.
struct Pending {
  fd: OwnedFd,
  parts: Vec<Part>,
}

/// One response's parts, written in order on a dup of the socket fd by `run`. Methods take
/// &self (state behind a Mutex): napi keeps `run`'s borrow while its promise is pending, and
/// `cancel` must work then.
#[napi]
pub struct SendJob {
  pending: Mutex<Option<Pending>>,
  cancel: Arc<AtomicBool>,
}

#[napi]
impl SendJob {
  /// Dups the socket fd now (on the JS thread, while it is surely the connection's).
  #[napi(constructor)]
  pub fn new(fd: i32) -> napi::Result<Self> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) on any int is memory-safe; failure is reported below.
    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if dup < 0 {
      return Err(io_error("dup socket", std::io::Error::last_os_error()));
    }
    Ok(SendJob {
      pending: Mutex::new(Some(Pending {
        // SAFETY: dup is a fresh descriptor owned by nobody else.
        fd: unsafe { OwnedFd::from_raw_fd(dup) },
        parts: Vec::new(),
      })),
      cancel: Arc::new(AtomicBool::new(false)),
    })
  }

  fn push(&self, part: Part) -> napi::Result<()> {
    let mut pending = self
      .pending
      .lock()
      .map_err(|_| napi::Error::from_reason("send job poisoned"))?;
    let pending = pending
      .as_mut()
      .ok_or_else(|| napi::Error::from_reason("send job already run"))?;
    pending.parts.push(part);
    Ok(())
  }

  /// Appends response bytes (headers, small fields): copied, they are never record bytes.
  #[napi]
  pub fn push_bytes(&self, bytes: BufferSlice) -> napi::Result<()> {
    self.push(Part::Bytes(bytes.to_vec()))
  }

  /// Appends a file region; the job keeps its file open until it settles.
  #[napi]
  pub fn push_region(&self, region: &FileRegion) -> napi::Result<()> {
    self.push(Part::Region(region.file.clone(), region.position, region.size))
  }

  /// Writes every part on a new thread; resolves with bytes written, -1 when cancelled.
  #[napi(ts_return_type = "Promise<number>")]
  pub fn run<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
    let Pending { fd, parts } = self
      .pending
      .lock()
      .map_err(|_| napi::Error::from_reason("send job poisoned"))?
      .take()
      .ok_or_else(|| napi::Error::from_reason("send job already run"))?;
    let task = SendTask {
      fd,
      parts,
      cancel: self.cancel.clone(),
    };
    let (deferred, promise) = env.create_deferred()?;
    std::thread::Builder::new()
      .name("sluice-send".into())
      .spawn(move || match task.run() {
        Ok(sent) => deferred.resolve(move |_| Ok(sent)),
        Err(reason) => deferred.reject(napi::Error::from_reason(reason)),
      })
      .map_err(|e| io_error("start send thread", e))?;
    Ok(promise)
  }

  /// Stops the job at its next wait for the socket (the connection closed); the dup is closed.
  #[napi]
  pub fn cancel(&self) {
    self.cancel.store(true, Ordering::Relaxed);
  }
}

/// A SendJob's writes, off the JS thread; the dup closes when it drops.
struct SendTask {
  fd: OwnedFd,
  parts: Vec<Part>,
  cancel: Arc<AtomicBool>,
}

enum SendError {
  Cancelled,
  Failed(String),
}

impl SendTask {
  /// Waits until the socket takes more bytes, or the job is cancelled.
  fn wait_writable(&self) -> Result<(), SendError> {
    loop {
      if self.cancel.load(Ordering::Relaxed) {
        return Err(SendError::Cancelled);
      }
      let mut pfd = libc::pollfd {
        fd: self.fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
      };
      // SAFETY: one valid pollfd.
      let n = unsafe { libc::poll(&mut pfd, 1, POLL_INTERVAL_MS) };
      if n > 0 {
        return Ok(()); // writable, or an error the next write reports
      }
      if n < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
          return Err(SendError::Failed(format!("poll socket: {e}")));
        }
      }
    }
  }

  /// Handles a failed write: Ok to retry (EAGAIN after waiting, EINTR), Err to stop.
  fn on_error(&self, what: &str) -> Result<(), SendError> {
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
      Some(libc::EAGAIN) => self.wait_writable(),
      Some(libc::EINTR) => Ok(()),
      _ => Err(SendError::Failed(format!("{what}: {e}"))),
    }
  }

  /// `more`: a region follows, so the kernel may hold these bytes to fill a packet with it.
  fn send_bytes(&self, bytes: &[u8], more: bool) -> Result<(), SendError> {
    let flags = libc::MSG_NOSIGNAL | if more { libc::MSG_MORE } else { 0 };
    let mut at = 0;
    while at < bytes.len() {
      if self.cancel.load(Ordering::Relaxed) {
        return Err(SendError::Cancelled);
      }
      let rest = &bytes[at..];
      // SAFETY: rest is a valid slice; MSG_NOSIGNAL: a closed peer gives EPIPE, not SIGPIPE.
      let n = unsafe { libc::send(self.fd.as_raw_fd(), rest.as_ptr().cast(), rest.len(), flags) };
      if n < 0 {
        self.on_error("write socket")?;
      } else {
        at += n as usize;
      }
    }
    Ok(())
  }

  fn send_region(&self, file: &File, position: u64, size: u64) -> Result<(), SendError> {
    let mut offset = position as libc::off_t;
    let end = (position + size) as libc::off_t;
    while offset < end {
      if self.cancel.load(Ordering::Relaxed) {
        return Err(SendError::Cancelled);
      }
      let count = ((end - offset) as usize).min(MAX_SENDFILE_CHUNK);
      // SAFETY: both fds are open for the call; offset is a valid out-pointer.
      let n = unsafe { libc::sendfile(self.fd.as_raw_fd(), file.as_raw_fd(), &mut offset, count) };
      if n < 0 {
        self.on_error("sendfile")?;
      } else if n == 0 {
        // The frame length is committed: the connection can only be closed now.
        return Err(SendError::Failed(format!(
          "KAFKA_STORAGE_ERROR: segment file ended at {offset}, before the {size} bytes at {position} a fetch promised"
        )));
      } else {
        SENDFILE_BYTES.fetch_add(n as u64, Ordering::Relaxed);
      }
    }
    Ok(())
  }
}

impl SendTask {
  /// Writes every part in order: the bytes written, -1 when cancelled, or why it failed.
  fn run(self) -> Result<i64, String> {
    let mut sent = 0u64;
    for (i, part) in self.parts.iter().enumerate() {
      let more = matches!(self.parts.get(i + 1), Some(Part::Region(..)));
      let result = match part {
        Part::Bytes(b) => self.send_bytes(b, more).map(|()| b.len() as u64),
        Part::Region(file, position, size) => self.send_region(file, *position, *size).map(|()| *size),
      };
      match result {
        Ok(n) => sent += n,
        Err(SendError::Cancelled) => return Ok(-1),
        Err(SendError::Failed(reason)) => return Err(reason),
      }
    }
    Ok(sent as i64)
  }
}
