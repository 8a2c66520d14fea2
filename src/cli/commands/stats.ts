import type { Command } from 'commander';
import { DEFAULTS, parsePositiveInt } from '../../config/mount-config';
import type { ProfileSnapshot, StreamSnapshot } from '../../profile/snapshot';
import { bytes, count, counted, duration, headed, num, pct, table } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { durabilityLines } from '../durability-lines';
import type { DurabilityStats } from '../../engine/tiers';
import { engineOf, noDaemonMessage, requireMounted, targetOf, type Target } from '../target';
import { request } from '../../control/client';
import type { NativeEngineStatus } from '../../engine/native/addon';

interface StatsFlags {
  json?: boolean;
  top: string;
  runDir: string;
}

/** The stats reply (schema logshadow.stats/2, documented in docs/json.md). */
export interface StatsReply extends ProfileSnapshot {
  schema: string;
  mountpoint: string;
  backing: string;
  engine: string;
  cache: string;
  knowsCaller: boolean;
  uptimeSec: number;
  horizonMs: number;
  daemon: { rssBytes: number; heapUsedBytes: number; tick: { count: number; meanMs: number; p99Ms: number; activeStreams: number } };
  /** Absent from daemons older than logshadow.stats/2. */
  durability?: DurabilityStats;
  engineCounters: { fileEventsDropped: number };
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('what the daemon has seen written through a mount: totals, then the busiest files and applications')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--json', 'everything, as JSON (schema logshadow.stats/2)')
    .option('--top <n>', 'files and applications shown', '10')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow stats /var/log/myapp
  logshadow stats /var/log/myapp --top 30
  logshadow stats /var/log/myapp --json | jq '.files[] | {key, lines, levels}'`)
    .action(async (dir: string, flags: StatsFlags) => {
      try {
        const top = parsePositiveInt(flags.top, '--top');
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        let stats: StatsReply;
        try {
          stats = await request<StatsReply>(target.socket, 'stats');
        } catch (err) {
          // The mount is fine while its engine serves: that is what stats says then.
          const engine = engineOf(target);
          if (!engine || engine.daemonPid !== 0) throw err;
          return printEngineOnly(target, engine, Boolean(flags.json));
        }
        if (flags.json) return printJson(stats);
        process.stdout.write(renderStats(stats, top));
      } catch (err) {
        failAndExit(err);
      }
    });
}

/** No daemon is attached: what the engine says of itself. */
function printEngineOnly(target: Target, engine: NativeEngineStatus, json: boolean): void {
  if (json) return printJson({ schema: 'logshadow.stats/2', mountpoint: target.mountpoint, daemon: null, engineProcess: engine });
  process.stdout.write(`${noDaemonMessage(target, engine)}\n${count(engine.writes)} writes (${bytes(engine.bytesWritten)}) served since the mount${engine.tiered ? `; unsynced ${bytes(engine.unsyncedBytes)}` : ''}\n`);
}

const LEVELS = ['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'unknown'];

function streamRows(streams: StreamSnapshot[], top: number): string[][] {
  return [...streams]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((s) => {
      const m = s.model;
      const bad = (s.levels.fatal ?? 0) + (s.levels.error ?? 0);
      return [
        s.key, count(s.writes), bytes(s.bytes), count(s.lines),
        m ? `${bytes(m.bytesPerSec[1])}/s` : '-',
        s.lines ? pct(bad / s.lines) : '-',
        m ? (m.burst ? 'BURST' : 'calm') : 'idle',
        m ? num(m.confidence, 2) : '-',
      ];
    });
}

export function renderStats(s: StatsReply, top: number): string {
  const t = s.daemon.tick;
  let out = `${headed(s.mountpoint, `  ${s.engine} engine, ${s.cache}  up ${duration(s.uptimeSec)}  rss ${bytes(s.daemon.rssBytes)}`)}\n`;
  out += `tick ${num(t.meanMs, 2)} ms mean, ${num(t.p99Ms, 2)} ms p99 (${counted(t.activeStreams, 'stream')} modelled)  dropped records ${s.droppedRecords}\n`;
  const estimated = s.totals.estimated?.includes('writes') ? 'at least ' : '';
  out += `totals  ${estimated}${counted(s.totals.writes, 'write')}  ${bytes(s.totals.bytes)}  ${counted(s.totals.lines, 'line')}  ${counted(s.totals.files, 'file')}  ${counted(s.totals.apps, 'app')}\n`;
  const byLevel = (sums: Record<string, number>) => LEVELS.filter((l) => sums[l]).map((l) => `${l} ${count(sums[l])}`).join('  ') || '-';
  const entryLevels: Record<string, number> = {};
  for (const f of s.files) for (const l of LEVELS) entryLevels[l] = (entryLevels[l] ?? 0) + (f.entryLevels[l] ?? 0);
  out += `lines by level    ${byLevel(s.totals.levels)}\n`;
  out += `entries by level  ${byLevel(entryLevels)}\n`;
  const derived = s.files.reduce((n, f) => n + f.derivedLevelLines, 0);
  if (derived) out += `(levels derived from the HTTP status for ${counted(derived, 'access-log line')}: 5xx error, 4xx warn, others info)\n`;
  const c = s.totals.copies;
  if (c.writes) out += `copies  ${bytes(c.bytes)} into ${counted(c.files, 'file')} by processes reading the mount (rotation copies; not in the totals)\n`;
  if (estimated) {
    out += `${counted(s.droppedRecords, 'write record')} dropped by a full ring: writes are lower bounds;\n`;
    out += `  lines, bytes and levels are read from the files (${bytes(s.totals.unrecordedBytes ?? 0)} by no known app)\n`;
  }
  const lost = s.engineCounters.fileEventsDropped;
  if (lost) out += `file events dropped ${lost} (a full queue: their writes were counted, some not placed in their files)\n`;
  if (s.durability) out += durabilityLines(s.durability).join('\n') + '\n';
  out += '\n';
  const widths = [27, 7, 8, 7, 10, 4, 5, 4];
  out += table(['FILE', 'WRITES', 'BYTES', 'LINES', 'RATE 10s', 'ERR', 'STATE', 'CONF'], streamRows(s.files, top), widths);
  if (s.files.length > top) out += `(${counted(s.files.length - top, 'more file', 'more files')}: --top or --json)\n`;
  out += '\n';
  out += table(['APPLICATION', 'WRITES', 'BYTES', 'LINES', 'RATE 10s', 'ERR', 'STATE', 'CONF'], streamRows(s.apps, top), widths);
  if (!s.knowsCaller) out += `(the ${s.engine} engine cannot tell which process writes: applications show as unknown)\n`;
  const scored = s.files.filter((f) => f.model && f.model.scores.bytes.model.windows > 0).sort((a, b) => b.bytes - a.bytes).slice(0, top);
  if (scored.length) {
    out += `\nforecast error, bytes per ${s.horizonMs / 1000}s window (MAE): model vs naive last vs moving avg\n`;
    out += table(
      ['FILE', 'WINDOWS', 'MODEL', 'LAST', 'MOVAVG', 'COV90'],
      scored.map((f) => {
        const b = f.model!.scores.bytes;
        return [f.key, String(b.model.windows), bytes(b.model.mae), bytes(b.naiveLast.mae), bytes(b.movingAverage.mae), pct(b.model.coverage90)];
      }),
      [32, 7, 9, 9, 9, 6],
    );
  }
  return out;
}
