// Hand-driven group protocol for wire-level e2e tests (what no client library will send): the
// consumer protocol's subscription and assignment bytes, and retries for a coordinator that is
// still being created or loaded.
import { ErrorCode, errorNameOf } from '../../src/protocol/errors.js';
import { TestClient } from '../broker/test-client.js';


// int16-length string
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
}
function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** ConsumerProtocolSubscription v0: the topics a member subscribes to (no user data). */
export function subscription(topics: string[]): Buffer {
  return Buffer.concat([int16(0), int32(topics.length), ...topics.map(str), int32(-1)]);
}

/** ConsumerProtocolAssignment v0: partitions per topic (no user data). */
export function assignment(parts: Record<string, number[]>): Buffer {
  const entries = Object.entries(parts);
  return Buffer.concat([
    int16(0), int32(entries.length),
    ...entries.flatMap(([t, ps]) => [str(t), int32(ps.length), ...ps.map(int32)]),
    int32(-1),
  ]);
}

/**
 * Connects and waits, as a client's retries would, until the broker coordinates `groupId`:
 * FindCoordinator v3 answers NONE and DescribeGroups v5 no longer answers that the coordinator is
 * missing or still loading.
 */
export async function connectToCoordinator(port: number, groupId: string, timeoutMs = 30_000): Promise<TestClient> {
  const client = await TestClient.connect(port);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await client.request(10, 3, { key: groupId, keyType: 0, coordinatorKeys: [] });
    let error = f.errorCode;
    if (error === ErrorCode.NONE) {
      const d = await client.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
      error = d.groups[0]!.errorCode;
      if (error === ErrorCode.NONE) return client;
    }
    if (Date.now() > deadline) throw new Error(`the coordinator of ${groupId} still answers ${errorNameOf(error)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Commits offsets for a group with no members (generation -1, as admin tools do) over one connection; throws unless all are NONE. */
export async function commitOffsetsDirect(port: number, groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
  const client = await connectToCoordinator(port, groupId);
  try {
    const r = await client.request(8, 8, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{
        name: topic,
        partitions: Object.entries(offsets).map(([p, o]) => ({
          partitionIndex: Number(p), committedOffset: BigInt(o), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '',
        })),
      }],
    });
    const errors = r.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name}-${p.partitionIndex}: ${errorNameOf(p.errorCode)}`));
    if (errors.length > 0) throw new Error(`OffsetCommit for ${groupId} failed: ${errors.join(', ')}`);
  } finally {
    client.close();
  }
}
