//! Kafka's SkimpyOffsetMap: key → latest offset for the log cleaner, in a fixed memory budget.
//! Keys are stored as their 16-byte MD5 digest (two keys with the same digest count as one, as in
//! Kafka); each slot is digest + i64 offset (24 bytes), open addressing probing like Kafka's.

use crate::md5;

const HASH_SIZE: usize = 16;
/// Bytes one slot takes: the digest plus the offset.
pub const BYTES_PER_ENTRY: usize = HASH_SIZE + 8;

/// A fixed-size hash table of key digest → offset.
pub struct OffsetMap {
  hashes: Vec<[u8; HASH_SIZE]>,
  /// offset + 1 per slot; 0 marks an empty slot (so the table starts as untouched zero pages).
  offsets: Vec<i64>,
  entries: usize,
  latest_offset: i64,
}

impl OffsetMap {
  /// A map with as many slots as `memory` bytes hold (Kafka: memory / (hashSize + 8)), at least one.
  pub fn with_memory(memory: usize) -> Self {
    let slots = (memory / BYTES_PER_ENTRY).max(1);
    OffsetMap {
      // vec! of zeros is calloc'd: pages the probes never touch cost no memory.
      hashes: vec![[0u8; HASH_SIZE]; slots],
      offsets: vec![0; slots],
      entries: 0,
      latest_offset: -1,
    }
  }

  /// Number of slots.
  pub fn slots(&self) -> usize {
    self.hashes.len()
  }

  /// Number of distinct key digests stored.
  pub fn size(&self) -> usize {
    self.entries
  }

  /// The last offset put or passed to update_latest_offset; -1 when empty.
  pub fn latest_offset(&self) -> i64 {
    self.latest_offset
  }

  /// After Kafka's positionOf: successive 4-byte windows of the digest, then linear steps.
  fn slot_of(&self, hash: &[u8; HASH_SIZE], attempt: usize) -> usize {
    let at = attempt.min(HASH_SIZE - 4);
    let probe = i32::from_be_bytes(hash[at..at + 4].try_into().unwrap())
      .wrapping_add((attempt.saturating_sub(HASH_SIZE - 4)) as i32);
    (probe & 0x7fff_ffff) as usize % self.slots()
  }

  /// The key's slot (Ok), else the empty slot where it would go (Err(Some)), else Err(None) once
  /// every slot was probed: a full table must not probe forever (Kafka's get bounds it the same way).
  fn find(&self, hash: &[u8; HASH_SIZE]) -> Result<usize, Option<usize>> {
    for attempt in 0..self.slots() + HASH_SIZE - 4 {
      let slot = self.slot_of(hash, attempt);
      if self.offsets[slot] == 0 {
        return Err(Some(slot));
      }
      if &self.hashes[slot] == hash {
        return Ok(slot);
      }
    }
    Err(None)
  }

  /// Records `offset` as the latest for `key`; false (nothing recorded) when `key` is new and
  /// every slot is taken.
  pub fn put(&mut self, key: &[u8], offset: i64) -> bool {
    let hash = md5::digest(key);
    let slot = match self.find(&hash) {
      Ok(slot) => slot,
      Err(Some(slot)) => {
        self.hashes[slot] = hash;
        self.entries += 1;
        slot
      }
      Err(None) => return false,
    };
    self.offsets[slot] = offset + 1;
    self.latest_offset = offset;
    true
  }

  /// The latest offset recorded for `key`, or -1.
  pub fn get(&self, key: &[u8]) -> i64 {
    match self.find(&md5::digest(key)) {
      Ok(slot) => self.offsets[slot] - 1,
      Err(_) => -1,
    }
  }

  /// Moves the map's high-water mark (offsets past it were not mapped).
  pub fn update_latest_offset(&mut self, offset: i64) {
    self.latest_offset = offset;
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_full_table_answers_absent_keys_and_refuses_new_ones() {
    let mut map = OffsetMap::with_memory(4 * BYTES_PER_ENTRY);
    for (i, key) in [b"a", b"b", b"c", b"d"].iter().enumerate() {
      assert!(map.put(*key, i as i64));
    }
    assert_eq!(map.size(), 4);
    assert_eq!(map.get(b"zz"), -1);
    assert!(!map.put(b"zz", 9));
    assert!(map.put(b"c", 10));
    assert_eq!((map.get(b"c"), map.get(b"a"), map.latest_offset()), (10, 0, 10));
  }
}
