// A SocketServer with small scripted handlers instead of the real ones: tests the connection
// layer and dispatch on their own, without storage.
import type { ApiHandler } from '../../src/broker/handler.js';
import { type LogLevel, setLogSink } from '../../src/logger.js';
import { SocketServer } from '../../src/broker/server.js';
import type { BrokerServices } from '../../src/broker/services.js';
import {
  ApiKey,
  defaultApiVersionsResponse,
  defaultMetadataResponse,
  defaultMetadataResponseTopic,
  type ApiVersionsResponse,
  type MetadataRequest,
  type MetadataResponse,
} from '../../src/protocol/index.js';

/** How many Metadata requests the fake handler has started on (tests wait for a request to arrive). */
export const fakeMetadataStarted = { count: 0 };

/** Log lines the fake server emitted. */
export const fakeLogLines: { level: LogLevel; message: string }[] = [];

/** ApiVersions that lists one fake entry; errorResponse as the real one (own entry on UNSUPPORTED_VERSION). */
const apiVersions: ApiHandler<unknown, ApiVersionsResponse> = {
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle: () => ({ ...defaultApiVersionsResponse(), apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] }),
  errorResponse: (_req, errorCode) => ({
    ...defaultApiVersionsResponse(),
    errorCode,
    apiKeys: errorCode === 35 ? [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] : [],
  }),
};

/**
 * Metadata (served 1-9) whose topic names script it: "sleep-N" answers after N ms, "throw"
 * throws, "silent" answers nothing. Each answered topic echoes its name with error code 0.
 */
const metadata: ApiHandler<MetadataRequest, MetadataResponse | null> = {
  apiKey: ApiKey.Metadata,
  minVersion: 1,
  maxVersion: 9,
  async handle(req) {
    fakeMetadataStarted.count++;
    const names = (req.topics ?? []).map((t) => t.name ?? '');
    if (names.includes('throw')) throw new Error('scripted failure');
    if (names.includes('silent')) return null;
    const sleep = names.find((n) => n.startsWith('sleep-'));
    if (sleep) await new Promise((r) => setTimeout(r, Number(sleep.slice(6))));
    return { ...defaultMetadataResponse(), topics: names.map((name) => ({ ...defaultMetadataResponseTopic(), name })) };
  },
  errorResponse: (req, errorCode) => ({
    ...defaultMetadataResponse(),
    topics: (req.topics ?? []).map((t) => ({ ...defaultMetadataResponseTopic(), name: t.name, errorCode })),
  }),
};

/** A running fake server and how to stop it. */
export interface FakeServer {
  port: number;
  server: SocketServer;
  stop(): Promise<void>;
}

/** Starts the fake server on 127.0.0.1:0. */
export async function startFakeServer(opts: { socketRequestMaxBytes?: number; connectionsMaxIdleMs?: number } = {}): Promise<FakeServer> {
  setLogSink((level, message) => fakeLogLines.push({ level, message }));
  const handlers = new Map<number, ApiHandler>([
    [apiVersions.apiKey, apiVersions],
    [metadata.apiKey, metadata],
  ]);
  const server = await SocketServer.start([{ listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], (listenerName) => ({
    services: {} as BrokerServices,
    handlers,
    listenerName,
    socketRequestMaxBytes: opts.socketRequestMaxBytes ?? 100 * 1024 * 1024,
    connectionsMaxIdleMs: opts.connectionsMaxIdleMs ?? 600_000,
  }));
  return { port: server.listeners[0].endpoint.port, server, stop: () => server.stop() };
}

/** True when a log line matching pattern was emitted after index mark. */
export function loggedSince(mark: number, pattern: RegExp): boolean {
  return fakeLogLines.slice(mark).some((l) => pattern.test(l.message));
}

/** A frame with a hand-made header: size, api key, version, correlation id, null client id, body. */
export function rawFrame(apiKey: number, version: number, correlationId: number, body: Buffer, flexibleHeader = false): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(-1, 8);
  const payload = Buffer.concat([header, flexibleHeader ? Buffer.from([0]) : Buffer.alloc(0), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}
