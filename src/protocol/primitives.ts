// Varint and zigzag arithmetic shared by the message codec and the record batch codec.

/** Bytes of Kafka's unsigned varint of v (a non-negative length or count). */
export function unsignedVarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Bytes of a length or count prefix (-1: null): compact (unsigned varint n+1) or classic int16/int32. */
export function lengthSize(n: number, flexible: boolean, classic: 'int16' | 'int32'): number {
  return flexible ? unsignedVarintSize(n + 1) : classic === 'int16' ? 2 : 4;
}

/** Zigzag-maps a signed 32-bit integer so small magnitudes get short varints. */
export function zigzagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Inverse of zigzagEncode32. */
export function zigzagDecode32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

/** Zigzag-maps a signed 64-bit integer (Kafka's varlong). */
export function zigzagEncode64(n: bigint): bigint {
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}

/** Inverse of zigzagEncode64. */
export function zigzagDecode64(n: bigint): bigint {
  return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
}
