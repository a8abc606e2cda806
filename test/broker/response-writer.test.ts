// Both region writers (sendfile on a dup of the fd, copying through the socket) over a real TCP
// connection: a reader that stops reading forces partial writes and EAGAIN; the bytes arrive
// whole and in order; a segment closed and deleted mid-send still sends; a file shorter than
// its region fails the send; a connection destroyed mid-send stops the job and closes the dup.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyingWriter, regionWriterFor, SendfileWriter, type WriterKind } from '../../src/broker/response-writer.js';
import { native, NativeError, type LogSegmentHandle } from '../../src/native/index.js';
import { until } from '../support/until.js';

/** More than loopback's socket buffers hold while the reader is paused. */
const REGION_BYTES = 48 * 1024 * 1024;
const SEGMENT_CONFIG = { indexIntervalBytes: 4096, maxIndexSize: 1 << 20, preallocate: false };

interface Pair {
  server: Socket; // the broker's side, written by the writer
  client: Socket; // the consumer's side, paused until the test reads
  received(): Buffer;
}

let dir: string;
let listener: Server;
const accepted: Socket[] = [];

/** A connected socket pair over loopback; the client does not read until resumed. */
async function pair(): Promise<Pair> {
  const serverSide = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = connect({ host: '127.0.0.1', port: (listener.address() as { port: number }).port });
  client.pause();
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  client.on('error', () => {});
  const server = await serverSide;
  server.on('error', () => {});
  accepted.push(server);
  return { server, client, received: () => Buffer.concat(chunks) };
}

/** A segment whose .log holds `bytes` (the writers send bytes; they need not be batches). */
function segmentHolding(name: string, bytes: Buffer): { handle: LogSegmentHandle; dir: string } {
  const segDir = mkdtempSync(join(dir, name));
  writeFileSync(join(segDir, '00000000000000000000.log'), bytes);
  return { handle: native.openSegment(segDir, 0, SEGMENT_CONFIG), dir: segDir };
}

function writerOf(kind: WriterKind, socket: Socket) {
  return kind === 'sendfile' ? new SendfileWriter(socket) : new CopyingWriter(socket);
}

/** Settles to 'pending' if the promise has not settled within ms. */
function stateAfter(p: Promise<unknown>, ms: number): Promise<string> {
  return Promise.race([
    p.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise<string>((r) => setTimeout(() => r('pending'), ms)),
  ]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-writer-'));
  listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise<void>((r) => listener.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('regionWriterFor', () => {
  it('picks sendfile for a TCP socket unless copying is asked for', async () => {
    const { server, client } = await pair();
    expect(regionWriterFor(server, 'sendfile').kind).toBe('sendfile');
    expect(regionWriterFor(server, 'copying').kind).toBe('copying');
    client.destroy();
  });
});

describe.each<WriterKind>(['sendfile', 'copying'])('%s writer', (kind) => {
  const payload = randomBytes(REGION_BYTES);
  let segment: { handle: LogSegmentHandle; dir: string };
  beforeAll(() => {
    segment = segmentHolding(kind, payload);
  });
  afterAll(() => segment.handle.close());

  it('writes bytes and regions in order through a reader that stops reading (partial writes, EAGAIN)', async () => {
    const { server, client, received } = await pair();
    const head = Buffer.from('head:');
    const middle = Buffer.from(':middle:');
    const tail = Buffer.from(':tail');
    const first = segment.handle.region(0, REGION_BYTES / 2, false);
    const second = segment.handle.region(REGION_BYTES / 2, REGION_BYTES / 2, true);
    const before = native.dataPathMetrics();
    const sent = writerOf(kind, server).send([head, first, middle, second, tail]);
    // The client reads nothing: the kernel buffers fill and the writer must wait for the socket.
    expect(await stateAfter(sent, 300)).toBe('pending');
    client.resume();
    await sent;
    const expected = Buffer.concat([head, payload.subarray(0, REGION_BYTES / 2), middle, payload.subarray(REGION_BYTES / 2), tail]);
    await until(() => received().length >= expected.length, 'every byte to arrive');
    expect(received().equals(expected)).toBe(true);
    const after = native.dataPathMetrics();
    if (kind === 'sendfile') {
      expect(after.sendfileBytes - before.sendfileBytes).toBe(REGION_BYTES);
      expect(after.copiedBytes - before.copiedBytes).toBe(0);
    } else {
      expect(after.copiedBytes - before.copiedBytes).toBe(REGION_BYTES);
      expect(after.sendfileBytes - before.sendfileBytes).toBe(0);
    }
    client.destroy();
  });

  it('finishes small responses on the send thread once the socket is full (the first attempt would block)', async () => {
    // Small responses are first tried without blocking; with the reader paused the kernel
    // buffers fill, a send stops part-way and must resume where it stopped once the reader reads.
    const { server, client, received } = await pair();
    const writer = writerOf(kind, server);
    const piece = 60 * 1024;
    const expected: Buffer[] = [];
    let pending: Promise<void> | undefined;
    for (let i = 0; i < 2000 && !pending; i++) {
      const at = (i * piece) % (REGION_BYTES - piece);
      const header = Buffer.from(`#${i}:`);
      expected.push(header, payload.subarray(at, at + piece));
      const sent = writer.send([header, segment.handle.region(at, piece, false)]);
      if ((await stateAfter(sent, 100)) === 'pending') pending = sent;
    }
    expect(pending).toBeDefined();
    client.resume();
    await pending;
    const all = Buffer.concat(expected);
    await until(() => received().length >= all.length, 'every byte to arrive');
    expect(received().equals(all)).toBe(true);
    client.destroy();
  });

  it('still sends a region whose segment was closed and deleted after it was read', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const doomed = segmentHolding(`${kind}-doomed`, bytes);
    const region = doomed.handle.region(1000, bytes.length - 1000, true);
    doomed.handle.close();
    unlinkSync(join(doomed.dir, '00000000000000000000.log'));
    rmSync(doomed.dir, { recursive: true, force: true });
    const { server, client, received } = await pair();
    client.resume();
    await writerOf(kind, server).send([region]);
    await until(() => received().length >= bytes.length - 1000, 'every byte to arrive');
    expect(received().equals(bytes.subarray(1000))).toBe(true);
    client.destroy();
  });

  it('fails the send when the file is shorter than its region', async () => {
    const bytes = randomBytes(1024 * 1024);
    const cut = segmentHolding(`${kind}-cut`, bytes);
    const region = cut.handle.region(0, bytes.length, false);
    cut.handle.close();
    truncateSync(join(cut.dir, '00000000000000000000.log'), 1000);
    const { server, client } = await pair();
    client.resume();
    const err = await writerOf(kind, server)
      .send([region])
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NativeError);
    expect((err as NativeError).errorName).toBe('KAFKA_STORAGE_ERROR');
    client.destroy();
  });

  it('stops when the connection is destroyed mid-send, and the peer sees the socket close', async () => {
    const { server, client } = await pair();
    const writer = writerOf(kind, server);
    const sent = writer.send([segment.handle.region(0, REGION_BYTES, false)]);
    expect(await stateAfter(sent, 200)).toBe('pending');
    const clientClosed = new Promise<void>((r) => client.once('close', () => r()));
    server.destroy();
    writer.cancel(); // what the connection does on 'close'
    // The client still reads nothing: only the cancel can end a job blocked on a full socket.
    expect(await stateAfter(sent, 2000)).not.toBe('pending');
    // The sendfile job wrote on a dup: only once the job has closed it does the socket close.
    client.resume();
    await clientClosed;
  });
});
