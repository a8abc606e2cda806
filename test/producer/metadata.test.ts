// ProducerMetadata's refresh timing (Java's Metadata.timeToNextUpdate / timeToAllowUpdate, KIP-580).
import { describe, expect, test } from 'vitest';
import type { MetadataResponse } from '../../src/protocol/index.js';
import { ProducerMetadata } from '../../src/producer/metadata.js';

/** An answer for topic t: unknown (partitions undefined), or its partitions' leader epochs. */
function answer(epochs?: number[]): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'a', port: 1, rack: null }],
    clusterId: 'c',
    controllerId: 1,
    clusterAuthorizedOperations: 0,
    topics: [
      {
        errorCode: epochs === undefined ? 3 : 0,
        name: 't',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        topicAuthorizedOperations: 0,
        partitions: (epochs ?? []).map((leaderEpoch, i) => ({ errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch, replicaNodes: [], isrNodes: [], offlineReplicas: [] })),
      },
    ],
  };
}

describe('ProducerMetadata refresh timing', () => {
  test('a new topic is fetched at once', () => {
    const m = new ProducerMetadata(100, 1000, 300_000);
    m.update(answer([0]), 10_000);
    expect(m.timeToNextUpdate(10_001)).toBeGreaterThan(0);
    m.add('other');
    expect(m.timeToNextUpdate(10_001)).toBe(0);
  });

  test('a requested refresh waits retryBackoffMs after the last one, growing while answers show no progress', () => {
    const m = new ProducerMetadata(100, 1000, 300_000);
    m.add('t');
    let now = 10_000;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      m.update(answer(), now); // the topic stays unknown: no progress
      expect(m.timeToNextUpdate(now)).toBeGreaterThan(0);
      const wait = m.timeToNextUpdate(now);
      waits.push(wait);
      now += wait;
      expect(m.timeToNextUpdate(now)).toBe(0);
    }
    // 100, 200, 400, 800, 1000, 1000 ms ±20%
    expect(waits[0]).toBeGreaterThanOrEqual(80);
    expect(waits[0]).toBeLessThanOrEqual(120);
    expect(waits[3]).toBeGreaterThanOrEqual(640);
    expect(waits[5]).toBeLessThanOrEqual(1000);
    expect(waits[5]).toBeGreaterThanOrEqual(800);
  });

  test('an answer with a newer leader epoch is progress: the backoff starts over', () => {
    const m = new ProducerMetadata(100, 1000, 300_000);
    m.add('t');
    let now = 10_000;
    m.update(answer([0]), now);
    for (let i = 0; i < 4; i++) {
      m.requestUpdate();
      now += m.timeToNextUpdate(now);
      m.update(answer([0]), now);
    }
    m.requestUpdate();
    expect(m.timeToNextUpdate(now)).toBeGreaterThanOrEqual(640);
    m.update(answer([1]), now);
    m.requestUpdate();
    expect(m.timeToNextUpdate(now)).toBeLessThanOrEqual(120);
  });

  test('without a request, the next refresh is metadataMaxAgeMs after the last success', () => {
    const m = new ProducerMetadata(100, 1000, 5_000);
    m.add('t');
    m.update(answer([0]), 10_000);
    expect(m.timeToNextUpdate(10_000)).toBe(5_000);
  });

  test('an answer to a request built before a topic was added leaves the refresh pending', () => {
    const m = new ProducerMetadata(100, 1000, 300_000);
    m.add('t');
    const version = m.currentRequestVersion;
    m.add('other');
    m.update(answer([0]), 10_000, version);
    expect(m.timeToNextUpdate(10_200)).toBe(0);
  });
});
