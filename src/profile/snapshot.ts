import { SERIES_BYTES, SERIES_LINES } from '../model/forecast';
import { TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST } from '../model/issued-forecasts';
import type { StreamModel } from '../model/stream-model';
import type { TrackStats } from '../model/scoring';
import type { GapTotals } from './checkpoint';
import { DATA_TYPE_NAMES } from './data-type';
import { FORMAT_COUNT, FORMAT_NAMES } from './formats';
import type { ModelPool } from './model-pool';
import { SEVERITY_NAMES } from './severity';
import type { Stream, StreamTable } from './stream';

/** The rate time constants the models keep, in seconds (StreamModel's default rateTausMs). */
export const RATE_WINDOWS_SEC = [1, 10, 60, 300];

export type SinceStart = ReturnType<StreamModel['scorer']['sinceStart']>;

/** Recent windows (the rolling scorer) for each forecaster, and every window since the start. */
export interface ScoreSet {
  model: TrackStats;
  naiveLast: TrackStats;
  movingAverage: TrackStats;
  sinceStart: { model: SinceStart; naiveLast: SinceStart; movingAverage: SinceStart };
}

export interface ModelSnapshot {
  /** Per second, one value per RATE_WINDOWS_SEC time constant. */
  writesPerSec: number[];
  linesPerSec: number[];
  bytesPerSec: number[];
  holtBytesPerSec: { level: number; trend: number };
  writeSize: { mean: number; p50: number; p90: number; p99: number };
  lineLength: { mean: number; p50: number; p90: number; p99: number };
  levelMix: Record<string, number>;
  interArrivalMs: number;
  /** Coefficient of variation of inter-arrival times (1 for Poisson, > 1 bursty). */
  interArrivalCv: number;
  fano: number;
  burst: boolean;
  periodSec: number;
  confidence: number;
  forecaster: string;
  scores: StreamScores;
}

/** A stream's forecast scores: bytes and lines per window, and the severity-mix divergence. */
export interface StreamScores {
  bytes: ScoreSet;
  lines: ScoreSet;
  severityDivergence: number;
  severityDivergenceSinceStart: number;
}

export function streamScores(m: StreamModel): StreamScores {
  return {
    bytes: scoreSet(m, SERIES_BYTES),
    lines: scoreSet(m, SERIES_LINES),
    severityDivergence: m.scorer.meanDivergence(),
    severityDivergenceSinceStart: m.scorer.divergenceSinceStart(),
  };
}

export interface StreamSnapshot {
  key: string;
  writes: number;
  bytes: number;
  lines: number;
  /** Entries begun: a stack trace or a traceback under its first line is one entry. */
  entries: number;
  /** Lines per level (a continuation line at its entry's level). */
  levels: Record<string, number>;
  entryLevels: Record<string, number>;
  /** The format that claimed most of the stream's lines (FORMAT_NAMES), or null when none claimed any. */
  format: string | null;
  /** Lines whose level is derived (an HTTP access log's status class), not written. */
  derivedLevelLines: number;
  dataTypes: Record<string, number>;
  unreadBytes: number;
  /** Bytes counted from the file without a write record (a full ring dropped it): see `totals.estimated`. */
  unrecordedBytes: number;
  idleSec: number;
  openFiles: number;
  /** Files: bytes copied into it from another file of the mount (a rotation copy), apart from writes. */
  copiedBytes?: number;
  /** Files: the application that wrote last. Applications: the last process seen. */
  lastApp?: string | null;
  writer?: { pid: number; cmdline: string; uid: number } | null;
  model: ModelSnapshot | null;
  /** Files: what the allocator did for this stream. */
  prealloc?: Record<string, number | string> | null;
}

/** Values by index as an object keyed by the matching names (severity, data type). */
export function named(values: ArrayLike<number>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => (out[n] = values[i]));
  return out;
}

export function scoreSet(m: StreamModel, series: number): ScoreSet {
  return {
    model: m.scorer.stats(series, TRACK_MODEL),
    naiveLast: m.scorer.stats(series, TRACK_NAIVE_LAST),
    movingAverage: m.scorer.stats(series, TRACK_MOVING_AVERAGE),
    sinceStart: {
      model: m.scorer.sinceStart(series, TRACK_MODEL),
      naiveLast: m.scorer.sinceStart(series, TRACK_NAIVE_LAST),
      movingAverage: m.scorer.sinceStart(series, TRACK_MOVING_AVERAGE),
    },
  };
}

export function modelSnapshot(m: StreamModel, nowMs: number): ModelSnapshot {
  const st = m.stats(nowMs);
  return {
    writesPerSec: st.writesPerSec,
    linesPerSec: st.linesPerSec,
    bytesPerSec: st.bytesPerSec,
    holtBytesPerSec: st.holtBytesPerSec,
    writeSize: { mean: st.writeSize.mean, p50: st.writeSize.p50, p90: st.writeSize.p90, p99: st.writeSize.p99 },
    lineLength: { mean: st.lineLength.mean, p50: st.lineLength.p50, p90: st.lineLength.p90, p99: st.lineLength.p99 },
    levelMix: named(st.levelMix, SEVERITY_NAMES),
    interArrivalMs: st.interArrival.meanMs,
    interArrivalCv: st.interArrival.cv,
    fano: st.fano,
    burst: st.burst,
    periodSec: st.periodMs / 1000,
    confidence: st.confidence,
    forecaster: st.model,
    scores: streamScores(m),
  };
}

/** The format that claimed most lines (a stack trace's lines are claimed by none); null when none claimed any. */
function dominantFormat(formatLines: Float64Array): string | null {
  let best = -1;
  for (let f = 0; f < FORMAT_COUNT; f++) if (formatLines[f]! > 0 && (best < 0 || formatLines[f]! > formatLines[best]!)) best = f;
  return best < 0 ? null : FORMAT_NAMES[best]!;
}

/**
 * A file stream's pre-allocation counters (null: none), from the allocator when there is one:
 * the allocator keeps them, the stats show them with the file.
 */
export type PreallocOf = (file: Stream) => Record<string, number | string> | null;

export function streamSnapshot(s: Stream, nowMs: number, preallocOf?: PreallocOf): StreamSnapshot {
  const out: StreamSnapshot = {
    key: s.key,
    writes: s.writes,
    bytes: s.bytes,
    lines: s.lines,
    entries: s.entries,
    levels: named(s.levelLines, SEVERITY_NAMES),
    entryLevels: named(s.levelEntries, SEVERITY_NAMES),
    format: dominantFormat(s.formatLines),
    derivedLevelLines: s.derivedLines,
    dataTypes: named(s.dataTypeLines, DATA_TYPE_NAMES),
    unreadBytes: s.unreadBytes,
    unrecordedBytes: s.unrecordedBytes,
    idleSec: s.lastWriteMs ? Math.max(0, (nowMs - s.lastWriteMs) / 1000) : 0,
    openFiles: s.openCount,
    model: s.model ? modelSnapshot(s.model, nowMs) : null,
  };
  if (s.kind === 'file') {
    out.copiedBytes = s.copiedBytes;
    out.lastApp = s.lastApp;
    out.prealloc = preallocOf?.(s) ?? null;
  }
  else out.writer = s.lastWriter ? { pid: s.lastWriter.pid, cmdline: s.lastWriter.cmdline, uid: s.lastWriter.uid } : null;
  return out;
}

export interface ProfileSnapshot {
  totals: {
    writes: number; bytes: number; lines: number; files: number; apps: number;
    /** Lines by severity since the daemon started (monotonic: Prometheus counters come from here). */
    levels: Record<string, number>;
    /** Rotation copies: writes a process made while reading another file of the mount (see Profiler.copies). */
    copies: { writes: number; bytes: number; files: number };
    /** What no daemon saw (native engine: written while none was attached): records, and the
     * bytes read from the files for them (in `bytes` too; their lines are in `lines`). */
    gap: GapTotals;
    /** Bytes found in files past every write record (in `bytes`; their lines in `lines`). */
    unrecordedBytes: number;
    /**
     * The figures that are estimates, not counts: after a full ring dropped write records,
     * `writes` (a dropped record's write is not counted) and `apps` (its bytes and lines are
     * credited to `unknown`). Lines, bytes and levels are read from the files: never estimates.
     */
    estimated: ('writes' | 'apps')[];
    /** Entries by level and lines with a derived level, summed over the file streams held (shown
     * or not). Absent from older daemons, which sent every stream. */
    entryLevels?: Record<string, number>;
    derivedLevelLines?: number;
  };
  /** Streams that wrote but are left out of `files` and `apps` (a request's `top` or `file`; absent from older daemons). */
  omitted?: { files: number; apps: number };
  droppedRecords: number;
  /**
   * What the profiler had yet to take in when it answered: write records still in the ring, and
   * bytes counted whose content (lines, levels) is not read yet. Both 0 once it has caught up;
   * under load the lines and levels trail the bytes by `bytes`. Absent from older daemons.
   */
  backlog?: { records: number; bytes: number };
  unknownHandleRecords: number;
  readFdFallbacks: number;
  readErrors: number;
  tables: {
    fileStreams: number; appStreams: number; models: number; inodes: number; evictedStreams: number; evictedModels: number;
    limits: { files: number; apps: number; models: number; inodes: number };
  };
  rateWindowsSec: number[];
  files: StreamSnapshot[];
  apps: StreamSnapshot[];
}

/** What a profile snapshot is made of: the Profiler's counters and tables. */
export interface ProfileState {
  readonly files: StreamTable;
  readonly apps: StreamTable;
  readonly models: ModelPool;
  readonly totalWrites: number;
  readonly totalBytes: number;
  readonly totalLines: number;
  readonly levelTotals: Float64Array;
  readonly copies: { writes: number; bytes: number; files: number };
  readonly gap: GapTotals;
  readonly droppedRecords: number;
  readonly unknownHandleRecords: number;
  readonly readFdFallbacks: number;
  readonly unrecordedBytes: number;
  readonly readErrors: number;
  readonly backlog: { records: number; bytes: number };
  /** Backing files the profiler holds state for. */
  readonly knownFiles: number;
  readonly limits: { files: number; apps: number; models: number; inodes: number };
}

/**
 * Which streams a snapshot shows: the `top` busiest by bytes (all when absent), or only the file
 * stream `file` (its key: the path under the mount) and the applications that wrote last to it.
 */
export interface SnapshotScope {
  top?: number;
  file?: string;
}

/** Busiest first (bytes), ties by key, so that a cut is the same from one request to the next. */
function busiest(streams: Stream[], top: number | undefined): Stream[] {
  if (top === undefined || top >= streams.length) return streams.sort(byBytes);
  return streams.sort(byBytes).slice(0, Math.max(0, top));
}

function byBytes(a: Stream, b: Stream): number {
  return b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The profiler's part of stats: totals, table fill, and the streams that wrote (or, a file, were
 * copied into) within `scope`. Only the streams shown are rendered: their snapshots (models,
 * scores) are most of the cost and the size of a reply.
 */
export function profileSnapshot(p: ProfileState, nowMs: number, preallocOf?: PreallocOf, scope: SnapshotScope = {}): ProfileSnapshot {
  // bytes without writes: written while no daemon looked, found in the files (Profiler.resume)
  const files = [...p.files.values()].filter((s) => s.writes > 0 || s.bytes > 0 || s.copiedBytes > 0);
  const apps = [...p.apps.values()].filter((s) => s.writes > 0 || s.bytes > 0);
  const entryLevels = new Float64Array(SEVERITY_NAMES.length);
  let derivedLevelLines = 0;
  for (const f of files) {
    for (let i = 0; i < entryLevels.length; i++) entryLevels[i] += f.levelEntries[i] ?? 0;
    derivedLevelLines += f.derivedLines;
  }
  let shownFiles: Stream[];
  let shownApps: Stream[];
  if (scope.file !== undefined) {
    shownFiles = files.filter((f) => f.key === scope.file);
    const writers = new Set(shownFiles.map((f) => f.lastApp));
    shownApps = apps.filter((a) => writers.has(a.key));
  } else {
    shownFiles = busiest(files, scope.top);
    shownApps = busiest(apps, scope.top);
  }
  return {
    totals: {
      writes: p.totalWrites, bytes: p.totalBytes, lines: p.totalLines, files: files.length, apps: apps.length,
      levels: named(p.levelTotals, SEVERITY_NAMES), copies: { ...p.copies }, gap: { ...p.gap },
      unrecordedBytes: p.unrecordedBytes, estimated: p.droppedRecords > 0 ? ['writes', 'apps'] : [],
      entryLevels: named(entryLevels, SEVERITY_NAMES), derivedLevelLines,
    },
    omitted: { files: files.length - shownFiles.length, apps: apps.length - shownApps.length },
    droppedRecords: p.droppedRecords,
    backlog: p.backlog,
    unknownHandleRecords: p.unknownHandleRecords,
    readFdFallbacks: p.readFdFallbacks,
    readErrors: p.readErrors,
    tables: {
      fileStreams: p.files.size, appStreams: p.apps.size, models: p.models.size, inodes: p.knownFiles,
      evictedStreams: p.files.evicted + p.apps.evicted, evictedModels: p.models.evictions,
      limits: p.limits,
    },
    rateWindowsSec: RATE_WINDOWS_SEC,
    files: shownFiles.map((f) => streamSnapshot(f, nowMs, preallocOf)),
    apps: shownApps.map((a) => streamSnapshot(a, nowMs)),
  };
}
