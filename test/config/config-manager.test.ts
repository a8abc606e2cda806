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

  it('reports broker.id alone under node.id too, and node.id as a default when neither is set', () => {
    expect(find(setup({ 'broker.id': '3' }).cm.describeBroker('3', ['node.id']), 'node.id')).toMatchObject({
      value: '3',
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
    expect(find(setup().cm.describeBroker('1', ['node.id']), 'node.id')).toMatchObject({ value: '1', source: ConfigSource.DEFAULT_CONFIG });
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

  it('describes only the cluster-default dynamic configs for the empty resource name', () => {
    const { cm } = setup();
    expect(cm.describeBroker('', null)).toEqual([]);
    cm.alterBroker('', new Map([['log.segment.bytes', '2097152']]), false);
    const entries = cm.describeBroker('', null);
    expect(entries.map((c) => [c.name, c.value, c.source])).toEqual([
      ['log.segment.bytes', '2097152', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
  });

  it('refuses read-only, unknown and bad broker values with INVALID_REQUEST and changes nothing', () => {
    const { cm } = setup();
    const ro = kafkaError(() => cm.alterBroker('1', new Map([['num.partitions', '4']]), false));
    expect(ro.errorName).toBe('INVALID_REQUEST');
    expect(ro.message).toContain('num.partitions');
    expect(kafkaError(() => cm.alterBroker('1', new Map([['bogus', '1']]), false)).message).toContain('bogus');
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
    first.cm.alterBroker('', new Map([['log.roll.ms', '60000']]), false);
    const again = setup({}, first.dir);
    expect(again.cm.logConfig().segmentMs).toBe(60000);
    expect(again.cm.brokerOverrides('').get('log.roll.ms')).toBe('60000');
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
    expect(find(entries, 'retention.ms')).toMatchObject({
      value: '3600000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.hours', value: '1', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(find(entries, 'remote.storage.enable')).toMatchObject({ value: 'false', source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(find(entries, 'cleanup.policy').value).toBe('delete');
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
