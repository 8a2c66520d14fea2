#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ExitCodes } from '../errors';
import { registerDoctor } from './commands/doctor';
import { registerList } from './commands/list';
import { registerMetrics } from './commands/metrics';
import { registerMount } from './commands/mount';
import { registerReplay } from './commands/replay';
import { registerReport } from './commands/report';
import { registerShadow } from './commands/shadow';
import { registerStats } from './commands/stats';
import { registerSync } from './commands/sync';
import { registerRecover } from './commands/recover';
import { registerTop } from './commands/top';
import { registerUnmount } from './commands/unmount';

/** A thin CLI: each command parses argv into a config object and calls the library. */
function main(): void {
  const program = new Command('logshadow')
    .description('a FUSE log directory in RAM that profiles, forecasts and pre-allocates for what your applications log')
    // package.json lies outside the compiled tree, so it is read at run time, not imported.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .version(require('../../package.json').version as string)
    .showHelpAfterError(false)
    .configureOutput({
      // commander's own errors become our one-line form.
      outputError: (str, write) => write(`logshadow: ${str.replace(/^error: /, '').trim()}\n`),
    })
    .exitOverride();

  registerMount(program);
  registerUnmount(program);
  registerStats(program);
  registerShadow(program);
  registerReplay(program);
  registerDoctor(program);
  registerList(program);
  registerTop(program);
  registerMetrics(program);
  registerReport(program);
  registerSync(program);
  registerRecover(program);

  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof CommanderError) {
      process.exit(err.exitCode === 0 ? 0 : ExitCodes.USAGE);
    }
    throw err;
  });
}

main();
