//! Snappy in xerial framing, as the Java producer writes it: magic, two i32, then
//! repeated [i32 BE compressed length][raw snappy block].

use crate::error::{KResult, KafkaError};

/// First eight bytes of a xerial stream.
pub const MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const HEADER_SIZE: usize = 16;
const BLOCK_SIZE: usize = 32 * 1024; // xerial's default, as the Java client uses

/// True when the data starts with the xerial header.
pub fn is_xerial(data: &[u8]) -> bool {
  data.len() >= HEADER_SIZE && data[..8] == MAGIC
}

/// Frames `data` as xerial snappy (version 1, compatible 1) with 32 KiB blocks.
pub fn compress(data: &[u8]) -> KResult<Vec<u8>> {
  let blocks = data.len().div_ceil(BLOCK_SIZE);
  let mut out = Vec::with_capacity(HEADER_SIZE + blocks * 4 + snap::raw::max_compress_len(data.len()));
  out.extend_from_slice(&MAGIC);
  out.extend_from_slice(&1i32.to_be_bytes());
  out.extend_from_slice(&1i32.to_be_bytes());
  let mut encoder = snap::raw::Encoder::new();
  for chunk in data.chunks(BLOCK_SIZE) {
    let start = out.len();
    out.resize(start + 4 + snap::raw::max_compress_len(chunk.len()), 0);
    let n = encoder
      .compress(chunk, &mut out[start + 4..])
      .map_err(|e| KafkaError::corrupt(format!("snappy: {e}")))?;
    out.truncate(start + 4 + n);
    out[start..start + 4].copy_from_slice(&(n as i32).to_be_bytes());
  }
  Ok(out)
}

/// Decodes a xerial stream onto `out` (the two version ints are not checked, as in xerial itself).
pub fn decompress_into(data: &[u8], limit: usize, out: &mut Vec<u8>) -> KResult<()> {
  let mut decoder = snap::raw::Decoder::new();
  let mut pos = HEADER_SIZE;
  while pos < data.len() {
    if pos + 4 > data.len() {
      return Err(KafkaError::corrupt("snappy: truncated xerial block length"));
    }
    let n = i32::from_be_bytes(data[pos..pos + 4].try_into().unwrap());
    if n < 0 || pos + 4 + n as usize > data.len() {
      return Err(KafkaError::corrupt(format!(
        "snappy: xerial block length {n} out of bounds"
      )));
    }
    let block = &data[pos + 4..pos + 4 + n as usize];
    let len = snap::raw::decompress_len(block).map_err(|e| KafkaError::corrupt(format!("snappy: {e}")))?;
    if out.len() + len > limit {
      return Err(KafkaError::corrupt(format!(
        "snappy: decompressed size exceeds {limit} bytes"
      )));
    }
    let start = out.len();
    out.resize(start + len, 0);
    decoder
      .decompress(block, &mut out[start..])
      .map_err(|e| KafkaError::corrupt(format!("snappy: {e}")))?;
    pos += 4 + n as usize;
  }
  Ok(())
}
