// Request helpers for group and offset handler tests.
import { expect } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey, defaultFindCoordinatorRequest, defaultOffsetCommitRequest, type OffsetCommitRequest } from '../../src/protocol/index.js';
import type { TestClient } from './test-client.js';

/** An OffsetCommit of `offsets` (topic → partition → offset) with metadata `md-<offset>`. */
export function commitRequest(groupId: string, offsets: Record<string, Record<number, number>>, over: Partial<OffsetCommitRequest> = {}): OffsetCommitRequest {
  return {
    ...defaultOffsetCommitRequest(),
    groupId,
    generationIdOrMemberEpoch: -1,
    topics: Object.entries(offsets).map(([name, partitions]) => ({
      name,
      partitions: Object.entries(partitions).map(([p, offset]) => ({
        partitionIndex: Number(p),
        committedOffset: BigInt(offset),
        committedLeaderEpoch: 0,
        commitTimestamp: -1n,
        committedMetadata: `md-${offset}`,
      })),
    })),
    ...over,
  };
}

/** Asks for the group coordinator, which creates __consumer_offsets. */
export async function findGroupCoordinator(client: TestClient, groupId: string): Promise<void> {
  const res = await client.request(ApiKey.FindCoordinator, 3, { ...defaultFindCoordinatorRequest(), key: groupId, keyType: 0 });
  expect(res.errorCode).toBe(ErrorCode.NONE);
}
