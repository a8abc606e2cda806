// Which failures of Broker.start are the operator's to fix (a port in use, a log dir of another
// node or locked by another process, a directory it may not write): those end the process with
// one clear line instead of a stack trace, which stays for anything unexpected (a bug).
import { NativeError } from '../native/index.js';
import { KafkaError } from '../protocol/errors.js';
import { MetaPropertiesError } from '../storage/meta-properties.js';

/** Node's system errors (EADDRINUSE, EACCES, ENOSPC...): the environment refused, not a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const syscall = (err as NodeJS.ErrnoException | null)?.syscall;
  return err instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof syscall === 'string';
}

/** The one-line reason to print when err is an expected startup failure; undefined for anything else. */
export function startupFailureMessage(err: unknown): string | undefined {
  const expected =
    isSystemError(err) ||
    err instanceof MetaPropertiesError ||
    ((err instanceof KafkaError || err instanceof NativeError) && err.errorName === 'KAFKA_STORAGE_ERROR');
  if (!expected) return undefined;
  return `sluice: cannot start: ${(err as Error).message.replace(/\s*\n\s*/g, ' ').trim()}`;
}
