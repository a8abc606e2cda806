// Starts a real in-process Broker on an OS-picked port in a fresh temp dir, for broker tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { type LogLevel, setLogSink } from '../../src/logger.js';
import { loadBrokerConfig } from '../../src/config/server-properties.js';
import { TestClient } from './test-client.js';

/** Every broker log line seen while a test broker ran. */
export const brokerLogLines: { level: LogLevel; message: string }[] = [];

/** A broker under test, its data dir, and how to tear both down. */
export interface TestBroker {
  broker: Broker;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Starts a broker with `overrides` (server.properties keys) on 127.0.0.1:0 in a temp dir. */
export async function startTestBroker(overrides: Record<string, string> = {}, dir?: string): Promise<TestBroker> {
  setLogSink((level, message) => brokerLogLines.push({ level, message }));
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'sluice-broker-'));
  const config = loadBrokerConfig({
    overrides: Object.entries({
      'node.id': '1',
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': dataDir,
      ...overrides,
    }).map(([k, v]) => `${k}=${v}`),
    warn: () => {},
  });
  const broker = await Broker.start(config);
  return {
    broker,
    port: broker.port,
    dir: dataDir,
    async stop() {
      await broker.stop();
      if (!dir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The broker and client of useBrokerWithClient; read them inside tests and hooks only. */
export interface BrokerWithClient {
  readonly broker: Broker;
  readonly client: TestClient;
  readonly port: number;
  readonly dir: string;
}

/**
 * Registers beforeAll/afterAll hooks in the calling describe block: before its tests, starts a
 * broker with `overrides` (as startTestBroker) and connects a TestClient to it; after them, closes
 * the client and stops the broker. Hooks the caller registers later run after the start (and
 * before the stop), so they may use the broker.
 */
export function useBrokerWithClient(overrides: Record<string, string> = {}): BrokerWithClient {
  let b: TestBroker | undefined;
  let client: TestClient | undefined;
  beforeAll(async () => {
    b = await startTestBroker(overrides);
    client = await TestClient.connect(b.port);
  });
  afterAll(async () => {
    client?.close();
    await b?.stop();
  });
  const unavailable = () => new Error('useBrokerWithClient: the broker and client exist only inside tests and hooks');
  const started = (): TestBroker => {
    if (!b) throw unavailable();
    return b;
  };
  return {
    get broker() {
      return started().broker;
    },
    get client() {
      if (!client) throw unavailable();
      return client;
    },
    get port() {
      return started().port;
    },
    get dir() {
      return started().dir;
    },
  };
}

/** Starts a broker with `overrides`, connects a TestClient, runs `fn`, then closes both. */
export async function withBrokerAndClient<T>(
  overrides: Record<string, string>,
  fn: (b: TestBroker, client: TestClient) => Promise<T>,
): Promise<T> {
  const b = await startTestBroker(overrides);
  const client = await TestClient.connect(b.port);
  try {
    return await fn(b, client);
  } finally {
    client.close();
    await b.stop();
  }
}
