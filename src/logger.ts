// Sluice's one log: every line the broker, its storage, metadata and CLI report (stderr, one line
// each): lifecycle, connection closes, handler failures, recovery and background-task problems.
// Tests and embedders can silence or capture them through setLogSink.

/** Severity of a log line. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Receives every log line. */
export type LogSink = (level: LogLevel, message: string) => void;

const stderrSink: LogSink = (level, message) => {
  process.stderr.write(`[${new Date().toISOString()}] ${level.toUpperCase()} ${message}\n`);
};

let sink: LogSink = stderrSink;

/** Replaces where log lines go (undefined restores stderr); used by tests to assert reasons. */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? stderrSink;
}

/** Writes log lines; errors carry their stack. */
export const log = {
  info(message: string): void {
    sink('info', message);
  },
  warn(message: string): void {
    sink('warn', message);
  },
  error(message: string, err?: unknown): void {
    const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err === undefined ? '' : `: ${String(err)}`;
    sink('error', message + detail);
  },
};
