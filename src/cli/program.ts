// The `sluice` command line: parses arguments and starts or stops the broker process.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadBrokerConfig } from '../config/server-properties.js';
import { Broker } from '../broker/broker.js';
import { log } from '../logger.js';
import { startupFailureMessage } from './startup-error.js';

/** The package version, printed by `sluice version` and `--version`. */
const sluiceVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Options of `sluice start`, as parsed by commander. */
interface StartOptions {
  config?: string;
  override: string[];
}

// Collects every repeated --override into one list, in the order given.
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// Loads the configuration, starts the broker and stops it cleanly on SIGTERM or SIGINT.
async function start(opts: StartOptions): Promise<void> {
  let config: ReturnType<typeof loadBrokerConfig>;
  try {
    config = loadBrokerConfig({ configFile: opts.config, overrides: opts.override, warn: (m) => log.warn(m) });
  } catch (err) {
    // ConfigError names the offending key; any other failure here is just as fatal.
    process.stderr.write(`sluice: invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let broker: Broker;
  try {
    broker = await Broker.start(config);
  } catch (err) {
    // A port in use, a log dir of another node or locked by another process: one line, exit 1.
    // Anything else is a bug and reaches main.ts, which prints its stack.
    const message = startupFailureMessage(err);
    if (message === undefined) throw err;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  // Broker.start logs the listener and cluster id once it serves.

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without a clean shutdown`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: shutting down`);
    broker.stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Builds the commander program; kept apart from main.ts so it can be driven without side effects. */
export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('A Kafka-compatible event-streaming broker')
    .version(sluiceVersion, '-V, --version');

  program
    .command('start')
    .description("start the broker (reads Kafka's server.properties keys)")
    .option('-c, --config <file>', 'a server.properties file')
    .option('-o, --override <key=value>', 'set one property, overriding the file (repeatable)', collect, [])
    .action(start);

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`${sluiceVersion}\n`);
    });

  return program;
}
