// Compiles SuiteClients.java (keyed producer for W6, fixed-rate end-to-end latency for W5) against
// Kafka's jars with javac at bench time, into .cache/bench/classes.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../producer/broker.js';
import { kafkaLib } from './jvm.js';
import { runProcess, describeResult } from '../../test/support/run-process.js';

const source = path.join(repoRoot, 'bench/suite/java/SuiteClients.java');

/** Compiles the clients; resolves with the class path that runs them. */
export async function compileSuiteClients(benchDir: string): Promise<string> {
  const out = path.join(benchDir, 'classes');
  await mkdir(out, { recursive: true });
  const r = await runProcess('javac', ['-d', out, '-cp', `${kafkaLib}/*`, source], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(describeResult('javac SuiteClients.java', r));
  return `${out}:${kafkaLib}/*`;
}
