import type { StreamSnapshot } from '../profile/snapshot';
import type { Interval } from '../shadow/shadow-log';
import { Exposition } from './exposition';
import { renderDurability } from './durability-metrics';
import type { DurabilityStats } from '../engine/tiers';

/**
 * The daemon's state as Prometheus metrics: a pure function of the `stats` and `shadow` replies
 * (the same data `stats --json` shows), so the CLI, the HTTP listener and the tests all see one
 * rendering.
 *
 * Per-file series are bounded: the `maxStreams` busiest files by bytes get their own `file`
 * label and the rest are summed under file="(other)" (no real path can be spelled so) in the
 * gauges. Counters come only from totals that never go down: the bytes of a named file, and the
 * daemon's own totals, never a sum over a table that evicts or a set whose members change (the
 * folded files' bytes are a gauge for that reason).
 */

/** The parts of the stats reply (schema logshadow.stats/2) the metrics read. */
export interface MetricsStats {
  engine: string;
  cache: string;
  uptimeSec: number;
  horizonMs: number;
  daemon: { rssBytes: number; tick: { count: number; sumMs: number; meanMs: number; p99Ms: number; maxMs: number; p50Ms?: number; activeStreams: number } };
  engineCounters: { writes: number; bytesWritten: number; fileEventsDropped: number };
  totals: { levels: Record<string, number> };
  space: {
    sizeBytes: number;
    freeBytes: number;
    timeToFullSec: { atMean: number | null; atP95: number | null };
    warnings?: { fillsSoon: boolean; lowFree: boolean };
  };
  prealloc: { enabled: boolean } & Partial<Record<'reservedBytes' | 'hitBytes' | 'releasedUnusedBytes' | 'aheadBytes' | 'budgetBytes', number | null>>;
  droppedRecords: number;
  files: Array<Pick<StreamSnapshot, 'key' | 'bytes' | 'lines' | 'levels' | 'model'>>;
  durability?: DurabilityStats;
}

/** The parts of the shadow reply (schema logshadow.shadow/1) the metrics read. */
export interface MetricsShadow {
  streams: Array<{ key: string; kind: 'file' | 'app'; bytes: Interval; confidence: number }>;
}

export const DEFAULT_METRICS_MAX_STREAMS = 50;
export const OTHER_FILES = '(other)';
export const LEVELS = ['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'unknown'] as const;

const FORECASTERS = [
  ['model', 'model'],
  ['naive_last', 'naiveLast'],
  ['moving_average', 'movingAverage'],
] as const;

/** Summed per-file quantities under one label (a top file, or "(other)"). */
interface FileSeries {
  label: string;
  bytes: number;
  forecast: { mean: number; q05: number; median: number; q95: number; weightedConfidence: number; weight: number; confidenceSum: number; n: number } | null;
  mae: Record<string, number | null>;
}

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export function renderPrometheus(stats: MetricsStats, shadow: MetricsShadow, maxStreams = DEFAULT_METRICS_MAX_STREAMS): string {
  const e = new Exposition();
  e.family('logshadow_engine_info', 'gauge', 'The engine serving the mount and its cache mode (always 1).')
    .sample(1, { engine: stats.engine, cache: stats.cache });
  e.single('logshadow_uptime_seconds', 'gauge', 'Seconds since the daemon started.', stats.uptimeSec);

  e.single('logshadow_writes_total', 'counter', 'write(2) requests served by the engine.', stats.engineCounters.writes);
  e.single('logshadow_written_bytes_total', 'counter', 'Bytes written through the mount.', stats.engineCounters.bytesWritten);
  const levels = e.family('logshadow_lines_total', 'counter', 'Complete log lines profiled, by severity level.');
  for (const level of LEVELS) levels.sample(stats.totals.levels[level] ?? 0, { level });
  e.single('logshadow_dropped_records_total', 'counter',
    'Write records dropped because the ring was full (those writes landed but were not profiled).', stats.droppedRecords);
  e.single('logshadow_file_events_dropped_total', 'counter',
    'File events (opens, renames, truncations) dropped because their queue was full.', stats.engineCounters.fileEventsDropped);

  e.single('logshadow_tmpfs_size_bytes', 'gauge', 'Size of the tmpfs holding the logs.', stats.space.sizeBytes);
  e.single('logshadow_tmpfs_free_bytes', 'gauge', 'Free space on the tmpfs holding the logs.', stats.space.freeBytes);
  const ttf = e.family('logshadow_time_to_full_seconds', 'gauge',
    'Seconds until the tmpfs is full at the forecast rate: the mean, or the upper 95% bound (+Inf: never at this rate).');
  ttf.sample(stats.space.timeToFullSec.atMean ?? Number.POSITIVE_INFINITY, { rate: 'mean' });
  ttf.sample(stats.space.timeToFullSec.atP95 ?? Number.POSITIVE_INFINITY, { rate: 'p95' });
  if (stats.space.warnings) {
    e.family('logshadow_space_warning', 'gauge', '1 while a space warning holds: fills_soon (forecast fills the tmpfs within --warn-full), low_free (under 5% free).')
      .sample(stats.space.warnings.fillsSoon ? 1 : 0, { warning: 'fills_soon' })
      .sample(stats.space.warnings.lowFree ? 1 : 0, { warning: 'low_free' });
  }

  const { series, folded } = fileSeries(stats, shadow, maxStreams);
  e.single('logshadow_forecast_horizon_seconds', 'gauge', 'How far ahead the forecasts look (and the scoring window).', stats.horizonMs / 1000);
  e.single('logshadow_metrics_files_folded', 'gauge', `Files summed under file="${OTHER_FILES}" by the label bound (--metrics-max-streams).`, folded);
  const written = e.family('logshadow_file_written_bytes_total', 'counter', 'Bytes written per file (the busiest files; the rest in logshadow_other_files_written_bytes).');
  for (const s of series) if (s.label !== OTHER_FILES) written.sample(s.bytes, { file: s.label });
  e.single('logshadow_other_files_written_bytes', 'gauge',
    'Bytes written to the files without a label of their own (a gauge: files move in and out of the labelled set).',
    series.find((s) => s.label === OTHER_FILES)?.bytes ?? 0);
  const withForecast = series.filter((s) => s.forecast);
  const fc = e.family('logshadow_forecast_bytes', 'gauge',
    `Bytes forecast over the next horizon per file, by quantile q (file="${OTHER_FILES}": the sum of its files' quantiles).`);
  // Not "quantile": that label belongs to summaries (promtool), and a forecast is not one.
  for (const s of withForecast) {
    const f = s.forecast!;
    fc.sample(f.q05, { file: s.label, q: '0.05' }).sample(f.median, { file: s.label, q: '0.5' }).sample(f.q95, { file: s.label, q: '0.95' });
  }
  const mean = e.family('logshadow_forecast_mean_bytes', 'gauge', 'Mean bytes forecast over the next horizon per file.');
  for (const s of withForecast) mean.sample(s.forecast!.mean, { file: s.label });
  const conf = e.family('logshadow_forecast_confidence', 'gauge',
    `Confidence in the forecast, 0 to 1 (file="${OTHER_FILES}": weighted by the forecast mean).`);
  for (const s of withForecast) conf.sample(confidenceOf(s.forecast!), { file: s.label });
  const mae = e.family('logshadow_forecast_mae_bytes', 'gauge',
    'Mean absolute error of bytes per window over the recent scored windows, of the model and of the two naive forecasters.');
  for (const s of series) {
    for (const [forecaster] of FORECASTERS) {
      const v = s.mae[forecaster];
      if (finite(v)) mae.sample(v, { file: s.label, forecaster });
    }
  }

  const p = stats.prealloc;
  const pv = (v: number | null | undefined) => (p.enabled && finite(v) ? v : 0);
  e.single('logshadow_prealloc_enabled', 'gauge', '1 when space is reserved ahead of the forecast.', p.enabled ? 1 : 0);
  e.single('logshadow_prealloc_reserved_bytes_total', 'counter', 'Bytes reserved (fallocate) ahead of writes.', pv(p.reservedBytes));
  e.single('logshadow_prealloc_hit_bytes_total', 'counter', 'Bytes of appends that landed inside a reservation.', pv(p.hitBytes));
  e.single('logshadow_prealloc_released_unused_bytes_total', 'counter', 'Reserved bytes given back without having been written.', pv(p.releasedUnusedBytes));
  e.single('logshadow_prealloc_ahead_bytes', 'gauge', 'Bytes reserved ahead of the files right now.', pv(p.aheadBytes));
  e.single('logshadow_prealloc_budget_bytes', 'gauge', 'Most bytes that may be reserved ahead of all files.', pv(p.budgetBytes));

  const t = stats.daemon.tick;
  const tick = e.family('logshadow_tick_seconds', 'summary', 'Duration of a slice of the refresh (a tick): quantiles over the last 1024 (1: the longest), sum and count over all.');
  if (finite(t.p50Ms)) tick.sample(t.p50Ms / 1000, { quantile: '0.5' });
  tick.sample(t.p99Ms / 1000, { quantile: '0.99' }).sample(t.maxMs / 1000, { quantile: '1' });
  tick.sample(t.sumMs / 1000, {}, '_sum').sample(t.count, {}, '_count');
  e.single('logshadow_tick_mean_seconds', 'gauge', 'Mean duration of a slice of the refresh over the last 1024.', t.meanMs / 1000);
  e.single('logshadow_ticks_total', 'counter', 'Slices of the refresh run.', t.count);
  e.single('logshadow_modelled_streams', 'gauge', 'Streams (files and applications) holding a model.', t.activeStreams);
  e.single('logshadow_daemon_resident_memory_bytes', 'gauge', 'Resident memory of the daemon process.', stats.daemon.rssBytes);
  renderDurability(e, stats.durability);
  return e.text();
}

function confidenceOf(f: NonNullable<FileSeries['forecast']>): number {
  return f.weight > 0 ? f.weightedConfidence / f.weight : f.n > 0 ? f.confidenceSum / f.n : 0;
}

/** The busiest `maxStreams` files by bytes, then one "(other)" series summing the rest. */
export function fileSeries(stats: MetricsStats, shadow: MetricsShadow, maxStreams: number): { series: FileSeries[]; folded: number } {
  const forecasts = new Map(shadow.streams.filter((s) => s.kind === 'file').map((s) => [s.key, s]));
  const files = [...stats.files].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const bound = Math.max(0, Math.floor(maxStreams));
  const series: FileSeries[] = [];
  let other: FileSeries | null = null;
  files.forEach((f, i) => {
    let s: FileSeries;
    if (i < bound) {
      s = { label: f.key, bytes: 0, forecast: null, mae: {} };
      series.push(s);
    } else {
      other ??= { label: OTHER_FILES, bytes: 0, forecast: null, mae: {} };
      s = other;
    }
    s.bytes += f.bytes;
    const fc = forecasts.get(f.key);
    if (fc) {
      s.forecast ??= { mean: 0, q05: 0, median: 0, q95: 0, weightedConfidence: 0, weight: 0, confidenceSum: 0, n: 0 };
      const acc = s.forecast;
      acc.mean += fc.bytes.mean;
      acc.q05 += fc.bytes.p90[0];
      acc.median += fc.bytes.median;
      acc.q95 += fc.bytes.p90[1];
      acc.weightedConfidence += fc.confidence * Math.max(0, fc.bytes.mean);
      acc.weight += Math.max(0, fc.bytes.mean);
      acc.confidenceSum += fc.confidence;
      acc.n++;
    }
    const scores = f.model?.scores.bytes;
    if (scores && scores.model.windows > 0) {
      for (const [name, key] of FORECASTERS) {
        const v = scores[key].mae;
        if (finite(v)) s.mae[name] = (s.mae[name] ?? 0) + v;
      }
    }
  });
  const folded = Math.max(0, files.length - bound);
  if (other) series.push(other);
  return { series, folded };
}
