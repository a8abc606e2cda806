// Runs Apache Kafka's own CLI tools (from the jars fetched by scripts/setup-kafka.sh) against a broker.
import { existsSync } from 'node:fs';
import { kafkaLib, kafkaToolsLog4j } from './paths.js';
import { runProcess, describeResult, type ProcessResult, type RunOptions } from './run-process.js';

/** Main classes of the Kafka 4.1 tools the tests use (the kafka-*.sh scripts' targets). */
export const KafkaTool = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  consoleProducer: 'org.apache.kafka.tools.ConsoleProducer',
  consoleConsumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  configs: 'kafka.admin.ConfigCommand',
  getOffsets: 'org.apache.kafka.tools.GetOffsetShell',
  deleteRecords: 'org.apache.kafka.tools.DeleteRecordsCommand',
  logDirs: 'org.apache.kafka.tools.LogDirsCommand',
  brokerApiVersions: 'org.apache.kafka.tools.BrokerApiVersionsCommand',
  producerPerfTest: 'org.apache.kafka.tools.ProducerPerformance',
  dumpLog: 'kafka.tools.DumpLogSegments',
  consumerGroups: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  verifiableProducer: 'org.apache.kafka.tools.VerifiableProducer',
  verifiableConsumer: 'org.apache.kafka.tools.VerifiableConsumer',
} as const;

// One of the tool main classes above.
type KafkaToolClass = (typeof KafkaTool)[keyof typeof KafkaTool];

/**
 * The `java` arguments that run a Kafka tool (for tools a test keeps running, e.g. group
 * consumers); `jvmOptions` come last before the class path, so they override the defaults.
 */
export function kafkaToolArgs(main: KafkaToolClass, args: string[], jvmOptions: string[] = []): string[] {
  if (!existsSync(kafkaLib)) throw new Error(`Kafka jars missing in ${kafkaLib}: run scripts/setup-kafka.sh (or make setup)`);
  return [
    '-Xms64m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j2.configurationFile=${kafkaToolsLog4j}`,
    ...jvmOptions,
    '-cp',
    `${kafkaLib}/*`,
    main,
    ...args,
  ];
}

/** Runs a Kafka tool by main class; resolves with its exit code and output (never rejects on failure). */
export async function kafkaTool(main: KafkaToolClass, args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return runProcess('java', kafkaToolArgs(main, args), { timeoutMs: 90_000, ...opts });
}

/** Like kafkaTool, but throws with the tool's output unless it exits 0. */
export async function kafkaToolOk(main: KafkaToolClass, args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  const r = await kafkaTool(main, args, opts);
  if (r.code !== 0) throw new Error(describeResult(`${main} ${args.join(' ')}`, r));
  return r;
}
