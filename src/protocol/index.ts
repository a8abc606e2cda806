// The protocol codec's public door: frames in, typed bodies out, and back. Pure: no I/O.
import { messageCodec } from './codec.js';
import { ProtocolError } from './errors.js';
import { checkVersion, readResponseHeader, writeRequestHeader, writeResponseHeader } from './headers.js';
import { apiSchemas, type ApiKey, type RequestBodies, type ResponseBodies } from './messages/index.js';
import { decodeProduceRequestFast, encodeProduceResponseFast } from './produce-fast.js';
import { Reader } from './reader.js';
import { parseRange } from './schema.js';
import { Writer } from './writer.js';
import type { ResponseChunk } from './file-region.js';

export { ProtocolError } from './errors.js';
export { decodeRequestHeader, requestHeaderVersion, responseHeaderVersion, type RequestHeader } from './headers.js';
export type { TaggedField } from './schema.js';
export { isFileRegion, type FileRegion, type ResponseChunk } from './file-region.js';
export * from './messages/index.js';

/** Produce has its own straight-line codec for the broker (produce-fast.ts). */
const PRODUCE = 0;

/** What ApiVersions and version checks need to know about one API from the specs. */
export interface ApiSpec {
  name: string;
  minVersion: number;
  maxVersion: number;
  /** First flexible version, or null when no version is flexible. */
  flexibleMinVersion: number | null;
}

/** Version facts of every generated API, by api key. */
export const apiSpecs: Readonly<Record<number, ApiSpec>> = Object.fromEntries(
  [...apiSchemas].map(([key, s]) => {
    const valid = parseRange(s.request.validVersions)!;
    const flexible = parseRange(s.request.flexibleVersions);
    return [key, { name: s.name, minVersion: valid[0], maxVersion: valid[1], flexibleMinVersion: flexible ? flexible[0] : null }];
  }),
);

function schemaOf(apiKey: number, version: number) {
  checkVersion(apiKey, version);
  return apiSchemas.get(apiKey)!;
}

/** Decodes a request body; frame is the bytes after the size prefix, bodyOffset from the header. */
export function decodeRequest<K extends ApiKey>(apiKey: K, version: number, frame: Buffer, bodyOffset: number): RequestBodies[K];
export function decodeRequest(apiKey: number, version: number, frame: Buffer, bodyOffset: number): unknown;
export function decodeRequest(apiKey: number, version: number, frame: Buffer, bodyOffset: number): unknown {
  const schema = schemaOf(apiKey, version);
  if (bodyOffset < 0 || bodyOffset > frame.length) throw new ProtocolError(`body offset ${bodyOffset} outside the frame`);
  if (apiKey === PRODUCE) {
    const fast = decodeProduceRequestFast(version, frame, bodyOffset);
    if (fast !== null) return fast;
  }
  return messageCodec(schema.request, version).read(new Reader(frame, bodyOffset));
}

/** Encodes a whole response frame (size prefix, header, body) as chunks; records are not copied. */
export function encodeResponse<K extends ApiKey>(apiKey: K, version: number, correlationId: number, body: ResponseBodies[K]): Buffer[];
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: object): Buffer[];
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: object): Buffer[] {
  const w = writeResponse(apiKey, version, correlationId, body);
  const total = w.length;
  return withSize(w.finishBytes(), total);
}

/**
 * Like encodeResponse, for the broker: records held as file regions (fetch) stay regions, as
 * their own chunks, and the frame size counts their bytes.
 */
export function encodeResponseChunks(apiKey: number, version: number, correlationId: number, body: object): ResponseChunk[] {
  if (apiKey === PRODUCE) {
    checkVersion(apiKey, version);
    const fast = encodeProduceResponseFast(version, correlationId, body as ResponseBodies[0]);
    if (fast !== null) return [fast];
  }
  const w = writeResponse(apiKey, version, correlationId, body);
  const total = w.length;
  return withSize(w.finish(), total);
}

function writeResponse(apiKey: number, version: number, correlationId: number, body: object): Writer {
  const schema = schemaOf(apiKey, version);
  const w = new Writer();
  w.int32(0); // size, patched by withSize
  writeResponseHeader(w, apiKey, version, correlationId);
  messageCodec(schema.response, version).write(w, body as Record<string, unknown>);
  return w;
}

/** Encodes a whole request frame (size prefix, header v1/v2, body) as chunks; for tests and tools. */
export function encodeRequest<K extends ApiKey>(
  apiKey: K,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
): Buffer[];
export function encodeRequest(apiKey: number, version: number, correlationId: number, clientId: string | null, body: object): Buffer[];
export function encodeRequest(apiKey: number, version: number, correlationId: number, clientId: string | null, body: object): Buffer[] {
  const schema = schemaOf(apiKey, version);
  const w = new Writer();
  w.int32(0); // size, patched below
  writeRequestHeader(w, apiKey, version, correlationId, clientId);
  messageCodec(schema.request, version).write(w, body as Record<string, unknown>);
  const total = w.length;
  return withSize(w.finishBytes(), total);
}

/** Decodes a response frame (the bytes after the size prefix); for tests and tools. */
export function decodeResponse<K extends ApiKey>(apiKey: K, version: number, frame: Buffer): { correlationId: number; body: ResponseBodies[K] };
export function decodeResponse(apiKey: number, version: number, frame: Buffer): { correlationId: number; body: unknown };
export function decodeResponse(apiKey: number, version: number, frame: Buffer): { correlationId: number; body: unknown } {
  const schema = schemaOf(apiKey, version);
  const r = new Reader(frame);
  const correlationId = readResponseHeader(r, apiKey, version);
  return { correlationId, body: messageCodec(schema.response, version).read(r) };
}

/** Patches the frame's size prefix (the first 4 bytes, always in the first byte chunk). */
function withSize<C extends ResponseChunk>(chunks: C[], total: number): C[] {
  (chunks[0] as Buffer).writeInt32BE(total - 4, 0);
  return chunks;
}
