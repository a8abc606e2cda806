// Micro-benchmarks of the native data path: CRC-32C, the four codecs, batch validation and
// offset assignment, and segment append/read. Each group checks correctness before timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { Bench, type Task } from 'tinybench';
import { Codec, native, type CodecId } from '../src/native/index.js';
import { buildBatch, type TestRecord } from '../test/native/batch-builder.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const opts = { time: 400, warmupTime: 100 };

/** Castagnoli table CRC in plain JS: the baseline the native one must beat. */
const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function jsCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`correctness check failed: ${what}`);
}

/** Log-like payload: JSON-ish lines with some repetition, as real topics carry. */
function sampleRecords(count: number, valueSize: number): TestRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const text = JSON.stringify({ id: i, user: `user-${i % 97}`, event: ['click', 'view', 'buy'][i % 3], ts: 1_700_000_000_000 + i });
    const value = Buffer.alloc(valueSize);
    for (let p = 0; p < valueSize; p += text.length) value.write(text, p);
    return { key: Buffer.from(`key-${i % 31}`), value, headers: [{ key: 'trace', value: Buffer.from(String(i)) }], timestampDelta: i };
  });
}

/** Prints a table with throughput in MB/s; rates come from the median latency (robust to GC pauses). */
async function run(title: string, bench: Bench, bytesPerOp: Map<string, number>): Promise<void> {
  await bench.run();
  console.log(`\n${title}`);
  console.table(
    bench.table((task: Task) => {
      const r = task.result!;
      const medianMs = r.latency.p50 ?? r.latency.mean;
      const bytes = bytesPerOp.get(task.name) ?? 0;
      return {
        task: task.name,
        'ops/s': Math.round(1000 / medianMs).toLocaleString('en-US'),
        'median (µs)': (medianMs * 1000).toFixed(2),
        'p99 (µs)': ((r.latency.p99 ?? 0) * 1000).toFixed(2),
        'MB/s': bytes ? ((bytes * 1000) / medianMs / 1e6).toFixed(0) : '',
        samples: r.latency.samples.length,
      };
    }),
  );
}

async function benchCrc(): Promise<void> {
  const bench = new Bench(opts);
  const bytes = new Map<string, number>();
  for (const size of [1 * KiB, 1 * MiB]) {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 7)) & 0xff;
    const expected = native.crc32c(data);
    check(nodeRsCrc32c(data) === expected && jsCrc32c(data) === expected, `crc32c agreement at ${size} bytes`);
    const label = size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
    for (const [name, fn] of [
      ['sluice native', () => native.crc32c(data)],
      ['@node-rs/crc32', () => nodeRsCrc32c(data)],
      ['js table', () => jsCrc32c(data)],
    ] as const) {
      bench.add(`crc32c ${name} ${label}`, fn);
      bytes.set(`crc32c ${name} ${label}`, size);
    }
  }
  await run('CRC-32C', bench, bytes);
}

async function benchCodecs(): Promise<void> {
  const bench = new Bench(opts);
  const bytes = new Map<string, number>();
  const data = Buffer.concat(sampleRecords(256, 1000).map((r) => r.value!)); // 256 KB
  const names: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };
  for (const codec of [Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd] as CodecId[]) {
    const compressed = native.compress(codec, data);
    check(native.decompress(codec, compressed).equals(data), `${names[codec]} round trip`);
    console.log(`${names[codec]}: ${data.length} → ${compressed.length} bytes (${((100 * compressed.length) / data.length).toFixed(1)}%)`);
    bench.add(`${names[codec]} compress 256 KB`, () => native.compress(codec, data));
    bench.add(`${names[codec]} decompress 256 KB`, () => native.decompress(codec, compressed));
    bytes.set(`${names[codec]} compress 256 KB`, data.length);
    bytes.set(`${names[codec]} decompress 256 KB`, data.length);
  }
  await run('Codecs (MB/s of uncompressed data)', bench, bytes);
}

async function benchBatches(): Promise<void> {
  const bench = new Bench(opts);
  const bytes = new Map<string, number>();
  const records = sampleRecords(100, 150); // ~16 KB batch
  for (const codec of [Codec.none, Codec.lz4, Codec.zstd] as CodecId[]) {
    const batch = buildBatch({ records, codec });
    const [info] = native.validateRecordBatches(batch, 10 * MiB);
    check(info.recordCount === 100 && info.compression === codec, `validate codec ${codec}`);
    const name = `validate 100 records codec ${codec} (${batch.length} B)`;
    bench.add(name, () => native.validateRecordBatches(batch, 10 * MiB));
    bytes.set(name, batch.length);
  }
  const plain = buildBatch({ records });
  let next = 0;
  check(native.assignOffsets(Buffer.from(plain), 10, 0, -1) === 109, 'assignOffsets last offset');
  bench.add('assignOffsets 16 KB batch', () => {
    next = native.assignOffsets(plain, next, 1, -1) + 1;
  });
  bench.add('assignOffsets 16 KB batch, LogAppendTime (CRC)', () => {
    next = native.assignOffsets(plain, next, 1, 1_700_000_000_000) + 1;
  });
  bytes.set('assignOffsets 16 KB batch', plain.length);
  bytes.set('assignOffsets 16 KB batch, LogAppendTime (CRC)', plain.length);
  // Topic compression.type differing from the producer's codec: decompress + compress + CRC per batch.
  const gzipped = buildBatch({ records, codec: Codec.gzip });
  check(native.validateRecordBatches(native.recompressBatches(gzipped, Codec.zstd), 10 * MiB)[0].compression === Codec.zstd, 'recompress');
  for (const [name, input, codec] of [
    ['recompressBatches 16 KB gzip -> zstd', gzipped, Codec.zstd],
    ['recompressBatches 16 KB none -> lz4', plain, Codec.lz4],
  ] as const) {
    bench.add(name, () => native.recompressBatches(input, codec));
    bytes.set(name, plain.length);
  }
  await run('Record batches', bench, bytes);
}

async function benchSegment(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const bench = new Bench(opts);
    const bytes = new Map<string, number>();
    const seg = native.openSegment(dir, 0, { indexIntervalBytes: 4096, maxIndexSize: 10 * MiB, preallocate: false });
    const batch = buildBatch({ records: sampleRecords(100, 150) });
    native.assignOffsets(batch, 0, 0, -1);
    seg.append(batch);
    check(seg.readBytes(0, batch.length).equals(batch) && seg.readNextOffset() === 100, 'segment append/read back');
    seg.truncateTo(0);
    bench.add(`segment append ${batch.length} B`, () => {
      if (seg.size() > 256 * MiB) seg.truncateTo(0); // keep the file bounded
      native.assignOffsets(batch, seg.readNextOffset(), 0, -1);
      seg.append(batch);
    });
    bytes.set(`segment append ${batch.length} B`, batch.length);
    // The leader's produce path per partition: before, six napi calls (validate, assignOffsets,
    // size, firstBatchTimestamp, isIndexFull, append); now two (validate, appendAsLeader).
    const roll = { segmentBytes: 1 << 30, rollMs: Number.MAX_SAFE_INTEGER, createdMs: 0, nowMs: 0 };
    const sixCalls = `produce path, 6 napi calls, ${batch.length} B`;
    bench.add(sixCalls, () => {
      if (seg.size() > 256 * MiB) seg.truncateTo(0);
      native.validateRecordBatches(batch, 10 * MiB);
      native.assignOffsets(batch, seg.readNextOffset(), 0, -1);
      if (seg.size() > 0) seg.firstBatchTimestamp();
      seg.needsRecovery(); // stands in for the isIndexFull call the old path made (gone from the addon)
      seg.append(batch);
    });
    bytes.set(sixCalls, batch.length);
    const twoCalls = `produce path, validate + appendAsLeader, ${batch.length} B`;
    bench.add(twoCalls, () => {
      if (seg.size() > 256 * MiB) seg.truncateTo(0);
      native.validateRecordBatches(batch, 10 * MiB);
      check(seg.appendAsLeader(batch, seg.readNextOffset(), 0, -1, roll) >= 0, 'appendAsLeader never rolls here');
    });
    bytes.set(twoCalls, batch.length);
    await run('Segment append (page cache, no fsync)', bench, bytes);

    const reads = new Bench(opts);
    seg.truncateTo(0);
    for (let i = 0; i < 4096; i++) {
      native.assignOffsets(batch, seg.readNextOffset(), 0, -1);
      seg.append(batch);
    }
    const last = seg.readNextOffset();
    let offset = 0;
    reads.add('segment read 1 MiB fetch (locate + copy)', () => {
      offset = (offset + 7919) % last;
      const slice = seg.read(offset, MiB, seg.size(), true)!;
      seg.readBytes(slice.position, slice.size);
    });
    bytes.set('segment read 1 MiB fetch (locate + copy)', Math.floor(MiB / batch.length) * batch.length);
    reads.add('segment findOffsetByTimestamp', () => {
      offset = (offset + 7919) % last;
      seg.findOffsetByTimestamp(1_700_000_000_000 + (offset % 100), offset);
    });
    await run('Segment reads (64 MB segment)', reads, bytes);
    seg.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Many calls of each allocating entry point: RSS must stay flat (no leak across the boundary). */
function memoryCheck(): void {
  const batch = buildBatch({ records: sampleRecords(100, 150), codec: Codec.zstd });
  const lz4 = native.compress(Codec.lz4, Buffer.alloc(256 * KiB, 7));
  const round = (): void => {
    for (let i = 0; i < 20_000; i++) {
      native.validateRecordBatches(batch, 10 * MiB);
      native.decompress(Codec.lz4, lz4);
    }
    global.gc?.();
  };
  round(); // warm up allocator pools
  const before = process.memoryUsage().rss;
  round();
  round();
  const growth = (process.memoryUsage().rss - before) / MiB;
  console.log(`\nMemory: RSS grew ${growth.toFixed(1)} MiB over 40,000 validate + 40,000 decompress calls`);
  check(growth < 64, 'RSS stays flat across repeated native calls');
}

memoryCheck();
await benchCrc();
await benchCodecs();
await benchBatches();
await benchSegment();
