// How a connection writes a response that carries file regions (fetch records). Two writers
// behind one interface:
// - SendfileWriter: the whole response (header bytes and regions, in order) goes to one native
//   job that writes on a dup of the socket's fd with send/sendfile on a native thread; partial
//   writes and EAGAIN are handled there, so no record byte enters the JS heap and the JS thread
//   never blocks. The connection calls it only once every earlier socket write has completed and
//   writes nothing else until it settles: one writer on the fd at a time.
// - CopyingWriter: for sockets without a usable fd (a future TLS listener) or when configured:
//   preads each region in bounded chunks from a small shared pool and writes them through the
//   socket, waiting for each write before reusing the chunk.
import type { Socket } from 'node:net';
import { native, type FileRegionHandle, type SendJobHandle } from '../native/index.js';
import { isFileRegion, type ResponseChunk } from '../protocol/index.js';

/** Writes responses holding file regions on one connection. */
export interface RegionWriter {
  /** Which writer this is (logs, tests). */
  readonly kind: WriterKind;
  /**
   * Writes one response's chunks in order; call with the socket's earlier writes completed.
   * Resolves when all were written or the writer was cancelled; rejects when the socket failed
   * or a segment file was shorter than its region (the connection must close then).
   */
  send(chunks: ResponseChunk[]): Promise<void>;
  /** The connection closed: an unfinished send stops soon and resolves. */
  cancel(): void;
}

/** The two ways to send file regions. */
export type WriterKind = 'sendfile' | 'copying';

/** Copying writer chunk size: bounded memory per connection whatever the fetch size. */
const COPY_CHUNK_BYTES = 256 * 1024;
/** Chunks kept for reuse across connections. */
const COPY_POOL_MAX = 8;
const copyPool: Buffer[] = [];

/** The socket's file descriptor, or undefined when it has none usable (e.g. TLS, a pipe wrapper). */
function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** Writes regions with sendfile on a dup of the socket fd (see the top of this file). */
export class SendfileWriter implements RegionWriter {
  readonly kind = 'sendfile';
  private job: SendJobHandle | undefined;
  private cancelled = false;

  constructor(private readonly socket: Socket) {}

  async send(chunks: ResponseChunk[]): Promise<void> {
    const fd = socketFd(this.socket);
    if (this.cancelled || this.socket.destroyed || fd === undefined) return;
    const job = native.newSendJob(fd);
    for (const chunk of chunks) {
      if (isFileRegion(chunk)) job.pushRegion(chunk as FileRegionHandle);
      else job.pushBytes(chunk);
    }
    this.job = job;
    try {
      await job.run();
    } finally {
      this.job = undefined;
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.job?.cancel();
  }
}

/** Writes regions by copying them through the socket in pooled, bounded chunks. */
export class CopyingWriter implements RegionWriter {
  readonly kind = 'copying';
  private cancelled = false;

  constructor(private readonly socket: Socket) {}

  async send(chunks: ResponseChunk[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.cancelled) return;
      if (isFileRegion(chunk)) await this.copyRegion(chunk as FileRegionHandle);
      else await this.write(chunk);
    }
  }

  cancel(): void {
    this.cancelled = true;
  }

  private async copyRegion(region: FileRegionHandle): Promise<void> {
    const buf = copyPool.pop() ?? Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    try {
      for (let offset = 0; offset < region.size && !this.cancelled; ) {
        // Throws KAFKA_STORAGE_ERROR when the file is shorter than the region.
        const n = region.readInto(offset, buf.subarray(0, Math.min(buf.length, region.size - offset)));
        await this.write(buf.subarray(0, n));
        offset += n;
      }
    } finally {
      if (copyPool.length < COPY_POOL_MAX) copyPool.push(buf);
    }
  }

  /** Resolves once the socket took the bytes (so a pooled chunk may be reused). */
  private write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** The writer tests and operators ask for: SLUICE_FETCH_WRITER=copying, sendfile otherwise. */
export function configuredWriterKind(): WriterKind {
  return process.env.SLUICE_FETCH_WRITER === 'copying' ? 'copying' : 'sendfile';
}

/** sendfile when the socket has an fd and `preferred` allows it, else the copying writer. */
export function regionWriterFor(socket: Socket, preferred: WriterKind): RegionWriter {
  return preferred === 'sendfile' && socketFd(socket) !== undefined ? new SendfileWriter(socket) : new CopyingWriter(socket);
}
