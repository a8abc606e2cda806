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
use napi::{Env, JsDeferred};
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

  /// Writes every part: a first non-blocking attempt here when the response is small, the rest
  /// (partial writes, EAGAIN) on a thread of its own; resolves with bytes written, -1 when cancelled.
  #[napi(ts_return_type = "Promise<number>")]
  pub fn run<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
    let Pending { fd, parts } = self
      .pending
      .lock()
      .map_err(|_| napi::Error::from_reason("send job poisoned"))?
      .take()
      .ok_or_else(|| napi::Error::from_reason("send job already run"))?;
    let total: u64 = parts.iter().map(Part::len).sum();
    let mut task = SendTask {
      fd,
      parts,
      cancel: self.cancel.clone(),
      part: 0,
      done_in_part: 0,
      sent: 0,
    };
    let (deferred, promise) = env.create_deferred()?;
    // A small response usually fits the socket buffer: sending it here saves a thread start and
    // two context switches per fetch (tail fetches of a live consumer are small). Large ones go
    // to the thread at once, so their copy into the socket runs on the other core.
    if total <= SYNC_ATTEMPT_MAX_BYTES {
      match task.advance(false) {
        Ok(Step::Done) => {
          settle(deferred, Ok(task.sent), resolver);
          return Ok(promise);
        }
        Ok(Step::WouldBlock) => {}
        Err(e) => {
          settle(deferred, Err(e), resolver);
          return Ok(promise);
        }
      }
    }
    std::thread::Builder::new()
      .name("sluice-send".into())
      .spawn(move || {
        let result = task.advance(true).map(|_| task.sent);
        settle(deferred, result, resolver);
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

/// Responses up to this size are first tried without blocking on the JS thread.
const SYNC_ATTEMPT_MAX_BYTES: u64 = 64 * 1024;

impl Part {
  fn len(&self) -> u64 {
    match self {
      Part::Bytes(b) => b.len() as u64,
      Part::Region(_, _, size) => *size,
    }
  }
}

/// What a SendJob's promise resolves with: bytes written, or -1 when cancelled.
fn resolver(value: i64) -> impl FnOnce(Env) -> napi::Result<i64> + Send {
  move |_| Ok(value)
}

/// Settles a SendJob's promise (from either thread) with how its writes ended.
fn settle<R: FnOnce(Env) -> napi::Result<i64>>(
  deferred: JsDeferred<i64, R>,
  result: Result<u64, SendError>,
  make: fn(i64) -> R,
) {
  match result {
    Ok(sent) => deferred.resolve(make(sent as i64)),
    Err(SendError::Cancelled) => deferred.resolve(make(-1)),
    Err(SendError::Failed(reason)) => deferred.reject(napi::Error::from_reason(reason)),
  }
}

/// A SendJob's writes and how far they got; the dup closes when it drops.
struct SendTask {
  fd: OwnedFd,
  parts: Vec<Part>,
  cancel: Arc<AtomicBool>,
  part: usize,       // the part being written
  done_in_part: u64, // bytes of it already written
  sent: u64,         // bytes written in all
}

enum SendError {
  Cancelled,
  Failed(String),
}

/// Where `advance` stopped.
enum Step {
  Done,
  WouldBlock, // the socket is full and the caller may not wait
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

  /// One send/sendfile call for the current part: bytes written, or the errno.
  fn write_once(&self) -> Result<usize, i32> {
    let fd = self.fd.as_raw_fd();
    let n = match &self.parts[self.part] {
      Part::Bytes(bytes) => {
        // `more`: a region follows, so the kernel may hold these bytes to fill a packet with it.
        let more = matches!(self.parts.get(self.part + 1), Some(Part::Region(..)));
        let flags = libc::MSG_NOSIGNAL | if more { libc::MSG_MORE } else { 0 };
        let rest = &bytes[self.done_in_part as usize..];
        // SAFETY: rest is a valid slice; MSG_NOSIGNAL: a closed peer gives EPIPE, not SIGPIPE.
        unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), flags) }
      }
      Part::Region(file, position, size) => {
        let mut offset = (position + self.done_in_part) as libc::off_t;
        let count = ((size - self.done_in_part) as usize).min(MAX_SENDFILE_CHUNK);
        // SAFETY: both fds are open for the call; offset is a valid out-pointer.
        let n = unsafe { libc::sendfile(fd, file.as_raw_fd(), &mut offset, count) };
        if n == 0 {
          return Ok(0);
        }
        if n > 0 {
          SENDFILE_BYTES.fetch_add(n as u64, Ordering::Relaxed);
        }
        n
      }
    };
    if n < 0 {
      Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    } else {
      Ok(n as usize)
    }
  }

  /// Writes parts in order from where the last call stopped. With `wait`, EAGAIN waits in poll
  /// until the socket drains (thread side); without, it returns WouldBlock (JS thread side).
  fn advance(&mut self, wait: bool) -> Result<Step, SendError> {
    while self.part < self.parts.len() {
      if self.cancel.load(Ordering::Relaxed) {
        return Err(SendError::Cancelled);
      }
      let len = self.parts[self.part].len();
      if self.done_in_part >= len {
        self.part += 1;
        self.done_in_part = 0;
        continue;
      }
      match self.write_once() {
        Ok(0) => {
          // Only sendfile returns 0: the file ended early. The frame length is committed, so
          // the connection can only be closed now.
          let Part::Region(_, position, size) = &self.parts[self.part] else {
            return Err(SendError::Failed("write socket: wrote 0 bytes".into()));
          };
          return Err(SendError::Failed(format!(
            "KAFKA_STORAGE_ERROR: segment file ended at {}, before the {size} bytes at {position} a fetch promised",
            position + self.done_in_part
          )));
        }
        Ok(n) => {
          self.done_in_part += n as u64;
          self.sent += n as u64;
        }
        Err(libc::EINTR) => {}
        Err(libc::EAGAIN) if wait => self.wait_writable()?,
        Err(libc::EAGAIN) => return Ok(Step::WouldBlock),
        Err(errno) => {
          let what = if matches!(self.parts[self.part], Part::Region(..)) {
            "sendfile"
          } else {
            "write socket"
          };
          return Err(SendError::Failed(format!(
            "{what}: {}",
            std::io::Error::from_raw_os_error(errno)
          )));
        }
      }
    }
    Ok(Step::Done)
  }
}
