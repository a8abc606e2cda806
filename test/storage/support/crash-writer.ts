// Child process for the kill -9 test: appends with flush.messages=1 and prints each acked offset.
import { setLogSink } from '../../../src/logger.js';
import { LogManager } from '../../../src/storage/log-manager.js';
import { config, makeBatch } from './batches.js';

const [logDir] = process.argv.slice(2);
setLogSink(() => {});
const manager = await LogManager.open({ logDirs: [logDir], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 });
const log = manager.createLog('crash', 0, 'q5tJb8ZkRk2sYw3nM1PbUA', config({ flushMessages: 1, segmentBytes: 64 * 1024 }));
for (let i = 0; ; i++) {
  const info = log.appendAsLeader(makeBatch({ values: [`record-${i}`.padEnd(200 + (i % 300), '#')] }), log.leaderEpoch);
  process.stdout.write(`${info.baseOffset} record-${i}\n`);
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
