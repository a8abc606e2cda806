// Reads the record batch headers a broker stored in a partition's segment files, so a test can
// check what a producer actually put on the wire (codec, producer id, sequences) on Sluice and on
// Kafka alike: both keep Kafka's on-disk layout under log.dirs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The v2 header fields of one stored batch. */
export interface StoredBatch {
  baseOffset: bigint;
  /** Attributes bits 0-2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  codec: number;
  magic: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Codec ids as the batch attributes carry them. */
export const CODEC_ID = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** Every batch in every segment of `<dataDir>/<topic>-<partition>`, in offset order. */
export async function storedBatches(dataDir: string, topic: string, partition: number): Promise<StoredBatch[]> {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  const segments = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  const out: StoredBatch[] = [];
  for (const seg of segments) {
    const buf = await readFile(path.join(dir, seg));
    // A segment may end with preallocated zeros or a torn tail: stop at the first incomplete batch.
    for (let pos = 0; pos + 61 <= buf.length; ) {
      const batchLength = buf.readInt32BE(pos + 8);
      if (batchLength <= 0 || pos + 12 + batchLength > buf.length) break;
      out.push({
        baseOffset: buf.readBigInt64BE(pos),
        magic: buf.readInt8(pos + 16),
        codec: buf.readInt16BE(pos + 21) & 0x07,
        producerId: buf.readBigInt64BE(pos + 43),
        producerEpoch: buf.readInt16BE(pos + 51),
        baseSequence: buf.readInt32BE(pos + 53),
        recordCount: buf.readInt32BE(pos + 57),
      });
      pos += 12 + batchLength;
    }
  }
  return out;
}
