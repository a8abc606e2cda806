// The broker's log lines (stderr, one line each): connection closes, handler failures, lifecycle.
// Tests and embedders can silence or capture them through setBrokerLogSink.

/** Severity of a broker log line. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Receives every broker log line. */
export type LogSink = (level: LogLevel, message: string) => void;

const stderrSink: LogSink = (level, message) => {
  process.stderr.write(`[${new Date().toISOString()}] ${level.toUpperCase()} ${message}\n`);
};

let sink: LogSink = stderrSink;

/** Replaces where broker log lines go (undefined restores stderr); used by tests to assert reasons. */
export function setBrokerLogSink(next: LogSink | undefined): void {
  sink = next ?? stderrSink;
}

/** Writes broker log lines; errors carry their stack. */
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
