import type { CacheMode } from '../engine/engine';
import { optionError } from '../errors';
import { SEVERITY_NAMES, type SeverityName } from '../profile/severity';
import type { ListenAddress } from '../metrics/listen-address';
import type { LogLevel } from '../util/logger';

/**
 * Mount options, normalised once into the internal config (chokidar's public-vs-internal split):
 * the CLI and, later, a config file hand in loosely typed values; everything past this module
 * sees only MountConfig.
 */
export type EngineChoice = 'auto' | 'native' | 'fuse-native';

export interface MountConfig {
  /** Absolute path of the directory that is mounted over in place. */
  mountpoint: string;
  /** A tmpfs directory to use as the backing store instead of the mountpoint itself. */
  backing: string | null;
  /** Size of the tmpfs logshadow mounts when the directory is not on tmpfs, in bytes. */
  tmpfsSizeBytes: number;
  engine: EngineChoice;
  cache: CacheMode;
  /** Profiler drain and model refresh period. */
  refreshMs: number;
  /** How far ahead the shadow log forecasts. */
  horizonMs: number;
  /** Warn when the forecast says the tmpfs fills within this long. */
  warnFullMs: number;
  /** The allocation policy by name ('none' turns pre-allocation off). */
  prealloc: string;
  /** Most bytes reserved ahead of all files: an absolute size, or a share of the tmpfs. */
  preallocBudget: { bytes: number } | { share: number };
  /** A reservation not written into for this long is released. */
  preallocLifetimeMs: number;
  /** Write-event ring slots (a power of two). */
  ringCapacity: number;
  maxWrite: number;
  /** Where control sockets live (owner-only). */
  runDir: string;
  logLevel: LogLevel;
  /** An extra log file for the daemon's own logs; never inside the mount. */
  logFile: string | null;
  /** Where the pid of the process holding the mount is written (the native engine's; systemd's
   * PIDFile=); null: <runDir>/<key>.pid. */
  pidFile: string | null;
  debugFuse: boolean;
  /**
   * Whether the profiler drains the ring (default). Off only for measuring what profiling costs:
   * nothing is profiled or forecast, the ring fills and its records are dropped and counted.
   */
  profile: boolean;
  /** Where GET /metrics is served over HTTP (--metrics-listen); null: not served. */
  metricsListen: ListenAddress | null;
  /** Files with their own `file` label in the metrics; the rest are summed under "(other)". */
  metricsMaxStreams: number;
  /** The profiler's caps: file streams (and files remembered after their last close), and models. */
  maxFiles: number;
  maxModels: number;
  /** Scored windows kept per file stream for `report` (WindowHistory). */
  historyWindows: number;
  /**
   * Where the logs are made durable. 'auto': a directory on a persistent filesystem is its own
   * disk side (a tiered mount), one on tmpfs stays RAM-only; a path: that directory is the disk
   * side (--persist); 'off': RAM only (--no-persist).
   */
  persist: 'auto' | 'off' | { dir: string };
  /** Tiered: the unsynced total the syncs keep under (null: a quarter of --size). */
  maxUnsyncedBytes: number | null;
  syncIntervalMs: number;
  /** Tiered: a line at or above this level makes its file's tail durable within a tick; null: off. */
  syncOn: SeverityName | null;
  finalSyncMs: number;
  /** Tiered: files served straight from the disk side (glob patterns). */
  direct: string[];
}

export const DEFAULTS = {
  tmpfsSize: '256M',
  engine: 'auto' as EngineChoice,
  cache: 'writethrough' as CacheMode,
  refreshMs: 250,
  horizonMs: 10_000,
  warnFullMs: 10 * 60_000,
  prealloc: 'forecast',
  preallocBudget: '10%',
  preallocLifetimeMs: 60_000,
  ringCapacity: 1 << 16,
  maxWrite: 128 * 1024,
  runDir: '/run/logshadow',
  logLevel: 'info' as LogLevel,
  metricsMaxStreams: 50,
  /** 10,000 files each written once leave the daemon under 100 MiB with these (README, Benchmarks). */
  maxFiles: 4096,
  maxModels: 1024,
  /** Ten minutes of 10 s windows: 3.6 KiB per file that holds a model (120 held a thousand files' daemon 9 MiB over the goal). */
  historyWindows: 60,
  syncIntervalMs: 5 * 60_000,
  syncOn: 'error' as SeverityName,
  finalSyncMs: 30_000,
  /** journald's journals (written through shared mmap) and the login records (rewritten in place). */
  direct: '*.journal,*.journal~,wtmp,wtmp.*,btmp,btmp.*,lastlog,faillog',
};

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses sizes the way tmpfs's size= does: a number with an optional k, m, g or t suffix. */
export function parseSize(text: string, what: string, minBytes = 1024 * 1024): number {
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw optionError(what, `"${text}" is not a size (examples: 64M, 1G, 512k)`);
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
  if (bytes < minBytes) throw optionError(what, `${text} is too small (at least ${minBytes >= 1024 * 1024 ? `${minBytes / 1024 / 1024}M` : `${minBytes / 1024}k`})`);
  return bytes;
}

/** A size, or a percentage of the tmpfs ("10%"). */
export function parseBudget(text: string, what: string): { bytes: number } | { share: number } {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (pct) {
    const share = Number(pct[1]) / 100;
    if (!(share > 0 && share <= 1)) throw optionError(what, `${text} must be between 0% and 100%`);
    return { share };
  }
  return { bytes: parseSize(text, what, 64 * 1024) };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw optionError(what, `"${text}" is not a duration (examples: 250ms, 10s, 1m, 1h)`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms'];
  if (!(ms > 0)) throw optionError(what, 'must be positive');
  return ms;
}

export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw optionError(what, `"${text}" is not one of ${choices.join(', ')}`);
}

export function parsePositiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw optionError(what, `"${text}" is not a positive integer`);
  return n;
}

/** A count that may be zero (e.g. `--top 0`: totals only). */
export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw optionError(what, `"${text}" is not a whole number`);
  return n;
}

/** A severity level by name, or "off". */
export function parseLevelOrOff(text: string, what: string): SeverityName | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'none') return null;
  return parseChoice(t, SEVERITY_NAMES.filter((n) => n !== 'unknown'), what);
}

/** Comma-separated glob patterns; empty entries dropped; "none": no pattern. */
export function parsePatterns(text: string, what: string): string[] {
  if (text.trim() === 'none') return [];
  const patterns = text.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of patterns) if (p.includes('\n')) throw optionError(what, 'a pattern cannot hold a line break');
  return patterns;
}
