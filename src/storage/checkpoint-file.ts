// Kafka's CheckpointFile: a text file of `version`, `count`, then one entry a line.
import { readTextIfExists, writeFileDurably } from './durable-file.js';

/** How one entry type is written to and parsed from a checkpoint line. */
export interface CheckpointFormatter<T> {
  toLine(entry: T): string;
  /** Returns null when the line is malformed. */
  fromLine(line: string): T | null;
}

/** Raised when a checkpoint file exists but cannot be parsed. */
export class CorruptCheckpointError extends Error {
  constructor(file: string, reason: string) {
    super(`Malformed checkpoint file ${file}: ${reason}`);
    this.name = 'CorruptCheckpointError';
  }
}

/** One checkpoint file; written atomically so a crash leaves the old or the new version. */
export class CheckpointFile<T> {
  constructor(
    readonly file: string,
    readonly version: number,
    private readonly formatter: CheckpointFormatter<T>,
  ) {}

  /** Replaces the file's content with these entries (.tmp, fsync, rename). */
  write(entries: readonly T[]): void {
    let text = `${this.version}\n${entries.length}\n`;
    for (const entry of entries) text += `${this.formatter.toLine(entry)}\n`;
    writeFileDurably(this.file, text);
  }

  /** The entries, or [] when the file does not exist; CorruptCheckpointError when malformed. */
  read(): T[] {
    const text = readTextIfExists(this.file);
    if (text === null || text === '') return []; // Kafka creates checkpoint files empty before the first write
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length < 2) throw new CorruptCheckpointError(this.file, 'missing version or count line');
    const version = parseStrictInt(lines[0]);
    if (version !== this.version) {
      throw new CorruptCheckpointError(this.file, `unrecognized version ${JSON.stringify(lines[0])}`);
    }
    const count = parseStrictInt(lines[1]);
    if (count === null || count < 0) throw new CorruptCheckpointError(this.file, `bad count ${JSON.stringify(lines[1])}`);
    if (lines.length - 2 !== count) {
      throw new CorruptCheckpointError(this.file, `expected ${count} entries, found ${lines.length - 2}`);
    }
    const entries: T[] = [];
    for (let i = 2; i < lines.length; i++) {
      const entry = this.formatter.fromLine(lines[i]);
      if (entry === null) throw new CorruptCheckpointError(this.file, `bad entry ${JSON.stringify(lines[i])}`);
      entries.push(entry);
    }
    return entries;
  }
}

/** Parses a whole decimal integer (no sign games, no trailing junk), or null. */
export function parseStrictInt(text: string): number | null {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}
