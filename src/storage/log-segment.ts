// The log layer's view of one segment: the native LogSegmentHandle (Kafka's LogSegment: .log,
// .index, .timeindex) plus what only the log tracks about it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, type LogSegmentHandle } from '../native/index.js';
import type { LogConfig } from './log-config.js';
import { offsetFileStem, Suffix } from './log-file-names.js';

/** A segment of a partition log. */
export interface LogSegment {
  readonly baseOffset: number;
  readonly handle: LogSegmentHandle;
  readonly createdMs: number; // when this process opened it: segment.ms falls back to it
  readonly rollJitterMs: number; // this segment rolls this much before segment.ms (Kafka's randomSegmentJitter)
}

/** Opens (creating if absent) the segment at baseOffset with the log's index settings. */
export function openLogSegment(dir: string, baseOffset: number, config: LogConfig, nowMs: number): LogSegment {
  const handle = native.openSegment(dir, baseOffset, {
    indexIntervalBytes: config.indexIntervalBytes,
    maxIndexSize: config.segmentIndexBytes,
    preallocate: config.preallocate,
  });
  return { baseOffset, handle, createdMs: nowMs, rollJitterMs: randomSegmentJitter(config) };
}

/** Kafka's LogConfig.randomSegmentJitter: uniform in [0, min(segment.jitter.ms, segment.ms)). */
function randomSegmentJitter(config: LogConfig): number {
  const bound = Math.min(config.segmentJitterMs, config.segmentMs);
  return bound > 0 ? Math.floor(Math.random() * bound) : 0;
}

/** The files of one segment, in the order Kafka's LogSegment.changeFileSuffixes renames them. */
const SEGMENT_FILE_SUFFIXES = [Suffix.log, Suffix.index, Suffix.timeIndex, Suffix.txnIndex] as const;

/**
 * Closes a segment and renames its files to `<name>.deleted` (Kafka's first step of deleting a
 * segment: a crash afterwards leaves only files the next open removes). Returns the new paths.
 */
export function closeAndMarkDeleted(dir: string, seg: LogSegment): string[] {
  seg.handle.close();
  const stem = path.join(dir, offsetFileStem(seg.baseOffset));
  const renamed: string[] = [];
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    try {
      fs.renameSync(stem + suffix, stem + suffix + Suffix.deleted);
      renamed.push(stem + suffix + Suffix.deleted);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return renamed;
}

/** Index of the last segment whose base offset is <= offset (0 when offset precedes them all). */
export function floorSegmentIndex(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Kafka's changeFileSuffixes: renames the segment's `<base>.log<from>` (then .index, .timeindex,
 * .txnindex, those that exist) to the `<to>` suffix — the steps of the cleaner's
 * `.cleaned` → `.swap` → live swap.
 */
export function changeFileSuffixes(dir: string, baseOffset: number, from: string, to: string): void {
  const stem = path.join(dir, offsetFileStem(baseOffset));
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    try {
      fs.renameSync(stem + suffix + from, stem + suffix + to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Removes the segment's files carrying `suffix` (e.g. a `.cleaned` segment that will not be swapped in). */
export function removeSegmentFiles(dir: string, baseOffset: number, suffix: string): void {
  const stem = path.join(dir, offsetFileStem(baseOffset));
  for (const s of SEGMENT_FILE_SUFFIXES) fs.rmSync(stem + s + suffix, { force: true });
}
