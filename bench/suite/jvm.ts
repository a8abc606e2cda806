// How the suite runs Java: the JVM flags of Kafka's own launch scripts, and one-shot tool runs.
import path from 'node:path';
import { repoRoot } from '../producer/broker.js';
import { runProcess, describeResult, type ProcessResult } from '../../test/support/run-process.js';

/** Kafka's jars, fetched by scripts/setup-kafka.sh. */
export const kafkaLib = path.join(repoRoot, '.cache/kafka/lib');

/** Kafka's log4j2 configuration for the tools: warnings and errors to stderr. */
export const TOOLS_LOG4J = path.join(repoRoot, 'tools/kafka/log4j2-tools.properties');

/** KAFKA_JVM_PERFORMANCE_OPTS of bin/kafka-run-class.sh (Kafka 4.1): every Kafka JVM here gets them. */
export const KAFKA_JVM_PERFORMANCE_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

/** KAFKA_HEAP_OPTS of bin/kafka-server-start.sh. */
export const BROKER_HEAP = ['-Xmx1G', '-Xms1G'];
/** KAFKA_HEAP_OPTS of bin/kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh. */
const TOOL_HEAP = ['-Xmx512M'];

/** The `java` argument list that runs `main` with the tool heap and quiet logging. */
export function toolArgs(main: string, args: string[], classPath = `${kafkaLib}/*`): string[] {
  return [
    ...TOOL_HEAP,
    ...KAFKA_JVM_PERFORMANCE_OPTS,
    `-Dlog4j2.configurationFile=${TOOLS_LOG4J}`,
    '-cp',
    classPath,
    main,
    ...args,
  ];
}

/** Runs a Java tool to completion; throws with its output unless it exits 0. */
export async function runTool(main: string, args: string[], timeoutMs: number, classPath?: string): Promise<ProcessResult> {
  const r = await runProcess('java', toolArgs(main, args, classPath), { timeoutMs, cwd: repoRoot });
  if (r.code !== 0) throw new Error(describeResult(`${main} ${args.join(' ')}`, r));
  return r;
}
