// The log half of Kafka's rebuildProducerState: after the newest producer snapshot, the batches
// written since are read back and fed to the ProducerStateManager, headers only.
import { native } from '../native/index.js';
import { floorSegmentIndex, type LogSegment } from './log-segment.js';
import type { ProducerStateManager } from './producer-state-manager.js';

const REPLAY_CHUNK_BYTES = 1024 * 1024;

/**
 * Feeds the producer fields of every batch from offset `from` on to `state`. Headers only:
 * recovery already checked the CRCs, and batches Kafka compacted (offset gaps) replay as well.
 */
export function replayProducerState(state: ProducerStateManager, segments: readonly LogSegment[], from: number): void {
  for (let i = floorSegmentIndex(segments, from); i < segments.length; i++) {
    replaySegment(state, segments[i], Math.max(from, segments[i].baseOffset));
  }
}

function replaySegment(state: ProducerStateManager, seg: LogSegment, from: number): void {
  const end = seg.handle.size();
  let offset = from;
  for (;;) {
    const slice = seg.handle.read(offset, REPLAY_CHUNK_BYTES, end, true);
    if (!slice || slice.size === 0) return;
    const batches = native.readBatchHeaders(seg.handle.readBytes(slice.position, slice.size));
    if (batches.length === 0) return;
    for (const b of batches) {
      const lastOffset = b.baseOffset + b.lastOffsetDelta;
      if (lastOffset >= from) state.update(b, lastOffset, b.maxTimestamp);
    }
    const last = batches[batches.length - 1];
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
}
