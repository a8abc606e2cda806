// Kafka's asynchronous segment deletion: a deleted segment's files are renamed to `.deleted` at
// once and removed after file.delete.delay.ms, so readers holding them finish first.
import * as fs from 'node:fs';
import { closeAndMarkDeleted, type LogSegment } from './log-segment.js';

/** The `.deleted` files of one log that are waiting for their delay to pass. */
export class SegmentDeletionQueue {
  private readonly pending = new Map<NodeJS.Timeout, string[]>();

  /**
   * Closes the segment and marks its files deleted; removes them after delayMs, off the JS
   * thread (unlinking a large cached file frees its pages, milliseconds the broker's requests
   * would otherwise wait; Kafka's scheduler thread does it too, also at delay 0). Files a crash
   * leaves behind are removed by the next open of the log.
   */
  delete(dir: string, seg: LogSegment, delayMs: number): void {
    const renamed = closeAndMarkDeleted(dir, seg);
    if (delayMs <= 0) {
      for (const f of renamed) fs.rm(f, { force: true }, () => {});
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      for (const f of renamed) fs.rm(f, { force: true }, () => {});
    }, delayMs);
    timer.unref();
    this.pending.set(timer, renamed);
  }

  /** Removes every waiting file now (the log is closing). */
  finishAll(): void {
    for (const [timer, files] of this.pending) {
      clearTimeout(timer);
      for (const f of files) {
        try {
          fs.rmSync(f, { force: true });
        } catch {
          // Left for the next open, which removes every `.deleted` file.
        }
      }
    }
    this.pending.clear();
  }
}
