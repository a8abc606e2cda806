// Record batches, temp dirs and log clean-up for the storage tests (batches built with the protocol's TS codec).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../../../src/native/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../../src/protocol/records.js';
import { defaultLogConfig, type LogConfig } from '../../../src/storage/log-config.js';

/** What a test batch carries: values as strings, optional idempotence fields and timestamps. */
export interface TestBatch {
  values: string[];
  timestamp?: number; // first record's; later records +1 ms each
  timestamps?: number[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  compression?: number;
}

/** A produce-style v2 batch (baseOffset 0) with the given records. */
export function makeBatch(b: TestBatch): Buffer {
  const t0 = b.timestamp ?? 1_700_000_000_000;
  return encodeRecordBatch(
    {
      baseOffset: 0,
      producerId: b.producerId ?? -1,
      producerEpoch: b.producerEpoch ?? -1,
      baseSequence: b.baseSequence ?? -1,
      compression: b.compression ?? 0,
      records: b.values.map((v, i) => ({
        key: Buffer.from(`k${i}`),
        value: Buffer.from(v),
        headers: [{ key: 'h', value: Buffer.from('x') }],
        timestamp: b.timestamps?.[i] ?? t0 + i,
      })),
    },
    { compress: (codec, data) => native.compress(codec as 0, data), crc32c: (buf) => native.crc32c(buf) },
  );
}

/** `n` one-record values `prefix-0`, `prefix-1`, ... */
export function values(prefix: string, n: number, size = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`.padEnd(size, '.'));
}

/** Decoded (offset, value) pairs of fetched bytes. */
export function decode(records: Buffer): { offset: number; value: string; timestamp: number }[] {
  return decodeRecordBatches(records, { decompress: (codec, data) => native.decompress(codec as 0, data) }).flatMap((b) =>
    b.records.map((r) => ({ offset: r.offset, value: r.value?.toString() ?? '', timestamp: r.timestamp })),
  );
}

/** Header fields of fetched batches. */
export function batchesOf(records: Buffer) {
  return decodeRecordBatches(records, { decompress: (codec, data) => native.decompress(codec as 0, data) });
}

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'sluice-storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Closes (and forgets) the logs a test opened, ignoring failures: some tests break or close logs themselves. */
export function closeQuietly(logs: { close(): void }[]): void {
  for (const l of logs.splice(0)) {
    try {
      l.close();
    } catch {
      // already closed or deliberately broken
    }
  }
}

/** Removes a temp dir. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The default LogConfig with overrides (immediate file deletion keeps tests synchronous). */
export function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, fileDeleteDelayMs: 0, ...overrides };
}
