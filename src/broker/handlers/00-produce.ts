// Produce (api key 0): advertised 0-11, served 3-11.
//
// Behavior:
// - v0-2 (message formats 0 and 1) are advertised only so that librdkafka < 2.11.1 keeps its
//   compression codecs enabled; every partition of such a request gets UNSUPPORTED_VERSION.
// - Each partition must carry exactly one magic-2 record batch (Kafka's
//   ProduceRequest.validateRecords): null or empty records, another magic, or a second batch
//   → INVALID_RECORD for that partition. The log refuses control batches and a baseOffset
//   other than 0 (Kafka's LogValidator checks on client appends), also INVALID_RECORD.
// - Transactions are not implemented yet: a request with a transactional id or a
//   transactional batch gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition (what
//   Kafka answers when the transactional id may not be used), and nothing is appended.
// - The batch is validated and appended by the partition's log (CRC-32C, sizes, idempotent
//   sequence checks): CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_RECORD,
//   OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, KAFKA_STORAGE_ERROR are answered for
//   that partition only; other partitions of the request are unaffected.
// - Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION (Produce never auto-creates).
// - A partition named more than once gets only the records named last, and each topic is
//   answered once, as Kafka does (it collects the request into a map); answers keep the order
//   of first appearance.
// - Internal topics (__consumer_offsets, __transaction_state) are written by the broker only:
//   INVALID_TOPIC_EXCEPTION for clients, as Kafka answers.
// - acks 1 and -1 answer after the append (one replica: the leader is the whole ISR); acks 0
//   sends no response at all; any other acks → INVALID_REQUIRED_ACKS on every partition.
// - A duplicate idempotent batch answers NONE with the offsets it was first written at.
// - With acks=0 a failed partition closes the connection (logged), as Kafka does, since there is
//   no response to carry the error; the partitions that succeeded stay appended.
// - A null key on a compacted topic (INVALID_RECORD) or a CreateTime timestamp out of range
//   (INVALID_TIMESTAMP) answers, as Kafka does, recordErrors with one entry per refused record
//   (its index within the batch and why), Kafka's errorMessage for the partition, and the
//   partition's real logStartOffset; v3-7 have neither field (the codec leaves them out).
// - logAppendTimeMs is the broker time for LogAppendTime topics, else -1; currentLeader (v10+)
//   is left at its default since this node always leads.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ProduceRequest,
  ProduceRequestTopicProduceData,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../protocol/index.js';
import { ApiKey, defaultProduceResponseLeaderIdAndEpoch } from '../../protocol/index.js';
import { BatchHeader, RecordBatchView } from '../../protocol/record-batch-view.js';
import { type ApiHandler, CloseConnectionError } from '../handler.js';
import { failedAppend, type PartitionAppend, type PartitionAppendResult } from '../replica-manager.js';

/** Lowest Produce version served: v3 introduced record batches (magic 2). */
const MIN_SERVED_VERSION = 3;
const TRANSACTIONAL_ATTRIBUTE = 0x10;

/** Why a partition's records cannot be a v3+ produce payload, or null when they can. */
function recordsProblem(records: Buffer | null): string | null {
  if (records === null || records.length === 0) return 'a produce request must carry one record batch per partition';
  if (records.length < BatchHeader.size) return null; // truncated: the log's validation answers CORRUPT_MESSAGE
  const batch = new RecordBatchView(records);
  if (batch.magic !== 2) return `record batch magic ${batch.magic} is not 2`;
  if (batch.sizeInBytes < records.length) return 'a produce request may carry only one record batch per partition';
  return null;
}

function isTransactional(records: Buffer | null): boolean {
  return records !== null && records.length >= BatchHeader.size && (new RecordBatchView(records).attributes & TRANSACTIONAL_ATTRIBUTE) !== 0;
}

function partitionResponse(index: number, r: PartitionAppendResult): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode: r.errorCode,
    baseOffset: BigInt(r.baseOffset),
    logAppendTimeMs: BigInt(r.logAppendTime),
    logStartOffset: BigInt(r.logStartOffset),
    recordErrors: r.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
    errorMessage: r.errorCode === ErrorCode.NONE ? null : r.errorMessage,
    currentLeader: defaultProduceResponseLeaderIdAndEpoch(),
  };
}

/** The request's topics with each topic once and each partition once (the last one named wins). */
function mergedTopicData(req: ProduceRequest): ProduceRequestTopicProduceData[] {
  const byTopic = new Map<string, Map<number, Buffer | null>>();
  for (const t of req.topicData) {
    let partitions = byTopic.get(t.name);
    if (!partitions) byTopic.set(t.name, (partitions = new Map()));
    for (const p of t.partitionData) partitions.set(p.index, p.records);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitionData: [...partitions].map(([index, records]) => ({ index, records })) }));
}

function everyPartition(req: ProduceRequest, result: PartitionAppendResult): ProduceResponse {
  return {
    responses: mergedTopicData(req).map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => partitionResponse(p.index, result)),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  };
}

/** Appends produced batches to partition logs through the ReplicaManager. */
export const handler: ApiHandler<ProduceRequest, ProduceResponse> = {
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  handle(req, ctx) {
    if (ctx.apiVersion < MIN_SERVED_VERSION) return handler.errorResponse(req, ErrorCode.UNSUPPORTED_VERSION, ctx);
    if (req.transactionalId !== null || req.topicData.some((t) => t.partitionData.some((p) => isTransactional(p.records)))) {
      if (req.acks === 0) throw new CloseConnectionError('transactional produce with acks=0: transactions are not supported yet');
      return everyPartition(req, failedAppend(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported yet'));
    }

    // Partitions whose payload is unusable are answered without reaching the log.
    const topicData = mergedTopicData(req);
    const results: PartitionAppendResult[][] = [];
    const entries: PartitionAppend[] = [];
    const slots: { topic: number; partition: number }[] = [];
    for (const [ti, t] of topicData.entries()) {
      results.push([]);
      const internal = ctx.services.topics.get(t.name)?.internal === true;
      for (const [pi, p] of t.partitionData.entries()) {
        if (internal) {
          results[ti][pi] = failedAppend(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`);
          continue;
        }
        const problem = recordsProblem(p.records);
        if (problem !== null) {
          results[ti][pi] = failedAppend(ErrorCode.INVALID_RECORD, problem);
        } else {
          entries.push({ topic: t.name, partition: p.index, records: p.records! });
          slots.push({ topic: ti, partition: pi });
        }
      }
    }
    const appended = ctx.services.replicaManager.appendRecords(req.acks, entries);
    appended.forEach((r, i) => (results[slots[i].topic][slots[i].partition] = r));

    if (req.acks === 0) {
      const failures = topicData.flatMap((t, ti) =>
        t.partitionData.flatMap((p, pi) => (results[ti][pi].errorCode === ErrorCode.NONE ? [] : [`${t.name}-${p.index} (error code ${results[ti][pi].errorCode})`])),
      );
      if (failures.length > 0) throw new CloseConnectionError(`acks=0 produce failed for ${failures.join(', ')}`);
      return null;
    }
    return {
      responses: topicData.map((t, ti) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p, pi) => partitionResponse(p.index, results[ti][pi])),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
  },
  errorResponse(req, errorCode) {
    return everyPartition(req, failedAppend(errorCode));
  },
};
