// Which address clients are told to use for this node: the advertised endpoint of the
// listener their request came in on, so each listener's clients get an address they can reach.
import type { Endpoint } from '../config/broker-config.js';
import type { RequestContext } from './handler.js';

/** The advertised endpoint for the request's listener (the first advertised one when none matches). */
export function advertisedEndpoint(ctx: RequestContext): Endpoint {
  const { advertisedListeners } = ctx.services.config;
  return advertisedListeners.find((e) => e.listenerName === ctx.listenerName) ?? advertisedListeners[0];
}
