// Time-based segment rolling and retention in a running broker: closed segments past retention.ms are
// deleted by the background task and the log start offset moves, as clients see through ListOffsets.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { kafkajsClient } from '../support/kafkajs-admin.js';
import { kcatConsumeAll, kcatOk } from '../support/kcat.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'log.retention.check.interval.ms': 250 } });
});

afterAll(async () => {
  await broker?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('retention', () => {
  it('rolls segments on segment.ms and deletes expired ones, moving the log start offset', async () => {
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: 'short-lived', numPartitions: 1, configEntries: [
          { name: 'segment.ms', value: '300' },
          { name: 'retention.ms', value: '1500' },
        ] }],
        waitForLeaders: true,
      });
      for (let i = 0; i < 4; i++) {
        await kcatOk(['-P', '-b', broker.bootstrap, '-t', 'short-lived', '-p', '0'], { input: `batch-${i}-a\nbatch-${i}-b\n` });
        await sleep(400);
      }
      const segments = (await readdir(path.join(broker.dataDir, 'short-lived-0'))).filter((f) => f.endsWith('.log'));
      expect(segments.length, segments.join(',')).toBeGreaterThan(1);

      // The background retention task removes the expired segments within a few check intervals.
      let low = '0';
      for (let i = 0; i < 40 && low === '0'; i++) {
        await sleep(250);
        low = (await admin.fetchTopicOffsets('short-lived'))[0]!.low;
      }
      expect(Number(low)).toBeGreaterThan(0);
      const now = (await admin.fetchTopicOffsets('short-lived'))[0]!;
      expect(now.high).toBe('8');
      // Retention keeps running: what is left is a contiguous suffix of the log, no older than `low`.
      const left = await kcatConsumeAll(broker.bootstrap, 'short-lived', 0);
      expect(left.length).toBeLessThanOrEqual(8 - Number(now.low));
      left.forEach((rec, i) => {
        const offset = 8 - left.length + i;
        expect(rec.offset).toBe(offset);
        expect(rec.value?.toString()).toBe(`batch-${Math.floor(offset / 2)}-${offset % 2 === 0 ? 'a' : 'b'}`);
      });
    } finally {
      await admin.disconnect();
    }
  });
});
