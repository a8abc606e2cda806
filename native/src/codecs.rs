//! The four Kafka compression codecs: gzip (RFC 1952), snappy (raw or xerial), lz4 frame, zstd.

use std::cell::RefCell;
use std::io::{Read, Write};

use crate::error::{KResult, KafkaError};
use crate::xerial;

/// Codec ids as in the batch attributes (bits 0-2).
pub const NONE: u8 = 0;
pub const GZIP: u8 = 1;
pub const SNAPPY: u8 = 2;
pub const LZ4: u8 = 3;
pub const ZSTD: u8 = 4;

/// Largest decompressed payload accepted; guards the broker against decompression bombs.
pub const MAX_DECOMPRESSED: usize = 1 << 30;

const ZSTD_LEVEL: i32 = 3; // Kafka's default compression.zstd.level

/// Compresses `data` the way Kafka's Java client frames each codec.
pub fn compress(codec: u8, data: &[u8]) -> KResult<Vec<u8>> {
  let fail = |e: std::io::Error| KafkaError::corrupt(format!("{} compression failed: {e}", name(codec)));
  match codec {
    NONE => Ok(data.to_vec()),
    GZIP => {
      let mut enc =
        flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 2 + 64), flate2::Compression::default());
      enc.write_all(data).map_err(fail)?;
      enc.finish().map_err(fail)
    }
    SNAPPY => xerial::compress(data),
    LZ4 => {
      use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
      let info = FrameInfo::new()
        .block_size(BlockSize::Max64KB)
        .block_mode(BlockMode::Independent);
      let mut enc = FrameEncoder::with_frame_info(info, Vec::with_capacity(data.len() / 2 + 64));
      enc.write_all(data).map_err(fail)?;
      enc
        .finish()
        .map_err(|e| KafkaError::corrupt(format!("lz4 compression failed: {e}")))
    }
    ZSTD => zstd::bulk::compress(data, ZSTD_LEVEL).map_err(fail),
    other => Err(unknown(other)),
  }
}

/// Decompresses one codec stream, refusing output larger than `limit` bytes.
pub fn decompress(codec: u8, data: &[u8], limit: usize) -> KResult<Vec<u8>> {
  let mut out = Vec::new();
  decompress_into(codec, data, limit, &mut out)?;
  Ok(out)
}

/// Decompresses onto the end of `out` (which callers pass empty).
pub fn decompress_into(codec: u8, data: &[u8], limit: usize, out: &mut Vec<u8>) -> KResult<()> {
  match codec {
    NONE => out.extend_from_slice(data),
    GZIP => read_all(codec, flate2::read::MultiGzDecoder::new(data), limit, out)?,
    SNAPPY if xerial::is_xerial(data) => xerial::decompress_into(data, limit, out)?,
    SNAPPY => {
      let len = snap::raw::decompress_len(data).map_err(|e| KafkaError::corrupt(format!("snappy: {e}")))?;
      if len > limit {
        return Err(KafkaError::corrupt(format!(
          "snappy: decompressed size exceeds {limit} bytes"
        )));
      }
      out.resize(len, 0);
      snap::raw::Decoder::new()
        .decompress(data, out)
        .map_err(|e| KafkaError::corrupt(format!("snappy: {e}")))?;
    }
    LZ4 => read_all(codec, lz4_flex::frame::FrameDecoder::new(data), limit, out)?,
    ZSTD => zstd_decompress(data, limit, out)?,
    other => return Err(unknown(other)),
  }
  Ok(())
}

thread_local! {
  // A zstd decompression context is costly to set up (its window buffers): keep one per thread.
  static ZSTD_DECODER: RefCell<Option<zstd::stream::raw::Decoder<'static>>> = const { RefCell::new(None) };
  static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Lends a reusable per-thread buffer for decompressed batch bodies (validation, timestamp search).
pub fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
  SCRATCH.with(|cell| {
    let mut buf = cell.borrow_mut();
    buf.clear();
    let result = f(&mut buf);
    if buf.capacity() > 16 << 20 {
      *buf = Vec::new(); // do not pin a rare huge batch's memory
    }
    result
  })
}

/// Streams zstd frames (with or without a content size) through the thread's reusable context.
fn zstd_decompress(data: &[u8], limit: usize, out: &mut Vec<u8>) -> KResult<()> {
  use zstd::stream::raw::{Decoder, Operation};
  let fail = |e: std::io::Error| KafkaError::corrupt(format!("zstd: {e}"));
  ZSTD_DECODER.with(|cell| {
    let mut slot = cell.borrow_mut();
    let decoder = match slot.as_mut() {
      Some(d) => d,
      None => slot.insert(Decoder::new().map_err(fail)?),
    };
    decoder.reinit().map_err(fail)?;
    out.reserve((data.len() * 4).max(64 << 10).min(limit));
    let mut input = data;
    loop {
      if out.len() == out.capacity() {
        if out.len() >= limit {
          return Err(KafkaError::corrupt(format!(
            "zstd: decompressed size exceeds {limit} bytes"
          )));
        }
        out.reserve(out.capacity().max(64 << 10));
      }
      let start = out.len();
      out.resize(out.capacity(), 0);
      let status = decoder.run_on_buffers(input, &mut out[start..]);
      let status = match status {
        Ok(s) => s,
        Err(e) => {
          out.truncate(start);
          return Err(fail(e));
        }
      };
      out.truncate(start + status.bytes_written);
      input = &input[status.bytes_read..];
      if out.len() > limit {
        return Err(KafkaError::corrupt(format!(
          "zstd: decompressed size exceeds {limit} bytes"
        )));
      }
      if input.is_empty() && status.remaining == 0 {
        return Ok(());
      }
      if status.bytes_read == 0 && status.bytes_written == 0 {
        return Err(KafkaError::corrupt("zstd: truncated frame"));
      }
    }
  })
}

fn read_all(codec: u8, reader: impl Read, limit: usize, out: &mut Vec<u8>) -> KResult<()> {
  reader
    .take(limit as u64 + 1)
    .read_to_end(out)
    .map_err(|e| KafkaError::corrupt(format!("{}: {e}", name(codec))))?;
  if out.len() > limit {
    return Err(KafkaError::corrupt(format!(
      "{}: decompressed size exceeds {limit} bytes",
      name(codec)
    )));
  }
  Ok(())
}

fn name(codec: u8) -> &'static str {
  match codec {
    NONE => "none",
    GZIP => "gzip",
    SNAPPY => "snappy",
    LZ4 => "lz4",
    ZSTD => "zstd",
    _ => "unknown",
  }
}

fn unknown(codec: u8) -> KafkaError {
  KafkaError::unsupported_compression(format!("unknown compression codec id {codec}"))
}
