// A records field's bytes that stay in a file: the encoder frames them (length prefix, frame
// size) and the connection sends them from the file (sendfile), so they never enter the JS heap.

/** Bytes of a file a response carries by reference; the native FileRegion implements it. */
export interface FileRegion {
  readonly size: number;
}

/** One piece of an encoded response: bytes to write, or a file region to send. */
export type ResponseChunk = Buffer | FileRegion;

/** Lets the encoder and the connection tell the two kinds of chunk apart. */
export function isFileRegion(chunk: unknown): chunk is FileRegion {
  return chunk !== null && typeof chunk === 'object' && !Buffer.isBuffer(chunk) && typeof (chunk as FileRegion).size === 'number';
}
