// Kafka's LogLoader: turns a partition directory into its segments — finishing or undoing an
// interrupted cleaner swap, removing transient files, rebuilding missing indexes, and after an
// unclean shutdown re-validating every batch from the recovery point on, cutting the log at the
// first torn or corrupt batch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogConfig } from './log-config.js';
import { native } from '../native/index.js';
import { fsyncDir } from './durable-file.js';
import { offsetFileStem, offsetFromFileName, Suffix } from './log-file-names.js';
import { closeAndMarkDeleted, floorSegmentIndex, openLogSegment, type LogSegment } from './log-segment.js';

/** What opening found and repaired, for the LogManager's log line. */
export interface LoadSummary {
  recoveredSegments: number;
  truncatedBytes: number;
  deletedSegments: number;
  /** Why producer state could not be fully rebuilt (its producers then restart unchecked), if so. */
  producerStateProblem?: string;
}

/** Where loading starts from: the directory, its config and the checkpointed offsets. */
export interface LoadParams {
  dir: string;
  config: LogConfig;
  logStartOffset: number; // log-start-offset-checkpoint (0 when absent)
  recoveryPoint: number; // recovery-point-offset-checkpoint (0 when absent)
  hadCleanShutdown: boolean;
  nowMs: number;
}

/** The loaded segments and the offsets they imply. */
export interface LoadedLog {
  segments: LogSegment[];
  nextOffset: number;
  logStartOffset: number;
  recoveryPoint: number;
  /** Set when the log start checkpoint lay beyond the data: the log restarted empty there. */
  restartedEmpty: boolean;
  summary: LoadSummary;
}

const INT32_MAX = 2147483647;

/** Opens and, when needed, recovers every segment of the directory (creating one if none). */
export function loadSegments(p: LoadParams): LoadedLog {
  const segments: LogSegment[] = [];
  try {
    return recoverLog(p, segments);
  } catch (err) {
    for (const seg of segments) {
      try {
        seg.handle.close();
      } catch {
        // The load already failed; the partition goes offline either way.
      }
    }
    throw err;
  }
}

/** Kafka's recoverLog; `segments` receives each segment as it opens so a failure can close them. */
function recoverLog(p: LoadParams, segments: LogSegment[]): LoadedLog {
  const summary: LoadSummary = { recoveredSegments: 0, truncatedBytes: 0, deletedSegments: 0 };
  const open = (base: number) => openLogSegment(p.dir, base, p.config, p.nowMs);
  const drop = (dropped: LogSegment[]) => {
    summary.deletedSegments += dropped.length;
    for (const d of dropped) for (const f of closeAndMarkDeleted(p.dir, d)) fs.rmSync(f, { force: true });
  };
  for (const base of segmentBaseOffsets(p.dir)) segments.push(open(base));
  // A batch may be larger than the topic's current limit if the limit was lowered after it was written.
  const maxBatchSize = Math.min(INT32_MAX, Math.max(p.config.maxMessageBytes, p.config.segmentBytes));
  const firstToRecover =
    p.hadCleanShutdown || segments.length === 0 ? segments.length : floorSegmentIndex(segments, p.recoveryPoint);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (i < firstToRecover && !seg.handle.needsRecovery()) continue;
    const result = seg.handle.recover(maxBatchSize);
    summary.recoveredSegments++;
    summary.truncatedBytes += result.truncatedBytes;
    if (result.truncatedBytes > 0 && i >= firstToRecover) {
      drop(segments.splice(i + 1));
      break;
    }
  }

  if (segments.length === 0) segments.push(open(p.logStartOffset));
  let nextOffset = segments[segments.length - 1].handle.readNextOffset();
  // Kafka's deleteSegmentsIfLogStartGreaterThanLogEnd: the checkpoint says everything below the
  // log start was deleted, so a log ending before it restarts empty at that offset.
  const restartedEmpty = p.logStartOffset > nextOffset;
  if (restartedEmpty) {
    drop(segments.splice(0));
    segments.push(open(p.logStartOffset));
    nextOffset = p.logStartOffset;
  }
  return {
    segments,
    nextOffset,
    logStartOffset: Math.max(p.logStartOffset, segments[0].baseOffset),
    // Kafka advances the recovery point only by flushing, never by loading an unclean log.
    recoveryPoint: p.hadCleanShutdown ? nextOffset : Math.min(p.recoveryPoint, nextOffset),
    restartedEmpty,
    summary,
  };
}

/** Removes transient files and orphan indexes; returns the base offsets of the .log files, ascending. */
function segmentBaseOffsets(dir: string): number[] {
  completeSwaps(dir);
  const names = fs.readdirSync(dir);
  const bases = new Set<number>();
  for (const name of names) {
    const offset = offsetFromFileName(name, Suffix.log);
    if (offset !== null) bases.add(offset);
  }
  for (const name of names) {
    for (const suffix of [Suffix.index, Suffix.timeIndex, Suffix.txnIndex]) {
      const offset = offsetFromFileName(name, suffix);
      if (offset !== null && !bases.has(offset)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  return [...bases].sort((a, b) => a - b);
}

const SEGMENT_SUFFIXES = [Suffix.log, Suffix.index, Suffix.timeIndex, Suffix.txnIndex];

/** The base offset and kind of a `<20 digits>.<log|index|timeindex|txnindex><extra>` name, or null. */
function segmentFileOf(name: string, extra: string): { offset: number; suffix: string } | null {
  if (!name.endsWith(extra)) return null;
  const inner = name.slice(0, name.length - extra.length);
  for (const suffix of SEGMENT_SUFFIXES) {
    const offset = offsetFromFileName(inner, suffix);
    if (offset !== null) return { offset, suffix };
  }
  return null;
}

/**
 * Kafka's LogLoader swap handling (removeTempFilesAndCollectSwapFiles, then the passes of load):
 * `.deleted` and `.tmp` files go; a `.swap` segment at or above the lowest `.cleaned` file belongs
 * to a swap that had not finished writing and goes with the `.cleaned` files; any other `.log.swap`
 * is complete (fsynced before its rename), so the segments it replaces — those based within
 * [its base, its next offset) — are deleted and it takes the live name. Swap indexes are dropped:
 * the segment's indexes are rebuilt from its .log.
 */
function completeSwaps(dir: string): void {
  let minCleaned = Infinity;
  const swaps: { name: string; offset: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(Suffix.deleted) || name.endsWith('.tmp')) {
      fs.rmSync(path.join(dir, name), { force: true });
    } else if (name.endsWith(Suffix.cleaned)) {
      const file = segmentFileOf(name, Suffix.cleaned);
      if (file) minCleaned = Math.min(minCleaned, file.offset);
      fs.rmSync(path.join(dir, name), { force: true });
    } else if (name.endsWith(Suffix.swap)) {
      const file = segmentFileOf(name, Suffix.swap);
      if (file?.suffix === Suffix.log) swaps.push({ name, offset: file.offset });
      else fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  if (swaps.length === 0) return;
  const ranges: [number, number][] = [];
  for (const swap of swaps) {
    const file = path.join(dir, swap.name);
    if (swap.offset >= minCleaned) {
      fs.rmSync(file, { force: true });
      continue;
    }
    // An empty swap file still replaces the segment with its own base offset.
    ranges.push([swap.offset, Math.max(native.readNextOffsetOfFile(file), swap.offset + 1)]);
  }
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(Suffix.swap)) continue;
    const file = segmentFileOf(name, '');
    if (file && ranges.some(([from, to]) => file.offset >= from && file.offset < to)) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  for (const [offset] of ranges) {
    const stem = path.join(dir, offsetFileStem(offset));
    fs.renameSync(stem + Suffix.log + Suffix.swap, stem + Suffix.log);
  }
  fsyncDir(dir);
}
