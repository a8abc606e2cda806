import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSource, type DescribedConfig } from '../../src/config/config-describer.js';
import { ConfigManager, validateTopicConfigs } from '../../src/config/config-manager.js';
import { brokerConfigFromProps } from '../../src/config/server-properties.js';
import { MetadataStore } from '../../src/metadata/metadata-store.js';
import { KafkaError } from '../../src/protocol/errors.js';

function setup(props: Record<string, string> = {}, dir = mkdtempSync(join(tmpdir(), 'sluice-cm-'))) {
  const config = brokerConfigFromProps(new Map(Object.entries({ 'log.dirs': dir, ...props })), () => {});
  const store = MetadataStore.open(dir);
  return { dir, config, store, cm: new ConfigManager(config, store) };
}

const find = (entries: DescribedConfig[], name: string) => {
  const e = entries.find((c) => c.name === name);
  if (!e) throw new Error(`no ${name}`);
  return e;
};

function kafkaError(fn: () => unknown): KafkaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('ConfigManager: broker configs', () => {
  it('describes every known broker key with its source, read-only flag and type', () => {
    const { cm } = setup({ 'num.partitions': '3' });
    const all = cm.describeBroker('1', null);
    expect(all.length).toBeGreaterThan(50);
    const np = find(all, 'num.partitions');
    expect(np).toMatchObject({ value: '3', source: ConfigSource.STATIC_BROKER_CONFIG, readOnly: true, configType: 3 });
    expect(np.synonyms).toEqual([
      { name: 'num.partitions', value: '3', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'num.partitions', value: '1', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    const seg = find(all, 'log.segment.bytes');
    expect(seg).toMatchObject({ value: '1073741824', source: ConfigSource.DEFAULT_CONFIG, readOnly: false });
    expect(find(all, 'log.cleaner.min.cleanable.ratio').value).toBe('0.5');
    expect(find(all, 'log.flush.interval.messages').value).toBe('9223372036854775807');
    expect(find(all, 'log.cleanup.policy')).toMatchObject({ value: 'delete', configType: 7 });
  });

  it('reports node.id and broker.id as each other when only one is set (Kafka: populateSynonyms)', () => {
    const fromBrokerId = setup({ 'broker.id': '3' }).cm.describeBroker('3', ['node.id', 'broker.id']);
    expect(find(fromBrokerId, 'node.id')).toMatchObject({
      value: '3',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [{ name: 'node.id', value: '3', source: ConfigSource.STATIC_BROKER_CONFIG }],
    });
    const fromNodeId = setup({ 'node.id': '1' }).cm.describeBroker('1', ['node.id', 'broker.id']);
    // Kafka 4.1 describes broker 1 (node.id=1) with broker.id=1 from the file over its default -1.
    expect(find(fromNodeId, 'broker.id')).toMatchObject({
      value: '1',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      readOnly: true,
      synonyms: [
        { name: 'broker.id', value: '1', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'broker.id', value: '-1', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(find(fromNodeId, 'node.id').synonyms).toEqual([{ name: 'node.id', value: '1', source: ConfigSource.STATIC_BROKER_CONFIG }]);
  });

  it("reports log.dir with Kafka's default and no synonym chain when log.dirs is the one set", () => {
    const all = setup().cm.describeBroker('1', ['log.dir', 'log.dirs']);
    expect(find(all, 'log.dir')).toMatchObject({
      value: '/tmp/kafka-logs',
      source: ConfigSource.DEFAULT_CONFIG,
      synonyms: [{ name: 'log.dir', value: '/tmp/kafka-logs', source: ConfigSource.DEFAULT_CONFIG }],
    });
    const dirs = find(all, 'log.dirs');
    expect(dirs.source).toBe(ConfigSource.STATIC_BROKER_CONFIG);
    expect(dirs.synonyms.map((e) => e.name)).toEqual(['log.dirs']);
  });

  it('shows the directory Sluice uses as log.dirs when the configuration names none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cm-'));
    const config = brokerConfigFromProps(new Map(), () => {});
    const cm = new ConfigManager(config, MetadataStore.open(dir));
    expect(find(cm.describeBroker('1', ['log.dirs']), 'log.dirs')).toMatchObject({
      value: config.logDirs.join(','),
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
  });

  it('filters by the requested keys and leaves unknown keys out', () => {
    const { cm } = setup();
    expect(cm.describeBroker('1', ['message.max.bytes', 'no.such.key']).map((c) => c.name)).toEqual(['message.max.bytes']);
  });

  it('layers dynamic per-broker over cluster default over static, with synonyms in that order', () => {
    const { cm } = setup({ 'log.retention.hours': '24' });
    cm.alterBroker('', new Map([['log.retention.ms', '1000']]), false);
    cm.alterBroker('1', new Map([['log.retention.ms', '2000']]), false);
    const e = find(cm.describeBroker('1', ['log.retention.ms']), 'log.retention.ms');
    expect(e.value).toBe('2000');
    expect(e.source).toBe(ConfigSource.DYNAMIC_BROKER_CONFIG);
    expect(e.synonyms).toEqual([
      { name: 'log.retention.ms', value: '2000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'log.retention.ms', value: '1000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '24', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    expect(cm.logConfig().retentionMs).toBe(2000);
    cm.alterBroker('1', new Map(), false);
    expect(cm.logConfig().retentionMs).toBe(1000);
  });

  it('lists synonyms source by source, then drops those before the described key (ConfigHelper)', () => {
    // Kafka orders by source first: a static log.retention.ms comes after a dynamic log.retention.minutes.
    const { cm } = setup({ 'log.retention.ms': '5000' });
    cm.alterBroker('1', new Map([['log.retention.ms', '3600000']]), false);
    const all = cm.describeBroker('1', ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']);
    expect(find(all, 'log.retention.ms').synonyms).toEqual([
      { name: 'log.retention.ms', value: '3600000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'log.retention.ms', value: '5000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    // Kafka 4.1 with dynamic log.retention.ms=3600000 on broker 1: the longer units keep their own view.
    expect(find(all, 'log.retention.hours')).toMatchObject({
      value: '168',
      source: ConfigSource.DEFAULT_CONFIG,
      readOnly: true,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }],
    });
    expect(find(all, 'log.retention.minutes')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG, readOnly: true, synonyms: [] });
  });

  it('gives an unset log.flush.interval.ms no synonyms and log.flush.scheduler.interval.ms only its own', () => {
    const { cm } = setup();
    const all = cm.describeBroker('1', ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms', 'log.roll.ms']);
    expect(find(all, 'log.flush.interval.ms')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(all, 'log.roll.ms')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(all, 'log.flush.scheduler.interval.ms')).toMatchObject({
      readOnly: true,
      synonyms: [{ name: 'log.flush.scheduler.interval.ms', value: '9223372036854775807', source: ConfigSource.DEFAULT_CONFIG }],
    });
    cm.alterBroker('', new Map([['log.flush.interval.ms', '2000']]), false);
    expect(find(cm.describeBroker('1', ['log.flush.interval.ms']), 'log.flush.interval.ms').synonyms).toEqual([
      { name: 'log.flush.interval.ms', value: '2000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { name: 'log.flush.scheduler.interval.ms', value: '9223372036854775807', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  it('refuses dynamic changes to the hour and minute units, as Kafka marks them read-only', () => {
    const { cm } = setup();
    for (const name of ['log.retention.hours', 'log.retention.minutes', 'log.roll.hours', 'log.roll.jitter.hours']) {
      const err = kafkaError(() => cm.alterBroker('1', new Map([[name, '5']]), false));
      expect(err.errorName).toBe('INVALID_REQUEST');
      expect(err.message).toBe(`Cannot update these configs dynamically: Set(${name})`);
    }
  });

  it('describes only the cluster-default dynamic configs for the empty resource name, without default synonyms', () => {
    const { cm } = setup();
    // Kafka 4.1 records the cluster-level min.insync.replicas on first start.
    expect(cm.describeBroker('', null).map((c) => [c.name, c.value, c.source])).toEqual([
      ['min.insync.replicas', '1', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
    cm.alterBroker('', new Map([['min.insync.replicas', '1'], ['log.segment.bytes', '2097152'], ['log.flush.interval.ms', '2000']]), false);
    const entries = cm.describeBroker('', null);
    expect(entries.map((c) => [c.name, c.value, c.source])).toEqual([
      ['min.insync.replicas', '1', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.segment.bytes', '2097152', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.flush.interval.ms', '2000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
    // Kafka 4.1 --entity-default: only the dynamic default layer, no DEFAULT_CONFIG synonym.
    expect(find(entries, 'log.segment.bytes').synonyms).toEqual([
      { name: 'log.segment.bytes', value: '2097152', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
    ]);
    expect(find(entries, 'log.flush.interval.ms').synonyms).toEqual([
      { name: 'log.flush.interval.ms', value: '2000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
    ]);
  });

  it('keeps the cluster-level min.insync.replicas from the static config and refuses removing it from clients', () => {
    const { cm, dir } = setup({ 'min.insync.replicas': '2' });
    expect(cm.brokerOverrides('').get('min.insync.replicas')).toBe('2');
    const err = kafkaError(() => cm.alterBroker('', new Map([['log.segment.bytes', '2097152']]), false, true));
    expect(err.errorName).toBe('INVALID_CONFIG');
    expect(err.message).toBe('Cluster-level min.insync.replicas cannot be removed while ELR is enabled.');
    cm.alterBroker('', new Map([['min.insync.replicas', '1']]), false, true);
    expect(setup({ 'min.insync.replicas': '2' }, dir).cm.brokerOverrides('').get('min.insync.replicas')).toBe('1');
  });

  it('keeps unknown broker configs as custom dynamic configs, described like Kafka does', () => {
    const { cm } = setup();
    cm.alterBroker('1', new Map([['unknown.cfg', '5']]), false);
    expect(cm.brokerOverrides('1').get('unknown.cfg')).toBe('5');
    // Kafka 4.1 after --add-config unknown.cfg=5: no value, sensitive, read-only, UNKNOWN type.
    expect(find(cm.describeBroker('1', null), 'unknown.cfg')).toEqual({
      name: 'unknown.cfg',
      value: null,
      readOnly: true,
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
      isSensitive: true,
      synonyms: [{ name: 'unknown.cfg', value: null, source: ConfigSource.DYNAMIC_BROKER_CONFIG }],
      configType: 0,
    });
  });

  it('refuses read-only and bad broker values with INVALID_REQUEST and changes nothing', () => {
    const { cm } = setup();
    const ro = kafkaError(() => cm.alterBroker('1', new Map([['num.partitions', '4']]), false));
    expect(ro.errorName).toBe('INVALID_REQUEST');
    expect(ro.message).toContain('num.partitions');
    expect(kafkaError(() => cm.alterBroker('1', new Map([['bogus', '1'], ['log.cleaner.enable', 'false']]), false)).message).toContain(
      'log.cleaner.enable',
    );
    const bad = kafkaError(() => cm.alterBroker('1', new Map([['log.segment.bytes', 'x']]), false));
    expect(bad.errorName).toBe('INVALID_REQUEST');
    expect(bad.message).toContain('log.segment.bytes');
    expect(kafkaError(() => cm.describeBroker('2', null)).errorName).toBe('INVALID_REQUEST');
    expect(cm.brokerOverrides('1').size).toBe(0);
  });

  it('validate-only changes nothing; listeners hear about real changes', () => {
    const { cm } = setup();
    let calls = 0;
    cm.onChange(() => calls++);
    cm.alterBroker('1', new Map([['log.segment.bytes', '2097152']]), true);
    expect(cm.logConfig().segmentBytes).toBe(1073741824);
    expect(calls).toBe(0);
    cm.alterBroker('1', new Map([['log.segment.bytes', '2097152']]), false);
    expect(cm.logConfig().segmentBytes).toBe(2097152);
    expect(calls).toBe(1);
  });

  it('persists dynamic configs across a reopen', () => {
    const first = setup();
    first.cm.alterBroker('', new Map([['log.roll.ms', '60000'], ['min.insync.replicas', '1']]), false, true);
    first.cm.alterBroker('1', new Map([['unknown.cfg', '5']]), false, true);
    const again = setup({}, first.dir);
    expect(again.cm.logConfig().segmentMs).toBe(60000);
    expect(again.cm.brokerOverrides('')).toEqual(new Map([['log.roll.ms', '60000'], ['min.insync.replicas', '1']]));
    expect(again.cm.brokerOverrides('1')).toEqual(new Map([['unknown.cfg', '5']]));
  });
});

describe('ConfigManager: topic configs', () => {
  it('describes every topic config; an override is TOPIC_CONFIG, else it falls back to the broker synonym', () => {
    const { cm } = setup({ 'log.retention.hours': '1' });
    const entries = cm.describeTopic(new Map([['segment.bytes', '1048576']]), null);
    expect(entries.length).toBeGreaterThan(25);
    expect(find(entries, 'segment.bytes')).toMatchObject({
      value: '1048576',
      source: ConfigSource.TOPIC_CONFIG,
      readOnly: false,
      synonyms: [
        { name: 'segment.bytes', value: '1048576', source: ConfigSource.TOPIC_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    // Kafka starts the synonyms at log.retention.ms itself: set only in hours, retention.ms has none.
    expect(find(entries, 'retention.ms')).toMatchObject({ value: '3600000', source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(entries, 'segment.ms')).toMatchObject({ value: '604800000', source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(entries, 'flush.ms')).toMatchObject({ source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(entries, 'remote.storage.enable')).toMatchObject({ value: 'false', source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    for (const name of ['remote.log.copy.disable', 'remote.log.delete.on.disable']) {
      expect(find(entries, name)).toMatchObject({ value: 'false', source: ConfigSource.DEFAULT_CONFIG, synonyms: [], configType: 1 });
    }
    expect(find(entries, 'cleanup.policy').value).toBe('delete');
  });

  it("matches Kafka 4.1's topic synonyms under dynamic broker and default settings", () => {
    const { cm } = setup();
    cm.alterBroker('1', new Map([['log.retention.ms', '3600000'], ['log.roll.jitter.ms', '5000']]), false);
    cm.alterBroker('', new Map([['min.insync.replicas', '1'], ['log.flush.interval.ms', '2000'], ['log.retention.ms', '7200000']]), false);
    const plain = cm.describeTopic(new Map(), null);
    expect(find(plain, 'retention.ms')).toMatchObject({
      value: '3600000',
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '3600000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
        { name: 'log.retention.ms', value: '7200000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(find(plain, 'flush.ms')).toMatchObject({
      value: '2000',
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      synonyms: [
        { name: 'log.flush.interval.ms', value: '2000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.flush.scheduler.interval.ms', value: '9223372036854775807', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(find(plain, 'segment.jitter.ms').synonyms).toEqual([
      { name: 'log.roll.jitter.ms', value: '5000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'log.roll.jitter.hours', value: '0', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    const overridden = cm.describeTopic(new Map([['retention.ms', '100000'], ['segment.ms', '200000']]), null);
    expect(find(overridden, 'retention.ms').synonyms.map((e) => [e.source, e.name])).toEqual([
      [ConfigSource.TOPIC_CONFIG, 'retention.ms'],
      [ConfigSource.DYNAMIC_BROKER_CONFIG, 'log.retention.ms'],
      [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, 'log.retention.ms'],
      [ConfigSource.DEFAULT_CONFIG, 'log.retention.hours'],
    ]);
    expect(find(overridden, 'segment.ms').synonyms).toEqual([{ name: 'segment.ms', value: '200000', source: ConfigSource.TOPIC_CONFIG }]);
  });

  it('topic overrides beat dynamic broker defaults in the log config', () => {
    const { cm } = setup();
    cm.alterBroker('', new Map([['log.retention.ms', '1000']]), false);
    expect(cm.logConfig().retentionMs).toBe(1000);
    expect(cm.logConfig(new Map([['retention.ms', '5']])).retentionMs).toBe(5);
  });

  it('validateTopicConfigs: unknown names and bad values are INVALID_CONFIG naming the key', () => {
    expect(() => validateTopicConfigs(new Map([['retention.ms', '10'], ['cleanup.policy', 'compact,delete']]))).not.toThrow();
    const unknown = kafkaError(() => validateTopicConfigs(new Map([['retention.hours', '1']])));
    expect(unknown.errorName).toBe('INVALID_CONFIG');
    expect(unknown.message).toContain('retention.hours');
    const bad = kafkaError(() => validateTopicConfigs(new Map([['cleanup.policy', 'shred']])));
    expect(bad.errorName).toBe('INVALID_CONFIG');
    expect(bad.message).toContain('shred');
    expect(kafkaError(() => validateTopicConfigs(new Map([['segment.ms', '0']]))).message).toMatch(/at least 1/);
    expect(kafkaError(() => validateTopicConfigs(new Map([['retention.ms', null]]))).errorName).toBe('INVALID_CONFIG');
  });
});
