// `make bench`: Sluice against Apache Kafka 4.1.1 on this machine, every workload of
// bench/README.md, both brokers in turn. Options:
//   --quick            small sizes (the test suite's run, ~1-2 min)
//   --out=DIR          JSON + SVG destination (default bench/results; with --quick, a temp dir)
//   --brokers=kafka,sluice   --only=W1,W4   --rounds=N (default 3, --quick 1; figures are medians)
//   --readme           rewrite the results block of bench/README.md (full runs only)
//   --sluice=DIR       another built Sluice checkout to measure (e.g. a git worktree of a commit)
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../producer/broker.js';
import type { BrokerKind } from './brokers.js';
import { runSuite } from './suite.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'bench-dir': { type: 'string', default: path.join(repoRoot, '.cache/bench') },
    brokers: { type: 'string', default: 'kafka,sluice' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    readme: { type: 'boolean', default: false },
    sluice: { type: 'string', default: repoRoot },
  },
});

const brokers = args.brokers.split(',') as BrokerKind[];
for (const b of brokers) if (b !== 'kafka' && b !== 'sluice') throw new Error(`unknown broker ${b}`);
if (args.rounds !== undefined && !(Number.isInteger(Number(args.rounds)) && Number(args.rounds) > 0)) throw new Error(`--rounds must be a positive integer`);

const report = await runSuite({
  quick: args.quick,
  out: path.resolve(args.out ?? (args.quick ? path.join(os.tmpdir(), 'sluice-bench-quick') : path.join(repoRoot, 'bench/results'))),
  benchDir: path.resolve(args['bench-dir']),
  brokers,
  sluiceRoot: path.resolve(args.sluice),
  only: args.only?.split(','),
  rounds: args.rounds === undefined ? undefined : Number(args.rounds),
  // Quick figures are a smoke test, never the README's results.
  readme: args.readme && !args.quick ? path.join(repoRoot, 'bench/README.md') : undefined,
  log: (line) => console.log(line),
});
const failures = report.brokers.flatMap((b) => Object.entries(b.errors).map(([w, e]) => `${b.kind} ${w}: ${e.split('\n')[0]}`));
if (failures.length) {
  console.error(`failed:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
