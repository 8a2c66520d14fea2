#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ExitCodes } from '../errors';

type Register = (program: Command) => void;

/*
 * Each command's module is loaded only when it runs (or for the help that lists them all): a
 * `stats` asked on a machine whose writers hold every core starts in a third of the time when it
 * loads its own 50 modules rather than every command's 400.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
const COMMANDS: Record<string, () => Register> = {
  mount: () => (require('./commands/mount') as typeof import('./commands/mount')).registerMount,
  unmount: () => (require('./commands/unmount') as typeof import('./commands/unmount')).registerUnmount,
  stats: () => (require('./commands/stats') as typeof import('./commands/stats')).registerStats,
  shadow: () => (require('./commands/shadow') as typeof import('./commands/shadow')).registerShadow,
  replay: () => (require('./commands/replay') as typeof import('./commands/replay')).registerReplay,
  doctor: () => (require('./commands/doctor') as typeof import('./commands/doctor')).registerDoctor,
  list: () => (require('./commands/list') as typeof import('./commands/list')).registerList,
  top: () => (require('./commands/top') as typeof import('./commands/top')).registerTop,
  metrics: () => (require('./commands/metrics') as typeof import('./commands/metrics')).registerMetrics,
  report: () => (require('./commands/report') as typeof import('./commands/report')).registerReport,
  sync: () => (require('./commands/sync') as typeof import('./commands/sync')).registerSync,
  recover: () => (require('./commands/recover') as typeof import('./commands/recover')).registerRecover,
};
/* eslint-enable @typescript-eslint/no-require-imports */
const ALIASES: Record<string, string> = { umount: 'unmount', ls: 'list' };

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

  const arg = process.argv[2] ?? '';
  const named = Object.hasOwn(ALIASES, arg) ? ALIASES[arg] : arg;
  if (Object.hasOwn(COMMANDS, named)) COMMANDS[named]()(program);
  else for (const load of Object.values(COMMANDS)) load()(program);

  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof CommanderError) {
      process.exit(err.exitCode === 0 ? 0 : ExitCodes.USAGE);
    }
    throw err;
  });
}

main();
