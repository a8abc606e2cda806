// One socket to one broker (Kafka's KafkaChannel + InFlightRequests): size-prefixed frames,
// correlation ids, ApiVersions negotiation, per-request timeouts. Record bytes are written as
// their own chunks (cork + write), never concatenated.
import net from 'node:net';
import { apiSpecs, decodeResponse, encodeRequest, type ApiKey, type RequestBodies, type ResponseBodies } from '../protocol/index.js';
import { KafkaProducerError } from './errors.js';

const API_VERSIONS = 18;
/** Size of each connection's read buffer (Node's own read size); larger responses arrive over several reads. */
const READ_BUFFER_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** UNSUPPORTED_VERSION: the broker answered ApiVersions with a v0 body listing what it serves. */
const UNSUPPORTED_VERSION = 35;

/** The oldest version of each API this client will use (Produce 3 is the first with record batch v2). */
export const CLIENT_MIN_VERSIONS: Readonly<Record<number, number>> = { 0: 3, 3: 1, 18: 0, 22: 0 };

/** Connection lifecycle, for logs and events. */
export type ConnectionState = 'connecting' | 'negotiating' | 'ready' | 'closed';

/** Socket and timeout settings of a connection. */
export interface ConnectionOptions {
  clientId: string;
  requestTimeoutMs: number;
  connectionSetupTimeoutMs: number;
  onReady(conn: BrokerConnection): void;
  onClose(conn: BrokerConnection, reason: KafkaProducerError): void;
}

/** Told once per request: its decoded response (or, for a request without one, that it was written), or why not. */
export type ResponseCallback<T> = (err: KafkaProducerError | null, body: T | undefined) => void;

interface InFlight {
  apiKey: number;
  version: number;
  /** A caller's own response decoder (Produce), or null for the generic codec. */
  decode: ((version: number, frame: Buffer) => unknown) | null;
  callback: ResponseCallback<unknown>;
  /** When it times out (Date.now() ms). */
  deadline: number;
}

/** A request's encoder: the whole frame as chunks (record bytes as their own chunks, uncopied). */
type RequestEncoder = (version: number, correlationId: number, clientId: string) => Buffer[];

/** A connection to one broker: send typed requests once ready, get typed responses. */
export class BrokerConnection {
  state: ConnectionState = 'connecting';
  private readonly socket: net.Socket;
  private readonly inFlight = new Map<number, InFlight>();
  private correlationId = 0;
  /** Bytes of a frame split across reads (size prefix included), gathered here until complete. */
  private partial: Buffer = EMPTY;
  private partialLength = 0;
  private setupTimer: NodeJS.Timeout | null;
  /** One timer for the oldest in-flight request's deadline, not one per request. */
  private timeoutTimer: NodeJS.Timeout | null = null;
  /** Negotiated version per api key: the highest both sides serve. */
  readonly versions = new Map<number, number>();

  constructor(
    readonly nodeId: number,
    readonly host: string,
    readonly port: number,
    private readonly options: ConnectionOptions,
  ) {
    // Responses are read into one buffer per connection (onread): no allocation per read, and
    // frames are handled as they arrive instead of through the stream's 'data' events.
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const onread = {
      buffer: readBuffer,
      callback: (n: number) => {
        this.onRead(n, readBuffer);
        return true; // keep reading
      },
    };
    this.socket = net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    this.setupTimer = setTimeout(
      () => this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Connection to ${host}:${port} timed out after ${options.connectionSetupTimeoutMs} ms`)),
      options.connectionSetupTimeoutMs,
    );
    this.socket.once('connect', () => this.negotiate(apiSpecs[API_VERSIONS].maxVersion));
    this.socket.on('error', (err) => this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Connection to node ${nodeId} (${host}:${port}) failed: ${err.message}`, { cause: err })));
    this.socket.on('close', () => this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Connection to node ${nodeId} (${host}:${port}) was closed`)));
  }

  /** Requests sent and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The version to use for apiKey, or -1 when the broker serves none this client can use. */
  version(apiKey: number): number {
    return this.versions.get(apiKey) ?? -1;
  }

  private negotiate(version: number): void {
    this.state = 'negotiating';
    this.request(API_VERSIONS, version, { clientSoftwareName: 'sluice-producer', clientSoftwareVersion: '0.1.0' }, true, null, (err, body) => {
      if (err) return; // close() already reported why
      const res = body as ResponseBodies[18];
      if (res.errorCode === UNSUPPORTED_VERSION) {
        const theirs = res.apiKeys.find((k) => k.apiKey === API_VERSIONS);
        const next = Math.min(theirs?.maxVersion ?? 0, version - 1);
        if (next < 0 || next >= version) return this.close(new KafkaProducerError('UNSUPPORTED_VERSION', 'ApiVersions negotiation failed'));
        return this.negotiate(next);
      }
      if (res.errorCode !== 0) return this.close(KafkaProducerError.fromCode(res.errorCode, 'ApiVersions'));
      for (const k of res.apiKeys) {
        const ours = apiSpecs[k.apiKey];
        if (!ours) continue;
        const min = Math.max(k.minVersion, CLIENT_MIN_VERSIONS[k.apiKey] ?? ours.minVersion);
        const max = Math.min(k.maxVersion, ours.maxVersion);
        if (max >= min) this.versions.set(k.apiKey, max);
      }
      if (this.setupTimer) clearTimeout(this.setupTimer);
      this.setupTimer = null;
      this.state = 'ready';
      this.options.onReady(this);
    });
  }

  /** Holds writes back until uncork(), so requests sent in between go out in one writev. */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  private armTimeout(delayMs: number): void {
    this.timeoutTimer = setTimeout(this.checkTimeouts, Math.max(0, delayMs));
    this.timeoutTimer.unref(); // the socket keeps the process alive while requests are pending
  }

  /** Requests are answered in order, so the first in flight (Map order) has the earliest deadline. */
  private readonly checkTimeouts = (): void => {
    this.timeoutTimer = null;
    if (this.state === 'closed') return;
    const oldest = this.inFlight.values().next();
    if (oldest.done) return;
    const wait = oldest.value.deadline - Date.now();
    if (wait > 0) return this.armTimeout(wait);
    this.close(new KafkaProducerError('REQUEST_TIMED_OUT', `Request to node ${this.nodeId} timed out after ${this.options.requestTimeoutMs} ms`));
  };

  /** Sends a request at the negotiated version; resolves with the response body. */
  send<K extends ApiKey>(apiKey: K, body: RequestBodies[K]): Promise<ResponseBodies[K]> {
    return new Promise((resolve, reject) => {
      const version = this.version(apiKey);
      const refused = this.refusal(apiKey, version);
      if (refused) return reject(refused);
      this.request(apiKey, version, body, true, null, (err, res) => (err ? reject(err) : resolve(res as ResponseBodies[K])));
    });
  }

  /**
   * Sends a request the caller encodes itself (the producer's Produce fast path) at the negotiated
   * version; `callback` gets decode's result, or is told once the request is written when
   * expectResponse is false. A callback, not a promise: no promise, settlers or reactions per
   * request, and the answer is handled as it is read. It is never called before this returns.
   */
  sendEncoded<T>(apiKey: number, encode: RequestEncoder, decode: (version: number, frame: Buffer) => T, expectResponse: boolean, callback: ResponseCallback<T>): void {
    const version = this.version(apiKey);
    const refused = this.refusal(apiKey, version);
    if (refused) return queueMicrotask(() => callback(refused, undefined));
    this.request(apiKey, version, encode, expectResponse, decode, callback as ResponseCallback<unknown>);
  }

  /** Why a request for apiKey at version cannot be sent now, or null. */
  private refusal(apiKey: number, version: number): KafkaProducerError | null {
    if (this.state !== 'ready') return new KafkaProducerError('NETWORK_EXCEPTION', `Connection to node ${this.nodeId} is not ready`);
    if (version < 0) return new KafkaProducerError('UNSUPPORTED_VERSION', `Node ${this.nodeId} serves no usable version of api ${apiKey}`);
    return null;
  }

  private request(
    apiKey: number,
    version: number,
    body: object | RequestEncoder,
    expectResponse: boolean,
    decode: ((version: number, frame: Buffer) => unknown) | null,
    callback: ResponseCallback<unknown>,
  ): void {
    const correlationId = (this.correlationId = (this.correlationId + 1) | 0);
    let chunks: Buffer[];
    try {
      chunks = typeof body === 'function' ? (body as RequestEncoder)(version, correlationId, this.options.clientId) : encodeRequest(apiKey, version, correlationId, this.options.clientId, body);
    } catch (err) {
      const failure = new KafkaProducerError('INVALID_REQUEST', `Could not encode request: ${(err as Error).message}`, { cause: err });
      return queueMicrotask(() => callback(failure, undefined));
    }
    const socket = this.socket;
    socket.cork();
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) socket.write(chunks[i]);
    if (expectResponse) {
      socket.write(chunks[last]);
      this.inFlight.set(correlationId, { apiKey, version, decode, callback, deadline: Date.now() + this.options.requestTimeoutMs });
      if (this.timeoutTimer === null) this.armTimeout(this.options.requestTimeoutMs);
    } else {
      socket.write(chunks[last], (err) => callback(err ? new KafkaProducerError('NETWORK_EXCEPTION', err.message) : null, undefined));
    }
    socket.uncork();
  }

  /**
   * Handles the n bytes just read into buf, which the next read overwrites: complete frames are
   * decoded in place, the start of an unfinished one is copied aside. The socket stays corked
   * meanwhile, so the requests the answers make room for leave in one write.
   */
  private onRead(n: number, buf: Buffer): void {
    this.socket.cork();
    try {
      this.handleRead(n, buf);
    } finally {
      this.socket.uncork();
    }
  }

  private handleRead(n: number, buf: Buffer): void {
    let pos = 0;
    if (this.partialLength > 0) {
      pos = this.gather(buf, 0, n);
      // Once its size is read, the frame's buffer is exactly as long as the frame.
      if (this.state === 'closed' || this.partialLength < 4 || this.partialLength < this.partial.length) return;
      const frame = this.partial.subarray(4);
      this.partial = EMPTY;
      this.partialLength = 0;
      this.onFrame(frame, false);
    }
    while (this.state !== 'closed' && n - pos >= 4) {
      const size = buf.readInt32BE(pos);
      if (size < 4) return this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Invalid response size ${size} from node ${this.nodeId}`));
      if (n - pos - 4 < size) break;
      this.onFrame(buf.subarray(pos + 4, pos + 4 + size), true);
      pos += 4 + size;
    }
    if (this.state !== 'closed' && pos < n) this.gather(buf, pos, n);
  }

  /** Copies buf[from, to) into the unfinished frame, up to its end once its size is known; returns where it stopped. */
  private gather(buf: Buffer, from: number, to: number): number {
    let pos = from;
    if (this.partialLength < 4) {
      if (this.partial.length < 4) this.partial = Buffer.allocUnsafe(4);
      const k = Math.min(4 - this.partialLength, to - pos);
      buf.copy(this.partial, this.partialLength, pos, pos + k);
      this.partialLength += k;
      pos += k;
      if (this.partialLength < 4) return pos;
      const size = this.partial.readInt32BE(0);
      if (size < 4) {
        this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Invalid response size ${size} from node ${this.nodeId}`));
        return to;
      }
      const whole = Buffer.allocUnsafe(size + 4);
      this.partial.copy(whole, 0, 0, 4);
      this.partial = whole;
    }
    const k = Math.min(this.partial.length - this.partialLength, to - pos);
    buf.copy(this.partial, this.partialLength, pos, pos + k);
    this.partialLength += k;
    return pos + k;
  }

  /** One response; `shared`: the frame lies in the read buffer, so what keeps views of it gets a copy. */
  private onFrame(frame: Buffer, shared: boolean): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.inFlight.get(correlationId);
    if (!pending) return this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Response with unknown correlation id ${correlationId} from node ${this.nodeId}`));
    this.inFlight.delete(correlationId);
    let version = pending.version;
    // A broker that does not know our ApiVersions version answers with a v0 body (error 35).
    if (pending.apiKey === API_VERSIONS && frame.length >= 6 && frame.readInt16BE(4) === UNSUPPORTED_VERSION) version = 0;
    let body: unknown;
    try {
      // The producer's own decoders copy what they keep; the generic codec keeps views of bytes fields.
      body = pending.decode !== null ? pending.decode(version, frame) : decodeResponse(pending.apiKey, version, shared ? Buffer.from(frame) : frame).body;
    } catch (err) {
      pending.callback(new KafkaProducerError('CORRUPT_MESSAGE', `Malformed response from node ${this.nodeId}: ${(err as Error).message}`), undefined);
      return this.close(new KafkaProducerError('NETWORK_EXCEPTION', `Malformed response from node ${this.nodeId}`));
    }
    pending.callback(null, body);
  }

  /** Closes the socket and fails every in-flight request with reason. */
  close(reason: KafkaProducerError = new KafkaProducerError('NETWORK_EXCEPTION', 'Connection closed by the client')): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.setupTimer) clearTimeout(this.setupTimer);
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = null;
    this.socket.destroy();
    const pending = [...this.inFlight.values()];
    this.inFlight.clear();
    // After the caller's code, as a rejected promise would be: close() runs inside sends and reads.
    if (pending.length > 0) {
      queueMicrotask(() => {
        for (const p of pending) p.callback(reason, undefined);
      });
    }
    this.options.onClose(this, reason);
  }
}
