// One client socket: reassembles size-prefixed request frames, dispatches them as they arrive
// (pipelining) and writes responses strictly in request order, as Kafka guarantees. A bad frame
// closes this connection only, with the reason logged.
//
// Responses of bytes only are written through the socket. A response carrying file regions
// (fetched records) waits until every earlier socket write has completed, then goes whole to
// the connection's RegionWriter (sendfile on a dup of the fd, or the copying writer); nothing
// else is written until it settles, then the responses after it follow in order.
import type { Socket } from 'node:net';
import { log } from '../logger.js';
import { NativeError } from '../native/index.js';
import { isFileRegion, type ResponseChunk } from '../protocol/index.js';
import { dispatch, type DispatchOutcome } from './dispatch.js';
import type { ApiHandler } from './handler.js';
import { configuredWriterKind, regionWriterFor, type RegionWriter, type WriterKind } from './response-writer.js';
import type { BrokerServices } from './services.js';

/** Smallest request header: api key, api version, correlation id, client id length. */
const REQUEST_HEADER_MIN_BYTES = 10;
/** Requests dispatched but not yet answered before the connection stops reading. */
const MAX_IN_FLIGHT_REQUESTS = 64;
/** How long a closing connection may take to flush what was written before it is destroyed. */
const CLOSE_LINGER_MS = 5000;

/** Settings a connection takes from the broker config and its listener. */
export interface ConnectionOptions {
  services: BrokerServices;
  handlers: ReadonlyMap<number, ApiHandler>;
  listenerName: string;
  socketRequestMaxBytes: number; // socket.request.max.bytes
  connectionsMaxIdleMs: number; // connections.max.idle.ms
  fetchWriter?: WriterKind; // how file regions are sent; default configuredWriterKind()
}

interface PendingResponse {
  outcome?: DispatchOutcome;
}

/** Serves one accepted socket until either side closes it. */
export class Connection {
  readonly closed: Promise<void>;
  private readonly name: string;
  private readonly abort = new AbortController();
  private readonly inbound: Buffer[] = [];
  private inboundBytes = 0;
  private frameSize = -1; // size of the frame being read, -1 while reading its prefix
  private readonly responses: PendingResponse[] = [];
  private closing = false; // no more requests are read
  private writeBlocked = false;
  private closeStarted = false;
  private readonly regionWriter: RegionWriter;
  private sending = false; // the region writer owns the socket's output
  private writesInFlight = 0; // socket writes whose callback has not run yet
  private onWritesDone: (() => void) | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.name = `${socket.remoteAddress}:${socket.remotePort}`;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.regionWriter = regionWriterFor(socket, options.fetchWriter ?? configuredWriterKind());
    socket.setNoDelay(true);
    if (options.connectionsMaxIdleMs > 0) socket.setTimeout(options.connectionsMaxIdleMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateReading();
    });
    socket.on('timeout', () => {
      if (this.responses.length === 0 && !this.sending) this.close(`idle for more than ${options.connectionsMaxIdleMs} ms (connections.max.idle.ms)`, 'info');
    });
    socket.on('error', (err) => log.info(`connection ${this.name}: ${err.message}`));
    socket.on('close', () => {
      this.abort.abort();
      this.regionWriter.cancel();
    });
    // The client finished sending: waits end early (as Kafka drops them), what is in flight is
    // answered, then our side closes too.
    socket.on('end', () => {
      this.closing = true;
      this.abort.abort();
      this.endWhenIdle();
    });
  }

  /** Stops serving new requests, answers those in flight, then closes (broker shutdown). */
  shutdown(): void {
    this.closing = true; // bytes still arriving are discarded, so the client's close is seen
    this.socket.resume();
    // Once our answers and FIN are out, close fully: some clients (franz-go) read only while
    // awaiting a response and would otherwise hold the shutdown for the whole grace period.
    this.socket.once('finish', () => this.socket.destroy());
    this.endWhenIdle();
  }

  /** Drops the socket at once (end of a shutdown grace period). */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  /**
   * Closes with the reason logged: responses already written still go out, anything
   * unanswered is dropped and nothing more is read.
   */
  close(reason: string, level: 'info' | 'warn' = 'warn'): void {
    if (this.closeStarted || this.socket.destroyed) return;
    this.closeStarted = true;
    log[level](`closing connection ${this.name} (listener ${this.options.listenerName}): ${reason}`);
    this.closing = true;
    this.responses.length = 0;
    this.inbound.length = 0;
    this.inboundBytes = 0;
    this.socket.once('finish', () => this.socket.destroy());
    setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS).unref();
    this.endWhenIdle(); // or once a response being sent by the region writer is out
  }

  /**
   * Serves every whole request in the bytes read. The socket stays corked meanwhile, so the
   * responses answered at once leave in one write (one system call and one wake-up of the
   * client for a read's worth of pipelined requests, not one per request).
   */
  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.inbound.push(chunk);
    this.inboundBytes += chunk.length;
    this.socket.cork();
    try {
      this.serveFrames();
    } finally {
      this.socket.uncork();
    }
  }

  private serveFrames(): void {
    for (;;) {
      if (this.frameSize < 0) {
        if (this.inboundBytes < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size > this.options.socketRequestMaxBytes) {
          this.close(`request size ${size} is larger than socket.request.max.bytes ${this.options.socketRequestMaxBytes}`);
          return;
        }
        if (size < REQUEST_HEADER_MIN_BYTES) {
          this.close(`request size ${size} is smaller than a request header (${REQUEST_HEADER_MIN_BYTES} bytes)`);
          return;
        }
        this.frameSize = size;
      }
      if (this.inboundBytes < this.frameSize) break;
      const frame = this.take(this.frameSize);
      this.frameSize = -1;
      if (!this.serve(frame)) return;
    }
    this.updateReading();
  }

  /** Removes n buffered bytes; slices without copying when one chunk holds them all. */
  private take(n: number): Buffer {
    const first = this.inbound[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.inbound.shift();
      else this.inbound[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const head = this.inbound[0];
        const used = Math.min(head.length, n - filled);
        head.copy(out, filled, 0, used);
        filled += used;
        if (used === head.length) this.inbound.shift();
        else this.inbound[0] = head.subarray(used);
      }
    }
    this.inboundBytes -= n;
    return out;
  }

  /** Dispatches one frame; false when the connection must stop reading (it is closing). */
  private serve(frame: Buffer): boolean {
    const pending: PendingResponse = {};
    this.responses.push(pending);
    const outcome = dispatch(
      frame,
      {
        services: this.options.services,
        clientHost: this.socket.remoteAddress ?? 'unknown',
        listenerName: this.options.listenerName,
        signal: this.abort.signal,
      },
      this.options.handlers,
    );
    if (outcome instanceof Promise) {
      outcome
        .then((o) => this.settle(pending, o))
        .catch((err: unknown) => {
          log.error(`connection ${this.name}: writing a response failed`, err);
          this.destroy();
        });
      return true;
    }
    this.settle(pending, outcome);
    if (outcome.kind === 'close') {
      this.closing = true;
      return false;
    }
    return true;
  }

  private settle(pending: PendingResponse, outcome: DispatchOutcome): void {
    if (!this.socket.writable) return;
    pending.outcome = outcome;
    if (outcome.kind === 'close') this.closing = true;
    this.flush();
  }

  /** Writes every answered response at the head of the queue, in request order. */
  private flush(): void {
    if (this.sending || this.socket.destroyed) return;
    if (this.responses[0]?.outcome !== undefined) {
      this.socket.cork();
      try {
        while (this.responses.length > 0 && this.responses[0].outcome !== undefined) {
          const outcome = this.responses.shift()!.outcome!;
          if (outcome.kind === 'close') {
            this.socket.uncork();
            this.close(outcome.reason);
            return;
          }
          if (outcome.kind !== 'respond') continue;
          if (outcome.chunks.some(isFileRegion)) {
            this.sendWithRegions(outcome.chunks);
            break;
          }
          for (const chunk of outcome.chunks) this.write(chunk as Buffer);
        }
      } finally {
        if (this.socket.writable) this.socket.uncork();
      }
    }
    this.endWhenIdle();
    this.updateReading();
  }

  private write(chunk: Buffer): void {
    this.writesInFlight++;
    if (!this.socket.write(chunk, () => this.writeDone())) this.writeBlocked = true;
  }

  private writeDone(): void {
    if (--this.writesInFlight > 0 || !this.onWritesDone) return;
    const done = this.onWritesDone;
    this.onWritesDone = null;
    done();
  }

  /** Resolves once every byte written through the socket so far has reached the kernel. */
  private writesCompleted(): Promise<void> {
    if (this.writesInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onWritesDone = resolve));
  }

  /**
   * Hands a response with file regions to the region writer once the socket's earlier writes
   * completed (ordering: the writer writes on the fd directly); flushing resumes after it.
   */
  private sendWithRegions(chunks: ResponseChunk[]): void {
    this.sending = true;
    this.writesCompleted()
      .then(() => this.regionWriter.send(chunks))
      .then(
        () => {
          this.sending = false;
          this.flush();
        },
        (err: unknown) => {
          this.sending = false;
          if (this.socket.destroyed) return;
          // The frame length is already out: the only safe answer is to close. A storage failure
          // (file shorter than its region) is the broker's problem; a socket error the client's.
          const level = err instanceof NativeError ? 'warn' : 'info';
          log[level](`closing connection ${this.name} (listener ${this.options.listenerName}): sending a response with records failed: ${(err as Error)?.message ?? String(err)}`);
          this.socket.destroy();
        },
      );
  }

  private endWhenIdle(): void {
    if (this.closing && this.responses.length === 0 && !this.sending && this.socket.writable) this.socket.end();
  }

  /** Backpressure: stop reading while too many requests wait or the socket cannot take writes. */
  private updateReading(): void {
    if (this.socket.destroyed || this.closing) return;
    if (this.writeBlocked || this.responses.length >= MAX_IN_FLIGHT_REQUESTS) this.socket.pause();
    else this.socket.resume();
  }
}
