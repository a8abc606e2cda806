import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultInitProducerIdRequest, type InitProducerIdRequest } from '../../../src/protocol/index.js';
import { TestClient } from '../test-client.js';
import { startTestBroker } from '../test-broker.js';

const idempotent = (over: Partial<InitProducerIdRequest> = {}): InitProducerIdRequest => ({
  ...defaultInitProducerIdRequest(),
  transactionalId: null,
  transactionTimeoutMs: 60_000,
  ...over,
});

describe('InitProducerId', () => {
  it('hands out distinct ids at epoch 0, bumps the epoch of a known id (KIP-360), and never repeats ids after a restart', async () => {
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
      const [someId] = seen;
      const bumped = await client.request(ApiKey.InitProducerId, 4, idempotent({ producerId: someId, producerEpoch: 3 }));
      expect(bumped).toMatchObject({ errorCode: ErrorCode.NONE, producerId: someId, producerEpoch: 4 });

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
});
