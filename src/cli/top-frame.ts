import type { StreamSnapshot } from '../profile/snapshot';
import type { DurabilityStats } from '../engine/tiers';
import type { Interval } from '../shadow/shadow-log';
import { bytes, counted, duration, fit, joinWrapped, num, pct } from '../util/format';

/**
 * One frame of `logshadow top`, as plain lines no wider than the terminal: a pure function of the
 * stats and shadow replies, so it is tested without a terminal and `top --once` prints exactly
 * what the live view shows.
 */

export const SORT_KEYS = { b: 'bytes', r: 'rate', e: 'errors', c: 'confidence', n: 'name' } as const;
export type SortKey = keyof typeof SORT_KEYS;

export function isSortKey(k: string): k is SortKey {
  return Object.prototype.hasOwnProperty.call(SORT_KEYS, k);
}

/** The parts of the stats reply (logshadow.stats/2) a frame shows. */
export interface TopStats {
  mountpoint: string;
  engine: string;
  cache: string;
  uptimeSec: number;
  horizonMs: number;
  droppedRecords: number;
  totals: { writes: number; bytes: number; lines: number; files: number; apps: number };
  space: {
    sizeBytes: number;
    freeBytes: number;
    timeToFullSec: { atMean: number | null; atP95: number | null };
    warnings?: { fillsSoon: boolean; lowFree: boolean };
  };
  prealloc: {
    enabled: boolean;
    reason?: string | null;
    aheadBytes?: number;
    budgetBytes?: number;
    reservations?: number;
    reservedBytes?: number;
    hitRatio?: number | null;
    releasedUnusedBytes?: number;
  };
  files: StreamSnapshot[];
  apps: StreamSnapshot[];
  /** Absent from daemons older than logshadow.stats/2. */
  durability?: DurabilityStats;
}

/** The parts of the shadow reply (logshadow.shadow/1) a frame shows. */
export interface TopShadow {
  filesystem: { bytes: Interval };
  streams: Array<{ key: string; kind: 'file' | 'app'; bytes: Interval; confidence: number }>;
}

export interface FrameOptions {
  width: number;
  /** Lines available; Infinity in --once mode. */
  height: number;
  sort: SortKey;
  /** Streams listed per section at most (besides what fits). */
  top: number;
  intervalMs: number;
  /** Wall-clock time shown in the title. */
  clock: string;
  /** The last failure to reach the daemon, shown instead of hiding a stale frame. */
  error?: string | null;
  /** Whether the footer lists the keys (not in --once output). */
  keys: boolean;
}

interface Row {
  name: string;
  bytes: number;
  rate: number | null;
  errors: number;
  lines: number;
  levels: Record<string, number>;
  forecast: Interval | null;
  confidence: number | null;
  reserved: number | null;
  hitRatio: number | null;
}

interface Column {
  title: string;
  width: number;
  /** Lower goes first when the terminal is narrow. */
  keep: number;
  cell: (r: Row) => string;
}

const LEVEL_LETTERS: Record<string, string> = { fatal: 'F', error: 'E', warn: 'W', notice: 'N', info: 'I', debug: 'D', trace: 'T', unknown: '?' };
const NAME_MIN = 14;

/** 1234567 → "1.2M": compact enough for both ends of an interval in one cell. */
export function short(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  for (const [d, u] of [[1024 ** 3, 'G'], [1024 ** 2, 'M'], [1024, 'K']] as const) {
    if (a >= d * 0.95) return `${(n / d).toFixed(n / d < 10 ? 1 : 0)}${u}`;
  }
  return String(Math.round(n));
}

/** The two biggest levels by share, error first when there is any: "E2 I90". */
export function levelMix(levels: Record<string, number>): string {
  const total = Object.values(levels).reduce((a, b) => a + b, 0);
  if (!(total > 0)) return '-';
  const shares = Object.entries(levels).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const bad = (levels.fatal ?? 0) + (levels.error ?? 0);
  const picked = shares.filter(([l]) => l !== 'fatal' && l !== 'error').slice(0, bad > 0 ? 1 : 2);
  const parts = picked.map(([l, n]) => `${LEVEL_LETTERS[l] ?? '?'}${Math.round((100 * n) / total)}`);
  if (bad > 0) parts.unshift(`E${Math.max(1, Math.round((100 * bad) / total))}`);
  return parts.join(' ');
}

const COLUMNS: Column[] = [
  { title: 'BYTES', width: 8, keep: 5, cell: (r) => bytes(r.bytes) },
  { title: 'RATE', width: 9, keep: 9, cell: (r) => (r.rate === null ? '-' : `${bytes(r.rate)}/s`) },
  { title: 'ERR', width: 4, keep: 3, cell: (r) => (r.lines ? pct(r.errors / r.lines) : '-') },
  { title: 'MIX', width: 7, keep: 2, cell: (r) => levelMix(r.levels) },
  {
    // The median: the mean of a skewed forecast can lie outside its own interval.
    title: 'NEXT [90%]', width: 19, keep: 8,
    cell: (r) => (r.forecast ? `${bytes(r.forecast.median)} ${short(r.forecast.p90[0])}-${short(r.forecast.p90[1])}` : '-'),
  },
  { title: 'CONF', width: 4, keep: 7, cell: (r) => (r.confidence === null ? '-' : num(r.confidence, 2)) },
  { title: 'RSVD', width: 8, keep: 1, cell: (r) => (r.reserved === null ? '-' : bytes(r.reserved)) },
  { title: 'HIT', width: 4, keep: 4, cell: (r) => (r.hitRatio === null ? '-' : pct(r.hitRatio)) },
];

/**
 * The columns that fit beside a name of at least NAME_MIN, dropping the least needed first. A
 * column is as wide as its widest cell in `rows` (never narrower than its usual width), so no
 * value is ever cut.
 */
export function columnsFor(width: number, rows: Row[] = []): Column[] {
  let cols = COLUMNS.map((c) => ({ ...c, width: Math.max(c.width, ...rows.map((r) => c.cell(r).length)) }));
  const need = (c: Column[]) => NAME_MIN + c.reduce((s, x) => s + x.width + 1, 0);
  while (cols.length && need(cols) > width) {
    const drop = cols.reduce((a, b) => (b.keep < a.keep ? b : a));
    cols = cols.filter((c) => c !== drop);
  }
  return cols;
}

function rowsOf(streams: StreamSnapshot[], kind: 'file' | 'app', shadow: TopShadow): Row[] {
  const forecasts = new Map(shadow.streams.filter((s) => s.kind === kind).map((s) => [s.key, s]));
  return streams.map((s) => {
    const f = forecasts.get(s.key);
    const p = s.prealloc ?? null;
    const hit = p && typeof p.hitRatio === 'number' && Number.isFinite(p.hitRatio) ? p.hitRatio : null;
    return {
      name: s.key,
      bytes: s.bytes,
      rate: s.model ? s.model.bytesPerSec[1] ?? s.model.bytesPerSec[0] : null,
      errors: (s.levels.fatal ?? 0) + (s.levels.error ?? 0),
      lines: s.lines,
      levels: s.model ? s.model.levelMix : s.levels,
      forecast: f ? f.bytes : null,
      confidence: f ? f.confidence : s.model ? s.model.confidence : null,
      reserved: p && typeof p.reservedBytes === 'number' ? p.reservedBytes : null,
      hitRatio: hit,
    };
  });
}

export function sortRows(rows: Row[], key: SortKey): Row[] {
  const byName = (a: Row, b: Row) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const desc = (f: (r: Row) => number) => (a: Row, b: Row) => f(b) - f(a) || byName(a, b);
  const cmp: Record<SortKey, (a: Row, b: Row) => number> = {
    b: desc((r) => r.bytes),
    r: desc((r) => r.rate ?? -1),
    e: desc((r) => r.errors * 1e6 + (r.lines ? r.errors / r.lines : 0)),
    c: desc((r) => r.confidence ?? -1),
    n: byName,
  };
  return [...rows].sort(cmp[key]);
}

function table(title: string, rows: Row[], cols: Column[], width: number, limit: number): string[] {
  const nameWidth = width - cols.reduce((s, c) => s + c.width + 1, 0);
  const line = (name: string, cells: string[]) => [fit(name, nameWidth), ...cells.map((c, i) => c.padStart(cols[i].width))].join(' ').trimEnd();
  const out = [line(title, cols.map((c) => c.title))];
  const shown = rows.slice(0, Math.max(0, limit));
  for (const r of shown) out.push(line(r.name, cols.map((c) => c.cell(r))));
  if (rows.length > shown.length) out.push(`  (${rows.length - shown.length} more)`);
  if (!rows.length) out.push('  (none yet)');
  return out;
}

/** The one line a power cut is about: what it would lose now, and whether the syncs keep up. */
function durabilityHead(d: DurabilityStats, width: number): string[] {
  if (d.mode === 'ram-only') return ['RAM only: a reboot or a power cut loses every log'];
  return joinWrapped([
    `unsynced ${bytes(d.unsyncedBytes)}${d.unsyncedBytes > 0 ? ` (oldest ${duration(d.oldestUnsyncedSec)})` : ''} of ${bytes(d.maxUnsyncedBytes)}`,
    d.lastSync ? `synced ${duration((Date.now() - Date.parse(d.lastSync.at)) / 1000)} ago` : 'not synced yet',
    ...(d.healthy ? [] : [`SYNCS FAILING (${d.lastError ?? 'error'})`]),
    ...(d.throttled.now > 0 ? [`${d.throttled.now} writes waiting for a sync`] : []),
  ], width);
}

function bar(used: number, size: number, width: number): string {
  const share = size > 0 ? Math.min(1, Math.max(0, used / size)) : 0;
  const full = Math.round(share * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

export function renderFrame(stats: TopStats, shadow: TopShadow, o: FrameOptions): string[] {
  const width = Math.max(40, Math.floor(o.width));
  const sp = stats.space;
  const used = sp.sizeBytes - sp.freeBytes;
  const ttf = (s: number | null) => (s === null ? 'never' : duration(s));
  const right = `${stats.engine}/${stats.cache} up ${duration(stats.uptimeSec)} ${o.clock}`;
  const head: string[] = [];
  head.push(`${fit(`logshadow top ${stats.mountpoint}`, Math.max(10, width - right.length - 1))} ${right}`);
  const warn = [sp.warnings?.fillsSoon ? 'FILLS SOON' : '', sp.warnings?.lowFree ? 'LOW FREE' : ''].filter(Boolean).join(' ');
  const ram = `${pct(sp.sizeBytes > 0 ? used / sp.sizeBytes : 0)} used of ${bytes(sp.sizeBytes)}, ${bytes(sp.freeBytes)} free`;
  const barWidth = Math.max(10, Math.min(40, width - ram.length - 12));
  head.push(`RAM disk ${bar(used, sp.sizeBytes, barWidth)} ${ram}`);
  if (stats.durability) head.push(...durabilityHead(stats.durability, width));
  const rate = stats.files.reduce((s, f) => s + (f.model ? f.model.bytesPerSec[1] ?? 0 : 0), 0);
  const fsb = shadow.filesystem.bytes;
  const p = stats.prealloc;
  head.push(...joinWrapped([
    `full in ${ttf(sp.timeToFullSec.atMean)} at the forecast mean, ${ttf(sp.timeToFullSec.atP95)} at its p95${warn ? `  ${warn}` : ''}`,
    `written ${bytes(stats.totals.bytes)} (${counted(stats.totals.writes, 'write')}, ${counted(stats.totals.lines, 'line')})`,
    `now ${bytes(rate)}/s`,
    `next ${stats.horizonMs / 1000}s ${bytes(fsb.median)} [${short(fsb.p90[0])}-${short(fsb.p90[1])}]`,
    ...(stats.droppedRecords ? [`${counted(stats.droppedRecords, 'record')} dropped`] : []),
    ...(p.enabled
      ? [`reserved ${bytes(p.aheadBytes ?? 0)} ahead (${counted(p.reservations ?? 0, 'file')}, budget ${bytes(p.budgetBytes ?? 0)})`,
        `${bytes(p.reservedBytes ?? 0)} in all, hit ${typeof p.hitRatio === 'number' ? pct(p.hitRatio) : '-'}, released unused ${bytes(p.releasedUnusedBytes ?? 0)}`]
      : [`pre-allocation off${p.reason ? `: ${p.reason}` : ''}`]),
  ], width));
  if (o.error) head.push(`! ${o.error}`);

  const files = sortRows(rowsOf(stats.files, 'file', shadow), o.sort);
  const apps = sortRows(rowsOf(stats.apps, 'app', shadow), o.sort);
  const cols = columnsFor(width, [...files, ...apps]);
  const footer = o.keys
    ? `sort: [b]ytes [r]ate [e]rrors [c]onfidence [n]ame  [q]uit  (by ${SORT_KEYS[o.sort]}, every ${num(o.intervalMs / 1000, o.intervalMs % 1000 ? 1 : 0)}s)`
    : `sorted by ${SORT_KEYS[o.sort]}`;
  // Lines left for the two tables: title rows, blank lines, "(n more)" rows and the footer.
  const room = o.height - head.length - 8;
  let fileLimit = Math.min(o.top, files.length);
  let appLimit = Math.min(o.top, apps.length);
  if (Number.isFinite(room)) {
    appLimit = Math.min(appLimit, Math.max(1, Math.floor(room / 3)));
    fileLimit = Math.min(fileLimit, Math.max(1, room - appLimit));
    appLimit = Math.min(appLimit, Math.max(1, room - fileLimit));
  }
  const body = [
    '',
    ...table(`FILES (${files.length})`, files, cols, width, fileLimit),
    '',
    ...table(`APPLICATIONS (${apps.length})`, apps, cols, width, appLimit),
  ];
  let lines = [...head, ...body, '', footer];
  // A terminal too short for even one row per table: the footer (the keys) stays.
  if (lines.length > o.height) lines = [...lines.slice(0, Math.max(0, o.height - 1)), footer];
  return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}
