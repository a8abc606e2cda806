#!/usr/bin/env -S node --initial-old-space-size=64
// The `sluice` command: runs the compiled CLI from dist/ (built by `make build` or `npm run build:ts`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('sluice: dist/ is missing; build first with `make build` (or just `make run`)\n');
  process.exit(1);
}
await import(main.href);
