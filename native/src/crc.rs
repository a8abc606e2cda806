//! CRC-32C (Castagnoli), hardware-accelerated (SSE4.2 / ARMv8 CRC) where the CPU has it.

/// Checksum of record batches and producer snapshots.
pub fn crc32c(data: &[u8]) -> u32 {
  crc32c::crc32c(data)
}
