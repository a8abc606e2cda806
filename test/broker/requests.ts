// Request bodies for broker tests, built from the generated defaults.
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchRequestFetchTopic,
  defaultProduceRequest,
  type FetchRequest,
  type ProduceRequest,
} from '../../src/protocol/index.js';
import { encodeRecordBatch, type RecordBatchInput } from '../../src/protocol/records.js';

/** A batch of `n` small keyed records (values `${prefix}-${i}`), optionally idempotent. */
export function batchOf(n: number, prefix = 'v', extra: Partial<RecordBatchInput> = {}): Buffer {
  return encodeRecordBatch({
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    ...extra,
    records: Array.from({ length: n }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${prefix}-${i}`),
      headers: [{ key: 'h', value: Buffer.from(String(i)) }],
      timestamp: 1_700_000_000_000 + i,
    })),
  });
}

/** Produce of one batch to one partition. */
export function produceRequest(topic: string, partition: number, records: Buffer | null, acks = -1): ProduceRequest {
  return { ...defaultProduceRequest(), acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

/** Fetch of one partition from `fetchOffset`; no waiting unless maxWaitMs/minBytes say so. */
export function fetchRequest(
  topic: string,
  partition: number,
  fetchOffset: number,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number; topicId?: string } = {},
): FetchRequest {
  return {
    ...defaultFetchRequest(),
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 0,
    maxBytes: opts.maxBytes ?? 1 << 20,
    topics: [
      {
        ...defaultFetchRequestFetchTopic(),
        topic,
        topicId: opts.topicId ?? defaultFetchRequestFetchTopic().topicId,
        partitions: [
          { ...defaultFetchRequestFetchPartition(), partition, fetchOffset: BigInt(fetchOffset), partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20 },
        ],
      },
    ],
  };
}
