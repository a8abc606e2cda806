// Kafka's SocketServer: one net.Server per configured listener, accepting sockets and handing
// each to its own Connection. Knows nothing about requests beyond that.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../config/broker-config.js';
import { log } from '../logger.js';
import { Connection, type ConnectionOptions } from './connection.js';

/** How long stop() lets connections answer what they have before destroying them. */
const SHUTDOWN_GRACE_MS = 3000;

/** A listener once bound: port 0 in the config is replaced by the port the OS picked. */
export interface BoundListener {
  endpoint: Endpoint;
  server: Server;
}

/** Accepts connections on every listener and tracks them until they close. */
export class SocketServer {
  private readonly connections = new Set<Connection>();

  private constructor(readonly listeners: BoundListener[]) {}

  /** Binds every endpoint; fails (closing what was bound) if any cannot be bound. */
  static async start(
    endpoints: Endpoint[],
    optionsFor: (listenerName: string) => ConnectionOptions,
  ): Promise<SocketServer> {
    const bound: BoundListener[] = [];
    const socketServer = new SocketServer(bound);
    try {
      for (const endpoint of endpoints) {
        const options = optionsFor(endpoint.listenerName);
        const server = createServer({ allowHalfOpen: true }, (socket) => socketServer.accept(socket, options));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: endpoint.host || undefined, port: endpoint.port }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', (err) => log.error(`listener ${endpoint.listenerName}`, err));
        const port = (server.address() as AddressInfo).port;
        bound.push({ endpoint: { ...endpoint, port }, server });
        log.info(`listening on ${endpoint.listenerName}://${endpoint.host}:${port}`);
      }
    } catch (err) {
      await socketServer.stop();
      throw err;
    }
    return socketServer;
  }

  private accept(socket: Socket, options: ConnectionOptions): void {
    const connection = new Connection(socket, options);
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }

  /** Stops accepting, lets connections answer requests in flight, then closes them all. */
  async stop(): Promise<void> {
    const closedServers = this.listeners.map(
      ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const open = [...this.connections];
    for (const connection of open) connection.shutdown();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([Promise.all(open.map((c) => c.closed)), grace]);
    if (this.connections.size > 0) log.info(`dropping ${this.connections.size} connection(s) still open after ${SHUTDOWN_GRACE_MS} ms`);
    for (const connection of this.connections) connection.destroy();
    await Promise.all([...this.connections].map((c) => c.closed));
    await Promise.all(closedServers);
  }
}
