//! MD5 (RFC 1321): the key digest of Kafka's SkimpyOffsetMap, so the cleaner's offset map hashes
//! keys exactly as Kafka's does (16-byte digests, collisions treated as the same key).

/// Per-round left rotations.
const SHIFTS: [u32; 64] = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
  21,
];

/// RFC 1321's table T[i] = floor(|sin(i + 1)| * 2^32), computed once.
fn constants() -> &'static [u32; 64] {
  static TABLE: std::sync::OnceLock<[u32; 64]> = std::sync::OnceLock::new();
  TABLE.get_or_init(|| {
    let mut t = [0u32; 64];
    for (i, k) in t.iter_mut().enumerate() {
      *k = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
    }
    t
  })
}

/// The 16-byte MD5 digest of `data`.
pub fn digest(data: &[u8]) -> [u8; 16] {
  let k = constants();
  let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
  let bit_len = (data.len() as u64).wrapping_mul(8);
  let mut tail = Vec::with_capacity(128);
  let whole = data.len() / 64 * 64;
  tail.extend_from_slice(&data[whole..]);
  tail.push(0x80);
  while tail.len() % 64 != 56 {
    tail.push(0);
  }
  tail.extend_from_slice(&bit_len.to_le_bytes());
  for block in data[..whole].chunks_exact(64).chain(tail.chunks_exact(64)) {
    let mut m = [0u32; 16];
    for (i, w) in m.iter_mut().enumerate() {
      *w = u32::from_le_bytes(block[i * 4..i * 4 + 4].try_into().unwrap());
    }
    let [mut a, mut b, mut c, mut d] = state;
    for i in 0..64 {
      let (f, g) = match i / 16 {
        0 => ((b & c) | (!b & d), i),
        1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
        2 => (b ^ c ^ d, (3 * i + 5) % 16),
        _ => (c ^ (b | !d), (7 * i) % 16),
      };
      let rotated = a
        .wrapping_add(f)
        .wrapping_add(k[i])
        .wrapping_add(m[g])
        .rotate_left(SHIFTS[i]);
      a = d;
      d = c;
      c = b;
      b = b.wrapping_add(rotated);
    }
    state[0] = state[0].wrapping_add(a);
    state[1] = state[1].wrapping_add(b);
    state[2] = state[2].wrapping_add(c);
    state[3] = state[3].wrapping_add(d);
  }
  let mut out = [0u8; 16];
  for (i, s) in state.iter().enumerate() {
    out[i * 4..i * 4 + 4].copy_from_slice(&s.to_le_bytes());
  }
  out
}

#[cfg(test)]
mod tests {
  use super::digest;

  fn hex(d: [u8; 16]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
  }

  #[test]
  fn rfc1321_vectors() {
    assert_eq!(hex(digest(b"")), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(hex(digest(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(hex(digest(b"message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
    assert_eq!(
      hex(digest(
        b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
      )),
      "57edf4a22be3c955ac49da2e2107b67a"
    );
  }
}
