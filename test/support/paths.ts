// Locations the end-to-end harness needs: the repository root, the CLI, Kafka's jars.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, whatever directory the tests run from. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `sluice` executable the tests start as a child process. */
export const sluiceBin = path.join(repoRoot, 'bin/sluice.js');
/** Kafka's jars, fetched by scripts/setup-kafka.sh. */
export const kafkaLib = path.join(repoRoot, '.cache/kafka/lib');
/** Quiet log4j2 configuration for Kafka's tools. */
export const kafkaToolsLog4j = path.join(repoRoot, 'tools/kafka/log4j2-tools.properties');
