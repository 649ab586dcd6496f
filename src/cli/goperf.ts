// The goperf command's entry point. Each family of commands is a bundle of
// its own, loaded on demand: `goperf constraints eval` is run once per question
// by scripts, CI and editors, and loading the pprof code with it would add
// about half of node's own start-up time to every run.
import * as path from 'node:path';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // A closed pipe (goperf top x | head) is not an error worth reporting.
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

require(path.join(__dirname, process.argv[2] === 'constraints' ? 'cliConstraints.js' : 'cliMain.js'));
