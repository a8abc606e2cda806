// Small metadata files: crash-safe replacement (Kafka's write-to-.tmp, fsync, atomic rename, fsync
// the dir) and reading one that may not exist yet.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Replaces `file` atomically: readers see the old or the new content, never a torn one. */
export function writeFileDurably(file: string, content: string | Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** The file's UTF-8 text, or null when it does not exist (other read errors are thrown). */
export function readTextIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** fsyncs a directory so a rename or a newly created file inside it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
