// The only door to the Rust addon (native/): every byte-heavy operation goes through here.
// The addon is built by `npm run build:native` into native/sluice.<platform>.node.
//
// Conventions: 64-bit Kafka offsets and timestamps cross the boundary as JS numbers (exact up
// to 2^53, far beyond any real offset or millisecond timestamp). Failures on bad input throw a
// NativeError whose `errorName` is a Kafka error name the broker can answer with.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Kafka error names the addon can raise for bad input or failed I/O. */
export type NativeErrorName =
  | 'CORRUPT_MESSAGE'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'KAFKA_STORAGE_ERROR';

/** Raised by the addon on bad input or I/O failure; errorName maps to a Kafka error code. */
export class NativeError extends Error {
  constructor(readonly errorName: NativeErrorName, message: string) {
    super(message);
    this.name = 'NativeError';
  }
}

/** Compression codec ids as in the batch attributes (bits 0-2). */
export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
/** One of the codec ids. */
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** Header fields of one validated v2 record batch; records themselves never reach JS. */
export interface BatchInfo {
  position: number; // byte offset of the batch inside the buffer given
  sizeInBytes: number; // whole batch, including the 12-byte offset+length prefix
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: CodecId;
  timestampType: 0 | 1; // 0 CreateTime, 1 LogAppendTime
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  // The three below come from walking the records: validateRecordBatches fills them,
  // readBatchHeaders (headers only) reports -1, -1, false.
  minRecordTimestamp: number; // smallest record timestamp other than NO_TIMESTAMP (-1); -1 when none
  maxRecordTimestamp: number; // largest record timestamp other than -1; -1 when none
  hasNullKey: boolean; // some record has a null key (compacted topics refuse it)
}

/** What findInvalidRecords refuses: null keys when requireKey, timestamps (other than -1) outside [min, max]. */
export interface InvalidRecordOptions {
  requireKey: boolean;
  minTimestamp: number;
  maxTimestamp: number;
}

/** One refused record: its index within the batch, its timestamp, whether its key is null. */
export interface InvalidRecord {
  index: number;
  timestamp: number;
  nullKey: boolean;
}

/** An exclusive fcntl lock on one file (Kafka's FileLock on `<log.dir>/.lock`). */
export interface FileLockHandle {
  readonly path: string;
  /** Gives the lock up (closing the file when no other lock of this process shares it); idempotent. */
  release(): void;
}

/** Settings a segment needs to maintain its sparse indexes. */
export interface SegmentConfig {
  indexIntervalBytes: number; // log.index.interval.bytes (4096)
  maxIndexSize: number; // segment.index.bytes (10 MiB): index files preallocated to this
  preallocate: boolean; // file.preallocate for the .log (false by default); not acted on yet: it needs segment.bytes
}

/** Where a read found its bytes inside a segment's .log file. */
export interface SegmentSlice {
  position: number; // file position of the first whole batch to return
  size: number; // bytes of whole batches from position (at least one batch if minOneMessage)
  firstBatchBaseOffset: number;
}

/** Result of rebuilding a segment's indexes from its .log. */
export interface RecoveryResult {
  validBytes: number; // bytes of whole, CRC-valid batches kept
  truncatedBytes: number; // torn or corrupt tail bytes removed
  nextOffset: number; // last valid batch's lastOffset + 1, or baseOffset if empty
  batches: number;
}

/** One entry of a timestamp lookup: the first record with timestamp >= target. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** What decides a roll besides the batches (Kafka's LogSegment.shouldRoll inputs). */
export interface RollPolicy {
  segmentBytes: number;
  rollMs: number; // segment.ms minus the segment's jitter
  createdMs: number; // when this process opened the segment
  nowMs: number;
}

/** Kafka's LogSegment: the .log file plus its sparse .index and .timeindex, owned natively. */
export interface LogSegmentHandle {
  readonly baseOffset: number;
  /** Bytes in the .log file. */
  size(): number;
  /** lastOffset+1 of the last batch (reads from the last index entry on first call). */
  readNextOffset(): number;
  /** Largest batch maxTimestamp seen in this segment, and the offset it belongs to (-1 if none). */
  maxTimestampSoFar(): TimestampOffset;
  /** Timestamp of the first batch (its maxTimestamp, as Kafka rolls on), or -1 when empty. */
  firstBatchTimestamp(): number;
  /**
   * Appends already-validated, offset-assigned batches; walks their headers to add index
   * entries every indexIntervalBytes. Returns the file position the bytes were written at.
   */
  append(records: Buffer): number;
  /**
   * The leader's append in one call (one napi call per produced partition): Kafka's shouldRoll
   * check, offsets and leader epoch (and LogAppendTime when >= 0) patched in place, append and
   * index. Returns the last offset, or -1 with nothing changed when the segment must roll first.
   */
  appendAsLeader(records: Buffer, baseOffset: number, leaderEpoch: number, logAppendTime: number, roll: RollPolicy): number;
  /** Locates whole batches containing startOffset onward, up to maxSize bytes and maxPosition. */
  read(startOffset: number, maxSize: number, maxPosition: number, minOneMessage: boolean): SegmentSlice | null;
  /** Copies bytes out of the .log file (the copying fetch path; sendfile comes later); clamped to size(). */
  readBytes(position: number, size: number): Buffer;
  /** Copies .log bytes from position into target (e.g. a slot in a response buffer); returns bytes copied. */
  readInto(position: number, target: Buffer): number;
  /**
   * The .log bytes [position, position+size) (clamped to size()) as a region a fetch sends
   * with sendfile; it keeps the file open, so it stays sendable after close() or deletion.
   * cold (not the active segment): advises sequential read-ahead for the file (first time)
   * and WILLNEED for the range.
   */
  region(position: number, size: number, cold: boolean): FileRegionHandle;
  /** First record (walking records, decompressing if needed) with timestamp >= target and offset >= startingOffset. */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): TimestampOffset | null;
  /** Re-validates every batch (CRC-32C), truncates a torn tail, rebuilds both indexes. */
  recover(maxBatchSize: number): RecoveryResult;
  /**
   * Cuts the log at the first batch whose lastOffset >= offset, as Kafka does (a batch holding
   * the offset goes whole), and drops index entries >= offset; returns bytes removed.
   */
  truncateTo(offset: number): number;
  /** fsyncs the .log and both indexes. */
  flush(): void;
  /** True when an index file was missing at open while the .log has data: call recover(). */
  needsRecovery(): boolean;
  /** Trims preallocated index files to their used size (called when the segment stops being active). */
  onBecomeInactive(): void;
  /** Closes all three files. The handle is unusable afterwards. */
  close(): void;
}

/** An idempotent producer still tracked and the last offset of its last batch (kept through cleaning). */
export interface ActiveProducer {
  producerId: number;
  lastOffset: number;
}

/** One round of compaction of one log (Kafka's LogToClean plus the topic's cleaner settings). */
export interface CleanLogOptions {
  dir: string; // the partition directory
  segments: number[]; // base offsets of the segments below firstUncleanableOffset, ascending (never the active one)
  firstDirtyOffset: number; // the cleaner-offset-checkpoint entry (log start offset when none)
  firstUncleanableOffset: number; // active segment base, or the first segment within min.compaction.lag.ms
  dedupeBufferSize: number; // bytes of the offset map, 24 a key (log.cleaner.dedupe.buffer.size / threads)
  loadFactor: number; // log.cleaner.io.buffer.load.factor: the map counts as full at slots * this
  maxSegmentBytes: number; // segment.bytes: a cleaned segment's input stays within it
  maxIndexBytes: number; // segment.index.bytes
  indexIntervalBytes: number; // index.interval.bytes for the cleaned segments' indexes
  deleteRetentionMs: number; // delete.retention.ms: a cleaned tombstone's delete horizon is now + this
  nowMs: number;
  activeProducers: ActiveProducer[];
}

/** One `<base>.log.cleaned` (+ indexes) written by cleanLog, to be swapped in for `segments`. */
export interface CleanedGroup {
  baseOffset: number;
  segments: number[];
  size: number;
}

/** What one round of cleaning wrote; the groups are swapped in by the caller, in order. */
export interface CleanLogResult {
  endOffset: number; // offsets below it are clean: the next cleaner-offset-checkpoint entry
  groups: CleanedGroup[];
  messagesRead: number;
  bytesRead: number;
  messagesRetained: number;
  bytesRetained: number;
  mapEntries: number;
}

/** Raised to stop a cleanLog task at its next batch (the log or the broker is closing). */
export interface CleanerAbortHandle {
  abort(): void;
}

/** One record header as the producer passes it to the batch builder. */
export interface RecordHeaderInput {
  key: string;
  value: Buffer | null;
}

/** Bytes of a segment's .log a fetch response carries; the file stays open while this lives. */
export interface FileRegionHandle {
  readonly size: number;
  /** The copying writer: preads region bytes from offset into target (counted as copied); returns bytes read. */
  readInto(offset: number, target: Buffer): number;
  /** True when a batch in the region uses this codec (reads batch headers only). */
  containsCodec(codec: CodecId): boolean;
}

/**
 * One response written on a dup of a socket fd off the JS thread: bytes and regions in the
 * order pushed, sendfile for regions, EAGAIN waited out in poll(POLLOUT).
 */
export interface SendJobHandle {
  /** Appends bytes (copied natively: response headers, never record bytes). */
  pushBytes(bytes: Buffer): void;
  /** Appends a region (a FileRegionHandle from this module). */
  pushRegion(region: FileRegionHandle): void;
  /**
   * Writes everything on a thread of its own (a stalled reader holds no libuv pool thread);
   * resolves with the bytes written, or -1 when cancelled. Rejects when the socket fails or a
   * segment file is shorter than its region.
   */
  run(): Promise<number>;
  /** Stops at the next wait for the socket (within ~50 ms); the dup is closed when it settles. */
  cancel(): void;
}

/** Fetch bytes sent with sendfile and fetch bytes copied into JS (copying writer), since start. */
export interface DataPathMetrics {
  sendfileBytes: number;
  copiedBytes: number;
}

/** Everything the addon exposes; loaded once from native/sluice.<platform>.node. */
export interface NativeAddon {
  crc32c(data: Buffer): number;
  compress(codec: CodecId, data: Buffer): Buffer;
  decompress(codec: CodecId, data: Buffer): Buffer;
  /**
   * Validates every batch in a produce request's records: magic 2, CRC-32C, batchLength,
   * record count and offset deltas (decompressing to check), size <= maxBatchSize.
   */
  validateRecordBatches(records: Buffer, maxBatchSize: number): BatchInfo[];
  /**
   * Headers of whole v2 batches in bytes read back from the log (producer-state replay): frames
   * only, no CRC or record checks; CORRUPT_MESSAGE if the bytes are not whole batches.
   */
  readBatchHeaders(records: Buffer): BatchInfo[];
  /**
   * The slow path of a batch the topic refuses: walks (decompressing) the records of the
   * already-validated batch at batchPosition (default 0) and returns, in order, those with a
   * null key (when requireKey) or a timestamp other than -1 outside [minTimestamp, maxTimestamp].
   */
  findInvalidRecords(records: Buffer, batchPosition: number | undefined, opts: InvalidRecordOptions): InvalidRecord[];
  /**
   * Patches baseOffset and partitionLeaderEpoch in place (CRC unaffected); with
   * logAppendTime >= 0 also sets maxTimestamp + timestamp-type bit and recomputes the CRC.
   * Returns the last offset assigned.
   */
  assignOffsets(records: Buffer, baseOffset: number, partitionLeaderEpoch: number, logAppendTime: number): number;
  /**
   * Topic compression.type: rebuilds every batch whose codec is not `codec` with its records
   * re-encoded in `codec` (attributes codec bits, batchLength and CRC-32C updated, all other
   * header fields and the records unchanged); control batches are copied as they are. Input
   * must already be validated. Returns a new buffer.
   */
  recompressBatches(records: Buffer, codec: CodecId): Buffer;
  /**
   * Creates `path` if missing and takes an exclusive fcntl(F_SETLK) write lock on it, the lock
   * Kafka (Java FileChannel.tryLock) takes. KAFKA_STORAGE_ERROR naming the directory when
   * another process holds it. fcntl locks are per process: a second lock from this process on
   * the same file shares the first (the file stays locked until every handle is released).
   */
  lockFile(path: string): FileLockHandle;
  openSegment(dir: string, baseOffset: number, config: SegmentConfig): LogSegmentHandle;
  /**
   * fsyncs files by path on the libuv pool (a file already deleted is skipped): a roll flushes
   * the segment it closed this way instead of blocking the JS thread on it.
   */
  fsyncFilesAsync(paths: string[]): Promise<void>;
  /**
   * Kafka's Cleaner.doClean up to the swap, on the libuv pool: maps key → latest offset over
   * [firstDirtyOffset, firstUncleanableOffset) (MD5 digests in a dedupeBufferSize table, as
   * Kafka's SkimpyOffsetMap), then rewrites each group of segments below the mapped end into
   * `<base>.log.cleaned`/`.index.cleaned`/`.timeindex.cleaned` (fsynced), keeping the latest
   * record of each key, tombstones until their delete horizon, and each active producer's last
   * batch. On failure or abort it removes what it wrote and rejects.
   */
  cleanLog(options: CleanLogOptions, abort: CleanerAbortHandle): Promise<CleanLogResult>;
  /** A fresh abort flag for cleanLog. */
  newCleanerAbort(): CleanerAbortHandle;
  /** lastOffset+1 of the last whole batch in a .log file of any name (e.g. `.log.swap`), -1 when none. */
  readNextOffsetOfFile(path: string): number;
  /**
   * Kafka's MemoryRecordsBuilder, on the producer's pooled batch buffer (src/producer/native-batch.ts
   * is its typed user): opens an empty batch in `buf` (at least 61 bytes) for `codec`, taking
   * records up to batchSize bytes (a first record always fits). The batch's state lives in its
   * header bytes until close, so a buffer holds one batch and nothing else holds the batch.
   */
  recordBatchOpen(buf: Buffer, codec: CodecId, batchSize: number, baseTimestamp: number | null): void;
  /**
   * Encodes one record into the batch open in `buf` (timestampDelta against the first record's
   * timestamp, or the batch's baseTimestamp). Returns the batch size afterwards (61-byte header +
   * uncompressed records); -1 when the batch already holds a record and this one would exceed
   * batchSize; or minus the size `buf` must have for this record (call again with a larger
   * buffer holding the same first bytes). Nothing is written unless it returns a size.
   */
  recordBatchAppend(buf: Buffer, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaderInput[] | null): number;
  /**
   * Compresses the batch open in `buf` and writes the v2 header (baseOffset 0,
   * partitionLeaderEpoch -1, codec, lastOffsetDelta, base/max timestamp, producer fields, record
   * count) and CRC-32C there, returning the batch's size; compressed records that no longer fit
   * `buf` come back as a Buffer of their own. Once only: re-stamp with rewriteProducerState.
   */
  recordBatchClose(buf: Buffer, producerId: number, producerEpoch: number, baseSequence: number): number | Buffer;
  /**
   * Re-stamps one closed batch in place with new producerId, producerEpoch and baseSequence and
   * recomputes its CRC-32C (a retry after an epoch bump); records and compression are untouched.
   */
  rewriteProducerState(batch: Buffer, producerId: number, producerEpoch: number, baseSequence: number): void;
  /** A send job on a dup of socket fd `fd` (dup'd now: the job never writes into a reused fd). */
  newSendJob(fd: number): SendJobHandle;
  /** Counters proving where fetch bytes went (sendfile vs copied into JS). */
  dataPathMetrics(): DataPathMetrics;
}

const errorNames: ReadonlySet<string> = new Set<NativeErrorName>([
  'CORRUPT_MESSAGE',
  'INVALID_RECORD',
  'MESSAGE_TOO_LARGE',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'KAFKA_STORAGE_ERROR',
]);

/** The addon reports failures as "KAFKA_NAME: detail"; anything else (a bug) passes through. */
function translate(err: unknown): never {
  if (err instanceof Error) {
    const colon = err.message.indexOf(': ');
    const name = colon > 0 ? err.message.slice(0, colon) : '';
    if (errorNames.has(name)) throw new NativeError(name as NativeErrorName, err.message.slice(colon + 2));
  }
  throw err;
}

function guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      return translate(err);
    }
  };
}

const segmentMethods = [
  'size',
  'readNextOffset',
  'maxTimestampSoFar',
  'firstBatchTimestamp',
  'append',
  'appendAsLeader',
  'read',
  'readInto',
  'findOffsetByTimestamp',
  'recover',
  'truncateTo',
  'flush',
  'needsRecovery',
  'onBecomeInactive',
  'close',
] as const satisfies readonly Exclude<keyof LogSegmentHandle, 'baseOffset' | 'readBytes' | 'region'>[];

/** The addon's FileRegion and SendJob classes, as loaded. */
interface RawFileRegion {
  readonly size: number;
  readInto(offset: number, target: Buffer): number;
  containsCodec(codec: number): boolean;
}
interface RawSendJob {
  pushBytes(bytes: Buffer): void;
  pushRegion(region: RawFileRegion): void;
  run(): Promise<number>;
  cancel(): void;
}

/** Guards a native FileRegion; keeps the raw instance, which a send job must be given. */
class GuardedFileRegion implements FileRegionHandle {
  readonly size: number;
  constructor(readonly raw: RawFileRegion) {
    this.size = raw.size;
  }
  readInto(offset: number, target: Buffer): number {
    try {
      return this.raw.readInto(offset, target);
    } catch (err) {
      return translate(err);
    }
  }
  containsCodec(codec: CodecId): boolean {
    try {
      return this.raw.containsCodec(codec);
    } catch (err) {
      return translate(err);
    }
  }
}

/** Guards a native SendJob: failures surface as NativeError (e.g. a short segment file). */
class GuardedSendJob implements SendJobHandle {
  constructor(private readonly raw: RawSendJob) {}
  pushBytes(bytes: Buffer): void {
    this.raw.pushBytes(bytes);
  }
  pushRegion(region: FileRegionHandle): void {
    if (!(region instanceof GuardedFileRegion)) throw new TypeError('not a FileRegion of the native addon');
    this.raw.pushRegion(region.raw);
  }
  run(): Promise<number> {
    return this.raw.run().catch(translate);
  }
  cancel(): void {
    this.raw.cancel();
  }
}

/** Wraps the raw napi class instance so its failures surface as NativeError. */
function wrapSegment(raw: LogSegmentHandle): LogSegmentHandle {
  const handle: Record<string, unknown> = { baseOffset: raw.baseOffset };
  for (const name of segmentMethods) {
    const method = raw[name] as (...args: unknown[]) => unknown;
    handle[name] = guard(method.bind(raw));
  }
  // Allocated by V8 and filled natively: cheaper than handing V8 external memory per fetch.
  handle.readBytes = guard((position: number, size: number) => {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(size, raw.size() - position)));
    raw.readInto(position, buf);
    return buf;
  });
  const rawRegion = (raw as unknown as { region(p: number, s: number, c: boolean): RawFileRegion }).region.bind(raw);
  handle.region = guard((position: number, size: number, cold: boolean) => new GuardedFileRegion(rawRegion(position, size, cold)));
  return handle as unknown as LogSegmentHandle;
}

/** Numbers per batch in the addon's batch-info output (BatchInfo::FIELDS in native/src/batch.rs). */
const BATCH_INFO_FIELDS = 19;

/** Where the addon writes batch infos: one array reused (a produce request carries one batch a partition). */
let batchInfoScratch = new Float64Array(BATCH_INFO_FIELDS * 16);

/**
 * BatchInfo objects from what `fill` writes (the addon's numbers, in BatchInfo's field order):
 * built by a JS object literal, one hidden class for all, rather than property by property in
 * the addon. `fill` returns the batch count, or minus it when the scratch array is too small.
 */
function readBatchInfos(fill: (out: Float64Array) => number): BatchInfo[] {
  let n = fill(batchInfoScratch);
  if (n < 0) {
    batchInfoScratch = new Float64Array(-n * BATCH_INFO_FIELDS);
    n = fill(batchInfoScratch);
  }
  const a = batchInfoScratch;
  const infos = new Array<BatchInfo>(n);
  for (let i = 0, k = 0; i < n; i++, k += BATCH_INFO_FIELDS) {
    infos[i] = {
      position: a[k],
      sizeInBytes: a[k + 1],
      baseOffset: a[k + 2],
      lastOffsetDelta: a[k + 3],
      recordCount: a[k + 4],
      partitionLeaderEpoch: a[k + 5],
      attributes: a[k + 6],
      compression: a[k + 7] as CodecId,
      timestampType: a[k + 8] as 0 | 1,
      isTransactional: a[k + 9] === 1,
      isControl: a[k + 10] === 1,
      baseTimestamp: a[k + 11],
      maxTimestamp: a[k + 12],
      producerId: a[k + 13],
      producerEpoch: a[k + 14],
      baseSequence: a[k + 15],
      minRecordTimestamp: a[k + 16],
      maxRecordTimestamp: a[k + 17],
      hasNullKey: a[k + 18] === 1,
    };
  }
  return infos;
}

/** The addon's batch functions, bare napi callbacks (no napi-rs glue: cheaper per record and per batch). */
interface RawBatchFunctions {
  open(buf: Buffer, codec: number, batchSize: number, baseTimestamp: number | null): void;
  append(buf: Buffer, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaderInput[] | null): number;
  /** append for a record with a value and no key or headers (the common case, cheaper). */
  appendValue(buf: Buffer, timestamp: number, value: Buffer): number;
  close(buf: Buffer, producerId: number, producerEpoch: number, baseSequence: number): number | Buffer;
}

/** recordBatchAppend over the two bare append functions; failures become NativeError. */
function batchAppend(fns: RawBatchFunctions): NativeAddon['recordBatchAppend'] {
  const { append, appendValue } = fns;
  return (buf, timestamp, key, value, headers) => {
    try {
      if (key === null && value !== null && headers === null) return appendValue(buf, timestamp, value);
      return append(buf, timestamp, key, value, headers);
    } catch (err) {
      return translate(err);
    }
  };
}

/** The binary @napi-rs/cli built for this platform, e.g. native/sluice.linux-x64-gnu.node. */
function addonPath(): string {
  // src/native/ and dist/native/ are both two levels below the repo root, where native/ lives.
  const at = (suffix: string): string => fileURLToPath(new URL(`../../native/sluice.${suffix}.node`, import.meta.url));
  const { platform, arch } = process;
  if (platform !== 'linux') return at(`${platform}-${arch}`);
  const musl = at(`linux-${arch}-musl`);
  return existsSync(musl) ? musl : at(`linux-${arch}-gnu`);
}

function load(): NativeAddon {
  const path = addonPath();
  let raw: NativeAddon;
  try {
    raw = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    throw new Error(`cannot load the native addon ${path} (run \`npm run build:native\`): ${(err as Error).message}`);
  }
  const batchFunctions = (raw as unknown as { recordBatchFunctions(): RawBatchFunctions }).recordBatchFunctions();
  const rawBatchInfos = raw as unknown as {
    validateRecordBatches(records: Buffer, maxBatchSize: number, out: Float64Array): number;
    readBatchHeaders(records: Buffer, out: Float64Array): number;
  };
  return {
    crc32c: raw.crc32c,
    compress: guard(raw.compress),
    decompress: guard(raw.decompress),
    validateRecordBatches: guard((records: Buffer, maxBatchSize: number) => readBatchInfos((out) => rawBatchInfos.validateRecordBatches(records, maxBatchSize, out))),
    readBatchHeaders: guard((records: Buffer) => readBatchInfos((out) => rawBatchInfos.readBatchHeaders(records, out))),
    findInvalidRecords: guard(raw.findInvalidRecords),
    assignOffsets: guard(raw.assignOffsets),
    recompressBatches: guard(raw.recompressBatches),
    lockFile: guard(raw.lockFile),
    fsyncFilesAsync: (paths: string[]) => raw.fsyncFilesAsync(paths).catch(translate),
    cleanLog: (options: CleanLogOptions, abort: CleanerAbortHandle) => raw.cleanLog(options, abort).catch(translate),
    newCleanerAbort: () => new (raw as unknown as { CleanerAbort: new () => CleanerAbortHandle }).CleanerAbort(),
    readNextOffsetOfFile: guard(raw.readNextOffsetOfFile),
    recordBatchOpen: guard(batchFunctions.open),
    recordBatchAppend: batchAppend(batchFunctions),
    recordBatchClose: guard(batchFunctions.close),
    rewriteProducerState: guard(raw.rewriteProducerState),
    newSendJob: guard((fd: number) => new GuardedSendJob(new (raw as unknown as { SendJob: new (fd: number) => RawSendJob }).SendJob(fd))),
    dataPathMetrics: raw.dataPathMetrics,
    openSegment: guard((dir: string, baseOffset: number, config: SegmentConfig) =>
      wrapSegment(raw.openSegment(dir, baseOffset, config)),
    ),
  };
}

/** The loaded addon; every call throws NativeError on bad input or failed I/O. */
export const native: NativeAddon = load();
