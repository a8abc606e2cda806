// Kafka's meta.properties (KRaft, version 1): which cluster and node a log dir belongs to.
import * as path from 'node:path';
import { readTextIfExists, writeFileDurably } from './durable-file.js';
import { randomKafkaUuid } from './kafka-uuid.js';

/** The file name at each log dir root. */
const META_PROPERTIES_FILE = 'meta.properties';

/** The identity one log dir carries. */
export interface MetaProperties {
  version: number;
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

/** Raised when a log dir belongs to another node or cluster, or its meta.properties is unreadable. */
export class MetaPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetaPropertiesError';
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date#toString in UTC, the comment line java.util.Properties#store writes. */
function javaDateString(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${p(date.getUTCDate())} ` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** Writes meta.properties as Kafka does (Properties#store: blank comment, date comment, key=value). */
export function writeMetaProperties(logDir: string, meta: MetaProperties, now: Date = new Date()): void {
  const text =
    `#\n#${javaDateString(now)}\n` +
    `version=${meta.version}\ncluster.id=${meta.clusterId}\nnode.id=${meta.nodeId}\ndirectory.id=${meta.directoryId}\n`;
  writeFileDurably(path.join(logDir, META_PROPERTIES_FILE), text);
}

/** Parses Java properties text (comments, `=`/`:` separators); enough for meta.properties. */
function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep < 0) props.set(line, '');
    else props.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  }
  return props;
}

/** The log dir's meta.properties, or null when it has none. */
export function readMetaProperties(logDir: string): MetaProperties | null {
  const file = path.join(logDir, META_PROPERTIES_FILE);
  const text = readTextIfExists(file);
  if (text === null) return null;
  const props = parseProperties(text);
  const version = Number(props.get('version') ?? '0');
  const nodeIdText = props.get('node.id') ?? props.get('broker.id');
  const clusterId = props.get('cluster.id');
  if (!clusterId || nodeIdText === undefined || !/^-?\d+$/.test(nodeIdText)) {
    throw new MetaPropertiesError(`${file} lacks cluster.id or node.id`);
  }
  return { version, clusterId, nodeId: Number(nodeIdText), directoryId: props.get('directory.id') ?? '' };
}

/**
 * Reads every log dir's meta.properties, checks they agree with each other and with nodeId, and
 * formats the dirs that have none (a new cluster id when no dir has one yet).
 */
export function loadOrFormatMetaProperties(logDirs: readonly string[], nodeId: number): Map<string, MetaProperties> {
  const found = new Map<string, MetaProperties>();
  for (const dir of logDirs) {
    const meta = readMetaProperties(dir);
    if (meta) found.set(dir, meta);
  }
  let clusterId: string | undefined;
  for (const [dir, meta] of found) {
    if (meta.nodeId !== nodeId) {
      throw new MetaPropertiesError(
        `Stored node id ${meta.nodeId} in ${path.join(dir, META_PROPERTIES_FILE)} doesn't match the configured node.id ${nodeId}`,
      );
    }
    if (clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new MetaPropertiesError(`Log dirs disagree on cluster.id: ${clusterId} vs ${meta.clusterId} in ${dir}`);
    }
    clusterId = meta.clusterId;
  }
  clusterId ??= randomKafkaUuid();
  const result = new Map<string, MetaProperties>();
  for (const dir of logDirs) {
    let meta = found.get(dir);
    if (!meta || meta.version !== 1 || meta.directoryId === '') {
      meta = { version: 1, clusterId, nodeId, directoryId: meta?.directoryId || randomKafkaUuid() };
      writeMetaProperties(dir, meta);
    }
    result.set(dir, meta);
  }
  return result;
}
