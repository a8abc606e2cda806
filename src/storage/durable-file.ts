// Small metadata files: crash-safe replacement (Kafka's write-to-.tmp, fsync, atomic rename, fsync
// the dir) and reading one that may not exist yet.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Replaces `file` atomically: readers see the old or the new content, never a torn one. */
export function writeFileDurably(file: string, content: string | Buffer): void {
  replaceFile(file, content, true);
  fsyncDir(path.dirname(file));
}

/**
 * Replaces `file` atomically (a process crash leaves the old or the new content) without waiting
 * for the disk: whoever calls it fsyncs the file and its directory later, off the request path.
 */
export function replaceFileUnsynced(file: string, content: string | Buffer): void {
  replaceFile(file, content, false);
}

function replaceFile(file: string, content: string | Buffer, sync: boolean): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
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
