import type { Command } from 'commander';
import { DEFAULTS, parseCount } from '../../config/mount-config';
import type { ProfileSnapshot, StreamSnapshot } from '../../profile/snapshot';
import { bytes, count, counted, duration, headed, num, pct, table } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { durabilityLines } from '../durability-lines';
import type { DurabilityStats } from '../../engine/tiers';
import { engineOf, noDaemonMessage, requireMounted, targetOf, type Target } from '../target';
import { request } from '../../control/client';
import { ErrorCodes, LogshadowError, usageError } from '../../errors';
import type { NativeEngineStatus } from '../../engine/native/addon';

interface StatsFlags {
  json?: boolean;
  top?: string;
  all?: boolean;
  file?: string;
  runDir: string;
}

/** Streams shown when --top is not given: a screenful as text, a table a script can hold as JSON. */
const TEXT_TOP = 10;
const JSON_TOP = 100;

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
    .option('--json', 'as JSON (schema logshadow.stats/2): totals and the busiest streams')
    .option('--top <n>', `the busiest files and applications shown (default ${TEXT_TOP}; ${JSON_TOP} with --json)`)
    .option('--all', 'every file and application stream (a large reply on a mount of many files)')
    .option('--file <path>', 'only this file (a path inside the mount, e.g. /app.log) and its last writer')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow stats /var/log/myapp
  logshadow stats /var/log/myapp --top 30
  logshadow stats /var/log/myapp --file /app.log --json | jq '.files[0].levels'
  logshadow stats /var/log/myapp --json --all | jq '.files[] | {key, lines}'`)
    .action(async (dir: string, flags: StatsFlags) => {
      try {
        if (flags.all && flags.top !== undefined) throw usageError('--all and --top ask for different tables: give one of them');
        const top = flags.top !== undefined ? parseCount(flags.top, '--top') : flags.json ? JSON_TOP : TEXT_TOP;
        const file = flags.file === undefined ? undefined : flags.file.startsWith('/') ? flags.file : `/${flags.file}`;
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        let stats: StatsReply;
        try {
          // The daemon renders only the streams shown: on a mount of many files the whole table
          // is megabytes, and building it is most of what a stats request costs.
          stats = await request<StatsReply>(target.socket, 'stats', file !== undefined ? { file } : flags.all ? {} : { top });
        } catch (err) {
          // The mount is fine while its engine serves: that is what stats says then.
          const engine = engineOf(target);
          if (!engine || engine.daemonPid !== 0) throw err;
          return printEngineOnly(target, engine, Boolean(flags.json));
        }
        if (file !== undefined && stats.files.length === 0) {
          throw new LogshadowError(ErrorCodes.USAGE, `--file ${file}: no file of that name has been written through this mount (or the profiler has forgotten it: see tables.limits)`);
        }
        if (flags.json) return printJson(stats);
        process.stdout.write(renderStats(stats, flags.all || file !== undefined ? Number.POSITIVE_INFINITY : top));
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

/** A daemon that predates totals.entryLevels: the sum over the streams it sent. */
function sumOver(files: StreamSnapshot[], of: (f: StreamSnapshot) => Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of files) for (const [l, n] of Object.entries(of(f))) out[l] = (out[l] ?? 0) + n;
  return out;
}

export function renderStats(s: StatsReply, top: number): string {
  const t = s.daemon.tick;
  let out = `${headed(s.mountpoint, `  ${s.engine} engine, ${s.cache}  up ${duration(s.uptimeSec)}  rss ${bytes(s.daemon.rssBytes)}`)}\n`;
  out += `tick ${num(t.meanMs, 2)} ms mean, ${num(t.p99Ms, 2)} ms p99 (${counted(t.activeStreams, 'stream')} modelled)  dropped records ${s.droppedRecords}\n`;
  const estimated = s.totals.estimated?.includes('writes') ? 'at least ' : '';
  out += `totals  ${estimated}${counted(s.totals.writes, 'write')}  ${bytes(s.totals.bytes)}  ${counted(s.totals.lines, 'line')}  ${counted(s.totals.files, 'file')}  ${counted(s.totals.apps, 'app')}\n`;
  const byLevel = (sums: Record<string, number>) => LEVELS.filter((l) => sums[l]).map((l) => `${l} ${count(sums[l])}`).join('  ') || '-';
  out += `lines by level    ${byLevel(s.totals.levels)}\n`;
  out += `entries by level  ${byLevel(s.totals.entryLevels ?? sumOver(s.files, (f) => f.entryLevels))}\n`;
  const derived = s.totals.derivedLevelLines ?? s.files.reduce((n, f) => n + f.derivedLevelLines, 0);
  if (derived) out += `(levels derived from the HTTP status for ${counted(derived, 'access-log line')}: 5xx error, 4xx warn, others info)\n`;
  const c = s.totals.copies;
  if (c.writes) out += `copies  ${bytes(c.bytes)} into ${counted(c.files, 'file')} by processes reading the mount (rotation copies; not in the totals)\n`;
  if (estimated) {
    out += `${counted(s.droppedRecords, 'write record')} dropped by a full ring: writes are lower bounds;\n`;
    out += `  lines, bytes and levels are read from the files (${bytes(s.totals.unrecordedBytes ?? 0)} by no known app)\n`;
  }
  const behind = s.backlog;
  if (behind && (behind.records > 0 || behind.bytes > 0)) {
    out += `behind  ${counted(behind.records, 'write record')} still in the ring, ${bytes(behind.bytes)} not read yet (lines and levels trail the bytes)\n`;
  }
  const lost = s.engineCounters.fileEventsDropped;
  if (lost) out += `file events dropped ${lost} (a full queue: their writes were counted, some not placed in their files)\n`;
  if (s.durability) out += durabilityLines(s.durability).join('\n') + '\n';
  out += '\n';
  const widths = [27, 7, 8, 7, 10, 4, 5, 4];
  out += table(['FILE', 'WRITES', 'BYTES', 'LINES', 'RATE 10s', 'ERR', 'STATE', 'CONF'], streamRows(s.files, top), widths);
  const moreFiles = (s.omitted?.files ?? 0) + Math.max(0, s.files.length - top);
  if (moreFiles > 0) out += `(${counted(moreFiles, 'more file', 'more files')}: --top N or --all)\n`;
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
