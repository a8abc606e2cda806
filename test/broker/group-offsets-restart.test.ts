// Committed offsets and group records survive a broker restart: Broker.start rebuilds the groups
// from __consumer_offsets before the listeners open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey } from '../../src/protocol/index.js';
import { commitRequest, findGroupCoordinator } from './group-requests.js';
import { startTestBroker } from './test-broker.js';
import { TestClient } from './test-client.js';

const props = { 'offsets.topic.num.partitions': '4' };

describe('committed offsets across a restart', () => {
  it('are fetched back after the broker restarts, deletions included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-group-restart-'));
    try {
      const first = await startTestBroker(props, dir);
      const c1 = await TestClient.connect(first.port);
      first.broker.services.topics.createTopic('t', { numPartitions: 3 });
      await findGroupCoordinator(c1, 'g');
      for (const group of ['g', 'h', 'gone']) {
        const res = await c1.request(ApiKey.OffsetCommit, 8, commitRequest(group, { t: { 0: 10, 1: 11, 2: 12 } }));
        expect(res.topics[0].partitions.every((p) => p.errorCode === ErrorCode.NONE)).toBe(true);
      }
      await c1.request(ApiKey.OffsetCommit, 8, commitRequest('g', { t: { 1: 21 } }));
      await c1.request(ApiKey.OffsetDelete, 0, { groupId: 'h', topics: [{ name: 't', partitions: [{ partitionIndex: 2 }] }] });
      await c1.request(ApiKey.DeleteGroups, 2, { groupsNames: ['gone'] });
      c1.close();
      await first.stop();

      const second = await startTestBroker(props, dir);
      const c2 = await TestClient.connect(second.port);
      const res = await c2.request(ApiKey.OffsetFetch, 8, {
        groupId: '',
        topics: [],
        requireStable: false,
        groups: ['g', 'h', 'gone'].map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
      });
      expect(res.groups.map((g) => [g.groupId, g.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset), p.metadata]))])).toEqual([
        ['g', [[0, 10, 'md-10'], [1, 21, 'md-21'], [2, 12, 'md-12']]],
        ['h', [[0, 10, 'md-10'], [1, 11, 'md-11']]],
        ['gone', []],
      ]);
      c2.close();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
