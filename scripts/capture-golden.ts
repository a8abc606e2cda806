// Recording proxy for golden protocol frames: clients talk to it, it forwards to a real broker and
// saves request/response frames as test/protocol/golden/<client>/<nn>-<api>-v<ver>-{request,response}.bin.
// Usage: npx tsx scripts/capture-golden.ts --listen 39094 --target 127.0.0.1:39092 --client kafkajs [--out dir]
//        [--cap-versions]
// Point the broker's advertised.listeners at the proxy so clients never bypass it. Per (api, version)
// the pair with the largest response is kept (e.g. a Fetch that carried records over an empty one).
// --cap-versions lowers the max versions in ApiVersions responses to those in our specs, so clients
// newer than the specs (the Java 4.1 client) fall back to versions the codec knows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeResponse, encodeResponse } from '../src/protocol/index.js';
import { apiSchemas, type ApiVersionsResponse } from '../src/protocol/messages/index.js';
import { inRange, parseRange } from '../src/protocol/schema.js';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', default: '39094' },
    target: { type: 'string', default: '127.0.0.1:39092' },
    client: { type: 'string' },
    out: { type: 'string' },
    'cap-versions': { type: 'boolean', default: false },
  },
});
if (!values.client) {
  console.error('usage: capture-golden.ts --listen PORT --target HOST:PORT --client NAME [--out DIR]');
  process.exit(2);
}
const repo = resolve(fileURLToPath(import.meta.url), '../..');
const outDir = join(values.out ?? join(repo, 'test/protocol/golden'), values.client);
mkdirSync(outDir, { recursive: true });
const [targetHost, targetPort] = values.target.split(':');
const bestResponseSize = new Map<string, number>();

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Calls onFrame with each complete size-prefixed frame (without the prefix) seen on a stream. */
function framer(onFrame: (frame: Buffer) => void): (data: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size) break;
      onFrame(Buffer.from(pending.subarray(4, 4 + size)));
      pending = pending.subarray(4 + size);
    }
  };
}

function save(apiKey: number, version: number, request: Buffer, response: Buffer): void {
  const api = apiSchemas.get(apiKey);
  if (!api || !inRange(parseRange(api.request.validVersions), version)) return;
  const id = `${String(apiKey).padStart(2, '0')}-${kebab(api.name)}-v${version}`;
  if ((bestResponseSize.get(id) ?? -1) >= response.length) return;
  bestResponseSize.set(id, response.length);
  writeFileSync(join(outDir, `${id}-request.bin`), request);
  writeFileSync(join(outDir, `${id}-response.bin`), response);
  console.log(`saved ${values.client}/${id} (${request.length} + ${response.length} bytes)`);
}

/** The ApiVersions response frame with every known api's max version capped to our specs. */
function capVersions(version: number, frame: Buffer): Buffer {
  const { correlationId, body } = decodeResponse(18, version, frame);
  const capped: ApiVersionsResponse = {
    ...body,
    apiKeys: body.apiKeys.map((k) => {
      const api = apiSchemas.get(k.apiKey);
      return api ? { ...k, maxVersion: Math.min(k.maxVersion, parseRange(api.request.validVersions)![1]) } : k;
    }),
  };
  return Buffer.concat(encodeResponse(18, version, correlationId, capped)).subarray(4);
}

const sized = (frame: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
};

createServer((client: Socket) => {
  const broker = createConnection({ host: targetHost, port: Number(targetPort) });
  const inflight = new Map<number, { apiKey: number; version: number; request: Buffer }>();
  const onRequest = framer((frame) => {
    inflight.set(frame.readInt32BE(4), { apiKey: frame.readInt16BE(0), version: frame.readInt16BE(2), request: frame });
    broker.write(sized(frame));
  });
  const onResponse = framer((frame) => {
    const req = inflight.get(frame.readInt32BE(0));
    if (req) {
      inflight.delete(frame.readInt32BE(0));
      save(req.apiKey, req.version, req.request, frame);
      if (req.apiKey === 18 && values['cap-versions']) frame = capVersions(req.version, frame);
    }
    client.write(sized(frame));
  });
  client.on('data', onRequest);
  broker.on('data', onResponse);
  const close = () => {
    client.destroy();
    broker.destroy();
  };
  client.on('close', close).on('error', close);
  broker.on('close', close).on('error', close);
}).listen(Number(values.listen), '127.0.0.1', () => {
  console.log(`capture-golden: 127.0.0.1:${values.listen} -> ${values.target}, saving to ${outDir}`);
});
