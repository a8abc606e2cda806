// The `java` client of the producer benchmark: Kafka's own KafkaProducer with its defaults, in
// ProducerBench.java, compiled at bench time against the jars scripts/setup-kafka.sh fetches (as
// the suite's Java clients are). It runs in its own JVM with the flags of Kafka's perf tools.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describeResult, runProcess } from '../../test/support/run-process.js';
import { kafkaLib, toolArgs } from '../suite/jvm.js';
import { repoRoot } from './broker.js';
import type { ChildConfig } from './child.js';

const source = path.join(repoRoot, 'bench/producer/java/ProducerBench.java');

/** Whether Kafka's jars are there (make bench-producer fetches them; a bare run.ts may not have them). */
export function kafkaJarsInstalled(): boolean {
  return existsSync(path.join(kafkaLib, 'kafka-clients-4.1.1.jar'));
}

/** Compiles ProducerBench.java; resolves with the class path that runs it. */
export async function compileProducerBench(): Promise<string> {
  const out = path.join(repoRoot, '.cache/bench/producer-classes');
  await mkdir(out, { recursive: true });
  const r = await runProcess('javac', ['-d', out, '-cp', `${kafkaLib}/*`, source], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(describeResult('javac ProducerBench.java', r));
  return `${out}:${kafkaLib}/*`;
}

/** The `java` argument list that runs one scenario as child.ts would. */
export function producerBenchArgs(classPath: string, cfg: ChildConfig): string[] {
  const acks = cfg.acks === 'all' ? 'all' : '1';
  const args = [cfg.bootstrap, cfg.topic, acks, cfg.valueSize, cfg.warmupSeconds, cfg.seconds, cfg.window, cfg.pacedRecords, cfg.pacedRate].map(String);
  return toolArgs('ProducerBench', args, classPath);
}
