// A minimal Kafka wire client for broker tests: frames requests with the protocol codec, matches
// responses by correlation id and records the order they arrived in.
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, type RequestBodies, type ResponseBodies } from '../../src/protocol/index.js';

type Key = keyof RequestBodies & keyof ResponseBodies;

/** One TCP connection to a broker under test. */
export class TestClient {
  /** Correlation ids of responses in arrival order. */
  readonly arrivals: number[] = [];
  readonly closed: Promise<void>;
  private buffered = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private readonly frames = new Map<number, Buffer>();
  private readonly waiters = new Map<number, (frame: Buffer) => void>();
  private isClosed = false;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => (this.isClosed = true));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const correlationId = frame.readInt32BE(0);
        this.arrivals.push(correlationId);
        const waiter = this.waiters.get(correlationId);
        if (waiter) {
          this.waiters.delete(correlationId);
          waiter(frame);
        } else this.frames.set(correlationId, frame);
      }
    });
  }

  /** Opens a connection to 127.0.0.1:port. */
  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** True once the broker (or we) closed the connection. */
  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Sends a request without waiting; returns its correlation id. */
  send<K extends Key>(apiKey: K, version: number, body: RequestBodies[K], clientId: string | null = 'sluice-test'): number {
    const correlationId = this.nextCorrelationId++;
    for (const chunk of encodeRequest(apiKey, version, correlationId, clientId, body)) this.socket.write(chunk);
    return correlationId;
  }

  /** Writes raw bytes (hand-made frames). */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits for the response frame (after the size prefix) with this correlation id. */
  frame(correlationId: number, timeoutMs = 10_000): Promise<Buffer> {
    const ready = this.frames.get(correlationId);
    if (ready) {
      this.frames.delete(correlationId);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to correlation id ${correlationId}`)), timeoutMs);
      void this.closed.then(() => reject(new Error(`connection closed before correlation id ${correlationId} was answered`)));
      this.waiters.set(correlationId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** Waits for and decodes the response to an earlier send. */
  async response<K extends Key>(apiKey: K, version: number, correlationId: number): Promise<ResponseBodies[K]> {
    const decoded = decodeResponse(apiKey, version, await this.frame(correlationId));
    return decoded.body;
  }

  /** Sends a request and decodes its response. */
  request<K extends Key>(apiKey: K, version: number, body: RequestBodies[K]): Promise<ResponseBodies[K]> {
    return this.response(apiKey, version, this.send(apiKey, version, body));
  }

  /** Stops reading: the broker's writes back up until the kernel buffers are full. */
  pause(): void {
    this.socket.pause();
  }

  /** Reads again after pause(). */
  resume(): void {
    this.socket.resume();
  }

  /** Closes our side. */
  close(): void {
    this.socket.destroy();
  }
}
