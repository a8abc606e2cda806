// Request header v1/v2 and response header v0/v1: which version applies and how each is laid out.
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { inRange, parseRange } from './schema.js';
import { apiSchemas } from './messages/index.js';
import type { Writer } from './writer.js';

/** A decoded request header plus where the body starts in the frame. */
export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
  headerVersion: 1 | 2;
  /** Offset of the request body inside the frame. */
  bodyOffset: number;
  _unknownTaggedFields?: { tag: number; data: Buffer }[];
}

const API_VERSIONS = 18;

/** Whether (apiKey, version) uses flexible encoding; unknown keys are treated as not flexible. */
function isFlexible(apiKey: number, version: number, side: 'request' | 'response'): boolean {
  const schema = apiSchemas.get(apiKey);
  return schema !== undefined && inRange(parseRange(schema[side].flexibleVersions), version);
}

/** Request header version: 2 for flexible request versions, else 1. */
export function requestHeaderVersion(apiKey: number, version: number): 1 | 2 {
  return isFlexible(apiKey, version, 'request') ? 2 : 1;
}

/** Response header version: 1 for flexible versions, except ApiVersions which always uses 0. */
export function responseHeaderVersion(apiKey: number, version: number): 0 | 1 {
  return apiKey !== API_VERSIONS && isFlexible(apiKey, version, 'response') ? 1 : 0;
}

/** Decodes the request header at the start of a frame (the bytes after the 4-byte size). */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const requestApiKey = r.int16();
  const requestApiVersion = r.int16();
  const correlationId = r.int32();
  // client_id stays a classic int16-length nullable string even in header v2.
  const len = r.checkedLength(r.int16(), 'client id');
  const clientId = len < 0 ? null : r.utf8(len);
  const headerVersion = requestHeaderVersion(requestApiKey, requestApiVersion);
  const header: RequestHeader = { requestApiKey, requestApiVersion, correlationId, clientId, headerVersion, bodyOffset: 0 };
  if (headerVersion === 2) {
    const count = r.checkedLength(r.unsignedVarint(), 'header tagged fields');
    for (let i = 0; i < count; i++) {
      const tag = r.unsignedVarint();
      const size = r.checkedLength(r.unsignedVarint(), 'header tagged field');
      (header._unknownTaggedFields ??= []).push({ tag, data: r.bytes(size) });
    }
  }
  header.bodyOffset = r.pos;
  return header;
}

/** Writes a request header (v1 or v2 by the api's flexible versions). */
export function writeRequestHeader(w: Writer, apiKey: number, version: number, correlationId: number, clientId: string | null): void {
  w.int16(apiKey);
  w.int16(version);
  w.int32(correlationId);
  if (clientId === null) w.int16(-1);
  else {
    const n = Buffer.byteLength(clientId);
    w.int16(n);
    w.utf8(clientId, n);
  }
  if (requestHeaderVersion(apiKey, version) === 2) w.unsignedVarint(0);
}

/** Writes a response header (v0, or v1 with an empty tagged-field section). */
export function writeResponseHeader(w: Writer, apiKey: number, version: number, correlationId: number): void {
  w.int32(correlationId);
  if (responseHeaderVersion(apiKey, version) === 1) w.unsignedVarint(0);
}

/** Reads a response header, returning the correlation id; the reader is left at the body. */
export function readResponseHeader(r: Reader, apiKey: number, version: number): number {
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, version) === 1) {
    const count = r.checkedLength(r.unsignedVarint(), 'header tagged fields');
    for (let i = 0; i < count; i++) {
      r.unsignedVarint();
      r.bytes(r.checkedLength(r.unsignedVarint(), 'header tagged field'));
    }
  }
  return correlationId;
}

/** Rejects a version the generated specs do not define, before any body decoding. */
export function checkVersion(apiKey: number, version: number): void {
  const schema = apiSchemas.get(apiKey);
  if (!schema) throw new ProtocolError(`unknown api key ${apiKey}`);
  if (!inRange(parseRange(schema.request.validVersions), version)) {
    throw new ProtocolError(`${schema.name} v${version} is not a known version`);
  }
}
