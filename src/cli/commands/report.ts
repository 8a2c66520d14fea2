import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULTS, parsePositiveInt } from '../../config/mount-config';
import { ErrorCodes, LogshadowError, usageError } from '../../errors';
import { renderReport } from '../../report/html';
import type { DurabilityStats } from '../../engine/tiers';
import type { HistoryView } from '../../shadow/window-history';
import { bytes, counted } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { askDaemon, requireMounted, targetOf } from '../target';

interface ReportFlags {
  out?: string;
  top: string;
  file?: string;
  json?: boolean;
  quiet?: boolean;
  runDir: string;
}

type HistoryReply = HistoryView & { mountpoint: string };

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('an HTML page charting each busy stream\'s forecast against what landed, scored beside the naive forecasters')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--out <file>', 'where to write the page (self-contained: inline SVG, nothing fetched)')
    .option('--top <n>', 'the busiest files charted', '8')
    .option('--file <path>', 'only this file, as a path inside the mount (e.g. /app.log)')
    .option('--json', 'print the windows behind the report instead (schema logshadow.history/1)')
    .option('--quiet', 'no progress (on a terminal) and no summary line')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
The daemon keeps the last 120 scored windows (one horizon each) of every file
that holds a model (a file silent for its whole history gives its model back).

Examples:
  logshadow report /var/log/myapp --out /tmp/myapp-forecast.html
  logshadow report /var/log/myapp --out report.html --top 3
  logshadow report /var/log/myapp --json | jq '.streams[0].windows[-1]'`)
    .action(async (dir: string, flags: ReportFlags) => {
      try {
        if (!flags.out && !flags.json) throw usageError('report: --out <file> is required (or --json for the data)');
        const top = parsePositiveInt(flags.top, '--top');
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        // Progress goes to a terminal only: in a script, stderr is for the one-line error.
        const say = (line: string) => {
          if (!flags.quiet && !flags.json && process.stderr.isTTY) process.stderr.write(`report: ${line}\n`);
        };
        say(`asking the daemon for the last windows of ${flags.file ?? `the ${top} busiest files`}`);
        const history = await askDaemon<HistoryReply>(target, 'history', { top, ...(flags.file ? { file: flags.file } : {}) }, 30_000);
        if (flags.json) return printJson(history);
        if (flags.file && !history.streams.length) {
          throw new LogshadowError(ErrorCodes.USAGE, `report: ${flags.file} has no scored window (not written through ${target.mountpoint}, or not for a whole window yet)`);
        }
        const stats = await askDaemon<{ engine: string; cache: string; uptimeSec: number; durability?: DurabilityStats }>(target, 'stats', { top: 0 }, 30_000);
        const windows = history.streams.reduce((n, s) => n + s.windows.length, 0);
        say(`charting ${counted(history.streams.length, 'file')}, ${counted(windows, 'window')}`);
        const html = renderReport({ history, mount: { engine: stats.engine, cache: stats.cache, uptimeSec: stats.uptimeSec, durability: stats.durability }, generatedAt: new Date() });
        const out = resolve(flags.out!);
        // Written beside, then renamed: a reader never sees half a page.
        const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
        try {
          writeFileSync(tmp, html);
          renameSync(tmp, out);
        } catch (err) {
          rmSync(tmp, { force: true });
          throw new LogshadowError(ErrorCodes.USAGE, `report: cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        if (!flags.quiet) process.stdout.write(`report: wrote ${out} (${bytes(Buffer.byteLength(html))}, ${counted(history.streams.length, 'file')})\n`);
      } catch (err) {
        failAndExit(err);
      }
    });
}
