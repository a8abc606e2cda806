import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/broker-config.js';
import { loadBrokerConfig } from '../../src/config/server-properties.js';

function load(overrides: string[], file?: string) {
  const warnings: string[] = [];
  const config = loadBrokerConfig({ configFile: file, overrides, warn: (m) => warnings.push(m) });
  return { config, warnings };
}

function fileWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  const path = join(dir, 'server.properties');
  writeFileSync(path, text);
  return path;
}

describe('loadBrokerConfig', () => {
  it('defaults to node 1 on PLAINTEXT://127.0.0.1:9092 with data in ./data', () => {
    const { config, warnings } = load([]);
    expect(config.nodeId).toBe(1);
    expect(config.listeners).toEqual([{ listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
    expect(config.advertisedListeners).toEqual(config.listeners);
    expect(config.logDirs).toEqual([resolve('data')]);
    expect(config.numPartitions).toBe(1);
    expect(config.autoCreateTopicsEnable).toBe(true);
    expect(config.defaultReplicationFactor).toBe(1);
    expect(config.socketRequestMaxBytes).toBe(104857600);
    expect(config.logDefaults.segmentBytes).toBe(1073741824);
    expect(config.logDefaults.retentionMs).toBe(7 * 24 * 3600 * 1000);
    expect(config.logDefaults.maxMessageBytes).toBe(1048588);
    expect(config.logDefaults.flushMessages).toBe(Number.MAX_SAFE_INTEGER);
    expect(warnings).toEqual([]);
  });

  it('reads a Kafka KRaft server.properties: controller listener left out, known keys silent', () => {
    const file = fileWith(
      [
        'process.roles=broker,controller',
        'node.id=7',
        'controller.quorum.voters=7@localhost:9093',
        'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
        'inter.broker.listener.name=PLAINTEXT',
        'advertised.listeners=PLAINTEXT://localhost:9092',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL',
        'num.network.threads=3',
        'num.io.threads=8',
        'socket.send.buffer.bytes=102400',
        'socket.receive.buffer.bytes=102400',
        'socket.request.max.bytes=104857600',
        'log.dirs=/tmp/a,/tmp/b',
        'num.partitions=3',
        'num.recovery.threads.per.data.dir=1',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'log.retention.hours=168',
        'log.segment.bytes=1073741824',
        'log.retention.check.interval.ms=300000',
        'group.initial.rebalance.delay.ms=0',
      ].join('\n'),
    );
    const { config, warnings } = load([], file);
    expect(warnings).toEqual([]);
    expect(config.nodeId).toBe(7);
    expect(config.listeners).toEqual([{ listenerName: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(config.advertisedListeners).toEqual([{ listenerName: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
    expect(config.logDirs).toEqual(['/tmp/a', '/tmp/b']);
    expect(config.numPartitions).toBe(3);
  });

  it('warns about an unknown key, naming it, and still starts', () => {
    const { config, warnings } = load(['zookeeper.connect=localhost:2181', 'num.partitions=2']);
    expect(config.numPartitions).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('zookeeper.connect');
  });

  it('fails on a bad value with an error naming the key and the value', () => {
    const bad: [string, RegExp][] = [
      ['log.segment.bytes=big', /log\.segment\.bytes.*|big/],
      ['num.partitions=0', /num\.partitions/],
      ['auto.create.topics.enable=yes', /auto\.create\.topics\.enable/],
      ['log.message.timestamp.type=WallClock', /log\.message\.timestamp\.type/],
      ['message.max.bytes=99999999999', /message\.max\.bytes/],
      ['listeners=PLAINTEXT://localhost', /listeners/],
    ];
    for (const [override, pattern] of bad) {
      const value = override.slice(override.indexOf('=') + 1);
      let caught: unknown;
      try {
        load([override]);
      } catch (err) {
        caught = err;
      }
      expect(caught, override).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(pattern);
      expect((caught as Error).message).toContain(value);
    }
  });

  it('refuses default.replication.factor above 1 with a clear message', () => {
    expect(() => load(['default.replication.factor=3'])).toThrow(
      /Invalid value 3 for configuration default\.replication\.factor: .*only 1/,
    );
  });

  it('refuses non-PLAINTEXT client listeners', () => {
    expect(() => load(['listeners=SSL://:9093'])).toThrow(/PLAINTEXT/);
  });

  it('rejects node.id and broker.id that disagree, and takes broker.id alone', () => {
    expect(() => load(['node.id=1', 'broker.id=2'])).toThrow(/broker\.id/);
    expect(load(['broker.id=4']).config.nodeId).toBe(4);
  });

  it('applies retention precedence ms > minutes > hours', () => {
    expect(load(['log.retention.hours=1']).config.logDefaults.retentionMs).toBe(3_600_000);
    expect(load(['log.retention.hours=1', 'log.retention.minutes=2']).config.logDefaults.retentionMs).toBe(120_000);
    expect(
      load(['log.retention.hours=1', 'log.retention.minutes=2', 'log.retention.ms=5000']).config.logDefaults.retentionMs,
    ).toBe(5000);
    expect(load(['log.retention.ms=-1']).config.logDefaults.retentionMs).toBe(-1);
    expect(load(['log.retention.hours=-1']).config.logDefaults.retentionMs).toBe(-1);
  });

  it('maps the log.* keys onto the log defaults (roll ms > hours, flush, index, timestamps)', () => {
    const d = load([
      'log.roll.hours=2',
      'log.segment.bytes=1048576',
      'log.index.interval.bytes=100',
      'log.flush.interval.messages=1',
      'log.flush.interval.ms=10',
      'message.max.bytes=2000',
      'log.retention.bytes=5000',
      'log.message.timestamp.type=LogAppendTime',
    ]).config.logDefaults;
    expect(d).toMatchObject({
      segmentMs: 7_200_000,
      segmentBytes: 1048576,
      indexIntervalBytes: 100,
      flushMessages: 1,
      flushMs: 10,
      maxMessageBytes: 2000,
      retentionBytes: 5000,
      messageTimestampType: 'LogAppendTime',
    });
    expect(load(['log.roll.hours=2', 'log.roll.ms=50']).config.logDefaults.segmentMs).toBe(50);
  });

  it('lets overrides win over the file and keeps every given key in props', () => {
    const file = fileWith('num.partitions=3\nlog.dir=/tmp/x\n');
    const { config } = load(['num.partitions=5', 'custom.key=1'], file);
    expect(config.numPartitions).toBe(5);
    expect(config.logDirs).toEqual(['/tmp/x']);
    expect(config.props.get('custom.key')).toBe('1');
  });

  it('keeps every interval within what a Node timer can hold (Long.MAX would fire every 1 ms)', () => {
    expect(load([]).config.flushCheckIntervalMs).toBe(1000);
    const c = load([
      'log.flush.scheduler.interval.ms=9223372036854775807',
      'log.retention.check.interval.ms=99999999999',
      'connections.max.idle.ms=99999999999',
    ]).config;
    expect(c.flushCheckIntervalMs).toBe(2 ** 31 - 1);
    expect(c.retentionCheckIntervalMs).toBe(2 ** 31 - 1);
    expect(c.connectionsMaxIdleMs).toBe(2 ** 31 - 1);
    expect(load(['log.flush.scheduler.interval.ms=250']).config.flushCheckIntervalMs).toBe(250);
  });

  it('prefers log.dirs over log.dir', () => {
    expect(load(['log.dir=/tmp/one', 'log.dirs=/tmp/two']).config.logDirs).toEqual(['/tmp/two']);
  });

  it('advertises 127.0.0.1 for a wildcard listener and refuses to advertise 0.0.0.0', () => {
    expect(load(['listeners=PLAINTEXT://0.0.0.0:0']).config.advertisedListeners).toEqual([
      { listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
    ]);
    expect(() => load(['listeners=PLAINTEXT://:9092', 'advertised.listeners=PLAINTEXT://0.0.0.0:9092'])).toThrow(
      /advertised\.listeners/,
    );
  });

  it('parses IPv6 listener hosts and rejects duplicate listener names', () => {
    expect(load(['listeners=PLAINTEXT://[::1]:9092']).config.listeners[0]).toEqual({
      listenerName: 'PLAINTEXT',
      host: '::1',
      port: 9092,
    });
    expect(() => load(['listeners=PLAINTEXT://:1,PLAINTEXT://:2'])).toThrow(/listeners/);
  });

  it('names the file when it cannot be read, and a malformed override', () => {
    expect(() => load([], '/nonexistent/server.properties')).toThrow(/nonexistent\/server\.properties/);
    expect(() => load(['num.partitions'])).toThrow(/num\.partitions/);
  });
});
