// Kafka's listener strings: `NAME://host:port[,NAME://host:port...]`, hosts optionally [IPv6].

import { ConfigError } from './config-def.js';
import type { Endpoint } from './broker-config.js';

const LISTENER = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^:\[\]/]*):(\d+)$/;

/** Parses a listeners/advertised.listeners value; throws ConfigError naming `key` on a bad entry. */
export function parseListeners(key: string, value: string): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const entry of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = LISTENER.exec(entry);
    if (!m) throw new ConfigError(key, value, `Unable to parse ${entry} to a broker endpoint`);
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigError(key, value, `port ${port} of ${entry} is out of range`);
    const listenerName = m[1].toUpperCase();
    if (endpoints.some((e) => e.listenerName === listenerName)) {
      throw new ConfigError(key, value, `Each listener must have a different name, ${listenerName} is used twice`);
    }
    const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
    endpoints.push({ listenerName, host, port });
  }
  return endpoints;
}

/** Parses listener.security.protocol.map (`NAME:PROTOCOL,...`). */
export function parseProtocolMap(key: string, value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, protocol, extra] = entry.split(':').map((s) => s.trim());
    if (!name || !protocol || extra !== undefined) throw new ConfigError(key, value, `Invalid map entry ${entry}`);
    map.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return map;
}

/** The host to tell clients for a listener bound to `host` (all interfaces → loopback). */
export function advertisableHost(host: string): string {
  return host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
