// Entry point of the `sluice` executable (bin/sluice.js loads the compiled copy).
import { buildProgram } from './program.js';

process.on('unhandledRejection', (err) => {
  process.stderr.write(`sluice: fatal: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`sluice: fatal: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
