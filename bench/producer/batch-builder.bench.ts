// Micro-benchmark of the producer's batch builder: NativeBatch (records encoded in Rust as they
// are appended, into a pooled buffer) against the pure-TS encodeRecordBatch, per codec. Checks the
// bytes match first.
// Run: npx tsx bench/producer/batch-builder.bench.ts
import { Bench } from 'tinybench';
import { Codec, native, type CodecId } from '../../src/native/index.js';
import { NativeBatch, type CompressionType } from '../../src/producer/native-batch.js';
import { encodeRecordBatch } from '../../src/protocol/records.js';

const T0 = 1_700_000_000_000;
const key = Buffer.from('key-000001');

/** One batch.size buffer reused by every batch, as the producer's pool reuses them. */
const pooled = Buffer.allocUnsafeSlow(16_384);

function nativeBatch(compression: CompressionType, value: Buffer, batchSize: number): { bytes: Buffer; records: number } {
  const batch = new NativeBatch({ compression, batchSize, buffer: pooled });
  let i = 0;
  while (batch.tryAppend(T0 + i, key, value, null)) i++;
  return { bytes: batch.close(-1, -1, -1), records: i };
}

function jsBatch(compression: CompressionType, value: Buffer, records: number): Buffer {
  return encodeRecordBatch(
    { compression: Codec[compression], records: Array.from({ length: records }, (_, i) => ({ key, value, timestamp: T0 + i })) },
    { compress: (codec, data) => native.compress(codec as CodecId, data) },
  );
}

const bench = new Bench({ time: 1000, warmupTime: 200 });
const perRecord = new Map<string, number>();
for (const valueSize of [100, 1024]) {
  const value = Buffer.alloc(valueSize, 'x');
  for (const compression of ['none', 'lz4', 'zstd'] as const) {
    const { bytes, records } = nativeBatch(compression, value, 16_384);
    if (!bytes.equals(jsBatch(compression, value, records))) throw new Error(`NativeBatch bytes differ (${compression}, ${valueSize} B)`);
    const name = `${valueSize} B ${compression}`;
    bench.add(`NativeBatch ${name}`, () => void nativeBatch(compression, value, 16_384));
    bench.add(`encodeRecordBatch ${name}`, () => void jsBatch(compression, value, records));
    perRecord.set(`NativeBatch ${name}`, records);
    perRecord.set(`encodeRecordBatch ${name}`, records);
  }
}
await bench.run();
console.log('One 16 KiB batch (batch.size default) of 10-byte keys, filled and closed:');
console.table(
  bench.table((task) => {
    const p50 = task.result!.latency.p50 ?? task.result!.latency.mean;
    const records = perRecord.get(task.name)!;
    return { task: task.name, records, 'µs/batch (p50)': (p50 * 1000).toFixed(1), 'ns/record': ((p50 * 1e6) / records).toFixed(0) };
  }),
);
