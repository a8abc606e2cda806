// Child process for the log dir lock test: tries LogManager.open on a dir, prints the outcome, shuts down.
import { setLogSink } from '../../../src/logger.js';
import { LogManager } from '../../../src/storage/log-manager.js';
import { config } from './batches.js';

const [logDir] = process.argv.slice(2);
setLogSink(() => {});
try {
  const manager = await LogManager.open({ logDirs: [logDir], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 });
  await manager.shutdown();
  process.stdout.write('opened\n');
} catch (err) {
  process.stdout.write(`${(err as Error).message}\n`);
}
