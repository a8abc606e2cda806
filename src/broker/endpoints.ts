// How this node is described to clients: the advertised endpoint of the listener their request
// came in on (so each listener's clients get an address they can reach) and its rack.
import type { Endpoint } from '../config/broker-config.js';
import type { RequestContext } from './handler.js';

/** The advertised endpoint for the request's listener (the first advertised one when none matches). */
export function advertisedEndpoint(ctx: RequestContext): Endpoint {
  const { advertisedListeners } = ctx.services.config;
  return advertisedListeners.find((e) => e.listenerName === ctx.listenerName) ?? advertisedListeners[0];
}

/** This node's broker.rack (null when unset): Metadata and DescribeCluster must report the same. */
export function brokerRack(ctx: RequestContext): string | null {
  return ctx.services.config.props.get('broker.rack') ?? null;
}
