import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultInitProducerIdRequest, type InitProducerIdRequest } from '../../../src/protocol/index.js';
import { batchOf, produceRequest } from '../requests.js';
import { TestClient } from '../test-client.js';
import { startTestBroker, withBrokerAndClient } from '../test-broker.js';

const idempotent = (over: Partial<InitProducerIdRequest> = {}): InitProducerIdRequest => ({
  ...defaultInitProducerIdRequest(),
  transactionalId: null,
  transactionTimeoutMs: 60_000,
  ...over,
});

describe('InitProducerId', () => {
  it('hands out distinct ids at epoch 0, refuses transactional ids, and never repeats ids after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ipid-'));
    try {
      const seen = new Set<bigint>();
      let b = await startTestBroker({}, dir);
      let client = await TestClient.connect(b.port);
      for (const version of [0, 1, 2, 3, 4, 5]) {
        const res = await client.request(ApiKey.InitProducerId, version, idempotent());
        expect(res).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
        expect(seen.has(res.producerId)).toBe(false);
        seen.add(res.producerId);
      }

      const tx = await client.request(ApiKey.InitProducerId, 4, idempotent({ transactionalId: 'my-tx' }));
      expect(tx.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

      client.close();
      await b.stop();
      b = await startTestBroker({}, dir);
      client = await TestClient.connect(b.port);
      const afterRestart = await client.request(ApiKey.InitProducerId, 4, idempotent());
      expect(seen.has(afterRestart.producerId)).toBe(false);
      client.close();
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a fresh id at epoch 0 whatever producer id and epoch the request carries (as Kafka does)', async () => {
    await withBrokerAndClient({}, async (_b, client) => {
      const first = await client.request(ApiKey.InitProducerId, 4, idempotent());
      // @platformatic/kafka sends producerId=0/epoch=0; a KIP-360 client sends its own id and epoch.
      const carried = [
        { producerId: 0n, producerEpoch: 0 },
        { producerId: 0n, producerEpoch: 0 },
        { producerId: first.producerId, producerEpoch: 3 },
        { producerId: 0n, producerEpoch: 0 },
      ];
      const ids = new Set([first.producerId]);
      for (const over of carried) {
        const res = await client.request(ApiKey.InitProducerId, 5, idempotent(over));
        expect(res).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
        expect(ids.has(res.producerId)).toBe(false);
        ids.add(res.producerId);
      }
    });
  });

  it('lets producers that all asked with producerId=0/epoch=0 append their sequence-0 batches to one partition', async () => {
    await withBrokerAndClient({}, async (b, client) => {
      b.broker.services.topics.createTopic('many-producers', { numPartitions: 1 });
      const offsets: bigint[] = [];
      for (const name of ['a', 'b', 'c']) {
        const init = await client.request(ApiKey.InitProducerId, 5, idempotent({ producerId: 0n, producerEpoch: 0 }));
        const batch = batchOf(2, name, { producerId: Number(init.producerId), producerEpoch: init.producerEpoch, baseSequence: 0 });
        const res = await client.request(ApiKey.Produce, 9, produceRequest('many-producers', 0, batch));
        const p = res.responses[0].partitionResponses[0];
        expect(p.errorCode).toBe(ErrorCode.NONE);
        offsets.push(p.baseOffset);
      }
      expect(offsets).toEqual([0n, 2n, 4n]);
      expect(b.broker.services.logManager.getLog('many-producers', 0)!.logEndOffset).toBe(6);
    });
  });
});
