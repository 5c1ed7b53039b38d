import { processIo } from './cli-io';
import { runCli } from './program';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
  // Whatever still holds the event loop open (a stray socket) must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2000).unref();
});
