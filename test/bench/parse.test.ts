// The parsers of Kafka's perf tools' summaries: the suite's figures come from these lines.
import { describe, expect, it } from 'vitest';
import { parseConsumerPerformance, parseEndToEndLatency, parseJsonLine, parseProducerPerformance } from '../../bench/suite/parse.js';

describe('parseProducerPerformance', () => {
  it('reads the final summary, not the 5-second progress lines', () => {
    const out = [
      '523412 records sent, 104682.4 records/sec (102.23 MB/sec), 150.3 ms avg latency, 560.0 ms max latency.',
      '1000000 records sent, 139781.9 records/sec (136.51 MB/sec), 120.55 ms avg latency, 612.00 ms max latency, 96 ms 50th, 400 ms 95th, 556 ms 99th, 600 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(out)).toEqual({
      records: 1_000_000,
      recordsPerSec: 139781.9,
      mbPerSec: 136.51,
      avgMs: 120.55,
      p50Ms: 96,
      p99Ms: 556,
      p999Ms: 600,
    });
  });

  it('fails with the output when there is no summary', () => {
    expect(() => parseProducerPerformance('org.apache.kafka.common.errors.TimeoutException: boom')).toThrow(/TimeoutException: boom/);
  });
});

describe('parseConsumerPerformance', () => {
  it('reads fetch-time throughput from the CSV summary', () => {
    const out = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-23 16:34:10:100, 2026-11-23 16:34:13:300, 48.8281, 15.2588, 50000, 15625.0000, 2802, 398, 122.6837, 125628.1407',
    ].join('\n');
    expect(parseConsumerPerformance(out)).toEqual({
      mb: 48.8281,
      records: 50000,
      fetchMbPerSec: 122.6837,
      fetchRecordsPerSec: 125628.1407,
      fetchMs: 398,
    });
  });

  it('fails when the header or data line is missing', () => {
    expect(() => parseConsumerPerformance('WARN nothing consumed')).toThrow(/no ConsumerPerformance header/);
    expect(() => parseConsumerPerformance('start.time, end.time, fetch.MB.sec\n')).toThrow(/no ConsumerPerformance data line/);
  });
});

describe('parseEndToEndLatency', () => {
  // stdout of EndToEndLatency 4.1.1 in W5 runs of the suite (Kafka, 3,000 messages; Sluice, 300).
  it('reads the mean and the percentiles after the tab-separated progress lines', () => {
    const kafka = ['0\t286.44647100000003', '1000\t1.583221', '2000\t2.819975', 'Avg latency: 7.9710 ms', 'Percentiles: 50th = 3, 99th = 79, 99.9th = 239', ''].join('\n');
    expect(parseEndToEndLatency(kafka)).toEqual({ avgMs: 7.971, p50Ms: 3, p99Ms: 79, p999Ms: 239 });
    const sluice = ['0\t349.501958', 'Avg latency: 11.7538 ms', 'Percentiles: 50th = 5, 99th = 73, 99.9th = 349', ''].join('\n');
    expect(parseEndToEndLatency(sluice)).toEqual({ avgMs: 11.7538, p50Ms: 5, p99Ms: 73, p999Ms: 349 });
  });

  it('fails with the output when the run ended before its summary', () => {
    const out = '0\t412.5\npoll() timed out before finding a result (timeout:[60000])\n';
    expect(() => parseEndToEndLatency(out)).toThrow(/no EndToEndLatency summary[^]*poll\(\) timed out/);
    expect(() => parseEndToEndLatency('Avg latency: 7.9710 ms\n')).toThrow(/no EndToEndLatency summary/);
  });
});

describe('parseJsonLine', () => {
  it('takes the last JSON line after the client log lines', () => {
    expect(parseJsonLine<{ a: number }>('[main] WARN x\n{"a":1}\n{"a":2}\n')).toEqual({ a: 2 });
  });
});
