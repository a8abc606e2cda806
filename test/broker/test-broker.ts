// Starts a real in-process Broker on an OS-picked port in a fresh temp dir, for broker tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../../src/broker/broker.js';
import { type LogLevel, setLogSink } from '../../src/logger.js';
import { loadBrokerConfig } from '../../src/config/server-properties.js';

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
