// Kafka's LogFileUtils naming: 20-digit offsets for segment, index and snapshot files, and
// `<topic>-<partition>` partition directories.
import { randomUUID } from 'node:crypto';

/** File suffixes Kafka uses inside a partition directory. */
export const Suffix = {
  log: '.log',
  index: '.index',
  timeIndex: '.timeindex',
  txnIndex: '.txnindex',
  snapshot: '.snapshot',
  deleted: '.deleted',
  cleaned: '.cleaned',
  swap: '.swap',
} as const;

/** Suffix of a partition directory scheduled for removal. */
export const DELETE_DIR_SUFFIX = '-delete';

/** An offset as the 20-digit zero-padded file name stem Kafka uses. */
export function offsetFileStem(offset: number): string {
  return String(offset).padStart(20, '0');
}

/** The offset a `<20 digits><suffix>` file name stands for, or null for other names. */
export function offsetFromFileName(name: string, suffix: string): number | null {
  if (!name.endsWith(suffix)) return null;
  const stem = name.slice(0, name.length - suffix.length);
  return /^\d{20}$/.test(stem) ? Number(stem) : null;
}

/** Splits a `<topic>-<partition>` directory name (the partition is after the last '-'), or null. */
export function parseTopicPartitionDir(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const partitionText = name.slice(dash + 1);
  if (!/^\d+$/.test(partitionText)) return null;
  return { topic: name.slice(0, dash), partition: Number(partitionText) };
}

/** Kafka's name for a deleted partition directory: `<topic>-<partition>.<uuid>-delete`, at most 255 bytes. */
export function deleteDirName(topic: string, partition: number): string {
  const suffix = `-${partition}.${randomUUID().replace(/-/g, '')}${DELETE_DIR_SUFFIX}`;
  return topic.slice(0, Math.min(topic.length, 255 - suffix.length)) + suffix;
}
