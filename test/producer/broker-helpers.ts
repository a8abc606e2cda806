// Helpers for producer tests against an in-process Sluice: create topics, read a partition back.
import type { TestClient } from '../broker/test-client.js';
import { fetchRequest } from '../broker/requests.js';
import { native } from '../../src/native/index.js';
import { decodeRecordBatches, type DecodedRecordBatch } from '../../src/protocol/records.js';

/** Creates a topic with `partitions` partitions (and optional topic configs); throws on an error code. */
export async function createTopic(client: TestClient, name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const res = await client.request(19, 5, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  const code = res.topics[0].errorCode;
  if (code !== 0) throw new Error(`CreateTopics ${name} failed with error code ${code}`);
}

/** Every batch stored in topic/partition (decoded, CRCs verified, decompressed natively). */
export async function readPartition(client: TestClient, topic: string, partition: number): Promise<DecodedRecordBatch[]> {
  const out: DecodedRecordBatch[] = [];
  let offset = 0;
  for (;;) {
    const res = await client.request(1, 11, fetchRequest(topic, partition, offset, { maxBytes: 64 << 20, partitionMaxBytes: 64 << 20 }));
    const p = res.responses[0].partitions[0];
    if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition} failed with error code ${p.errorCode}`);
    const batches = p.records && p.records.length > 0 ? decodeRecordBatches(p.records, { decompress: (c, d) => native.decompress(c as 0, d) }) : [];
    const fresh = batches.filter((b) => b.baseOffset + b.lastOffsetDelta >= offset);
    if (fresh.length === 0) return out;
    out.push(...fresh);
    const last = fresh[fresh.length - 1];
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
}
