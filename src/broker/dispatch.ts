// Turns one request frame into what the connection must do: write a response, write nothing
// (acks=0), or close. Decides version support the way Kafka does and never lets a handler's
// failure escape as anything but an error response.
import { log } from '../logger.js';
import { ErrorCode, errorCodeOf } from '../protocol/errors.js';
import { ApiKey, apiSpecs, decodeRequest, decodeRequestHeader, encodeResponseChunks, type ResponseChunk } from '../protocol/index.js';
import { type ApiHandler, CloseConnectionError, type RequestContext } from './handler.js';
import type { BrokerServices } from './services.js';

/** What the connection does with one request. */
export type DispatchOutcome =
  | { kind: 'respond'; chunks: ResponseChunk[] } // bytes, and file regions of fetched records
  | { kind: 'silent' } // no response (Produce acks=0)
  | { kind: 'close'; reason: string };

/** What dispatch needs to know about the connection a frame came from. */
export interface ConnectionInfo {
  services: BrokerServices;
  clientHost: string;
  listenerName: string;
  signal: AbortSignal;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Serves one frame (the bytes after the size prefix). The handler runs synchronously up to its
 * first await before this returns, so requests on a connection are processed in arrival order;
 * outcomes known at once (closes, synchronous handlers) are returned without a Promise.
 */
export function dispatch(
  frame: Buffer,
  conn: ConnectionInfo,
  handlers: ReadonlyMap<number, ApiHandler>,
): DispatchOutcome | Promise<DispatchOutcome> {
  let header: ReturnType<typeof decodeRequestHeader>;
  try {
    header = decodeRequestHeader(frame);
  } catch (err) {
    return { kind: 'close', reason: `malformed request header: ${describe(err)}` };
  }
  const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header;
  const handler = handlers.get(apiKey);
  const spec = apiSpecs[apiKey];
  if (!handler || !spec) {
    return { kind: 'close', reason: `unsupported api key ${apiKey} (correlation id ${correlationId})` };
  }
  const ctx: RequestContext = {
    services: conn.services,
    clientId: header.clientId,
    clientHost: conn.clientHost,
    apiVersion: version,
    correlationId,
    listenerName: conn.listenerName,
    signal: conn.signal,
  };
  const respond = (atVersion: number, body: unknown): DispatchOutcome => {
    try {
      return { kind: 'respond', chunks: encodeResponseChunks(apiKey, atVersion, correlationId, body as object) };
    } catch (err) {
      log.error(`cannot encode ${spec.name} v${atVersion} response (correlation id ${correlationId})`, err);
      return { kind: 'close', reason: `response encoding failed for ${spec.name} v${atVersion}` };
    }
  };
  const respondWithError = (req: unknown, atVersion: number, code: number): DispatchOutcome => {
    let body: unknown;
    try {
      body = handler.errorResponse(req, code, ctx);
    } catch (err) {
      log.error(`${spec.name} v${atVersion} error response failed`, err);
      return { kind: 'close', reason: `${spec.name} v${atVersion} could not be answered` };
    }
    return respond(atVersion, body);
  };

  // KIP-511: an ApiVersions request of a version the broker does not serve (newer, or negative)
  // gets a v0 answer with UNSUPPORTED_VERSION and the versions of ApiVersions itself, so the
  // client can retry; its body is not decoded.
  if (apiKey === ApiKey.ApiVersions && (version < handler.minVersion || version > handler.maxVersion)) {
    return respondWithError({}, 0, ErrorCode.UNSUPPORTED_VERSION);
  }
  if (version < spec.minVersion || version > spec.maxVersion) {
    return { kind: 'close', reason: `${spec.name} version ${version} is outside the protocol (${spec.minVersion}-${spec.maxVersion})` };
  }
  let req: unknown;
  try {
    req = decodeRequest(apiKey, version, frame, header.bodyOffset);
  } catch (err) {
    return { kind: 'close', reason: `malformed ${spec.name} v${version} request: ${describe(err)}` };
  }
  if (version < handler.minVersion || version > handler.maxVersion) {
    return respondWithError(req, version, ErrorCode.UNSUPPORTED_VERSION);
  }

  const failed = (err: unknown): DispatchOutcome => {
    if (err instanceof CloseConnectionError) return { kind: 'close', reason: err.message };
    const code = errorCodeOf(err);
    log.error(`${spec.name} v${version} from ${conn.clientHost} (client ${header.clientId}, correlation id ${correlationId}) failed with error code ${code}`, err);
    return respondWithError(req, version, code);
  };
  const answer = (body: unknown): DispatchOutcome => (body === null ? { kind: 'silent' } : respond(version, body));
  try {
    const result = handler.handle(req, ctx);
    if (result instanceof Promise) return result.then(answer, failed);
    return answer(result);
  } catch (err) {
    return failed(err);
  }
}
