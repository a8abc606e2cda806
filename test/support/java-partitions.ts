// Where Kafka's own Java producer puts keyed records: produces the keys with kafka-console-producer
// (parse.key=true, the Java client's built-in partitioner) and reads back each key's partition.
import { KafkaTool, kafkaToolOk } from './kafka-tools.js';
import { kcatConsumeTopic } from './kcat-json.js';

/**
 * Produces one record per key (value = the key's index) into `topic` with the Java console
 * producer and returns the partition the Java client chose for each key. Keys must be text
 * without tabs or newlines (the console producer's line format).
 */
export async function javaPartitionsOf(bootstrap: string, topic: string, keys: string[]): Promise<Map<string, number>> {
  for (const k of keys) if (/[\t\r\n]/.test(k)) throw new Error(`key ${JSON.stringify(k)} cannot go through the console producer`);
  await kafkaToolOk(
    KafkaTool.consoleProducer,
    ['--bootstrap-server', bootstrap, '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=\t',
      '--producer-property', 'linger.ms=5'],
    { input: keys.map((k, i) => `${k}\t${i}`).join('\n') + '\n' },
  );
  const consumed = await kcatConsumeTopic(bootstrap, topic);
  if (consumed.length !== keys.length) throw new Error(`console producer wrote ${consumed.length} of ${keys.length} records to ${topic}`);
  const out = new Map<string, number>();
  for (const r of consumed) {
    const i = Number(r.value!.toString());
    if (r.key?.toString('utf8') !== keys[i]) throw new Error(`record ${i} of ${topic} came back with key ${r.key?.toString('utf8')}`);
    out.set(keys[i]!, r.partition);
  }
  return out;
}
