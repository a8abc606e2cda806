// Kafka's NetworkClient for the producer: one connection per broker, bootstrap servers as
// pseudo-nodes (-1, -2, …) until metadata names the brokers, reconnects with exponential backoff.
import { exponentialBackoff } from './backoff.js';
import { BrokerConnection } from './broker-connection.js';
import type { KafkaProducerError } from './errors.js';
import type { ProducerMetadata } from './metadata.js';
import type { HostPort, ProducerConfig } from './producer-config.js';

/** Reconnect state of one node. */
interface NodeState {
  failures: number;
  lastAttemptMs: number;
  backoffMs: number;
}

/** What the client tells its owner (the sender). */
export interface NetworkClientEvents {
  /** A connection finished ApiVersions and can take requests, or capacity freed up. */
  onWake(): void;
  onConnect(nodeId: number, host: string, port: number): void;
  onDisconnect(nodeId: number, reason: KafkaProducerError): void;
}

/** Connections to the cluster's brokers. */
export class NetworkClient {
  private readonly connections = new Map<number, BrokerConnection>();
  private readonly nodeStates = new Map<number, NodeState>();
  private readonly bootstrap: HostPort[];
  private closed = false;

  constructor(
    private readonly config: ProducerConfig,
    private readonly metadata: ProducerMetadata,
    private readonly events: NetworkClientEvents,
  ) {
    this.bootstrap = config.bootstrapServers;
  }

  private address(nodeId: number): HostPort | undefined {
    return nodeId < 0 ? this.bootstrap[-nodeId - 1] : this.metadata.brokers.get(nodeId);
  }

  /** The connection to nodeId if it is ready for requests. */
  connection(nodeId: number): BrokerConnection | undefined {
    const c = this.connections.get(nodeId);
    return c?.state === 'ready' ? c : undefined;
  }

  /** Whether nodeId can take another request now; starts connecting when allowed. */
  ready(nodeId: number, now: number): boolean {
    const c = this.connections.get(nodeId);
    if (c) return c.state === 'ready' && c.inFlightCount < this.config.maxInFlightRequestsPerConnection;
    this.maybeConnect(nodeId, now);
    return false;
  }

  /**
   * Milliseconds until nodeId may be tried again (0 when connectable now). Infinity while a
   * connection exists (woken when its state changes) or metadata has no address for the node
   * (ready() asked for a refresh; the sender runs again when that refresh is due).
   */
  connectionDelay(nodeId: number, now: number): number {
    if (this.connections.has(nodeId) || !this.address(nodeId)) return Number.POSITIVE_INFINITY;
    const s = this.nodeStates.get(nodeId);
    return s ? Math.max(0, s.lastAttemptMs + s.backoffMs - now) : 0;
  }

  private maybeConnect(nodeId: number, now: number): boolean {
    if (this.closed || this.connections.has(nodeId)) return false;
    const addr = this.address(nodeId);
    if (!addr) {
      // A leader that metadata names but lists no broker for: only a refresh can give its address.
      this.metadata.requestUpdate();
      return false;
    }
    if (this.connectionDelay(nodeId, now) > 0) return false;
    const s = this.nodeStates.get(nodeId) ?? { failures: 0, lastAttemptMs: 0, backoffMs: 0 };
    s.lastAttemptMs = now;
    this.nodeStates.set(nodeId, s);
    const conn = new BrokerConnection(nodeId, addr.host, addr.port, {
      clientId: this.config.clientId,
      requestTimeoutMs: this.config.requestTimeoutMs,
      connectionSetupTimeoutMs: exponentialBackoff(this.config.socketConnectionSetupTimeoutMs, this.config.socketConnectionSetupTimeoutMaxMs, s.failures),
      onReady: (c) => {
        s.failures = 0;
        s.backoffMs = 0;
        this.events.onConnect(c.nodeId, c.host, c.port);
        this.events.onWake();
      },
      onClose: (c, reason) => {
        if (this.connections.get(c.nodeId) === c) this.connections.delete(c.nodeId);
        s.backoffMs = exponentialBackoff(this.config.reconnectBackoffMs, this.config.reconnectBackoffMaxMs, s.failures);
        s.failures++;
        s.lastAttemptMs = Date.now();
        this.metadata.requestUpdate();
        if (!this.closed) {
          this.events.onDisconnect(c.nodeId, reason);
          this.events.onWake();
        }
      },
    });
    this.connections.set(nodeId, conn);
    return true;
  }

  /**
   * The node to send metadata and InitProducerId to (Java's leastLoadedNode): a ready connection
   * with the fewest in-flight requests, else one being set up, else the first connectable node,
   * which this call starts connecting. Bootstrap servers are used only while no broker is known.
   */
  leastLoadedNode(now: number): { nodeId: number; ready: boolean } | null {
    const candidates = this.metadata.brokers.size > 0 ? [...this.metadata.brokers.keys()] : this.bootstrap.map((_, i) => -i - 1);
    let best: BrokerConnection | undefined;
    let connecting = false;
    for (const id of candidates) {
      const c = this.connections.get(id);
      if (!c) continue;
      if (c.state === 'ready' && c.inFlightCount < this.config.maxInFlightRequestsPerConnection) {
        if (!best || c.inFlightCount < best.inFlightCount) best = c;
      } else if (c.state !== 'closed') connecting = true;
    }
    if (best) return { nodeId: best.nodeId, ready: true };
    if (connecting) return null;
    // Start from a random node so a dead first server does not always cost a backoff.
    const start = Math.floor(Math.random() * candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[(start + i) % candidates.length];
      if (this.maybeConnect(id, now)) return { nodeId: id, ready: false };
    }
    if (this.metadata.brokers.size > 0) {
      // Every known broker is backing off: fall back to the bootstrap list, as Java's rebootstrap does.
      for (let i = 0; i < this.bootstrap.length; i++) if (this.maybeConnect(-i - 1, now)) return { nodeId: -i - 1, ready: false };
    }
    return null;
  }

  /** Milliseconds until some node can be tried again. */
  nextConnectDelay(now: number): number {
    let delay = Number.POSITIVE_INFINITY;
    for (const [id, s] of this.nodeStates) if (!this.connections.has(id)) delay = Math.min(delay, Math.max(0, s.lastAttemptMs + s.backoffMs - now));
    return delay;
  }

  /** Requests in flight on every connection. */
  get inFlightRequests(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.inFlightCount;
    return n;
  }

  /** Closes every connection, failing their in-flight requests. */
  close(): void {
    this.closed = true;
    for (const c of [...this.connections.values()]) c.close();
    this.connections.clear();
  }
}
