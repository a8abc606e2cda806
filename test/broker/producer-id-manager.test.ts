import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRODUCER_ID_BLOCK_FILE, PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../src/broker/producer-id-manager.js';

describe('ProducerIdManager', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-pid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out consecutive ids starting at 0 and reserves the block on disk first', () => {
    const ids = ProducerIdManager.open(dir);
    expect([ids.generateProducerId(), ids.generateProducerId(), ids.generateProducerId()]).toEqual([0, 1, 2]);
    expect(readFileSync(join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8')).toBe(`0\n${PRODUCER_ID_BLOCK_SIZE}\n`);
  });

  it('never repeats an id after a reopen (as after kill -9 mid-block)', () => {
    const first = ProducerIdManager.open(dir);
    const issued = new Set<number>();
    for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE + 5; i++) issued.add(first.generateProducerId());
    const second = ProducerIdManager.open(dir); // no clean shutdown needed
    const next = second.generateProducerId();
    expect(issued.has(next)).toBe(false);
    expect(next).toBe(2 * PRODUCER_ID_BLOCK_SIZE);
  });

  it('refuses an unreadable reservation file instead of reusing ids', () => {
    writeFileSync(join(dir, PRODUCER_ID_BLOCK_FILE), 'garbage');
    expect(() => ProducerIdManager.open(dir)).toThrow(/unreadable producer id block/);
  });
});
