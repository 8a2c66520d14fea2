import type { Command } from 'commander';
import { parseDuration } from '../../config/mount-config';
import { usageError } from '../../errors';
import { planReplay, replay } from '../../replay/replayer';
import { STAMP_FORMATS } from '../../replay/timestamps';
import { counted, duration } from '../../util/format';
import { failAndExit } from '../output';

interface ReplayFlags {
  scale: string;
  maxGap: string;
  format?: string;
  quiet?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("write a real log's lines into a file with their original timing, as the application did")
    .argument('<log>', 'a log whose lines carry time stamps')
    .argument('<target>', 'the file to append to (in a logshadow mount, to watch the forecast)')
    .option('--scale <x>', 'replay x times faster than the original', '1')
    .option('--max-gap <duration>', 'cap idle gaps (original time) at this long; 0 keeps them', '60s')
    .option('--format <name>', `time stamp format: ${STAMP_FORMATS.map((f) => f.name).join(', ')} (default: detected)`)
    .option('--quiet', 'no progress line')
    .addHelpText('after', `
Lines that share a time stamp are spread evenly inside its resolution (a second,
for formats without milliseconds); a stamp that goes backwards is held at the
one before it.

Examples:
  logshadow replay mount-examples/replay/sample-app.log /var/log/myapp/app.log
  logshadow replay mount-examples/replay/sample-app.log /logs/a.log --scale 10`)
    .action(async (log: string, target: string, flags: ReplayFlags) => {
      try {
        const scale = Number(flags.scale);
        if (!(scale > 0)) throw usageError(`--scale: "${flags.scale}" is not a positive number`);
        const maxGapMs = flags.maxGap === '0' ? 0 : parseDuration(flags.maxGap, '--max-gap');
        const tty = process.stderr.isTTY;
        const options = {
          scale, maxGapMs, format: flags.format ?? null,
          onProgress: flags.quiet ? undefined : (done: number, total: number, ms: number) => {
            const line = `replay: ${done}/${total} lines, ${duration(ms / 1000)} elapsed`;
            process.stderr.write(tty ? `\r${line}` : `${line}\n`);
          },
        };
        const plan = planReplay(log, options);
        if (!flags.quiet) {
          process.stderr.write(`replay: ${counted(plan.lines.length, 'line', 'lines', String)}, format ${plan.format.name}, takes ${duration(plan.schedule.spanMs / scale / 1000)}` +
            ` (${counted(plan.schedule.clamped, 'stamp', 'stamps', String)} held back, ${counted(plan.schedule.unstamped, 'line', 'lines', String)} without a stamp)\n`);
        }
        const result = await replay(plan, target, options);
        if (!flags.quiet && tty) process.stderr.write('\n');
        process.stdout.write(`replay: wrote ${counted(result.lines, 'line', 'lines', String)} (${counted(result.bytes, 'byte', 'bytes', String)}) to ${target}; at most ${Math.round(result.lateMs)} ms behind schedule\n`);
      } catch (err) {
        failAndExit(err);
      }
    });
}
