import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey } from '../../src/protocol/index.js';
import { decodeRecordBatches } from '../../src/protocol/records.js';
import { batchOf, fetchRequest, produceRequest } from './requests.js';
import { TestClient } from './test-client.js';
import { startTestBroker } from './test-broker.js';
import { until } from '../support/until.js';

describe('Broker', () => {
  it('answers parked fetches on stop, closes connections, and serves the same data after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-broker-life-'));
    try {
      let b = await startTestBroker({}, dir);
      b.broker.services.topics.createTopic('kept', { numPartitions: 1 });
      let client = await TestClient.connect(b.port);
      const produced = await client.request(ApiKey.Produce, 9, produceRequest('kept', 0, batchOf(3, 'kept')));
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
      const parked = client.send(ApiKey.Fetch, 12, fetchRequest('kept', 0, 3, { maxWaitMs: 60_000, minBytes: 1 }));
      await until(() => b.broker['delayedFetches'].size === 1, 'the fetch to park');
      await b.stop();
      const answer = await client.response(ApiKey.Fetch, 12, parked);
      expect(answer.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 3n });
      await client.closed;

      b = await startTestBroker({}, dir);
      client = await TestClient.connect(b.port);
      const res = await client.request(ApiKey.Fetch, 12, fetchRequest('kept', 0, 0));
      const values = decodeRecordBatches(res.responses[0].partitions[0].records!).flatMap((x) => x.records.map((r) => r.value!.toString()));
      expect(values).toEqual(['kept-0', 'kept-1', 'kept-2']);
      client.close();
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens logs found at startup with their topic overrides, so the active segment keeps its index settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-broker-overrides-'));
    const indexBytes = () => statSync(join(dir, 'tuned-0', '00000000000000000000.index')).size;
    const produce = async (port: number, n: number) => {
      const client = await TestClient.connect(port);
      for (let i = 0; i < n; i++) {
        const res = await client.request(ApiKey.Produce, 9, produceRequest('tuned', 0, batchOf(1)));
        expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
      }
      client.close();
    };
    try {
      let b = await startTestBroker({}, dir);
      // index.interval.bytes=1: an index entry for every batch after the first (the default is one per 4 KiB).
      b.broker.services.topics.createTopic('tuned', { numPartitions: 1, configs: new Map([['index.interval.bytes', '1']]) });
      await produce(b.port, 3);
      await b.stop(); // a clean shutdown trims the index to its entries
      const before = indexBytes();
      expect(before).toBe(2 * 8);

      b = await startTestBroker({}, dir);
      expect(b.broker.services.logManager.getLog('tuned', 0)!.config.indexIntervalBytes).toBe(1);
      await produce(b.port, 3);
      await b.stop();
      expect(indexBytes()).toBe(before + 2 * 8); // the byte count since the last entry restarts at open
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to start when its port is taken, and can then start on the same log dir', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'sluice-broker-port-'));
    try {
      await expect(startTestBroker({ listeners: `PLAINTEXT://127.0.0.1:${port}` }, dir)).rejects.toThrow(/EADDRINUSE/);
      const b = await startTestBroker({}, dir);
      expect(b.port).not.toBe(port);
      await b.stop();
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
