import { statfsSync } from 'node:fs';
import { createForecast, type Quantiles } from '../model/forecast';
import { fillLevelQuantiles } from '../model/stream-model';
import { createEntries, type PredictedEntries } from '../model/predicted-entries';
import type { Profiler } from '../profile/profiler';
import { SEVERITY_NAMES } from '../profile/severity';
import { named, streamScores, type StreamScores } from '../profile/snapshot';
import type { Stream } from '../profile/stream';
import { usageError } from '../errors';

export interface ShadowOptions {
  horizonMs: number;
  /** Predicted entries listed per stream; beyond it only the aggregates. */
  maxEntriesPerStream: number;
  /** Predicted entries listed in one view, over all streams. */
  maxEntriesTotal: number;
}

export const DEFAULT_SHADOW_OPTIONS: ShadowOptions = { horizonMs: 10_000, maxEntriesPerStream: 32, maxEntriesTotal: 2048 };

/** A quantity over the horizon: central value, 50% and 90% prediction intervals. */
export interface Interval {
  mean: number;
  median: number;
  p50: [number, number];
  p90: [number, number];
}

export interface FilesystemShadow {
  bytes: Interval;
  lines: Interval;
  /** Entries (a stack trace under its first line is one). */
  entryCount: Interval;
  levels: Record<string, number>;
  sizeBytes: number;
  freeBytes: number;
  /** Seconds until the tmpfs is full at the forecast rate (null: not at this rate). */
  timeToFullSec: { atMean: number | null; atP95: number | null };
  streams: number;
}

/**
 * The shadow log: for every modelled stream, its forecast of the next horizon, made again on the
 * daemon's tick only when the stream's slot has closed (one forecastInto into an object the
 * stream keeps; the streams' phases spread those over the ticks), and the whole filesystem's
 * sum. Predicted entries are drawn from the same models when a view asks for them, bounded per
 * stream and in total.
 */
export class ShadowLog {
  readonly options: ShadowOptions;
  private fs: FilesystemShadow = emptyFilesystem();
  private readonly entries: PredictedEntries;
  /** The streams a refresh cut by its deadline has still to look at. */
  private refreshing: IterableIterator<Stream> | null = null;
  refreshedAtMs = 0;

  constructor(private readonly profiler: Profiler, private readonly backingPath: string, options: Partial<ShadowOptions> = {}) {
    this.options = { ...DEFAULT_SHADOW_OPTIONS, ...options };
    this.entries = createEntries(this.options.maxEntriesPerStream);
  }

  /**
   * One refresh: the forecasts of the streams whose slot closed, then the filesystem's sum. Stops
   * at `deadline` (performance.now() ms) and goes on from there at the next call; true once done.
   */
  refresh(nowMs: number, deadline = Infinity): boolean {
    const h = this.options.horizonMs;
    // A live iterator: streams that lose their model meanwhile drop out of it, new ones join.
    const streams = (this.refreshing ??= this.profiler.models.streams());
    for (let it = streams.next(); !it.done; it = streams.next()) {
      const s = it.value;
      const model = s.model!;
      if (s.forecast && !model.forecastStale(s.forecast, nowMs)) continue;
      s.forecast = model.forecastInto(s.forecast ?? createForecast(), nowMs, h);
      if (performance.now() > deadline) return false;
    }
    this.refreshing = null;
    this.sum(nowMs);
    return true;
  }

  /** The filesystem's forecast: the sum of the streams'. */
  private sum(nowMs: number): void {
    const h = this.options.horizonMs;
    let mean = 0;
    let variance = 0;
    let lineMean = 0;
    let lineVar = 0;
    let upper = 0;
    let lineUpper = 0;
    let entryMean = 0;
    let entryVar = 0;
    let entryUpper = 0;
    let n = 0;
    const levels = new Float64Array(SEVERITY_NAMES.length);
    for (const s of this.profiler.models.streams()) {
      const f = s.forecast;
      if (s.kind !== 'file' || !f) continue;
      n++;
      mean += f.bytes.mean;
      variance += spreadVariance(f.bytes);
      upper += f.bytes.q95;
      lineMean += f.lines.mean;
      lineVar += spreadVariance(f.lines);
      lineUpper += f.lines.q95;
      entryMean += f.entries.mean;
      entryVar += spreadVariance(f.entries);
      entryUpper += f.entries.q95;
      for (let l = 0; l < levels.length; l++) levels[l] += f.levels[l].mean;
    }
    let sizeBytes = 0;
    let freeBytes = 0;
    try {
      const st = statfsSync(this.backingPath);
      sizeBytes = st.blocks * st.bsize;
      freeBytes = st.bavail * st.bsize;
    } catch {
      // the backing went away during unmount: keep zeros
    }
    const bytes = sumInterval(mean, variance, upper, n);
    const perSec = (x: number) => x / (h / 1000);
    this.fs = {
      bytes,
      lines: sumInterval(lineMean, lineVar, lineUpper, n),
      entryCount: sumInterval(entryMean, entryVar, entryUpper, n),
      levels: named(levels, SEVERITY_NAMES),
      sizeBytes,
      freeBytes,
      timeToFullSec: {
        atMean: bytes.mean > 0 ? freeBytes / perSec(bytes.mean) : null,
        atP95: bytes.p90[1] > 0 ? freeBytes / perSec(bytes.p90[1]) : null,
      },
      streams: n,
    };
    this.refreshedAtMs = nowMs;
  }

  filesystem(): FilesystemShadow {
    return this.fs;
  }

  /** The view `logshadow shadow` prints (schema logshadow.shadow/1). */
  view(nowMs: number, opts: { file?: string; entries?: number } = {}): ShadowView {
    // A file never written through the mount is a wrong --file, not an idle stream.
    if (opts.file !== undefined && !this.profiler.files.peek(opts.file)) {
      throw usageError(`--file ${opts.file}: no file of that name has been written through this mount (logshadow stats lists them)`);
    }
    const want = Math.min(opts.entries ?? 16, this.options.maxEntriesPerStream);
    let budget = this.options.maxEntriesTotal;
    const streams: StreamShadow[] = [];
    const modelled = [...this.profiler.models.streams()].filter((s) => s.forecast && (!opts.file || s.key === opts.file));
    modelled.sort((a, b) => (b.forecast!.bytes.mean - a.forecast!.bytes.mean) || (b.bytes - a.bytes));
    for (const s of modelled) {
      const take = Math.min(want, budget);
      streams.push(this.streamView(s, nowMs, take));
      budget -= streams[streams.length - 1].entries.length;
    }
    return {
      schema: 'logshadow.shadow/1',
      horizonMs: this.options.horizonMs,
      refreshedAgoMs: nowMs - this.refreshedAtMs,
      filesystem: this.fs,
      streams,
    };
  }

  private streamView(s: Stream, nowMs: number, entries: number): StreamShadow {
    const f = fillLevelQuantiles(s.forecast!);
    const list: PredictedEntry[] = [];
    if (entries > 0) {
      const e = this.entries;
      const n = s.model!.predictEntries(e, nowMs, this.options.horizonMs);
      for (let i = 0; i < Math.min(n, entries); i++) {
        list.push({ inMs: Math.max(0, e.timeMs[i] - nowMs), level: SEVERITY_NAMES[e.level[i]], bytes: Math.round(e.bytes[i]) });
      }
    }
    return {
      key: s.key,
      kind: s.kind,
      originAgoMs: nowMs - f.originMs,
      bytes: interval(f.bytes),
      lines: interval(f.lines),
      entryCount: interval(f.entries),
      writes: interval(f.writes),
      levels: Object.fromEntries(SEVERITY_NAMES.map((name, i) => [name, interval(f.levels[i])])),
      levelMix: named(f.levelMix, SEVERITY_NAMES),
      confidence: f.confidence,
      forecaster: f.model,
      burst: f.burst,
      periodSec: f.periodMs / 1000,
      entries: list,
      linesPerEntry: this.entries.linesPerEntry,
      scores: streamScores(s.model!),
    };
  }
}

export interface PredictedEntry {
  /** When, from now. */
  inMs: number;
  level: string;
  bytes: number;
}

export interface StreamShadow {
  key: string;
  kind: 'file' | 'app';
  originAgoMs: number;
  bytes: Interval;
  lines: Interval;
  entryCount: Interval;
  writes: Interval;
  levels: Record<string, Interval>;
  levelMix: Record<string, number>;
  confidence: number;
  forecaster: string;
  burst: boolean;
  periodSec: number;
  entries: PredictedEntry[];
  linesPerEntry: number;
  scores: StreamScores;
}

export interface ShadowView {
  schema: string;
  horizonMs: number;
  refreshedAgoMs: number;
  filesystem: FilesystemShadow;
  streams: StreamShadow[];
}

function interval(q: Quantiles): Interval {
  return { mean: q.mean, median: q.median, p50: [q.q25, q.q75], p90: [q.q05, q.q95] };
}

/** A stream's variance read off its 90% interval (a normal's 5-95% span is 3.29 sd). */
function spreadVariance(q: Quantiles): number {
  const sd = (q.q95 - q.q05) / 3.29;
  return sd * sd;
}

/**
 * The sum over streams. One stream: its own quantiles would be exact, but the view keeps one
 * rule: streams taken as independent, the sum's intervals from a normal with the summed mean and
 * variance (clamped at zero), and never above the sum of the streams' upper bounds.
 */
export function sumInterval(mean: number, variance: number, upper: number, n: number): Interval {
  if (n === 0) return { mean: 0, median: 0, p50: [0, 0], p90: [0, 0] };
  const sd = Math.sqrt(variance);
  const at = (z: number) => Math.min(upper, Math.max(0, mean + z * sd));
  // The median is clamped like the bounds: heavy-tailed streams' means can add up past the sum
  // of their upper bounds, and a median above its own interval is no forecast.
  return { mean, median: at(0), p50: [at(-0.674), at(0.674)], p90: [at(-1.645), at(1.645)] };
}

function emptyFilesystem(): FilesystemShadow {
  return {
    bytes: { mean: 0, median: 0, p50: [0, 0], p90: [0, 0] }, lines: { mean: 0, median: 0, p50: [0, 0], p90: [0, 0] },
    entryCount: { mean: 0, median: 0, p50: [0, 0], p90: [0, 0] },
    levels: {}, sizeBytes: 0, freeBytes: 0, timeToFullSec: { atMean: null, atP95: null }, streams: 0,
  };
}

