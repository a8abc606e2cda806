// A loopback TCP proxy in front of a broker that a test can pause: while paused no byte moves in
// either direction, so the broker looks stalled to a client without being stopped. The broker
// advertises the proxy's address (advertised.listeners) so clients route every connection here.
import net from 'node:net';

/** A pausable TCP forwarder from a local port to `127.0.0.1:targetPort`. */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private paused = false;
  /** Where connections go; set before the first client connects (the broker's own port). */
  targetPort = 0;

  private constructor(readonly port: number, server: net.Server) {
    this.server = server;
    server.on('connection', (client) => this.forward(client));
  }

  /** Listens on a free loopback port. */
  static async listen(): Promise<TcpProxy> {
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new TcpProxy((server.address() as net.AddressInfo).port, server);
  }

  /** host:port clients use. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private forward(client: net.Socket): void {
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // 'data' handlers rather than pipe(): pipe() resumes a source on the destination's 'drain',
    // which would undo pause(); test traffic is small enough to need no backpressure here.
    client.on('data', (b: Buffer) => upstream.write(b));
    upstream.on('data', (b: Buffer) => client.write(b));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    if (this.paused) {
      client.pause();
      upstream.pause();
    } else {
      client.resume();
    }
  }

  /** Stops moving bytes on every connection, current and future (the kernel buffers what is sent). */
  pause(): void {
    this.paused = true;
    for (const [c, u] of this.pairs) {
      c.pause();
      u.pause();
    }
  }

  /** Moves bytes again. */
  resume(): void {
    this.paused = false;
    for (const [c, u] of this.pairs) {
      c.resume();
      u.resume();
    }
  }

  /**
   * Stops forwarding the broker's answers on the connections open now while their requests still
   * reach it (the broker appends, the client hears nothing); new connections are unaffected.
   */
  holdResponses(): void {
    for (const [, u] of this.pairs) u.pause();
  }

  /** Closes every connection open now, dropping whatever they hold back. */
  dropConnections(): void {
    for (const [c, u] of this.pairs) {
      c.destroy();
      u.destroy();
    }
    this.pairs.clear();
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
