// `goperf constraints …`, as its own bundle (see goperf.ts).
import { runConstraintsCommand } from './constraints';

runConstraintsCommand(process.argv.slice(3)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`goperf: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
