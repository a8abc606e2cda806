// DescribeLogDirs, versions 1-4 (kafka-log-dirs).
//
// Behavior:
// - One result per configured log dir (absolute path), listing the partitions stored there:
//   null topics means all, otherwise only the requested partitions that exist.
// - partition_size is the bytes of all its segments; offset_lag is 0 and is_future_key false
//   (no replicas, no log-dir moves).
// - v4 total_bytes / usable_bytes come from statfs of the dir; a dir that cannot be read is
//   KAFKA_STORAGE_ERROR for that dir only.
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResponseDescribeLogDirsResult,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../../protocol/messages/35-describe-log-dirs.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { ApiHandler } from '../handler.js';

function wantedLogs(req: DescribeLogDirsRequest, all: PartitionLog[]): PartitionLog[] {
  if (req.topics === null) return all;
  const wanted = new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
  return all.filter((l) => wanted.get(l.topic)?.has(l.partition));
}

function topicsOf(logs: PartitionLog[]): DescribeLogDirsResponseDescribeLogDirsTopic[] {
  const byTopic = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
  for (const l of logs) {
    let t = byTopic.get(l.topic);
    if (!t) byTopic.set(l.topic, (t = { name: l.topic, partitions: [] }));
    t.partitions.push({ partitionIndex: l.partition, partitionSize: BigInt(l.size), offsetLag: 0n, isFutureKey: false });
  }
  return [...byTopic.values()];
}

async function describeDir(dir: string, logs: PartitionLog[]): Promise<DescribeLogDirsResponseDescribeLogDirsResult> {
  try {
    const fs = await statfs(dir);
    return {
      errorCode: ErrorCode.NONE,
      logDir: dir,
      topics: topicsOf(logs.filter((l) => resolve(dirname(l.dir)) === dir)),
      totalBytes: BigInt(fs.blocks) * BigInt(fs.bsize),
      usableBytes: BigInt(fs.bavail) * BigInt(fs.bsize),
    };
  } catch {
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir, topics: [], totalBytes: -1n, usableBytes: -1n };
  }
}

/** Serves DescribeLogDirs (api key 35). */
export const handler: ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse> = {
  apiKey: ApiKey.DescribeLogDirs,
  minVersion: 1,
  maxVersion: 4,
  async handle(req, ctx) {
    const logs = wantedLogs(req, ctx.services.logManager.allLogs());
    const dirs = ctx.services.config.logDirs.map((d) => resolve(d));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: await Promise.all(dirs.map((d) => describeDir(d, logs))) };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, results: [] };
  },
};
