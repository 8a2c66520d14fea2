import type { Command } from 'commander';
import { DEFAULTS, parsePositiveInt } from '../../config/mount-config';
import type { Interval, ShadowView, StreamShadow } from '../../shadow/shadow-log';
import { bytes, bytesShort, count, duration, headed, num, pct, table } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { askDaemon, requireMounted, targetOf } from '../target';

interface ShadowFlags {
  file?: string;
  json?: boolean;
  entries: string;
  top: string;
  runDir: string;
}

type ShadowReply = ShadowView & { mountpoint: string };

export function registerShadow(program: Command): void {
  program
    .command('shadow')
    .description('the shadow log: what each stream is forecast to write over the next horizon, with intervals and scores')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--file <path>', 'one file stream, as a path inside the mount (e.g. /app.log)')
    .option('--entries <n>', 'predicted entries listed per stream', '8')
    .option('--top <n>', 'streams shown', '10')
    .option('--json', 'everything, as JSON (schema logshadow.shadow/1)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow shadow /var/log/myapp
  logshadow shadow /var/log/myapp --file /app.log --entries 20
  logshadow shadow /var/log/myapp --json | jq .filesystem.timeToFullSec`)
    .action(async (dir: string, flags: ShadowFlags) => {
      try {
        const entries = flags.entries.trim() === '0' ? 0 : parsePositiveInt(flags.entries, '--entries');
        const top = parsePositiveInt(flags.top, '--top');
        // A path inside the mount; "app.log" means "/app.log".
        const file = flags.file === undefined ? undefined : flags.file.startsWith('/') ? flags.file : `/${flags.file}`;
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        const reply = await askDaemon<ShadowReply>(target, 'shadow', { file, entries });
        if (flags.json) return printJson(reply);
        process.stdout.write(renderShadow(reply, top, entries, file));
      } catch (err) {
        failAndExit(err);
      }
    });
}

/**
 * The median, which lies inside the interval by construction (the model orders its quantiles);
 * the mean of a skewed forecast may not, and a point shown outside its own interval reads as a bug.
 */
const range = (i: Interval, f: (n: number) => string) => `${f(i.median)} [${f(i.p90[0])}-${f(i.p90[1])}]`;

export function renderShadow(v: ShadowReply, top: number, entries: number, file?: string): string {
  const fs = v.filesystem;
  let out = `${headed(v.mountpoint, `  shadow of the next ${v.horizonMs / 1000}s (refreshed ${Math.round(v.refreshedAgoMs)} ms ago)`)}\n`;
  out += `values are median [90% interval]\n`;
  // one figure fewer per line: three wide intervals do not fit in 80 columns
  out += `filesystem  bytes ${range(fs.bytes, bytes)}  lines ${range(fs.lines, count)}\n`;
  out += `            entries ${range(fs.entryCount, count)}\n`;
  const ttf = (s: number | null) => (s === null ? 'never' : duration(s));
  out += `            free ${bytes(fs.freeBytes)} of ${bytes(fs.sizeBytes)}\n`;
  out += `            full in ${ttf(fs.timeToFullSec.atMean)} at the mean rate, ${ttf(fs.timeToFullSec.atP95)} at the upper bound\n`;
  const lv = Object.entries(fs.levels).filter(([, n]) => n >= 0.05);
  if (lv.length) out += `            levels ${lv.map(([k, n]) => `${k} ${num(n, 1)}`).join('  ')}\n`;
  const files = v.streams.filter((s) => s.kind === 'file').slice(0, top);
  const apps = v.streams.filter((s) => s.kind === 'app').slice(0, top);
  const rows = (list: StreamShadow[]) =>
    list.map((s) => [s.key, range(s.bytes, bytesShort), range(s.lines, count), num(s.confidence, 2), s.burst ? 'burst' : '', s.forecaster]);
  const widths = [19, 17, 17, 4, 5, 12];
  out += '\n' + table(['FILE', 'BYTES [90%]', 'LINES [90%]', 'CONF', '', 'MODEL'], rows(files), widths);
  if (apps.length) out += '\n' + table(['APPLICATION', 'BYTES [90%]', 'LINES [90%]', 'CONF', '', 'MODEL'], rows(apps), widths);
  const scored = files.filter((s) => s.scores.bytes.model.windows > 0);
  if (scored.length) {
    out += `\nforecast scores, bytes per window: MAE of the model, naive last, moving avg\n`;
    out += table(
      ['FILE', 'WIN', 'MODEL', 'LAST', 'MOVAVG', 'COV90', 'MIX-JS'],
      scored.map((s) => {
        const b = s.scores.bytes;
        return [s.key, String(b.model.windows), bytes(b.model.mae), bytes(b.naiveLast.mae), bytes(b.movingAverage.mae), pct(b.model.coverage90), num(s.scores.severityDivergence, 3)];
      }),
      [24, 4, 9, 9, 9, 6, 6],
    );
  }
  if (entries > 0) {
    for (const s of files.slice(0, 3)) {
      if (!s.entries.length) continue;
      out += `\nupcoming entries of ${s.key} (first ${s.entries.length} of ~${Math.round(s.entryCount.mean)}; each stands for ${num(s.linesPerEntry, 1)} lines)\n`;
      for (const e of s.entries) out += `  +${(e.inMs / 1000).toFixed(2)}s  ${e.level.padEnd(7)} ${bytes(e.bytes)}\n`;
    }
  }
  if (!v.streams.length) {
    out += file
      ? `\n(no forecast for ${file} yet: a stream earns one by writing in two refresh ticks)\n`
      : '\n(no stream is writing: nothing to forecast)\n';
  }
  return out;
}
