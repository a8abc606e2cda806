// Runs kafka-consumer-groups (ConsumerGroupCommand) and parses the tables it prints.
import { KafkaTool, kafkaTool } from './kafka-tools.js';
import type { ProcessResult } from './run-process.js';

/** Runs kafka-consumer-groups against `bootstrap`; resolves with its result (stdout and stderr). */
export function consumerGroupsTool(bootstrap: string, args: string[]): Promise<ProcessResult> {
  return kafkaTool(KafkaTool.consumerGroups, ['--bootstrap-server', bootstrap, ...args]);
}

/**
 * The rows of every whitespace-aligned table in `out` whose header line starts with `firstColumn`,
 * as objects keyed by the header's column names (cells hold no spaces in these tables).
 */
export function parseTables(out: string, firstColumn: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  let header: string[] | null = null;
  for (const line of out.split('\n')) {
    const cells = line.trim().split(/\s+/).filter((c) => c !== '');
    if (cells.length === 0) {
      header = null;
      continue;
    }
    if (cells[0] === firstColumn) {
      header = cells;
      continue;
    }
    if (header && cells.length === header.length) rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  }
  return rows;
}
