// The shape every API handler has: one file per API key under handlers/, registered in
// handlers/index.ts, which is also the only source of the versions ApiVersions advertises.
import type { BrokerServices } from './services.js';

/** What a handler knows about the request it serves besides the decoded body. */
export interface RequestContext {
  services: BrokerServices;
  clientId: string | null;
  clientHost: string;
  apiVersion: number;
  correlationId: number;
  listenerName: string;
  /**
   * Aborted when the connection that sent the request closes, so long waits (delayed fetch)
   * stop early. Optional: contexts built outside a connection (tests) may leave it out.
   */
  signal?: AbortSignal;
}

/** One Kafka API: the versions it serves, how to answer, and how to fail as a whole. */
export interface ApiHandler<Req = any, Res = any> {
  apiKey: number;
  minVersion: number; // lowest version served (and advertised)
  maxVersion: number; // highest version served (and advertised)
  /** Serves one request; null means no response at all (Produce with acks=0). */
  handle(req: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
  /** A response carrying errorCode everywhere it fits: unsupported versions, handler crashes. */
  errorResponse(req: Req, errorCode: number, ctx: RequestContext): Res;
}

/**
 * Thrown by a handler to close the connection instead of answering (Kafka does this for a
 * failed acks=0 produce, so the client notices something went wrong and refreshes metadata).
 */
export class CloseConnectionError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CloseConnectionError';
  }
}
